"""Reads for the staff pages: every query of a page lives here, scoped by ``access.py``.

Values that reach a template pass through the redaction policy first
(``field_rows``): a template never reads a model field of a record or case itself.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import BooleanField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Replace
from django.utils.translation import gettext, gettext_lazy

from matching.models import MergeDecision
from matching.selectors import (
    candidate_phrases,
    explanation_words,
    person_decisions,
    probability_text,
)
from mxnames.text import search_key
from registry import access
from registry.display import field_value_text, value_text
from registry.models import (
    Agency,
    Alert,
    Case,
    CasePublicationDecision,
    CaseStatusChange,
    CaseStatusRequest,
    MatchCandidate,
    MatchDecision,
    Person,
    Record,
    RecordKind,
)
from registry.redaction import (
    CROSSCHECK_KINDS,
    RECORD_POLICY,
    SHOW,
    Audience,
    effective_transform,
    record_subject,
    redact_case,
    redact_record,
    rule_for,
)
from staff.comparison import ComparisonRow, Reasons, pair_comparison, score_reasons

RECORD_RELATED = ("agency", "event_state", "event_municipality", "case")
REVIEW_QUEUE_SIZE = 25  # one screen of decisions; keeps the page well under 300 ms
CROSSCHECK_SEARCH_LIMIT = 50

# The compact summary of a record shown side by side in the queue and the cross-check.
SUMMARY_FIELDS = ("kind", "agency", "given_names", "paternal_surname", "maternal_surname",
                  "aliases", "sex", "birth_date", "age_band", "age_min", "age_max", "curp",
                  "event_date", "event_state", "event_municipality", "authority", "facility")


@dataclass(frozen=True)
class FieldRow:
    name: str
    label: str
    value: Any  # as the policy let it through (codes, dates): for comparing
    text: str = ""  # as a person reads it (registry.display): for showing
    # The source row's cells (raw values), shown as a table of header and value.
    cells: tuple[tuple[str, str], ...] = ()


def _label(model: type, name: str) -> str:
    if name == "age_band":
        return gettext("Rango de edad")
    return str(model._meta.get_field(name).verbose_name)


def field_rows(model: type, shown: dict[str, Any],
               only: tuple[str, ...] | None = None) -> list[FieldRow]:
    """Return label/value rows of an already redacted dict, in ``only``'s order if given."""
    names = [name for name in (only or tuple(shown)) if name in shown]
    return [_field_row(model, name, shown[name]) for name in names]


def _field_row(model: type, name: str, value: Any) -> FieldRow:
    cells: tuple[tuple[str, str], ...] = ()
    if name == "raw_values" and isinstance(value, dict):
        # The row as the agency's file had it, column by column: a table, not a dict.
        cells = tuple((str(header), value_text(cell)) for header, cell in value.items())
    return FieldRow(name, _label(model, name), value, field_value_text(model, name, value),
                    cells)


def record_rows(record: Record, audience: Audience, *, summary: bool = False) -> list[FieldRow]:
    """Return a record's rows as ``audience`` may see them (summary or all fields)."""
    shown = redact_record(record, audience)
    return field_rows(Record, shown, SUMMARY_FIELDS if summary else None)


def case_rows(case: Case, audience: Audience) -> list[FieldRow]:
    return field_rows(Case, redact_case(case, audience))


@dataclass(frozen=True)
class ExplanationRow:
    field: str
    level: str
    weight: float | None
    left: Any
    right: Any
    label: str = ""  # the field in the reader's language
    phrase: str = ""  # the level in plain words ("fecha de nacimiento con día y mes invertidos")


