"""The staff pages in a real browser: each role's main pages on phones (360 and 390 px)
and a desktop (1,280 px), with no horizontal overflow and no serious axe-core violation.

Roles and their pages: the agency operator (home, imports, the agency's records), the
prosecutor (home, alerts inbox, review queue, a pair side by side, cases, a case), the
NGO analyst (home, export), the administrator (home, matching quality) and anyone at the
login page. Each page is photographed (``artifacts/screenshots/``); with
``DOCS_SCREENSHOTS=before`` or ``=after`` the main page of each role is also written to
``docs/screenshots/<before|after>-<page>-<width>.png`` (the images of the README's
design-system section and of the issue's closing note).
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from registry import roles
from registry.models import Alert, CaseStatus
from tests.factories import (
    AgencyFactory,
    CaseFactory,
    ImportBatchFactory,
    MatchCandidateFactory,
    RecordFactory,
    UserFactory,
    operator_of,
    prosecutor_for,
    state,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "clave-de-prueba-2026"
WIDTHS = (360, 390, 1280)  # 360: the narrowest phone the design system promises
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# The explanation the matching engine stores with a pair (levels of matching.comparisons).
EXPLANATION = {
    "given_names": {"level": "exact given", "weight": 6.2},
    "paternal_surname": {"level": "jaro-winkler paternal >= 0.92", "weight": 4.1},
    "maternal_surname": {"level": "exact maternal", "weight": 5.0},
    "birth_date": {"level": "day and month swapped", "weight": 3.3},
    "sex": {"level": "exact sex", "weight": 0.4},
    "location": {"level": "exact state", "weight": 0.9},
}


@pytest.fixture
def staff_world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    fiscalia = AgencyFactory(code="fge-cdmx", name="Fiscalía General de Justicia de la "
                             "Ciudad de México")
    policia = AgencyFactory(code="ssc-cdmx", name="Secretaría de Seguridad Ciudadana "
                            "de la Ciudad de México", kind="police")
    forense = AgencyFactory(code="semefo-cdmx", name="Servicio Médico Forense de la "
                            "Ciudad de México", kind="forensic")
    case = CaseFactory(agency=fiscalia, folio="FGJCDMX/FAS/T1/00418/26-03",
                       publication_consent=True,
                       missing_report__agency=fiscalia,
                       missing_report__given_names="María Guadalupe",
                       missing_report__paternal_surname="Hernández",
                       missing_report__maternal_surname="López",
                       missing_report__sex="M", missing_report__birth_date=date(1991, 4, 7),
                       missing_report__event_date=date(2026, 3, 7),
                       missing_report__event_state=state("09"))
    detention = RecordFactory(kind="detention", agency=policia,
                              given_names="Maria Guadalupe", paternal_surname="Hernandes",
                              maternal_surname="López", sex="M", birth_date=date(1991, 7, 4),
                              event_date=date(2026, 3, 8), event_state=state("09"),
                              authority="Secretaría de Seguridad Ciudadana",
                              facility="Juzgado Cívico CUH-3, colonia Doctores")
    remains = RecordFactory(kind="unidentified_remains", agency=forense, sex="M",
                            age_min=30, age_max=40, event_date=date(2026, 3, 20),
                            event_state=state("09"))
    pair = MatchCandidateFactory(record_left=case.missing_report, record_right=detention,
                                 probability=0.97, match_weight=11.4, explanation=EXPLANATION)
    now = timezone.now()
    Alert.objects.create(case=case, record=detention, match_candidate=pair,
                         created_at=now - timedelta(hours=3),
                         **Alert.kind_and_priority("detention"))
    Alert.objects.create(case=case, record=remains, created_at=now - timedelta(hours=1),
                         **Alert.kind_and_priority("unidentified_remains"))
    for number in range(3):
        CaseFactory(agency=fiscalia, status=CaseStatus.MISSING,
                    missing_report__agency=fiscalia,
                    missing_report__given_names=["José Ángel", "Fernanda", "Juan"][number],
                    missing_report__paternal_surname=["Núñez", "Chávez", "Peña"][number])
    users = {
        "operadora": operator_of(policia, username="operadora_ssc"),
        "fiscal": prosecutor_for(case, username="fiscal_fgj"),
        "analista": UserFactory(username="analista_ong", role=roles.NGO_ANALYST),
        "admin": UserFactory(username="admin_registro", role=roles.ADMINISTRATOR),
    }
    for user in users.values():
        user.set_password(PASSWORD)
        user.save()
    ImportBatchFactory(agency=policia, created_by=users["operadora"],
                       file_name="detenciones_juzgados_civicos_marzo_2026.xlsx",
                       record_kind="detention", rows_total=1204, rows_created=1180,
                       rows_rejected=24)
    return {"users": users, "case": case, "pair": pair}


def _overflow(page) -> int:
    """Return by how many pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("() => Math.max(document.documentElement.scrollWidth,"
                         " document.body.scrollWidth) - window.innerWidth")


