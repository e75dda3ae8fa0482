"""The reviewer's view of a pair: both records field by field, agreeing and differing
values marked (in words as well as colour), the score's reasons for and against in
plain Spanish, the engine's levels kept under a technical detail."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from tests.factories import MatchCandidateFactory, RecordFactory, state


@pytest.fixture
def pair(case_a):
    report = case_a.missing_report
    report.given_names, report.paternal_surname = "María Guadalupe", "Hernández"
    report.maternal_surname, report.sex = "López", "M"
    report.birth_date, report.event_state = date(1991, 4, 7), state("09")
    report.save()
    detention = RecordFactory(kind="detention", given_names="Maria Guadalupe",
                              paternal_surname="Hernandes", maternal_surname="Ortiz",
                              sex="M", birth_date=date(1991, 7, 4), event_state=state("14"),
                              facility="Juzgado Cívico 3")
    return MatchCandidateFactory(
        record_left=report, record_right=detention, probability=0.81, match_weight=6.3,
        explanation={
            "given_names": {"level": "exact given", "weight": 6.2},
            "paternal_surname": {"level": "jaro-winkler paternal >= 0.92", "weight": 4.1},
            "maternal_surname": {"level": "else", "weight": -5.5},
            "birth_date": {"level": "day and month swapped", "weight": 3.3},
            "location": {"level": "else", "weight": -1.2},
        })


def _row(page: str, label: str) -> str:
    match = re.search(r'<tr class="(\w+)"><th scope="row">' + re.escape(label)
                      + r"</th>(.*?)</tr>", page, re.S)
    assert match, f"no comparison row for {label}"
    return match.group(1) + " " + match.group(2)


def test_both_records_field_by_field_with_agreement_marked(client, reviewer, pair):
    client.force_login(reviewer)
    page = client.get(reverse("candidate_detail", args=[pair.pk])).content.decode()
    given = _row(page, "Nombre(s)")
    assert given.startswith("partial") and "María Guadalupe" in given
    assert "Maria Guadalupe" in given and "solo acentos o signos" in given
    paternal = _row(page, "Primer apellido")
    assert paternal.startswith("partial") and "escritura parecida" in paternal
    assert _row(page, "Segundo apellido").startswith("differ")
    assert "Distinto" in _row(page, "Segundo apellido")
    assert _row(page, "Sexo").startswith("agree") and "Mujer" in _row(page, "Sexo")
    birth = _row(page, "Fecha de nacimiento")
    assert birth.startswith("partial") and "07/04/1991" in birth and "04/07/1991" in birth
    assert "día y mes invertidos" in birth
    facility = _row(page, "Lugar de reclusión o estancia")
    assert facility.startswith("missing") and "Juzgado Cívico 3" in facility
    assert "Falta en uno" in facility


def test_the_score_is_explained_for_and_against(client, reviewer, pair):
    client.force_login(reviewer)
    page = client.get(reverse("candidate_detail", args=[pair.pk])).content.decode()
    assert "probabilidad de que sean la misma persona: 81 %" in page
    in_favour = page.index("Indica que es la misma persona")
    against = page.index("Indica que son personas distintas")
    assert in_favour < page.index("mismo nombre") < against
    assert against < page.index("segundo apellido distinto")
    # The engine's own levels stay available, folded under a technical detail.
    assert page.index("Detalle técnico") < page.index("jaro-winkler paternal &gt;= 0.92")


def test_codes_are_not_shown_raw(client, reviewer, pair):
    client.force_login(reviewer)
    page = client.get(reverse("candidate_detail", args=[pair.pk])).content.decode()
    assert "Detención" in page and "Reporte de desaparición" in page
    assert ">detention<" not in page and ">M<" not in page and "1991-04-07" not in page


def test_the_pair_view_in_english(client, reviewer, pair):
    client.force_login(reviewer)
    page = client.get(reverse("candidate_detail", args=[pair.pk]),
                      headers={"accept-language": "en"}).content.decode()
    assert "Points to the same person" in page and "Field by field" in page
    assert "day and month swapped" in page