def explanation_rows(candidate: MatchCandidate, audience: Audience) -> list[ExplanationRow]:
    """Return the per-field explanation, whatever fields the engine put in it.

    The compared values are shown only where the policy shows that field of *both*
    records to ``audience`` as stored; otherwise only the level and weight appear.
    """
    explanation = candidate.explanation if isinstance(candidate.explanation, dict) else {}
    subjects = (record_subject(candidate.record_left), record_subject(candidate.record_right))
    rows = []
    for field_name, detail in explanation.items():
        detail = detail if isinstance(detail, dict) else {"level": detail}
        visible = field_name in RECORD_POLICY and all(
            effective_transform(rule_for("registry.record", field_name, audience), subject)
            == SHOW for subject in subjects)
        weight = detail.get("weight")
        level = str(detail.get("level", ""))
        label, phrase = explanation_words(str(field_name), level)
        rows.append(ExplanationRow(
            field=str(field_name), level=level,
            weight=weight if isinstance(weight, int | float) else None,
            left=detail.get("left", "") if visible else "",
            right=detail.get("right", "") if visible else "",
            label=label,
            phrase=phrase,
        ))
    return rows



# --- Review queue ------------------------------------------------------------------------------

def _open_case_for_candidate() -> Exists:
    """True when either record reports an open case, or belongs to a person who has one."""
    return Exists(Case.objects.open().filter(
        Q(missing_report=OuterRef("record_left")) | Q(missing_report=OuterRef("record_right"))
        | Q(person__isnull=False, person=OuterRef("record_left__person"))
        | Q(person__isnull=False, person=OuterRef("record_right__person"))
    ))


def review_queue_for(*, user: Any, limit: int = REVIEW_QUEUE_SIZE) -> list[MatchCandidate]:
    """Return the user's undecided candidates: open cases first, then pending before
    "not sure", then by probability.

    Two plans, because the two kinds of reviewer have opposite shapes of data
    (bench/registry_pages): a prosecutor's pairs are a few hundred, found through the
    candidate foreign-key indexes and sorted in one query; an administrator's are every
    pending pair (hundreds of thousands), so the queue is read in four bands (open
    case or not, by pending or not sure), each in probability order from the queue index
    (decision, -probability) and stopped at ``limit`` (one sort of every pending pair
    by a computed "open case" flag took 20 s over 600,000 candidates).
    """
    base = (access.match_candidates_reviewable_by(user)
            .select_related(*(f"record_{side}__{rel}" for side in ("left", "right")
                              for rel in RECORD_RELATED), "decided_by"))
    open_case = _open_case_for_candidate()
    if not access.is_registry_admin(user):
        return list(base.filter(decision__in=[MatchDecision.PENDING, MatchDecision.UNSURE])
                    .annotate(has_open_case=open_case)
                    .order_by("-has_open_case", "decision", "-probability", "pk")[:limit])
    queue: list[MatchCandidate] = []
    for has_open_case in (True, False):
        for decision in (MatchDecision.PENDING, MatchDecision.UNSURE):
            if len(queue) >= limit:
                return queue
            band = base.filter(open_case if has_open_case else ~open_case, decision=decision)
            for candidate in band.order_by("-probability", "pk")[:limit - len(queue)]:
                candidate.has_open_case = has_open_case
                queue.append(candidate)
    return queue


@dataclass(frozen=True)
class QueueItem:
    """One line of the review queue: both records and the explanation, as short texts."""

    candidate: MatchCandidate
    left: str
    right: str
    explanation: str  # the phrases joined, or the engine's levels where it has none
    probability: str = ""  # "93 %"
    phrases: list[str] = field(default_factory=list)  # why, in words (no probability)


def _compact(rows: list[FieldRow]) -> str:
    return " · ".join(f"{row.label}: {row.text}" for row in rows
                      if row.value not in (None, ""))


