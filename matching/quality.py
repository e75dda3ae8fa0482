"""How well matching does in production, read from what reviewers and undos say.

Definitions (shown on the dashboard as written here):

- **review backlog**: candidates still ``pending`` or ``unsure``; their age is the time
  since the candidate was created.
- **automatic link**: a merge the system made (``MergeDecision`` with no ``decided_by``).
  It is **undone or split** when it was undone, or when its two records no longer belong
  to the same person (a later split separated them).
- **observed precision by band**: among candidates a reviewer decided (confirmed or
  rejected; "not sure" left out), the share confirmed, per band of the model's
  probability.
- **observed precision of automatic links**: automatic links that still hold, plus
  reviewers' confirmations of pairs scored at or above the linking threshold, over all
  of those plus the reviewers' rejections at that level. The alert compares it with
  ``MATCHING_PRECISION_FLOOR`` once ``MATCHING_PRECISION_MIN_SAMPLE`` links and
  decisions are in the window.
- **time to alert**: from a detention-like record's creation (its import) to the alert
  it raised.
- **agency data quality**: the share of an agency's records with a birth date, with a
  well-formed CURP (RENAPO's structure; the check digit is judged at import), and with
  a municipality.

Each selector runs a fixed number of queries, whatever the amount of data (the tests pin
them), and returns plain values; nothing here names a person.
"""

from __future__ import annotations

import logging
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.db.models import Count, F, Max, Min, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.models import LinkageModelVersion, MergeDecision
from mxnames.curp import CURP_PATTERN
from registry.models import Agency, Alert, MatchCandidate, MatchDecision, Record
from registry.roles import ADMINISTRATOR

log = logging.getLogger("registro.calidad")

PROBABILITY_BANDS = ((0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9),
                     (0.9, 0.95), (0.95, 0.99), (0.99, 1.0001))
AGE_BUCKETS = ((timedelta(days=1), _("menos de 1 día")), (timedelta(days=7), _("1 a 7 días")),
               (timedelta(days=30), _("7 a 30 días")), (None, _("más de 30 días")))
DETENTION_LIKE = ("detention", "release_transfer", "located", "unidentified_remains")
PRECISION_ALERT_CACHE_KEY = "matching:precision-alert-sent"


def _month(value: datetime | date | None) -> str:
    return value.strftime("%Y-%m") if value else ""


def window_start(months: int, *, now: datetime | None = None) -> datetime:
    """Return the first instant of the month ``months - 1`` months before now's month."""
    now = timezone.localtime(now or timezone.now())
    year, month = now.year, now.month - (months - 1)
    while month <= 0:
        year, month = year - 1, month + 12
    return now.replace(year=year, month=month, day=1, hour=0, minute=0, second=0,
                       microsecond=0)


def months_between(start: datetime, *, now: datetime | None = None) -> list[str]:
    now = timezone.localtime(now or timezone.now())
    months, cursor = [], (start.year, start.month)
    while cursor <= (now.year, now.month):
        months.append(f"{cursor[0]:04d}-{cursor[1]:02d}")
        cursor = (cursor[0] + (cursor[1] == 12), cursor[1] % 12 + 1)
    return months


def _agency_q(agency: Agency | None, prefix: str = "") -> Q:
    if agency is None:
        return Q()
    return Q(**{f"{prefix}agency": agency})


# --- Review backlog -------------------------------------------------------------------------

@dataclass
class Backlog:
    total: int
    oldest_days: float | None
    by_age: list[tuple[str, int]]
    created_by_month: dict[str, int]


