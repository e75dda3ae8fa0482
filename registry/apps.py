from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registro")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from registry import login_guard

        user_logged_in.connect(login_guard.on_user_logged_in,
                               dispatch_uid="registry_audit_login")
        user_login_failed.connect(login_guard.on_user_login_failed,
                                  dispatch_uid="registry_audit_login_failed")
