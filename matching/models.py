"""Tables of the matching app: recorded merge and split decisions.

Match candidates, alerts and people live in the registry's models; this app keeps
what it needs to undo its own decisions exactly.
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
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decidió"))
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
