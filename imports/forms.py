"""Forms of the imports pages: the upload form offers only the user's own agencies."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from imports.mapping import FIELD_LABELS, FIELDS, IGNORED, field_by_name, field_choices
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


class BatchMappingForm(forms.Form):
    """The preview's column mapping: one choice of field per column of the file."""

    save_as = forms.SlugField(
        label=_("Guardar también como correspondencia (opcional)"), max_length=60,
        required=False,
        help_text=_("Un nombre corto, p. ej. «detenciones-ssc», para usarla en otros "
                    "archivos con estos encabezados."))

    def __init__(self, *args: Any, headers: list[str], mapped: dict[str, str],
                 record_kind: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [(IGNORED, _("— Ninguno (se conserva en los valores originales) —")),
                   *field_choices(record_kind)]
        self.headers = headers
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False,
                initial=mapped.get(header, IGNORED))

    def columns(self) -> dict[str, str]:
        """Return header → field (IGNORED for a column that feeds none)."""
        return {header: self.cleaned_data.get(f"col_{index}") or IGNORED
                for index, header in enumerate(self.headers)}

    def rows(self) -> list[tuple[str, Any]]:
        return [(header, self[f"col_{index}"]) for index, header in enumerate(self.headers)]


class ColumnMappingForm(forms.Form):
    """A saved mapping typed as lines ``ENCABEZADO DEL ARCHIVO = campo`` (Spanish name)."""

    agency = forms.ModelChoiceField(label=_("Institución"), queryset=None)
    name = forms.SlugField(label=_("Nombre de la correspondencia"), max_length=60)
    sex_codes = forms.ChoiceField(label=_("Códigos de sexo"), choices=SexCodes.choices,
                                  required=False, help_text=_SEX_CODES_HELP)
    lines = forms.CharField(
        label=_("Columnas"), widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Una por línea: ENCABEZADO DEL ARCHIVO = campo, con el nombre del campo "
                    "en español, p. ej. «LUGAR DE DETENCIÓN = Lugar de reclusión». Campos: "
                    "%(fields)s.")
        % {"fields": "; ".join(str(FIELD_LABELS[name]) for name in FIELDS)})

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies_operated_by(user)

    def clean_lines(self) -> dict[str, str]:
        columns: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            if not line.strip():
                continue
            header, sep, typed = line.rpartition("=")
            header, typed = header.strip(), typed.strip()
            if not sep or not header:
                raise forms.ValidationError(
                    _("Línea %(n)s: escriba ENCABEZADO = campo.") % {"n": number})
            field_name = field_by_name(typed)
            if field_name is None:
                raise forms.ValidationError(
                    _("Línea %(n)s: «%(field)s» no es un campo conocido.")
                    % {"n": number, "field": typed})
            columns[header] = field_name
        if not columns:
            raise forms.ValidationError(_("Indique al menos una columna."))
        return columns
