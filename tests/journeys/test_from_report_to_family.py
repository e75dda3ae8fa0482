"""Journey: from an agency's file to a family's answer, through the pages (HTTP).

On a fresh registry (PostgreSQL and SQLite), each person does what they would do and
each step asserts what that person sees:

1. Agency A's operator uploads a missing-person file, previews and confirms it: the
   batch page says how many cases it opened.
2. Agency B's operator uploads a detention log where one of those people appears under
   a misspelt name; on commit the registry trains its linkage model from the data (its
   first large import) and links them.
3. A's prosecutor sees the alert in the inbox and, on the case page, both records: the
   report and B's detention, with its provenance.
4. The prosecutor issues the family's access code (shown once).
5. The family opens the case with folio and code and reads that another institution's
   record was linked (and nothing of that record).
6. Agency D's operator uploads its reports; forensic service C uploads remains whose
   presumed identity matches D's case: D's prosecutor gets the remains alert, the most
   serious of all; A's prosecutor does not.
7. The family of that case vetoes publication; D's prosecutor records the decision, and
   the case leaves the public search, its poster (a 404 like a key that never existed),
   open data (CSV, JSON), PFIF, the API and every count.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from imports.models import ImportBatch
from registry.models import Alert, AuditEvent, Case, CasePublication, Record
from tests.journeys import scenario

pytestmark = pytest.mark.slow

ACCESS_CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


@pytest.fixture(autouse=True)
def _fresh_registry(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # A new registry trains its model on its first import that brings this many records.
    settings.MATCHING_MIN_TRAINING_RECORDS = 1000
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    from matching import adapter

    adapter.index_cache.clear()
    adapter.forget_loaded_models()
    yield
    adapter.index_cache.clear()
    adapter.forget_loaded_models()


def signed_in(user) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username,
                                              "password": scenario.PASSWORD})
    assert response.status_code == 302, "the login form did not accept the account"
    return client


def upload_and_confirm(client: Client, agency, kind: str, content: bytes, name: str,
                       run_commit_callbacks) -> ImportBatch:
    """Upload a file, read the preview, confirm it; return the committed batch."""
    response = client.post(reverse("imports:batch_upload"), {
        "agency": agency.pk, "record_kind": kind, "sex_codes": "",
        "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content.decode()[:2000]
    preview = client.get(response["Location"]).content.decode()
    assert "Vista previa" in preview and "Confirmar e importar" in preview
    batch = ImportBatch.objects.get(file_name=name)
    # The commit's matching runs after the transaction commits, as on a server.
    with run_commit_callbacks(execute=True):
        client.post(reverse("imports:batch_commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED, batch.error_message
    return batch


def test_from_an_agencys_file_to_a_familys_answer(db, django_capture_on_commit_callbacks):
    world = scenario.world_create()

    # 1. Agency A's operator uploads the missing-person reports.
    operator_a = signed_in(world.operator_a)
    batch_a = upload_and_confirm(operator_a, world.agency_a, "missing_report",
                                 scenario.reports_file_a(), "reportes_marzo.csv",
                                 django_capture_on_commit_callbacks)
    page = operator_a.get(reverse("imports:batch_detail", args=[batch_a.pk])).content.decode()
    assert "Casos abiertos por el lote" in page and "451" in page
    case = Case.objects.get(folio=scenario.GUADALUPE_FOLIO)
    assert case.agency == world.agency_a and case.publication == CasePublication.PUBLISH

    # 2. Agency B's operator uploads the detention log; matching links her record.
    operator_b = signed_in(world.operator_b)
    upload_and_confirm(operator_b, world.agency_b, "detention", scenario.detentions_file_b(),
                       "detenciones_marzo.csv", django_capture_on_commit_callbacks)
    detention = Record.objects.get(agency=world.agency_b, external_id=scenario.DETENTION_FOLIO)
    case.refresh_from_db()
    assert case.person_id is not None and detention.person_id == case.person_id, \
        "the misspelt detention record was not linked to the case's person"

    # 3. A's prosecutor: the alert, then both records on the case page.
    prosecutor_a = signed_in(world.prosecutor_a)
    home = prosecutor_a.get(reverse("staff_home")).content.decode()
    assert "Alertas" in home
    inbox = prosecutor_a.get(reverse("alerts_inbox"))
    unhandled = inbox.context["unhandled"]
    assert unhandled >= 1 and f'<span class="badge">{unhandled}<' in home
    # The log links many of A's reports: she finds this case's alert by its folio.
    found = prosecutor_a.get(reverse("alerts_inbox"), {"folio": scenario.GUADALUPE_FOLIO})
    body = found.content.decode()
    assert scenario.GUADALUPE_FOLIO in body and "Hernandes" in body
    assert "El caso" in body and "El registro nuevo" in body and "María Guadalupe" in body
    assert "Por qué coinciden" in body and "probabilidad de que sean la misma persona" in body
    alert = Alert.objects.get(case=case, record=detention)
    assert alert.kind == "detention"
    # She calls the facility and marks the alert handled with what she did (audited).
    prosecutor_a.post(reverse("alert_handle", args=[alert.pk]),
                      {"note": "Se llamó al juzgado cívico: sigue detenida."})
    alert.refresh_from_db()
    assert alert.handled_by == world.prosecutor_a
    assert AuditEvent.objects.filter(object_type="registry.alert", object_id=str(alert.pk),
                                     purpose__startswith="Se llamó").exists()
    again = prosecutor_a.get(reverse("staff_home")).content.decode()
    assert f'<span class="badge">{unhandled - 1}<' in again
    workspace = prosecutor_a.get(reverse("case_workspace", args=[case.pk])).content.decode()
    assert "Reporte del caso" in workspace and "María Guadalupe" in workspace
    assert "Detenciones (1)" in workspace and "Hernandes" in workspace
    assert world.agency_b.name in workspace and "detenciones_marzo.csv" in workspace
    assert scenario.DETENTION_FACILITY in workspace
    assert "La persona tiene registros de 1 institución más." in workspace

    # 4. The prosecutor issues the family's access code, shown once.
    response = prosecutor_a.post(reverse("case_access_code", args=[case.pk]),
                                 {"operation": "issue"}, follow=True)
    codes = ACCESS_CODE.findall(response.content.decode())
    assert len(codes) == 1, "the new code is shown once on the case page"
    again = prosecutor_a.get(reverse("case_workspace", args=[case.pk])).content.decode()
    assert codes[0] not in again

    # 5. The family opens its case and reads that another institution's record was linked.
    family = Client()
    answer = family.post(reverse("public_site:family_lookup"),
                         {"folio": scenario.GUADALUPE_FOLIO, "access_code": codes[0]})
    body = answer.content.decode()
    assert answer.status_code == 200 and "Situación actual" in body and "Desaparecida" in body
    assert "Un registro de otra institución fue vinculado a este caso" in body
    for never_told in (scenario.DETENTION_FACILITY, "Hernandes", world.agency_b.name,
                       scenario.GUADALUPE_FAMILY_PHONE, scenario.GUADALUPE_CURP):
        assert never_told not in body, never_told

    # 6. D's reports, then C's remains: D's prosecutor gets the remains alert, first.
    operator_d = signed_in(world.operator_d)
    upload_and_confirm(operator_d, world.agency_d, "missing_report", scenario.reports_file_d(),
                       "reportes_jalisco.csv", django_capture_on_commit_callbacks)
    operator_c = signed_in(world.operator_c)
    upload_and_confirm(operator_c, world.agency_c, "unidentified_remains",
                       scenario.remains_file_c(), "hallazgos_febrero.csv",
                       django_capture_on_commit_callbacks)
    juan = Case.objects.get(folio=scenario.JUAN_FOLIO)
    remains = Record.objects.get(external_id=scenario.REMAINS_FOLIO)
    assert (remains.kind, remains.age_min, remains.age_max) == ("unidentified_remains", 35, 40)
    remains_alert = Alert.objects.get(case=juan, record=remains)
    assert (remains_alert.kind, remains_alert.priority) == ("unidentified_remains", 4)
    assert remains_alert.priority == max(Alert.objects.values_list("priority", flat=True))

    prosecutor_d = signed_in(world.prosecutor_d)
    inbox_d = prosecutor_d.get(reverse("alerts_inbox")).content.decode()
    assert scenario.JUAN_FOLIO in inbox_d and "Restos sin identificar" in inbox_d
    assert scenario.REMAINS_MARKS not in inbox_d  # the inbox summarises; the case page tells
    juan_page = prosecutor_d.get(reverse("case_workspace", args=[juan.pk])).content.decode()
    assert "Restos sin identificar (1)" in juan_page and scenario.REMAINS_MARKS in juan_page
    # A's prosecutor sees nothing of D's case or of the remains.
    assert scenario.JUAN_FOLIO not in prosecutor_a.get(reverse("alerts_inbox")).content.decode()
    assert prosecutor_a.get(reverse("case_workspace", args=[juan.pk])).status_code == 404

    # 7. His family vetoes publication: the case leaves every public output.
    public = Client()
    key = juan.public_key
    before = public_outputs(public, key)
    assert all(key in body for body in before.values()), "the case was public before the veto"
    assert "Peña Ortiz" in before["search"]
    total_before = public.get(reverse("api:statistics")).json()["total"]
    with django_capture_on_commit_callbacks(execute=True):
        response = prosecutor_d.post(reverse("case_publication", args=[juan.pk]), {
            "publication": CasePublication.WITHHOLD, "decided_by": "Carmen Ortiz (madre)",
            "reason": "La familia pidió por teléfono retirar la ficha."}, follow=True)
    assert "No publicar" in response.content.decode()
    juan.refresh_from_db()
    after = public_outputs(public, key)
    for output, body in after.items():
        # (The name search echoes the words asked: there the key is the trace.)
        traces = (key, juan.public_key) if output == "search" else (
            key, juan.public_key, "Peña Ortiz")
        for trace in traces:
            assert trace not in body, (output, trace)
    never = public.get(reverse("public_site:entry", args=["0123456789abcdef0123"]))
    for gone in (key, juan.public_key):
        poster = public.get(reverse("public_site:entry", args=[gone]))
        assert poster.status_code == never.status_code == 404
        assert public.get(reverse("api:entry_detail", args=[gone])).status_code == 404
    assert public.get(reverse("api:statistics")).json()["total"] == total_before - 1
    # Guadalupe's case, published with her family's consent, is still there.
    assert case.public_key in public_outputs(public, case.public_key)["open data csv"]


def public_outputs(client: Client, key: str) -> dict[str, str]:
    """Every public output that can show an entry, as the public receives it."""
    def body(response) -> str:
        content = (b"".join(response.streaming_content)
                   if getattr(response, "streaming", False) else response.content)
        return content.decode("utf-8")

    return {
        "search": body(client.get(reverse("public_site:search"),
                                  {"q": "Juan Carlos Peña Ortiz"})),
        "search by state": body(client.get(reverse("public_site:search"), {"estado": "14"})),
        "poster": body(client.get(reverse("public_site:entry", args=[key]))),
        "open data csv": body(client.get(reverse("public_site:open_data_csv"))),
        "open data json": body(client.get(reverse("public_site:open_data_json"))),
        "pfif": body(client.get(reverse("public_site:open_data_pfif"))),
        "api": body(client.get(reverse("api:entry_list"), {"estado": "14"})),
        "api entry": body(client.get(reverse("api:entry_detail", args=[key]))),
    }
