"""Staff pages of the registry. Thin: parse, call selectors/services, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from registry.access import agencies_operated_by, is_registry_admin


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """Show each role the sections it may use."""
    links = []
    if is_registry_admin(request.user):
        links.append({"url": reverse("admin:index"), "label": _("Administración del registro")})
    if agencies_operated_by(request.user).exists():
        links.append({"url": reverse("imports:batch_list"), "label": _("Importaciones")})
    return render(request, "registry/staff_home.html", {"links": links})
