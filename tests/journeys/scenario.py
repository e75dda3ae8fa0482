"""The world of the journey tests: four institutions, their people, and the files they send.

A fresh registry, as a deployment starts: the administrator has created the institutions
and the accounts (that part is set up here directly); everything else happens through
the pages, as the people do it (``test_from_report_to_family.py`` over HTTP,
``test_journey_in_browser.py`` in chromium).

- Agency A, Mexico City's prosecutor's office, sends its missing-person reports, among
  them María Guadalupe Hernández López's (the family consents to publication).
- Agency B, Mexico City's police, sends a detention log in which she appears as
  "Ma. Guadalupe Hernandes Lopes" (misspelt, same CURP and birth date).
- Agency D, Jalisco's prosecutor's office, sends its reports, among them Juan Carlos
  Peña Ortiz's.
- Agency C, Jalisco's forensic institute, sends unidentified remains: one with a
  presumed identity (a voter card found with the body: his name and CURP).
Around them, a synthetic population (``demo.synthetic``), so that the linkage trains
its model from the data on the first large import, as on any new registry.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

from guardian.shortcuts import assign_perm

from demo.synthetic import SyntheticRecord, generate_linkage_dataset
from mxnames.curp import build_curp
from registry import roles
from registry.models import Agency, AgencyKind, User
from tests.factories import DEFAULT_PASSWORD, AgencyFactory, UserFactory, state

PASSWORD = DEFAULT_PASSWORD  # every account the factories make has it

GUADALUPE_BORN = datetime.date(1991, 4, 4)
GUADALUPE_CURP = build_curp(given_names="María Guadalupe", paternal_surname="Hernández",
                            maternal_surname="López", birth_date=GUADALUPE_BORN, sex="M",
                            state_code="09")
GUADALUPE_FOLIO = "FGJ/CDMX/DESAP/2025/0001"
GUADALUPE_FAMILY_PHONE = "55 1234 5678"
DETENTION_FOLIO = "SSC-2025-000931"
DETENTION_FACILITY = "Juzgado Cívico Iztapalapa 2"

JUAN_BORN = datetime.date(1988, 6, 2)
JUAN_CURP = build_curp(given_names="Juan Carlos", paternal_surname="Peña",
                       maternal_surname="Ortiz", birth_date=JUAN_BORN, sex="H",
                       state_code="14")
JUAN_FOLIO = "FGE/JAL/DESAP/2024/0420"
REMAINS_FOLIO = "IJCF/2025/0077"
REMAINS_MARKS = "Tatuaje de una golondrina en el hombro izquierdo"

PERSON_COLUMNS = ("NOMBRE(S)", "APELLIDO PATERNO", "APELLIDO MATERNO", "SEXO",
                  "FECHA DE NACIMIENTO", "CURP", "ENTIDAD", "MUNICIPIO")
REPORT_HEADER = ("FOLIO", *PERSON_COLUMNS, "FECHA DE DESAPARICIÓN", "DESCRIPCIÓN",
                 "NOMBRE DEL FAMILIAR", "TELÉFONO DEL FAMILIAR", "SITUACIÓN",
                 "AUTORIZA PUBLICACIÓN")
DETENTION_HEADER = ("NÚMERO DE REGISTRO", *PERSON_COLUMNS, "FECHA DE DETENCIÓN", "AUTORIDAD",
                    "LUGAR DE RECLUSIÓN", "MOTIVO")
REMAINS_HEADER = ("FOLIO FORENSE", *PERSON_COLUMNS, "EDAD ESTIMADA", "FECHA DE HALLAZGO",
                  "LUGAR DEL HALLAZGO", "VESTIMENTA", "SEÑAS PARTICULARES")


@dataclass
class World:
    agency_a: Agency
    agency_b: Agency
    agency_c: Agency
    agency_d: Agency
    operator_a: User
    operator_b: User
    operator_c: User
    operator_d: User
    prosecutor_a: User
    prosecutor_d: User


def world_create() -> World:
    """Create the institutions and the accounts, as the administrator would."""
    agency_a = AgencyFactory(code="fgj-cdmx", kind=AgencyKind.PROSECUTOR, state=state("09"),
                             name="Fiscalía General de Justicia de la Ciudad de México")
    agency_b = AgencyFactory(code="ssc-cdmx", kind=AgencyKind.POLICE, state=state("09"),
                             name="Secretaría de Seguridad Ciudadana de la Ciudad de México")
    agency_c = AgencyFactory(code="ijcf-jal", kind=AgencyKind.FORENSIC, state=state("14"),
                             name="Instituto Jalisciense de Ciencias Forenses")
    agency_d = AgencyFactory(code="fge-jal", kind=AgencyKind.PROSECUTOR, state=state("14"),
                             name="Fiscalía del Estado de Jalisco")
    operators = []
    for agency, username in ((agency_a, "operadora.fgj"), (agency_b, "operador.ssc"),
                             (agency_c, "perita.ijcf"), (agency_d, "operador.fge")):
        user = UserFactory(username=username, role=roles.AGENCY_OPERATOR)
        assign_perm("registry.operate_agency", user, agency)
        operators.append(user)
    prosecutors = []
    for agency, username in ((agency_a, "fiscal.cdmx"), (agency_d, "fiscal.jal")):
        # An office's prosecutor reads its records: its reports' cases are assigned to them.
        user = UserFactory(username=username, role=roles.PROSECUTOR)
        assign_perm("registry.view_agency_records", user, agency)
        prosecutors.append(user)
    return World(agency_a, agency_b, agency_c, agency_d, *operators, *prosecutors)


def _day(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _person(person: SyntheticRecord) -> list[str]:
    return [person.given_names, person.paternal_surname, person.maternal_surname,
            {"H": "Hombre", "M": "Mujer"}.get(person.sex, ""), _day(person.birth_date),
            person.curp, person.state_code, person.municipality_code]


def _csv(header: tuple[str, ...], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _population() -> tuple[list[SyntheticRecord], list[SyntheticRecord]]:
    return generate_linkage_dataset(seed=12, n_left=450, n_right=650, overlap=0.3)


def reports_file_a() -> bytes:
    """Agency A's reports: María Guadalupe's among 450 others."""
    guadalupe = [GUADALUPE_FOLIO, "María Guadalupe", "Hernández", "López", "Mujer",
                 _day(GUADALUPE_BORN), GUADALUPE_CURP, "Ciudad de México", "Iztapalapa",
                 "09/03/2025", "Vestía chamarra roja; lunar en la mejilla izquierda.",
                 "Rosa López (madre)", GUADALUPE_FAMILY_PHONE, "Desaparecida", "SÍ"]
    left, _right = _population()
    rows = [guadalupe] + [
        [f"FGJ/CDMX/DESAP/2024/{n:04d}", *_person(person), _day(person.event_date), "",
         "Familiar", "", "Desaparecida", "NO"] for n, person in enumerate(left, start=100)]
    return _csv(REPORT_HEADER, rows)


def detentions_file_b() -> bytes:
    """Agency B's detention log: she is "Ma. Guadalupe Hernandes Lopes" in it."""
    misspelt = [DETENTION_FOLIO, "Ma. Guadalupe", "Hernandes", "Lopes", "Mujer",
                _day(GUADALUPE_BORN), GUADALUPE_CURP, "Ciudad de México", "Iztapalapa",
                "11/03/2025", "Policía Preventiva", DETENTION_FACILITY,
                "Alteración del orden público"]
    _left, right = _population()
    rows = [misspelt] + [
        [f"SSC-2024-{n:06d}", *_person(person), _day(person.event_date),
         "Policía Preventiva", "Juzgado Cívico Cuauhtémoc", "Falta administrativa"]
        for n, person in enumerate(right, start=1)]
    return _csv(DETENTION_HEADER, rows)


