"""A case follows its missing report's person through every link, merge, split and undo,
in the same transaction and the same reversible decision; a migration backfills it."""

from importlib import import_module

from django.apps import apps as django_apps
from django.core.cache import cache
from django.urls import reverse

from matching.adapter import SYSTEM_LINK_REASON
from matching.models import MergeDecision
from matching.services import match_candidate_confirm, merge_decision_undo, person_split
from registry.models import Case
from registry.services import case_access_code_issue, record_restore_version
from tests.factories import (
    AgencyFactory,
    CaseFactory,
    MatchCandidateFactory,
    PersonFactory,
    RecordFactory,
)


def _case_person(case: Case) -> int | None:
    return Case.objects.values_list("person_id", flat=True).get(pk=case.pk)


def test_an_automatic_link_of_two_loose_records_puts_the_case_on_the_new_person(case_a):
    detention = RecordFactory(kind="detention")
    candidate = MatchCandidateFactory(record_left=case_a.missing_report, record_right=detention)

    decision = match_candidate_confirm(candidate=candidate, actor=None, reason=SYSTEM_LINK_REASON)

    assert _case_person(case_a) == decision.person_id
    assert decision.before["cases"] == {str(case_a.pk): None}
    assert decision.after["cases"] == {str(case_a.pk): decision.person_id}


def test_undoing_the_link_takes_the_case_off_the_person(case_a, reviewer):
    detention = RecordFactory(kind="detention")
    candidate = MatchCandidateFactory(record_left=case_a.missing_report, record_right=detention)
    decision = match_candidate_confirm(candidate=candidate, actor=None, reason=SYSTEM_LINK_REASON)

    merge_decision_undo(decision=decision, actor=reviewer, reason="no era la misma persona")

    assert _case_person(case_a) is None


def test_a_report_joining_a_detainees_person_brings_its_case(case_a, reviewer):
    detainee = PersonFactory()
    detention = RecordFactory(kind="detention", person=detainee)
    candidate = MatchCandidateFactory(record_left=case_a.missing_report, record_right=detention)

    match_candidate_confirm(candidate=candidate, actor=reviewer, reason="misma CURP")

    assert _case_person(case_a) == detainee.pk


def test_a_merge_of_two_people_moves_the_absorbed_persons_case(reviewer):
    # Both people have a case: the older one survives, the other case follows its report.
    first, second = PersonFactory(), PersonFactory()
    first_case = CaseFactory(person=first, missing_report__person=first)
    second_case = CaseFactory(person=second, missing_report__person=second)
    candidate = MatchCandidateFactory(record_left=first_case.missing_report,
                                      record_right=second_case.missing_report)

    decision = match_candidate_confirm(candidate=candidate, actor=reviewer, reason="duplicado")

    assert _case_person(first_case) == _case_person(second_case) == decision.person_id
    merge_decision_undo(decision=decision, actor=reviewer, reason="dos personas")
    assert (_case_person(first_case), _case_person(second_case)) == (first.pk, second.pk)


def test_splitting_the_report_off_moves_the_case_and_undo_brings_it_back(case_a, reviewer):
    person = PersonFactory()
    case_a.missing_report.person = person
    case_a.missing_report.save()
    Case.objects.filter(pk=case_a.pk).update(person=person)
    RecordFactory(kind="detention", person=person)

    split = person_split(person=person, record_ids=[case_a.missing_report_id], actor=reviewer,
                         reason="no es la misma")

    assert _case_person(case_a) == split.other_person_id
    assert str(case_a.pk) in split.after["cases"]
    merge_decision_undo(decision=split, actor=reviewer, reason="sí era")
    assert _case_person(case_a) == person.pk


def test_splitting_a_detention_off_leaves_the_case(case_a, reviewer):
    person = PersonFactory()
    case_a.missing_report.person = person
    case_a.missing_report.save()
    Case.objects.filter(pk=case_a.pk).update(person=person)
    detention = RecordFactory(kind="detention", person=person)

    split = person_split(person=person, record_ids=[detention.pk], actor=reviewer,
                         reason="homónimo")

    assert _case_person(case_a) == person.pk
    assert split.after["cases"] == {}


def test_restoring_an_earlier_version_of_a_report_keeps_its_person(case_a, reviewer):
    report = case_a.missing_report
    first_version = report.history.latest().history_id
    detention = RecordFactory(kind="detention")
    candidate = MatchCandidateFactory(record_left=report, record_right=detention)
    decision = match_candidate_confirm(candidate=candidate, actor=reviewer, reason="misma CURP")

    record_restore_version(record=report, history_id=first_version, actor=reviewer,
                           reason="corrección")

    report.refresh_from_db()
    assert report.person_id == decision.person_id == _case_person(case_a)


def test_the_migration_puts_each_case_on_its_reports_person(case_a):
    person = PersonFactory()
    case_a.missing_report.person = person
    case_a.missing_report.save()
    stale = CaseFactory(person=PersonFactory())  # its report is on no person
    backfill = import_module("registry.migrations.0011_case_follows_report_person")

    backfill.case_person_from_report(django_apps, None)

    assert _case_person(case_a) == person.pk
    assert _case_person(stale) is None
    latest = case_a.history.latest()
    assert latest.history_type == "~" and latest.person_id == person.pk
    assert latest.history_change_reason == backfill.REASON


def test_the_family_sees_an_automatic_link_made_through_another_record(client, case_a,
                                                                         settings):
    # The detention matched the report's earlier record, not the report: only the person
    # (which the case now follows) tells the family page that something was linked.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    police = AgencyFactory(code="policia-sur", kind="police")
    earlier = RecordFactory(agency=case_a.agency, kind="missing_report")
    first = MatchCandidateFactory(record_left=case_a.missing_report, record_right=earlier)
    match_candidate_confirm(candidate=first, actor=None, reason=SYSTEM_LINK_REASON)
    detention = RecordFactory(agency=police, kind="detention")
    second = MatchCandidateFactory(record_left=earlier, record_right=detention)
    match_candidate_confirm(candidate=second, actor=None, reason=SYSTEM_LINK_REASON)
    code = case_access_code_issue(case=case_a, actor=None)
    cache.clear()

    response = client.post(reverse("public_site:family_lookup"),
                           {"folio": case_a.folio, "access_code": code})

    assert "Un registro de otra institución fue vinculado a este caso" in \
        response.content.decode()
    assert MergeDecision.objects.filter(decided_by__isnull=True).count() == 2
