"""The family's decision about publication replaces the consent flag (issue 12).

1. ``Case.publication``: publish / publish without name / do not publish, and
   ``public_key_version`` (each withdrawal of publication gives the entry a new key).
2. Data: a case whose family consented is published with its name; every other case
   is published without name, which is exactly what the public saw of it before
   (``publication_consent`` = False hid the name and description, nothing else). The
   same for the history table, so that earlier versions read in the new terms.
3. ``publication_consent`` is removed in the next migration (0015), not here: on
   PostgreSQL a table whose rows were just updated cannot be altered in the same
   transaction while deferred foreign-key checks are pending.

Backwards: "publish" becomes consent, both others none; "do not publish" cannot be
expressed by the old flag and becomes a public entry without name again.
"""

from django.db import migrations, models

PUBLISH, WITHOUT_NAME = "publicar", "sin_nombre"
CHOICES = [("publicar", "Publicar"), ("sin_nombre", "Publicar sin nombre"),
           ("no_publicar", "No publicar")]


def consent_to_publication(apps, schema_editor):
    for name in ("Case", "HistoricalCase"):
        model = apps.get_model("registry", name)
        model.objects.filter(publication_consent=True).update(publication=PUBLISH)


def publication_to_consent(apps, schema_editor):
    for name in ("Case", "HistoricalCase"):
        model = apps.get_model("registry", name)
        model.objects.filter(publication=PUBLISH).update(publication_consent=True)


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0013_record_kinds_forensic_alert_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="publication",
            field=models.CharField(choices=CHOICES, db_default=WITHOUT_NAME, default=WITHOUT_NAME, help_text="Decisión de la familia: publicar la ficha con nombre, sin nombre, o no publicarla.", max_length=12, verbose_name="publicación"),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="publication",
            field=models.CharField(choices=CHOICES, db_default=WITHOUT_NAME, default=WITHOUT_NAME, help_text="Decisión de la familia: publicar la ficha con nombre, sin nombre, o no publicarla.", max_length=12, verbose_name="publicación"),
        ),
        migrations.AddField(
            model_name="case",
            name="public_key_version",
            field=models.PositiveSmallIntegerField(db_default=0, default=0, editable=False, help_text="Aumenta cada vez que se retira la publicación: la ficha cambia de clave.", verbose_name="versión de la clave pública"),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="public_key_version",
            field=models.PositiveSmallIntegerField(db_default=0, default=0, editable=False, help_text="Aumenta cada vez que se retira la publicación: la ficha cambia de clave.", verbose_name="versión de la clave pública"),
        ),
        migrations.RunPython(consent_to_publication, publication_to_consent),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(condition=models.Q(("publication__in", ["publicar", "sin_nombre", "no_publicar"])), name="case_publication_valid"),
        ),
    ]
