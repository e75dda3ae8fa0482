"""Load N synthetic records (default 1,000,000) into a PostgreSQL registry for benchmarks.

40 % missing-person reports, each with a case (70 % with publication consent), and
60 % detention records. Names are drawn with a skewed distribution from Faker's
es_MX name lists, so that common names are very common, as in real registers.

    DJANGO_DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry_bench_public \
        .venv/bin/python bench/public_site/load_data.py --records 1000000

Writes bench/out/public_queries.txt (search strings built from stored names, with
the accents dropped, a letter changed, the order swapped or a surname left out) and
bench/out/public_family.json (folio and code of a few cases with an access code).
"""

from __future__ import annotations

import argparse
import bisect
import csv
import io
import itertools
import json
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from faker.providers.person.es_MX import Provider as NamesMX  # noqa: E402

from mxnames.text import search_key  # noqa: E402
from registry.models import CASE_PUBLIC_KEY_NAMESPACE, Agency, State  # noqa: E402
from registry.published import published_entries_rebuild  # noqa: E402
from registry.redaction import pseudonym  # noqa: E402
from registry.services import case_access_code_issue  # noqa: E402

OUT = ROOT / "bench" / "out"
RECORD_COLUMNS = [
    "kind", "agency_id", "external_id", "given_names", "paternal_surname", "maternal_surname",
    "aliases", "sex", "birth_date", "age", "curp", "nationality", "name_search", "event_date",
    "event_state_id", "place", "authority", "facility", "reason", "description", "address",
    "reporter_name", "reporter_contact", "source_file", "source_sheet", "raw_values",
    "created_at", "updated_at", "clothing", "marks",
]
NULL = "\\N"
GIN_INDEXES = ["record_missing_name_words_idx", "record_detention_name_words_idx"]


_CUMULATIVE: dict[int, list[float]] = {}


def skewed(names: list[str], rng: random.Random) -> str:
    # Zipf-like (weight 1/(rank+3)): the commonest surname is about 4 % of all, as
    # Hernández is in Mexico, and the long tail is long.
    cumulative = _CUMULATIVE.get(id(names))
    if cumulative is None:
        weights = [1 / (rank + 3) for rank in range(len(names))]
        cumulative = list(itertools.accumulate(weights))
        _CUMULATIVE[id(names)] = cumulative
    return names[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


def name_lists(rng: random.Random):
    male = list(dict.fromkeys(NamesMX.first_names_male))
    female = list(dict.fromkeys(NamesMX.first_names_female))
    last = list(dict.fromkeys(NamesMX.last_names))
    for names in (male, female, last):
        rng.shuffle(names)
    return male, female, last


def record_rows(count: int, agencies: dict[str, int], states: list[str], rng: random.Random):
    male, female, last = name_lists(rng)
    now = "2026-11-01 00:00:00+00"
    for index in range(count):
        kind = "missing_report" if index % 5 < 2 else "detention"
        sex = rng.choice("HM")
        given = skewed(male if sex == "H" else female, rng)
        if rng.random() < 0.35:  # compound given names
            given += " " + skewed(male if sex == "H" else female, rng)
        paternal, maternal = skewed(last, rng), skewed(last, rng)
        if rng.random() < 0.05:
            maternal = ""
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 30000))
        event = date(2006, 1, 1) + timedelta(days=rng.randrange(0, 7200))
        detention = kind == "detention"
        yield [
            kind, agencies["prison" if detention else "prosecutor"], f"B{index:08d}",
            given, paternal, maternal, "", sex, birth.isoformat(), NULL, "", "mexicana",
            search_key(given, paternal, maternal), event.isoformat(), rng.choice(states), "",
            "Guardia Nacional" if detention else "", "CEFERESO 1" if detention else "", "",
            "", "", "", "", "bench.csv", "", "{}", now, now, "", "",
        ]


def copy_rows(table: str, columns: list[str], rows, chunk: int = 100_000) -> None:
    with connection.cursor() as cursor:
        buffer, writer, pending = io.StringIO(), None, 0
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow(row)
            pending += 1
            if pending == chunk:
                _flush(cursor, table, columns, buffer)
                buffer = io.StringIO()
                writer, pending = csv.writer(buffer), 0
        if pending:
            _flush(cursor, table, columns, buffer)


