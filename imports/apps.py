from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = _("Importaciones")

    def ready(self) -> None:
        import openpyxl

        # The imports app's lines of the retention policy (registry/retention.py).
        from imports import retention  # noqa: F401

        # Without defusedxml, openpyxl parses workbooks with the standard library, which
        # expands XML entities: one crafted .xlsx could exhaust memory ("billion laughs").
        if not openpyxl.DEFUSEDXML:
            raise ImproperlyConfigured("defusedxml must be installed: openpyxl uses it to "
                                       "refuse XML entity bombs in uploaded workbooks.")
