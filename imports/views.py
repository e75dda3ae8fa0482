"""Staff pages of imports: upload, preview, confirm, history, reports, roll back. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from imports import file_templates, reports, selectors
from imports.forms import (
    IMPORTABLE_KINDS,
    BatchMappingForm,
    BatchUploadForm,
    ColumnMappingForm,
    RollbackForm,
    SexCodesForm,
)
from imports.intake import import_batch_create
from imports.linking import linkage_retry
from imports.mapping import field_label
from imports.models import ImportStatus
from imports.progress import import_batch_reap_if_dead
from imports.readers import ImportFileError
from imports.rollback import import_batch_rollback
from imports.services import (
    MAPPING_EDITABLE,
    batch_report_export,
    column_mapping_save,
    import_batch_mapping_set,
    import_batch_sex_codes_set,
)
from imports.tasks import run_import_batch
from registry.access import agencies_operated_by
from registry.audit import client_ip

HISTORY_PAGE = 100
ISSUES_SHOWN = 200


def _require_operator(request: HttpRequest) -> None:
    if not agencies_operated_by(request.user).exists():
        raise Http404


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    """The import history of the user's agencies, newest first."""
    _require_operator(request)
    batches = list(selectors.batches_visible_to(request.user)[:HISTORY_PAGE])
    return render(request, "imports/batch_list.html", {"batches": batches})


@login_required
def batch_upload(request: HttpRequest) -> HttpResponse:
    """Upload a file: it is checked at once, then previewed (dry run) in the background."""
    _require_operator(request)
    form = BatchUploadForm(request.POST or None, request.FILES or None, user=request.user)
    original = None
    if request.GET.get("corrige"):
        original = selectors.get_batch_for_user(request.user, request.GET["corrige"])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = import_batch_create(
                agency=data["agency"], record_kind=data["record_kind"], upload=data["file"],
                file_name=data["file"].name, actor=request.user, sheet=data["sheet"].strip(),
                mapping=data["mapping"], resubmission_of=original,
                sex_codes=data["sex_codes"] or "")
        except ImportFileError as exc:
            form.add_error("file", exc.message)
        else:
            run_import_batch.delay(batch.pk, True)
            return redirect("imports:batch_detail", pk=batch.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "imports/batch_upload.html",
                  {"form": form, "original": original, "kinds": IMPORTABLE_KINDS},
                  status=status)


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = import_batch_reap_if_dead(batch=selectors.get_batch_for_user(request.user, pk))
    issues = list(selectors.batch_issues(batch)[:ISSUES_SHOWN])
    return render(request, "imports/batch_detail.html", {
        "batch": batch, "issues": issues, "issues_shown": ISSUES_SHOWN,
        "progress": selectors.batch_progress(batch), "rollback_form": RollbackForm(),
        "linkage": selectors.batch_linkage(batch),
        "sex_codes_form": SexCodesForm(initial={"sex_codes": batch.sex_codes}),
        "columns": _column_rows(batch), "mapping_form": _mapping_form(batch),
    })


def _mapping_form(batch, data=None) -> BatchMappingForm | None:
    headers = (batch.preview or {}).get("headers")
    if not headers or batch.status not in MAPPING_EDITABLE:
        return None
    return BatchMappingForm(data, headers=headers, mapped=batch.preview.get("mapped", {}),
                            record_kind=batch.record_kind)


def _column_rows(batch) -> list[dict]:
    """Each column of the file: the field it feeds (Spanish) and a few of its values."""
    preview = batch.preview or {}
    mapped, examples = preview.get("mapped", {}), preview.get("examples", {})
    return [{"header": header, "field": field_label(mapped.get(header, "")),
             "examples": examples.get(header, [])}
            for header in preview.get("headers", [])]


@login_required
@require_POST
def batch_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """Map the batch's columns as chosen on its preview, and preview it again."""
    batch = selectors.get_batch_for_user(request.user, pk)
    form = _mapping_form(batch, request.POST)
    if form is None or not form.is_valid():
        messages.error(request, _("No se pudo leer la correspondencia de columnas."))
        return redirect("imports:batch_detail", pk=batch.pk)
    try:
        import_batch_mapping_set(batch=batch, columns=form.columns(), actor=request.user,
                                 save_as=form.cleaned_data["save_as"] or "")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Columnas guardadas; la vista previa se prepara de nuevo."))
        run_import_batch.delay(batch.pk, True)
    return redirect("imports:batch_detail", pk=batch.pk)


