"""The pages of issue 16's second half in chromium, on a phone (390 px) and a desktop
(1,280 px): no horizontal overflow, axe-core clean (serious and critical).

Families and the public: the detention answer (with the agency's contact and next
steps), the poster, the family page. Operators: the upload page with its templates, a
batch's preview with its editable column mapping, the saved mappings, the searchable
record list, a record's original row. NGO analysts: the export page with a background
export in progress.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from imports.intake import import_batch_create
from imports.services import import_batch_commit, import_batch_preview
from registry import roles
from registry.models import Agency, AgencyKind, CaseStatus, Record
from registry.services import case_access_code_issue
from staff.export_files import export_job_start
from tests.factories import AgencyFactory, CaseFactory, UserFactory, operator_of, state

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = (390, 1280)
CONTACT = {"contact_office": "Unidad de Atención a Familias de Personas Desaparecidas",
           "contact_phone": "800 000 0101", "contact_hours": "lunes a viernes, 9:00 a 18:00",
           "contact_address": "Av. Coyoacán 1635, Col. Del Valle, Benito Juárez, Ciudad de "
                              "México"}
DETENTIONS = (
    "NÚMERO DE REGISTRO,NOMBRE(S),APELLIDO PATERNO,APELLIDO MATERNO,FECHA DE DETENCIÓN,"
    "LUGAR DE DETENCIÓN,AUTORIDAD,OBSERVACIONES DEL JUZGADO CÍVICO DE LA ALCALDÍA\r\n"
    "SSC-2011-000077,José Ángel,Núñez,Peña,04/07/2011,Juzgado Cívico Coyoacán 1,"
    "Policía Preventiva,Presentado por alteración del orden en la vía pública sin lesiones\r\n"
).encode()


@pytest.fixture
def seeded(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    prosecutor_office = AgencyFactory(
        code="fgj-cdmx", kind=AgencyKind.PROSECUTOR, state=state("09"),
        name="Fiscalía General de Justicia de la Ciudad de México", **CONTACT)
    police = AgencyFactory(code="ssc-cdmx", kind=AgencyKind.POLICE, state=state("09"),
                           name="Secretaría de Seguridad Ciudadana de la Ciudad de México",
                           **{**CONTACT, "contact_phone": "55 5242 5100"})
    case = CaseFactory(agency=prosecutor_office, publication_consent=True,
                       missing_report__agency=prosecutor_office,
                       missing_report__given_names="María Guadalupe",
                       missing_report__paternal_surname="Hernández",
                       missing_report__maternal_surname="López",
                       missing_report__birth_date=date(1991, 4, 4),
                       missing_report__event_date=date(2024, 3, 9),
                       missing_report__event_state=state("09"), status=CaseStatus.MISSING)
    code = case_access_code_issue(case=case, actor=None)
    case.refresh_from_db()
    operator = operator_of(police, username="operador.ssc")
    committed = import_batch_commit(batch=import_batch_create(
        agency=police, record_kind="detention", upload=SimpleUploadedFile(
            "detenciones_2011.csv", DETENTIONS), file_name="detenciones_2011.csv",
        actor=operator), actor=operator)
    previewed = import_batch_preview(batch=import_batch_create(
        agency=police, record_kind="detention", upload=SimpleUploadedFile(
            "detenciones_2012.csv", DETENTIONS.replace(b"2011-000077", b"2012-000001")),
        file_name="detenciones_2012.csv", actor=operator), actor=operator)
    analyst = UserFactory(username="analista.ong", role=roles.NGO_ANALYST)
    export_job_start(user_id=analyst.pk, export_format="xlsx")
    return {"case": case, "code": code, "operator": operator, "analyst": analyst,
            "record": Record.objects.get(import_batch=committed), "batch": previewed,
            "police": Agency.objects.get(pk=police.pk)}


def _signed_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])


def _fits(page, width: int, what: str) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        culprits = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => !(e.closest('.table-wrap') && e.closest('.table-wrap') !== e)
                    && e.getBoundingClientRect().right
                       > document.documentElement.clientWidth)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id + ' '
                             + Math.round(e.getBoundingClientRect().right))""")
        culprits += page.evaluate("""() => [...document.querySelectorAll('*')]
            .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX
                    === 'visible').slice(0, 6).map(e => e.tagName + '.' + e.className + ' '
                    + e.scrollWidth + '/' + e.clientWidth)""")
        raise AssertionError(f"{what} is {overflow} px wider than a {width} px screen: "
                             f"{culprits}")


def _check_both_widths(page, axe_check, screenshot, what: str) -> None:
    for width in WIDTHS:
        _fits(page, width, what)
        axe_check(page)
        screenshot(page, f"{what}-{width}")


def test_public_pages_with_contacts_fit_and_pass_axe(page, seeded, axe_check, screenshot):
    page.goto("/detenciones/")
    page.get_by_label("Nombre(s)").fill("Jose Angel")
    page.get_by_label("Primer apellido").fill("Nunez")
    page.get_by_label("Segundo apellido (opcional)").fill("Pena")
    page.get_by_role("button", name="Consultar").click()
    answer = page.get_by_role("region", name="Resultado de la consulta")
    assert answer.get_by_text("55 5242 5100").is_visible()
    assert answer.get_by_text("No hay una liberación ni un traslado registrados.").is_visible()
    _check_both_widths(page, axe_check, screenshot, "detencion")

    page.goto(f"/ficha/{seeded['case'].public_key}/")
    assert page.get_by_text("800 000 0101").is_visible()
    _check_both_widths(page, axe_check, screenshot, "ficha")

    page.goto("/familias/")
    page.get_by_label("Folio del caso").fill(seeded["case"].folio)
    page.get_by_label("Código de acceso").fill(seeded["code"])
    page.get_by_role("button", name="Consultar mi caso").click()
    assert page.get_by_role("heading", name="Qué hacer ahora").is_visible()
    _check_both_widths(page, axe_check, screenshot, "familia")


def test_operator_pages_fit_and_pass_axe(page, live_server, seeded, axe_check, screenshot):
    _signed_in(page, live_server, seeded["operator"])
    page.goto("/importaciones/nueva/")
    assert page.get_by_role("heading", name="Plantillas para llenar").is_visible()
    _check_both_widths(page, axe_check, screenshot, "carga")

    page.goto(f"/importaciones/lote/{seeded['batch'].pk}/")
    assert page.get_by_role("heading", name="Columnas del archivo y campos del registro"
                            ).is_visible()
    assert page.get_by_label("LUGAR DE DETENCIÓN").input_value() == "place"
    _check_both_widths(page, axe_check, screenshot, "vista-previa")

    page.goto("/importaciones/correspondencias/")
    _check_both_widths(page, axe_check, screenshot, "correspondencias")

    page.goto("/trabajo/institucion/registros/?q=nu")
    assert page.get_by_role("status").inner_text().startswith("1 registro")
    _check_both_widths(page, axe_check, screenshot, "registros")

    page.goto(f"/trabajo/registros/{seeded['record'].pk}/")
    assert page.get_by_role("region", name="Valores originales").get_by_role("table").is_visible()
    _check_both_widths(page, axe_check, screenshot, "registro")


def test_export_page_fits_and_passes_axe(page, live_server, seeded, axe_check, screenshot):
    _signed_in(page, live_server, seeded["analyst"])
    page.goto("/trabajo/exportar/")
    assert page.get_by_text("en cola").is_visible()
    _check_both_widths(page, axe_check, screenshot, "exportar")
