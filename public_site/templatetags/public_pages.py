"""Template helpers of the busiest public pages, written in Python for speed.

The search results list is rendered once per search; as Django template includes it
cost more than the search itself. Everything is escaped by ``format_html``.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from public_site.selectors import PublicEntry

register = template.Library()


def _event_date_text(value: date | str | None, long_dates: bool) -> str:
    if isinstance(value, date):
        return date_format(value, "DATE_FORMAT") if long_dates else value.isoformat()
    return value or ""  # "YYYY-MM": the policy shows only the month


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
    return format_html('<dl class="facts">{}</dl>',
                       format_html_join("", "<dt>{}</dt><dd>{}</dd>", facts))


@register.simple_tag
def search_result_items(entries: list[PublicEntry], labels: dict[str, str]) -> SafeString:
    """Return the <li> items of a page of search results."""
    placeholder = static("public_site/sin-foto.svg")
    entry_path = reverse("public_site:entry", args=["clave"]).removesuffix("clave/")
    unnamed = _("Nombre no publicado")
    return format_html_join(
        "\n", '<li><img src="{}" alt="" width="64" height="80"><div>'
              '<h3><a href="{}">{}</a></h3>{}</div></li>',
        ((placeholder, f"{entry_path}{quote(entry.key, safe='')}/", entry.name or unnamed,
          entry_facts(entry, labels)) for entry in entries))


@register.simple_tag
def search_form_controls(filterset) -> SafeString:
    """Return the search form's labelled controls (see ``PublicEntryFilterSet.controls``)."""
    return format_html_join("\n", "{}", ((_control_html(control),)
                                          for control in filterset.controls()))


def _control_html(control: dict) -> SafeString:
    control_id, name = control["id"], control["name"]
    help_id = f"{control_id}_ayuda"
    described = format_html(' aria-describedby="{}"', help_id) if control["help"] else ""
    if control["options"] is not None:
        widget = format_html('<select name="{}" id="{}"{}>{}</select>', name, control_id,
                             described, control["options"])
    elif name == "q":
        widget = format_html('<input type="search" name="q" id="{}" value="{}" maxlength="120" '
                             'autocomplete="off">', control_id, control["value"])
    else:
        widget = format_html('<input type="{}" name="{}" id="{}" value="{}" '
                             'placeholder="AAAA-MM"{}>', control["type"], name, control_id,
                             control["value"], described)
    help_text = (format_html('<span class="helptext" id="{}">{}</span>', help_id,
                             control["help"]) if control["help"] else "")
    errors = (format_html('<ul class="errorlist">{}</ul>', format_html_join(
        "", "<li>{}</li>", ((error,) for error in control["errors"])))
        if control["errors"] else "")
    return format_html('<div{}><label for="{}">{}</label>{}{}{}</div>',
                       ' class="wide"' if name == "q" else "", control_id, control["label"],
                       widget, help_text, errors)
