"""The search form's select options, cached per state and language, equal Django's own."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.utils.html import escape

from public_site.filters import PublicEntryFilterSet, _options_html


@pytest.mark.parametrize("query", ["", "estado=09", "estado=20&municipio=20067", "estado=xx"])
def test_municipality_options_are_the_fields_own(db, query):
    filterset = PublicEntryFilterSet(QueryDict(query) if query else None)
    field = filterset.form.fields["municipio"]
    selected = QueryDict(query).get("municipio", "")
    expected = "".join(
        f'<option value="{escape(key)}"{" selected" if str(key) == selected else ""}>'
        f"{escape(label)}</option>" for key, label in field.choices)
    assert _options_html("municipio", field, selected) == expected
    assert _options_html("municipio", field, selected) == expected  # cached: the same
