from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = pgettext_lazy("nombre del sitio", "Registro")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db.models.signals import post_delete, post_migrate, post_save

        from registry import access, login_guard, published
        from registry.models import Agency, Case, Record, case_public_key_set
        from registry.permission_audit import permission_audit_connect

        for model in (Agency, Case):
            post_delete.connect(access.on_protected_object_deleted, sender=model,
                                dispatch_uid=f"registry_drop_perms_{model.__name__}")

        permission_audit_connect()
        user_logged_in.connect(login_guard.on_user_logged_in,
                               dispatch_uid="registry_audit_login")
        user_login_failed.connect(login_guard.on_user_login_failed,
                                  dispatch_uid="registry_audit_login_failed")
        # A database migrated to the published-entry table gets it filled once.
        post_migrate.connect(published.published_entries_fill_if_empty, sender=self,
                             dispatch_uid="registry_published_entries_fill")
        post_save.connect(published.on_case_saved, sender=Case,
                          dispatch_uid="registry_published_case_saved")
        post_save.connect(published.on_record_saved, sender=Record,
                          dispatch_uid="registry_published_record_saved")
        case_public_key_set.connect(published.on_case_saved, sender=Case,
                                    dispatch_uid="registry_published_case_key_set")
