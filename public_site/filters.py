"""The public search filters: an explicit allow-list, each justified by the policy.

Every filter works on what the public sees of a record (``PUBLIC_FILTERS`` names the
field and the granularity; ``tests/public_site/test_filter_policy.py`` checks each
against ``registry.redaction``). Nothing here is generated from the model.
"""

from __future__ import annotations

import functools
import re
from datetime import date

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mxnames.text import search_key
from public_site.entries import AGE_BANDS, DEFAULT_ORDERING, PublicFilters, apply_public_filters
from registry.models import CaseStatus, Municipality, Record, Sex, State

# filter → (model field it reads, how finely the public may filter on it)
PUBLIC_FILTERS = {
    "estado": ("registry.record", "event_state", "value"),
    "municipio": ("registry.record", "event_municipality", "adults_only"),
    "desde": ("registry.record", "event_date", "month"),
    "hasta": ("registry.record", "event_date", "month"),
    "sexo": ("registry.record", "sex", "value"),
    "edad": ("registry.record", "age", "age_band"),
    "situacion": ("registry.case", "status", "value"),
}
ORDERING_CHOICES = [
    ("recientes", _("Desaparición más reciente")),
    ("antiguos", _("Desaparición más antigua")),
    ("actualizados", _("Actualización más reciente")),
]
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthField(forms.CharField):
    """A month as "AAAA-MM" (the browser's month input), returned as its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "AAAA-MM"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = _MONTH.match(value)
        if not match:
            raise ValidationError(_("Escriba el mes como AAAA-MM, por ejemplo 2024-05."))
        year, month = int(match.group(1)), int(match.group(2))
        if not (1900 <= year <= 2100 and 1 <= month <= 12):
            raise ValidationError(_("Ese mes no existe."))
        return date(year, month, 1)


class MonthFilter(django_filters.Filter):
    field_class = MonthField


def _public_sexes():
    return [(value, label) for value, label in Sex.choices if value]


class PublicEntryFilterSet(django_filters.FilterSet):
    """Search form of the public site and of the public API (same names, same checks)."""

    q = django_filters.CharFilter(label=_("Nombre"), max_length=120, method="skip")
    estado = django_filters.ModelChoiceFilter(label=_("Entidad"), queryset=State.objects.all(),
                                              empty_label=_("Todas"), method="skip")
    municipio = django_filters.ModelChoiceFilter(
        label=_("Municipio"), queryset=Municipality.objects.none(), empty_label=_("Todos"),
        method="skip")
    desde = MonthFilter(label=_("Desaparición desde (mes)"), method="skip")
    hasta = MonthFilter(label=_("Desaparición hasta (mes)"), method="skip")
    sexo = django_filters.ChoiceFilter(label=_("Sexo"), choices=_public_sexes,
                                       empty_label=_("Todos"), method="skip")
    edad = django_filters.ChoiceFilter(label=_("Edad"),
                                       choices=[(band, band) for band in AGE_BANDS],
                                       empty_label=_("Todas"), method="skip")
    situacion = django_filters.ChoiceFilter(label=_("Situación"), choices=CaseStatus.choices,
                                            empty_label=_("Todas"), method="skip")
    orden = django_filters.ChoiceFilter(label=_("Ordenar por"), choices=ORDERING_CHOICES,
                                        empty_label=None, method="skip")

    class Meta:
        model = Record
        fields: list[str] = []  # nothing generated from the model: the list above is all

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # Not django-filter's __init__: it deep-copies every filter for each instance (a
        # third of the cost of this filterset on every search), and this filterset never
        # uses its filter objects once the class exists (the form class is built once,
        # the filtering is the selector's). Same attributes, the class's filters shared
        # read-only; tests/public_site (search, filters, API) hold the behaviour.
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset if queryset is not None else Record.objects.none()
        self.request = request
        self.form_prefix = prefix
        self.filters = self.base_filters
        state = (data or {}).get("estado")
        municipality = self.form.fields["municipio"]
        if state and re.fullmatch(r"\d{2}", str(state)):
            municipality.queryset = Municipality.objects.filter(state_id=state).order_by("name")
            municipality._public_state = str(state)  # its options are cached per state
            municipality.label_from_instance = lambda place: place.name  # one state's list
        else:
            municipality.help_text = _("Elija primero una entidad y pulse «Buscar».")

    def get_form_class(self):
        # The same fields for every request: built once per process, not per page
        # (each form instance still gets its own copies of the fields).
        return _public_form_class(type(self))

    def skip(self, queryset, name, value):
        return queryset  # all filtering happens in filter_queryset, through the selector

    def public_filters(self) -> PublicFilters:
        """Return the validated filters (call after ``is_valid()``)."""
        data = self.form.cleaned_data
        state = data.get("estado")
        municipality = data.get("municipio")
        return PublicFilters(
            state=state.pk if state else None,
            municipality=municipality.pk if municipality else None,
            month_from=data.get("desde"), month_to=data.get("hasta"),
            sex=data.get("sexo") or None, age_band=data.get("edad") or None,
            status=data.get("situacion") or None,
        )

    @property
    def text(self) -> str:
        return (self.form.cleaned_data.get("q") or "") if self.form.is_valid() else ""

    @property
    def ordering(self) -> str:
        if not self.form.is_valid():
            return DEFAULT_ORDERING
        return self.form.cleaned_data.get("orden") or DEFAULT_ORDERING

    def filter_queryset(self, queryset):
        return apply_public_filters(queryset, self.public_filters())

    def controls(self) -> list[dict]:
        """Return the form's fields as plain values for a light template.

        Django's widget templates cost ~10 ms per render of this form; the search page
        is the site's busiest, so it renders these plain controls instead.
        """
        return [self.control(name) for name in self.form.fields]

    def control_value(self, name: str) -> str:
        """Return what BoundField.value() gives for these plain inputs, without one."""
        form = self.form
        value = form.data.get(name) if form.is_bound else form.fields[name].initial
        return "" if value is None else str(value)

    def control_errors(self, name: str) -> list:
        return self.form.errors.get(name, []) if self.form.is_bound else []

    def control(self, name: str) -> dict:
        """Return one field of the form as plain values (see ``controls``)."""
        field = self.form.fields[name]
        control = {"name": name, "id": f"id_{name}", "label": field.label,
                   "help": field.help_text, "errors": self.control_errors(name),
                   "value": self.control_value(name), "options": None,
                   "type": "month" if isinstance(field, MonthField) else "text"}
        if hasattr(field, "choices"):
            control["options"] = _options_html(name, field, control["value"])
        return control


@functools.cache
def _public_form_class(filterset_class: type[PublicEntryFilterSet]) -> type[forms.Form]:
    fields = {name: filter_.field for name, filter_ in filterset_class.base_filters.items()}
    return type(f"{filterset_class.__name__}Form", (filterset_class._meta.form,), fields)


def _options_html(name: str, field, selected: str) -> SafeString:
    # Rendered here, not by a template loop: ~60 options on every search, and their
    # labels are lazy translations; escaped once per language and field.
    if name == "municipio":  # depends on the chosen state (the catalogue is fixed)
        options = _municipality_options(field.queryset.query.is_empty(),
                                        getattr(field, "_public_state", None),
                                        get_language() or "")
        if options is None:
            options = tuple((str(key), escape(key), escape(label))
                            for key, label in field.choices)
    else:
        options = _static_options(name, get_language() or "")
    return mark_safe("".join(  # noqa: S308 — every part was escaped above
        f'<option value="{key_html}"{" selected" if key == selected else ""}>{label_html}'
        "</option>" for key, key_html, label_html in options))


@functools.lru_cache(maxsize=128)
def _municipality_options(empty: bool, state: str | None, language: str
                          ) -> tuple[tuple[str, str, str], ...] | None:
    # Without a state the list is only "Todos": iterating the empty queryset still
    # compiled its SQL on every search. With one, the state's municipalities (the INEGI
    # catalogue does not change while a process runs).
    all_label = escape(str(_("Todos")))
    if empty:
        return (("", "", all_label),)
    if state is None:
        return None
    names = Municipality.objects.filter(state_id=state).order_by("name").values_list(
        "code", "name", "state_id")
    # The options are one state's: the name alone ("Acajete", not "Acajete, 21").
    return (("", "", all_label), *((str(code), escape(code), escape(name))
                                   for code, name, _state_id in names))


@functools.cache
def _static_options(name: str, language: str) -> tuple[tuple[str, str, str], ...]:
    field = PublicEntryFilterSet.base_filters[name].field
    choices = _state_choices() if name == "estado" else field.choices
    return tuple((str(key), escape(key), escape(label)) for key, label in choices)


NATIONAL_STATE = "00"  # INEGI's "Nacional": a catalogue name, translated on display


def state_label(code: str, name: str) -> str:
    """Return a state's name for the public, with INEGI's "Nacional" translated."""
    return str(_("Nacional")) if code == NATIONAL_STATE else name


@functools.cache
def _state_choices_cached(language: str) -> tuple[tuple[str, str], ...]:
    return tuple((code, state_label(code, name))
                 for code, name in State.objects.values_list("code", "name"))


def _state_choices() -> list[tuple[str, str]]:
    # The INEGI catalogue does not change while a process runs.
    return [("", str(_("Todas"))), *_state_choices_cached(get_language() or "")]


class DetentionLookupForm(forms.Form):
    """A specific query: full given names and first surname; no wildcards, no partial words."""

    given_names = forms.CharField(label=_("Nombre(s)"), max_length=120)
    paternal_surname = forms.CharField(label=_("Primer apellido"), max_length=120)
    maternal_surname = forms.CharField(label=_("Segundo apellido (opcional)"), max_length=120,
                                       required=False)
    age = forms.IntegerField(label=_("Edad (opcional)"), min_value=0, max_value=120,
                             required=False)

    MIN_LETTERS = 2

    def _clean_name(self, name: str, *, required: bool) -> str:
        value = self.cleaned_data.get(name, "")
        if re.search(r"[*%_?]", value):
            raise ValidationError(_("No se admiten comodines: escriba el nombre completo."))
        words = search_key(value).split()
        if (required and not words) or any(len(word) < self.MIN_LETTERS for word in words):
            raise ValidationError(_("Escriba el nombre completo, sin abreviaturas."))
        return value.strip()

    def clean_given_names(self):
        return self._clean_name("given_names", required=True)

    def clean_paternal_surname(self):
        return self._clean_name("paternal_surname", required=True)

    def clean_maternal_surname(self):
        return self._clean_name("maternal_surname", required=False)


class FamilyLookupForm(forms.Form):
    folio = forms.CharField(label=_("Folio del caso"), max_length=40)
    access_code = forms.CharField(
        label=_("Código de acceso"), max_length=32,
        help_text=_("Doce letras y números, como aparecen en su constancia (XXXX-XXXX-XXXX)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                      "spellcheck": "false"}))


class FamilySubscriptionForm(forms.Form):
    email = forms.EmailField(label=_("Correo electrónico"))
    consent = forms.BooleanField(
        label=_("Acepto que el registro guarde este correo para avisarme de cambios en el "
                "caso. Puedo darme de baja en cualquier momento."))