def review_backlog(*, agency: Agency | None = None, since: datetime,
                   now: datetime | None = None) -> Backlog:
    """Return the pending and unsure candidates: how many, how old (2 queries)."""
    now = now or timezone.now()
    waiting = MatchCandidate.objects.filter(
        decision__in=[MatchDecision.PENDING, MatchDecision.UNSURE])
    if agency is not None:
        waiting = waiting.filter(_agency_q(agency, "record_left__")
                                 | _agency_q(agency, "record_right__"))
    bounds, previous = [], None
    for limit, label in AGE_BUCKETS:
        lower = None if previous is None else now - previous
        upper = None if limit is None else now - limit
        q = Q()
        if lower is not None:
            q &= Q(created_at__lte=lower)
        if upper is not None:
            q &= Q(created_at__gt=upper)
        bounds.append((label, q))
        previous = limit
    counts = waiting.aggregate(
        total=Count("id"), oldest=Min("created_at"),
        **{f"b{i}": Count("id", filter=q) for i, (_label, q) in enumerate(bounds)})
    by_month = {_month(row["month"]): row["n"] for row in
                waiting.filter(created_at__gte=since).annotate(month=TruncMonth("created_at"))
                .values("month").annotate(n=Count("id")).order_by("month")}
    oldest = counts["oldest"]
    return Backlog(
        total=counts["total"],
        oldest_days=round((now - oldest).total_seconds() / 86400, 1) if oldest else None,
        by_age=[(label, counts[f"b{i}"]) for i, (label, _q) in enumerate(bounds)],
        created_by_month=by_month)


# --- Automatic links, undos and splits ------------------------------------------------------

@dataclass
class AutomaticLinks:
    by_month: dict[str, tuple[int, int]]  # month → (links, undone or split)

    @property
    def total(self) -> int:
        return sum(links for links, _broken in self.by_month.values())

    @property
    def broken(self) -> int:
        return sum(broken for _links, broken in self.by_month.values())

    @property
    def broken_rate(self) -> float | None:
        return self.broken / self.total if self.total else None


def _automatic_links(agency: Agency | None, since: datetime):
    links = MergeDecision.objects.filter(operation=MergeDecision.Operation.MERGE,
                                         decided_by__isnull=True, decided_at__gte=since)
    if agency is not None:
        links = links.filter(_agency_q(agency, "match_candidate__record_left__")
                             | _agency_q(agency, "match_candidate__record_right__"))
    broken = (Q(undone_at__isnull=False)
              | ~Q(match_candidate__record_left__person=F(
                  "match_candidate__record_right__person"))
              | Q(match_candidate__record_left__person__isnull=True))
    return links, broken


def automatic_links(*, agency: Agency | None = None, since: datetime) -> AutomaticLinks:
    """Return automatic links per month and how many were later undone or split (1 query)."""
    links, broken = _automatic_links(agency, since)
    rows = (links.annotate(month=TruncMonth("decided_at")).values("month")
            .annotate(n=Count("id"), broken=Count("id", filter=broken)).order_by("month"))
    return AutomaticLinks({_month(row["month"]): (row["n"], row["broken"]) for row in rows})


# --- Observed precision ---------------------------------------------------------------------

@dataclass
class Band:
    low: float
    high: float
    confirmed: int
    rejected: int

    @property
    def label(self) -> str:
        return f"{self.low:.2f}-{min(self.high, 1.0):.2f}"

    @property
    def decided(self) -> int:
        return self.confirmed + self.rejected

    @property
    def precision(self) -> float | None:
        return self.confirmed / self.decided if self.decided else None


def _human_decisions(agency: Agency | None, since: datetime):
    decided = MatchCandidate.objects.filter(
        decided_by__isnull=False, decided_at__gte=since,
        decision__in=[MatchDecision.CONFIRMED, MatchDecision.REJECTED])
    if agency is not None:
        decided = decided.filter(_agency_q(agency, "record_left__")
                                 | _agency_q(agency, "record_right__"))
    return decided


def precision_by_band(*, agency: Agency | None = None, since: datetime) -> list[Band]:
    """Return reviewers' confirmed and rejected counts per probability band (1 query)."""
    aggregates = {}
    for index, (low, high) in enumerate(PROBABILITY_BANDS):
        in_band = Q(probability__gte=low, probability__lt=high)
        aggregates[f"c{index}"] = Count("id", filter=in_band & Q(decision="confirmed"))
        aggregates[f"r{index}"] = Count("id", filter=in_band & Q(decision="rejected"))
    counts = _human_decisions(agency, since).aggregate(**aggregates)
    return [Band(low, high, counts[f"c{i}"], counts[f"r{i}"])
            for i, (low, high) in enumerate(PROBABILITY_BANDS)]


