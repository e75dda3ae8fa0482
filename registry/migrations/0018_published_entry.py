"""The published-entry table (``registry.published``): each public entry, already redacted.

PostgreSQL also gets the word index of the public name search on the table's
``search_words`` (SQLite ranks every searchable row in Python). The table is filled
after migrating (``registry.apps``: when it is empty and published cases exist) or by
``manage.py published_entries_rebuild``.
"""

import django.db.models.deletion
from django.db import migrations, models

PG_CREATE = """CREATE INDEX IF NOT EXISTS published_name_words_idx ON registry_publishedentry
    USING gin (to_tsvector('simple'::regconfig, search_words)) WITH (fastupdate = off)
    WHERE search_words <> ''"""
PG_DROP = "DROP INDEX IF EXISTS published_name_words_idx"


def create_word_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_CREATE)


def drop_word_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0017_audit_log_refuses_truncate'),
    ]

    operations = [
        migrations.CreateModel(
            name='PublishedEntry',
            fields=[
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='registry.case', verbose_name='caso')),
                ('report_id', models.BigIntegerField(verbose_name='reporte')),
                ('public_key', models.CharField(max_length=20, unique=True, verbose_name='clave pública')),
                ('search_words', models.CharField(blank=True, max_length=600, verbose_name='palabras del nombre')),
                ('state_id', models.CharField(blank=True, max_length=2, verbose_name='entidad')),
                ('municipality_id', models.CharField(blank=True, max_length=5, verbose_name='municipio')),
                ('event_month', models.DateField(blank=True, null=True, verbose_name='mes del hecho')),
                ('sex', models.CharField(blank=True, max_length=1, verbose_name='sexo')),
                ('age_band', models.CharField(blank=True, max_length=8, verbose_name='rango de edad')),
                ('status', models.CharField(max_length=24, verbose_name='situación')),
                ('case_updated_at', models.DateTimeField(verbose_name='caso actualizado')),
                ('shown', models.TextField(verbose_name='vista pública')),
                ('review_on', models.DateField(blank=True, null=True, verbose_name='revisar el')),
            ],
            options={
                'verbose_name': 'ficha publicada',
                'verbose_name_plural': 'fichas publicadas',
                'indexes': [models.Index(fields=['-event_month', '-report_id'], name='published_recent_idx'), models.Index(fields=['-case_updated_at', '-report_id'], name='published_updated_idx'), models.Index(fields=['state_id'], name='published_state_idx'), models.Index(condition=models.Q(('review_on__isnull', False)), fields=['review_on'], name='published_review_idx')],
            },
        ),
        migrations.RunPython(create_word_index, drop_word_index),
    ]
