"""A lighter write path for imports: drop indexes that no query uses.

Every imported row paid for 12 index entries on ``registry_record`` and 11 on its
history table. Dropped here: ``record.agency_id`` (the unique (agency, external_id)
index starts with it), the state and municipality code indexes and Django's
``varchar_pattern_ops`` twins (no LIKE on codes; the state is served by
(kind, event_state), the municipality gets one plain index), and the history
table's indexes on agency, state, municipality and person (history is read per
record id and per import batch, both still indexed).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0003_batch_progress_rejected_rows_mappings'),
        ('registry', '0007_record_updated_at_idx'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalrecord',
            name='agency',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.agency', verbose_name='institución'),
        ),
        migrations.AlterField(
            model_name='historicalrecord',
            name='event_municipality',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.municipality', verbose_name='municipio del hecho'),
        ),
        migrations.AlterField(
            model_name='historicalrecord',
            name='event_state',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.state', verbose_name='entidad del hecho'),
        ),
        migrations.AlterField(
            model_name='historicalrecord',
            name='person',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.person', verbose_name='persona'),
        ),
        migrations.AlterField(
            model_name='record',
            name='agency',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='records', to='registry.agency', verbose_name='institución'),
        ),
        migrations.AlterField(
            model_name='record',
            name='event_municipality',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.municipality', verbose_name='municipio del hecho'),
        ),
        migrations.AlterField(
            model_name='record',
            name='event_state',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.state', verbose_name='entidad del hecho'),
        ),
        migrations.AddIndex(
            model_name='record',
            index=models.Index(fields=['event_municipality'], name='record_municipality_idx'),
        ),
    ]
