"""The agency API: POST a batch of records as JSON, with a token (one account per agency).

Each agency's system authenticates as its own service user (DRF token); the
agency named in the payload must be one that user operates, else 404 as if it did
not exist. A batch is validated and stored exactly as a file would be.

The OpenAPI schema is the contract (``tests/public_site/test_api_contract.py``): the
payload is validated by the serializers the schema is generated from. A request that
fails leaves no batch: the payload and its header (the records' keys must name at least
one known column) are checked before a batch exists, and a batch whose run fails on
the file's content is deleted. Each account is rate limited (``IMPORT_API_RATE``).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from imports.forms import IMPORTABLE_KINDS
from imports.intake import import_batch_create_from_records, json_source, read_header
from imports.models import ImportBatch, SexCodes
from imports.readers import DEFAULT_MAX_COLUMNS, ImportFileError, max_columns
from imports.services import import_batch_run
from registry.access import agencies_operated_by
from registry.throttling import AccountThrottle

DEFAULT_MAX_RECORDS = 10_000
NO_NUL = r"^[^\x00]*$"


@extend_schema_field({
    "type": "object", "minProperties": 1, "maxProperties": DEFAULT_MAX_COLUMNS,
    "propertyNames": {"pattern": NO_NUL},
    "additionalProperties": {"nullable": True, "anyOf": [
        {"type": "string", "pattern": NO_NUL}, {"type": "number"}, {"type": "boolean"}]},
    "description": "Un registro: encabezado de columna (como en un archivo de la "
                   "institución) → valor (texto, número, booleano o null).",
})
class RecordRowField(serializers.DictField):
    """One record: column header -> a value of JSON's scalar types (no lists, no objects)."""

    def to_internal_value(self, data):
        record = super().to_internal_value(data)
        if not record:
            raise serializers.ValidationError(_("Un registro vacío no tiene datos."))
        for key, value in record.items():
            if not (value is None or isinstance(value, str | int | float | bool)):
                raise serializers.ValidationError(_("Cada valor debe ser texto, número o null."))
            if "\x00" in key or (isinstance(value, str) and "\x00" in value):
                raise serializers.ValidationError(
                    _("Un campo o un valor contiene el carácter nulo (NUL), que ningún texto "
                      "lleva."))
        return record


class StrictBooleanField(serializers.BooleanField):
    """true or false, as JSON writes them (DRF also takes "yes", 1, "on"...)."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class BatchPayloadSerializer(serializers.Serializer):
    agency = serializers.RegexField(r"^[-a-zA-Z0-9_]+$", max_length=30,
                                    help_text="Clave de la institución")
    kind = serializers.ChoiceField(choices=IMPORTABLE_KINDS)
    sex_codes = serializers.ChoiceField(
        choices=[SexCodes.HM, SexCodes.MF], required=False, allow_blank=True, default="",
        help_text="Qué significa la letra M en el sexo: HM (M = mujer) o MF (M = masculino). "
                  "Por omisión se lee de los valores (H junto a M: HM; F junto a M: MF); un "
                  "lote que solo trae M sin indicarlo se rechaza (400).")
    dry_run = StrictBooleanField(default=False, help_text="true: vista previa, nada se guarda "
                                                          "(respuesta 200); false: 201.")
    records = serializers.ListField(
        child=RecordRowField(), min_length=1, max_length=DEFAULT_MAX_RECORDS,
        help_text="Los registros; sus claves deben nombrar al menos una columna reconocida "
                  "(NOMBRE(S), APELLIDO PATERNO, FOLIO…) y ninguna clave puede contener el "
                  "carácter NUL; si no: 400.")

    def validate_agency(self, code: str) -> str:
        if not isinstance(self.initial_data.get("agency"), str):
            raise serializers.ValidationError(_("La clave de la institución es un texto."))
        return code

    def validate_records(self, records):
        maximum = getattr(settings, "IMPORT_API_MAX_RECORDS", DEFAULT_MAX_RECORDS)
        if len(records) > maximum:
            raise serializers.ValidationError(
                _("Máximo %(max)s registros por solicitud; envíe un archivo para lotes "
                  "mayores.") % {"max": maximum})
        columns: set[str] = set()
        widest = max_columns()
        for record in records:
            columns.update(record)
            if len(columns) > widest:
                raise serializers.ValidationError(
                    _("Los registros usan más de %(max)s campos distintos; el máximo es "
                      "%(max)s.") % {"max": widest})
        return records


class RejectedRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Número del registro en la lista, desde 1.")
    errors = serializers.ListField(child=serializers.DictField())


class BatchResultSerializer(serializers.Serializer):
    batch = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ImportBatch.Status.choices)
    total = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    rejected_rows = RejectedRowSerializer(many=True)


class ImportErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


# {"detail": "..."} or field name -> messages (nested by record for "records").
VALIDATION_ERRORS = {"type": "object", "additionalProperties": {"anyOf": [
    {"type": "string"}, {"type": "array", "items": {"type": "string"}}, {"type": "object"}]}}


class ImportApiThrottle(AccountThrottle):
    scope = "import_api"


class BatchCreateView(APIView):
    authentication_classes = [TokenAuthentication]
    parser_classes = [JSONParser]
    permission_classes = [IsAuthenticated]
    throttle_classes = [ImportApiThrottle]
    serializer_class = BatchPayloadSerializer

    @extend_schema(
        operation_id="agency_batch_import", summary="Importar un lote de registros (token)",
        request=BatchPayloadSerializer,
        responses={200: BatchResultSerializer, 201: BatchResultSerializer,
                   400: VALIDATION_ERRORS, 401: ImportErrorSerializer,
                   404: ImportErrorSerializer, 429: ImportErrorSerializer},
        examples=[OpenApiExample("Dos detenciones", request_only=True, value={
            "agency": "FGE-JAL", "kind": "detention", "dry_run": True, "records": [
                {"FOLIO": "D-1", "NOMBRE(S)": "Rosa", "APELLIDO PATERNO": "Luna"},
                {"FOLIO": "D-2", "NOMBRE(S)": "Iván", "APELLIDO PATERNO": "Sol"}]})],
    )
    def post(self, request, *args, **kwargs):
        payload = BatchPayloadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        agency = agencies_operated_by(request.user).filter(code=data["agency"]).first()
        if agency is None:
            raise NotFound(_("Institución no encontrada."))
        try:
            read_header(json_source(data["records"]), None)  # before any batch exists
        except ImportFileError as exc:
            return Response({"detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
        batch = import_batch_create_from_records(agency=agency, record_kind=data["kind"],
                                                 records=data["records"], actor=request.user,
                                                 sex_codes=data["sex_codes"])
        try:
            batch = import_batch_run(batch=batch, dry_run=data["dry_run"], actor=request.user,
                                     source_of=lambda: json_source(data["records"]))
        except ImportFileError as exc:
            # Nothing was stored: a failed request leaves no batch behind (its creation
            # stays in the audit log).
            ImportBatch.objects.filter(pk=batch.pk).delete()
            return Response({"detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
        rejected = [{"row": r.row_number, "errors": r.errors}
                    for r in batch.rejected_rows.order_by("row_number")]
        body = {
            "batch": batch.pk, "status": batch.status, "total": batch.rows_total,
            "created": batch.rows_created, "updated": batch.rows_updated,
            "unchanged": batch.rows_unchanged, "rejected": batch.rows_rejected,
            "rejected_rows": rejected,
        }
        code = status.HTTP_200_OK if data["dry_run"] else status.HTTP_201_CREATED
        return Response(body, status=code)
