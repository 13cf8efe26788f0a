from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from renda.core import services
from renda.core.models import AuditAction, AuditEvent, Person, Region, Role, RoleGrant, User

pytestmark = pytest.mark.django_db


def test_only_administrators_reach_the_console(login: Callable[[str], Client]) -> None:
    for username in ("office", "leader", "deputy", "unit", "citizen"):
        assert login(username).get(reverse("console:accounts")).status_code == 403
    response = login("admin").get(reverse("console:accounts"))
    assert response.status_code == 200
    assert "county_office" in response.content.decode()


def test_create_account_keeps_input_on_error(login: Callable[[str], Client]) -> None:
    admin = login("admin")
    county = Region.objects.get(code="430421000000")
    form = {
        "name": "新代表",
        "username": "office",
        "region": county.code,
        "phone": "1381234",
        "id_number": "",
        "employer": "某村委会",
        "post": "",
    }
    response = admin.post(reverse("console:account_new"), form)
    body = response.content.decode()
    assert response.status_code == 200
    assert "11 位" in body  # the phone is wrong
    assert 'value="某村委会"' in body  # what was typed is kept
    assert not Person.objects.filter(name="新代表").exists()  # nothing half-written


def test_create_grant_reset_and_revoke(login: Callable[[str], Client]) -> None:
    admin = login("admin")
    county = Region.objects.get(code="430421000000")
    response = admin.post(
        reverse("console:account_new"),
        {
            "name": "周八",
            "username": "zhouba",
            "region": county.code,
            "phone": "13700007777",
            "id_number": "",
            "employer": "",
            "post": "",
        },
    )
    account = User.objects.get(username="zhouba")
    assert response.status_code == 302
    assert account.must_change_password
    assert account.person is not None
    assert account.person.phone == "13700007777"

    response = admin.post(
        reverse("console:account", args=[account.pk]),
        {"role": Role.OFFICE, "region": county.code, "organization": ""},
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=account, role=Role.OFFICE)

    response = admin.post(reverse("console:reset_password", args=[account.pk]), follow=True)
    assert "临时密码" in response.content.decode()

    admin.post(reverse("console:revoke", args=[account.pk, grant.pk]))
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    actions = set(
        AuditEvent.objects.filter(object_type__in=["core.user", "core.rolegrant"]).values_list(
            "action", flat=True
        )
    )
    assert {AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE} <= actions


def test_station_role_requires_organization(login: Callable[[str], Client]) -> None:
    admin = login("admin")
    target = User.objects.get(username="citizen")
    response = admin.post(
        reverse("console:account", args=[target.pk]),
        {"role": Role.STATION, "region": "430400000000", "organization": ""},
    )
    assert "必须指定所属机构" in response.content.decode()
    assert not RoleGrant.objects.filter(user=target, role=Role.STATION).exists()


def test_admin_cannot_reach_accounts_outside_jurisdiction(login: Callable[[str], Client]) -> None:
    province = Region.objects.get(code="430000000000")
    other_city = services.create_region(
        actor=None, code="430200000000", name="株洲市", level="city", parent=province
    )
    person = services.create_person(actor=None, region=other_city, name="外市人员")
    outsider = services.create_account(actor=None, username="outsider", person=person)
    admin = login("admin")
    assert admin.get(reverse("console:account", args=[outsider.pk])).status_code == 404
    assert admin.post(reverse("console:reset_password", args=[outsider.pk])).status_code == 404
    assert "outsider" not in admin.get(reverse("console:accounts")).content.decode()


def test_admin_cannot_deactivate_self(login: Callable[[str], Client], user: Any) -> None:
    admin_user = user("admin")
    response = login("admin").post(
        reverse("console:set_active", args=[admin_user.pk]), {"active": "0"}, follow=True
    )
    assert "不能停用自己" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active
