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

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lote de importación")
        verbose_name_plural = _("lotes de importación")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ImportStatus.values),
                                   name="import_batch_status_valid"),
            models.CheckConstraint(condition=Q(record_kind__in=RecordKind.values),
                                   name="import_batch_record_kind_valid"),
        ]
        indexes = [
            # An agency's import history, newest first.
            models.Index(fields=["agency", "-created_at"], name="import_batch_agency_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} · {self.file_name or self.source} · {self.created_at:%Y-%m-%d}"
