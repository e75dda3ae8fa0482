"""Each public filter is justified by the redaction policy (no filter on a hidden field)."""

from public_site.filters import PUBLIC_FILTERS, PublicEntryFilterSet
from registry.redaction import (
    AGE_BAND,
    MONTH,
    PUBLIC_BROWSABLE_KINDS,
    STATE_ONLY,
    Audience,
    filterable_fields,
    rule_for,
    visibility,
)


def test_every_declared_filter_is_in_the_allow_list():
    declared = set(PublicEntryFilterSet.base_filters) - {"q", "orden"}
    assert declared == set(PUBLIC_FILTERS)
    assert PublicEntryFilterSet._meta.fields == []


def test_each_filter_works_on_what_the_public_sees():
    for _name, (model, field, granularity) in PUBLIC_FILTERS.items():
        rule = rule_for(model, field, Audience.PUBLIC)
        if granularity == "value":
            shown = visibility(model, field, Audience.PUBLIC)
            assert shown is not None and not shown.needs_adult and not shown.needs_consent
            assert shown.kinds is None or set(PUBLIC_BROWSABLE_KINDS) <= set(shown.kinds)
        elif granularity == "month":
            assert rule.if_minor in (None, MONTH) and rule.transform in ("show", MONTH)
        elif granularity == "age_band":
            assert rule.transform == AGE_BAND
        elif granularity == "adults_only":
            assert visibility(model, field, Audience.PUBLIC).needs_adult
            assert rule.if_minor == STATE_ONLY


def test_state_and_status_are_unconditionally_public():
    assert "event_state" in filterable_fields("registry.record", Audience.PUBLIC)
    assert "status" in filterable_fields("registry.case", Audience.PUBLIC)
