"""The public site in a real browser: search, entry, family and detention lookups,
language switch, keyboard use, no-JavaScript use, and an axe-core check on each page."""

from __future__ import annotations

from datetime import date

import pytest

from registry.models import CaseStatus
from registry.redaction import Audience
from registry.services import case_access_code_issue
from tests.canaries import assert_no_canaries, seed_canary_world
from tests.factories import CaseFactory, RecordFactory, state

# The live server answers from another thread: real transactions, and the catalogue
# loaded by migrations (states, roles) restored after each test.
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def seeded(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = seed_canary_world()
    guadalupe = CaseFactory(publication_consent=True,
                            missing_report__given_names="María Guadalupe",
                            missing_report__paternal_surname="Hernández",
                            missing_report__maternal_surname="López",
                            missing_report__sex="M",
                            missing_report__birth_date=date(1991, 4, 4),
                            missing_report__event_date=date(2024, 3, 9),
                            missing_report__event_state=state("14"))
    CaseFactory(publication_consent=True, missing_report__given_names="Pedro",
                missing_report__paternal_surname="Hernández",
                missing_report__event_state=state("09"), status=CaseStatus.FOUND_ALIVE)
    RecordFactory(kind="detention", given_names="Juan Carlos", paternal_surname="Peña",
                  authority="Guardia Nacional", facility="Estación Migratoria Siglo XXI",
                  event_date=date(2024, 6, 1))
    code = case_access_code_issue(case=guadalupe, actor=None)
    guadalupe.refresh_from_db()
    return {"world": world, "case": guadalupe, "code": code}


def test_search_filter_and_open_an_entry(page, seeded, screenshot, axe_check):
    page.goto("/buscar/")
    axe_check(page)
    page.get_by_label("Nombre").fill("maria guadalupe hernandez")
    page.get_by_label("Entidad").select_option("14")
    page.get_by_role("button", name="Buscar").last.click()
    page.wait_for_url("**/buscar/?**")
    assert page.get_by_role("heading", name="1 resultado").is_visible()
    screenshot(page, "results")
    axe_check(page)
    assert_no_canaries(page.content(), seeded["world"], Audience.PUBLIC)

    page.get_by_role("link", name="María Guadalupe Hernández López").click()
    page.wait_for_url(f"**/ficha/{seeded['case'].public_key}/")
    assert page.get_by_text("Ficha de búsqueda").is_visible()
    assert page.get_by_text("Jalisco").is_visible()
    screenshot(page, "entry")
    axe_check(page)


def test_filters_alone_list_entries_and_status_filter_narrows(page, seeded):
    page.goto("/buscar/?situacion=localizada_con_vida")
    assert page.get_by_role("heading", name="1 resultado").is_visible()
    assert page.get_by_text("Pedro Hernández").is_visible()


def test_family_lookup_right_and_wrong(page, seeded, screenshot, axe_check):
    page.goto("/familias/")
    axe_check(page)
    page.get_by_label("Folio del caso").fill(seeded["case"].folio)
    page.get_by_label("Código de acceso").fill("AAAA-BBBB-CCCC")
    page.get_by_role("button", name="Consultar mi caso").click()
    assert page.get_by_role("alert").inner_text().startswith("El folio o el código")
    screenshot(page, "wrong")

    page.get_by_label("Folio del caso").fill(seeded["case"].folio)
    page.get_by_label("Código de acceso").fill(seeded["code"].lower())
    page.get_by_role("button", name="Consultar mi caso").click()
    assert page.get_by_role("heading", name="Situación del caso").is_visible()
    assert page.get_by_text("Desaparecida", exact=True).is_visible()
    assert seeded["code"] not in page.url and seeded["case"].folio not in page.url
    screenshot(page, "status")
    axe_check(page)


def test_detention_lookup(page, seeded, screenshot, axe_check):
    page.goto("/detenciones/")
    axe_check(page)
    page.get_by_label("Nombre(s)").fill("Juan Carlos")
    page.get_by_label("Primer apellido").fill("PEÑA")
    page.get_by_role("button", name="Consultar").click()
    answer = page.get_by_role("region", name="Resultado de la consulta")
    assert answer.get_by_text("Nombre consultado: Juan Carlos PEÑA").is_visible()
    assert answer.get_by_text("Guardia Nacional", exact=True).is_visible()
    assert answer.get_by_text("Estación Migratoria Siglo XXI", exact=False).is_visible()
    assert page.get_by_label("Primer apellido").input_value() == "PEÑA"
    screenshot(page, "found")
    axe_check(page)
    assert_no_canaries(page.content(), seeded["world"], Audience.PUBLIC)


def test_language_switch_to_english_and_back(page, seeded, screenshot):
    page.goto("/buscar/")
    page.get_by_label("Idioma").select_option("en")
    page.get_by_role("button", name="Cambiar").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Search for a missing person").is_visible()
    screenshot(page, "english")
    page.get_by_label("Language").select_option("es-mx")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"


def test_keyboard_reaches_the_skip_link_and_the_search_field(page, seeded):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Saltar al contenido"
    page.keyboard.press("Enter")
    assert page.url.endswith("#contenido")
    page.goto("/buscar/")
    page.get_by_label("Nombre").focus()
    page.keyboard.type("pedro hernandez")
    page.keyboard.press("Enter")
    page.wait_for_url("**/buscar/?**")
    assert page.get_by_text("Pedro Hernández").is_visible()


def test_search_and_lookups_work_without_javascript(chromium_browser, live_server, seeded):
    context = chromium_browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                           locale="es-MX")
    page = context.new_page()
    try:
        page.goto("/buscar/")
        page.get_by_label("Nombre").fill("guadalupe")
        page.get_by_role("button", name="Buscar").last.click()
        assert page.get_by_role("heading", name="1 resultado").is_visible()
        page.goto("/detenciones/")
        page.get_by_label("Nombre(s)").fill("Juan Carlos")
        page.get_by_label("Primer apellido").fill("Peña")
        page.get_by_role("button", name="Consultar").click()
        assert page.get_by_text("Guardia Nacional", exact=True).is_visible()
    finally:
        context.close()


