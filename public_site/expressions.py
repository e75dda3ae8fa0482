"""SQL expressions for what the policy derives from a record: age in years, adulthood.

They reproduce ``registry.redaction.age_at`` and ``record_is_minor`` in the database,
so that the public can filter on an age band or a municipality without the filter
seeing more than the page would show (``tests/public_site/test_expressions.py``
checks them against the Python functions on both databases).
"""

from __future__ import annotations

from datetime import date

from django.db.models import F, Func, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from registry.redaction import ADULT_AGE


class YearsBetween(Func):
    """Whole years from ``start`` to ``end`` (a birthday counts on the day); NULL if negative."""

    output_field = IntegerField()
    arity = 2

    def _compiled(self, compiler, connection):
        start_sql, start_params = compiler.compile(self.source_expressions[0])
        end_sql, end_params = compiler.compile(self.source_expressions[1])
        return start_sql, list(start_params), end_sql, list(end_params)

    def as_sql(self, compiler, connection, **extra_context):  # PostgreSQL and others
        start, sp, end, ep = self._compiled(compiler, connection)
        years = (f"(EXTRACT(YEAR FROM {end})::int - EXTRACT(YEAR FROM {start})::int"
                 f" - CASE WHEN to_char({end}, 'MMDD') < to_char({start}, 'MMDD')"
                 f" THEN 1 ELSE 0 END)")
        params = ep + sp + ep + sp
        return f"(CASE WHEN {years} < 0 THEN NULL ELSE {years} END)", params * 2

    def as_sqlite(self, compiler, connection, **extra_context):
        start, sp, end, ep = self._compiled(compiler, connection)
        years = (f"(CAST(strftime('%%Y', {end}) AS INTEGER)"
                 f" - CAST(strftime('%%Y', {start}) AS INTEGER)"
                 f" - (strftime('%%m%%d', {end}) < strftime('%%m%%d', {start})))")
        params = ep + sp + ep + sp
        return f"(CASE WHEN {years} < 0 THEN NULL ELSE {years} END)", params * 2


def public_age() -> Coalesce:
    """The age the public sees as a band: declared age, else age at the event."""
    return Coalesce(F("age"), YearsBetween(F("birth_date"), F("event_date")))


def with_adulthood(records: QuerySet, *, today: date | None = None) -> QuerySet:
    """Annotate the three ages ``record_is_minor`` looks at (prefix ``_adult_``)."""
    today = today or date.today()
    return records.annotate(
        _adult_at_event=YearsBetween(F("birth_date"), F("event_date")),
        _adult_now=YearsBetween(F("birth_date"), Value(today)),
    )


def adult_q() -> Q:
    """Adults only, as ``record_is_minor`` decides (unknown age counts as a minor).

    Needs ``with_adulthood`` on the queryset.
    """
    known = (Q(age__isnull=False) | Q(_adult_at_event__isnull=False)
             | Q(_adult_now__isnull=False))
    return (known
            & (Q(age__isnull=True) | Q(age__gte=ADULT_AGE))
            & (Q(_adult_at_event__isnull=True) | Q(_adult_at_event__gte=ADULT_AGE))
            & (Q(_adult_now__isnull=True) | Q(_adult_now__gte=ADULT_AGE)))
