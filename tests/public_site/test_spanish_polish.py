"""Issue 16, "Everyone": one date format on the public pages (dd/mm/aaaa, as on the
staff pages, so no capitalised month), the language called "español de México",
municipality options by name alone, INEGI's "Nacional" in English, and the statistics
page's months as a chart with tables by year and by month instead of 240 rows."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.urls import reverse

from public_site.statistics import month_chart
from registry.models import Municipality
from tests.factories import CaseFactory, state


def _guadalupe(**extra):
    return CaseFactory(**{"publication_consent": True,
                          "missing_report__given_names": "María Guadalupe",
                          "missing_report__paternal_surname": "Hernández",
                          "missing_report__maternal_surname": "Ibáñez",
                          "missing_report__birth_date": date(1980, 5, 1),
                          "missing_report__event_date": date(2010, 7, 4), **extra})


def test_poster_and_results_show_the_same_dd_mm_aaaa_date(client, db):
    case = _guadalupe()
    poster = client.get(reverse("public_site:entry", args=[case.public_key])).content.decode()
    results = client.get(reverse("public_site:search"), {"q": "guadalupe hernandez"}
                         ).content.decode()
    for body in (poster, results):
        assert "04/07/2010" in body
        assert "Julio" not in body and "2010-07-04" not in body
    assert "de julio de" not in poster


def test_the_language_selector_says_espanol_de_mexico(client, db):
    body = client.get(reverse("public_site:home")).content.decode()
    assert "español de México</option>" in body and "de Mexico" not in body


def test_municipality_options_read_the_name_alone(client, db):
    acajete = Municipality.objects.filter(state_id="21", name="Acajete").first()
    assert acajete is not None  # the INEGI catalogue is loaded by a migration
    body = client.get(reverse("public_site:search"), {"estado": "21"}).content.decode()
    assert f'<option value="{acajete.code}">Acajete</option>' in body
    assert "Acajete, 21" not in body


def test_nacional_is_translated_in_english(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("public_site:search")).content.decode()
    assert '<option value="00">National</option>' in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es-mx"
    body = client.get(reverse("public_site:search")).content.decode()
    assert '<option value="00">Nacional</option>' in body


def test_statistics_page_draws_months_and_keeps_the_numbers(client, db):
    _guadalupe(missing_report__event_state=state("21"))
    _guadalupe(missing_report__event_date=date(2012, 1, 9))
    body = client.get(reverse("public_site:statistics")).content.decode()
    assert 'class="month-chart"' in body and "<title>07/2010: 1</title>" in body
    assert '<th scope="row">2010</th><td class="count">1</td>' in body
    assert "<details" in body and '<th scope="row">01/2012</th>' in body
    chart = month_chart({"by_month": [{"month": f"{2000 + m // 12}-{m % 12 + 1:02d}", "n": m}
                                      for m in range(240)] + [{"month": "", "n": 3}]})
    assert len(chart.columns) == 240 and len(chart.ticks) <= 12
    assert chart.by_year[0] == ("2000", sum(range(12))) and chart.by_year[-1] == ("Sin dato", 3)
