"""Forms of the staff pages: they parse and validate input, services do the work."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.models import CaseStatus, Record, RecordKind, State
from registry.services import CORRECTABLE_RECORD_FIELDS


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


class AlertHandledForm(forms.Form):
    note = forms.CharField(label=_("Nota"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


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
    k_anonymity = forms.IntegerField(label=_("k-anonimato (opcional)"), required=False,
                                     min_value=2, max_value=100)
    purpose = forms.CharField(label=_("Finalidad de la exportación"), max_length=300)

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
