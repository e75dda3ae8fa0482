"""Public name search and filters: forgiving names, policy-bound filters, no leaks."""

from datetime import date

import pytest
from django.urls import reverse

from public_site.entries import PublicFilters
from public_site.selectors import public_search
from registry.models import CaseStatus
from registry.redaction import Audience
from tests.canaries import assert_no_canaries
from tests.factories import CaseFactory, state

SEARCH = reverse("public_site:search")


def public_case(given, paternal, maternal="", *, consent=True, birth=date(1990, 1, 1),
                event=date(2024, 5, 10), **record):
    return CaseFactory(publication_consent=consent, missing_report__given_names=given,
                       missing_report__paternal_surname=paternal,
                       missing_report__maternal_surname=maternal,
                       missing_report__birth_date=birth, missing_report__event_date=event,
                       **{f"missing_report__{k}": v for k, v in record.items()})


def found_keys(text="", **filters):
    result = public_search(text=text, filters=PublicFilters(**filters))
    return [entry.key for entry in result.entries]


@pytest.fixture
def guadalupe(db):
    return public_case("María Guadalupe", "Hernández", "López")


@pytest.mark.parametrize("typed", [
    "maria guadalupe hernandez lopez",      # no accents
    "HERNÁNDEZ LÓPEZ MARÍA GUADALUPE",      # word order, capitals
    "Maria Guadalupe Hernandes",            # misspelt surname, one surname missing
    "Ma. Guadalupe Hernández",              # abbreviation
    "Lupe Hernández",                       # nickname
    "Guadalupe Hernandez Lopes Ramírez",    # one word the record lacks
    "MariaGuadalupe Hernández",             # compound name written together
])
def test_it_forgives_how_a_name_is_written(guadalupe, typed):
    assert found_keys(typed) == [guadalupe.public_key]


def test_it_does_not_match_a_different_person(guadalupe):
    public_case("Juan", "Pérez", "Gómez")
    assert found_keys("Juan Pérez") != [guadalupe.public_key]
    assert guadalupe.public_key not in found_keys("Juan Pérez")


def test_exact_names_rank_first(db):
    close = public_case("José", "Gonzales")
    exact = public_case("José", "González")
    assert found_keys("José González")[:2] == [exact.public_key, close.public_key]


def test_names_without_consent_are_not_searchable(db):
    hidden = public_case("Rosalía", "Quintanilla", consent=False)
    assert found_keys("Rosalía Quintanilla") == []
    # …but the entry is still public, without its name.
    assert hidden.public_key in found_keys(state="09")


def test_a_minors_full_name_is_not_searchable(db):
    public_case("Valentina", "Ochoa", birth=date(2012, 3, 3), event=date(2024, 1, 5))
    assert found_keys("Valentina Ochoa") == []


def test_aliases_are_not_searchable(db):
    public_case("Pedro", "Ramírez", aliases="El Güero Chaparro")
    assert found_keys("Güero Chaparro") == []


def test_filters_by_state_sex_status_and_age_band(db):
    jalisco = public_case("Ana", "Ruiz", event_state=state("14"), sex="M",
                          birth=date(1990, 6, 1), event=date(2024, 5, 1))
    public_case("Ana", "Ruiz", event_state=state("09"), sex="M", birth=date(1970, 1, 1))
    found = public_case("Ana", "Ruiz", event_state=state("14"), sex="H",
                        birth=date(1990, 6, 1), event=date(2024, 5, 1))
    found.status = CaseStatus.FOUND_ALIVE
    found.save(update_fields=["status"])

    assert set(found_keys(state="14")) == {jalisco.public_key, found.public_key}
    assert found_keys(state="14", sex="M") == [jalisco.public_key]
    assert found_keys(status=CaseStatus.FOUND_ALIVE) == [found.public_key]
    assert set(found_keys(age_band="30-34")) == {jalisco.public_key, found.public_key}
    assert found_keys(age_band="35-39") == []


def test_date_filter_works_by_whole_months(db):
    may = public_case("Luis", "Mora", event=date(2024, 5, 31))
    public_case("Luis", "Mora", event=date(2024, 6, 1))
    assert found_keys(month_from=date(2024, 5, 1), month_to=date(2024, 5, 1)) == [
        may.public_key]


def test_municipality_filter_never_reveals_a_minors_municipality(db):
    from registry.models import Municipality

    municipality = Municipality.objects.filter(state_id="09").first()
    adult = public_case("Raúl", "Soto", event_municipality=municipality)
    public_case("Rafa", "Soto", event_municipality=municipality, birth=date(2015, 1, 1))
    assert found_keys(municipality=municipality.pk) == [adult.public_key]


