"""Template helpers of the busiest public pages, written in Python for speed.

The search results list and the filter controls are rendered on every search; as
Django template includes and loops they cost more than the search itself. Every value
goes through the standard library's ``html.escape`` (what Django's ``escape`` calls)
before it is marked safe; ``tests/public_site`` checks hostile names and values.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from html import escape as _escape
from urllib.parse import quote

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from public_site.entries import PublicEntry
from registry import display

register = template.Library()


_MONTH_ONLY = re.compile(r"^(\d{4})-(\d{2})$")


@register.filter
def fecha_publica(value: date | datetime | str | None) -> str:
    """``{{ entry.event_date|fecha_publica }}`` → 04/07/2010, or 07/2010 when the policy
    shows only the month: the staff pages' dd/mm/aaaa on every public page (lists and
    posters alike), and no month name to capitalise."""
    if isinstance(value, str):
        month = _MONTH_ONLY.match(value)
        return f"{month[2]}/{month[1]}" if month else value
    return display.date_text(value)


def _event_date_text(value: date | str | None, long_dates: bool = False) -> str:
    # long_dates is kept for the templates that pass it: one format everywhere now.
    return fecha_publica(value)


@register.simple_tag
def entry_facts(entry: PublicEntry, labels: dict[str, str], long_dates: bool = False
                ) -> SafeString:
    """Return the facts of a public entry as a <dl>: sex, age band, date, place, status."""
    record = entry.record
    facts: list[tuple[str, str]] = []
    if entry.sex_label:
        facts.append((labels["sex"], entry.sex_label))
    if record.get("age_band"):
        facts.append((labels["age"], f"{record['age_band']} {labels['years']}"))
    if entry.event_date:
        facts.append((labels["disappeared"], _event_date_text(entry.event_date, long_dates)))
    if record.get("event_state"):
        facts.append((labels["state"], str(record["event_state"])))
    if record.get("event_municipality"):
        facts.append((labels["municipality"], str(record["event_municipality"])))
    facts.append((labels["status"], entry.status_label))
    # The standard library's escape (what Django's escape calls), on plain strings:
    # this runs a hundred times per results page.
    return mark_safe('<dl class="facts">' + "".join(  # noqa: S308 — every value escaped
        f"<dt>{_escape(str(label))}</dt><dd>{_escape(str(value))}</dd>"
        for label, value in facts) + "</dl>")


@register.simple_tag
def search_result_items(entries: list[PublicEntry], labels: dict[str, str]) -> SafeString:
    """Return the <li> items of a page of search results."""
    placeholder = static("public_site/sin-foto.svg")
    entry_path = reverse("public_site:entry", args=["clave"]).removesuffix("clave/")
    unnamed = _("Nombre no publicado")
    image = f'<img src="{_escape(placeholder)}" alt="" width="64" height="80">'
    return mark_safe("\n".join(  # noqa: S308 — every value escaped
        f'<li>{image}<div><h3><a href="{_escape(entry_path + quote(entry.key, safe=""))}/">'
        f"{_escape(entry.name or str(unnamed))}</a></h3>{entry_facts(entry, labels)}</div></li>"
        for entry in entries))


# (language, field, value, state) → the control's HTML. A control without errors is
# the same for the same value: on a name search every control but the name is empty.
# The municipality's options depend on the state chosen, which is in the key.
_CONTROLS_MAX = 4096
_controls_html: dict[tuple[str, str, str, str], str] = {}


@register.simple_tag
def search_form_controls(filterset) -> SafeString:
    """Return the search form's labelled controls (see ``PublicEntryFilterSet.controls``)."""
    language = get_language() or ""
    state = filterset.control_value("estado")
    parts = []
    for name in filterset.form.fields:
        if name == "q" or filterset.control_errors(name):
            parts.append(_control_html(filterset.control(name)))
            continue
        key = (language, name, filterset.control_value(name),
               state if name == "municipio" else "")
        html = _controls_html.get(key)
        if html is None:
            if len(_controls_html) >= _CONTROLS_MAX:
                _controls_html.clear()
            html = _controls_html[key] = _control_html(filterset.control(name))
        parts.append(html)
    return mark_safe("\n".join(parts))  # noqa: S308 — _control_html escapes every value


