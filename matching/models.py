"""Tables of the matching app: merge and split decisions, trained models, re-linkage runs.

Match candidates, alerts and people live in the registry's models; this app keeps
what it needs to undo its own decisions exactly, the exact model every automatic
decision was made with, and the progress of full re-linkage runs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MergeOperation(models.TextChoices):
    MERGE = "merge", _("Fusión")
    SPLIT = "split", _("Separación")


class MergeDecision(models.Model):
    """One merge or split of people, with a snapshot that lets it be undone exactly.

    ``before`` holds, for every row the operation touched, the value it had just
    before (records' and cases' ``person``, people's ``merged_into``, the candidate's
    decision); ``after`` holds the value the operation gave it. An undo first checks
    that every touched row still holds its ``after`` value (otherwise a later decision
    built on this one and must be undone first), then writes ``before`` back and
    deletes the people the operation created.
    """

    Operation = MergeOperation

    operation = models.CharField(_("operación"), max_length=8, choices=Operation.choices)
    match_candidate = models.ForeignKey(
        "registry.MatchCandidate", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="merge_decisions", verbose_name=_("coincidencia"),
    )
    # The person that results (merge) or that was split; SET_NULL because an undo
    # deletes the people the operation created. The ids stay in ``before``/``after``.
    person = models.ForeignKey("registry.Person", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="merge_decisions",
                               verbose_name=_("persona"))
    other_person = models.ForeignKey("registry.Person", on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="merge_decisions_as_other",
                                     verbose_name=_("otra persona"))
    person_ids = models.JSONField(_("personas involucradas"), default=list)
    before = models.JSONField(_("estado anterior"), default=dict)
    after = models.JSONField(_("estado posterior"), default=dict)
    # Null: the system decided (automatic linkage above the upper threshold).
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("decidió"))
    decided_at = models.DateTimeField(_("fecha"), default=timezone.now)
    reason = models.TextField(_("motivo"), blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+",
                                  verbose_name=_("deshizo"))
    undone_at = models.DateTimeField(_("deshecha"), null=True, blank=True)
    undo_reason = models.TextField(_("motivo de la reversión"), blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("decisión de fusión o separación")
        verbose_name_plural = _("decisiones de fusión o separación")
        constraints = [
            models.CheckConstraint(condition=Q(operation__in=MergeOperation.values),
                                   name="merge_decision_operation_valid"),
            models.CheckConstraint(
                condition=Q(undone_at__isnull=True) | Q(undone_by__isnull=False),
                name="merge_decision_undone_by_someone",
            ),
        ]
        indexes = [
            # A person's history page: decisions that touched the person, newest first.
            models.Index(fields=["person", "-decided_at"], name="merge_decision_person_idx"),
            models.Index(fields=["other_person", "-decided_at"],
                         name="merge_decision_other_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_operation_display()} {self.person_ids} ({self.decided_at:%Y-%m-%d})"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class LinkageModelVersion(models.Model):
    """One trained matching model (the core's ``LinkageModel`` as JSON) and how it was made.

    Every automatic decision and every candidate names the version it came from
    (``MatchCandidate.model_version`` holds ``label``); the incremental matcher
    always uses the latest version.
    """

    class Source(models.TextChoices):
        RELINK = "relink", _("Revinculación completa")
        BOOTSTRAP = "bootstrap", _("Primer entrenamiento automático")
        DEMO = "demo", _("Datos de demostración")

    model_json = models.JSONField(_("modelo (JSON)"))
    created_at = models.DateTimeField(_("creado"), default=timezone.now, editable=False)
    source = models.CharField(_("origen"), max_length=12, choices=Source.choices)
    trained_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("entrenó"))
    records_count = models.PositiveIntegerField(_("registros de entrenamiento"), default=0)
    candidate_pairs = models.PositiveBigIntegerField(_("pares candidatos"), default=0)
    upper_threshold = models.FloatField(_("umbral superior"))
    lower_threshold = models.FloatField(_("umbral inferior"))
    training_seconds = models.FloatField(_("segundos de entrenamiento"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]
        verbose_name = _("versión del modelo de vinculación")
        verbose_name_plural = _("versiones del modelo de vinculación")
        constraints = [
            models.CheckConstraint(
                condition=Q(lower_threshold__gte=0) & Q(upper_threshold__lte=1)
                & Q(lower_threshold__lte=models.F("upper_threshold")),
                name="linkage_model_thresholds_ordered"),
            models.CheckConstraint(condition=Q(source__in=["relink", "bootstrap", "demo"]),
                                   name="linkage_model_source_valid"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """Return the short name stored in ``MatchCandidate.model_version``."""
        return f"lm-{self.pk}"


class RelinkStatus(models.TextChoices):
    RUNNING = "running", _("En curso")
    DONE = "done", _("Terminada")
    FAILED = "failed", _("Fallida")


class RelinkRun(models.Model):
    """A full re-linkage: one background task per blocking partition, with progress.

    The counters are incremented with ``F()`` expressions by each partition's task,
    so concurrent workers never overwrite each other's progress.
    """

    Status = RelinkStatus

    model_version = models.ForeignKey(LinkageModelVersion, on_delete=models.PROTECT,
                                      related_name="relink_runs",
                                      verbose_name=_("versión del modelo"))
    partition_key = models.CharField(_("clave de partición"), max_length=40)
    status = models.CharField(_("estado"), max_length=8, choices=Status.choices,
                              default=Status.RUNNING)
    partitions_total = models.PositiveIntegerField(_("particiones"), default=0)
    partitions_done = models.PositiveIntegerField(_("particiones terminadas"), default=0)
    records_total = models.PositiveIntegerField(_("registros"), default=0)
    pairs = models.PositiveBigIntegerField(_("pares evaluados"), default=0)
    links = models.PositiveIntegerField(_("vínculos automáticos"), default=0)
    candidates = models.PositiveIntegerField(_("coincidencias para revisión"), default=0)
    alerts = models.PositiveIntegerField(_("alertas"), default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("solicitó"))
    started_at = models.DateTimeField(_("inicio"), default=timezone.now)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    error_message = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("revinculación")
        verbose_name_plural = _("revinculaciones")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RelinkStatus.values),
                                   name="relink_run_status_valid"),
            models.CheckConstraint(
                condition=Q(partitions_done__lte=models.F("partitions_total")),
                name="relink_run_progress_bounded"),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.partitions_done}/{self.partitions_total} ({self.status})"


class BlockingKey(models.Model):
    """One blocking key of one stored record: the linkage index shared by every process.

    For each blocking pass (and orientation, for passes that compare different
    features on each side) a record has at most one key, a 64-bit hash of its
    prepared features. A new record's candidates are the records holding one of
    its keys (``matching.keyindex``). ``sort_key`` orders the rows of a block by
    name so an oversized block is read as a window around the new record.
    Not a foreign key: a deleted record's keys are dropped when next met.
    """

    record_id = models.BigIntegerField(_("registro"), db_index=True)
    orientation = models.PositiveSmallIntegerField(_("paso de bloqueo"))
    key = models.BigIntegerField(_("clave"))
    sort_key = models.BigIntegerField(_("orden"), default=0)

    class Meta:
        verbose_name = _("clave de bloqueo")
        verbose_name_plural = _("claves de bloqueo")
        indexes = [models.Index(fields=["orientation", "key", "sort_key", "record_id"],
                                name="blocking_key_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.orientation}/{self.key}"


class KeyedRecord(models.Model):
    """When a record's blocking keys were written: its ``updated_at`` at that moment.

    The catch-up re-keys only records whose ``updated_at`` moved since (an edit made
    outside linkage), so no process ever rebuilds the index to see a change.
    """

    record_id = models.BigIntegerField(_("registro"), primary_key=True)
    stamp = models.DateTimeField(_("versión indexada"))

    class Meta:
        verbose_name = _("registro indexado")
        verbose_name_plural = _("registros indexados")

    def __str__(self) -> str:
        return f"{self.record_id} @ {self.stamp}"


class BlockingIndexState(models.Model):
    """What the blocking-key table holds: for which passes, up to when (one row)."""

    signature = models.CharField(_("firma de los pasos"), max_length=64)
    watermark = models.DateTimeField(_("registros leídos hasta"), null=True, blank=True)
    records = models.PositiveIntegerField(_("registros indexados"), default=0)
    built_at = models.DateTimeField(_("construido"), default=timezone.now)

    class Meta:
        verbose_name = _("estado del índice de bloqueo")
        verbose_name_plural = _("estado del índice de bloqueo")

    def __str__(self) -> str:
        return f"{self.records} ({self.watermark})"
