"""Deterministic demo data, loaded the way agencies load theirs: files through the importer.

The people come from ``demo.synthetic`` (the same generator the matching benchmarks
use): some missing persons also appear in detention logs, releases and transfers, and
a few among a forensic service's remains, with realistic variation (spelling, dropped
accents, swapped or missing surnames, nicknames, date typos). Each agency's records
are written as the CSV file it would send (Spanish headers) and imported through
``imports`` like any upload: the reports open their cases (``registry.cases``, with
the file's status and consent), the linkage then runs once over everything
(``matching``) and its links reach the cases. Everything derives from one
``random.Random(seed)``, so the same seed always gives the same records and cases
(only the times of the import are today's).
"""

from __future__ import annotations

import csv
import io
import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as datetime_time

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from demo.synthetic import SyntheticRecord, generate_linkage_dataset
from imports.intake import import_batch_create
from imports.models import ImportBatch
from imports.services import import_batch_run
from matching.adapter import LinkageCounts
from matching.linkage import linkage_link_all_in_process
from matching.models import LinkageModelVersion
from mxnames.sex import HM
from mxnames.states import STATES
from registry import catalogue, roles
from registry.models import (
    Agency,
    AgencyKind,
    Case,
    CaseStatus,
    CaseStatusChange,
    CaseStatusRequest,
    Record,
    RecordKind,
    User,
)
from registry.services import (
    case_access_code_issue,
    case_status_request_approve,
    case_status_update,
)

DEMO_PASSWORD = "demo-registro-2026"  # noqa: S105 - printed on purpose: demo accounts only


@dataclass(frozen=True)
class DemoAgency:
    code: str
    name: str
    kind: str
    state: str
    authority: str = ""
    facility: str = ""

    def contact(self, number: int) -> dict[str, str]:
        """A public contact that says it is the demo's (no real office is named)."""
        office = {AgencyKind.PROSECUTOR: "Unidad de Atención a Familias",
                  AgencyKind.FORENSIC: "Área de Identificación y Atención a Familias"}.get(
            self.kind, "Módulo de Información a Familiares")
        hours = ("lunes a viernes, 9:00 a 18:00" if self.kind in (AgencyKind.PROSECUTOR,
                                                                  AgencyKind.FORENSIC)
                 else "todos los días, las 24 horas")
        return {"contact_office": office, "contact_phone": f"800 000 {number:04d}",
                "contact_hours": hours,
                "contact_address": f"Dirección de demostración, {STATES[self.state][0]}"}


