"""The agency API: POST a batch of records as JSON, with a token (one account per agency).

Each agency's system authenticates as its own service user (DRF token); the
agency named in the payload must be one that user operates, else 404 as if it did
not exist. A batch is validated and stored exactly as a file would be.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from imports.forms import IMPORTABLE_KINDS
from imports.intake import import_batch_create_from_records, json_source
from imports.models import SexCodes
from imports.readers import ImportFileError, max_columns
from imports.services import import_batch_run
from registry.access import agencies_operated_by
from registry.throttling import AccountThrottle


class BatchPayloadSerializer(serializers.Serializer):
    agency = serializers.SlugField(help_text="Clave de la institución")
    kind = serializers.ChoiceField(choices=IMPORTABLE_KINDS)
    dry_run = serializers.BooleanField(default=False)
    sex_codes = serializers.ChoiceField(
        choices=[SexCodes.HM, SexCodes.MF], required=False, allow_blank=True, default="",
        help_text="Qué significa la letra M en el sexo: HM (M = mujer) o MF (M = masculino). "
                  "Por omisión se lee de los valores (H junto a M: HM; F junto a M: MF); un "
                  "lote que solo trae M sin indicarlo se rechaza.")
    records = serializers.ListField(child=serializers.DictField(), allow_empty=False)

    def validate_records(self, records):
        maximum = getattr(settings, "IMPORT_API_MAX_RECORDS", 10_000)
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
            for key, value in record.items():
                if not (value is None or isinstance(value, str | int | float | bool)):
                    raise serializers.ValidationError(
                        _("Cada valor debe ser texto, número o null."))
                if "\x00" in key or (isinstance(value, str) and "\x00" in value):
                    raise serializers.ValidationError(
                        _("Un campo o un valor contiene el carácter nulo (NUL), que ningún "
                          "texto lleva."))
        return records


class ImportApiThrottle(AccountThrottle):
    scope = "import_api"


class BatchCreateView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [ImportApiThrottle]
    serializer_class = BatchPayloadSerializer

    def post(self, request, *args, **kwargs):
        payload = BatchPayloadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        agency = agencies_operated_by(request.user).filter(code=data["agency"]).first()
        if agency is None:
            raise NotFound(_("Institución no encontrada."))
        batch = import_batch_create_from_records(agency=agency, record_kind=data["kind"],
                                                 records=data["records"], actor=request.user,
                                                 sex_codes=data["sex_codes"])
        try:
            batch = import_batch_run(batch=batch, dry_run=data["dry_run"], actor=request.user,
                                     source_of=lambda: json_source(data["records"]))
        except ImportFileError as exc:
            return Response({"batch": batch.pk, "detail": exc.message},
                            status=status.HTTP_400_BAD_REQUEST)
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
