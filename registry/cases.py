"""Cases opened from missing-person reports: by an import (set-based) or by hand.

The rules (issue 12):

1. A missing-person report opens its case: the folio is the report's ``external_id``
   (the agency's folio), the agency is the report's agency, the person is the report's
   person (a case follows it from then on: ``matching.services``), and the agency's
   prosecutors (reviewers who may read its records, ``access.agency_prosecutor_ids``)
   are assigned. Never a second case: a report has at most one case
   (``Case.missing_report`` is one-to-one), and a case opened by hand at the same agency
   with the same folio and no report yet receives the report instead of a twin.
2. The legal status is what the file states (a status column), else ``desaparecida``.
   A "found" status is never applied by a file: the case opens ``desaparecida`` and a
   pending ``CaseStatusRequest`` waits for a prosecutor to approve it (second reviewer).
3. Re-importing a report applies only what its file says anew, compared with what the
   file said last (``status_reported``, ``consent_reported``), through the guarded
   status change a prosecutor uses (history, audit, family notices); a value the file
   keeps repeating never undoes a later decision.
4. A folio taken by another case (another agency's, or one with its own report), or
   longer than a folio may be, gets a generated folio ``<agency code>-R<record id>``.

Imports call ``cases_open_from_reports`` inside the batch's transaction, after the
records are stored: a failed import opens nothing. The cases a batch opened carry it
(``Case.import_batch``), so rolling the batch back can remove them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from registry import access
from registry.audit import audit_event_record
from registry.bulk import bulk_insert_rows, bulk_update_column
from registry.history import history_snapshot_insert
from registry.models import (
    FOUND_CASE_STATUSES,
    Agency,
    Alert,
    AuditEvent,
    Case,
    CasePublication,
    CaseStatus,
    CaseStatusChange,
    CaseStatusRequest,
    FamilySubscription,
    Record,
    RecordKind,
    case_public_key,
)
from registry.published import published_entries_sync_reports
from registry.services import case_publication_decide, case_status_change, record_name_search

CHUNK = 5000
FOLIO_MAX = Case._meta.get_field("folio").max_length


@dataclass(frozen=True)
class ReportedCase:
    """What an agency's file says of a report's case; empty / None: the file is silent."""

    status: str = ""
    consent: bool | None = None


@dataclass
class CaseOpenCounts:
    opened: int = 0
    attached: int = 0  # a case opened by hand received its report
    generated_folios: int = 0
    status_requests: int = 0  # "found" statuses waiting for a second reviewer
    status_changes: int = 0  # re-imports whose status was applied
    consent_changes: int = 0
    left_alone: int = 0  # a "found" request was already pending

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _chunks(rows: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


@transaction.atomic
def cases_open_from_reports(*, reports: QuerySet[Record], reported: Mapping[str, ReportedCase],
                            actor: Any, reason: str, import_batch_id: int | None = None
                            ) -> CaseOpenCounts:
    """Open the case of every report in ``reports`` that has none; update the others.

    ``reported`` maps a report's ``external_id`` to what its file says (only when the
    file has the columns). One audit event for the whole call (the cases carry the
    batch); status changes of existing cases are audited one by one, as by hand.
    """
    counts = CaseOpenCounts()
    reports = reports.filter(kind=RecordKind.MISSING_REPORT)
    opener = _Opener(actor=actor, reason=reason, import_batch_id=import_batch_id,
                     reported=reported, counts=counts)
    new_reports = (reports.filter(case__isnull=True).order_by("pk")
                   .values_list("pk", "agency_id", "external_id", "person_id"))
    for chunk in _chunks(new_reports.iterator(chunk_size=CHUNK)):
        opener.open(chunk)
    if reported:
        _apply_what_the_file_says_anew(reports, reported, actor, reason, counts)
    # The cases opened in bulk (no save() signals) and the reports the batch changed:
    # their published entries, in this transaction.
    published_entries_sync_reports(list(reports.order_by().values_list("pk", flat=True)))
    if counts.opened or counts.attached:
        audit_event_record(actor=actor, action=AuditEvent.Action.CREATE,
                           object_type="registry.case", purpose=reason,
                           details={"import_batch": import_batch_id, **counts.as_dict()})
    return counts


def case_open_from_report(*, report: Record, actor: Any, reason: str,
                          reported: ReportedCase | None = None) -> Case:
    """Open the case of one report (or return the one it has), by the same rules."""
    said = {report.external_id: reported} if reported else {}
    cases_open_from_reports(reports=Record.objects.filter(pk=report.pk), reported=said,
                            actor=actor, reason=reason)
    return Case.objects.get(missing_report=report)


# Identity and event fields a prosecutor types when opening a case by hand.
BY_HAND_FIELDS = ("given_names", "paternal_surname", "maternal_surname", "aliases", "sex",
                  "birth_date", "age", "curp", "nationality", "event_date", "event_state",
                  "place", "description", "reporter_name", "reporter_contact")


@transaction.atomic
def case_open_by_hand(*, agency: Agency, folio: str, report_values: Mapping[str, Any],
                      actor: Any, reason: str, status: str = CaseStatus.MISSING,
                      publication_consent: bool = False) -> Case:
    """Open a case at a desk: store its missing-person report, then open it by the rules.

    1. The report is a record of the agency like an imported one (its folio as
       ``external_id``, the typed values as its raw values; no file, no batch).
    2. Its case opens through ``cases_open_from_reports``; the person who opened it is
       assigned to it with the agency's prosecutors. A "found" status cannot be typed
       here: it is a request for a second reviewer, made from the case afterwards.
    Raises ValidationError if the agency already has a report or a case with that folio.
    """
    folio = " ".join(folio.split())
    reason = " ".join((reason or "").split()) or _("Caso abierto a mano")
    if not folio:
        raise ValidationError(_("Indique el folio."))
    if status not in (CaseStatus.MISSING, CaseStatus.NOT_LOCATED):
        raise ValidationError(_("Un caso se abre como desaparecida o no localizada."))
    if Record.objects.filter(agency=agency, external_id=folio).exists() or \
            Case.objects.filter(folio=folio).exists():
        raise ValidationError(_("Ya existe un reporte o un caso con ese folio."))
    values = {name: report_values[name] for name in BY_HAND_FIELDS
              if report_values.get(name) not in (None, "")}
    report = Record(kind=RecordKind.MISSING_REPORT, agency=agency, external_id=folio,
                    raw_values={name: str(value) for name, value in values.items()}, **values)
    report.name_search = record_name_search(report)
    report.full_clean()
    report._change_reason = reason[:100]
    report.save()
    audit_event_record(actor=actor, action=AuditEvent.Action.CREATE, target=report,
                       purpose=reason, details={"by_hand": True})
    case = case_open_from_report(
        report=report, actor=actor, reason=reason,
        reported=ReportedCase(status=status, consent=publication_consent))
    if getattr(actor, "pk", None):
        case.prosecutors.add(actor)
    return case


class _Opener:
    """Open the cases of reports that have none, a chunk at a time (set-based)."""

    def __init__(self, *, actor: Any, reason: str, import_batch_id: int | None,
                 reported: Mapping[str, ReportedCase], counts: CaseOpenCounts) -> None:
        self.actor_id = getattr(actor, "pk", None)
        self.reason = reason
        self.import_batch_id = import_batch_id
        self.reported = reported
        self.counts = counts
        self.now = timezone.now()
        self._agency_codes: dict[int, str] = {}
        self._prosecutors: dict[int, list[int]] = {}
        self._used: set[str] = set()

    def open(self, reports: list[tuple[int, int, str, int | None]]) -> None:
        """1. folios (attach to a hand-opened twin, else own or generated), 2. insert the
        cases, 3. their keys, history, opening status change, "found" requests and
        prosecutors."""
        taken = {folio: (pk, agency_id, report_id) for folio, pk, agency_id, report_id in
                 Case.objects.filter(folio__in=[external_id for _, _, external_id, _ in reports])
                 .values_list("folio", "pk", "agency_id", "missing_report_id")}
        rows, attach = [], {}
        for report_id, agency_id, external_id, person_id in reports:
            said = self.reported.get(external_id, ReportedCase())
            twin = taken.get(external_id)
            if twin is not None and twin[1] == agency_id and twin[2] is None \
                    and twin[0] not in attach:
                attach[twin[0]] = (report_id, person_id)
                continue
            folio = external_id
            # Two agencies may use the same folio in one call (not within one batch).
            if twin is not None or len(folio) > FOLIO_MAX or folio in self._used:
                folio = self._generated_folio(agency_id, report_id)
                self.counts.generated_folios += 1
            self._used.add(folio)
            opening = CaseStatus.NOT_LOCATED if said.status == CaseStatus.NOT_LOCATED \
                else CaseStatus.MISSING
            rows.append((folio, agency_id, report_id, person_id, opening, said.status,
                         _publication_said(bool(said.consent)), said.consent, self.now,
                         self.now, self.now, "", "", self.import_batch_id))
        if attach:
            self._attach(attach)
        if rows:
            self._insert(rows)

    def _generated_folio(self, agency_id: int, report_id: int) -> str:
        if not self._agency_codes:
            self._agency_codes = dict(Agency.objects.values_list("pk", "code"))
        suffix = f"-R{report_id}"
        return self._agency_codes[agency_id][:FOLIO_MAX - len(suffix)] + suffix

    def _insert(self, rows: list[tuple]) -> None:
        bulk_insert_rows(Case, (
            "folio", "agency_id", "missing_report_id", "person_id", "status", "status_reported",
            "publication", "consent_reported", "status_changed_at", "created_at",
            "updated_at", "access_code_hash", "investigation_notes", "import_batch_id"), rows)
        report_ids = [row[2] for row in rows]
        opened = list(Case.objects.filter(missing_report_id__in=report_ids)
                      .values_list("pk", "agency_id", "status", "status_reported"))
        self.counts.opened += len(opened)
        bulk_update_column(Case, "public_key",
                           ((pk, case_public_key(pk)) for pk, *_rest in opened))
        history_snapshot_insert(Case.objects.filter(pk__in=[pk for pk, *_rest in opened]),
                                history_type="+", history_date=self.now,
                                change_reason=self.reason[:100], user_id=self.actor_id)
        bulk_insert_rows(CaseStatusChange, (
            "case_id", "from_status", "to_status", "changed_at", "changed_by_id", "reason"),
            [(pk, "", status, self.now, self.actor_id, self.reason)
             for pk, _agency, status, _said in opened])
        requests = [CaseStatusRequest(case_id=pk, to_status=said, requested_by_id=self.actor_id,
                                      requested_at=self.now, reason=_file_says(said, self.reason))
                    for pk, _agency, _status, said in opened if said in FOUND_CASE_STATUSES]
        CaseStatusRequest.objects.bulk_create(requests, batch_size=1000)
        self.counts.status_requests += len(requests)
        self._assign_prosecutors([(pk, agency_id) for pk, agency_id, *_rest in opened])

    def _attach(self, attach: dict[int, tuple[int, int | None]]) -> None:
        """Give a hand-opened case (same agency, same folio, no report yet) its report."""
        for case in Case.objects.select_for_update().filter(pk__in=list(attach)):
            case.missing_report_id, case.person_id = attach[case.pk]
            case._change_reason = self.reason[:100]
            case.save(update_fields=["missing_report", "person", "updated_at"])
            self.counts.attached += 1

    def _assign_prosecutors(self, cases: list[tuple[int, int]]) -> None:
        agencies = {agency_id for _, agency_id in cases} - set(self._prosecutors)
        if agencies:
            self._prosecutors.update(access.agency_prosecutor_ids(agencies))
        Assignment = Case.prosecutors.through
        Assignment.objects.bulk_create(
            [Assignment(case_id=case_id, user_id=user_id) for case_id, agency_id in cases
             for user_id in self._prosecutors.get(agency_id, ())],
            batch_size=2000, ignore_conflicts=True)


def _publication_said(consent: bool) -> str:
    """Return the publication decision a file's consent column states."""
    return CasePublication.PUBLISH if consent else CasePublication.WITHOUT_NAME