def test_search_page_renders_results_without_javascript(client, guadalupe):
    response = client.get(SEARCH, {"q": "guadalupe hernandez"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "María Guadalupe Hernández López" in body
    assert reverse("public_site:entry", args=[guadalupe.public_key]) in body
    assert "<script" not in body
    assert len(response.content) < 200_000


def test_search_page_rejects_unknown_filter_values(client, db):
    response = client.get(SEARCH, {"sexo": "Z", "edad": "7-9", "orden": "curp"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_filters_on_other_fields_are_ignored(client, world):
    """A query parameter naming a restricted field does not filter (no oracle)."""
    everything = client.get(SEARCH, {"estado": "09"}).content.decode()
    probing = client.get(SEARCH, {"estado": "09", "curp": "nothing-like-it",
                                  "address": "x"}).content.decode()
    assert world.case.public_key in everything
    assert world.case.public_key in probing


def _without_echo(body: bytes, typed: str) -> str:
    """The page echoes what the visitor typed (form value, language link): remove that."""
    text = body.decode()
    return text.replace(typed, "").replace(typed.replace(" ", "+"), "")


def test_search_page_leaks_no_restricted_value(client, world):
    for params in ({"q": "Canarygiven1"}, {"estado": "09"}, {"q": "CanaryAlias1"},
                   {"q": "Canarygiven2 Canarypaternal2"}, {"q": "CNRY1HDFXXX0"}):
        response = client.get(SEARCH, params)
        assert response.status_code == 200
        assert_no_canaries(_without_echo(response.content, params.get("q", "")), world,
                           Audience.PUBLIC)
    assert world.case.public_key in client.get(SEARCH, {"q": "Canarygiven1"}).content.decode()


def test_searching_a_hidden_value_finds_nothing(client, world):
    for typed in ("CanaryAlias1", "CanaryReporter1", "CanaryPlace1"):
        body = client.get(SEARCH, {"q": typed}).content.decode()
        assert "0 resultados" in body, typed
        assert world.case.public_key not in body


def test_results_are_paginated(client, db):
    for _ in range(23):
        public_case("Carmen", "Vega")
    first = client.get(SEARCH, {"q": "carmen vega"}).content.decode()
    second = client.get(SEARCH, {"q": "carmen vega", "pagina": "2"}).content.decode()
    assert first.count("sin-foto.svg") == 20 and second.count("sin-foto.svg") == 3
    assert "Página 1 de 2" in first and "Página 2 de 2" in second
    assert 'rel="next"' in first and 'rel="next"' not in second


def test_browsing_without_a_name_is_ordered_and_counted(db):
    older = public_case("Uno", "Apellido", event=date(2023, 1, 5))
    newer = public_case("Dos", "Apellido", event=date(2024, 1, 5))
    result = public_search(filters=PublicFilters(state="09"))
    assert result.total == 2
    assert [entry.key for entry in result.entries] == [newer.public_key, older.public_key]


def test_detainees_never_appear_in_the_search(client, db):
    from tests.factories import RecordFactory

    RecordFactory(kind="detention", given_names="Eustaquio", paternal_surname="Berrones")
    assert found_keys("Eustaquio Berrones") == []
    assert found_keys(state="09") == []


def test_search_page_query_count_does_not_grow_with_results(client, db,
                                                             django_assert_max_num_queries):
    for _ in range(20):
        public_case("Carmen", "Vega")
    # name search (PostgreSQL: exact, vocabulary, compounds, variants), the page's
    # cases and then their reports (with agency, state and municipality names), and
    # the list of states.
    with django_assert_max_num_queries(9):
        body = client.get(SEARCH, {"q": "carmen vega"}).content.decode()
    assert body.count("Carmen Vega") == 20
    # count, ids, the cases, their reports, the municipalities of the chosen state
    with django_assert_max_num_queries(6):
        client.get(SEARCH, {"estado": "09"})


def test_names_and_echoed_values_are_escaped_in_the_page(client, db):
    public_case('Ana<script>alert("x")</script>', "O'Brien & <b>Ruiz</b>",
                description='<img src=x onerror="alert(1)">')
    hostile_query = 'ana"><script>alert(2)</script>'
    body = client.get(SEARCH, {"q": "ana o'brien"}).content.decode()
    assert "1 resultado" in body
    assert "<script>alert" not in body and "<b>Ruiz</b>" not in body
    assert "Ana&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "O&#x27;Brien &amp; &lt;b&gt;Ruiz&lt;/b&gt;" in body
    body = client.get(SEARCH, {"q": "ana", "desde": '2024-01"><i>'}).content.decode()
    assert 'value="2024-01&quot;&gt;&lt;i&gt;"' in body  # the bad month is echoed, escaped
    assert "<i>" not in body
    body = client.get(SEARCH, {"q": hostile_query}).content.decode()
    assert "<script>alert(2)" not in body
    assert 'value="ana&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in body
