"""The SQL age and adulthood expressions agree with the policy's Python functions."""

from datetime import date

from public_site.expressions import YearsBetween, adult_q, with_adulthood
from registry.models import Record
from registry.redaction import age_at, record_is_minor
from tests.factories import RecordFactory

CASES = [
    # (birth_date, event_date, age)
    (date(2000, 3, 1), date(2018, 2, 28), None),   # 17 at the event, adult now
    (date(2000, 3, 1), date(2018, 3, 1), None),    # 18 on the day
    (date(2000, 2, 29), date(2018, 2, 28), None),  # leap-day birthday
    (None, date(2020, 1, 1), 30),
    (None, date(2020, 1, 1), 16),
    (None, None, None),                             # unknown: a minor
    (date(2030, 1, 1), date(2020, 1, 1), None),    # birth after event: unknown
    (date(1950, 1, 1), None, 17),                  # declared 17 wins
    (date(2015, 6, 1), date(2024, 1, 1), 40),      # inconsistent: the minor age wins
]


def test_years_between_and_adulthood_match_the_policy(db):
    records = [RecordFactory(birth_date=b, event_date=e, age=a) for b, e, a in CASES]
    annotated = {r.pk: r for r in Record.objects.annotate(
        years=YearsBetween("birth_date", "event_date"))}
    adults = set(with_adulthood(Record.objects.all()).filter(adult_q())
                 .values_list("pk", flat=True))
    for record in records:
        assert annotated[record.pk].years == age_at(record.birth_date, record.event_date)
        assert (record.pk in adults) == (not record_is_minor(record)), record
