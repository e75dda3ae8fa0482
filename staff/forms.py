"""Forms of the staff pages: they parse and validate input, services do the work."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.models import (
    Agency,
    AlertKind,
    CasePublication,
    CaseStatus,
    Record,
    RecordKind,
    Sex,
    State,
)
from registry.services import CORRECTABLE_RECORD_FIELDS
from staff.exports import DEFAULT_K


class DecisionForm(forms.Form):
    DECISIONS = [
        ("confirm", _("Confirmar: es la misma persona")),
        ("reject", _("Rechazar: son personas distintas")),
        ("unsure", _("Sin certeza")),
    ]
    decision = forms.ChoiceField(label=_("Decisión"), choices=DECISIONS,
                                 widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Motivo"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motivo"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class SplitForm(ReasonForm):
    records = forms.TypedMultipleChoiceField(label=_("Registros que se separan"), coerce=int,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, record_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["records"].choices = record_choices


class StatusForm(ReasonForm):
    to_status = forms.ChoiceField(label=_("Nueva situación"), choices=CaseStatus.choices)


class RequestReviewForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("Revisión"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("Aprobar")), ("no", _("Rechazar"))])
    note = forms.CharField(label=_("Nota"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class AccessCodeForm(forms.Form):
    operation = forms.ChoiceField(choices=[("issue", _("Emitir o renovar")),
                                           ("revoke", _("Revocar"))])


class PublicationForm(forms.Form):
    """The family's decision about publishing its case, who took it and why."""

    publication = forms.ChoiceField(label=_("Decisión de la familia"),
                                    choices=CasePublication.choices, widget=forms.RadioSelect)
    decided_by = forms.CharField(
        label=_("Quién de la familia decidió"), max_length=200,
        help_text=_("Nombre y parentesco, como consta en el expediente."))
    reason = forms.CharField(label=_("Motivo y forma en que se expresó"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class AlertHandledForm(forms.Form):
    """What was done about an alert: the note is kept with it and in the audit log."""

    note = forms.CharField(
        label=_("Qué se hizo"), max_length=2000,
        help_text=_("Por ejemplo: «Se llamó al juzgado cívico; sigue detenida»."),
        error_messages={"required": _("Escriba qué se hizo con la alerta.")},
        widget=forms.Textarea(attrs={"rows": 2}))
    filters = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)


class AlertFilterForm(forms.Form):
    """The alerts inbox's filters; anything invalid falls back to "all"."""

    ATTENTION = (("", _("Todas (sin atender primero)")), ("pendientes", _("Sin atender")),
                 ("atendidas", _("Atendidas")))

    folio = forms.CharField(label=_("Folio del caso"), required=False, max_length=40)
    tipo = forms.ChoiceField(label=_("Tipo de alerta"), required=False,
                             choices=[("", _("Todos")), *AlertKind.choices])
    institucion = forms.ModelChoiceField(label=_("Institución del registro nuevo"),
                                         queryset=Agency.objects.none(), required=False,
                                         empty_label=_("Todas"))
    entidad = forms.ModelChoiceField(label=_("Entidad del hecho"), required=False,
                                     queryset=State.objects.order_by("name"),
                                     empty_label=_("Todas"))
    situacion = forms.ChoiceField(label=_("Situación de la alerta"), required=False,
                                  choices=ATTENTION)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["institucion"].queryset = agencies

    def chosen(self) -> dict:
        """Return the valid filters (empty when none or invalid)."""
        if not self.is_bound or not self.is_valid():
            return {}
        chosen = {name: value for name, value in self.cleaned_data.items() if value}
        if "folio" in chosen:
            chosen["folio"] = chosen["folio"].strip()
        return {name: value for name, value in chosen.items() if value}


class CrosscheckSearchForm(forms.Form):
    q = forms.CharField(label=_("Nombre"), max_length=200, required=False)


class ExportForm(forms.Form):
    FORMATS = [("csv", "CSV"), ("xlsx", "XLSX (Excel)"), ("json", "JSON")]
    format = forms.ChoiceField(label=_("Formato"), choices=FORMATS)
    state = forms.ModelChoiceField(label=_("Entidad"), queryset=State.objects.all(),
                                   required=False)
    kind = forms.ChoiceField(label=_("Tipo de registro"), required=False,
                             choices=[("", _("Todos")), *RecordKind.choices])
    status = forms.ChoiceField(label=_("Situación del caso"), required=False,
                               choices=[("", _("Todas")), *CaseStatus.choices])
    # By month: the ngo audience sees event dates only to the month (registry/exports.py).
    date_from = forms.DateField(label=_("Desde el mes"), required=False,
                                input_formats=["%Y-%m", "%Y-%m-%d"],
                                widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    date_to = forms.DateField(label=_("Hasta el mes"), required=False,
                              input_formats=["%Y-%m", "%Y-%m-%d"],
                              widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    # On by default (k = 5); 1 turns it off, an explicit choice kept in the audit log.
    k_anonymity = forms.IntegerField(
        label=_("k-anonimato"), required=False, initial=DEFAULT_K, min_value=1, max_value=100,
        help_text=_("Cada combinación de edad, sexo, municipio y mes aparece al menos k "
                    "veces; si no, se generaliza (municipio → entidad, mes → año) o se "
                    "suprime. 5 por omisión; 1 = sin k-anonimato."))
    purpose = forms.CharField(label=_("Finalidad de la exportación"), max_length=300)
    background = forms.BooleanField(
        label=_("Preparar en segundo plano (para exportaciones grandes)"), required=False,
        help_text=_("El archivo aparece abajo cuando está listo y se conserva 7 días."))

    def clean_k_anonymity(self):
        k = self.cleaned_data.get("k_anonymity")
        return DEFAULT_K if k is None else k

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("La fecha inicial es posterior a la final."))
        return cleaned


class RecordCorrectionForm(forms.ModelForm):
    """An operator's correction of their agency's record; the reason is kept in its history."""

    correction_reason = forms.CharField(label=_("Motivo de la corrección"), max_length=300)

    class Meta:
        model = Record
        fields = sorted(CORRECTABLE_RECORD_FIELDS)
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}),
                   "event_date": forms.DateInput(attrs={"type": "date"})}

    def changes(self) -> dict:
        """Return the corrected fields and their new values."""
        return {name: self.cleaned_data[name] for name in self.changed_data
                if name in CORRECTABLE_RECORD_FIELDS}


