"""Public site: the stable key of each public entry, and PostgreSQL search indexes.

1. ``Case.public_key``: the policy's pseudonym of the case id, unique and indexed, so
   the entry page ("ficha") finds its case in one index probe (filled for existing
   cases here; ``Case.save`` fills it for new ones).
2. PostgreSQL only (SQLite skips this step and searches by scanning, which is fine
   for the embedded mode):
   - ``pg_trgm``;
   - GIN indexes on the words of ``name_search`` (``to_tsvector('simple', …)``), one
     partial index for missing-person reports (public name search) and one for
     detention and release records (public detention lookup);
   - ``public_name_word``: the distinct words of missing-person names, with a trigram
     index, used to expand each searched word to its spelling variants before the word
     index is probed; statement-level triggers on ``registry_record`` keep it current.
     It is internal: the words only widen the candidates, which are then filtered to
     the names the public may see.
"""

from django.conf import settings
from django.db import migrations, models

PG_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # public_site.search: candidates of the public name search.
    """CREATE INDEX IF NOT EXISTS record_missing_name_words_idx ON registry_record
       USING gin (to_tsvector('simple'::regconfig, name_search))
       WHERE kind = 'missing_report'""",
    # public_site.selectors.detention_lookup: records whose name has all the words asked.
    """CREATE INDEX IF NOT EXISTS record_detention_name_words_idx ON registry_record
       USING gin (to_tsvector('simple'::regconfig, name_search))
       WHERE kind IN ('detention', 'release_transfer')""",
    # public_site.search: the vocabulary of name words, to expand a searched word to its
    # spelling variants. Kept current by statement-level triggers (one INSERT per
    # statement, not per row, so bulk imports stay fast); words are never removed.
    "CREATE TABLE IF NOT EXISTS public_name_word (word text PRIMARY KEY)",
    """CREATE OR REPLACE FUNCTION public_name_word_collect() RETURNS trigger AS $$
    BEGIN
        INSERT INTO public_name_word (word)
        SELECT DISTINCT w FROM new_rows r,
               unnest(string_to_array(r.name_search, ' ')) AS w
        WHERE r.kind = 'missing_report' AND w <> ''
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER registry_record_name_words_insert AFTER INSERT ON registry_record
       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
       EXECUTE FUNCTION public_name_word_collect()""",
    """CREATE TRIGGER registry_record_name_words_update AFTER UPDATE ON registry_record
       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
       EXECUTE FUNCTION public_name_word_collect()""",
    """INSERT INTO public_name_word (word)
       SELECT DISTINCT w FROM registry_record r,
              unnest(string_to_array(r.name_search, ' ')) AS w
       WHERE r.kind = 'missing_report' AND w <> ''
       ON CONFLICT DO NOTHING""",
    """CREATE INDEX IF NOT EXISTS public_name_word_trgm_idx ON public_name_word
       USING gin (word gin_trgm_ops)""",
]

PG_DROP = [
    "DROP TRIGGER IF EXISTS registry_record_name_words_update ON registry_record",
    "DROP TRIGGER IF EXISTS registry_record_name_words_insert ON registry_record",
    "DROP FUNCTION IF EXISTS public_name_word_collect()",
    "DROP TABLE IF EXISTS public_name_word",
    "DROP INDEX IF EXISTS record_detention_name_words_idx",
    "DROP INDEX IF EXISTS record_missing_name_words_idx",
]


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_CREATE:
            schema_editor.execute(statement)


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_DROP:
            schema_editor.execute(statement)


def fill_public_keys(apps, schema_editor):
    import hashlib
    import hmac

    Case = apps.get_model("registry", "Case")
    key = settings.PSEUDONYM_KEY.encode("utf-8")
    for case_id in Case.objects.filter(public_key__isnull=True).values_list("pk", flat=True):
        message = f"registry.case.id:{case_id}".encode()
        public_key = hmac.new(key, message, hashlib.sha256).hexdigest()[:20]
        Case.objects.filter(pk=case_id).update(public_key=public_key)


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0005_case_status_request"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="public_key",
            field=models.CharField(blank=True, editable=False, max_length=20, null=True,
                                   unique=True, verbose_name="clave pública"),
        ),
        migrations.RunPython(fill_public_keys, migrations.RunPython.noop),
        migrations.RunPython(create_search_indexes, drop_search_indexes),
    ]
