"""F1 of the registry's two linkage paths on an independent generator's data.

    nice -n 10 .venv/bin/python bench/matching_adapter/paths_f1.py --dataset registro_b \
        --n-left 2000 --n-right 3000

1. Generate the data set (``bench/matching/generators``; registro_c is held out: run it
   to evaluate, never to tune anything).
2. Into a fresh PostgreSQL database (``registry_paths_f1``): import LEFT as missing-person
   reports and RIGHT as a detention log through the importer (no linkage), train a model
   on the stored records (as relink would).
3. Link RIGHT's records twice on the
   same data, each inside a transaction rolled back afterwards: the batch path
   (``match_new_records(batch=True)``) and the one-by-one path (``batch=False``).
4. Predicted pairs: (report, detention) on one person after linkage; truth: the
   generator's ``truth.csv`` restricted to those. Precision, recall, F1 of each path,
   the pairs on which they differ, and each path's time.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "matching_adapter"))

COLUMNS = {"record_id": "external_id", "given_names": "given_names",
           "paternal_surname": "paternal_surname", "maternal_surname": "maternal_surname",
           "sex": "sex", "birth_date": "birth_date", "id_number": "curp",
           "state": "event_state", "municipality": "event_municipality", "address": "address",
           "event_date": "event_date", "aliases": "aliases", "age": "age"}


class _Rollback(Exception):
    pass


def _predicted() -> set[tuple[str, str]]:
    from registry.models import Record, RecordKind

    people: dict[int, dict[str, list[str]]] = {}
    for external, kind, person in Record.objects.exclude(person=None).values_list(
            "external_id", "kind", "person_id"):
        side = "left" if kind == RecordKind.MISSING_REPORT else "right"
        people.setdefault(person, {"left": [], "right": []})[side].append(external)
    return {(a, b) for sides in people.values() for a in sides["left"] for b in sides["right"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="registro_b", choices=["registro_b", "registro_c"])
    parser.add_argument("--n-left", type=int, default=2000)
    parser.add_argument("--n-right", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default="registry_paths_f1")
    args = parser.parse_args()
    import psycopg2

    admin = psycopg2.connect("postgres://postgres@127.0.0.1:5432/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
    admin.close()
    from incremental_db import _setup

    _setup(args.database)
    from django.db import transaction

    from imports.intake import import_batch_create
    from imports.services import column_mapping_save, import_batch_run
    from matching.linkage import linkage_model_train, match_new_records
    from matching.models import LinkageModelVersion
    from registry.models import Agency, Record

    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-m", f"bench.matching.generators.{args.dataset}",
                        "--out", folder, "--n-left", str(args.n_left), "--n-right",
                        str(args.n_right), "--seed", str(args.seed)], check=True, cwd=ROOT,
                       capture_output=True)
        data = Path(folder)
        truth = {(row["left_id"], row["right_id"])
                 for row in csv.DictReader((data / "truth.csv").open(encoding="utf-8"))}
        batches = {}
        for side, kind, code in (("left", "missing_report", "fge-bench"),
                                 ("right", "detention", "ssc-bench")):
            agency, _ = Agency.objects.get_or_create(code=code, defaults={
                "name": code, "kind": "prosecutor" if side == "left" else "police"})
            mapping = column_mapping_save(agency=agency, name="generador", columns=COLUMNS,
                                          actor=None)
            with (data / f"{side}.csv").open("rb") as handle:
                batch = import_batch_create(agency=agency, record_kind=kind, upload=handle,
                                            file_name=f"{side}.csv", actor=None,
                                            mapping=mapping)
            batches[side] = import_batch_run(batch=batch, dry_run=False, link=False)
            print(f"{side}: {batches[side].rows_created} stored, "
                  f"{batches[side].rows_rejected} rejected", flush=True)
        # Trained on everything stored, as relink trains on a registry.
        version = linkage_model_train(source=LinkageModelVersion.Source.RELINK)
        print(f"trained {version.label} (upper {version.upper_threshold:.3f})")
    new_ids = list(Record.objects.filter(import_batch=batches["right"])
                   .values_list("pk", flat=True))
    # Pairs whose two records the importer stored (rows it rejected cannot be linked).
    stored = set(Record.objects.values_list("external_id", flat=True))
    truth = {(a, b) for a, b in truth if a in stored and b in stored}
    results = {}
    for name, batch in (("batch", True), ("one-by-one", False)):
        try:
            with transaction.atomic():
                clock = time.perf_counter()
                counts = match_new_records(record_ids=new_ids, batch=batch)
                seconds = time.perf_counter() - clock
                predicted = _predicted()
                raise _Rollback
        except _Rollback:
            pass
        hits = len(predicted & truth)
        precision = hits / max(len(predicted), 1)
        recall = hits / max(len(truth), 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        results[name] = predicted
        print(f"{args.dataset} {args.n_left}x{args.n_right} {name}: F1 {f1:.4f} "
              f"(precision {precision:.4f}, recall {recall:.4f}), {seconds:.1f} s, "
              f"{counts.as_dict()}", flush=True)
    differ = results["batch"] ^ results["one-by-one"]
    print(f"pairs on which the paths differ: {len(differ)}")


if __name__ == "__main__":
    main()
