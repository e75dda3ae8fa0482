"""Source files and import batches: how records entered the registry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import RecordKind


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("En espera")
    RUNNING = "running", _("En proceso")
    PREVIEWED = "previewed", _("Vista previa")
    COMMITTED = "committed", _("Aplicado")
    FAILED = "failed", _("Fallido")
    ROLLED_BACK = "rolled_back", _("Revertido")


class LinkageStatus(models.TextChoices):
    """The linkage of a committed batch's records, run after the import in the background."""

    NONE = "", _("Sin vinculación")
    PENDING = "pending", _("En espera")
    RUNNING = "running", _("En proceso")
    DONE = "done", _("Terminada")
    FAILED = "failed", _("Fallida (puede reintentarse)")


class SexCodes(models.TextChoices):
    """What the letter M means in a file's sex column (``mxnames.sex``)."""

    DETECT = "", _("Detectar del archivo")
    HM = "HM", _("H = hombre, M = mujer (como en la CURP)")
    MF = "MF", _("M = masculino, F = femenino")


class ImportBatch(models.Model):
    """One file (or API payload) imported for one agency, committed whole or not at all."""

    Status = ImportStatus

    class Source(models.TextChoices):
        UPLOAD = "upload", _("Archivo cargado")
        COMMAND = "command", _("Línea de comandos")
        API = "api", _("API")
        DEMO = "demo", _("Datos de demostración")

    agency = models.ForeignKey("registry.Agency", on_delete=models.PROTECT,
                               related_name="import_batches", verbose_name=_("institución"))
    record_kind = models.CharField(_("tipo de registros"), max_length=24,
                                   choices=RecordKind.choices)
    source = models.CharField(_("origen"), max_length=10, choices=Source.choices,
                              default=Source.UPLOAD)
    file_name = models.CharField(_("archivo"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("SHA-256 del archivo"), max_length=64, blank=True)
    status = models.CharField(_("estado"), max_length=12, choices=Status.choices,
                              default=Status.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="import_batches",
                                   verbose_name=_("importó"))
    created_at = models.DateTimeField(_("creado"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("terminado"), null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("filas"), default=0)
    rows_created = models.PositiveIntegerField(_("creados"), default=0)
    rows_updated = models.PositiveIntegerField(_("actualizados"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("sin cambios"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rechazados"), default=0)
    rows_warned = models.PositiveIntegerField(_("con advertencias"), default=0)
    # Where the file is kept until the batch is committed (relative to MEDIA_ROOT).
    stored_file = models.CharField(_("archivo guardado"), max_length=300, blank=True,
                                   editable=False)
    file_size = models.PositiveBigIntegerField(_("tamaño (bytes)"), default=0)
    sheet_name = models.CharField(_("hoja"), max_length=100, blank=True)
    mapping = models.ForeignKey("imports.ColumnMapping", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="batches",
                                verbose_name=_("correspondencia de columnas"))
    detected_encoding = models.CharField(_("codificación"), max_length=20, blank=True)
    # Chosen by the operator (or the saved mapping) when the file cannot say what M means.
    sex_codes = models.CharField(_("códigos de sexo"), max_length=2, blank=True,
                                 choices=SexCodes.choices, default=SexCodes.DETECT)
    # Written outside the data transaction (separate connection), so a page can show it.
    progress_rows = models.PositiveIntegerField(_("filas procesadas"), default=0)
    heartbeat_at = models.DateTimeField(_("última señal"), null=True, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    # The preview (dry run): a sample of what would be created and updated.
    preview = models.JSONField(_("vista previa"), default=dict, blank=True)
    resubmission_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True,
                                        blank=True, related_name="resubmissions",
                                        verbose_name=_("corrige el lote"))
    # Linkage runs after the import commits (imports.linking), with its own progress.
    linkage_status = models.CharField(_("vinculación"), max_length=8, blank=True,
                                      choices=LinkageStatus.choices, default=LinkageStatus.NONE)
    linkage_stage = models.CharField(_("etapa de la vinculación"), max_length=16, blank=True)
    linkage_done = models.PositiveIntegerField(_("vinculación: hecho"), default=0)
    linkage_total = models.PositiveIntegerField(_("vinculación: total"), default=0)
    linkage_counts = models.JSONField(_("resultado de la vinculación"), default=dict,
                                      blank=True)
    linkage_error = models.TextField(_("error de la vinculación"), blank=True)
    linkage_finished_at = models.DateTimeField(_("vinculación terminada"), null=True,
                                               blank=True)
    rolled_back_at = models.DateTimeField(_("revertido"), null=True, blank=True)
    rolled_back_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="+",
                                       verbose_name=_("revirtió"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lote de importación")
        verbose_name_plural = _("lotes de importación")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ImportStatus.values),
                                   name="import_batch_status_valid"),
            models.CheckConstraint(condition=Q(record_kind__in=RecordKind.values),
                                   name="import_batch_record_kind_valid"),
            models.CheckConstraint(condition=Q(sex_codes__in=SexCodes.values),
                                   name="import_batch_sex_codes_valid"),
            # Nothing lost: a finished batch accounts for every row of its file.
            models.CheckConstraint(
                condition=~Q(status__in=["committed", "previewed", "rolled_back"])
                | Q(rows_total=models.F("rows_created") + models.F("rows_updated")
                    + models.F("rows_unchanged") + models.F("rows_rejected")),
                name="import_batch_counts_add_up",
            ),
        ]
        indexes = [
            # An agency's import history, newest first.
            models.Index(fields=["agency", "-created_at"], name="import_batch_agency_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} · {self.file_name or self.source} · {self.created_at:%Y-%m-%d}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.COMMITTED, ImportStatus.FAILED,
                               ImportStatus.ROLLED_BACK, ImportStatus.PREVIEWED)

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.progress_rows / self.rows_total))


class ColumnMapping(models.Model):
    """An agency's saved correspondence from its own column headers to record fields.

    ``columns`` maps a header as written in the file to a record field name
    (``imports.mapping.FIELDS``); headers it does not name are recognised by the
    built-in Spanish/English synonyms, and unmapped columns stay in the raw values.
    """

    agency = models.ForeignKey("registry.Agency", on_delete=models.CASCADE,
                               related_name="column_mappings", verbose_name=_("institución"))
    name = models.SlugField(_("nombre"), max_length=60)
    columns = models.JSONField(_("columnas"), default=dict)
    sex_codes = models.CharField(_("códigos de sexo"), max_length=2, blank=True,
                                 choices=SexCodes.choices, default=SexCodes.DETECT)
    created_at = models.DateTimeField(_("creada"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("correspondencia de columnas")
        verbose_name_plural = _("correspondencias de columnas")
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"],
                                    name="column_mapping_unique_name_per_agency"),
            models.CheckConstraint(condition=Q(sex_codes__in=SexCodes.values),
                                   name="column_mapping_sex_codes_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} · {self.name}"


class RejectedRow(models.Model):
    """A row of a batch that was not stored, kept as given with its errors.

    It can be corrected and resubmitted (a new batch marks it ``resolved_by``).
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejected_rows",
                              verbose_name=_("lote"))
    row_number = models.PositiveIntegerField(_("fila"))
    sheet = models.CharField(_("hoja"), max_length=100, blank=True)
    raw_values = models.JSONField(_("valores originales"), default=dict)
    errors = models.JSONField(_("errores"), default=list)
    resolved_by = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="resolved_rows",
                                    verbose_name=_("corregida en el lote"))

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = _("fila rechazada")
        verbose_name_plural = _("filas rechazadas")
        constraints = [
            models.UniqueConstraint(fields=["batch", "row_number", "sheet"],
                                    name="rejected_row_unique_per_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number}"


class IssueSeverity(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Advertencia")


class RowIssue(models.Model):
    """One line of the row-error report: row, column, value as given, message in Spanish."""

    Severity = IssueSeverity

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="issues",
                              verbose_name=_("lote"))
    row_number = models.PositiveIntegerField(_("fila"))
    sheet = models.CharField(_("hoja"), max_length=100, blank=True)
    column = models.CharField(_("columna"), max_length=200, blank=True)
    value = models.TextField(_("valor"), blank=True)
    message = models.CharField(_("mensaje"), max_length=500)
    severity = models.CharField(_("gravedad"), max_length=7, choices=Severity.choices)

    class Meta:
        ordering = ["batch", "row_number", "id"]
        verbose_name = _("observación de fila")
        verbose_name_plural = _("observaciones de filas")
        constraints = [
            models.CheckConstraint(condition=Q(severity__in=IssueSeverity.values),
                                   name="row_issue_severity_valid"),
        ]
        indexes = [
            # The row-error report reads one batch's issues in row order.
            models.Index(fields=["batch", "row_number"], name="row_issue_batch_row_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number} {self.column}"
