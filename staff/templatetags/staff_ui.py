"""Template tags of the staff frame: ``{% load staff_ui %}``."""

from __future__ import annotations

from typing import Any

from django import template

from staff.sections import SESSION_KEY, section_links

register = template.Library()


@register.inclusion_tag("staff/_sections.html", takes_context=True)
def staff_sections(context: dict[str, Any]) -> dict[str, Any]:
    """Draw the sections bar from the keys the home page kept in the session."""
    request = context.get("request")
    session = getattr(request, "session", None)
    keys = session.get(SESSION_KEY, []) if session is not None else []
    return {"links": section_links(keys if isinstance(keys, list) else [],
                                   getattr(request, "path", ""))}