def test_statistics_and_open_data_pages_are_accessible(page, seeded, screenshot, axe_check):
    for path, name in (("/estadisticas/", "statistics"), ("/datos/", "open-data"), ("/", "home")):
        page.goto(path)
        axe_check(page)
        assert_no_canaries(page.content(), seeded["world"], Audience.PUBLIC)
        screenshot(page, name)


def _overflow(page, width: int) -> int:
    page.set_viewport_size({"width": width, "height": 900})
    return page.evaluate("() => Math.max(document.documentElement.scrollWidth,"
                         " document.body.scrollWidth) - document.documentElement.clientWidth")


def _cards_contain_their_text(page) -> list[str]:
    # A result card's facts (the status "Desaparecida") stay inside the card, and a
    # one-word value is not broken across lines to get there.
    return page.evaluate("""() => [...document.querySelectorAll('.results li')].flatMap(li => {
        const box = li.getBoundingClientRect();
        return [...li.querySelectorAll('dd, dt, h3')].filter(e => {
            const r = e.getBoundingClientRect();
            const range = document.createRange();
            range.selectNodeContents(e);
            const broken = !e.textContent.trim().includes(' ')
                           && range.getClientRects().length > 1;
            return r.right > box.right + 0.5 || e.scrollWidth > e.clientWidth + 1 || broken;
        }).map(e => e.textContent);
    })""")


def test_public_pages_fit_a_phone_and_a_desktop(page, seeded, screenshot, axe_check):
    """Issue 16, "Everyone": every public page at 390 and 1,280 px, without a
    horizontal scroll bar, axe-core clean; the statistics page no longer 10,000 px tall."""
    case = seeded["case"]
    pages = {
        "inicio": "/", "busqueda": "/buscar/?q=hernandez",
        "ficha": f"/ficha/{case.public_key}/", "estadisticas": "/estadisticas/",
        "datos": "/datos/", "detenciones": "/detenciones/", "familias": "/familias/",
    }
    for name, path in pages.items():
        page.goto(path)
        if name == "detenciones":
            page.get_by_label("Nombre(s)").fill("Juan Carlos")
            page.get_by_label("Primer apellido").fill("Peña")
            page.get_by_role("button", name="Consultar").click()
            assert page.get_by_text("Guardia Nacional", exact=True).is_visible()
        if name == "familias":
            page.get_by_label("Folio del caso").fill(case.folio)
            page.get_by_label("Código de acceso").fill(seeded["code"])
            page.get_by_role("button", name="Consultar mi caso").click()
            assert page.get_by_role("heading", name="Situación del caso").is_visible()
        for width in (390, 1280):
            assert _overflow(page, width) <= 0, f"{path} is wider than {width} px"
            if name == "busqueda":
                assert page.locator(".results dd", has_text="Desaparecida").first.is_visible()
                assert _cards_contain_their_text(page) == [], width
            if name == "estadisticas":
                assert page.locator("svg.month-chart").is_visible()
                assert page.evaluate("document.documentElement.scrollHeight") < 6000
            axe_check(page)
            screenshot(page, f"{name}-{width}")
