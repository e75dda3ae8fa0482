"""Create the four role groups with their model permissions (registry/roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    from registry.roles import ROLE_PERMISSIONS

    # Permissions are normally created after all migrations run; create them now
    # so that the groups can be given them in this migration.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, permission_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for dotted in permission_names:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.get(content_type__app_label=app_label,
                                                codename=codename)
            group.permissions.add(permission)


def remove_roles(apps, schema_editor):
    from registry.roles import ROLE_PERMISSIONS

    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLE_PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_load_inegi_catalogue"),
        ("imports", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
