"""p95 of ``match_new_records`` for one new record against N stored, on PostgreSQL.

    .venv/bin/python bench/matching_adapter/incremental_db.py --stored 100000 --queries 300

1. Fill a benchmark database (``registry_adapter_bench`` by default; ``--database``)
   with N synthetic records (``matching.synthetic``: reports and detention logs with
   realistic variation, namesakes and siblings) by COPY; reused when it already holds N.
2. Train a model on a sample (EM, no labels) and save it as the latest version.
3. Build the per-process index (timed once: the first call after a deploy pays it).
4. For each query: store one new record (half of them a corrupted copy of a stored
   person, half a new person), then time ``match_new_records(record_ids=[pk])`` end to
   end: index refresh, scoring, candidate/link/alert writes. As the reference, the same
   run times the pure core's ``IncrementalIndex.match`` for the same record.
Prints medians, p95, p99 and the ratio to the core, and appends them to RESULTS.md
with ``--write``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _setup(database: str) -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ.setdefault("DJANGO_DEBUG", "true")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import psycopg2

    admin = psycopg2.connect("postgres://postgres@127.0.0.1:5432/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{database}"')
    admin.close()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _record_row(person, kind: str, agency_id: int, external_id: str, now) -> dict:
    from mxnames.text import search_key

    return {
        "kind": kind, "agency_id": agency_id, "external_id": external_id,
        "given_names": person.given_names, "paternal_surname": person.paternal_surname,
        "maternal_surname": person.maternal_surname, "aliases": person.aliases,
        "sex": person.sex, "birth_date": person.birth_date, "age": person.age,
        "curp": person.curp, "nationality": "Mexicana",
        "name_search": search_key(person.given_names, person.paternal_surname,
                                  person.maternal_surname, person.aliases),
        "event_date": person.event_date, "event_state_id": person.state_code or None,
        "event_municipality_id": person.municipality_code or None, "place": "",
        "authority": "", "facility": "", "reason": "", "description": "",
        "address": person.address, "reporter_name": "", "reporter_contact": "",
        "clothing": "", "marks": "",
        "source_file": "bench.csv", "source_sheet": "", "raw_values": {},
        "created_at": now, "updated_at": now,
    }


def _fill(stored: int) -> list:
    """Store ``stored`` records (if not there yet); return the synthetic people used."""
    from django.db import connection
    from django.utils import timezone

    from demo.synthetic import generate_linkage_dataset
    from registry.bulk import bulk_insert_rows
    from registry.models import Agency, Municipality, Record

    munis = list(Municipality.objects.values_list("code", flat=True))
    n_left = stored // 5
    left, right = generate_linkage_dataset(seed=2026, n_left=n_left, n_right=stored - n_left,
                                           overlap=0.5, municipalities=munis)
    if Record.objects.count() == stored:
        return left + right
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE registry_record, registry_matchcandidate, registry_alert, "
                       "registry_case, registry_person, matching_mergedecision, "
                       "matching_relinkrun, matching_linkagemodelversion, "
                       "registry_historicalrecord, registry_historicalmatchcandidate, "
                       "registry_historicalperson, matching_blockingkey, "
                       "matching_keyedrecord, matching_blockingindexstate CASCADE")
    agency, _ = Agency.objects.get_or_create(code="bench", defaults={
        "name": "Benchmark", "kind": "prosecutor"})
    now = timezone.now() - datetime.timedelta(days=1)
    rows = [_record_row(p, "missing_report", agency.pk, f"L-{p.record_id}", now) for p in left]
    rows += [_record_row(p, "detention", agency.pk, f"R-{p.record_id}", now) for p in right]
    columns = list(rows[0])
    started = time.perf_counter()
    bulk_insert_rows(Record, columns, ([row[c] for c in columns] for row in rows))
    print(f"stored {len(rows)} records in {time.perf_counter() - started:.1f} s")
    return left + right


def _train(sample_size: int):
    from matching.adapter import core_records
    from matching.linker import Linker
    from matching.models import LinkageModelVersion
    from registry.models import Record

    ids = list(Record.objects.order_by("?").values_list("pk", flat=True)[:sample_size])
    records = list(core_records(Record.objects.filter(pk__in=ids)))
    started = time.perf_counter()
    model = Linker().dedupe(records).model
    version = LinkageModelVersion.objects.create(
        model_json=model.to_json(), source=LinkageModelVersion.Source.RELINK,
        records_count=len(records), upper_threshold=model.upper_threshold,
        lower_threshold=model.lower_threshold, training_seconds=time.perf_counter() - started)
    print(f"trained {version.label} on {len(records)} records in "
          f"{version.training_seconds:.1f} s (upper {model.upper_threshold:.3f})")
    return version


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--train-sample", type=int, default=50_000)
    parser.add_argument("--database", default="registry_adapter_bench")
    parser.add_argument("--write", action="store_true", help="append to RESULTS.md")
    args = parser.parse_args()
    _setup(args.database)

    from django.utils import timezone

    from demo.synthetic import corrupt, generate_people
    from matching import adapter
    from matching.linkage import match_new_records
    from registry.models import Agency, MatchCandidate, Municipality, Record

    people = _fill(args.stored)
    version = _train(min(args.train_sample, args.stored))
    started = time.perf_counter()
    index = adapter.index_cache.get(version)
    build_seconds = time.perf_counter() - started
    print(f"index of {len(index)} records built in {build_seconds:.1f} s")

    rng = random.Random(7)
    munis = list(Municipality.objects.values_list("code", flat=True))
    strangers = generate_people(seed=99, count=args.queries, municipalities=munis)
    agency = Agency.objects.get(code="bench")
    end_to_end, core_only, wrote = [], [], []
    candidates_before = MatchCandidate.objects.count()
    for n in range(args.queries):
        if n % 2 == 0:
            person = corrupt(rng.choice(people), rng=rng, record_id=f"Q{n}")
        else:
            person = strangers[n]
        row = _record_row(person, "detention", agency.pk, f"Q-{time.time_ns()}-{n}",
                          timezone.now())
        new = Record.objects.create(**row)
        written = MatchCandidate.objects.count()
        clock = time.perf_counter()
        match_new_records(record_ids=[new.pk])
        end_to_end.append((time.perf_counter() - clock) * 1000)
        wrote.append(MatchCandidate.objects.count() > written)
        core = adapter.record_to_core(new)
        clock = time.perf_counter()
        index.match({**core, "record_id": "probe"})
        core_only.append((time.perf_counter() - clock) * 1000)
    made = MatchCandidate.objects.count() - candidates_before

    def summary(values: list[float]) -> str:
        return (f"median {statistics.median(values):.1f} ms, p95 {_percentile(values, 0.95):.1f}"
                f" ms, p99 {_percentile(values, 0.99):.1f} ms")

    ratio = statistics.median(end_to_end) / statistics.median(core_only)
    lines = [
        f"stored {len(index) - args.queries:,} records, {args.queries} queries "
        f"(half corrupted copies of stored people), {made} candidates/links written",
        f"match_new_records (end to end): {summary(end_to_end)}",
        "  of which calls that wrote nothing (no pair): "
        + summary([t for t, w in zip(end_to_end, wrote, strict=True) if not w] or [0.0]),
        "  of which calls that wrote a candidate or a link: "
        + summary([t for t, w in zip(end_to_end, wrote, strict=True) if w] or [0.0]),
        f"core IncrementalIndex.match (reference): {summary(core_only)}",
        f"ratio of medians end-to-end / core: {ratio:.2f}",
        f"index build on first use: {build_seconds:.1f} s",
    ]
    print("\n".join(lines))
    if args.write:
        with open(Path(__file__).with_name("RESULTS.md"), "a", encoding="utf-8") as results:
            results.write(f"\n### {timezone.now():%Y-%m-%d %H:%M} UTC, "
                          f"--stored {args.stored} --queries {args.queries}\n\n")
            results.write("".join(f"- {line}\n" for line in lines))


if __name__ == "__main__":
    main()
