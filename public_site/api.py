"""Read-only public JSON API: search, entry, statistics, detention lookup (v1).

Open to anyone (``AllowAny``, no authentication so no session or CSRF is involved)
and throttled per client address. Every payload is built from the same redacted
selectors as the pages; nothing is serialized from a model directly.

The OpenAPI schema is the contract (``tests/public_site/test_api_contract.py`` runs
Schemathesis against it): each request is validated by the serializer the schema is
generated from, so what the schema allows is accepted and what it forbids is a 400;
every operation documents its 400, 404 and 429.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from public_site.detention import DetentionQuery
from public_site.entries import AGE_BANDS, DEFAULT_ORDERING, PublicFilters, public_entry_get
from public_site.filters import ORDERING_CHOICES
from public_site.lookups import LookupResult, detention_lookup_perform
from public_site.opendata import OPEN_DATA_FIELDS
from public_site.selectors import public_search
from public_site.statistics import public_statistics
from registry.audit import client_ip
from registry.models import CaseStatus, Sex
from registry.ratelimit import RateLimitUnavailable
from registry.throttling import ClientAddressThrottle

API_PAGE_SIZE = 25
MAX_PAGE = 500
# A public key: the case's pseudonym (registry.models.case_public_key).
PUBLIC_KEY_PATTERN = r"^[0-9A-Za-z]{1,20}$"
# Text without a NUL (PostgreSQL cannot hold one; Django's forms refuse it).
NO_NUL = r"^[^\x00]*$"
# A name as the detention lookup wants it: whole words of two or more letters or digits (no
# wildcards, no initials), separated by spaces, hyphens or apostrophes.
_LETTERS = "0-9A-Za-zÀ-ÖØ-öø-ÿ"
NAME_PATTERN = rf"^ *[{_LETTERS}]{{2,}}(?:[ '-]+[{_LETTERS}]{{2,}})* *$"
MONTH_PATTERN = r"^(?:19[0-9]{2}|20[0-9]{2}|2100)-(?:0[1-9]|1[0-2])$"
STATE_CODES = [f"{number:02d}" for number in range(1, 33)]  # INEGI's 32 states


class PublicReadThrottle(ClientAddressThrottle):
    scope = "public_read"


class PublicLookupThrottle(PublicReadThrottle):
    scope = "public_lookup"


class PublicEntrySerializer(serializers.Serializer):
    """One public entry: the open-data columns (see /datos/ for their meaning)."""

    clave = serializers.CharField()
    nombre = serializers.CharField(allow_blank=True)
    primer_apellido = serializers.CharField(allow_blank=True)
    segundo_apellido = serializers.CharField(allow_blank=True)
    sexo = serializers.CharField(allow_blank=True)
    rango_edad = serializers.CharField(allow_blank=True)
    nacionalidad = serializers.CharField(allow_blank=True)
    fecha_desaparicion = serializers.CharField(allow_blank=True)
    entidad = serializers.CharField(allow_blank=True)
    municipio = serializers.CharField(allow_blank=True)
    descripcion = serializers.CharField(allow_blank=True)
    institucion = serializers.CharField(allow_blank=True)
    situacion = serializers.CharField()
    fecha_cambio_situacion = serializers.CharField()
    actualizado = serializers.CharField()
    url = serializers.CharField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        assert set(self.fields) - {"url"} == set(OPEN_DATA_FIELDS)  # one definition of a row


class PublicEntryPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    pagina = serializers.IntegerField()
    paginas = serializers.IntegerField()
    incompleto = serializers.BooleanField(help_text="Demasiadas coincidencias: refine la búsqueda.")
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = PublicEntrySerializer(many=True)


class StrictIntegerField(serializers.IntegerField):
    """An integer written as digits only (DRF also takes " 7" or "7.0")."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not re.fullmatch(r"[0-9]+", data):
            self.fail("invalid")
        if isinstance(data, bool | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class PublicSearchQuerySerializer(serializers.Serializer):
    """The search's query parameters: the same names and choices as the site's form."""

    q = serializers.RegexField(NO_NUL, required=False, allow_blank=True, max_length=120,
                               trim_whitespace=False, help_text="Nombre, en cualquier orden.")
    estado = serializers.ChoiceField(choices=STATE_CODES, required=False,
                                     help_text="Clave INEGI de la entidad (01 a 32).")
    municipio = serializers.RegexField(r"^[0-9]{5}$", required=False,
                                       help_text="Clave INEGI de 5 dígitos del municipio.")
    desde = serializers.RegexField(MONTH_PATTERN, required=False, help_text="Mes AAAA-MM.")
    hasta = serializers.RegexField(MONTH_PATTERN, required=False, help_text="Mes AAAA-MM.")
    sexo = serializers.ChoiceField(choices=[value for value, _label in Sex.choices if value],
                                   required=False)
    edad = serializers.ChoiceField(choices=list(AGE_BANDS), required=False)
    situacion = serializers.ChoiceField(choices=CaseStatus.values, required=False)
    orden = serializers.ChoiceField(choices=[value for value, _label in ORDERING_CHOICES],
                                    required=False)
    pagina = StrictIntegerField(required=False, min_value=1, max_value=MAX_PAGE,
                                help_text="Página (desde 1); más allá de «paginas»: 404.")

    def public_filters(self) -> PublicFilters:
        data = self.validated_data
        return PublicFilters(state=data.get("estado"), municipality=data.get("municipio"),
                             month_from=_month(data.get("desde")),
                             month_to=_month(data.get("hasta")), sex=data.get("sexo"),
                             age_band=data.get("edad"), status=data.get("situacion"))


def _month(text: str | None) -> date | None:
    return date(int(text[:4]), int(text[5:7]), 1) if text else None


class DetentionQuerySerializer(serializers.Serializer):
    given_names = serializers.RegexField(NAME_PATTERN, min_length=2, max_length=120)
    paternal_surname = serializers.RegexField(NAME_PATTERN, min_length=2, max_length=120)
    maternal_surname = serializers.RegexField(rf"(?:{NAME_PATTERN})|^ *$", max_length=120,
                                              required=False, allow_blank=True)
    age = StrictIntegerField(required=False, allow_null=True, min_value=0, max_value=120)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


# A 400: {"detail": "..."} (a body that is not JSON) or field name -> its messages.
VALIDATION_ERRORS = {
    "type": "object", "description": "«detail» (texto), o cada campo con sus mensajes.",
    "additionalProperties": {"anyOf": [
        {"type": "string"}, {"type": "array", "items": {"type": "string"}}]}}
ERRORS = {400: VALIDATION_ERRORS, 404: ErrorSerializer, 429: ErrorSerializer}


class AgencyContactSerializer(serializers.Serializer):
    nombre = serializers.CharField(allow_blank=True)
    oficina = serializers.CharField(allow_blank=True)
    telefono = serializers.CharField(allow_blank=True)
    horario = serializers.CharField(allow_blank=True)
    direccion = serializers.CharField(allow_blank=True)


class ReleaseSerializer(serializers.Serializer):
    tipo = serializers.CharField()
    lugar = serializers.CharField(allow_blank=True)
    fecha = serializers.CharField(allow_blank=True)


class DetentionMatchSerializer(serializers.Serializer):
    tipo = serializers.CharField()
    institucion = serializers.CharField(allow_blank=True)
    autoridad = serializers.CharField(allow_blank=True)
    lugar = serializers.CharField(allow_blank=True)
    entidad = serializers.CharField(allow_blank=True)
    fecha = serializers.CharField(allow_blank=True)
    registrado = serializers.CharField(allow_blank=True,
                                       help_text="Fecha en que el registro llegó al sistema.")
    liberacion_o_traslado = ReleaseSerializer(
        allow_null=True, required=False,
        help_text="Solo en detenciones: la liberación o el traslado registrados después, "
                  "o null si no hay ninguno.")
    contacto = AgencyContactSerializer(allow_null=True)


class DetentionAnswerSerializer(serializers.Serializer):
    consulta = serializers.CharField(help_text="El nombre consultado, como se escribió.")
    encontrado = serializers.BooleanField()
    registros = DetentionMatchSerializer(many=True)


def _iso(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value or "")


def _contact_data(contact: dict[str, Any]) -> dict[str, str] | None:
    if not contact:
        return None
    return {"nombre": contact.get("name", ""), "oficina": contact.get("contact_office", ""),
            "telefono": contact.get("contact_phone", ""),
            "horario": contact.get("contact_hours", ""),
            "direccion": contact.get("contact_address", "")}


def _detention_match_data(match: dict[str, Any]) -> dict[str, Any]:
    data = {
        "tipo": match["kind"], "institucion": match["agency"],
        "autoridad": match["authority"], "lugar": match["facility"],
        "entidad": match["state"], "fecha": _iso(match["event_date"]),
        "registrado": _iso(timezone.localdate(match["recorded_on"])
                           if match["recorded_on"] else ""),
        "contacto": _contact_data(match["contact"]),
    }
    if match["kind"] == "detention":
        release = match.get("release")
        data["liberacion_o_traslado"] = None if release is None else {
            "tipo": release["kind"], "lugar": release["facility"],
            "fecha": _iso(release["event_date"])}
    return data


class PublicAPIView(APIView):
    parser_classes = [JSONParser]  # the contract speaks JSON only
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicReadThrottle]


