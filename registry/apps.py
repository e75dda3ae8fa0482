from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = pgettext_lazy("nombre del sitio", "Registro")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db.models.signals import post_delete

        from registry import access, login_guard
        from registry.models import Agency, Case
        from registry.permission_audit import permission_audit_connect

        for model in (Agency, Case):
            post_delete.connect(access.on_protected_object_deleted, sender=model,
                                dispatch_uid=f"registry_drop_perms_{model.__name__}")

        permission_audit_connect()
        user_logged_in.connect(login_guard.on_user_logged_in,
                               dispatch_uid="registry_audit_login")
        user_login_failed.connect(login_guard.on_user_login_failed,
                                  dispatch_uid="registry_audit_login_failed")
