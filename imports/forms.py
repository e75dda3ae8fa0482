"""Forms of the imports pages: the upload form offers only the user's own agencies."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from imports.mapping import FIELDS
from imports.models import ColumnMapping, SexCodes
from registry.access import agencies_operated_by
from registry.models import RecordKind

# Every kind of record an agency keeps: reports, detention logs, releases and transfers,
# located persons and (forensic services) unidentified remains.
IMPORTABLE_KINDS = [(kind.value, kind.label) for kind in RecordKind]


_SEX_CODES_HELP = _(
    "Qué significa la letra M en la columna de sexo. Por omisión se lee del archivo (H junto a "
    "M: H/M; F junto a M: M/F); si el archivo solo trae M, elija aquí.")


class BatchUploadForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Institución"), queryset=None)
    record_kind = forms.ChoiceField(label=_("Tipo de registros"), choices=IMPORTABLE_KINDS)
    file = forms.FileField(label=_("Archivo (.csv, .xlsx o .xml PFIF)"),
                           widget=forms.ClearableFileInput(
                               attrs={"accept": ".csv,.txt,.tsv,.xlsx,.xml"}))
    sheet = forms.CharField(label=_("Hoja (opcional)"), required=False, max_length=100,
                            help_text=_("Por omisión se lee la primera hoja del libro."))
    mapping = forms.ModelChoiceField(label=_("Correspondencia de columnas guardada"),
                                     queryset=None, required=False)
    sex_codes = forms.ChoiceField(label=_("Códigos de sexo"), choices=SexCodes.choices,
                                  required=False, help_text=_SEX_CODES_HELP)

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        agencies = agencies_operated_by(user)
        self.fields["agency"].queryset = agencies
        self.fields["mapping"].queryset = ColumnMapping.objects.filter(agency__in=agencies)
        if agencies.count() == 1:
            self.fields["agency"].initial = agencies.first()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        max_bytes = settings.IMPORT_MAX_FILE_BYTES
        if upload.size > max_bytes:
            raise forms.ValidationError(
                _("El archivo pesa %(size)s bytes; el máximo permitido es %(max)s bytes.")
                % {"size": upload.size, "max": max_bytes})
        if upload.size == 0:
            raise forms.ValidationError(_("El archivo está vacío."))
        return upload

    def clean(self):
        cleaned = super().clean()
        mapping, agency = cleaned.get("mapping"), cleaned.get("agency")
        if mapping and agency and mapping.agency_id != agency.pk:
            self.add_error("mapping", _("Esa correspondencia es de otra institución."))
        return cleaned


class SexCodesForm(forms.Form):
    """Say what M means on a batch the file could not tell, then preview it again."""

    sex_codes = forms.ChoiceField(label=_("Códigos de sexo"), choices=SexCodes.choices,
                                  required=False, help_text=_SEX_CODES_HELP)


class RollbackForm(forms.Form):
    reason = forms.CharField(label=_("Motivo de la reversión"), max_length=300)


class ColumnMappingForm(forms.Form):
    """A saved mapping typed as lines ``ENCABEZADO DEL ARCHIVO = campo``."""

    agency = forms.ModelChoiceField(label=_("Institución"), queryset=None)
    name = forms.SlugField(label=_("Nombre de la correspondencia"), max_length=60)
    sex_codes = forms.ChoiceField(label=_("Códigos de sexo"), choices=SexCodes.choices,
                                  required=False, help_text=_SEX_CODES_HELP)
    lines = forms.CharField(
        label=_("Columnas"), widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Una por línea: ENCABEZADO DEL ARCHIVO = campo. Campos: %(fields)s.")
        % {"fields": ", ".join(FIELDS)})

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies_operated_by(user)

    def clean_lines(self) -> dict[str, str]:
        columns: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            if not line.strip():
                continue
            header, sep, field_name = line.rpartition("=")
            header, field_name = header.strip(), field_name.strip()
            if not sep or not header:
                raise forms.ValidationError(
                    _("Línea %(n)s: escriba ENCABEZADO = campo.") % {"n": number})
            if field_name not in FIELDS:
                raise forms.ValidationError(
                    _("Línea %(n)s: «%(field)s» no es un campo conocido.")
                    % {"n": number, "field": field_name})
            columns[header] = field_name
        if not columns:
            raise forms.ValidationError(_("Indique al menos una columna."))
        return columns
