from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Área de trabajo")

    def ready(self) -> None:
        # The staff area's line of the retention policy (registry/retention.py).
        from staff import retention  # noqa: F401
