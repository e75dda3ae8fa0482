"""Staff pages of the registry. Thin: parse, call selectors/services, render.

Every protected object comes from a ``registry.access`` helper, which answers 404
alike for "does not exist" and "not yours"; every value a template shows has been
through the redaction policy (``registry.selectors``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from matching import quality
from matching import services as matching_services
from matching.linkage import match_new_records
from matching.selectors import get_merge_decision_for_user, person_decisions
from registry import access, services
from registry.audit import client_ip
from registry.cases import case_open_by_hand
from registry.family_limits import family_lookup_limits_reset
from registry.models import CaseStatusRequest, Record, RecordKind
from registry.ratelimit import RateLimitUnavailable
from registry.redaction import Audience, case_published_to
from staff import export_files, exports, forms, sections, selectors
from staff import quality as staff_quality
from staff import services as staff_services
from staff import tasks as staff_tasks

CASES_PER_PAGE = 50


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _require_reviewer(request: HttpRequest) -> None:
    # A page that only reviewers have is, for anyone else, a page that does not exist.
    if not access.can_review_matches(request.user):
        raise Http404


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """Show each role the sections it may use; the alerts tile counts what the inbox shows."""
    keys = sections.section_keys_for(request.user)
    # The navigation bar of the other pages reads these keys (no query per page).
    request.session[sections.SESSION_KEY] = keys
    links = sections.section_links(keys)
    for link in links:
        if link["key"] == "alerts":
            link["badge"] = selectors.unhandled_alert_count(request.user)
    return render(request, "staff/staff_home.html", {"links": links})


# --- Review queue and decisions ------------------------------------------------------------------

@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Pending and "not sure" pairs the user may decide: open cases first, then by score."""
    _require_reviewer(request)
    audience = access.staff_audience(request.user)
    queue = selectors.review_queue_for(user=request.user)
    items = [selectors.queue_item(candidate, audience) for candidate in queue]
    return render(request, "staff/review_queue.html", {"items": items})


@login_required
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One pair side by side with the per-field explanation, and the decision form."""
    _require_reviewer(request)
    candidate = access.get_match_candidate_for_user(request.user, pk)
    audience = access.staff_audience(request.user)
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = {
            "confirm": matching_services.match_candidate_confirm,
            "reject": matching_services.match_candidate_reject,
            "unsure": matching_services.match_candidate_mark_unsure,
        }[form.cleaned_data["decision"]]
        try:
            service(candidate=candidate, actor=request.user,
                    reason=form.cleaned_data["reason"], ip_address=client_ip(request))
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Decisión registrada."))
            return redirect("review_queue")
    services.full_view_log(actor=request.user, target=candidate, ip_address=client_ip(request),
                           details={"records": [candidate.record_left_id,
                                                candidate.record_right_id]})
    return render(request, "staff/candidate_detail.html", {
        "item": selectors.candidate_view(candidate, audience), "form": form,
    })


# --- People: history, split, undo ----------------------------------------------------------------

@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's records across agencies and the merges and splits that made it."""
    person = access.get_person_for_user(request.user, pk)
    audience = access.staff_audience(request.user)
    records = list(selectors.person_records(person, request.user))
    split_form = forms.SplitForm(
        request.POST or None, record_choices=[(r.pk, str(r.pk)) for r in records])
    if request.method == "POST":
        _require_reviewer(request)
        if split_form.is_valid():
            try:
                matching_services.person_split(
                    person=person, record_ids=split_form.cleaned_data["records"],
                    actor=request.user, reason=split_form.cleaned_data["reason"],
                    ip_address=client_ip(request))
            except ValidationError as error:
                split_form.add_error(None, _error_text(error))
            else:
                messages.success(request, _("Registros separados en una persona nueva."))
                return redirect("person_detail", pk=person.pk)
    services.full_view_log(actor=request.user, target=person, ip_address=client_ip(request),
                           details={"records": [record.pk for record in records]})
    return render(request, "staff/person_detail.html", {
        "person": person,
        "records": [(record, selectors.record_rows(record, audience, summary=True))
                    for record in records],
        "decisions": list(person_decisions(person)),
        "split_form": split_form,
        "can_review": access.can_review_matches(request.user),
    })


