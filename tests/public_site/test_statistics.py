"""Statistics page and CSV: counts only, over public entries only."""

import csv
import io
from datetime import date

from django.urls import reverse

from registry.redaction import Audience
from tests.canaries import assert_no_canaries
from tests.factories import CaseFactory, RecordFactory, state


def test_counts_by_state_sex_age_band_status_and_month(client, db):
    CaseFactory(missing_report__event_state=state("14"), missing_report__sex="M",
                missing_report__birth_date=date(1990, 1, 1),
                missing_report__event_date=date(2024, 5, 3))
    CaseFactory(missing_report__event_state=state("14"), missing_report__sex="H",
                missing_report__birth_date=date(2010, 1, 1),
                missing_report__event_date=date(2024, 5, 20))
    RecordFactory(kind="detention", event_state=state("14"))  # never counted

    response = client.get(reverse("public_site:statistics_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    counts = {(row[0], row[1]): int(row[3]) for row in rows[1:]}
    assert counts[("entidad", "14")] == 2
    assert counts[("sexo", "M")] == 1 and counts[("sexo", "H")] == 1
    assert counts[("edad", "30-34")] == 1 and counts[("edad", "12-17")] == 1
    assert counts[("situacion", "desaparecida")] == 2
    assert counts[("mes", "2024-05")] == 2
    assert response["Content-Type"].startswith("text/csv")


def test_statistics_page_draws_charts_and_leaks_nothing(client, world):
    response = client.get(reverse("public_site:statistics"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<svg") >= 5 and "<script" not in body
    assert_no_canaries(body, world, Audience.PUBLIC)
    assert_no_canaries(client.get(reverse("public_site:statistics_csv")).content, world,
                       Audience.PUBLIC)


def test_statistics_page_has_a_map_tile_per_state(client, db):
    CaseFactory(missing_report__event_state=state("14"))
    body = client.get(reverse("public_site:statistics")).content.decode()
    assert body.count('rx="4"') == 32
    assert "<title>Jalisco: 1</title>" in body