def _flush(cursor, table, columns, buffer) -> None:
    buffer.seek(0)
    sql = (f"COPY {table} ({', '.join(columns)}) FROM STDIN "
           "WITH (FORMAT csv, NULL '\\N')")
    cursor.cursor.copy_expert(sql, buffer)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--family-codes", type=int, default=8)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    assert connection.vendor == "postgresql", "the benchmark needs PostgreSQL"
    OUT.mkdir(parents=True, exist_ok=True)

    prosecutor, _ = Agency.objects.get_or_create(
        code="bench-fge", defaults={"name": "Fiscalía de prueba", "kind": "prosecutor"})
    prison, _ = Agency.objects.get_or_create(
        code="bench-penal", defaults={"name": "Centro penitenciario de prueba", "kind": "prison"})
    agencies = {"prosecutor": prosecutor.pk, "prison": prison.pk}
    states = list(State.objects.values_list("code", flat=True))

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for index in GIN_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {index}")
    copy_rows("registry_record", RECORD_COLUMNS,
              record_rows(args.records, agencies, states, rng))
    print(f"records copied in {time.perf_counter() - started:.0f} s", flush=True)

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM registry_record WHERE kind = 'missing_report' "
                       "AND agency_id = %s AND NOT EXISTS (SELECT 1 FROM registry_case c "
                       "WHERE c.missing_report_id = registry_record.id) ORDER BY id",
                       [prosecutor.pk])
        report_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT coalesce(max(id), 0) FROM registry_case")
        next_case_id = cursor.fetchone()[0] + 1
    statuses = ["desaparecida"] * 6 + ["no_localizada", "localizada_con_vida",
                                       "localizada_sin_vida"]

    def case_rows():
        for offset, report_id in enumerate(report_ids):
            case_id = next_case_id + offset
            yield [case_id, f"BENCH/{case_id:08d}", prosecutor.pk, report_id,
                   rng.choice(statuses), "2026-11-01 00:00:00+00",
                   "publicar" if rng.random() < 0.7 else "sin_nombre", 0, "", "",
                   "2026-11-01 00:00:00+00",
                   "2026-11-01 00:00:00+00", pseudonym(CASE_PUBLIC_KEY_NAMESPACE, case_id), ""]

    copy_rows("registry_case", ["id", "folio", "agency_id", "missing_report_id", "status",
                                "status_changed_at", "publication", "public_key_version",
                                "access_code_hash",
                                "investigation_notes", "created_at", "updated_at",
                                "public_key", "status_reported"], case_rows())
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('registry_case', 'id'), "
                       "(SELECT max(id) FROM registry_case))")
    print(f"cases copied in {time.perf_counter() - started:.0f} s", flush=True)

    import importlib

    migration = importlib.import_module("registry.migrations.0006_public_search_indexes")
    with connection.cursor() as cursor:
        for statement in migration.PG_CREATE:  # the same indexes the migration creates
            if statement.lstrip().startswith("CREATE INDEX"):
                cursor.execute(statement)
        cursor.execute("ANALYZE")
    print(f"indexes built in {time.perf_counter() - started:.0f} s", flush=True)
    # The cases were copied past the services: the published-entry table the public
    # search reads is built from them as the registry's bulk writers do.
    published = published_entries_rebuild()
    print(f"{published} published entries in {time.perf_counter() - started:.0f} s", flush=True)
    write_queries(rng)
    write_family_codes(args.family_codes)


def perturb(text: str, rng: random.Random) -> str:
    words = text.split()
    choice = rng.random()
    if choice < 0.25 and len(words) > 2:
        words = words[:-1]                       # a surname left out
    elif choice < 0.5:
        words = words[1:] + words[:1]            # another order
    elif choice < 0.75:
        word = rng.randrange(len(words))         # one letter changed
        target = words[word]
        if len(target) > 4:
            position = rng.randrange(1, len(target) - 1)
            words[word] = target[:position] + rng.choice("aeiosnrz") + target[position + 1:]
    return " ".join(words)


def write_queries(rng: random.Random, count: int = 3000) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.given_names, r.paternal_surname, r.maternal_surname "
            "FROM registry_record r TABLESAMPLE SYSTEM (1) "
            "JOIN registry_case c ON c.missing_report_id = r.id "
            "WHERE c.publication = 'publicar' LIMIT %s", [count])
        names = [" ".join(part for part in row if part) for row in cursor.fetchall()]
    queries = [perturb(search_key(name), rng) for name in names]
    (OUT / "public_queries.txt").write_text("\n".join(queries) + "\n", encoding="utf-8")
    print(f"{len(queries)} search queries written", flush=True)


def write_family_codes(count: int) -> None:
    from registry.models import Case

    cases = Case.objects.filter(folio__startswith="BENCH/").order_by("id")[:count]
    codes = [{"folio": case.folio, "code": case_access_code_issue(case=case, actor=None)}
             for case in cases]
    (OUT / "public_family.json").write_text(json.dumps(codes, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