def _sign_in(page, username: str) -> None:
    page.goto("/cuenta/login/")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url("**/trabajo/**")


def _walk(chromium_browser, live_server, screenshot, axe_check, username: str | None,
          pages: list[tuple[str, str]], docs: set[str]) -> list[str]:
    """Open each page at each width; return what went wrong (overflow, axe), screenshots
    taken first so that a failing page is still photographed."""
    problems: list[str] = []
    documented = os.environ.get("DOCS_SCREENSHOTS", "")
    for width in WIDTHS:
        context = chromium_browser.new_context(base_url=live_server.url, locale="es-MX",
                                               viewport={"width": width, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            if username:
                _sign_in(page, username)
                page.goto("/trabajo/")  # the home page keeps the sections of the bar
            for name, path in pages:
                page.goto(path)
                screenshot(page, f"{name}-{width}")
                if documented and name in docs and width != 360:
                    DOCS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(DOCS / f"{documented}-{name}-{width}.png"))
                wider = _overflow(page)
                if wider > 0:
                    problems.append(f"{name} at {width} px: {wider} px too wide")
                try:
                    axe_check(page)
                except AssertionError as error:
                    problems.append(f"{name} at {width} px: axe {error}")
        finally:
            context.close()
    return problems


def test_operator_pages_fit_and_pass_axe(chromium_browser, live_server, staff_world,
                                         screenshot, axe_check):
    problems = _walk(chromium_browser, live_server, screenshot, axe_check, "operadora_ssc", [
        ("operador-inicio", "/trabajo/"),
        ("operador-importaciones", "/importaciones/"),
        ("operador-registros", "/trabajo/institucion/registros/"),
    ], docs={"operador-importaciones"})
    assert not problems, problems


def test_prosecutor_pages_fit_and_pass_axe(chromium_browser, live_server, staff_world,
                                           screenshot, axe_check):
    case, pair = staff_world["case"], staff_world["pair"]
    problems = _walk(chromium_browser, live_server, screenshot, axe_check, "fiscal_fgj", [
        ("fiscal-inicio", "/trabajo/"),
        ("fiscal-alertas", "/trabajo/alertas/"),
        ("fiscal-revision", "/trabajo/revision/"),
        ("fiscal-par", f"/trabajo/revision/{pair.pk}/"),
        ("fiscal-casos", "/trabajo/casos/"),
        ("fiscal-caso", f"/trabajo/casos/{case.pk}/"),
    ], docs={"fiscal-alertas", "fiscal-par"})
    assert not problems, problems


def test_ngo_analyst_pages_fit_and_pass_axe(chromium_browser, live_server, staff_world,
                                            screenshot, axe_check):
    problems = _walk(chromium_browser, live_server, screenshot, axe_check, "analista_ong", [
        ("analista-inicio", "/trabajo/"),
        ("analista-exportar", "/trabajo/exportar/"),
    ], docs={"analista-exportar"})
    assert not problems, problems


def test_administrator_pages_fit_and_pass_axe(chromium_browser, live_server, staff_world,
                                              screenshot, axe_check):
    problems = _walk(chromium_browser, live_server, screenshot, axe_check, "admin_registro", [
        ("admin-inicio", "/trabajo/"),
        ("admin-calidad", "/trabajo/calidad/"),
    ], docs={"admin-inicio"})
    assert not problems, problems


def test_login_page_fits_and_passes_axe(chromium_browser, live_server, staff_world,
                                        screenshot, axe_check):
    problems = _walk(chromium_browser, live_server, screenshot, axe_check, None, [
        ("acceso", "/cuenta/login/"),
    ], docs={"acceso"})
    assert not problems, problems
