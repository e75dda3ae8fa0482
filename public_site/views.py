"""Public pages: search, entry ("ficha"), statistics, detention lookup, family status.

Thin: parse the request, call a selector or service, render. Every value rendered
comes from ``public_site.selectors`` (redacted for the public) or, on the family
page, from ``family_case_view`` (redacted for the family).
"""

from __future__ import annotations

import csv
import time
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from public_site.detention import DetentionQuery
from public_site.entries import public_entry_get
from public_site.family import family_case_get, family_case_view, family_view_get
from public_site.filters import (
    DetentionLookupForm,
    FamilyLookupForm,
    FamilySubscriptionForm,
    PublicEntryFilterSet,
)
from public_site.lookups import LookupResult, detention_lookup_perform, family_case_lookup
from public_site.selectors import public_search
from public_site.statistics import (
    month_chart,
    public_statistics,
    state_tile_map,
    statistics_charts,
    statistics_rows,
)
from registry.audit import client_ip
from registry.cells import neutralise_row
from registry.family import family_subscription_cancel, family_subscription_create
from registry.models import Case
from registry.ratelimit import RateLimitUnavailable

FAMILY_SESSION_SECONDS = 30 * 60


def _fact_labels() -> dict[str, str]:
    # Translated once per page, not once per entry: the results list is the busiest page.
    return {"sex": _("Sexo"), "age": _("Edad"), "years": _("años"),
            "disappeared": _("Desapareció"), "state": _("Entidad"),
            "municipality": _("Municipio"), "status": _("Situación")}
MAX_PAGE = 500


def home(request: HttpRequest) -> HttpResponse:
    """Render the landing page: search box and where each audience goes."""
    return render(request, "public_site/home.html",
                  {"filterset": PublicEntryFilterSet(None)})


def _page_number(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("pagina", "1")), 1), MAX_PAGE)
    except ValueError:
        return 1


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Search public entries by name and filters (works without JavaScript)."""
    # No queryset: the filterset only validates and renders here (the search reads the
    # published table); building the public reports' queryset cost a query compilation.
    filterset = PublicEntryFilterSet(request.GET or None)
    result = None
    if request.GET and filterset.is_valid():
        result = public_search(text=filterset.text, filters=filterset.public_filters(),
                               ordering=filterset.ordering, page=_page_number(request))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(request, "public_site/search.html", {
        "filterset": filterset, "result": result, "query_string": query.urlencode(),
        "labels": _fact_labels(),
    })


@require_GET
def entry(request: HttpRequest, key: str) -> HttpResponse:
    """Show the search poster of one public entry (printable; stable URL)."""
    found = public_entry_get(key=key)
    if found is None:
        raise Http404
    return render(request, "public_site/entry.html",
                  {"entry": found, "labels": _fact_labels()})


@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    """Show counts by state, month, sex, age band and status as SVG bar charts."""
    figures = public_statistics()
    return render(request, "public_site/statistics.html",
                  {"statistics": figures, "charts": statistics_charts(figures),
                   "tiles": state_tile_map(figures), "months": month_chart(figures)})


@require_GET
def statistics_csv(request: HttpRequest) -> HttpResponse:
    """Download the statistics as CSV: dimension, value, label, count."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="estadisticas.csv"'
    writer = csv.writer(response)
    writer.writerow(["dimension", "valor", "etiqueta", "personas"])
    writer.writerows(neutralise_row(row) for row in statistics_rows(public_statistics()))
    return response