def _file_says(status: str, reason: str) -> str:
    return _("El archivo de la institución indica «%(status)s» (%(reason)s).") % {
        "status": CaseStatus(status).label, "reason": reason}


def _apply_what_the_file_says_anew(reports: QuerySet[Record],
                                   reported: Mapping[str, ReportedCase], actor: Any,
                                   reason: str, counts: CaseOpenCounts) -> None:
    """For reports that have a case: apply a status or consent the file states anew."""
    rows = (reports.filter(case__isnull=False).order_by("pk")
            .values_list("external_id", "case__pk", "case__status_reported",
                         "case__consent_reported"))
    anew = []
    for external_id, case_id, status_said, consent_said in rows.iterator(chunk_size=CHUNK):
        said = reported.get(external_id)
        if said is None:
            continue
        status = said.status if said.status and said.status != status_said else ""
        consent = said.consent if said.consent is not None and said.consent != consent_said \
            else None
        if status or consent is not None:
            anew.append((case_id, status, consent))
    for case_id, status, consent in anew:
        _case_update_from_file(case_id=case_id, status=status, consent=consent, actor=actor,
                               reason=reason, counts=counts)


def _case_update_from_file(*, case_id: int, status: str, consent: bool | None, actor: Any,
                           reason: str, counts: CaseOpenCounts) -> None:
    case = Case.objects.select_for_update().get(pk=case_id)
    fields = ["updated_at"]
    if status:
        case.status_reported = status
        fields.append("status_reported")
    if consent is not None:
        case.consent_reported = consent
        fields.append("consent_reported")
    case._change_reason = reason[:100]
    case.save(update_fields=fields)
    if consent is not None:
        _publication_from_file(case=case, consent=consent, actor=actor, reason=reason,
                               counts=counts)
    if not status or status == case.status:
        return
    if status not in FOUND_CASE_STATUSES:
        case_status_change(case=case, to_status=status, actor=actor, reason=reason)
        counts.status_changes += 1
        return
    if case.status_requests.filter(outcome=CaseStatusRequest.Outcome.PENDING).exists():
        counts.left_alone += 1  # one pending request at a time; it is already waiting
        return
    request = CaseStatusRequest.objects.create(
        case=case, to_status=status, reason=_file_says(status, reason),
        requested_by=actor if getattr(actor, "pk", None) else None)
    audit_event_record(actor=actor, action=AuditEvent.Action.STATUS_CHANGE, target=case,
                       purpose=reason, details={"requested": status, "request": request.pk,
                                                "source": "import"})
    counts.status_requests += 1