def reports_file_d() -> bytes:
    """Agency D's reports: Juan Carlos Peña Ortiz's, and two more."""
    rows = [
        [JUAN_FOLIO, "Juan Carlos", "Peña", "Ortiz", "Hombre", _day(JUAN_BORN), JUAN_CURP,
         "Jalisco", "Guadalajara", "20/11/2024", "", "Carmen Ortiz (madre)", "33 2222 1111",
         "Desaparecida", "SÍ"],
        ["FGE/JAL/DESAP/2024/0421", "Rocío", "Salazar", "Núñez", "Mujer", "12/12/1979", "",
         "Jalisco", "Zapopan", "02/12/2024", "", "", "", "No localizada", "NO"],
        ["FGE/JAL/DESAP/2024/0422", "Efraín", "Cortés", "Villa", "Hombre", "30/01/2001", "",
         "Jalisco", "Tonalá", "05/12/2024", "", "", "", "Desaparecida", "NO"],
    ]
    return _csv(REPORT_HEADER, rows)


def remains_file_c() -> bytes:
    """Agency C's remains: one with a presumed identity (name and CURP of a voter card)."""
    rows = [
        [REMAINS_FOLIO, "Juan Carlos", "Peña", "Ortíz", "Hombre", _day(JUAN_BORN), JUAN_CURP,
         "Jalisco", "Tlajomulco de Zúñiga", "35-40", "14/02/2025",
         "Predio a un costado de la carretera", "Pantalón de mezclilla, playera negra",
         REMAINS_MARKS],
        ["IJCF/2025/0078", "", "", "", "Mujer", "", "", "Jalisco", "Tlaquepaque", "50-60",
         "15/02/2025", "Canal de riego", "Vestido azul", "Sin señas visibles"],
    ]
    return _csv(REMAINS_HEADER, rows)
