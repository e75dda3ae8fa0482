"""Journey: from an agency's file to a family's answer, in Debian's chromium (Playwright).

The same people, files and seven steps as ``test_from_report_to_family.py`` (reports open
cases; a misspelt detention links; the prosecutor's alert and case page; the family's code
and answer; remains alert another office's prosecutor; the family's veto removes the case
from every public output), each person in their own browser session, clicking and typing
as they would; each step asserts what they see. The pages
they use are checked with axe-core on the way; screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from matching import adapter
from registry.models import Case
from tests.journeys import scenario

# The live server answers from another thread: real transactions (so an import's matching
# runs after its commit, as on a server), the catalogue restored after the test.
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ACCESS_CODE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MATCHING_MIN_TRAINING_RECORDS = 1000
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()  # rate limits and cached public figures of earlier tests in this process
    adapter.index_cache.clear()
    adapter.forget_loaded_models()
    yield scenario.world_create()
    adapter.index_cache.clear()
    adapter.forget_loaded_models()


@pytest.fixture
def browse(chromium_browser, live_server):
    """Open a browser session for one person (signed in if a user is given)."""
    contexts = []

    def open_as(user=None):
        context = chromium_browser.new_context(base_url=live_server.url, locale="es-MX",
                                               viewport={"width": 1280, "height": 900})
        contexts.append(context)
        session = context.new_page()
        session.set_default_timeout(60_000)
        if user is not None:
            session.goto("/cuenta/login/")
            session.get_by_label("Usuario").fill(user.username)
            session.get_by_label("Contraseña").fill(scenario.PASSWORD)
            session.get_by_role("button", name="Entrar").click()
            session.wait_for_url("**/trabajo/**")
        return session

    yield open_as
    for context in contexts:
        context.close()


def upload(session, kind_label: str, name: str, content: bytes) -> None:
    """Upload a file, read the preview, confirm it, and wait for the result."""
    session.goto("/importaciones/nueva/")
    session.get_by_label("Tipo de registros").select_option(label=kind_label)
    session.get_by_label(re.compile(r"^Archivo \(\.csv")).set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    session.get_by_role("button", name="Revisar (vista previa)").click()
    session.wait_for_url("**/importaciones/lote/**")
    assert session.get_by_text("Vista previa: esto pasaría al confirmar").is_visible()
    session.get_by_role("button", name="Confirmar e importar").click()
    session.get_by_role("heading", name="Resultado").wait_for()


def test_from_an_agencys_file_to_a_familys_answer_in_the_browser(world, browse, screenshot,
                                                                 axe_check):
    # 1. Agency A's operator uploads the reports: the batch page counts the cases opened.
    operator_a = browse(world.operator_a)
    upload(operator_a, "Reporte de desaparición", "reportes_marzo.csv",
           scenario.reports_file_a())
    assert operator_a.get_by_role("row", name="Casos abiertos por el lote 451").is_visible()
    screenshot(operator_a, "1-reports-imported")
    axe_check(operator_a)

    # 2. Agency B's operator uploads the detention log with the misspelt name.
    operator_b = browse(world.operator_b)
    upload(operator_b, "Detención", "detenciones_marzo.csv", scenario.detentions_file_b())
    screenshot(operator_b, "2-detentions-imported")

    # 3. A's prosecutor: the alert, then both records on the case page.
    prosecutor_a = browse(world.prosecutor_a)
    prosecutor_a.get_by_role("link", name=re.compile("^Alertas")).click()
    # Many of A's reports were linked: she narrows the inbox to this case's folio.
    prosecutor_a.get_by_label("Folio del caso").fill(scenario.GUADALUPE_FOLIO)
    prosecutor_a.get_by_role("button", name="Filtrar").click()
    alert = prosecutor_a.locator("article", has_text=scenario.GUADALUPE_FOLIO)
    assert alert.get_by_text("Hernandes", exact=True).is_visible()
    assert alert.get_by_role("heading").inner_text().count("Detención") == 1
    assert alert.get_by_text("Por qué coinciden").is_visible()
    screenshot(prosecutor_a, "3-alert")
    axe_check(prosecutor_a)
    alert.get_by_label("Qué se hizo").fill("Se llamó al juzgado cívico: sigue detenida.")
    alert.get_by_role("button", name="Marcar como atendida").click()
    assert prosecutor_a.get_by_text("Alerta marcada como atendida.").is_visible()
    alert = prosecutor_a.locator("article", has_text=scenario.GUADALUPE_FOLIO)
    assert alert.get_by_text("sigue detenida", exact=False).is_visible()
    alert.get_by_role("link", name=scenario.GUADALUPE_FOLIO).click()
    prosecutor_a.get_by_role("heading", name="Reporte del caso").wait_for()
    detentions = prosecutor_a.locator("section.record-group[data-kind=detention]")
    assert detentions.get_by_role("heading", name="Detenciones (1)").is_visible()
    # In the record's surname and in its original row's table (issue 16, item 3).
    assert detentions.get_by_text("Hernandes", exact=True).first.is_visible()
    assert detentions.get_by_text(world.agency_b.name, exact=True).is_visible()
    assert detentions.get_by_text("detenciones_marzo.csv", exact=True).is_visible()
    screenshot(prosecutor_a, "3-case-page")
    axe_check(prosecutor_a)

    # 4. The prosecutor issues the family's access code; it is shown once.
    prosecutor_a.get_by_role("button", name="Emitir código").click()
    shown = prosecutor_a.get_by_role("alert").filter(has_text="Código nuevo").inner_text()
    code = ACCESS_CODE.search(shown).group(0)
    prosecutor_a.reload()
    assert code not in prosecutor_a.content()

    # 5. The family opens its case: another institution's record was linked.
    family = browse()
    family.goto("/familias/")
    family.get_by_label("Folio del caso").fill(scenario.GUADALUPE_FOLIO)
    family.get_by_label("Código de acceso").fill(code.lower())
    family.get_by_role("button", name="Consultar mi caso").click()
    assert family.get_by_role("heading", name="Situación del caso").is_visible()
    assert family.get_by_text("Un registro de otra institución fue vinculado a este caso"
                              ).is_visible()
    body = family.content()
    for never_told in (scenario.DETENTION_FACILITY, "Hernandes", world.agency_b.name,
                       scenario.GUADALUPE_FAMILY_PHONE, scenario.GUADALUPE_CURP):
        assert never_told not in body, never_told
    screenshot(family, "5-family")
    axe_check(family)

    # 6. D's reports, then C's remains: D's prosecutor gets the remains alert.
    upload(browse(world.operator_d), "Reporte de desaparición", "reportes_jalisco.csv",
           scenario.reports_file_d())
    upload(browse(world.operator_c), "Restos sin identificar", "hallazgos_febrero.csv",
           scenario.remains_file_c())
    prosecutor_d = browse(world.prosecutor_d)
    prosecutor_d.get_by_role("link", name=re.compile("^Alertas")).click()
    remains_alert = prosecutor_d.locator("article", has_text=scenario.JUAN_FOLIO)
    assert "Restos sin identificar" in remains_alert.get_by_role("heading").inner_text()
    screenshot(prosecutor_d, "6-remains-alert")
    remains_alert.get_by_role("link", name=scenario.JUAN_FOLIO).click()
    assert prosecutor_d.get_by_role("heading", name="Restos sin identificar (1)").is_visible()
    assert prosecutor_d.get_by_text(scenario.REMAINS_MARKS, exact=True).first.is_visible()
    # A's prosecutor never sees D's case.
    juan = Case.objects.get(folio=scenario.JUAN_FOLIO)
    response = prosecutor_a.goto(f"/trabajo/casos/{juan.pk}/")
    assert response.status == 404

    # 7. His family vetoes publication; D's prosecutor records it; the case leaves public view.
    public = browse()
    old_key = juan.public_key
    public.goto("/buscar/")
    public.get_by_label("Nombre").fill("Juan Carlos Peña Ortiz")
    public.get_by_role("button", name="Buscar").last.click()
    assert public.get_by_role("link", name="Juan Carlos Peña Ortiz").is_visible()
    total_before = public.request.get("/api/v1/publico/estadisticas/").json()["total"]
    prosecutor_d.get_by_role("link", name="Publicación: Publicar").click()
    prosecutor_d.get_by_label("No publicar").check()
    prosecutor_d.get_by_label("Quién de la familia decidió").fill("Carmen Ortiz (madre)")
    prosecutor_d.get_by_label("Motivo y forma en que se expresó").fill(
        "La familia pidió por teléfono retirar la ficha.")
    prosecutor_d.get_by_role("button", name="Registrar decisión").click()
    assert prosecutor_d.get_by_text("El caso no aparece en ninguna salida pública").is_visible()
    screenshot(prosecutor_d, "7-veto-recorded")
    juan.refresh_from_db()
    public.reload()
    assert public.get_by_role("heading", name="0 resultados").is_visible()
    assert public.goto(f"/ficha/{old_key}/").status == 404
    screenshot(public, "7-poster-gone")
    for url in ("/datos/v1/fichas.csv", "/datos/v1/fichas.json", "/datos/v1/fichas-pfif-1.4.xml",
                "/api/v1/publico/fichas/?estado=14", "/buscar/?estado=14"):
        body = public.request.get(url).text()
        for trace in (old_key, juan.public_key, "Peña Ortiz"):
            assert trace not in body, (url, trace)
    assert public.request.get(f"/api/v1/publico/fichas/{old_key}/").status == 404
    assert public.request.get("/api/v1/publico/estadisticas/").json()["total"] \
        == total_before - 1