class CaseOpenForm(forms.Form):
    """Open a case by hand: the report as the family gives it, the folio, the status."""

    agency = forms.ModelChoiceField(label=_("Fiscalía"), queryset=None)
    folio = forms.CharField(label=_("Folio"), max_length=40)
    given_names = forms.CharField(label=_("Nombre(s)"), max_length=200)
    paternal_surname = forms.CharField(label=_("Primer apellido"), max_length=120,
                                       required=False)
    maternal_surname = forms.CharField(label=_("Segundo apellido"), max_length=120,
                                       required=False)
    aliases = forms.CharField(label=_("Alias"), max_length=300, required=False)
    sex = forms.ChoiceField(label=_("Sexo"), choices=Sex.choices, required=False)
    birth_date = forms.DateField(label=_("Fecha de nacimiento"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    age = forms.IntegerField(label=_("Edad"), min_value=0, max_value=130, required=False)
    curp = forms.CharField(label=_("CURP"), max_length=18, required=False)
    event_date = forms.DateField(label=_("Fecha de desaparición"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    event_state = forms.ModelChoiceField(label=_("Entidad"), queryset=State.objects.all(),
                                         required=False)
    place = forms.CharField(label=_("Lugar"), max_length=300, required=False)
    description = forms.CharField(label=_("Descripción y señas particulares"),
                                  required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reporter_name = forms.CharField(label=_("Nombre de quien reporta"), max_length=200,
                                    required=False)
    reporter_contact = forms.CharField(label=_("Contacto de quien reporta"), max_length=200,
                                       required=False)
    status = forms.ChoiceField(label=_("Situación"), choices=[
        (CaseStatus.MISSING.value, CaseStatus.MISSING.label),
        (CaseStatus.NOT_LOCATED.value, CaseStatus.NOT_LOCATED.label)])
    publication_consent = forms.BooleanField(
        label=_("La familia autoriza publicar el nombre y la ficha de búsqueda"),
        required=False)
    reason = forms.CharField(label=_("Motivo o circunstancia"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        if agencies is not None and agencies.count() == 1:
            self.fields["agency"].initial = agencies.first()

    def clean_curp(self) -> str:
        return self.cleaned_data["curp"].upper().replace(" ", "")

    def report_values(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in (
            "given_names", "paternal_surname", "maternal_surname", "aliases", "sex",
            "birth_date", "age", "curp", "event_date", "event_state", "place", "description",
            "reporter_name", "reporter_contact")}


class QualityFilterForm(forms.Form):
    """The matching-quality dashboard's filters: one agency (or all) and a window."""

    MONTHS = ((3, _("3 meses")), (6, _("6 meses")), (12, _("12 meses")), (24, _("24 meses")))
    DEFAULT_MONTHS = 12

    agency = forms.ModelChoiceField(queryset=Agency.objects.order_by("name"), required=False,
                                    label=_("Institución"), empty_label=_("Todas"))
    months = forms.TypedChoiceField(choices=MONTHS, coerce=int, required=False,
                                    initial=DEFAULT_MONTHS, label=_("Periodo"))

    def chosen(self) -> tuple[Agency | None, int]:
        """Return the valid choices; anything invalid falls back to the defaults."""
        if not self.is_bound or not self.is_valid():
            return None, self.DEFAULT_MONTHS
        return self.cleaned_data["agency"], self.cleaned_data["months"] or self.DEFAULT_MONTHS
