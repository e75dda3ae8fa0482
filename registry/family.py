"""The family's side of a case: e-mail notices of changes, with recorded consent.

A family asks on the public site to be told when its case changes; the notice is
sent after a status change commits (``registry.services.case_status_change``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.audit import audit_event_record
from registry.models import CONSENT_TEXT_VERSION, AuditEvent, Case, FamilySubscription


@transaction.atomic
def family_subscription_create(*, case: Case, email: str,
                               ip_address: str | None) -> FamilySubscription:
    """Store a family's consent to be told of changes to its case (idempotent per address)."""
    email = email.strip().lower()
    subscription = FamilySubscription.objects.filter(
        case=case, email=email, unsubscribed_at__isnull=True).first()
    if subscription is None:
        subscription = FamilySubscription(case=case, email=email,
                                          consent_text_version=CONSENT_TEXT_VERSION)
        subscription.full_clean()
        subscription.save()
        audit_event_record(actor=None, action=AuditEvent.Action.CREATE, target=subscription,
                           ip_address=ip_address,
                           purpose=_("Aviso de cambios solicitado por la familia"))
    return subscription


@transaction.atomic
def family_subscription_cancel(*, token: str, ip_address: str | None) -> bool:
    """Stop the notifications of the subscription with this token; return False if unknown."""
    subscription = (FamilySubscription.objects.select_for_update()
                    .filter(unsubscribe_token=token, unsubscribed_at__isnull=True).first())
    if subscription is None:
        return False
    subscription.unsubscribed_at = timezone.now()
    subscription.save(update_fields=["unsubscribed_at"])
    audit_event_record(actor=None, action=AuditEvent.Action.DELETE, target=subscription,
                       ip_address=ip_address, purpose=_("Baja de avisos solicitada"))
    return True


def family_notifications_send(*, case_id: int) -> int:
    """Email every active subscriber of the case that it changed; return how many.

    The message says only that there is news and how to look it up: an email can be
    read by others, so it carries no detail of the case, not even the folio.
    """
    sent = 0
    subscriptions = FamilySubscription.objects.filter(case_id=case_id,
                                                      unsubscribed_at__isnull=True)
    base_url = getattr(settings, "PUBLIC_SITE_URL", "").rstrip("/")
    for subscription in subscriptions:
        body = _(
            "Hay una actualización en el caso de su familiar.\n\n"
            "Consulte la situación con su folio y su código de acceso en %(url)s\n\n"
            "Para dejar de recibir estos avisos: %(unsubscribe)s\n"
        ) % {"url": f"{base_url}/familias/",
             "unsubscribe": f"{base_url}/familias/avisos/baja/{subscription.unsubscribe_token}/"}
        send_mail(_("Actualización de su caso"), body, None, [subscription.email])
        FamilySubscription.objects.filter(pk=subscription.pk).update(
            last_notified_at=timezone.now())
        sent += 1
    return sent
