"""The matching-quality dashboard: its figures, who may see it, and the precision alert."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from matching import quality
from matching.models import LinkageModelVersion, MergeDecision
from matching.services import (
    match_candidate_confirm,
    match_candidate_reject,
    merge_decision_undo,
    person_split,
)
from matching.tasks import precision_alert_check_task
from registry import roles
from registry.models import Alert, MatchCandidate, RecordKind
from tests import factories

NOW = datetime(2026, 6, 20, 12, 0, tzinfo=timezone.get_default_timezone())


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        cache.delete(quality.PRECISION_ALERT_CACHE_KEY)
        yield


@pytest.fixture
def threshold(db):
    return LinkageModelVersion.objects.create(
        model_json={}, source=LinkageModelVersion.Source.RELINK, upper_threshold=0.95,
        lower_threshold=0.5)


def _pair(agency, probability: float, *, days_ago: float = 0):
    created = NOW - timedelta(days=days_ago)
    left = factories.RecordFactory(agency=agency, person=factories.PersonFactory())
    right = factories.RecordFactory(agency=agency, kind=RecordKind.DETENTION,
                                    person=factories.PersonFactory())
    return factories.MatchCandidateFactory(record_left=left, record_right=right,
                                           probability=probability, created_at=created)


def _automatic_link(agency, probability: float = 0.99) -> MergeDecision:
    return match_candidate_confirm(candidate=_pair(agency, probability), actor=None,
                                   reason="vínculo automático")


def test_backlog_counts_pending_and_unsure_pairs_by_age(agency_a):
    for days in (0.5, 3, 10, 45):
        _pair(agency_a, 0.7, days_ago=days)
    decided = _pair(agency_a, 0.7, days_ago=60)
    MatchCandidate.objects.filter(pk=decided.pk).update(decision="rejected")
    backlog = quality.review_backlog(since=quality.window_start(12), now=NOW)
    assert backlog.total == 4
    assert [count for _label, count in backlog.by_age] == [1, 1, 1, 1]
    assert backlog.oldest_days == 45.0


def test_undone_and_split_automatic_links_count_as_broken(agency_a, administrator):
    kept = _automatic_link(agency_a)
    undone = _automatic_link(agency_a)
    split = _automatic_link(agency_a)
    merge_decision_undo(decision=undone, actor=administrator, reason="no es la misma persona")
    person_split(person=split.person, record_ids=[split.match_candidate.record_right_id],
                 actor=administrator, reason="registros de dos personas")
    links = quality.automatic_links(since=quality.window_start(12))
    assert links.total == 3
    assert links.broken == 2
    assert links.by_month["2026-06"] == (3, 2)
    assert kept.undone_at is None


def test_precision_by_band_comes_from_reviewers_decisions(agency_a, reviewer):
    for probability, confirm in ((0.72, True), (0.75, True), (0.78, False), (0.93, True)):
        candidate = _pair(agency_a, probability)
        service = match_candidate_confirm if confirm else match_candidate_reject
        service(candidate=candidate, actor=reviewer, reason="revisado")
    bands = {band.label: band for band in quality.precision_by_band(
        since=quality.window_start(12))}
    assert (bands["0.70-0.80"].confirmed, bands["0.70-0.80"].rejected) == (2, 1)
    assert bands["0.70-0.80"].precision == pytest.approx(2 / 3)
    assert bands["0.90-0.95"].precision == 1.0
    assert bands["0.50-0.60"].precision is None


def test_time_from_import_to_alert_per_month(agency_a, case_a):
    for hours in (1, 2, 30):
        record = factories.RecordFactory(agency=agency_a, kind=RecordKind.DETENTION,
                                         created_at=NOW - timedelta(hours=hours))
        Alert.objects.create(case=case_a, record=record)
    delay = quality.import_to_alert(since=quality.window_start(12))
    assert delay.by_month["2026-06"] == (3, 2.0, 30.0)


def test_agency_data_quality_shares(agency_a, agency_b):
    factories.RecordFactory(agency=agency_a, curp="GOMJ900403HJCRRS09",
                            event_municipality_id="09015")
    factories.RecordFactory(agency=agency_a, birth_date=None, curp="NO-ES-CURP")
    factories.RecordFactory(agency=agency_b)
    rows = {row.agency_id: row for row in quality.agency_data_quality(
        since=quality.window_start(12))}
    a = rows[agency_a.pk]
    assert (a.records, a.with_birth_date, a.with_valid_curp, a.with_municipality) == (2, 1, 1, 1)
    assert a.by_month["2026-06"] == (2, 1, 1, 1)
    assert rows[agency_b.pk].records == 1


def test_the_figures_take_a_fixed_number_of_queries(agency_a, reviewer, threshold,
                                                     django_assert_num_queries):
    def grow() -> None:
        _automatic_link(agency_a)
        match_candidate_reject(candidate=_pair(agency_a, 0.8), actor=reviewer, reason="no")
        _pair(agency_a, 0.6, days_ago=4)

    grow()
    with django_assert_num_queries(11):
        quality.dashboard_figures(agency=None, months=12)
    for _ in range(3):
        grow()
    with django_assert_num_queries(11):
        quality.dashboard_figures(agency=agency_a, months=6)


def test_reviewers_and_administrators_see_the_dashboard(client, reviewer, administrator,
                                                          agency_a):
    _automatic_link(agency_a)
    for user in (reviewer, administrator):
        client.force_login(user)
        response = client.get(reverse("quality_dashboard"))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Calidad de la vinculación" in page
        assert "<svg" in page and "style=" not in page
        assert "2026-06" in page
        assert reverse("quality_dashboard") in client.get(reverse("staff_home")).content.decode()


def test_the_agency_filter_and_a_bad_window_do_not_break_the_page(client, reviewer, agency_a):
    client.force_login(reviewer)
    response = client.get(reverse("quality_dashboard"), {"agency": agency_a.pk, "months": 3})
    assert response.status_code == 200
    assert agency_a.name in response.content.decode()
    assert client.get(reverse("quality_dashboard"), {"months": "mucho",
                                                     "agency": "x"}).status_code == 200


def test_operators_outsiders_and_anonymous_visitors_do_not_see_it(client, owner, outsider):
    for user in (owner, outsider):
        client.force_login(user)
        assert client.get(reverse("quality_dashboard")).status_code == 404
    client.logout()
    assert client.get(reverse("quality_dashboard")).status_code == 302


def test_administrators_are_told_once_when_automatic_links_fall_below_the_floor(
        agency_a, administrator, threshold, settings, client):
    """Journey: links get undone one after another; the administrators hear about it."""
    settings.MATCHING_PRECISION_FLOOR = 0.9
    settings.MATCHING_PRECISION_MIN_SAMPLE = 10
    administrator.email = "admin@registro.example"
    administrator.save()
    factories.UserFactory(username="otro_admin", email="", role=roles.ADMINISTRATOR)
    links = [_automatic_link(agency_a) for _ in range(10)]
    assert precision_alert_check_task.delay().get() == 1.0
    assert mail.outbox == []
    for decision in links[:2]:
        merge_decision_undo(decision=decision, actor=administrator, reason="no era")
    assert precision_alert_check_task.delay().get() == pytest.approx(0.8)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["admin@registro.example"]
    assert "80.0%" in mail.outbox[0].subject
    precision_alert_check_task.delay().get()
    assert len(mail.outbox) == 1  # at most once a day
    client.force_login(administrator)
    page = client.get(reverse("quality_dashboard")).content.decode()
    assert 'role="alert"' in page


def test_too_small_a_sample_raises_no_alert(agency_a, administrator, threshold, settings):
    settings.MATCHING_PRECISION_MIN_SAMPLE = 30
    administrator.email = "admin@registro.example"
    administrator.save()
    decision = _automatic_link(agency_a)
    merge_decision_undo(decision=decision, actor=administrator, reason="no era")
    estimate = quality.precision_alert_check()
    assert estimate.precision == 0.0
    assert not estimate.below_floor
    assert mail.outbox == []


def test_the_beat_schedule_checks_precision_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["matching-precision"]
    assert entry["task"] == precision_alert_check_task.name