def queue_item(candidate: MatchCandidate, audience: Audience) -> QueueItem:
    """Return the queue line for a pair (the decision page shows the full side by side).

    In words when the engine's levels have phrases; else field, level and weight.
    """
    phrases = candidate_phrases(candidate)[1:]  # the queue shows the probability apart
    explanation = " · ".join(phrases) if phrases else " · ".join(
        f"{row.field}: {row.level}" + (f" ({row.weight:+.1f})" if row.weight is not None else "")
        for row in explanation_rows(candidate, audience))
    return QueueItem(
        candidate=candidate,
        left=_compact(record_rows(candidate.record_left, audience, summary=True)),
        right=_compact(record_rows(candidate.record_right, audience, summary=True)),
        explanation=explanation,
        probability=probability_text(candidate.probability) if candidate.probability is not None
        else "",
        phrases=phrases,
    )


@dataclass(frozen=True)
class CandidateView:
    candidate: MatchCandidate
    left: list[FieldRow]
    right: list[FieldRow]
    explanation: list[ExplanationRow]
    phrases: list[str] = field(default_factory=list)  # in words, the probability first
    comparison: list[ComparisonRow] = field(default_factory=list)  # field by field
    reasons: Reasons | None = None  # the score's reasons, for and against

    @property
    def explanation_has_values(self) -> bool:
        return any(row.left or row.right for row in self.explanation)

    @property
    def left_sub(self) -> str:
        return _record_line(self.candidate.record_left)

    @property
    def right_sub(self) -> str:
        return _record_line(self.candidate.record_right)


def _record_line(record: Record) -> str:
    # The line under a record's column title: its kind and agency.
    return f"{record.get_kind_display()} · {record.agency}"


def candidate_view(candidate: MatchCandidate, audience: Audience) -> CandidateView:
    """Return a pair as the reviewer reads it: both records, field by field, and why."""
    left = record_rows(candidate.record_left, audience, summary=True)
    right = record_rows(candidate.record_right, audience, summary=True)
    explanation = explanation_rows(candidate, audience)
    return CandidateView(
        candidate=candidate, left=left, right=right, explanation=explanation,
        phrases=candidate_phrases(candidate),
        comparison=pair_comparison(left, right),
        reasons=score_reasons(explanation),
    )


# --- People ---------------------------------------------------------------------------------------

def person_records(person: Person, user: Any) -> QuerySet[Record]:
    """Return the person's records that the user may open in full.

    An operator sees only their agency's records of a person, even when matching
    linked records of other agencies to the same person.
    """
    visible = access.full_records_visible_to(user).values("pk")
    return (person.records.filter(pk__in=visible)
            .select_related(*RECORD_RELATED, "import_batch").order_by("event_date", "pk"))


# --- Case workspace and cross-check -----------------------------------------------------------

def case_records(case: Case) -> QuerySet[Record]:
    """Return the records of the case: its missing report and all its person's records."""
    # By id and person id (both indexed), not through the reverse join to Case.
    condition = Q(pk=case.missing_report_id) if case.missing_report_id else Q(pk__in=[])
    if case.person_id:
        condition |= Q(person_id=case.person_id)
    return Record.objects.filter(condition).select_related(*RECORD_RELATED, "import_batch")


# The workspace groups the person's records by what they say about the person, the
# most consequential first; the case's own report heads the page on its own.
RECORD_GROUPS = (
    (RecordKind.DETENTION, gettext_lazy("Detenciones")),
    (RecordKind.RELEASE_TRANSFER, gettext_lazy("Liberaciones y traslados")),
    (RecordKind.LOCATED, gettext_lazy("Localizaciones")),
    (RecordKind.UNIDENTIFIED_REMAINS, gettext_lazy("Restos sin identificar")),
    (RecordKind.MISSING_REPORT, gettext_lazy("Otros reportes de desaparición")),
)


@dataclass(frozen=True)
class RecordGroup:
    kind: str
    label: str
    records: list[tuple[Record, list[FieldRow]]]


def _newest_first(record: Record) -> tuple:
    # Records without an event date go last; ties by when the agency gave them.
    return (record.event_date is not None, record.event_date or date.min, record.created_at,
            record.pk)


