"""Every change made in the Django admin, and every permission grant, is audited.

The admin writes CREATE / CHANGE / DELETE rows with the fields changed (values only of
flags, choices and foreign keys; never of secret fields), and grants and revocations of
roles, model permissions, object permissions and case assignments write PERMISSION rows,
wherever they are made.
"""

import json

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.forms import MultiWidget
from django.urls import reverse
from guardian.shortcuts import assign_perm, remove_perm
from rest_framework.authtoken.models import Token

from imports.models import ColumnMapping
from registry import roles
from registry.admin import AuditedModelAdmin
from registry.models import Agency, AuditEvent, Case
from tests.factories import AgencyFactory, CaseFactory, UserFactory

HOOKS = ("save_model", "save_related", "log_addition", "log_change", "delete_model",
         "delete_queryset")


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_registered_admin_is_audited(model):
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, AuditedModelAdmin), (
        f"{type(model_admin).__name__} must derive from registry.admin.AuditedModelAdmin")
    for hook in HOOKS:
        # The audited hook is the one that runs: nothing between overrides it unaudited.
        assert getattr(type(model_admin), hook) is getattr(AuditedModelAdmin, hook), (
            f"{type(model_admin).__name__}.{hook} bypasses the audit")


@pytest.fixture
def superuser(db):
    return UserFactory(username="raiz", is_superuser=True, is_staff=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _post_data(response) -> dict:
    """Return the change form's current values as the browser would post them."""
    data = {}
    form = response.context["adminform"].form
    for bound in form:
        if bound.field.disabled:
            continue
        value = bound.value()
        if value is None:
            continue
        widget = bound.field.widget
        if isinstance(widget, MultiWidget):  # date and time in two inputs
            for suffix, part in zip(widget.widgets_names, widget.decompress(value),
                                    strict=True):
                data[bound.html_name + suffix] = "" if part is None else str(part)
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        else:
            data[bound.html_name] = str(value)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for bound in formset.management_form:
            data[bound.html_name] = str(bound.value())
        for inline_form in formset.forms:
            for bound in inline_form:
                value = bound.value()
                if value not in (None, "") and not bound.field.disabled:
                    data[bound.html_name] = str(value)
    return data


def _events(action, **filters):
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("id"))


def test_adding_an_agency_is_audited_with_its_fields(admin_client, superuser):
    response = admin_client.post(reverse("admin:registry_agency_add"), {
        "code": "fge-oax", "name": "Fiscalía de Oaxaca", "kind": "prosecutor",
        "state": "20", "is_active": "on"})
    assert response.status_code == 302
    agency = Agency.objects.get(code="fge-oax")
    event = _events("create", object_type="registry.agency", object_id=str(agency.pk))[0]
    assert event.actor == superuser and event.ip_address == "127.0.0.1"
    assert event.details["via"] == "admin"
    assert set(event.details["fields"]) >= {"code", "name", "kind", "state", "is_active"}
    assert event.details["values"]["kind"] == {"from": None, "to": "prosecutor"}


def test_changing_a_case_records_the_fields_and_prosecutors(admin_client, superuser):
    case = CaseFactory(investigation_notes="Nota inicial privada")
    other_agency = AgencyFactory()
    prosecutor = UserFactory(role=roles.PROSECUTOR)
    url = reverse("admin:registry_case_change", args=[case.pk])
    data = _post_data(admin_client.get(url))
    data.update({"investigation_notes": "Nota nueva privada", "agency": str(other_agency.pk),
                 "prosecutors": [str(prosecutor.pk)]})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = _events("change", object_type="registry.case", object_id=str(case.pk))[-1]
    assert set(event.details["fields"]) == {"investigation_notes", "agency", "prosecutors"}
    assert event.details["values"] == {"agency": {"from": case.agency_id,
                                                  "to": other_agency.pk}}
    assert event.details["many_to_many"]["prosecutors"] == {"added": [prosecutor.pk],
                                                            "removed": []}
    # Free text is named, never copied into the append-only log.
    assert "privada" not in json.dumps(event.details)
    grant = _events("permission", object_type="registry.case", object_id=str(case.pk))[-1]
    assert grant.actor == superuser
    assert grant.details == {"operation": "grant", "relation": "registry.case.prosecutors",
                             "related": "registry.user", "ids": [prosecutor.pk]}


def test_a_password_change_is_audited_without_the_hash(admin_client, superuser):
    user = UserFactory(username="capturista")
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    response = admin_client.post(url, {"password1": "OtraClave-2026!x", "password2":
                                       "OtraClave-2026!x", "usable_password": "true"})
    assert response.status_code == 302
    user.refresh_from_db()
    event = _events("change", object_type="registry.user", object_id=str(user.pk))[-1]
    assert event.actor == superuser and event.details["fields"]
    everything = json.dumps([e.details for e in AuditEvent.objects.all()])
    assert user.password not in everything
    assert user.password.split("$")[-1] not in everything


