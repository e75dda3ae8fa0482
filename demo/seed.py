"""Deterministic demo data: agencies, missing-person reports, detention logs, cases, users.

The people come from ``matching.synthetic`` (the same generator the matching
benchmarks use): some missing persons also appear in detention logs with realistic
variation (spelling, dropped accents, swapped or missing surnames, nicknames, date
typos). Everything derives from one ``random.Random(seed)``, and no date depends
on today's date, so the same seed always gives the same registry.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from guardian.shortcuts import assign_perm

from demo.synthetic import SyntheticRecord, generate_linkage_dataset
from imports.models import ImportBatch
from mxnames.text import search_key
from registry import catalogue, roles
from registry.bulk import bulk_insert_rows
from registry.history import history_snapshot_insert
from registry.models import (
    Agency,
    AgencyKind,
    Case,
    CaseStatus,
    CaseStatusChange,
    Record,
    RecordKind,
    User,
)
from registry.services import case_public_keys_fill, generate_access_code

DEMO_PASSWORD = "demo-registro-2026"  # noqa: S105 - printed on purpose: demo accounts only
DEMO_CHANGE_REASON = "Datos de demostración"
# All demo timestamps hang from this instant, never from "now", for determinism.
DEMO_EPOCH = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class DemoAgency:
    code: str
    name: str
    kind: str
    state: str
    authority: str = ""
    facility: str = ""


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
    DemoUser("fiscal.cdmx", roles.PROSECUTOR, "Mtra. Rosa María Ibáñez Cruz", "fgj-cdmx"),
    DemoUser("fiscal.jal", roles.PROSECUTOR, "Lic. Ignacio Muñoz Gutiérrez", "fge-jal"),
    DemoUser("analista.ong", roles.NGO_ANALYST, "Ximena Cuauhtle Martínez"),
)


@dataclass
class DemoSummary:
    records: int
    cases: int
    family_codes: list[tuple[str, str]]
    users: list[DemoUser]


def _prosecutor_for_state(state_code: str) -> str:
    by_state = {a.state: a.code for a in DEMO_AGENCIES if a.kind == AgencyKind.PROSECUTOR}
    return by_state.get(state_code, "fgj-cdmx")


def _record_fields(person: SyntheticRecord) -> dict:
    """Return the columns every demo record has, with blanks where a kind has no value."""
    state = person.state_code or None
    return {
        "place": "",
        "authority": "",
        "facility": "",
        "reason": "",
        "description": "",
        "clothing": "",
        "marks": "",
        "address": "",
        "reporter_name": "",
        "reporter_contact": "",
        "source_sheet": "",
        "person_id": None,
        "created_at": DEMO_EPOCH,
        "updated_at": DEMO_EPOCH,
        "given_names": person.given_names,
        "paternal_surname": person.paternal_surname,
        "maternal_surname": person.maternal_surname,
        "aliases": person.aliases,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "age": person.age,
        "curp": person.curp,
        "nationality": "Mexicana",
        "event_date": person.event_date,
        "event_state_id": state,
        "event_municipality_id": person.municipality_code or None,
        "name_search": search_key(
            person.given_names, person.paternal_surname, person.maternal_surname, person.aliases
        ),
    }


def _raw_values(person: SyntheticRecord, extra: dict[str, str]) -> dict[str, str]:
    """Return the row as an agency spreadsheet would have had it (Spanish headers)."""
    return {
        "NOMBRE(S)": person.given_names,
        "APELLIDO PATERNO": person.paternal_surname,
        "APELLIDO MATERNO": person.maternal_surname,
        "SEXO": person.sex,
        "FECHA DE NACIMIENTO": person.birth_date.strftime("%d/%m/%Y") if person.birth_date else "",
        "EDAD": "" if person.age is None else str(person.age),
        "CURP": person.curp,
        "ENTIDAD": person.state_code,
        "MUNICIPIO": person.municipality_code,
        **extra,
    }


class DemoSeeder:
    """Build the demo registry in named steps, all from one random generator.

    1. agencies, 2. users and their object permissions, 3. one import batch per
    agency, 4. missing-person reports and detention records (bulk, with history),
    5. a case per report with status history, 6. family access codes for a few cases.
    """

    def __init__(self, *, records: int, seed: int, family_codes: int = 3) -> None:
        if records < 10:
            raise ValueError("seed_demo needs at least 10 records")
        self.record_count = records
        self.seed = seed
        self.family_code_count = family_codes
        self.rng = random.Random(seed)
        self.agencies: dict[str, Agency] = {}
        self.batches: dict[str, ImportBatch] = {}
        self.users: dict[str, User] = {}

    @transaction.atomic
    def run(self) -> DemoSummary:
        self._create_agencies()
        self._create_users()
        self._create_batches()
        reports, detention_count = self._create_records()
        cases = self._create_cases(reports)
        codes = self._issue_family_codes(cases)
        return DemoSummary(
            records=len(reports) + detention_count,
            cases=len(cases),
            family_codes=codes,
            users=list(DEMO_USERS),
        )

    def _create_agencies(self) -> None:
        for demo in DEMO_AGENCIES:
            agency, _ = Agency.objects.get_or_create(
                code=demo.code,
                defaults={
                    "name": demo.name,
                    "kind": demo.kind,
                    "state_id": demo.state,
                    "created_at": DEMO_EPOCH,
                },
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
            self.users[demo.username] = user

    def _create_batches(self) -> None:
        for code, agency in self.agencies.items():
            kind = (
                RecordKind.MISSING_REPORT
                if agency.kind == AgencyKind.PROSECUTOR
                else RecordKind.DETENTION
            )
            self.batches[code] = ImportBatch.objects.create(
                agency=agency,
                record_kind=kind,
                source=ImportBatch.Source.DEMO,
                file_name=f"demo_{code}.csv",
                status=ImportBatch.Status.COMMITTED,
                created_at=DEMO_EPOCH,
                finished_at=DEMO_EPOCH,
            )

    def _create_records(self) -> tuple[list[Record], int]:
        n_reports = max(5, self.record_count * 35 // 100)
        n_detentions = self.record_count - n_reports
        municipalities = [m.code for m in catalogue.municipalities()]
        left, right = generate_linkage_dataset(
            seed=self.seed,
            n_left=n_reports,
            n_right=n_detentions,
            overlap=0.3,
            municipalities=municipalities,
        )
        holders = [a for a in DEMO_AGENCIES if a.kind != AgencyKind.PROSECUTOR]
        rows = [self._report(person, row) for row, person in enumerate(left, start=2)]
        rows += [
            self._detention(person, self.rng.choice(holders), row)
            for row, person in enumerate(right, start=2)
        ]
        columns = list(rows[0])
        bulk_insert_rows(Record, columns, ([row[c] for c in columns] for row in rows))
        stored = Record.objects.filter(import_batch__in=list(self.batches.values()))
        history_snapshot_insert(
            stored, history_type="+", history_date=DEMO_EPOCH, change_reason=DEMO_CHANGE_REASON
        )
        reports = list(
            stored.filter(kind=RecordKind.MISSING_REPORT)
            .only("id", "agency_id", "external_id")
            .order_by("id")
        )
        return reports, len(rows) - len(reports)

    def _report(self, person: SyntheticRecord, row: int) -> dict:
        agency_code = _prosecutor_for_state(person.state_code)
        folio = f"{agency_code.upper()}/DESAP/{row:06d}"
        return _record_fields(person) | {
            "kind": RecordKind.MISSING_REPORT,
            "agency_id": self.agencies[agency_code].pk,
            "external_id": folio,
            "import_batch_id": self.batches[agency_code].pk,
            "source_file": f"demo_{agency_code}.csv",
            "source_row": row,
            "raw_values": _raw_values(person, {"FOLIO": folio, "DOMICILIO": person.address}),
            "address": person.address,
            "reporter_name": self.rng.choice(
                ("Madre", "Padre", "Hermana", "Hermano", "Esposa", "Hija")
            )
            + " de la persona",
            "reporter_contact": f"55{self.rng.randrange(10**8):08d}",
            "description": self.rng.choice(
                (
                    "Complexión delgada, cabello negro corto, cicatriz en la ceja izquierda.",
                    "Complexión media, tez morena, tatuaje de una rosa en el antebrazo derecho.",
                    "Estatura 1.60 m, cabello largo castaño, lunar en la mejilla.",
                    "Complexión robusta, usa lentes, vestía pantalón de mezclilla y sudadera gris.",
                )
            ),
        }

    def _detention(self, person: SyntheticRecord, holder: DemoAgency, row: int) -> dict:
        kind = RecordKind.RELEASE_TRANSFER if self.rng.random() < 0.08 else RecordKind.DETENTION
        external_id = f"{holder.code.upper()}-{row:07d}"
        reason = self.rng.choice(DETENTION_REASONS)
        return _record_fields(person) | {
            "kind": kind,
            "agency_id": self.agencies[holder.code].pk,
            "external_id": external_id,
            "import_batch_id": self.batches[holder.code].pk,
            "source_file": f"demo_{holder.code}.csv",
            "source_row": row,
            "authority": holder.authority,
            "facility": holder.facility,
            "reason": reason,
            "raw_values": _raw_values(
                person,
                {
                    "NÚMERO DE REGISTRO": external_id,
                    "AUTORIDAD": holder.authority,
                    "LUGAR DE RECLUSIÓN": holder.facility,
                    "MOTIVO": reason,
                },
            ),
        }

    def _create_cases(self, reports: list[Record]) -> list[Case]:
        statuses = (
            [CaseStatus.MISSING] * 70
            + [CaseStatus.NOT_LOCATED] * 15
            + [CaseStatus.FOUND_ALIVE] * 10
            + [CaseStatus.FOUND_DEAD] * 5
        )
        rows = []
        for report in reports:
            opened = DEMO_EPOCH - timedelta(days=self.rng.randrange(30, 3000))
            rows.append(
                (
                    report.external_id,
                    report.agency_id,
                    report.pk,
                    self.rng.choice(statuses),
                    self.rng.random() < 0.7,
                    opened,
                    opened,
                    DEMO_EPOCH,
                    "",
                    "",
                    None,
                    "",
                )
            )
        bulk_insert_rows(
            Case,
            (
                "folio",
                "agency_id",
                "missing_report_id",
                "status",
                "publication_consent",
                "status_changed_at",
                "created_at",
                "updated_at",
                "access_code_hash",
                "investigation_notes",
                "person_id",
                "status_reported",
            ),
            rows,
        )
        demo_cases = Case.objects.filter(
            missing_report__import_batch__in=list(self.batches.values()))
        case_public_keys_fill()
        cases = list(
            demo_cases.only("id", "folio", "agency_id", "status", "created_at").order_by("id")
        )
        history_snapshot_insert(
            demo_cases,
            history_type="+",
            history_date=DEMO_EPOCH,
            change_reason=DEMO_CHANGE_REASON,
        )
        changes = []
        for case in cases:
            changes.append((case.pk, "", CaseStatus.MISSING, case.created_at, "Denuncia recibida"))
            if case.status != CaseStatus.MISSING:
                changes.append(
                    (
                        case.pk,
                        CaseStatus.MISSING,
                        case.status,
                        case.created_at + timedelta(days=20),
                        "Actualización de la investigación",
                    )
                )
        bulk_insert_rows(
            CaseStatusChange,
            ("case_id", "from_status", "to_status", "changed_at", "reason"),
            changes,
        )
        self._assign_prosecutors(cases)
        return cases

    def _assign_prosecutors(self, cases: list[Case]) -> None:
        Assignment = Case.prosecutors.through
        assignments = []
        for demo in DEMO_USERS:
            if demo.role != roles.PROSECUTOR:
                continue
            user = self.users[demo.username]
            agency_id = self.agencies[demo.agency_code].pk
            assignments += [
                Assignment(case_id=case.pk, user_id=user.pk)
                for case in cases
                if case.agency_id == agency_id
            ]
        Assignment.objects.bulk_create(assignments, batch_size=2000, ignore_conflicts=True)

    def _issue_family_codes(self, cases: list[Case]) -> list[tuple[str, str]]:
        # Password hashing is slow on purpose (~0.4 s each), so only a few demo codes.
        open_cases = [case for case in cases if case.status == CaseStatus.MISSING]
        chosen = open_cases[: self.family_code_count]
        codes = []
        for case in chosen:
            code = generate_access_code()
            Case.objects.filter(pk=case.pk).update(
                access_code_hash=make_password(code), access_code_issued_at=DEMO_EPOCH
            )
            codes.append((case.folio, code))
        return codes


def demo_seed(*, records: int, seed: int, family_codes: int = 3) -> DemoSummary:
    """Create the demo registry (see ``DemoSeeder``) and return what was made."""
    return DemoSeeder(records=records, seed=seed, family_codes=family_codes).run()