def _control_html(control: dict) -> str:
    control_id, name = _escape(control["id"]), _escape(control["name"])
    help_text = str(control["help"]) if control["help"] else ""
    described = f' aria-describedby="{control_id}_ayuda"' if help_text else ""
    value = _escape(control["value"])
    if control["options"] is not None:  # already escaped (filters._options_html)
        widget = f'<select name="{name}" id="{control_id}"{described}>{control["options"]}</select>'
    elif control["name"] == "q":
        widget = (f'<input type="search" name="q" id="{control_id}" value="{value}" '
                  'maxlength="120" autocomplete="off">')
    else:
        widget = (f'<input type="{_escape(control["type"])}" name="{name}" id="{control_id}" '
                  f'value="{value}" placeholder="AAAA-MM"{described}>')
    if help_text:
        widget += f'<span class="helptext" id="{control_id}_ayuda">{_escape(help_text)}</span>'
    if control["errors"]:
        widget += '<ul class="errorlist">' + "".join(
            f"<li>{_escape(str(error))}</li>" for error in control["errors"]) + "</ul>"
    wide = ' class="wide"' if control["name"] == "q" else ""
    return (f'<div{wide}><label for="{control_id}">{_escape(str(control["label"]))}</label>'
            f"{widget}</div>")


@functools.cache
def _family_labels(language: str | None) -> dict[str, str]:
    # Translated once per language and process: the family page is the second busiest.
    return {
        "folio": _("Folio"), "person": _("Persona"), "status": _("Situación actual"),
        "updated": _("Última actualización"), "agency": _("Fiscalía a cargo"),
        "linked_title": _("¿Hay información de otra institución?"),
        "linked_yes": _("Sí. Un registro de otra institución fue vinculado a este caso. La "
                        "fiscalía a cargo puede darle los detalles."),
        "linked_no": _("Todavía no. Cuando un registro de otra institución se vincule a este "
                       "caso, lo verá aquí."),
        "history_title": _("Historial de la situación"),
        "history_none": _("La situación no ha cambiado desde que se abrió el caso."),
    }


def _long_date(value) -> str:
    # dd/mm/aaaa, in local time (display.date_text), as on every public page.
    return fecha_publica(value) if value else ""


@register.simple_tag
def family_status_sections(family: dict) -> SafeString:
    """Return the family page's facts, linked-record notice and history as HTML.

    The same markup the template wrote with a dozen translate tags and a loop, built
    in Python with every value escaped.
    """
    labels = _family_labels(get_language())
    case = family["case"]
    facts = [(labels["folio"], case.get("folio", ""))]
    if family["name"]:
        facts.append((labels["person"], family["name"]))
    rows = "".join(f"<dt>{_escape(str(label))}</dt><dd>{_escape(str(value))}</dd>"
                   for label, value in facts)
    rows += (f"<dt>{_escape(labels['status'])}</dt>"
             f"<dd><strong>{_escape(str(family['status_label']))}</strong></dd>"
             f"<dt>{_escape(labels['updated'])}</dt>"
             f"<dd>{_escape(_long_date(family['last_update']))}</dd>"
             f"<dt>{_escape(labels['agency'])}</dt><dd>{_escape(str(case.get('agency', '')))}</dd>")
    if family["has_linked_record"]:
        linked = f'<p class="notice ok">{_escape(labels["linked_yes"])}</p>'
    else:
        linked = f"<p>{_escape(labels['linked_no'])}</p>"
    if family["history"]:
        history = '<ol class="history">' + "".join(
            f"<li>{_escape(_long_date(change['changed_at']))}: "
            f"{_escape(str(change['to_label']))}</li>" for change in family["history"]) + "</ol>"
    else:
        history = f"<p>{_escape(labels['history_none'])}</p>"
    return mark_safe(  # noqa: S308 — every value escaped
        f'<dl class="facts">{rows}</dl>\n<h2>{_escape(labels["linked_title"])}</h2>\n'
        f'{linked}\n<h2>{_escape(labels["history_title"])}</h2>\n{history}')