def test_role_changes_in_the_user_form_are_permission_rows(admin_client, superuser):
    user = UserFactory(username="analista")
    url = reverse("admin:registry_user_change", args=[user.pk])
    data = _post_data(admin_client.get(url))
    prosecutors = Group.objects.get(name=roles.PROSECUTOR)
    data.update({"groups": [str(prosecutors.pk)], "is_superuser": "on"})
    assert admin_client.post(url, data).status_code == 302
    change = _events("change", object_type="registry.user", object_id=str(user.pk))[-1]
    assert change.details["values"]["is_superuser"] == {"from": False, "to": True}
    assert "password" not in change.details.get("values", {})
    grant = _events("permission", object_type="registry.user", object_id=str(user.pk))[-1]
    assert grant.details["names"] == [roles.PROSECUTOR]
    assert grant.details["operation"] == "grant" and grant.actor == superuser
    user.groups.clear()  # outside any request: recorded with no actor
    revoke = _events("permission", object_type="registry.user", object_id=str(user.pk))[-1]
    assert revoke.details["operation"] == "revoke" and revoke.actor is None
    assert revoke.details["names"] == [roles.PROSECUTOR]


def test_model_permissions_of_users_and_groups_are_audited(db):
    user = UserFactory()
    permission = Permission.objects.get(codename="export_redacted")
    user.user_permissions.add(permission)
    group = Group.objects.create(name="enlaces")
    group.permissions.add(permission)
    group.permissions.remove(permission)
    rows = _events("permission")
    assert [(row.object_type, row.details["operation"], row.details["names"])
            for row in rows[-3:]] == [
        ("registry.user", "grant", ["registry.export_redacted"]),
        ("auth.group", "grant", ["registry.export_redacted"]),
        ("auth.group", "revoke", ["registry.export_redacted"]),
    ]


def test_object_permissions_are_audited_wherever_granted(admin_client, superuser):
    agency = AgencyFactory()
    user = UserFactory()
    group = Group.objects.get(name=roles.AGENCY_OPERATOR)
    assign_perm("registry.operate_agency", user, agency)
    assign_perm("registry.view_agency_records", group, agency)
    remove_perm("registry.operate_agency", user, agency)
    rows = _events("permission", object_type="registry.agency", object_id=str(agency.pk))
    assert [row.details for row in rows] == [
        {"operation": "grant", "permission": "registry.operate_agency", "user": user.pk},
        {"operation": "grant", "permission": "registry.view_agency_records",
         "group": roles.AGENCY_OPERATOR},
        {"operation": "revoke", "permission": "registry.operate_agency", "user": user.pk},
    ]
    # Through django-guardian's pages in the admin, with the administrator as actor.
    url = reverse("admin:registry_agency_permissions_manage_user", args=[agency.pk, user.pk])
    response = admin_client.post(url, {"permissions": ["view_agency_records"]})
    assert response.status_code == 302
    row = _events("permission", object_type="registry.agency", object_id=str(agency.pk))[-1]
    assert row.actor == superuser
    assert row.details["permission"] == "registry.view_agency_records"


def test_deletions_are_audited_one_by_one(admin_client, superuser):
    agency = AgencyFactory()
    mappings = [ColumnMapping.objects.create(agency=agency, name=f"m{n}", columns={})
                for n in range(3)]
    url = reverse("admin:imports_columnmapping_delete", args=[mappings[0].pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    changelist = reverse("admin:imports_columnmapping_changelist")
    response = admin_client.post(changelist, {
        "action": "delete_selected", "post": "yes",
        "_selected_action": [str(m.pk) for m in mappings[1:]]})
    assert response.status_code == 302
    assert not ColumnMapping.objects.exists()
    deleted = _events("delete", object_type="imports.columnmapping")
    assert sorted(int(row.object_id) for row in deleted) == [m.pk for m in mappings]
    assert all(row.actor == superuser for row in deleted)


def test_deleting_a_case_drops_and_audits_its_grants(admin_client, superuser):
    case = CaseFactory()
    user = UserFactory()
    assign_perm("registry.view_case", user, case)
    url = reverse("admin:registry_case_delete", args=[case.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Case.objects.filter(pk=case.pk).exists()
    rows = _events("permission", object_type="registry.case", object_id=str(case.pk))
    assert rows[-1].details == {"operation": "revoke", "permission": "registry.view_case",
                                "user": user.pk}
    assert _events("delete", object_type="registry.case", object_id=str(case.pk))


def test_api_tokens_are_audited_without_the_key(admin_client, superuser):
    service_user = UserFactory(username="api-fge")
    response = admin_client.post(reverse("admin:authtoken_tokenproxy_add"),
                                 {"user": str(service_user.pk)})
    assert response.status_code == 302
    token = Token.objects.get(user=service_user)
    event = _events("create", object_type="authtoken.token")[-1]
    assert event.object_id == f"usuario:{service_user.pk}"
    everything = json.dumps([[e.object_id, e.details] for e in AuditEvent.objects.all()])
    assert token.key not in everything
