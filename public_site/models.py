"""The public site reads the registry; it stores only families' notification requests."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import Case

# The text the family agrees to; stored with each subscription so the consent can be shown.
CONSENT_TEXT_VERSION = "2026-11-v1"


def _new_unsubscribe_token() -> str:
    return secrets.token_urlsafe(24)


class FamilySubscription(models.Model):
    """A family's request to be told by email when its case changes (stored with consent)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="family_subscriptions",
                             verbose_name=_("caso"))
    email = models.EmailField(_("correo electrónico"))
    consent_text_version = models.CharField(_("versión del aviso aceptado"), max_length=20)
    consented_at = models.DateTimeField(_("fecha del consentimiento"), default=timezone.now)
    unsubscribe_token = models.CharField(_("clave para darse de baja"), max_length=64,
                                         unique=True, default=_new_unsubscribe_token,
                                         editable=False)
    unsubscribed_at = models.DateTimeField(_("baja"), null=True, blank=True)
    last_notified_at = models.DateTimeField(_("último aviso"), null=True, blank=True)

    class Meta:
        verbose_name = _("aviso a la familia")
        verbose_name_plural = _("avisos a familias")
        constraints = [
            # One active subscription per address and case; a new one after a removal.
            models.UniqueConstraint(fields=["case", "email"],
                                    condition=Q(unsubscribed_at__isnull=True),
                                    name="family_subscription_active_once"),
            models.CheckConstraint(condition=~Q(consent_text_version=""),
                                   name="family_subscription_consent_recorded"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.email}"

    @property
    def is_active(self) -> bool:
        return self.unsubscribed_at is None