def _publication_from_file(*, case: Case, consent: bool, actor: Any, reason: str,
                           counts: CaseOpenCounts) -> None:
    """Apply a consent the file states anew, as the family's decision it records.

    Through the same service as the staff page (decision row, audit, a new public key
    when the name is withdrawn). A file never lifts a veto: a case the family asked not
    to publish is published again only by a decision recorded on the case's page.
    """
    publication = _publication_said(consent)
    if publication == case.publication:
        return
    if case.publication == CasePublication.WITHHOLD:
        counts.left_alone += 1
        return
    case_publication_decide(
        case=case, publication=publication, actor=actor if getattr(actor, "pk", None) else None,
        decided_by=_("La familia, según el archivo de la institución"), reason=reason)
    counts.consent_changes += 1


# --- Undo: a rolled-back batch takes its cases with it ----------------------------------------

def cases_of_batch_remove(*, import_batch_id: int, created_report_ids: list[int],
                          reason: str) -> list[str]:
    """Delete the cases a rolled-back batch opened; return their folios.

    1. A case the batch opened is deleted (its history keeps a "-" row; its status
       changes, alerts and pending requests go with it), unless someone has worked on
       it since: a status change or a decided request, an access code, family notices,
       handled alerts, notes or a publication other than the file's consent.
    2. Any other case on one of the batch's new reports (a case opened by hand that
       received it) is someone else's work.
    In both cases of refusal nothing is removed and the folios are named
    (``ValidationError``). Must run in the rollback's transaction, before the batch's
    records are deleted.
    """
    opened = list(Case.objects.select_for_update().filter(import_batch_id=import_batch_id)
                  .order_by("pk"))
    worked_on = _worked_on(opened)
    others = list(Case.objects.filter(missing_report_id__in=created_report_ids)
                  .exclude(import_batch_id=import_batch_id).order_by("pk")
                  .values_list("folio", flat=True))
    refused = [case.folio for case in opened if case.pk in worked_on] + others
    if refused:
        raise ValidationError(_(
            "No se puede revertir: hay casos abiertos a partir de registros del lote en los "
            "que ya se trabajó (%(folios)s). Se conservan; corrija los registros con una "
            "nueva importación.")
            % {"folios": ", ".join(refused[:10]) + ("…" if len(refused) > 10 else "")})
    for case in opened:
        case._change_reason = reason[:100]
        case.delete()
    return [case.folio for case in opened]


def _worked_on(opened: list[Case]) -> set[int]:
    """Return the ids of the cases someone worked on since they were opened."""
    if not opened:
        return set()
    ids = [case.pk for case in opened]
    touched = {case.pk for case in opened if (
        case.access_code_issued_at or case.investigation_notes
        or case.publication != _publication_said(bool(case.consent_reported)))}
    later_changes = (CaseStatusChange.objects.filter(case_id__in=ids).values("case_id")
                     .annotate(n=Count("pk")).filter(n__gt=1).values_list("case_id", flat=True))
    decided = (CaseStatusRequest.objects.filter(case_id__in=ids)
               .exclude(outcome=CaseStatusRequest.Outcome.PENDING)
               .values_list("case_id", flat=True))
    subscribed = FamilySubscription.objects.filter(case_id__in=ids).values_list("case_id",
                                                                                flat=True)
    handled = Alert.objects.filter(case_id__in=ids, handled_at__isnull=False).values_list(
        "case_id", flat=True)
    return touched.union(later_changes, decided, subscribed, handled)