def record_groups(case: Case, records: list[tuple[Record, list[FieldRow]]]) -> list[RecordGroup]:
    """Return the records other than the case's report, by kind, newest first in each."""
    groups = []
    for kind, label in RECORD_GROUPS:
        members = sorted((item for item in records
                          if item[0].kind == kind and item[0].pk != case.missing_report_id),
                         key=lambda item: _newest_first(item[0]), reverse=True)
        groups.append(RecordGroup(kind=kind, label=str(label), records=members))
    return groups


@dataclass
class Workspace:
    case: Case
    rows: list[FieldRow]
    history: list[CaseStatusChange]
    requests: list[CaseStatusRequest]
    records: list[tuple[Record, list[FieldRow]]]
    open_alerts: int
    decisions: list[MergeDecision]
    report: tuple[Record, list[FieldRow]] | None = None
    groups: list[RecordGroup] = field(default_factory=list)
    other_agencies: int = 0


def case_workspace(*, case: Case, audience: Audience) -> Workspace:
    """Return everything the case workspace shows, in a fixed number of queries.

    Every record of the case's person, from every agency, grouped by kind
    (``record_groups``) with its provenance (the policy shows the prosecutor the
    agency, file, row and batch).
    """
    history = list(case.status_changes.select_related("changed_by", "approved_by"))
    requests = list(case.status_requests.select_related("requested_by", "decided_by"))
    records = [(record, record_rows(record, audience))
               for record in case_records(case).order_by("event_date", "pk")]
    decisions = list(person_decisions(case.person)[:20]) if case.person_id else []
    report = next((item for item in records if item[0].pk == case.missing_report_id), None)
    return Workspace(
        case=case,
        rows=case_rows(case, audience),
        history=history,
        requests=requests,
        records=records,
        open_alerts=case.alerts.filter(handled_at__isnull=True).count(),
        decisions=decisions,
        report=report,
        groups=record_groups(case, records),
        other_agencies=len({record.agency_id for record, _rows in records
                            if record.agency_id != case.agency_id}),
    )


def crosscheck_candidates(*, case: Case, user: Any) -> list[MatchCandidate]:
    """Return candidates pairing the case's records with cross-check records, best first.

    Pairs already rejected are left out; confirmed ones stay (they show what was linked).
    """
    if not access.can_review_matches(user):
        return []
    own = list(case_records(case).values_list("pk", flat=True))
    pairs = (
        MatchCandidate.objects
        .filter((Q(record_left__in=own) & Q(record_right__kind__in=CROSSCHECK_KINDS))
                | (Q(record_right__in=own) & Q(record_left__kind__in=CROSSCHECK_KINDS)))
        .exclude(decision=MatchDecision.REJECTED)
        .select_related(*(f"record_{side}__{rel}" for side in ("left", "right")
                          for rel in RECORD_RELATED))
        .order_by("-probability", "pk")
    )
    return list(pairs[:200])


def _spelling_variants(word: str) -> list[str]:
    """Return ``word`` with each n/ñ either way (people type "Nunez" for "Núñez").

    Up to three n/ñ letters are varied (eight spellings); longer words vary all or none.
    """
    positions = [index for index, char in enumerate(word) if char in "nñ"]
    if len(positions) > 3:
        return sorted({word, word.replace("ñ", "n"), word.replace("n", "ñ")})
    variants = set()
    for choice in itertools.product("nñ", repeat=len(positions)):
        letters = list(word)
        for index, char in zip(positions, choice, strict=True):
            letters[index] = char
        variants.add("".join(letters))
    return sorted(variants)


# PostgreSQL: the GIN index on the words of detention and release names (migration
# 0006, public detention lookup) answers the same question for the cross-check.
_DETENTION_WORDS_MATCH = ("to_tsvector('simple'::regconfig, name_search) "
                          "@@ to_tsquery('simple'::regconfig, %s)")