@dataclass
class LinkPrecision:
    links: int
    broken: int
    confirmed_above: int
    rejected_above: int
    threshold: float | None
    floor: float
    min_sample: int

    @property
    def sample(self) -> int:
        return self.links + self.confirmed_above + self.rejected_above

    @property
    def precision(self) -> float | None:
        if not self.sample:
            return None
        return (self.links - self.broken + self.confirmed_above) / self.sample

    @property
    def below_floor(self) -> bool:
        return (self.sample >= self.min_sample and self.precision is not None
                and self.precision < self.floor)


def _linking_threshold() -> float | None:
    """Return the upper threshold of the latest linkage model (None before any)."""
    return (LinkageModelVersion.objects.order_by("-created_at")
            .values_list("upper_threshold", flat=True).first())


def automatic_link_precision(*, since: datetime, agency: Agency | None = None) -> LinkPrecision:
    """Estimate the precision of automatic links from undos, splits and reviewers (3 queries)."""
    links, broken = _automatic_links(agency, since)
    counted = links.aggregate(n=Count("id"), broken=Count("id", filter=broken))
    threshold = _linking_threshold()
    above = {"confirmed": 0, "rejected": 0}
    if threshold is not None:
        above.update({row["decision"]: row["n"] for row in
                      _human_decisions(agency, since).filter(probability__gte=threshold)
                      .values("decision").annotate(n=Count("id")).order_by()})
    return LinkPrecision(links=counted["n"], broken=counted["broken"],
                         confirmed_above=above["confirmed"], rejected_above=above["rejected"],
                         threshold=threshold, floor=settings.MATCHING_PRECISION_FLOOR,
                         min_sample=settings.MATCHING_PRECISION_MIN_SAMPLE)


# --- Time from import to alert --------------------------------------------------------------

@dataclass
class AlertDelay:
    by_month: dict[str, tuple[int, float, float]]  # month → (alerts, median h, p90 h)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def import_to_alert(*, agency: Agency | None = None, since: datetime) -> AlertDelay:
    """Return, per month, how long detention-like records took to raise their alert (1 query)."""
    alerts = Alert.objects.filter(created_at__gte=since, record__kind__in=DETENTION_LIKE)
    if agency is not None:
        alerts = alerts.filter(record__agency=agency)
    hours: dict[str, list[float]] = defaultdict(list)
    for created, imported in alerts.values_list("created_at", "record__created_at").iterator():
        delay = max(0.0, (created - imported).total_seconds() / 3600)
        hours[_month(timezone.localtime(created))].append(delay)
    return AlertDelay({month: (len(values), round(statistics.median(values), 2),
                               round(_percentile(values, 0.9), 2))
                       for month, values in sorted(hours.items())})


# --- Agency data quality --------------------------------------------------------------------

@dataclass
class AgencyQuality:
    agency_id: int
    agency_name: str
    records: int
    with_birth_date: int
    with_valid_curp: int
    with_municipality: int
    by_month: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)

    def share(self, count: int) -> float | None:
        return count / self.records if self.records else None


_QUALITY = {"n": Count("id"),
            "birth": Count("id", filter=Q(birth_date__isnull=False)),
            "curp": Count("id", filter=Q(curp__regex=CURP_PATTERN.pattern)),
            "municipality": Count("id", filter=Q(event_municipality__isnull=False))}


