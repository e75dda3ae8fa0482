"""The published-entry table: what it holds is the policy's, and it is never served stale.

The public search reads ``registry.PublishedEntry`` (each public entry stored already
redacted). These tests hold its guarantees: restricted values never reach it, a
family's veto, a new public key, a status change or a corrected name apply at once,
minors' names are not searchable, the bulk entry point and the rebuild command keep
it equal to what the policy says, and a row a writer forgot to sync is left out.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import call_command
from django.test import TestCase

from public_site.entries import PublicFilters
from public_site.search import name_words as public_name_words
from public_site.selectors import public_search
from registry.models import Case, CasePublication, CaseStatus, PublishedEntry, Record
from registry.published import (
    entry_row,
    name_words,
    published_entries_rebuild,
    published_entries_sync,
)
from registry.redaction import Audience
from registry.services import case_publication_decide, case_status_change, record_correct
from tests.canaries import assert_no_canaries, seed_canary_world
from tests.factories import CaseFactory, UserFactory, state


def _decide(case: Case, publication: str) -> Case:
    actor = UserFactory(username=f"fiscal-{case.pk}-{publication}")
    with TestCase.captureOnCommitCallbacks(execute=True):
        case_publication_decide(case=case, publication=publication, actor=actor,
                                decided_by="Madre de la persona",
                                reason="Decisión de la familia")
    return Case.objects.get(pk=case.pk)


def _row_text(case: Case) -> str:
    row = PublishedEntry.objects.get(case=case)
    return " ".join(str(getattr(row, field.attname))
                    for field in PublishedEntry._meta.concrete_fields)


def _keys(text: str) -> list[str]:
    return [entry.key for entry in public_search(text=text).entries]


@pytest.mark.parametrize("publication", [CasePublication.PUBLISH,
                                         CasePublication.WITHOUT_NAME])
def test_the_table_holds_no_restricted_value(db, publication):
    world = seed_canary_world(publication=publication)
    assert_no_canaries(_row_text(world.case), world, Audience.PUBLIC)
    assert not PublishedEntry.objects.filter(case__missing_report=world.detention).exists()


def test_a_name_is_searchable_only_when_the_public_sees_it_whole(db):
    adult = CaseFactory(publication_consent=True, missing_report__given_names="Adriana",
                        missing_report__paternal_surname="Peña",
                        missing_report__maternal_surname="de la Cruz",
                        missing_report__birth_date=date(1990, 1, 5))
    minor = CaseFactory(publication_consent=True, missing_report__given_names="Ximena",
                        missing_report__paternal_surname="Peña",
                        missing_report__birth_date=date.today().replace(year=date.today().year
                                                                        - 10))
    unnamed = CaseFactory(publication_consent=False, missing_report__given_names="Zoé",
                          missing_report__paternal_surname="Peña",
                          missing_report__birth_date=date(1990, 1, 5))
    rows = {row.case_id: row for row in PublishedEntry.objects.all()}
    assert rows[adult.pk].search_words == "adriana peña cruz"
    assert rows[minor.pk].search_words == ""
    assert "Ximena" not in rows[minor.pk].shown  # initials only
    assert rows[unnamed.pk].search_words == ""
    assert "Zoé" not in rows[unnamed.pk].shown
    assert rows[minor.pk].municipality_id == ""  # minors are shown by state only
    # The stored words are the ones the search compares.
    assert rows[adult.pk].search_words.split() == public_name_words(
        "Adriana", "Peña", "de la Cruz")[:3]
    assert name_words("María José", "Núñez", "") == "maria jose nuñez"


def test_a_veto_and_a_new_key_apply_at_once(db):
    case = CaseFactory(publication_consent=True, missing_report__given_names="Rosalía",
                       missing_report__paternal_surname="Quintanar",
                       missing_report__birth_date=date(1980, 3, 1))
    first_key = case.public_key
    assert _keys("Rosalia Quintanar") == [first_key]

    case = _decide(case, CasePublication.WITHOUT_NAME)  # withdrawal: a new key, no name
    assert case.public_key != first_key
    assert _keys("Rosalia Quintanar") == []
    row = PublishedEntry.objects.get(case=case)
    assert row.public_key == case.public_key and row.search_words == ""

    _decide(case, CasePublication.WITHHOLD)
    assert not PublishedEntry.objects.filter(case=case).exists()
    assert [e.key for e in public_search(filters=None).entries] == []


def test_a_status_change_and_a_corrected_name_apply_at_once(db):
    case = CaseFactory(publication_consent=True, missing_report__given_names="Efraín",
                       missing_report__paternal_surname="Ibarra",
                       missing_report__birth_date=date(1975, 6, 1))
    actor = UserFactory(username="fiscal-estado")
    case_status_change(case=case, to_status=CaseStatus.NOT_LOCATED, actor=actor,
                       reason="Sin localizar tras la búsqueda")
    [entry] = public_search(text="Efrain Ibarra").entries
    assert entry.case["status"] == CaseStatus.NOT_LOCATED
    record_correct(record=case.missing_report, changes={"paternal_surname": "Quiroga"},
                   actor=actor, reason="Error de captura")
    assert _keys("Efrain Ibarra") == []
    assert _keys("Efrain Quiroga") == [case.public_key]


def test_a_row_a_writer_forgot_to_sync_is_left_out_never_shown_stale(db):
    vetoed = CaseFactory(publication_consent=True, missing_report__given_names="Olvido",
                         missing_report__paternal_surname="Sincronía",
                         missing_report__birth_date=date(1980, 3, 1))
    moved = CaseFactory(publication_consent=True, missing_report__given_names="Olvido",
                        missing_report__paternal_surname="Sincronía",
                        missing_report__birth_date=date(1981, 3, 1))
    assert len(_keys("Olvido Sincronia")) == 2
    # Bulk writes that bypass the services and do not sync (what the check is for).
    Case.objects.filter(pk=vetoed.pk).update(publication=CasePublication.WITHHOLD)
    Case.objects.filter(pk=moved.pk).update(status=CaseStatus.FOUND_ALIVE)
    assert _keys("Olvido Sincronia") == []
    # The bulk entry point brings them back in line.
    published_entries_sync([vetoed.pk, moved.pk])
    assert not PublishedEntry.objects.filter(case=vetoed).exists()
    [entry] = public_search(text="Olvido Sincronia").entries
    assert entry.case["status"] == CaseStatus.FOUND_ALIVE


def test_filters_and_orderings_read_the_keys_as_the_public_sees_them(db):
    older = CaseFactory(missing_report__event_state=state("20"),
                        missing_report__event_date=date(2023, 5, 20),
                        missing_report__birth_date=date(1970, 1, 1), missing_report__sex="M")
    newer = CaseFactory(missing_report__event_state=state("20"),
                        missing_report__event_date=date(2024, 8, 2),
                        missing_report__birth_date=date(1999, 1, 1), missing_report__sex="H")
    CaseFactory(missing_report__event_state=state("09"), missing_report__sex="M",
                missing_report__birth_date=date(1960, 1, 1))
    by_state = public_search(filters=_filters(state="20"))
    assert [e.key for e in by_state.entries] == [newer.public_key, older.public_key]
    assert by_state.total == 2
    oldest_first = public_search(filters=_filters(state="20"), ordering="antiguos")
    assert [e.key for e in oldest_first.entries] == [older.public_key, newer.public_key]
    may = public_search(filters=_filters(month_from=date(2023, 5, 1),
                                         month_to=date(2023, 5, 1)))
    assert [e.key for e in may.entries] == [older.public_key]
    assert [e.key for e in public_search(filters=_filters(age_band="50-54")).entries] == [
        older.public_key]
    assert [e.key for e in public_search(filters=_filters(sex="H")).entries] == [
        newer.public_key]


def _filters(**values) -> PublicFilters:
    return PublicFilters(**values)


def test_rebuild_equals_the_policy_and_the_due_rows_turn_adult(db):
    today = date.today()
    almost = today.replace(year=today.year - 18, day=1)
    almost = almost.replace(month=almost.month % 12 + 1) if almost.month < 12 \
        else almost.replace(year=almost.year + 1, month=1)
    teen = CaseFactory(publication_consent=True, missing_report__given_names="Itzel",
                       missing_report__paternal_surname="Cázares",
                       missing_report__age=None, missing_report__event_date=None,
                       missing_report__birth_date=almost)
    adult = CaseFactory(publication_consent=True, missing_report__birth_date=date(1988, 9, 9))
    row = PublishedEntry.objects.get(case=teen)
    assert row.search_words == "" and row.review_on == almost.replace(year=almost.year + 18)
    before = {r.case_id: r.shown for r in PublishedEntry.objects.all()}
    PublishedEntry.objects.all().delete()
    call_command("published_entries_rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert {r.case_id: r.shown for r in PublishedEntry.objects.all()} == before
    # On the 18th birthday the nightly pass shows the name (here: the day is moved).
    Record.objects.filter(pk=teen.missing_report_id).update(
        birth_date=almost.replace(year=almost.year - 1))
    PublishedEntry.objects.filter(case=teen).update(review_on=today)
    assert published_entries_rebuild(due_only=True) == 1
    assert PublishedEntry.objects.get(case=teen).search_words.startswith("itzel cazares")
    assert entry_row(Case.objects.select_related("missing_report__event_state")
                     .get(pk=adult.pk)).review_on is None


def test_the_stored_view_reads_back_as_the_policy_gave_it(db):
    case = CaseFactory(publication_consent=True, missing_report__birth_date=date(1960, 2, 2),
                       missing_report__event_date=date(2022, 11, 30))
    [entry] = public_search(filters=None).entries
    assert entry.record["event_date"] == date(2022, 11, 30)
    assert entry.case["updated_at"] == Case.objects.get(pk=case.pk).updated_at
    stored = json.loads(PublishedEntry.objects.get(case=case).shown)
    assert set(stored) == {"record", "case"}