def _entry_data(request: Request, entry) -> dict:
    data = entry.as_data()
    data["url"] = request.build_absolute_uri(reverse("public_site:entry", args=[entry.key]))
    return data


class PublicEntryListView(PublicAPIView):
    @extend_schema(
        operation_id="public_entries_search",
        summary="Buscar fichas públicas",
        parameters=[PublicSearchQuerySerializer],
        responses={200: PublicEntryPageSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        # A plain dict: an empty parameter ("estado=") is then a value the schema refuses,
        # not a parameter left out (DRF's reading of form data).
        query_params = PublicSearchQuerySerializer(data=request.query_params.dict())
        if not query_params.is_valid():
            return Response(query_params.errors, status=status.HTTP_400_BAD_REQUEST)
        data = query_params.validated_data
        page = data.get("pagina", 1)
        result = public_search(text=data.get("q", ""), filters=query_params.public_filters(),
                               ordering=data.get("orden", DEFAULT_ORDERING), page=page,
                               per_page=API_PAGE_SIZE)
        if page > result.pages:
            return Response({"detail": f"Página fuera de rango: hay {result.pages}."},
                            status=status.HTTP_404_NOT_FOUND)
        query = request.query_params.copy()

        def page_url(number: int) -> str:
            query["pagina"] = str(number)
            return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

        return Response({
            "count": result.total, "pagina": result.page, "paginas": result.pages,
            "incompleto": result.capped,
            "next": page_url(result.page + 1) if result.has_next else None,
            "previous": page_url(result.page - 1) if result.has_previous else None,
            "results": [_entry_data(request, entry) for entry in result.entries],
        })


class PublicEntryDetailView(PublicAPIView):
    @extend_schema(operation_id="public_entry", summary="Una ficha pública",
                   parameters=[OpenApiParameter("key", str, OpenApiParameter.PATH,
                                                pattern=PUBLIC_KEY_PATTERN,
                                                description="Clave pública de la ficha.")],
                   responses={200: PublicEntrySerializer, **ERRORS})
    def get(self, request: Request, key: str) -> Response:
        if not re.fullmatch(PUBLIC_KEY_PATTERN, key):  # a NUL never reaches a query
            raise Http404
        found = public_entry_get(key=key)
        if found is None:
            raise Http404
        return Response(_entry_data(request, found))


class PublicStatisticsView(PublicAPIView):
    @extend_schema(operation_id="public_statistics",
                   summary="Estadísticas de fichas públicas",
                   responses={200: {"type": "object"}, **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(public_statistics())


class DetentionLookupView(PublicAPIView):
    throttle_classes = [PublicLookupThrottle]

    @extend_schema(operation_id="public_detention_lookup",
                   summary="Consulta de detención por nombre completo",
                   request=DetentionQuerySerializer,
                   responses={200: DetentionAnswerSerializer, **ERRORS,
                              503: ErrorSerializer})
    def post(self, request: Request) -> Response:
        lookup = DetentionQuerySerializer(data=request.data)
        if not lookup.is_valid():
            return Response(lookup.errors, status=status.HTTP_400_BAD_REQUEST)
        data = lookup.validated_data
        query = DetentionQuery(given_names=data["given_names"].strip(),
                               paternal_surname=data["paternal_surname"].strip(),
                               maternal_surname=data.get("maternal_surname", "").strip(),
                               age=data.get("age"))
        try:
            outcome = detention_lookup_perform(query=query, ip_address=client_ip(request))
        except RateLimitUnavailable:
            return Response({"detail": "Servicio no disponible."},
                            status=status.HTTP_503_SERVICE_UNAVAILABLE)
        if outcome.result == LookupResult.LIMITED:
            return Response({"detail": "Demasiadas consultas."},
                            status=status.HTTP_429_TOO_MANY_REQUESTS)
        matches = [_detention_match_data(match) for match in outcome.matches]
        response = Response({"consulta": query.asked, "encontrado": bool(matches),
                             "registros": matches})
        response["Cache-Control"] = "no-store"
        return response


class ApiRootSerializer(serializers.Serializer):
    fichas = serializers.CharField()
    estadisticas = serializers.CharField()
    consulta_detencion = serializers.CharField()
    esquema = serializers.CharField()
    documentacion = serializers.CharField()


class ApiRootView(PublicAPIView):
    @extend_schema(operation_id="public_api_root", summary="Raíz de la API pública",
                   responses={200: ApiRootSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        def url(name: str) -> str:
            return request.build_absolute_uri(reverse(name))

        return Response({"fichas": url("api:entry_list"), "estadisticas": url("api:statistics"),
                         "consulta_detencion": url("api:detention_lookup"),
                         "esquema": url("api_schema"), "documentacion": url("api_docs")})


app_name = "api"
urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
    path("fichas/", PublicEntryListView.as_view(), name="entry_list"),
    # Any segment reaches the view (which answers 404 in JSON for what is not a key).
    path("fichas/<str:key>/", PublicEntryDetailView.as_view(), name="entry_detail"),
    path("estadisticas/", PublicStatisticsView.as_view(), name="statistics"),
    path("detenciones/consulta/", DetentionLookupView.as_view(), name="detention_lookup"),
]
