"""The four roles as Django groups, and the model permissions each carries.

Model permissions say what kind of action a role may take; which agencies and
cases it applies to is an object permission (django-guardian), see ``access.py``.
The groups are created by migration ``0003_create_roles`` from this table.
"""

from __future__ import annotations

AGENCY_OPERATOR = "agency_operator"
PROSECUTOR = "prosecutor"
NGO_ANALYST = "ngo_analyst"
ADMINISTRATOR = "administrator"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    AGENCY_OPERATOR: [
        "registry.view_record",
        "registry.add_record",
        "registry.change_record",
        "imports.view_importbatch",
        "imports.add_importbatch",
        "imports.change_importbatch",
    ],
    PROSECUTOR: [
        "registry.view_record",
        "registry.view_person",
        "registry.change_person",
        "registry.view_case",
        "registry.change_case",
        "registry.review_matches",
        "registry.view_matchcandidate",
        "registry.change_matchcandidate",
        "registry.view_alert",
        "registry.change_alert",
        "registry.view_casestatuschange",
        "registry.add_casestatuschange",
    ],
    NGO_ANALYST: [
        "registry.export_redacted",
    ],
    ADMINISTRATOR: [
        "registry.view_user",
        "registry.add_user",
        "registry.change_user",
        "auth.view_group",
        "auth.change_group",
        "registry.view_agency",
        "registry.add_agency",
        "registry.change_agency",
        "registry.view_record",
        "registry.view_person",
        "registry.view_case",
        "registry.add_case",
        "registry.change_case",
        "registry.view_casestatuschange",
        "registry.view_matchcandidate",
        "registry.view_alert",
        "registry.view_auditevent",
        "imports.view_importbatch",
    ],
}

ROLE_LABELS: dict[str, str] = {
    AGENCY_OPERATOR: "Operador de institución",
    PROSECUTOR: "Ministerio público / investigación",
    NGO_ANALYST: "Analista de organización civil",
    ADMINISTRATOR: "Administración del registro",
}


def role_groups_ensure() -> None:
    """Create any missing role group with its permissions (after a test database flush)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    if Group.objects.filter(name__in=list(ROLE_PERMISSIONS)).count() == len(ROLE_PERMISSIONS):
        return
    # A flush without post-migrate signals also empties the permission table.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for role, permission_names in ROLE_PERMISSIONS.items():
        group, created = Group.objects.get_or_create(name=role)
        if not created:
            continue
        for dotted in permission_names:
            app_label, codename = dotted.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label,
                                                         codename=codename))