@login_required
def batch_progress(request: HttpRequest, pk: int) -> JsonResponse:
    batch = import_batch_reap_if_dead(batch=selectors.get_batch_for_user(request.user, pk))
    return JsonResponse(selectors.batch_progress(batch))


@login_required
@require_POST
def batch_commit(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm a previewed batch: it is stored whole (in the background) or not at all."""
    batch = selectors.get_batch_for_user(request.user, pk)
    if batch.status != ImportStatus.PREVIEWED:
        messages.error(request, _("Solo se puede confirmar un lote en vista previa."))
    else:
        run_import_batch.delay(batch.pk, False)
    return redirect("imports:batch_detail", pk=batch.pk)


@login_required
@require_POST
def batch_relink(request: HttpRequest, pk: int) -> HttpResponse:
    """Retry a batch's failed linkage (in the background); the batch stays as it is."""
    batch = selectors.get_batch_for_user(request.user, pk)
    _require_operator(request)
    try:
        linkage_retry(batch=batch, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("imports:batch_detail", pk=batch.pk)


@login_required
@require_POST
def batch_sex_codes(request: HttpRequest, pk: int) -> HttpResponse:
    """Say what M means in the batch's sex column, and preview the batch again."""
    batch = selectors.get_batch_for_user(request.user, pk)
    form = SexCodesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Elija qué significa M en la columna de sexo."))
        return redirect("imports:batch_detail", pk=batch.pk)
    try:
        import_batch_sex_codes_set(batch=batch, sex_codes=form.cleaned_data["sex_codes"] or "",
                                   actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        run_import_batch.delay(batch.pk, True)
    return redirect("imports:batch_detail", pk=batch.pk)


@login_required
@require_POST
def batch_rollback(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.get_batch_for_user(request.user, pk)
    form = RollbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indique el motivo de la reversión."))
        return redirect("imports:batch_detail", pk=batch.pk)
    try:
        batch = import_batch_rollback(batch=batch, actor=request.user,
                                      reason=form.cleaned_data["reason"],
                                      ip_address=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("El lote fue revertido."))
        removed = batch.cases_removed
        if removed:
            messages.info(request, ngettext(
                "Se eliminó el caso que el lote había abierto: %(folios)s.",
                "Se eliminaron los %(count)s casos que el lote había abierto: %(folios)s.",
                len(removed)) % {"count": len(removed), "folios": _folio_list(removed)})
    return redirect("imports:batch_detail", pk=batch.pk)


def _folio_list(folios: list[str], shown: int = 10) -> str:
    return ", ".join(folios[:shown]) + ("…" if len(folios) > shown else "")


@login_required
def batch_report(request: HttpRequest, pk: int, what: str, extension: str) -> HttpResponse:
    """Download the row-error report or the rejected rows (to correct), as CSV or XLSX."""
    batch = selectors.get_batch_for_user(request.user, pk)
    body, content_type = batch_report_export(batch=batch, what=what, extension=extension,
                                            actor=request.user, ip_address=client_ip(request))
    response = HttpResponse(body, content_type=content_type)
    name = reports.report_file_name(batch, what, extension)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def mapping_list(request: HttpRequest) -> HttpResponse:
    """The agency's saved column mappings, and a form to add or replace one."""
    _require_operator(request)
    form = ColumnMappingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        column_mapping_save(agency=form.cleaned_data["agency"], name=form.cleaned_data["name"],
                            columns=form.cleaned_data["lines"], actor=request.user,
                            sex_codes=form.cleaned_data["sex_codes"] or "")
        messages.success(request, _("Correspondencia guardada."))
        return redirect("imports:mapping_list")
    mappings = [(mapping, [(header, field_label(name))
                           for header, name in mapping.columns.items()])
                for mapping in selectors.mappings_for_user(request.user)]
    return render(request, "imports/mapping_list.html", {
        "form": form, "mappings": mappings,
    }, status=400 if request.method == "POST" else 200)


@login_required
def import_template(request: HttpRequest, kind: str, part: str, extension: str) -> HttpResponse:
    """Download the blank file of a kind of record (CSV or XLSX), or its data dictionary."""
    _require_operator(request)
    if kind not in file_templates.TEMPLATE_FIELDS:
        raise Http404
    body, content_type = file_templates.template_file(
        kind, part="dictionary" if part else "template", extension=extension)
    response = HttpResponse(body, content_type=content_type)
    name = f"plantilla-{kind}{'-diccionario' if part else ''}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