_INDEXED_NAME_KINDS = ("detention", "release_transfer")


def _folded_contains(records: QuerySet[Record], words: list[str]) -> QuerySet[Record]:
    records = records.annotate(name_folded=Replace("name_search", Value("ñ"), Value("n")))
    for word in words:
        records = records.filter(name_folded__contains=word.replace("ñ", "n"))
    return records


def crosscheck_name_search(*, user: Any, query: str,
                           limit: int = CROSSCHECK_SEARCH_LIMIT) -> list[Record]:
    """Return cross-check records whose name has every word of ``query`` (accents and
    n/ñ forgiven), newest event first."""
    words = search_key(query).split()
    if not words:
        return []
    records = access.crosscheck_records_visible_to(user).select_related(*RECORD_RELATED)
    order = ("-event_date", "pk")
    if connection.vendor != "postgresql":
        return list(_folded_contains(records, words).order_by(*order)[:limit])
    # search_key leaves only [0-9a-zñ] in each word, so the tsquery syntax is ours alone;
    # the SQL text is constant and the query goes in as a parameter.
    tsquery = " & ".join("(" + " | ".join(_spelling_variants(word)) + ")" for word in words)
    indexed = records.filter(kind__in=_INDEXED_NAME_KINDS).filter(
        RawSQL(_DETENTION_WORDS_MATCH, [tsquery], output_field=BooleanField()))  # noqa: S611
    others = _folded_contains(records.exclude(kind__in=_INDEXED_NAME_KINDS), words)
    found = [*indexed.order_by(*order)[:limit], *others.order_by(*order)[:limit]]
    found.sort(key=lambda record: (-(record.event_date.toordinal() if record.event_date
                                     else 0), record.pk))
    return found[:limit]


def other_side(candidate: MatchCandidate, case_record_ids: set[int]) -> Record:
    if candidate.record_left_id in case_record_ids:
        return candidate.record_right
    return candidate.record_left


# --- Cases and alerts -----------------------------------------------------------------------------

def cases_for(user: Any) -> QuerySet[Case]:
    """Return the user's cases, open first, most recently changed first."""
    unhandled = Alert.objects.filter(case=OuterRef("pk"), handled_at__isnull=True)
    return (access.cases_visible_to(user).select_related("agency")
            .annotate(has_unhandled_alert=Exists(unhandled))
            .order_by("-has_unhandled_alert", "-status_changed_at", "pk"))


def publication_decisions(case: Case) -> list[CasePublicationDecision]:
    """Return the family's decisions about publishing the case, newest first."""
    return list(case.publication_decisions.select_related("recorded_by"))


def pending_requests_for(user: Any) -> QuerySet[CaseStatusRequest]:
    """Return the "found" requests the user may approve: others' requests on their cases."""
    return (CaseStatusRequest.objects
            .filter(case__in=access.cases_visible_to(user).values("pk"),
                    outcome=CaseStatusRequest.Outcome.PENDING)
            .exclude(requested_by=user)
            .select_related("case", "requested_by"))


ALERTS_PER_PAGE = 20


def alerts_for(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Alert]:
    """Return the user's alerts, filtered: unhandled first, then most serious (remains,
    detention, location, release) and newest first.

    ``filters`` (``forms.AlertFilterForm.chosen``): ``folio`` (part of the case's
    folio), ``tipo`` (alert kind),
    ``institucion`` (the new record's agency), ``entidad`` (the new record's state of
    the event), ``situacion`` ("pendientes" or "atendidas").
    """
    filters = filters or {}
    alerts = access.alerts_visible_to(user)
    if filters.get("folio"):
        alerts = alerts.filter(case__folio__icontains=filters["folio"])
    if filters.get("tipo"):
        alerts = alerts.filter(kind=filters["tipo"])
    if filters.get("institucion"):
        alerts = alerts.filter(record__agency=filters["institucion"])
    if filters.get("entidad"):
        alerts = alerts.filter(record__event_state=filters["entidad"])
    if filters.get("situacion") == "pendientes":
        alerts = alerts.filter(handled_at__isnull=True)
    elif filters.get("situacion") == "atendidas":
        alerts = alerts.filter(handled_at__isnull=False)
    return alerts.order_by(F("handled_at").asc(nulls_first=True), "-priority", "-created_at",
                           "-pk")


