"""Load 1,000,000 records (and cases, people, candidates, alerts) for the page benchmark.

Usage (PostgreSQL only; the database is emptied first):
    DJANGO_DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry_perm \\
        .venv/bin/python bench/registry_pages/setup_data.py [--records 1000000]

Rows are generated inside PostgreSQL (INSERT … SELECT generate_series), so loading
takes about a minute instead of hours through the ORM.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

N_AGENCIES = 60
BENCH_PROSECUTOR = "fiscal_bench"

SQL = """
TRUNCATE registry_alert, registry_matchcandidate, registry_casestatusrequest,
         registry_casestatuschange, registry_case_prosecutors, registry_case,
         registry_record, registry_person, matching_mergedecision, registry_agency
         RESTART IDENTITY CASCADE;

INSERT INTO registry_agency (code, name, kind, state_id, is_active, created_at)
SELECT 'inst-' || g, 'Institución ' || g,
       (ARRAY['prosecutor','police','prison','migration','forensic'])[1 + g % 5],
       lpad((1 + g % 32)::text, 2, '0'), true, now()
FROM generate_series(1, {agencies}) g;

-- Names from small lists; kinds: 30% reports, 50% detentions, 10% releases, 5% / 5%.
INSERT INTO registry_record (kind, agency_id, external_id, given_names, paternal_surname,
    maternal_surname, aliases, sex, birth_date, age, curp, nationality, name_search,
    event_date, event_state_id, place, authority, facility, reason, description, address,
    reporter_name, reporter_contact, source_file, source_sheet, source_row, raw_values,
    created_at, updated_at)
SELECT
    CASE WHEN g % 20 < 6 THEN 'missing_report' WHEN g % 20 < 16 THEN 'detention'
         WHEN g % 20 < 18 THEN 'release_transfer' WHEN g % 20 = 18 THEN 'located'
         ELSE 'unidentified_remains' END,
    1 + g % {agencies}, 'EXP-' || g,
    n.given, s1.surname, s2.surname, '', (ARRAY['H','M'])[1 + g % 2],
    date '1960-01-01' + (g::bigint * 7919 % 18000)::int, NULL, '', 'MEXICANA',
    lower(n.given || ' ' || s1.surname || ' ' || s2.surname),
    date '2019-01-01' + (g::bigint * 104729 % 2000)::int, lpad((1 + g % 32)::text, 2, '0'),
    '', 'Policía', 'Reclusorio', '', '', '', '', '', 'bench.csv', '', g, '{{}}'::jsonb,
    now(), now()
FROM generate_series(1, {records}) g
JOIN (SELECT row_number() OVER () - 1 AS i, given FROM unnest(ARRAY['José','María','Juan',
      'Guadalupe','Francisco','Ana','Luis','Rosa','Jesús','Carmen','Miguel','Laura','Pedro',
      'Sofía','Jorge','Elena','Ángel','Patricia','Carlos','Verónica']) given) n
  ON n.i = g % 20
JOIN (SELECT row_number() OVER () - 1 AS i, surname FROM unnest(ARRAY['Hernández','García',
      'Martínez','López','González','Pérez','Rodríguez','Sánchez','Ramírez','Cruz','Flores',
      'Gómez','Morales','Vázquez','Reyes','Jiménez','Torres','Díaz','Gutiérrez','Ruiz',
      'Mendoza','Aguilar','Ortiz','Moreno','Castillo','Romero','Álvarez','Méndez','Chávez',
      'Rivera','Juárez','Ramos']) surname) s1 ON s1.i = (g / 20) % 32
JOIN (SELECT row_number() OVER () - 1 AS i, surname FROM unnest(ARRAY['Hernández','García',
      'Martínez','López','González','Pérez','Rodríguez','Sánchez','Ramírez','Cruz','Flores',
      'Gómez','Morales','Vázquez','Reyes','Jiménez','Torres','Díaz','Gutiérrez','Ruiz',
      'Mendoza','Aguilar','Ortiz','Moreno','Castillo','Romero','Álvarez','Méndez','Chávez',
      'Rivera','Juárez','Ramos','Silva']) surname) s2 ON s2.i = (g / 640) % 33;

-- One person per missing report and a case for each; a third of the people also
-- have a detention record (the next record id).
INSERT INTO registry_person (created_at, updated_at)
SELECT now(), now() FROM registry_record WHERE kind = 'missing_report';
WITH reports AS (
    SELECT id, row_number() OVER (ORDER BY id) AS n FROM registry_record
    WHERE kind = 'missing_report'
)
UPDATE registry_record r SET person_id = reports.n FROM reports WHERE r.id = reports.id;
INSERT INTO registry_case (folio, status, status_changed_at, publication, public_key_version,
    access_code_hash, investigation_notes, created_at, updated_at, agency_id, person_id,
    missing_report_id)
SELECT 'FOLIO-' || id,
       CASE WHEN (id / 60) % 4 = 0 THEN 'localizada_con_vida' ELSE 'desaparecida' END,
       now(), CASE WHEN id % 3 = 0 THEN 'publicar' ELSE 'sin_nombre' END, 0, '', '', now(),
       now(), agency_id, person_id, id
FROM registry_record WHERE kind = 'missing_report';
UPDATE registry_record d SET person_id = r.person_id
FROM registry_record r
WHERE r.kind = 'missing_report' AND d.id = r.id + 6 AND d.kind = 'detention' AND r.id % 3 = 0;

-- Candidate pairs: each report against two detention-like records; 1 in 5 decided.
INSERT INTO registry_matchcandidate (record_left_id, record_right_id, match_weight,
    probability, explanation, model_version, decision, decision_reason, created_at)
SELECT r.id, r.id + k.offset_, 5 + (r.id % 10), ((r.id * 37 + k.offset_) % 1000) / 1000.0,
       '{{"given_names": {{"level": "exact", "weight": 3.1}},
         "paternal_surname": {{"level": "jaro_winkler_0.92", "weight": 2.4}}}}'::jsonb,
       'bench',
       CASE WHEN (r.id / 60 + k.offset_) % 5 = 0 THEN 'rejected' ELSE 'pending' END, '', now()
FROM registry_record r CROSS JOIN (VALUES (7), (8)) AS k(offset_)
WHERE r.kind = 'missing_report' AND r.id + k.offset_ <= {records};

INSERT INTO registry_alert (case_id, record_id, created_at, handled_note)
SELECT c.id, c.missing_report_id + 7, now() - (c.id % 500) * interval '1 hour', ''
FROM registry_case c WHERE c.status = 'desaparecida' AND c.id % 10 = 0
  AND c.missing_report_id + 7 <= {records};
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "the benchmark needs PostgreSQL"
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(SQL.format(records=args.records, agencies=N_AGENCIES))
        cursor.execute("ANALYZE")
    from registry import roles
    from registry.models import Case, User

    user, _ = User.objects.get_or_create(username=BENCH_PROSECUTOR)
    user.set_password("bench-password-1")
    user.save()
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name=roles.PROSECUTOR))
    # A prosecutor with 300 cases of one agency, like a real office's caseload.
    cases = list(Case.objects.filter(agency_id=1).order_by("id").values_list("id", flat=True)
                 [:300])
    Case.prosecutors.through.objects.bulk_create(
        [Case.prosecutors.through(case_id=pk, user_id=user.pk) for pk in cases])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM registry_record")
        total = cursor.fetchone()[0]
    print(f"loaded {total} records in {time.perf_counter() - started:.1f}s; "
          f"{BENCH_PROSECUTOR} has {len(cases)} cases")


if __name__ == "__main__":
    main()
