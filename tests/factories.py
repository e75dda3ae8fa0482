"""factory_boy factories for the registry's models, with Mexican data (Faker es_MX)."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory
from guardian.shortcuts import assign_perm

from imports.models import ImportBatch
from mxnames.text import search_key
from registry import roles
from registry.models import (
    Agency,
    AgencyKind,
    Case,
    CasePublication,
    CaseStatus,
    MatchCandidate,
    Person,
    Record,
    RecordKind,
    Sex,
    State,
    User,
)

factory.Faker._DEFAULT_LOCALE = "es_MX"

DEFAULT_PASSWORD = "contraseña-de-prueba-1"


def state(code: str = "09") -> State:
    """Return a state of the INEGI catalogue (loaded by migration)."""
    return State.objects.get(code=code)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"usuario{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@registro.example")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"institucion-{n}")
    name = factory.Sequence(lambda n: f"Fiscalía General del Estado {n}")
    kind = AgencyKind.PROSECUTOR
    state = factory.LazyFunction(lambda: state("09"))


class ImportBatchFactory(DjangoModelFactory):
    class Meta:
        model = ImportBatch

    agency = factory.SubFactory(AgencyFactory)
    record_kind = RecordKind.DETENTION
    file_name = "registro.csv"
    status = ImportBatch.Status.COMMITTED


class RecordFactory(DjangoModelFactory):
    class Meta:
        model = Record

    kind = RecordKind.MISSING_REPORT
    agency = factory.SubFactory(AgencyFactory)
    external_id = factory.Sequence(lambda n: f"EXP-{n:06d}")
    given_names = factory.Faker("first_name")
    paternal_surname = factory.Faker("last_name")
    maternal_surname = factory.Faker("last_name")
    sex = factory.Iterator([Sex.MALE, Sex.FEMALE])
    # Adults at the event by default (the event is at most three years ago), so that
    # whether a name is public never depends on chance; tests about minors say so.
    birth_date = factory.Faker("date_of_birth", minimum_age=22, maximum_age=70)
    event_date = factory.Faker("date_between", start_date="-3y", end_date="today")
    event_state = factory.LazyFunction(lambda: state("09"))
    source_file = "registro.csv"
    source_row = factory.Sequence(lambda n: n + 2)
    aliases = ""
    name_search = factory.LazyAttribute(
        lambda r: search_key(r.given_names, r.paternal_surname, r.maternal_surname, r.aliases))
    raw_values = factory.LazyAttribute(lambda record: {
        "NOMBRE(S)": record.given_names,
        "APELLIDO PATERNO": record.paternal_surname,
        "APELLIDO MATERNO": record.maternal_surname,
    })


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person


class CaseFactory(DjangoModelFactory):
    """A case; ``publication_consent=True`` is the family's "publish" decision, False
    (the default) "publish without name"; or give ``publication`` itself."""

    class Meta:
        model = Case

    class Params:
        publication_consent = False

    folio = factory.Sequence(lambda n: f"FGE/CDMX/{2025}/{n:05d}")
    agency = factory.SubFactory(AgencyFactory)
    missing_report = factory.SubFactory(RecordFactory, agency=factory.SelfAttribute("..agency"))
    status = CaseStatus.MISSING
    publication = factory.LazyAttribute(
        lambda case: CasePublication.PUBLISH if case.publication_consent
        else CasePublication.WITHOUT_NAME)


class MatchCandidateFactory(DjangoModelFactory):
    class Meta:
        model = MatchCandidate

    record_left = factory.SubFactory(RecordFactory)
    record_right = factory.SubFactory(RecordFactory, kind=RecordKind.DETENTION)
    match_weight = 8.0
    probability = 0.9

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        left, right = kwargs["record_left"], kwargs["record_right"]
        if left.pk > right.pk:  # stored in canonical order
            kwargs["record_left"], kwargs["record_right"] = right, left
        return super()._create(model_class, *args, **kwargs)


def operator_of(agency: Agency, **kwargs) -> User:
    """Return an agency operator who may import into and read ``agency``."""
    user = UserFactory(role=roles.AGENCY_OPERATOR, **kwargs)
    assign_perm("registry.operate_agency", user, agency)
    return user


def prosecutor_for(case: Case, **kwargs) -> User:
    """Return a prosecutor assigned to ``case``."""
    user = UserFactory(role=roles.PROSECUTOR, **kwargs)
    case.prosecutors.add(user)
    return user
