"""The sections of the staff area each role may use: the home page's tiles and the
navigation bar of every staff page.

The home page works them out (a few permission queries) and keeps their keys in the
session; the other pages draw the bar from the session, so the bar costs no query on
pages whose query count is pinned. A user whose roles change sees the new bar at the
next visit to the home page (the pages themselves check access on every request).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from registry import access

SESSION_KEY = "staff_sections"


@dataclass(frozen=True)
class Section:
    key: str
    url_name: str
    label: Any  # lazy: translated when drawn


SECTIONS = {section.key: section for section in (
    Section("review", "review_queue", _("Cola de revisión")),
    Section("alerts", "alerts_inbox", _("Alertas")),
    Section("cases", "case_list", _("Casos")),
    Section("records", "agency_records", _("Registros de mi institución")),
    Section("imports", "imports:batch_list", _("Importaciones")),
    Section("export", "export_form", _("Exportar datos anonimizados")),
    Section("quality", "quality_dashboard", _("Calidad de la vinculación")),
    Section("admin", "admin:index", _("Administración del registro")),
)}


def section_keys_for(user: Any) -> list[str]:
    """Return the keys of the sections ``user``'s roles open, in the bar's order."""
    reviewer = access.can_review_matches(user)
    admin = access.is_registry_admin(user)
    operator = access.agencies_operated_by(user).exists()
    allowed = {
        "review": reviewer,
        "alerts": reviewer,
        "cases": reviewer or access.cases_visible_to(user).exists(),
        "records": operator,
        "imports": operator,
        "export": access.can_export_redacted(user),
        "quality": admin or reviewer,
        "admin": admin,
    }
    return [key for key in SECTIONS if allowed[key]]


def section_links(keys: list[str], current_path: str = "") -> list[dict[str, Any]]:
    """Return the links of ``keys`` (unknown keys left out), marking the current one."""
    links = []
    for key in keys:
        section = SECTIONS.get(key)
        if section is None:
            continue
        url = reverse(section.url_name)
        current = current_path == url or (url != "/" and current_path.startswith(url)
                                          and key != "admin")
        links.append({"key": key, "url": url, "label": section.label, "current": current})
    return links