def alert_agencies_for(user: Any) -> QuerySet[Agency]:
    """Return the agencies of the records that raised the user's alerts (the filter's list)."""
    return Agency.objects.filter(
        pk__in=access.alerts_visible_to(user).values("record__agency")).order_by("name")


@dataclass(frozen=True)
class AlertItem:
    """One alert as the inbox shows it: the case and the new record side by side."""

    alert: Alert
    case_rows: list[FieldRow]  # the case's own report (summary)
    record_rows: list[FieldRow]  # the record that raised the alert (summary)
    phrases: list[str]  # why it matched, in words, the probability first
    comparison: list[ComparisonRow] = field(default_factory=list)  # report and record

    @property
    def case_line(self) -> str:
        return str(self.alert.case.agency)

    @property
    def record_line(self) -> str:
        return _record_line(self.alert.record)


def alerts_page(*, user: Any, audience: Audience, filters: dict[str, Any] | None = None,
                page: Any = None) -> tuple[Any, list[AlertItem]]:
    """Return one page of the user's alerts and its items, in a fixed number of queries."""
    alerts = alerts_for(user=user, filters=filters).select_related(
        "case__agency", "handled_by", "match_candidate",
        *(f"record__{rel}" for rel in ("agency", "event_state", "event_municipality")),
        *(f"case__missing_report__{rel}" for rel in ("agency", "event_state",
                                                     "event_municipality")))
    page_obj = Paginator(alerts, ALERTS_PER_PAGE).get_page(page)
    items = []
    for alert in page_obj.object_list:
        report = alert.case.missing_report
        case_side = record_rows(report, audience, summary=True) if report else []
        record_side = record_rows(alert.record, audience, summary=True)
        items.append(AlertItem(
            alert=alert, case_rows=case_side, record_rows=record_side,
            phrases=candidate_phrases(alert.match_candidate) if alert.match_candidate else [],
            comparison=pair_comparison(case_side, record_side),
        ))
    return page_obj, items


def unhandled_alert_count(user: Any) -> int:
    """Return the number of unhandled alerts: the home page's badge and the inbox's count
    (one function, so that the two always agree)."""
    return access.alerts_visible_to(user).filter(handled_at__isnull=True).count()




# --- Agency operators ----------------------------------------------------------------------------

AGENCY_PAGE_SIZE = 50


def agency_records_page(*, agencies: QuerySet, page: Any, query: str = "",
                        kind: str = "") -> Any:
    """Return one page of the agencies' records, newest first, optionally searched.

    ``query``: every word must start a word of the name (accents and case folded, as
    the stored ``name_search``), or the whole query is the folio (exactly, or its start).
    """
    records = Record.objects.filter(agency__in=agencies.values("pk"))
    if kind:
        records = records.filter(kind=kind)
    words = search_key(query).split()
    if words:
        by_name = Q()
        for word in words:
            by_name &= Q(name_search__startswith=word) | Q(name_search__contains=f" {word}")
        records = records.filter(by_name | Q(external_id__istartswith=query.strip()))
    records = records.select_related(*RECORD_RELATED).order_by("-created_at", "-pk")
    return Paginator(records, AGENCY_PAGE_SIZE).get_page(page)


def record_versions(record: Record) -> list[Any]:
    """Return when, by whom and why the record changed (not the old values), newest first."""
    return list(record.history.select_related("history_user")
                .only("history_id", "history_date", "history_type", "history_user__username",
                      "history_change_reason")[:50])