DEMO_AGENCIES = (
    DemoAgency(
        "fgj-cdmx",
        "Fiscalía General de Justicia de la Ciudad de México",
        AgencyKind.PROSECUTOR,
        "09",
    ),
    DemoAgency("fge-jal", "Fiscalía del Estado de Jalisco", AgencyKind.PROSECUTOR, "14"),
    DemoAgency("fge-gro", "Fiscalía General del Estado de Guerrero", AgencyKind.PROSECUTOR, "12"),
    DemoAgency(
        "fge-tamps",
        "Fiscalía General de Justicia del Estado de Tamaulipas",
        AgencyKind.PROSECUTOR,
        "28",
    ),
    DemoAgency("fge-ver", "Fiscalía General del Estado de Veracruz", AgencyKind.PROSECUTOR, "30"),
    DemoAgency("fge-gto", "Fiscalía General del Estado de Guanajuato", AgencyKind.PROSECUTOR, "11"),
    DemoAgency(
        "ssc-cdmx",
        "Secretaría de Seguridad Ciudadana de la Ciudad de México",
        AgencyKind.POLICE,
        "09",
        "Policía Preventiva",
        "Juzgado Cívico Iztapalapa",
    ),
    DemoAgency(
        "pe-jal",
        "Policía del Estado de Jalisco",
        AgencyKind.POLICE,
        "14",
        "Policía Estatal",
        "Separos de la Policía Estatal, Zapopan",
    ),
    DemoAgency(
        "pm-mty",
        "Policía Municipal de Monterrey",
        AgencyKind.POLICE,
        "19",
        "Policía Municipal",
        "Centro de Detención Municipal de Monterrey",
    ),
    DemoAgency(
        "gn",
        "Guardia Nacional",
        AgencyKind.MILITARY,
        "09",
        "Guardia Nacional",
        "Puesta a disposición ante el Ministerio Público Federal",
    ),
    DemoAgency(
        "reclusorio-oriente",
        "Reclusorio Preventivo Varonil Oriente",
        AgencyKind.PRISON,
        "09",
        "Sistema Penitenciario CDMX",
        "Reclusorio Preventivo Varonil Oriente",
    ),
    DemoAgency(
        "cereso-puente-grande",
        "Comisaría de Prisión Preventiva de Puente Grande",
        AgencyKind.PRISON,
        "14",
        "Sistema Penitenciario de Jalisco",
        "Comisaría de Prisión Preventiva, Puente Grande",
    ),
    DemoAgency(
        "cefereso-1",
        "CEFERESO No. 1 Altiplano",
        AgencyKind.PRISON,
        "15",
        "Órgano Administrativo Desconcentrado Prevención y Readaptación Social",
        "CEFERESO No. 1 Altiplano, Almoloya de Juárez",
    ),
    DemoAgency(
        "inm-tapachula",
        "Estación Migratoria Siglo XXI",
        AgencyKind.MIGRATION,
        "07",
        "Instituto Nacional de Migración",
        "Estación Migratoria Siglo XXI, Tapachula",
    ),
    DemoAgency(
        "inm-iztapalapa",
        "Estación Migratoria Iztapalapa",
        AgencyKind.MIGRATION,
        "09",
        "Instituto Nacional de Migración",
        "Estación Migratoria Iztapalapa",
    ),
    DemoAgency(
        "incifo-cdmx",
        "Instituto de Ciencias Forenses de la Ciudad de México",
        AgencyKind.FORENSIC,
        "09",
    ),
)

