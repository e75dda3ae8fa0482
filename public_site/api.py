"""Read-only public JSON API: search, entry, statistics, detention lookup (v1).

Open to anyone (``AllowAny``, no authentication so no session or CSRF is involved)
and throttled per client address. Every payload is built from the same redacted
selectors as the pages; nothing is serialized from a model directly.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import path, reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from public_site.detention import DetentionQuery
from public_site.entries import public_entry_get, public_reports
from public_site.filters import DetentionLookupForm, PublicEntryFilterSet
from public_site.lookups import LookupResult, detention_lookup_perform
from public_site.opendata import OPEN_DATA_FIELDS
from public_site.ratelimit import RateLimitUnavailable
from public_site.selectors import public_search
from public_site.statistics import public_statistics
from registry.audit import client_ip
from registry.throttling import ClientAddressThrottle

API_PAGE_SIZE = 25


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


class DetentionQuerySerializer(serializers.Serializer):
    given_names = serializers.CharField(max_length=120)
    paternal_surname = serializers.CharField(max_length=120)
    maternal_surname = serializers.CharField(max_length=120, required=False, allow_blank=True)
    age = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)


class DetentionMatchSerializer(serializers.Serializer):
    tipo = serializers.CharField()
    autoridad = serializers.CharField(allow_blank=True)
    lugar = serializers.CharField(allow_blank=True)
    entidad = serializers.CharField(allow_blank=True)
    fecha = serializers.CharField(allow_blank=True)


class DetentionAnswerSerializer(serializers.Serializer):
    encontrado = serializers.BooleanField()
    registros = DetentionMatchSerializer(many=True)


class PublicAPIView(APIView):
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
        parameters=[OpenApiParameter(name, str, required=False) for name in
                    ("q", "estado", "municipio", "desde", "hasta", "sexo", "edad",
                     "situacion", "orden")] + [OpenApiParameter("pagina", int, required=False)],
        responses=PublicEntryPageSerializer,
    )
    def get(self, request: Request) -> Response:
        filterset = PublicEntryFilterSet(request.query_params or None, queryset=public_reports())
        if request.query_params and not filterset.is_valid():
            return Response(filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            page = min(max(int(request.query_params.get("pagina", "1")), 1), 500)
        except ValueError:
            page = 1
        if request.query_params:
            result = public_search(text=filterset.text, filters=filterset.public_filters(),
                                   ordering=filterset.ordering, page=page,
                                   per_page=API_PAGE_SIZE)
        else:
            result = public_search(page=page, per_page=API_PAGE_SIZE)
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
                   responses=PublicEntrySerializer)
    def get(self, request: Request, key: str) -> Response:
        found = public_entry_get(key=key)
        if found is None:
            raise Http404
        return Response(_entry_data(request, found))


class PublicStatisticsView(PublicAPIView):
    @extend_schema(operation_id="public_statistics",
                   summary="Estadísticas de fichas públicas",
                   responses={200: {"type": "object"}})
    def get(self, request: Request) -> Response:
        return Response(public_statistics())


class DetentionLookupView(PublicAPIView):
    throttle_classes = [PublicLookupThrottle]

    @extend_schema(operation_id="public_detention_lookup",
                   summary="Consulta de detención por nombre completo",
                   request=DetentionQuerySerializer, responses=DetentionAnswerSerializer)
    def post(self, request: Request) -> Response:
        form = DetentionLookupForm(request.data)
        if not form.is_valid():
            return Response(form.errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            outcome = detention_lookup_perform(query=DetentionQuery(**form.cleaned_data),
                                               ip_address=client_ip(request))
        except RateLimitUnavailable:
            return Response({"detail": "Servicio no disponible."},
                            status=status.HTTP_503_SERVICE_UNAVAILABLE)
        if outcome.result == LookupResult.LIMITED:
            return Response({"detail": "Demasiadas consultas."},
                            status=status.HTTP_429_TOO_MANY_REQUESTS)
        matches = [{
            "tipo": match["kind"], "autoridad": match["authority"],
            "lugar": match["facility"], "entidad": match["state"],
            "fecha": str(match["event_date"] or ""),
        } for match in outcome.matches]
        response = Response({"encontrado": bool(matches), "registros": matches})
        response["Cache-Control"] = "no-store"
        return response


app_name = "api"
urlpatterns = [
    path("fichas/", PublicEntryListView.as_view(), name="entry_list"),
    path("fichas/<public_key:key>/", PublicEntryDetailView.as_view(), name="entry_detail"),
    path("estadisticas/", PublicStatisticsView.as_view(), name="statistics"),
    path("detenciones/consulta/", DetentionLookupView.as_view(), name="detention_lookup"),
]
