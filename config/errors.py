"""Error pages that depend on where the request went (wired in ``config/urls.py``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer 404 in JSON under /api/ (the schema documents it so), else the site's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "No encontrado."}, status=404)
    return defaults.page_not_found(request, exception)