def agency_data_quality(*, agency: Agency | None = None, since: datetime) -> list[AgencyQuality]:
    """Return, per agency (and per month of creation), the share of complete fields (3 queries)."""
    records = Record.objects.all() if agency is None else Record.objects.filter(agency=agency)
    names = dict(Agency.objects.values_list("id", "name"))
    totals = {row["agency_id"]: row for row in
              records.values("agency_id").annotate(**_QUALITY).order_by()}
    monthly: dict[int, dict[str, tuple[int, int, int, int]]] = defaultdict(dict)
    for row in (records.filter(created_at__gte=since).annotate(month=TruncMonth("created_at"))
                .values("agency_id", "month").annotate(**_QUALITY).order_by("month")):
        monthly[row["agency_id"]][_month(row["month"])] = (
            row["n"], row["birth"], row["curp"], row["municipality"])
    return sorted((AgencyQuality(agency_id, names.get(agency_id, str(agency_id)), row["n"],
                                 row["birth"], row["curp"], row["municipality"],
                                 monthly[agency_id])
                   for agency_id, row in totals.items()), key=lambda q: q.agency_name)


def last_linkage_activity() -> datetime | None:
    return MergeDecision.objects.aggregate(last=Max("decided_at"))["last"]


# --- The alert to administrators -----------------------------------------------------------

def precision_alert_check(*, now: datetime | None = None) -> LinkPrecision:
    """Tell the administrators (e-mail, log) when automatic links fall below the floor.

    1. Estimate the precision over the last ``MATCHING_PRECISION_WINDOW_DAYS``.
    2. Below the floor with enough sample: e-mail every active administrator with an
       address, at most once a day (a mark in the shared cache), and log a warning.
    """
    now = now or timezone.now()
    since = now - timedelta(days=settings.MATCHING_PRECISION_WINDOW_DAYS)
    estimate = automatic_link_precision(since=since)
    if not estimate.below_floor:
        return estimate
    log.warning("observed precision of automatic links %.3f below the floor %.3f "
                "(%d links, %d undone or split, %d reviewer decisions above the threshold)",
                estimate.precision, estimate.floor, estimate.links, estimate.broken,
                estimate.confirmed_above + estimate.rejected_above)
    if not cache.add(PRECISION_ALERT_CACHE_KEY, now.isoformat(), timeout=24 * 3600):
        return estimate
    recipients = list(get_user_model().objects.filter(
        groups__name=ADMINISTRATOR, is_active=True).exclude(email="")
        .values_list("email", flat=True).distinct())
    if recipients:
        send_mail(_alert_subject(estimate), _alert_body(estimate, since),
                  settings.DEFAULT_FROM_EMAIL, recipients)
    return estimate


def _alert_subject(estimate: LinkPrecision) -> str:
    return (f"Registro: la precisión observada de los vínculos automáticos "
            f"({estimate.precision:.1%}) está bajo el mínimo ({estimate.floor:.0%})")


def _alert_body(estimate: LinkPrecision, since: datetime) -> str:
    return (f"Desde {since:%Y-%m-%d}: {estimate.links} vínculos automáticos, "
            f"{estimate.broken} deshechos o separados después; "
            f"{estimate.confirmed_above} confirmaciones y {estimate.rejected_above} rechazos "
            f"de pares con probabilidad igual o mayor al umbral de vinculación "
            f"({estimate.threshold}).\n\nRevise el tablero de calidad de la vinculación "
            f"en {settings.PUBLIC_SITE_URL}/trabajo/calidad/ y considere subir el umbral "
            "o reentrenar el modelo (manage.py relink).")


def dashboard_figures(*, agency: Agency | None, months: int,
                      now: datetime | None = None) -> dict[str, Any]:
    """Return every figure of the dashboard (a fixed number of queries)."""
    now = now or timezone.now()
    since = window_start(months, now=now)
    return {
        "since": since,
        "months": months_between(since, now=now),
        "backlog": review_backlog(agency=agency, since=since, now=now),
        "links": automatic_links(agency=agency, since=since),
        "bands": precision_by_band(agency=agency, since=since),
        "link_precision": automatic_link_precision(since=since, agency=agency),
        "alert_delay": import_to_alert(agency=agency, since=since),
        "quality": agency_data_quality(agency=agency, since=since),
    }
