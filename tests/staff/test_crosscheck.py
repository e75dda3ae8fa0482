"""Cross-check: candidates from every agency's detention logs, best first, and a name search."""

import pytest
from django.urls import reverse

from registry.access import crosscheck_records_visible_to
from tests.factories import AgencyFactory, MatchCandidateFactory, RecordFactory


@pytest.fixture
def prison(db):
    return AgencyFactory(code="cefereso-1", name="CEFERESO 1 Altiplano", kind="prison")


def test_candidates_from_other_agencies_are_listed_by_probability(client, reviewer, case_a,
                                                                  prison):
    weak = MatchCandidateFactory(record_left=case_a.missing_report, probability=0.41,
                                 record_right=RecordFactory(agency=prison, kind="detention"))
    strong = MatchCandidateFactory(record_left=case_a.missing_report, probability=0.93,
                                   record_right=RecordFactory(agency=prison, kind="located"))
    rejected = MatchCandidateFactory(record_left=case_a.missing_report, probability=0.99,
                                     decision="rejected")
    other_report = MatchCandidateFactory(  # a missing report of another case is no candidate
        record_left=case_a.missing_report, probability=0.95,
        record_right=RecordFactory(agency=prison, kind="missing_report"))
    client.force_login(reviewer)
    response = client.get(reverse("case_crosscheck", args=[case_a.pk]))
    shown = [item.candidate.pk for item, _ in response.context["items"]]
    assert shown == [strong.pk, weak.pk]
    assert rejected.pk not in shown and other_report.pk not in shown


def test_name_search_forgives_accents_and_spans_every_agency(client, reviewer, case_a, prison):
    held = RecordFactory(agency=prison, kind="detention", given_names="José Ángel",
                         paternal_surname="Núñez", maternal_surname="Gómez")
    RecordFactory(agency=prison, kind="missing_report", given_names="José Ángel",
                  paternal_surname="Núñez", maternal_surname="Gómez")
    client.force_login(reviewer)
    response = client.get(reverse("case_crosscheck", args=[case_a.pk]), {"q": "jose angel nunez"})
    assert [record.pk for record, _ in response.context["found"]] == [held.pk]


def test_the_outsider_and_operators_have_no_crosscheck(client, outsider, owner, case_a):
    for user in (outsider, owner):
        client.force_login(user)
        assert client.get(reverse("case_crosscheck", args=[case_a.pk])).status_code == 404
        assert not crosscheck_records_visible_to(user).exists()


def test_a_reviewer_may_open_any_agencys_detention_record_but_not_its_reports(client, reviewer,
                                                                              prison):
    detention = RecordFactory(agency=prison, kind="detention")
    report = RecordFactory(agency=prison, kind="missing_report")
    client.force_login(reviewer)
    assert client.get(reverse("record_detail", args=[detention.pk])).status_code == 200
    assert client.get(reverse("record_detail", args=[report.pk])).status_code == 404


@pytest.mark.parametrize("query", ["Nuñez Gomez", "nunez gomez", "NÚÑEZ", "gómez jose"])
def test_name_search_finds_every_kind_whatever_the_spelling(client, reviewer, case_a, prison,
                                                            query):
    kinds = ["detention", "release_transfer", "located", "unidentified_remains"]
    expected = {RecordFactory(agency=prison, kind=kind, given_names="José",
                              paternal_surname="Núñez", maternal_surname="Gómez").pk
                for kind in kinds}
    RecordFactory(agency=prison, kind="detention", given_names="José",
                  paternal_surname="Núñez", maternal_surname="Pérez")
    client.force_login(reviewer)
    response = client.get(reverse("case_crosscheck", args=[case_a.pk]), {"q": query})
    found = {record.pk for record, _ in response.context["found"]}
    if query == "NÚÑEZ":
        assert expected < found
    else:
        assert found == expected