def _unavailable(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    context["unavailable"] = True
    return render(request, template, context, status=503)


@never_cache
@require_http_methods(["GET", "POST"])
def detention_lookup(request: HttpRequest) -> HttpResponse:
    """Answer whether a detention of exactly this person is on record (POST only)."""
    template = "public_site/detention_lookup.html"
    if request.method == "GET":
        return render(request, template, {"form": DetentionLookupForm()})
    form = DetentionLookupForm(request.POST)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    query = DetentionQuery(**form.cleaned_data)
    try:
        outcome = detention_lookup_perform(query=query, ip_address=client_ip(request))
    except RateLimitUnavailable:
        return _unavailable(request, template, {"form": DetentionLookupForm()})
    # The answer says which name it answers (the one typed, over POST, never cached),
    # and the form keeps it, so that a family can correct one letter and ask again.
    context = {"form": form, "outcome": outcome, "searched": True, "asked": query.asked}
    status = 429 if outcome.result == LookupResult.LIMITED else 200
    return render(request, template, context, status=status)


def _family_session_case_id(request: HttpRequest) -> int | None:
    case_id = request.session.get("family_case_id")
    expires = request.session.get("family_case_expires", 0)
    if not case_id or expires < time.time():
        return None
    return case_id


def _family_session_case(request: HttpRequest) -> Case | None:
    case_id = _family_session_case_id(request)
    return family_case_get(case_id) if case_id else None


def _family_page(request: HttpRequest, case: Case | None, *,
                 view: dict[str, Any] | None = None, **extra: Any) -> HttpResponse:
    context = {"family": view if view is not None else family_case_view(case),
               "subscription_form": extra.pop("subscription_form", FamilySubscriptionForm()),
               **extra}
    return render(request, "public_site/family_status.html", context,
                  status=extra.get("status", 200))


@never_cache
@require_http_methods(["GET", "POST"])
def family_lookup(request: HttpRequest) -> HttpResponse:
    """Family status page: folio and access code by POST only; answered with no-store."""
    template = "public_site/family_lookup.html"
    if request.method == "GET":
        # A family that proved its code reads its page from its session: one statement.
        case_id = _family_session_case_id(request)
        view = family_view_get(case_id) if case_id else None
        if view is not None:
            return _family_page(request, None, view=view)
        return render(request, template, {"form": FamilyLookupForm()})
    form = FamilyLookupForm(request.POST)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    try:
        outcome = family_case_lookup(folio=form.cleaned_data["folio"],
                                     access_code=form.cleaned_data["access_code"],
                                     ip_address=client_ip(request))
    except RateLimitUnavailable:
        return _unavailable(request, template, {"form": FamilyLookupForm()})
    if outcome.result == LookupResult.LIMITED:
        return render(request, template, {"form": FamilyLookupForm(), "limited": True,
                                          "retry_minutes": outcome.retry_minutes}, status=429)
    if outcome.result == LookupResult.DENIED:
        return render(request, template, {"form": FamilyLookupForm(), "denied": True,
                                          "remaining": outcome.remaining,
                                          "retry_minutes": outcome.retry_minutes},
                      status=200)
    request.session.cycle_key()  # a new session id once the family proved the code
    request.session["family_case_id"] = outcome.case.pk
    request.session["family_case_expires"] = time.time() + FAMILY_SESSION_SECONDS
    return _family_page(request, outcome.case)


@never_cache
@require_POST
def family_logout(request: HttpRequest) -> HttpResponse:
    """Close the family's view of its case on this device."""
    request.session.pop("family_case_id", None)
    request.session.pop("family_case_expires", None)
    return redirect("public_site:family_lookup")


@never_cache
@require_POST
def family_subscribe(request: HttpRequest) -> HttpResponse:
    """Store the family's email (with consent) for notices of changes to its case."""
    case = _family_session_case(request)
    if case is None:
        return redirect("public_site:family_lookup")
    form = FamilySubscriptionForm(request.POST)
    if not form.is_valid():
        return _family_page(request, case, subscription_form=form, status=400)
    family_subscription_create(case=case, email=form.cleaned_data["email"],
                               ip_address=client_ip(request))
    return _family_page(request, case, subscribed=True)


@never_cache
@require_http_methods(["GET", "POST"])
def family_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop the notices: a GET asks for confirmation, a POST cancels (mail scanners GET)."""
    done = None
    if request.method == "POST":
        done = family_subscription_cancel(token=token, ip_address=client_ip(request))
    return render(request, "public_site/family_unsubscribe.html", {"done": done})
