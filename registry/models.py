"""Core data of the registry: agencies, records as received, people, cases, matches, audit.

Invariants live in the database (unique and check constraints); ``save()`` only
enforces what the database cannot (the append-only audit log). Writes go through
``registry/services.py``; reads through ``registry/selectors.py`` and ``registry/access.py``.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# The policy module imports no models, so the models may use its pseudonyms.
from registry.redaction import DEFAULT_PUBLICATION, Publication, pseudonym


class User(AbstractUser):
    """A person who logs in: agency operator, prosecutor, NGO analyst or administrator.

    Roles are groups (see ``registry/roles.py``); which agencies and cases a user may
    see are django-guardian object permissions, answered by ``registry/access.py``.
    """

    class Meta(AbstractUser.Meta):
        verbose_name = _("usuario")
        verbose_name_plural = _("usuarios")


class State(models.Model):
    """One of the 32 federal entities, from the INEGI catalogue."""

    code = models.CharField(_("clave INEGI"), max_length=2, primary_key=True)
    name = models.CharField(_("nombre"), max_length=80, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("entidad federativa")
        verbose_name_plural = _("entidades federativas")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{2}$"), name="state_code_two_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """A municipality or CDMX borough, keyed by its five-digit INEGI ``cve_geo``."""

    code = models.CharField(_("clave INEGI"), max_length=5, primary_key=True)
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="municipalities",
                              verbose_name=_("entidad"))
    name = models.CharField(_("nombre"), max_length=120)

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipio")
        verbose_name_plural = _("municipios")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{5}$"), name="municipality_code_five_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.state_id}"


class AgencyKind(models.TextChoices):
    PROSECUTOR = "prosecutor", _("Fiscalía")
    POLICE = "police", _("Policía")
    PRISON = "prison", _("Centro penitenciario")
    MIGRATION = "migration", _("Estación migratoria")
    MILITARY = "military", _("Fuerzas armadas / Guardia Nacional")
    FORENSIC = "forensic", _("Servicio forense")
    CIVIL_REGISTRY = "civil_registry", _("Registro civil")
    NGO = "ngo", _("Organización civil")


class Agency(models.Model):
    """An institution that reports records: prosecutor's office, police, prison, …"""

    Kind = AgencyKind

    code = models.SlugField(_("clave"), max_length=40, unique=True)
    name = models.CharField(_("nombre"), max_length=200)
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices)
    state = models.ForeignKey(State, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="agencies", verbose_name=_("entidad"))
    is_active = models.BooleanField(_("activa"), default=True)
    created_at = models.DateTimeField(_("creada"), default=timezone.now, editable=False)
    # Where families and witnesses turn: public by design (posters, detention answers,
    # the family page), still rendered through the redaction policy (AGENCY_POLICY).
    contact_office = models.CharField(_("oficina de atención"), max_length=200, blank=True,
                                      help_text=_("p. ej. «Unidad de Atención a Familias»"))
    contact_phone = models.CharField(_("teléfono de atención"), max_length=60, blank=True)
    contact_hours = models.CharField(_("horario de atención"), max_length=200, blank=True,
                                     help_text=_("p. ej. «lunes a viernes, 9:00 a 18:00»"))
    contact_address = models.CharField(_("dirección de atención"), max_length=300,
                                       blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institución")
        verbose_name_plural = _("instituciones")
        permissions = [
            ("operate_agency", _("Importar y corregir los registros de la institución")),
            ("view_agency_records", _("Consultar los registros completos de la institución")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AgencyKind.values),
                                   name="agency_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Sex(models.TextChoices):
    MALE = "H", _("Hombre")
    FEMALE = "M", _("Mujer")
    OTHER = "X", _("No binario / otro")
    UNKNOWN = "", _("Sin dato")


class Person(models.Model):
    """A resolved identity: the cluster of records judged to be the same human.

    A merge moves records onto the surviving person and marks the other one
    ``merged_into``; it is recorded (history) so that it can be undone.
    """

    created_at = models.DateTimeField(_("creada"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="absorbed", verbose_name=_("fusionada en"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("persona")
        verbose_name_plural = _("personas")
        constraints = [
            models.CheckConstraint(condition=~Q(merged_into=models.F("id")),
                                   name="person_not_merged_into_itself"),
        ]

    def __str__(self) -> str:
        return _("Persona %(id)s") % {"id": self.pk}


class RecordKind(models.TextChoices):
    MISSING_REPORT = "missing_report", _("Reporte de desaparición")
    DETENTION = "detention", _("Detención")
    RELEASE_TRANSFER = "release_transfer", _("Liberación o traslado")
    LOCATED = "located", _("Localización")
    UNIDENTIFIED_REMAINS = "unidentified_remains", _("Restos sin identificar")


class Record(models.Model):
    """One row as one agency gave it, with its provenance and every earlier version."""

    Kind = RecordKind

    kind = models.CharField(_("tipo de registro"), max_length=24, choices=Kind.choices)
    # No index of its own: the unique (agency, external_id) index starts with it.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="records",
                               verbose_name=_("institución"), db_index=False)
    external_id = models.CharField(
        _("identificador de la institución"), max_length=128,
        help_text=_("El folio o clave que la institución da al registro; si no lo da, "
                    "una huella estable de la fila."),
    )

    # Identity, kept as given (normalised forms are derived for matching and search).
    given_names = models.CharField(_("nombre(s)"), max_length=200, blank=True)
    paternal_surname = models.CharField(_("primer apellido"), max_length=120, blank=True)
    maternal_surname = models.CharField(_("segundo apellido"), max_length=120, blank=True)
    aliases = models.CharField(_("alias"), max_length=300, blank=True)
    sex = models.CharField(_("sexo"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("fecha de nacimiento"), null=True, blank=True)
    age = models.PositiveSmallIntegerField(_("edad"), null=True, blank=True,
                                           help_text=_("Edad declarada al momento del hecho."))
    curp = models.CharField(_("CURP"), max_length=18, blank=True)
    nationality = models.CharField(_("nacionalidad"), max_length=60, blank=True)
    name_search = models.CharField(
        _("nombre normalizado"), max_length=500, blank=True, editable=False,
        help_text=_("Nombre sin acentos ni signos, para búsqueda y vinculación."),
    )

    # The event: disappearance, detention, release, location or finding.
    event_date = models.DateField(_("fecha del hecho"), null=True, blank=True)
    # Indexes of the two codes are declared in Meta: Django's default for a CharField key
    # adds a second ``varchar_pattern_ops`` (LIKE) index that no query uses, and the state
    # is served by (kind, event_state).
    event_state = models.ForeignKey(State, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("entidad del hecho"),
                                    db_index=False)
    event_municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("municipio del hecho"), db_index=False,
    )
    place = models.CharField(_("lugar"), max_length=300, blank=True)
    authority = models.CharField(_("autoridad"), max_length=200, blank=True)
    facility = models.CharField(_("lugar de reclusión o estancia"), max_length=200, blank=True)
    reason = models.CharField(_("motivo"), max_length=300, blank=True)
    description = models.TextField(_("descripción"), blank=True)
    # Forensic services describe unidentified remains (and anyone located) by an estimated
    # age range, what they wore and their marks; metadata only, never genetic data (the
    # importer refuses files with genetic columns).
    age_min = models.PositiveSmallIntegerField(_("edad estimada mínima"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("edad estimada máxima"), null=True, blank=True)
    clothing = models.TextField(_("vestimenta"), blank=True)
    marks = models.TextField(_("señas particulares"), blank=True,
                             help_text=_("Tatuajes, cicatrices, lunares, prótesis…"))

    # Restricted: never public (see the redaction policy).
    address = models.TextField(_("domicilio"), blank=True)
    reporter_name = models.CharField(_("nombre de quien reporta"), max_length=200, blank=True)
    reporter_contact = models.CharField(_("contacto de quien reporta"), max_length=200,
                                        blank=True)

    # Provenance: where this row came from, exactly as received.
    import_batch = models.ForeignKey("imports.ImportBatch", on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="records",
                                     verbose_name=_("lote de importación"))
    source_file = models.CharField(_("archivo de origen"), max_length=255, blank=True)
    source_sheet = models.CharField(_("hoja"), max_length=100, blank=True)
    source_row = models.PositiveIntegerField(_("fila"), null=True, blank=True)
    raw_values = models.JSONField(_("valores originales"), default=dict, blank=True)

    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="records", verbose_name=_("persona"))
    created_at = models.DateTimeField(_("creado"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    # History is read per record (``id``) and per import batch (rollback); the other
    # key columns of the history table are never searched, so they carry no index
    # (each one cost an index insertion per imported row).
    history = HistoricalRecords(
        no_db_index=["agency", "event_state", "event_municipality", "person"])

    class Meta:
        verbose_name = _("registro")
        verbose_name_plural = _("registros")
        permissions = [
            ("export_redacted", _("Exportar datos anonimizados")),
        ]
        constraints = [
            # Re-importing the same row updates it, never duplicates it.
            models.UniqueConstraint(fields=["agency", "external_id"],
                                    name="record_unique_external_id_per_agency"),
            models.CheckConstraint(condition=~Q(external_id=""), name="record_external_id_set"),
            models.CheckConstraint(condition=Q(kind__in=RecordKind.values),
                                   name="record_kind_valid"),
            models.CheckConstraint(condition=Q(sex__in=Sex.values),
                                   name="record_sex_valid"),
            models.CheckConstraint(condition=Q(age__isnull=True) | Q(age__lte=130),
                                   name="record_age_plausible"),
            models.CheckConstraint(
                condition=(Q(age_min__isnull=True) | Q(age_min__lte=130))
                & (Q(age_max__isnull=True) | Q(age_max__lte=130))
                & (Q(age_min__isnull=True) | Q(age_max__isnull=True)
                   | Q(age_min__lte=models.F("age_max"))),
                name="record_age_range_plausible"),
        ]
        indexes = [
            # Public listing and statistics: records of one kind in one state.
            models.Index(fields=["kind", "event_state"], name="record_kind_state_idx"),
            # Matching blocks on CURP.
            models.Index(fields=["curp"], name="record_curp_idx", condition=~Q(curp="")),
            # Exact-name lookups (detention consultation) before fuzzy ranking.
            models.Index(fields=["name_search"], name="record_name_search_idx"),
            # The matching index's refresh: records created or changed since its watermark.
            models.Index(fields=["updated_at"], name="record_updated_at_idx"),
            # Public search filtered by municipality.
            models.Index(fields=["event_municipality"], name="record_municipality_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name or _('(sin nombre)')} · {self.agency_id}/{self.external_id}"

    @property
    def full_name(self) -> str:
        parts = (self.given_names, self.paternal_surname, self.maternal_surname)
        return " ".join(part for part in parts if part)


class CaseStatus(models.TextChoices):
    MISSING = "desaparecida", _("Desaparecida")
    NOT_LOCATED = "no_localizada", _("No localizada")
    FOUND_ALIVE = "localizada_con_vida", _("Localizada con vida")
    FOUND_DEAD = "localizada_sin_vida", _("Localizada sin vida")


class CasePublication(models.TextChoices):
    """The family's decision about publication (the policy's ``Publication``)."""

    PUBLISH = Publication.PUBLISH.value, _("Publicar")
    WITHOUT_NAME = Publication.WITHOUT_NAME.value, _("Publicar sin nombre")
    WITHHOLD = Publication.WITHHOLD.value, _("No publicar")


OPEN_CASE_STATUSES = (CaseStatus.MISSING, CaseStatus.NOT_LOCATED)
CASE_PUBLIC_KEY_NAMESPACE = "registry.case.id"


def case_public_key(case_id: int, version: int = 0) -> str:
    """Return the public key of a case: the policy's pseudonym of its id.

    Version 0 is the key every case is born with; each withdrawal of publication moves
    the case to the next version, whose key nothing published before can be joined to.
    """
    value = case_id if version == 0 else f"{case_id}.v{version}"
    return pseudonym(CASE_PUBLIC_KEY_NAMESPACE, value)


# Sent when ``Case.save`` gave a new case its public key (after post_save).
case_public_key_set = Signal()


class CaseQuerySet(models.QuerySet):
    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_CASE_STATUSES)


class Case(models.Model):
    """A missing-person case, identified by its folio."""

    folio = models.CharField(_("folio"), max_length=40, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="cases",
                               verbose_name=_("fiscalía a cargo"))
    missing_report = models.OneToOneField(Record, on_delete=models.PROTECT, null=True,
                                          blank=True, related_name="case",
                                          verbose_name=_("reporte de desaparición"))
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="cases", verbose_name=_("persona"))
    status = models.CharField(_("situación"), max_length=24, choices=CaseStatus.choices,
                              default=CaseStatus.MISSING)
    status_changed_at = models.DateTimeField(_("último cambio de situación"),
                                             default=timezone.now)
    # Changed only by ``registry.services.case_publication_decide`` (the staff page), which
    # records who decided, when and why, and gives the entry a new key on a withdrawal.
    # A database default too: bulk writers (demo, benchmarks, imports) may leave it out.
    publication = models.CharField(
        _("publicación"), max_length=12, choices=CasePublication.choices,
        default=DEFAULT_PUBLICATION.value, db_default=DEFAULT_PUBLICATION.value,
        help_text=_("Decisión de la familia: publicar la ficha con nombre, sin nombre, o no "
                    "publicarla."),
    )
    # Stored with Django's password hasher; the plain code is shown once when issued.
    access_code_hash = models.CharField(_("código de acceso (cifrado)"), max_length=256,
                                        blank=True, editable=False)
    access_code_issued_at = models.DateTimeField(_("código emitido"), null=True, blank=True,
                                                 editable=False)
    # The stable key of the public entry ("ficha") URL: redaction.pseudonym of the id,
    # stored so that the entry page finds its case through an index (see save()).
    public_key = models.CharField(_("clave pública"), max_length=20, unique=True, null=True,
                                  blank=True, editable=False)
    public_key_version = models.PositiveSmallIntegerField(
        _("versión de la clave pública"), default=0, db_default=0, editable=False,
        help_text=_("Aumenta cada vez que se retira la publicación: la ficha cambia de clave."))
    prosecutors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                         related_name="assigned_cases",
                                         verbose_name=_("agentes del ministerio público"))
    investigation_notes = models.TextField(_("notas de investigación"), blank=True)
    # Provenance of a case opened by importing its report (``registry.cases``): the batch
    # that opened it (a rollback of that batch removes it), and what the agency's file
    # last said of the status and the consent. A re-import applies only what the file
    # says anew, so a value it keeps repeating never undoes a later decision.
    import_batch = models.ForeignKey("imports.ImportBatch", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="opened_cases",
                                     verbose_name=_("lote que abrió el caso"))
    status_reported = models.CharField(
        _("situación según el archivo de la institución"), max_length=24, blank=True,
        choices=CaseStatus.choices)
    consent_reported = models.BooleanField(
        _("consentimiento según el archivo de la institución"), null=True, blank=True)
    created_at = models.DateTimeField(_("creado"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    objects = CaseQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["access_code_hash", "public_key"])

    class Meta:
        verbose_name = _("caso")
        verbose_name_plural = _("casos")
        permissions = [
            ("review_matches", _("Revisar coincidencias del caso")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values),
                                   name="case_status_legal"),
            models.CheckConstraint(condition=~Q(folio=""), name="case_folio_set"),
            models.CheckConstraint(condition=Q(status_reported__in=["", *CaseStatus.values]),
                                   name="case_status_reported_legal"),
            models.CheckConstraint(condition=Q(publication__in=CasePublication.values),
                                   name="case_publication_valid"),
        ]

    def __str__(self) -> str:
        return self.folio

    def save(self, *args, **kwargs):
        """Save, then enforce the invariant public_key == pseudonym of the id (and version).

        The id exists only after the first insert, so a new case is updated once more.
        Bulk writers that bypass save() call ``registry.services.case_public_keys_fill``.
        """
        super().save(*args, **kwargs)
        if not self.public_key:
            self.public_key = case_public_key(self.pk, self.public_key_version)
            type(self).objects.filter(pk=self.pk).update(public_key=self.public_key)
            # post_save ran before the key existed: the published entry needs it.
            case_public_key_set.send(sender=type(self), instance=self)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CASE_STATUSES


class CaseStatusChange(models.Model):
    """One entry of a case's status history: from, to, who, when, why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes",
                             verbose_name=_("caso"))
    from_status = models.CharField(_("situación anterior"), max_length=24,
                                   choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("situación nueva"), max_length=24,
                                 choices=CaseStatus.choices)
    changed_at = models.DateTimeField(_("fecha"), default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("registró"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("aprobó"))
    reason = models.TextField(_("motivo"), blank=True)

    class Meta:
        ordering = ["case", "changed_at", "id"]
        verbose_name = _("cambio de situación")
        verbose_name_plural = _("historial de situación")
        constraints = [
            models.CheckConstraint(
                condition=Q(to_status__in=CaseStatus.values)
                & Q(from_status__in=["", *CaseStatus.values]),
                name="case_status_change_legal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status or '—'} → {self.to_status}"


class CasePublicationDecision(models.Model):
    """One decision of the family about publishing its case: what, who, when and why.

    Append-only, like the status history: a new decision is a new row, and the case's
    ``publication`` is the latest one (its own history keeps every earlier value).
    Written only by ``registry.services.case_publication_decide``.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE,
                             related_name="publication_decisions", verbose_name=_("caso"))
    publication = models.CharField(_("decisión"), max_length=12,
                                   choices=CasePublication.choices)
    previous_publication = models.CharField(_("decisión anterior"), max_length=12,
                                            choices=CasePublication.choices)
    # Who in the family decided, as the family said it ("madre, María …"): personal data,
    # shown only to the case's prosecutors and administrators.
    decided_by = models.CharField(_("quién decidió (familia)"), max_length=200)
    reason = models.TextField(_("motivo"))
    # Null: applied from the agency's imported file (``registry.cases``), not at a desk.
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("registró"))
    recorded_at = models.DateTimeField(_("fecha"), default=timezone.now)
    key_rotated = models.BooleanField(
        _("clave pública renovada"), default=False,
        help_text=_("La decisión retiró publicación y la ficha recibió una clave nueva."))

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("decisión de publicación")
        verbose_name_plural = _("decisiones de publicación")
        constraints = [
            models.CheckConstraint(
                condition=Q(publication__in=CasePublication.values)
                & Q(previous_publication__in=CasePublication.values),
                name="case_publication_decision_valid"),
            models.CheckConstraint(condition=~Q(decided_by="") & ~Q(reason=""),
                                   name="case_publication_decision_who_why"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.previous_publication} → {self.publication}"


# Closing a case as found needs a second reviewer: the change is first a request.
FOUND_CASE_STATUSES = (CaseStatus.FOUND_ALIVE, CaseStatus.FOUND_DEAD)


class CaseStatusRequestOutcome(models.TextChoices):
    PENDING = "pending", _("Pendiente")
    APPROVED = "approved", _("Aprobada")
    DECLINED = "declined", _("Rechazada")


class CaseStatusRequest(models.Model):
    """A request to mark a case as found, waiting for a second prosecutor to approve it.

    Only the approval runs ``case_status_change`` (with ``approved_by``); the database
    refuses an approval by the requester and a second pending request for the case.
    """

    Outcome = CaseStatusRequestOutcome

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_requests",
                             verbose_name=_("caso"))
    to_status = models.CharField(_("situación solicitada"), max_length=24,
                                 choices=CaseStatus.choices)
    reason = models.TextField(_("motivo"))
    # Null: the agency's imported file stated the "found" status (``registry.cases``).
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("solicitó"))
    requested_at = models.DateTimeField(_("fecha de solicitud"), default=timezone.now)
    outcome = models.CharField(_("resultado"), max_length=10,
                               choices=CaseStatusRequestOutcome.choices,
                               default=CaseStatusRequestOutcome.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("revisó"))
    decided_at = models.DateTimeField(_("fecha de revisión"), null=True, blank=True)
    decision_note = models.TextField(_("nota de la revisión"), blank=True)
    status_change = models.OneToOneField(CaseStatusChange, on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="request",
                                         verbose_name=_("cambio aplicado"))

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("solicitud de cambio de situación")
        verbose_name_plural = _("solicitudes de cambio de situación")
        constraints = [
            models.CheckConstraint(condition=Q(to_status__in=FOUND_CASE_STATUSES),
                                   name="case_status_request_found_only"),
            models.CheckConstraint(condition=Q(outcome__in=CaseStatusRequestOutcome.values),
                                   name="case_status_request_outcome_valid"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                name="case_status_request_second_reviewer",
            ),
            models.UniqueConstraint(fields=["case"], condition=Q(outcome="pending"),
                                    name="case_status_request_one_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.to_status} ({self.outcome})"


class MatchDecision(models.TextChoices):
    PENDING = "pending", _("Pendiente")
    CONFIRMED = "confirmed", _("Confirmada")
    REJECTED = "rejected", _("Rechazada")
    UNSURE = "unsure", _("Sin certeza")


class MatchCandidate(models.Model):
    """A pair of records that may be the same person, with the score and the decision."""

    Decision = MatchDecision

    # The pair is stored in canonical order (left id < right id) so it exists once.
    record_left = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+",
                                    verbose_name=_("registro A"))
    record_right = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("registro B"))
    match_weight = models.FloatField(_("peso de coincidencia"))
    probability = models.FloatField(_("probabilidad"))
    explanation = models.JSONField(_("explicación por campo"), default=dict, blank=True)
    model_version = models.CharField(_("versión del modelo"), max_length=64, blank=True)
    decision = models.CharField(_("decisión"), max_length=10, choices=Decision.choices,
                                default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("decidió"))
    decided_at = models.DateTimeField(_("fecha de decisión"), null=True, blank=True)
    decision_reason = models.TextField(_("motivo"), blank=True)
    created_at = models.DateTimeField(_("creada"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("posible coincidencia")
        verbose_name_plural = _("posibles coincidencias")
        constraints = [
            models.UniqueConstraint(fields=["record_left", "record_right"],
                                    name="match_candidate_pair_unique"),
            models.CheckConstraint(condition=Q(record_left__lt=models.F("record_right")),
                                   name="match_candidate_canonical_order"),
            models.CheckConstraint(condition=Q(probability__gte=0) & Q(probability__lte=1),
                                   name="match_candidate_probability_range"),
            models.CheckConstraint(condition=Q(decision__in=MatchDecision.values),
                                   name="match_candidate_decision_valid"),
        ]
        indexes = [
            # The review queue: pending pairs, best first.
            models.Index(fields=["decision", "-probability"], name="match_queue_idx"),
            models.Index(fields=["record_right"], name="match_right_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.record_left_id} ~ {self.record_right_id} ({self.probability:.2f})"


class AlertKind(models.TextChoices):
    """What kind of record raised the alert (the record kinds that alert)."""

    DETENTION = "detention", _("Detención")
    RELEASE_TRANSFER = "release_transfer", _("Liberación o traslado")
    LOCATED = "located", _("Localización")
    UNIDENTIFIED_REMAINS = "unidentified_remains", _("Restos sin identificar")


# Higher is more urgent. Remains first: a family must be told and an identification made;
# then a detention (the person may be held right now, before any transfer); a location
# (the case may close, with a second reviewer); a release or transfer (where they went).
ALERT_PRIORITY = {AlertKind.UNIDENTIFIED_REMAINS: 4, AlertKind.DETENTION: 3,
                  AlertKind.LOCATED: 2, AlertKind.RELEASE_TRANSFER: 1}


def _alert_priority_matches_kind() -> Q:
    condition = Q()
    for kind, priority in ALERT_PRIORITY.items():
        condition |= Q(kind=kind, priority=priority)
    return condition


class Alert(models.Model):
    """A new detention, location or remains record that matches an open case.

    ``kind`` is the record's kind and ``priority`` follows from it (``ALERT_PRIORITY``,
    held by a database constraint): inboxes sort by it, most serious first.
    """

    Kind = AlertKind

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts",
                             verbose_name=_("caso"))
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="alerts",
                               verbose_name=_("registro"))
    match_candidate = models.ForeignKey(MatchCandidate, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="alerts",
                                        verbose_name=_("coincidencia"))
    created_at = models.DateTimeField(_("creada"), default=timezone.now, editable=False)
    handled_at = models.DateTimeField(_("atendida"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("atendió"))
    handled_note = models.TextField(_("nota"), blank=True)
    kind = models.CharField(_("tipo de alerta"), max_length=24, choices=AlertKind.choices,
                            default=AlertKind.DETENTION)
    priority = models.PositiveSmallIntegerField(
        _("prioridad"), default=ALERT_PRIORITY[AlertKind.DETENTION],
        help_text=_("Mayor es más urgente: restos, detención, localización, traslado."))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("alerta")
        verbose_name_plural = _("alertas")
        constraints = [
            models.UniqueConstraint(fields=["case", "record"], name="alert_once_per_case_record"),
            models.CheckConstraint(
                condition=Q(handled_at__isnull=True) | Q(handled_by__isnull=False),
                name="alert_handled_by_someone",
            ),
            models.CheckConstraint(
                condition=_alert_priority_matches_kind(),
                name="alert_priority_of_its_kind",
            ),
        ]
        indexes = [
            # The alerts inbox: unhandled first, newest first.
            models.Index(fields=["handled_at", "-created_at"], name="alert_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} ← {self.record_id}"

    @staticmethod
    def kind_and_priority(record_kind: str) -> dict[str, Any]:
        """Return the ``kind`` and ``priority`` of an alert raised by a record of this kind."""
        kind = AlertKind(record_kind)
        return {"kind": kind.value, "priority": ALERT_PRIORITY[kind]}


# The text the family agrees to; stored with each subscription so the consent can be shown.
CONSENT_TEXT_VERSION = "2026-11-v1"


def new_unsubscribe_token() -> str:
    return secrets.token_urlsafe(24)


class FamilySubscription(models.Model):
    """A family's request to be told by email when its case changes (stored with consent)."""

    case = models.ForeignKey("Case", on_delete=models.CASCADE, related_name="family_subscriptions",
                             verbose_name=_("caso"))
    email = models.EmailField(_("correo electrónico"))
    consent_text_version = models.CharField(_("versión del aviso aceptado"), max_length=20)
    consented_at = models.DateTimeField(_("fecha del consentimiento"), default=timezone.now)
    unsubscribe_token = models.CharField(_("clave para darse de baja"), max_length=64,
                                         unique=True, default=new_unsubscribe_token,
                                         editable=False)
    unsubscribed_at = models.DateTimeField(_("baja"), null=True, blank=True)
    last_notified_at = models.DateTimeField(_("último aviso"), null=True, blank=True)

    class Meta:
        verbose_name = _("aviso a la familia")
        verbose_name_plural = _("avisos a familias")
        constraints = [
            # One active subscription per address and case; a new one after a removal.
            models.UniqueConstraint(fields=["case", "email"],
                                    condition=Q(unsubscribed_at__isnull=True),
                                    name="family_subscription_active_once"),
            models.CheckConstraint(condition=~Q(consent_text_version=""),
                                   name="family_subscription_consent_recorded"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.email}"

    @property
    def is_active(self) -> bool:
        return self.unsubscribed_at is None


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit events cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Audit events cannot be changed.")


class AuditAction(models.TextChoices):
    VIEW = "view", _("Consulta")
    EXPORT = "export", _("Exportación")
    CREATE = "create", _("Alta")
    CHANGE = "change", _("Cambio")
    DELETE = "delete", _("Baja")
    IMPORT = "import", _("Importación")
    ROLLBACK = "rollback", _("Reversión")
    MERGE = "merge", _("Fusión")
    SPLIT = "split", _("Separación")
    DECISION = "decision", _("Decisión")
    STATUS_CHANGE = "status_change", _("Cambio de situación")
    ACCESS_CODE = "access_code", _("Código de acceso")
    FAMILY_LOOKUP = "family_lookup", _("Consulta familiar")
    DETENTION_LOOKUP = "detention_lookup", _("Consulta de detención")
    LOGIN = "login", _("Inicio de sesión")
    LOGIN_FAILED = "login_failed", _("Inicio de sesión fallido")
    PERMISSION = "permission", _("Cambio de permisos")


class AuditEvent(models.Model):
    """Who viewed, exported, changed, merged or looked up what, when, from where.

    Append-only: the ORM refuses updates and deletes, and on PostgreSQL a trigger
    refuses them too. Each event carries a SHA-256 hash of its content chained to
    the previous event's hash; ``manage.py verify_audit_chain`` checks the chain.
    Write events only through ``registry.audit.audit_event_record``.
    """

    Action = AuditAction

    occurred_at = models.DateTimeField(_("fecha"), default=timezone.now, editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name=_("usuario"))
    # The username as it was, so the log reads the same if the account is renamed.
    actor_label = models.CharField(_("usuario (texto)"), max_length=150, blank=True)
    action = models.CharField(_("acción"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("tipo de objeto"), max_length=100, blank=True)
    object_id = models.CharField(_("objeto"), max_length=64, blank=True)
    purpose = models.CharField(_("finalidad"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    details = models.JSONField(_("detalles"), default=dict, blank=True)
    previous_hash = models.CharField(_("hash anterior"), max_length=64, editable=False)
    event_hash = models.CharField(_("hash"), max_length=64, unique=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("evento de auditoría")
        verbose_name_plural = _("bitácora de auditoría")
        constraints = [
            models.CheckConstraint(condition=Q(action__in=AuditAction.values),
                                   name="audit_action_valid"),
        ]
        indexes = [
            # Administrators search the log by object, and by person over time.
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditCheckpoint(models.Model):
    """A signed note of the audit log's head: its last event, that event's hash, the count.

    The chain's hashes show a changed or removed event, but not events cut off the end
    (the shorter chain still verifies). Checkpoints, written periodically
    (``manage.py audit_checkpoint``) to a table the application's database role may only
    insert into (README, "Audit log"), anchor the chain: ``verify_audit_chain`` fails
    when an event a checkpoint names is gone or changed. Append-only like the log.
    """

    created_at = models.DateTimeField(_("fecha"), default=timezone.now, editable=False)
    last_event_id = models.BigIntegerField(_("último evento"), default=0)
    last_event_hash = models.CharField(_("hash del último evento"), max_length=64)
    event_count = models.BigIntegerField(_("eventos"))
    signature = models.CharField(_("firma"), max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("punto de control de la bitácora")
        verbose_name_plural = _("puntos de control de la bitácora")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} #{self.last_event_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit checkpoints cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit checkpoints cannot be deleted.")


class PublishedEntry(models.Model):
    """One public entry, already redacted: what the public search and its pages read.

    Derived data, one row per case the public receives (``redaction.CASE_AUDIENCES``)
    whose report the public may browse. Every shown value in ``shown`` was produced by
    the redaction policy for ``Audience.PUBLIC``; the other columns are the search and
    filter keys the public may use, each at the granularity the policy shows
    (``registry.published``). Kept current by the write services in their own
    transaction (``published_entries_sync``); ``manage.py published_entries_rebuild``
    rebuilds it. Never edited by hand.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True,
                                related_name="+", verbose_name=_("caso"))
    report_id = models.BigIntegerField(_("reporte"))
    public_key = models.CharField(_("clave pública"), max_length=20, unique=True)
    # The searchable words of the name, only when the public sees the full name
    # (consent, adult); empty otherwise, so a search can never reveal a hidden name.
    search_words = models.CharField(_("palabras del nombre"), max_length=600, blank=True)
    state_id = models.CharField(_("entidad"), max_length=2, blank=True)
    # Only when the public sees the municipality (adults): minors are shown by state.
    municipality_id = models.CharField(_("municipio"), max_length=5, blank=True)
    event_month = models.DateField(_("mes del hecho"), null=True, blank=True)
    sex = models.CharField(_("sexo"), max_length=1, blank=True)
    age_band = models.CharField(_("rango de edad"), max_length=8, blank=True)
    status = models.CharField(_("situación"), max_length=24)
    case_updated_at = models.DateTimeField(_("caso actualizado"))
    # The record and case views as the policy gives them to the public (JSON text).
    shown = models.TextField(_("vista pública"))
    # The day the policy's decision may change by age alone (an 18th birthday); the
    # nightly refresh recomputes these rows. Until then the stored view is the stricter.
    review_on = models.DateField(_("revisar el"), null=True, blank=True)

    class Meta:
        verbose_name = _("ficha publicada")
        verbose_name_plural = _("fichas publicadas")
        indexes = [
            models.Index(fields=["-event_month", "-report_id"], name="published_recent_idx"),
            models.Index(fields=["-case_updated_at", "-report_id"],
                         name="published_updated_idx"),
            models.Index(fields=["state_id"], name="published_state_idx"),
            models.Index(fields=["review_on"], name="published_review_idx",
                         condition=Q(review_on__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.public_key