@login_required
@require_POST
def merge_decision_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a merge or split from a person's history."""
    _require_reviewer(request)
    decision = get_merge_decision_for_user(request.user, pk)
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indique el motivo para deshacer la decisión."))
    else:
        try:
            matching_services.merge_decision_undo(
                decision=decision, actor=request.user, reason=form.cleaned_data["reason"],
                ip_address=client_ip(request))
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Decisión deshecha; el estado anterior fue restaurado."))
    person_id = (access.persons_visible_to(request.user).filter(pk__in=decision.person_ids)
                 .order_by("pk").values_list("pk", flat=True).first())
    if person_id is not None:
        return redirect("person_detail", pk=person_id)
    return redirect("review_queue")


# --- Full record ---------------------------------------------------------------------------------

@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A full record as the user's role may see it, with its provenance; audited."""
    record = access.get_full_record_for_user(request.user, pk)
    record = Record.objects.select_related(*selectors.RECORD_RELATED, "import_batch").get(
        pk=record.pk)
    audience = access.staff_audience(request.user, record)
    services.full_view_log(actor=request.user, target=record, ip_address=client_ip(request))
    return render(request, "staff/record_detail.html", {
        "record": record, "rows": selectors.record_rows(record, audience),
        "versions": selectors.record_versions(record),
        "can_correct": access.user_can_operate(request.user, record.agency),
    })


@login_required
def record_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """An operator corrects their own agency's record; every version is kept."""
    record = access.get_full_record_for_user(request.user, pk)
    if not access.user_can_operate(request.user, record.agency):
        raise Http404
    form = forms.RecordCorrectionForm(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_correct(
                record=Record.objects.get(pk=record.pk), changes=form.changes(),
                actor=request.user, reason=form.cleaned_data["correction_reason"],
                ip_address=client_ip(request))
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Registro corregido; la versión anterior se conserva."))
            return redirect("record_detail", pk=record.pk)
    return render(request, "staff/record_correct.html", {"record": record, "form": form})


@login_required
def agency_records(request: HttpRequest) -> HttpResponse:
    """An operator's own agencies' records, newest first."""
    agencies = access.agencies_operated_by(request.user)
    if not agencies.exists():
        raise Http404
    query = request.GET.get("q", "").strip()[:120]
    kind = request.GET.get("tipo", "")
    kind = kind if kind in RecordKind.values else ""
    page = selectors.agency_records_page(agencies=agencies, page=request.GET.get("pagina"),
                                         query=query, kind=kind)
    audience = Audience.AGENCY
    services.full_view_log(actor=request.user, object_type="registry.record",
                           ip_address=client_ip(request),
                           details={"records": [record.pk for record in page.object_list]})
    return render(request, "staff/agency_records.html", {
        "page": page, "query": query, "kind": kind, "kinds": RecordKind.choices,
        "search": urlencode({name: value for name, value in (("q", query), ("tipo", kind))
                             if value}),
        "rows": [(record, selectors.record_rows(record, audience, summary=True))
                 for record in page.object_list],
    })


# --- Cases --------------------------------------------------------------------------------------

@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The user's cases, open and alerted first, 50 a page, searchable by folio."""
    folio = request.GET.get("folio", "").strip()[:40]
    cases = selectors.cases_for(request.user)
    if folio:
        cases = cases.filter(folio__icontains=folio)
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("pagina"))
    return render(request, "staff/case_list.html", {
        "cases": page.object_list, "page": page, "folio": folio,
        "can_open": access.agencies_opening_cases_by(request.user).exists(),
        "requests": list(selectors.pending_requests_for(request.user)),
    })


