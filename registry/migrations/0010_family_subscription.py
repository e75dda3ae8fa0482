# FamilySubscription moves from public_site to registry (issue 11: family notices live
# next to the family's case). The table is renamed; no row changes. public_site's
# migration 0002 removes the model from public_site's state after this one.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import registry.models


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0009_name_word_triggers_always"),
        ("public_site", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE public_site_familysubscription RENAME TO registry_familysubscription",
                    "ALTER TABLE registry_familysubscription RENAME TO public_site_familysubscription",
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="FamilySubscription",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("email", models.EmailField(max_length=254, verbose_name="correo electrónico")),
                        ("consent_text_version", models.CharField(max_length=20, verbose_name="versión del aviso aceptado")),
                        ("consented_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="fecha del consentimiento")),
                        ("unsubscribe_token", models.CharField(default=registry.models.new_unsubscribe_token, editable=False, max_length=64, unique=True, verbose_name="clave para darse de baja")),
                        ("unsubscribed_at", models.DateTimeField(blank=True, null=True, verbose_name="baja")),
                        ("last_notified_at", models.DateTimeField(blank=True, null=True, verbose_name="último aviso")),
                        ("case", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="family_subscriptions", to="registry.case", verbose_name="caso")),
                    ],
                    options={
                        "verbose_name": "aviso a la familia",
                        "verbose_name_plural": "avisos a familias",
                        "constraints": [
                            models.UniqueConstraint(condition=models.Q(("unsubscribed_at__isnull", True)), fields=("case", "email"), name="family_subscription_active_once"),
                            models.CheckConstraint(condition=models.Q(("consent_text_version", ""), _negated=True), name="family_subscription_consent_recorded"),
                        ],
                    },
                ),
            ],
        ),
    ]
