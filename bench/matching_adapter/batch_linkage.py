"""Linking a whole import: the batch path against the one-by-one path, end to end.

    flock /work/bench.lock nice -n 10 .venv/bin/python bench/matching_adapter/batch_linkage.py \
        --stored 100000 --scenario detentions --rows 10000 --repeats 3

Each measurement runs ``manage.py import_records`` in a fresh subprocess (so its peak
memory is the import's own) against a PostgreSQL database holding ``--stored`` synthetic
records (``registry_batch_bench``; filled by COPY, key index built, a model trained on a
sample, once; each measured import is rolled back afterwards by deleting what it wrote).
Scenarios (``--rows`` records in the file):

* ``detentions``: a detention log, half of it corrupted copies of stored people;
* ``single-person``: one person under ``--rows`` different folios (a transfer log);
* ``namesakes``: ``--rows`` different people all called "Juan Hernández", no birth date.

``--paths batch,one-by-one`` times both paths in the same run (the one-by-one path is
the previous default: per-process index and one merge per pair), medians and ratio.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "matching_adapter"))

HEADER = ["FOLIO", "NOMBRE(S)", "APELLIDO PATERNO", "APELLIDO MATERNO", "SEXO",
          "FECHA DE NACIMIENTO", "CURP", "ENTIDAD", "MUNICIPIO", "FECHA DE DETENCIÓN"]


def _row(folio: str, person) -> list[str]:
    birth = person.birth_date.strftime("%d/%m/%Y") if person.birth_date else ""
    event = person.event_date.strftime("%d/%m/%Y") if person.event_date else ""
    sex = {"H": "Hombre", "M": "Mujer"}.get(person.sex, "")
    return [folio, person.given_names, person.paternal_surname, person.maternal_surname, sex,
            birth, person.curp, person.state_code, person.municipality_code, event]


def write_file(path: Path, scenario: str, rows: int, people: list) -> None:
    from demo.synthetic import corrupt, generate_people
    from registry.models import Municipality

    rng = random.Random(13)
    out = []
    if scenario == "detentions":
        munis = list(Municipality.objects.values_list("code", flat=True))
        strangers = generate_people(seed=4242, count=rows, municipalities=munis)
        for n in range(rows):
            person = (corrupt(rng.choice(people), rng=rng, record_id=f"B{n}") if n % 2 == 0
                      else strangers[n])
            out.append(_row(f"BENCH-{n}", person))
    elif scenario == "single-person":
        person = people[0]
        out = [_row(f"TRASLADO-{n}", person) for n in range(rows)]
    elif scenario == "namesakes":
        for n in range(rows):
            out.append([f"JH-{n}", "Juan", "Hernández", "", "Hombre", "", "", "09", "",
                        f"{1 + n % 28:02d}/01/2025"])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(out)


def child(args: argparse.Namespace) -> None:
    """One measured import (run in its own process)."""
    from incremental_db import _setup

    _setup(args.database)
    if args.path == "one-by-one":
        from django.conf import settings

        settings.MATCHING_BATCH_MIN_RECORDS = 10**9
    from django.core.management import call_command

    from imports.models import ImportBatch

    started = time.perf_counter()
    cpu = time.process_time()
    call_command("import_records", args.file, "--agency", "bench-det", "--kind", "detention",
                 stdout=open(os.devnull, "w"))  # noqa: SIM115
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    batch = ImportBatch.objects.order_by("-pk").first()
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss / 1024, "batch": batch.pk,
        "linkage": batch.linkage_status, "counts": batch.linkage_counts,
        "rows": batch.rows_created}))


def _undo(batch_id: int) -> None:
    """Remove what one measured import wrote, so every repeat starts from the same data."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM registry_record WHERE import_batch_id = %s", [batch_id])
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("DELETE FROM registry_alert WHERE record_id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM matching_mergedecision WHERE match_candidate_id IN (SELECT id "
                       "FROM registry_matchcandidate WHERE record_left_id = ANY(%s) OR "
                       "record_right_id = ANY(%s))", [ids, ids])
        cursor.execute("DELETE FROM registry_matchcandidate WHERE record_left_id = ANY(%s) OR "
                       "record_right_id = ANY(%s)", [ids, ids])
        cursor.execute("UPDATE registry_record SET person_id = NULL WHERE person_id IS NOT NULL")
        cursor.execute("UPDATE registry_case SET person_id = NULL WHERE person_id IS NOT NULL")
        cursor.execute("DELETE FROM registry_person")
        cursor.execute("DELETE FROM matching_blockingkey WHERE record_id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM registry_historicalrecord WHERE id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM registry_record WHERE id = ANY(%s)", [ids])
        cursor.execute("SET session_replication_role = DEFAULT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--scenario", default="detentions",
                        choices=["detentions", "single-person", "namesakes"])
    parser.add_argument("--paths", default="batch,one-by-one")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--train-sample", type=int, default=50_000)
    parser.add_argument("--database", default="registry_batch_bench")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--path", default="batch", help=argparse.SUPPRESS)
    parser.add_argument("--file", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    from incremental_db import _fill, _setup, _train

    _setup(args.database)
    from matching import keyindex
    from matching.adapter import latest_model_version, load_model
    from registry.models import Agency

    people = _fill(args.stored)
    version = latest_model_version() or _train(min(args.train_sample, args.stored))
    Agency.objects.get_or_create(code="bench-det", defaults={"name": "Penales (benchmark)",
                                                             "kind": "prison"})
    clock = time.perf_counter()
    keyindex.keys_catch_up(load_model(version).blocking_rules)
    print(f"key index ready in {time.perf_counter() - clock:.1f} s")
    results: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{args.scenario}.csv"
        write_file(path, args.scenario, args.rows, people)
        for repeat in range(args.repeats):
            for name in args.paths.split(","):  # interleaved: same load for both paths
                out = subprocess.run(
                    [sys.executable, __file__, "--child", "--path", name, "--file", str(path),
                     "--database", args.database], capture_output=True, text=True, check=True)
                result = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"{args.scenario} {args.rows:,} rows into {args.stored:,} stored, "
                      f"{name} (run {repeat + 1}): {result['seconds']:.1f} s wall, "
                      f"{result['cpu']:.1f} s CPU (this process; PostgreSQL's not counted), peak "
                      f"{result['peak_mb']:.0f} MB, {result['counts']}", flush=True)
                results.setdefault(name, []).append(result)
                _undo(result["batch"])
    medians = {name: statistics.median(r["seconds"] for r in runs)
               for name, runs in results.items()}
    for name, runs in results.items():
        cpu = statistics.median(r["cpu"] for r in runs)
        print(f"median {name}: {medians[name]:.1f} s wall, {cpu:.1f} s CPU, peak "
              f"{max(r['peak_mb'] for r in runs):.0f} MB")
    if len(medians) == 2 and medians.get("batch"):
        print(f"ratio one-by-one / batch: {medians['one-by-one'] / medians['batch']:.1f}")


if __name__ == "__main__":
    main()