@login_required
def case_open(request: HttpRequest) -> HttpResponse:
    """Open a case by hand (a report taken at a desk); matching runs on the new report."""
    agencies = access.agencies_opening_cases_by(request.user)
    if not agencies.exists():
        raise Http404
    form = forms.CaseOpenForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = case_open_by_hand(
                agency=data["agency"], folio=data["folio"], report_values=form.report_values(),
                status=data["status"], publication_consent=data["publication_consent"],
                actor=request.user, reason=data["reason"])
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            report_id = case.missing_report_id
            # After the commit, as an import does: the report meets every stored record.
            transaction.on_commit(lambda: match_new_records(record_ids=[report_id]), robust=True)
            messages.success(request, _("Caso abierto."))
            return redirect("case_workspace", pk=case.pk)
    return render(request, "staff/case_open.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def case_workspace(request: HttpRequest, pk: int) -> HttpResponse:
    """The case, its status history, its person's records across agencies, its requests."""
    case = access.get_case_for_user(request.user, pk)
    audience = access.staff_audience(request.user)
    workspace = selectors.case_workspace(case=case, audience=audience)
    services.full_view_log(actor=request.user, target=case, ip_address=client_ip(request),
                           details={"records": [record.pk for record, _ in workspace.records]})
    return render(request, "staff/case_workspace.html", {
        "ws": workspace,
        "status_form": forms.StatusForm(),
        "review_form": forms.RequestReviewForm(),
        "can_review": access.can_review_matches(request.user),
        "new_access_code": request.session.pop(f"access_code_{case.pk}", None),
    })


@login_required
@require_POST
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the case's status, or ask a second reviewer for a "found" status."""
    _require_reviewer(request)
    case = access.get_case_for_user(request.user, pk)
    form = forms.StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indique la nueva situación y el motivo."))
        return redirect("case_workspace", pk=case.pk)
    try:
        result = services.case_status_update(
            case=case, to_status=form.cleaned_data["to_status"], actor=request.user,
            reason=form.cleaned_data["reason"], ip_address=client_ip(request))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if isinstance(result, CaseStatusRequest):
            messages.success(request, _("Solicitud registrada: otra persona revisora debe "
                                        "aprobarla."))
        else:
            messages.success(request, _("Situación actualizada."))
    return redirect("case_workspace", pk=case.pk)


@login_required
@require_POST
def case_status_request_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or decline another prosecutor's "found" request."""
    _require_reviewer(request)
    status_request = access.get_status_request_for_user(request.user, pk)
    form = forms.RequestReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Elija aprobar o rechazar."))
        return redirect("case_workspace", pk=status_request.case_id)
    try:
        if form.cleaned_data["approve"]:
            services.case_status_request_approve(
                request=status_request, actor=request.user, note=form.cleaned_data["note"],
                ip_address=client_ip(request))
            messages.success(request, _("Solicitud aprobada; la situación cambió."))
        else:
            services.case_status_request_decline(
                request=status_request, actor=request.user, note=form.cleaned_data["note"],
                ip_address=client_ip(request))
            messages.success(request, _("Solicitud rechazada."))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect("case_workspace", pk=status_request.case_id)


@login_required
@require_POST
def case_access_code(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue, rotate or revoke the family's access code; a new code is shown once."""
    _require_reviewer(request)
    case = access.get_case_for_user(request.user, pk)
    form = forms.AccessCodeForm(request.POST)
    if form.is_valid() and form.cleaned_data["operation"] == "issue":
        code = services.case_access_code_issue(case=case, actor=request.user)
        # Kept in the session only until the next page shows it once.
        request.session[f"access_code_{case.pk}"] = code
    elif form.is_valid():
        services.case_access_code_revoke(case=case, actor=request.user)
        messages.success(request, _("Código revocado: ya no abre el caso."))
    return redirect("case_workspace", pk=case.pk)


@login_required
def case_publication(request: HttpRequest, pk: int) -> HttpResponse:
    """The family's decision about publication: the current one, its history, a new one.

    For the case's prosecutors and administrators; the decision is applied by
    ``registry.services.case_publication_decide`` (audited, a new public key when
    publication is withdrawn).
    """
    _require_reviewer(request)
    case = access.get_case_for_user(request.user, pk)
    form = forms.PublicationForm(request.POST or None,
                                 initial={"publication": case.publication})
    if request.method == "POST" and form.is_valid():
        try:
            services.case_publication_decide(case=case, actor=request.user,
                                             ip_address=client_ip(request), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Decisión de la familia registrada y aplicada."))
            return redirect("case_publication", pk=case.pk)
    decisions = selectors.publication_decisions(case)
    services.full_view_log(actor=request.user, target=case, purpose="publicación",
                           ip_address=client_ip(request),
                           details={"decisions": [decision.pk for decision in decisions]})
    return render(request, "staff/case_publication.html", {
        "case": case, "form": form, "decisions": decisions,
        "is_public": case_published_to(Audience.PUBLIC, case.publication),
    })
@require_POST
def case_family_lookup_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """Lift the family lookup's locks on this case's folio, for every address."""
    _require_reviewer(request)
    case = access.get_case_for_user(request.user, pk)
    try:
        family_lookup_limits_reset(case=case, actor=request.user,
                                   ip_address=client_ip(request))
    except RateLimitUnavailable:
        messages.error(request, _("No se pudo desbloquear ahora; intente más tarde."))
    else:
        messages.success(request, _("Consulta familiar desbloqueada: la familia puede volver "
                                    "a intentar desde cualquier conexión."))
    return redirect("case_workspace", pk=case.pk)


@login_required
def case_crosscheck(request: HttpRequest, pk: int) -> HttpResponse:
    """Candidate records from every agency's logs for this case, and a name search."""
    _require_reviewer(request)
    case = access.get_case_for_user(request.user, pk)
    audience = access.staff_audience(request.user)
    own_ids = set(selectors.case_records(case).values_list("pk", flat=True))
    candidates = selectors.crosscheck_candidates(case=case, user=request.user)
    search = forms.CrosscheckSearchForm(request.GET or None)
    found = []
    if search.is_valid() and search.cleaned_data["q"]:
        found = selectors.crosscheck_name_search(user=request.user, query=search.cleaned_data["q"])
    services.full_view_log(actor=request.user, target=case, purpose="cotejo",
                           ip_address=client_ip(request),
                           details={"candidates": [c.pk for c in candidates],
                                    "search_results": [r.pk for r in found]})
    return render(request, "staff/case_crosscheck.html", {
        "case": case,
        "items": [(selectors.candidate_view(c, audience), selectors.other_side(c, own_ids))
                  for c in candidates],
        "search": search,
        "found": [(record, selectors.record_rows(record, audience, summary=True))
                  for record in found],
    })


# --- Alerts --------------------------------------------------------------------------------------

@login_required
def alerts_inbox(request: HttpRequest) -> HttpResponse:
    """The user's alerts, 20 a page: unhandled first, most serious and newest first, each
    with its case and the new record side by side and why they matched; filterable."""
    _require_reviewer(request)
    audience = access.staff_audience(request.user)
    filter_form = forms.AlertFilterForm(request.GET or None,
                                        agencies=selectors.alert_agencies_for(request.user))
    filters = filter_form.chosen()
    page, items = selectors.alerts_page(user=request.user, audience=audience, filters=filters,
                                        page=request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    services.full_view_log(actor=request.user, object_type="registry.alert",
                           ip_address=client_ip(request),
                           details={"alerts": [item.alert.pk for item in items],
                                    "records": [item.alert.record_id for item in items]})
    return render(request, "staff/alerts_inbox.html", {
        "items": items, "page": page, "filter_form": filter_form,
        "filtered": bool(filters), "query": query.urlencode(),
        "unhandled": selectors.unhandled_alert_count(request.user),
        "form": forms.AlertHandledForm(initial={"filters": query.urlencode()}),
    })


def _inbox_url(filters: str) -> str:
    # Back to the page the alert was handled from, with only the inbox's own filters.
    known = QueryDict(filters[:500]).copy()
    for name in list(known):
        if name not in forms.AlertFilterForm.base_fields:
            del known[name]
    query = known.urlencode()
    return reverse("alerts_inbox") + (f"?{query}" if query else "")


@login_required
@require_POST
def alert_handle(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an alert handled with a note saying what was done (audited)."""
    _require_reviewer(request)
    alert = access.get_alert_for_user(request.user, pk)
    form = forms.AlertHandledForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Escriba qué se hizo con la alerta antes de marcarla "
                                  "como atendida."))
    else:
        try:
            services.alert_mark_handled(alert=alert, actor=request.user,
                                        note=form.cleaned_data["note"],
                                        ip_address=client_ip(request))
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Alerta marcada como atendida."))
    return redirect(_inbox_url(request.POST.get("filters", "")))


# --- NGO exports ---------------------------------------------------------------------------------

@login_required
def export_form(request: HttpRequest) -> HttpResponse:
    """Export redacted, pseudonymised records; the download streams and is audited."""
    if not access.can_export_redacted(request.user):
        raise Http404
    form = forms.ExportForm(request.POST or None)
    if not (request.method == "POST" and form.is_valid()):
        return render(request, "staff/export_form.html",
                      {"form": form, "files": export_files.export_files_for(request.user),
                       "jobs": export_files.export_jobs_for(request.user)})
    data = form.cleaned_data
    filters = exports.ExportFilters(
        state=data["state"].pk if data["state"] else None, kind=data["kind"] or None,
        status=data["status"] or None, date_from=data["date_from"], date_to=data["date_to"])
    if "confirm" not in request.POST:
        # First what k-anonymity would generalise and suppress, then the download.
        preview = staff_services.export_preview(filters=filters, k=data["k_anonymity"])
        return render(request, "staff/export_form.html",
                      {"form": form, "preview": preview.metadata(),
                       "files": export_files.export_files_for(request.user)})
    if "notes" in request.POST:
        # The notes and data dictionary of these filters (no record in them: not audited).
        preview = staff_services.export_preview(filters=filters, k=data["k_anonymity"])
        extension = "json" if data["format"] == "json" else "csv"
        body = exports.notes_json(preview) if extension == "json" else exports.notes_csv(preview)
        response = HttpResponse(body.encode("utf-8"),
                                content_type=export_files.CONTENT_TYPES[extension])
        response["Content-Disposition"] = (
            f'attachment; filename="registro-anonimizado-notas.{extension}"')
        return response
    if data["background"]:
        job = export_files.export_job_start(user_id=request.user.pk,
                                            export_format=data["format"])
        staff_tasks.export_to_storage.delay(
            request.user.pk, data["format"], filters.as_dict(), data["k_anonymity"],
            data["purpose"], client_ip(request), job)
        messages.success(request, _("La exportación se está preparando; aparecerá en la "
                                    "lista de archivos de esta página."))
        return redirect("export_form")
    export = staff_services.export_start(
        actor=request.user, export_format=data["format"], filters=filters,
        k=data["k_anonymity"], purpose=data["purpose"], ip_address=client_ip(request))
    stamp = export.created_at.strftime("%Y%m%d-%H%M%S")
    if data["format"] == "xlsx":
        return FileResponse(
            exports.xlsx_file(export), as_attachment=True,
            filename=f"registro-anonimizado-{stamp}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if data["format"] == "json":
        response = StreamingHttpResponse(exports.json_stream(export),
                                         content_type="application/json; charset=utf-8")
    else:
        response = StreamingHttpResponse(exports.csv_stream(export),
                                         content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="registro-anonimizado-{stamp}.{data["format"]}"')
    return response


@login_required
def export_progress(request: HttpRequest) -> JsonResponse:
    """The user's background exports still being prepared, with their progress (polled)."""
    if not access.can_export_redacted(request.user):
        raise Http404
    return JsonResponse({"jobs": export_files.export_jobs_for(request.user)})


@login_required
def export_file_download(request: HttpRequest, name: str) -> HttpResponse:
    """Serve one of the user's own exports prepared in the background (404 otherwise)."""
    if not access.can_export_redacted(request.user):
        raise Http404
    handle = export_files.export_file_open(user=request.user, name=name,
                                           ip_address=client_ip(request))
    if handle is None:
        raise Http404
    extension = name.rsplit(".", 1)[1]
    return FileResponse(handle, as_attachment=True, filename=f"registro-anonimizado-{name}",
                        content_type=export_files.CONTENT_TYPES[extension])


# --- Matching-quality dashboard ----------------------------------------------------------------

@login_required
def quality_dashboard(request: HttpRequest) -> HttpResponse:
    """Review backlog, undone links, observed precision, time to alert, agencies' data.

    For administrators and reviewers; aggregates only, nothing that names a person.
    """
    if not (access.is_registry_admin(request.user) or access.can_review_matches(request.user)):
        raise Http404
    form = forms.QualityFilterForm(request.GET or None)
    agency, months = form.chosen()
    figures = quality.dashboard_figures(agency=agency, months=months)
    return render(request, "staff/quality_dashboard.html",
                  {"form": form, "figures": figures, "agency": agency,
                   **staff_quality.quality_charts(figures)})
