# Issue 12: a case follows its missing report's person through every link, merge, split
# and undo (matching/services.py). Until now a link moved the records but never the
# case, so existing cases point at no person (or at a stale one). This backfill puts
# every case with a report on its report's person, and writes a "~" history row for
# each case it changes (the previous version is kept, as for any case change).

from django.db import migrations
from django.utils import timezone

REASON = "Caso vinculado a la persona de su reporte (migración)"
CHUNK = 2000


def _changed_cases(Case):
    rows = (Case.objects.filter(missing_report__isnull=False).order_by("pk")
            .values_list("pk", "person_id", "missing_report__person_id"))
    return [(pk, report_person) for pk, person, report_person in rows.iterator(chunk_size=CHUNK)
            if person != report_person]


def case_person_from_report(apps, schema_editor):
    Case = apps.get_model("registry", "Case")
    HistoricalCase = apps.get_model("registry", "HistoricalCase")
    changed = _changed_cases(Case)
    now = timezone.now()
    history_fields = {field.attname for field in HistoricalCase._meta.concrete_fields}
    for start in range(0, len(changed), CHUNK):
        chunk = dict(changed[start:start + CHUNK])
        cases = list(Case.objects.filter(pk__in=list(chunk)))
        for case in cases:
            case.person_id = chunk[case.pk]
            case.updated_at = now
        Case.objects.bulk_update(cases, ["person", "updated_at"], batch_size=500)
        HistoricalCase.objects.bulk_create([
            HistoricalCase(
                **{field.attname: getattr(case, field.attname)
                   for field in Case._meta.concrete_fields if field.attname in history_fields},
                history_date=now, history_change_reason=REASON, history_type="~",
            ) for case in cases
        ], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0010_family_subscription"),
    ]

    operations = [
        # Not reversible in content (which person a case was on before is in its history);
        # going back leaves the cases where they are.
        migrations.RunPython(case_person_from_report, migrations.RunPython.noop,
                             elidable=True),
    ]