DETENTION_REASONS = (
    "Falta administrativa",
    "Alteración del orden público",
    "Robo a transeúnte",
    "Portación de arma prohibida",
    "Narcomenudeo",
    "Situación migratoria irregular",
    "Orden de aprehensión",
    "Lesiones",
    "Daño en propiedad ajena",
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    full_name: str
    agency_code: str = ""


DEMO_USERS = (
    DemoUser("admin", roles.ADMINISTRATOR, "Administración del Registro"),
    DemoUser("operadora.fgj", roles.AGENCY_OPERATOR, "Leticia Ramírez Ortega", "fgj-cdmx"),
    DemoUser("operador.ssc", roles.AGENCY_OPERATOR, "Jorge Alberto Núñez Vega", "ssc-cdmx"),
    DemoUser("operadora.inm", roles.AGENCY_OPERATOR, "Citlali Domínguez Peña", "inm-tapachula"),
    DemoUser("perito.incifo", roles.AGENCY_OPERATOR, "Dra. Alma Yolanda Chávez Ríos",
             "incifo-cdmx"),
    # Two prosecutors in every state's office: a "found" status one of them asks for is
    # approved by the other (the two-person rule), so the demo can show both sides.
    DemoUser("fiscal.cdmx", roles.PROSECUTOR, "Mtra. Rosa María Ibáñez Cruz", "fgj-cdmx"),
    DemoUser("fiscal2.cdmx", roles.PROSECUTOR, "Lic. Héctor Manuel Zúñiga Salgado",
             "fgj-cdmx"),
    DemoUser("fiscal.jal", roles.PROSECUTOR, "Lic. Ignacio Muñoz Gutiérrez", "fge-jal"),
    DemoUser("fiscal2.jal", roles.PROSECUTOR, "Mtra. Mariana Ochoa Villaseñor", "fge-jal"),
    DemoUser("fiscal.gro", roles.PROSECUTOR, "Lic. Abel Bautista Nava", "fge-gro"),
    DemoUser("fiscal2.gro", roles.PROSECUTOR, "Mtra. Yolanda Catalán Añorve", "fge-gro"),
    DemoUser("fiscal.tamps", roles.PROSECUTOR, "Lic. Rogelio Garza Treviño", "fge-tamps"),
    DemoUser("fiscal2.tamps", roles.PROSECUTOR, "Lic. Sofía Cantú Peña", "fge-tamps"),
    DemoUser("fiscal.ver", roles.PROSECUTOR, "Mtra. Itzel Hernández Ríos", "fge-ver"),
    DemoUser("fiscal2.ver", roles.PROSECUTOR, "Lic. Ramón Domínguez Mendoza", "fge-ver"),
    DemoUser("fiscal.gto", roles.PROSECUTOR, "Lic. Juan Pablo Ibarra Muñoz", "fge-gto"),
    DemoUser("fiscal2.gto", roles.PROSECUTOR, "Mtra. Lucía Aranda Gómez", "fge-gto"),
    DemoUser("analista.ong", roles.NGO_ANALYST, "Ximena Cuauhtle Martínez"),
)


DESCRIPTIONS = (
    "Complexión delgada, cabello negro corto, cicatriz en la ceja izquierda.",
    "Complexión media, tez morena, tatuaje de una rosa en el antebrazo derecho.",
    "Estatura 1.60 m, cabello largo castaño, lunar en la mejilla.",
    "Complexión robusta, usa lentes, vestía pantalón de mezclilla y sudadera gris.",
)
CLOTHING = (
    "Pantalón de mezclilla azul, sudadera gris, tenis blancos.",
    "Blusa roja, falda negra, sandalias.",
    "Playera negra con estampado, pantalón de vestir café.",
    "Chamarra verde militar, pants deportivos, botas.",
)
MARKS = (
    "Tatuaje de una rosa en el antebrazo derecho.",
    "Cicatriz quirúrgica en el abdomen.",
    "Lunar en la mejilla izquierda; perforación en la oreja.",
    "Sin señas visibles.",
)
RELATIVES = ("Madre", "Padre", "Hermana", "Hermano", "Esposa", "Hija")
# The file's status column, in the shares a prosecutor's registry shows; "found" statuses
# become requests for a second reviewer (registry.cases), half of them approved below.
STATUS_SHARES = ([CaseStatus.MISSING] * 70 + [CaseStatus.NOT_LOCATED] * 15
                 + [CaseStatus.FOUND_ALIVE] * 10 + [CaseStatus.FOUND_DEAD] * 5)
STATUS_TEXT = {CaseStatus.MISSING: "DESAPARECIDA", CaseStatus.NOT_LOCATED: "NO LOCALIZADA",
               CaseStatus.FOUND_ALIVE: "LOCALIZADA CON VIDA",
               CaseStatus.FOUND_DEAD: "LOCALIZADA SIN VIDA"}

PERSON_HEADER = ("NOMBRE(S)", "APELLIDO PATERNO", "APELLIDO MATERNO", "ALIAS", "SEXO",
                 "FECHA DE NACIMIENTO", "EDAD", "CURP", "ENTIDAD", "MUNICIPIO")
REPORT_HEADER = ("FOLIO", *PERSON_HEADER, "NACIONALIDAD", "FECHA DE DESAPARICIÓN",
                 "DESCRIPCIÓN", "DOMICILIO", "NOMBRE DEL FAMILIAR", "TELÉFONO DEL FAMILIAR",
                 "SITUACIÓN", "AUTORIZA PUBLICACIÓN")
DETENTION_HEADER = ("NÚMERO DE REGISTRO", *PERSON_HEADER, "NACIONALIDAD",
                    "FECHA DE DETENCIÓN", "AUTORIDAD", "LUGAR DE RECLUSIÓN", "MOTIVO")
TRANSFER_HEADER = ("NÚMERO DE REGISTRO", *PERSON_HEADER, "NACIONALIDAD", "FECHA DE TRASLADO",
                   "AUTORIDAD", "LUGAR DE RECLUSIÓN", "LUGAR DE DESTINO")
# Remains with a presumed identity (documents found with them): the forensic file names
# them, without birth date or CURP, with an estimated age range.
REMAINS_HEADER = ("FOLIO FORENSE", "NOMBRE(S)", "APELLIDO PATERNO", "APELLIDO MATERNO",
                  "SEXO", "EDAD ESTIMADA", "ENTIDAD", "MUNICIPIO", "FECHA DE HALLAZGO",
                  "LUGAR DEL HALLAZGO", "VESTIMENTA", "SEÑAS PARTICULARES")


@dataclass
class DemoFile:
    """One agency's file: its kind, header and rows, as it would send it."""

    agency: str
    kind: str
    header: tuple[str, ...]
    rows: list[list[str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.agency}_{self.kind}.csv"

    def content(self) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return buffer.getvalue().encode("utf-8")


@dataclass
class DemoSummary:
    records: int
    cases: int
    family_codes: list[tuple[str, str]]
    users: list[DemoUser]
    seconds: dict[str, float] = field(default_factory=dict)
    link_label: str = ""
    links: LinkageCounts | None = None
    approved: int = 0


def _prosecutor_for_state(state_code: str) -> str:
    by_state = {a.state: a.code for a in DEMO_AGENCIES if a.kind == AgencyKind.PROSECUTOR}
    return by_state.get(state_code, "fgj-cdmx")


def _day(value: date | None) -> str:
    # The generator's events run to a year after 2025 (a detention follows its report by
    # up to 400 days); no agency writes a date after the day it sends the file.
    return min(value, timezone.localdate()).strftime("%d/%m/%Y") if value else ""


def _person_cells(person: SyntheticRecord) -> list[str]:
    return [person.given_names, person.paternal_surname, person.maternal_surname,
            person.aliases, person.sex, _day(person.birth_date),
            "" if person.age is None else str(person.age), person.curp, person.state_code,
            person.municipality_code]


class DemoSeeder:
    """Build the demo registry in named steps, all from one random generator.

    1. agencies, 2. users and their object permissions (the offices' prosecutors read
    their office's records, so the cases its reports open are theirs), 3. each agency's
    files, written from the synthetic population, 4. imported through the importer
    (reports open their cases), 5. linked once (links reach the cases, alerts fire),
    6. half of the "found" requests approved by the office's prosecutor, 7. family access
    codes for a few open cases, those with another agency's record first.
    """

    def __init__(self, *, records: int, seed: int, family_codes: int = 3,
                 link: bool = True) -> None:
        if records < 10:
            raise ValueError("seed_demo needs at least 10 records")
        self.record_count = records
        self.seed = seed
        self.family_code_count = family_codes
        self.link = link
        self.rng = random.Random(seed)
        self.agencies: dict[str, Agency] = {}
        self.users: dict[str, User] = {}
        self.seconds: dict[str, float] = {}

    @transaction.atomic
    def run(self) -> DemoSummary:
        self._create_agencies()
        self._create_users()
        files = self._timed("files", self._write_files)
        self._timed("import", lambda: self._import(files))
        version, counts = None, None
        if self.link and self.record_count <= settings.MATCHING_DEMO_LINK_MAX_RECORDS:
            version, counts = self._timed("linkage", lambda: linkage_link_all_in_process(
                source=LinkageModelVersion.Source.DEMO, min_records=0))
        approved = self._approve_half_of_the_found_requests()
        self._date_the_history()
        self._ask_each_other_for_found_statuses()
        codes = self._issue_family_codes()
        return DemoSummary(
            records=Record.objects.count(), cases=Case.objects.count(), family_codes=codes,
            users=list(DEMO_USERS), seconds=self.seconds,
            link_label=version.label if version else "", links=counts, approved=approved)

    def _timed(self, step: str, work):
        started = time.perf_counter()
        result = work()
        self.seconds[step] = time.perf_counter() - started
        return result

    def _create_agencies(self) -> None:
        for number, demo in enumerate(DEMO_AGENCIES, start=101):
            agency, _ = Agency.objects.get_or_create(
                code=demo.code,
                defaults={"name": demo.name, "kind": demo.kind, "state_id": demo.state,
                          **demo.contact(number)},
            )
            self.agencies[demo.code] = agency

    def _create_users(self) -> None:
        password_hash = make_password(DEMO_PASSWORD)
        for demo in DEMO_USERS:
            first, _, last = demo.full_name.partition(" ")
            user, _created = User.objects.get_or_create(
                username=demo.username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "password": password_hash,
                    "email": f"{demo.username}@registro.example",
                    "is_staff": demo.role == roles.ADMINISTRATOR,
                    "is_superuser": demo.role == roles.ADMINISTRATOR,
                },
            )
            user.groups.add(Group.objects.get(name=demo.role))
            if demo.role == roles.AGENCY_OPERATOR:
                assign_perm("registry.operate_agency", user, self.agencies[demo.agency_code])
            if demo.role == roles.PROSECUTOR:
                # The office's prosecutor: its imported reports' cases are assigned to them.
                assign_perm("registry.view_agency_records", user,
                            self.agencies[demo.agency_code])
            self.users[demo.username] = user

    # --- 3. the files -------------------------------------------------------------------

    def _write_files(self) -> list[DemoFile]:
        """Return every agency's files: reports, detentions, transfers and remains."""
        n_reports = max(5, self.record_count * 35 // 100)
        n_remains = max(1, self.record_count // 100)
        n_right = self.record_count - n_reports
        municipalities = [m.code for m in catalogue.municipalities()]
        # The reports carry the names as the families gave them: those are the names the
        # posters publish. The other agencies' copies keep their misspellings.
        left, right = generate_linkage_dataset(seed=self.seed, n_left=n_reports,
                                               n_right=n_right, overlap=0.3,
                                               municipalities=municipalities,
                                               reports_spelt_right=True)
        files: dict[tuple[str, str], DemoFile] = {}

        def file_of(agency: str, kind: str, header: tuple[str, ...]) -> DemoFile:
            return files.setdefault((agency, kind), DemoFile(agency, kind, header))

        for row, person in enumerate(left, start=2):
            agency = _prosecutor_for_state(person.state_code)
            file_of(agency, RecordKind.MISSING_REPORT, REPORT_HEADER).rows.append(
                self._report(person, agency, row))
        # Some of the missing people who reappear were found dead: the forensic service's
        # remains; every other right-hand record is a detention or a transfer.
        missing_people = {person.person_id for person in left}
        reappearing = [i for i, person in enumerate(right) if person.person_id in missing_people]
        as_remains = set(self.rng.sample(reappearing, min(n_remains, len(reappearing))))
        holders = [a for a in DEMO_AGENCIES
                   if a.kind not in (AgencyKind.PROSECUTOR, AgencyKind.FORENSIC)]
        for row, person in enumerate(right, start=2):
            if row - 2 in as_remains:
                file_of("incifo-cdmx", RecordKind.UNIDENTIFIED_REMAINS,
                        REMAINS_HEADER).rows.append(self._remains(person, row))
                continue
            holder = self.rng.choice(holders)
            if self.rng.random() < 0.08:
                file_of(holder.code, RecordKind.RELEASE_TRANSFER, TRANSFER_HEADER).rows.append(
                    self._transfer(person, holder, row))
            else:
                file_of(holder.code, RecordKind.DETENTION, DETENTION_HEADER).rows.append(
                    self._detention(person, holder, row))
        return [files[key] for key in sorted(files)]

    def _report(self, person: SyntheticRecord, agency: str, row: int) -> list[str]:
        folio = f"{agency.upper()}/DESAP/{row:06d}"
        relative = self.rng.choice(RELATIVES)
        return [folio, *_person_cells(person), "Mexicana", _day(person.event_date),
                self.rng.choice(DESCRIPTIONS), person.address,
                f"{relative} de la persona", f"55{self.rng.randrange(10**8):08d}",
                STATUS_TEXT[self.rng.choice(STATUS_SHARES)],
                "SÍ" if self.rng.random() < 0.7 else "NO"]

    def _detention(self, person: SyntheticRecord, holder: DemoAgency, row: int) -> list[str]:
        return [f"{holder.code.upper()}-{row:07d}", *_person_cells(person), "Mexicana",
                _day(person.event_date), holder.authority, holder.facility,
                self.rng.choice(DETENTION_REASONS)]

    def _transfer(self, person: SyntheticRecord, holder: DemoAgency, row: int) -> list[str]:
        destination = self.rng.choice([a.facility for a in DEMO_AGENCIES
                                       if a.kind == AgencyKind.PRISON])
        return [f"{holder.code.upper()}-T{row:07d}", *_person_cells(person), "Mexicana",
                _day(person.event_date), holder.authority, holder.facility, destination]

    def _remains(self, person: SyntheticRecord, row: int) -> list[str]:
        age = person.age
        if age is None and person.birth_date and person.event_date:
            age = max(0, (person.event_date - person.birth_date).days // 365)
        low = max(0, (age or 30) - self.rng.randint(2, 5))
        high = (age or 30) + self.rng.randint(2, 5)
        return [f"INCIFO/{row:06d}", person.given_names, person.paternal_surname,
                person.maternal_surname, person.sex, f"{low}-{high}", person.state_code,
                person.municipality_code, _day(person.event_date),
                "Predio baldío a un costado de la carretera", self.rng.choice(CLOTHING),
                self.rng.choice(MARKS)]

    # --- 4. through the importer --------------------------------------------------------

    def _import(self, files: list[DemoFile]) -> None:
        """Import each file as its agency's operator would (or the command line, without one);
        the linkage runs once afterwards, over everything."""
        operators = {demo.agency_code: self.users[demo.username] for demo in DEMO_USERS
                     if demo.role == roles.AGENCY_OPERATOR}
        for demo_file in files:
            actor = operators.get(demo_file.agency)
            batch = import_batch_create(
                agency=self.agencies[demo_file.agency], record_kind=demo_file.kind,
                upload=io.BytesIO(demo_file.content()), file_name=demo_file.name, actor=actor,
                source=ImportBatch.Source.DEMO, sex_codes=HM)
            batch = import_batch_run(batch=batch, dry_run=False, actor=actor, link=False)
            if batch.status != ImportBatch.Status.COMMITTED or batch.rows_rejected:
                raise RuntimeError(f"demo file {demo_file.name} did not import cleanly: "
                                   f"{batch.status}, {batch.rows_rejected} rejected")

    # --- 6. and 7. ----------------------------------------------------------------------

    def _office_prosecutors(self) -> dict[str, list[User]]:
        offices: dict[str, list[User]] = {}
        for demo in DEMO_USERS:
            if demo.role == roles.PROSECUTOR:
                offices.setdefault(demo.agency_code, []).append(self.users[demo.username])
        return offices

    def _approve_half_of_the_found_requests(self) -> int:
        """The office's prosecutors approve every other "found" request of the file, in turn."""
        approved = 0
        for code, prosecutors in self._office_prosecutors().items():
            requests = (CaseStatusRequest.objects
                        .filter(outcome=CaseStatusRequest.Outcome.PENDING,
                                case__agency=self.agencies[code])
                        .order_by("case__folio"))
            for turn, request in enumerate(list(requests)[::2]):
                approver = prosecutors[turn % len(prosecutors)]
                if request.requested_by_id == approver.pk:
                    continue
                case_status_request_approve(request=request, actor=approver,
                                            note="Identificación confirmada (demostración)")
                approved += 1
        return approved

    def _date_the_history(self) -> None:
        """Date each case's history after its disappearance, as it would have happened.

        The importer dates everything "now" (the seeding's time). 1. The report is filed
        0-20 days after the disappearance; 2. an approved "found" status comes 1-400 days
        later; 3. never after today. Demo data only: production history is never redated.
        """
        today = timezone.now()
        changes = {}
        for change in CaseStatusChange.objects.order_by("case_id", "changed_at", "pk"):
            changes.setdefault(change.case_id, []).append(change)
        cases = list(Case.objects.select_related("missing_report").order_by("folio"))
        requests = {r.case_id: r for r in CaseStatusRequest.objects.exclude(
            outcome=CaseStatusRequest.Outcome.PENDING)}
        for case in cases:
            disappeared = case.missing_report.event_date if case.missing_report else None
            if disappeared is None:
                continue
            moment = timezone.make_aware(datetime.combine(disappeared, datetime_time(10)))
            moment = min(moment + timedelta(days=self.rng.randint(0, 20)), today)
            case.created_at = moment
            for change in changes.get(case.pk, []):
                change.changed_at = moment
                moment = min(moment + timedelta(days=self.rng.randint(1, 400)), today)
            history = changes.get(case.pk)
            case.status_changed_at = history[-1].changed_at if history else case.created_at
            case.updated_at = case.status_changed_at
            request = requests.get(case.pk)
            if request is not None:
                request.requested_at = case.created_at
                request.decided_at = case.status_changed_at
        Case.objects.bulk_update(cases, ["created_at", "status_changed_at", "updated_at"],
                                 batch_size=1000)
        CaseStatusChange.objects.bulk_update(
            [c for group in changes.values() for c in group], ["changed_at"], batch_size=1000)
        CaseStatusRequest.objects.bulk_update(list(requests.values()),
                                              ["requested_at", "decided_at"], batch_size=1000)

    def _ask_each_other_for_found_statuses(self) -> int:
        """Each office prosecutor asks for a "found" status that the other must approve:
        open cases whose person is among the forensic remains (found dead) or in a
        detention log (found alive), so the two-person rule can be tried both ways."""
        asked = 0
        for code, prosecutors in self._office_prosecutors().items():
            if len(prosecutors) < 2:
                continue
            evidence = dict(Record.objects.filter(
                person__cases__agency=self.agencies[code],
                person__cases__status=CaseStatus.MISSING,
                kind__in=(RecordKind.UNIDENTIFIED_REMAINS, RecordKind.DETENTION))
                .order_by("kind", "person_id").values_list("person_id", "kind"))
            cases = (Case.objects.filter(agency=self.agencies[code], status=CaseStatus.MISSING,
                                         person_id__in=list(evidence))
                     .exclude(status_requests__outcome=CaseStatusRequest.Outcome.PENDING)
                     .order_by("folio"))
            for turn, case in enumerate(list(cases)[:2 * len(prosecutors)]):
                dead = evidence[case.person_id] == RecordKind.UNIDENTIFIED_REMAINS
                case_status_update(
                    case=case, actor=prosecutors[turn % len(prosecutors)],
                    to_status=CaseStatus.FOUND_DEAD if dead else CaseStatus.FOUND_ALIVE,
                    reason=("Restos identificados por el servicio forense (demostración)"
                            if dead else "Localizada en un registro de detención (demostración)"))
                asked += 1
        return asked

    def _issue_family_codes(self) -> list[tuple[str, str]]:
        """A few open cases get a code: those whose person has another agency's record first
        (so the family page shows a link), and among them those a demo prosecutor is
        assigned to. Hashing is slow on purpose (~0.4 s each)."""
        open_cases = list(Case.objects.filter(status=CaseStatus.MISSING)
                          .select_related("missing_report").order_by("folio"))
        linked_people = set(Record.objects.filter(
            person__in=[case.person_id for case in open_cases if case.person_id])
            .exclude(kind=RecordKind.MISSING_REPORT).values_list("person_id", flat=True))
        assigned = set(Case.prosecutors.through.objects.filter(
            case__in=open_cases).values_list("case_id", flat=True))
        # Linked first, then those a demo prosecutor can open (stable: folio order within).
        open_cases.sort(key=lambda case: (case.person_id not in linked_people,
                                          case.pk not in assigned))
        return [(case.folio, case_access_code_issue(case=case, actor=None))
                for case in open_cases[: self.family_code_count]]


def demo_seed(*, records: int, seed: int, family_codes: int = 3,
              link: bool = True) -> DemoSummary:
    """Create the demo registry (see ``DemoSeeder``) and return what was made."""
    return DemoSeeder(records=records, seed=seed, family_codes=family_codes, link=link).run()
