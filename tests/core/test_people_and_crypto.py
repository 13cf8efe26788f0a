from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from renda.core import audit, crypto, selectors, services
from renda.core.errors import InvalidInput, NotPermitted
from renda.core.models import AuditAction, AuditEvent, Person, Region, User

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
ID_NUMBER = "430421199001011233"  # valid checksum


def _raw(person: Person) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, id_number FROM core_person WHERE id = %s", [person.pk])
        row = cursor.fetchone()
    return row[0], row[1]


def test_phone_and_id_are_not_readable_in_the_database() -> None:
    county = Region.objects.get(code="430421000000")
    person = services.create_person(
        actor=None, region=county, name="李四", phone=PHONE, id_number=ID_NUMBER
    )
    raw_phone, raw_id = _raw(person)
    assert PHONE not in raw_phone
    assert "5678" not in raw_phone
    assert ID_NUMBER not in raw_id
    assert "19900101" not in raw_id
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.phone == PHONE
    assert fresh.id_number == ID_NUMBER
    # The whole file/table must not contain the digits in any column.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_person WHERE id = %s", [person.pk])
        assert all(PHONE not in str(v) and ID_NUMBER not in str(v) for v in cursor.fetchone())


def test_exact_lookup_through_blind_index() -> None:
    county = Region.objects.get(code="430421000000")
    person = services.create_person(actor=None, region=county, name="王五", phone="139 1234 5678")
    assert selectors.person_by_phone("13912345678") == person
    office = User.objects.get(username="county_office")
    assert list(selectors.people(office, q="13912345678")) == [person]
    outside_office = User.objects.get(username="township_office")
    assert not selectors.people(outside_office, q="13912345678").exists()


def test_masks() -> None:
    assert crypto.mask_phone("13812341234") == "138****1234"
    assert crypto.mask_id_number("430402199001011234") == "430402********1234"
    assert crypto.mask_phone("") == ""


def test_person_validation_messages_in_chinese_and_nothing_written() -> None:
    county = Region.objects.get(code="430421000000")
    before = Person.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.create_person(
            actor=None, region=county, name="", phone="12345", id_number="430421199002301234"
        )
    errors = exc.value.field_errors
    assert "请填写姓名" in errors["name"][0]
    assert "11 位" in errors["phone"][0]
    assert "出生日期不存在" in errors["id_number"][0]
    assert Person.objects.count() == before


def test_duplicate_id_number_rejected() -> None:
    county = Region.objects.get(code="430421000000")
    services.create_person(actor=None, region=county, name="甲", id_number=ID_NUMBER)
    with pytest.raises(InvalidInput) as exc:
        services.create_person(actor=None, region=county, name="乙", id_number=ID_NUMBER.lower())
    assert "已登记" in exc.value.field_errors["id_number"][0]


def test_wrong_check_digit_rejected() -> None:
    county = Region.objects.get(code="430421000000")
    with pytest.raises(InvalidInput) as exc:
        services.create_person(actor=None, region=county, name="丙", id_number="430421199001011234")
    assert "校验位" in exc.value.field_errors["id_number"][0]


def test_audit_records_masked_before_and_after() -> None:
    office = User.objects.get(username="county_office")
    county = Region.objects.get(code="430421000000")
    person = services.create_person(actor=office, region=county, name="赵六", phone=PHONE)
    services.update_person(actor=office, person=person, phone="13700001111", post="村主任")
    event = AuditEvent.objects.filter(
        object_type="core.person", object_id=str(person.pk), action=AuditAction.UPDATE
    ).get()
    assert event.actor == office
    assert event.before == {"phone": "139****5678", "post": person.post}
    assert event.after == {"phone": "137****1111", "post": "村主任"}
    assert event.region_code == county.code
    created = AuditEvent.objects.get(
        object_type="core.person", object_id=str(person.pk), action=AuditAction.CREATE
    )
    assert PHONE not in str(created.after)


def test_office_cannot_create_people_outside_its_jurisdiction() -> None:
    office = User.objects.get(username="county_office")
    other = Region.objects.get(code="430405000000")
    with pytest.raises(NotPermitted):
        services.create_person(actor=office, region=other, name="越权")
    assert not Person.objects.filter(name="越权").exists()


def test_audit_log_cannot_be_changed_or_deleted() -> None:
    event = audit.record(actor=None, action=AuditAction.CREATE, object_type="x", object_id="1")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(message="tampered")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_sensitive_view_follows_policy() -> None:
    office = User.objects.get(username="county_office")
    leader = User.objects.get(username="leader")
    person = (
        Person.objects.filter(region__code__startswith="430421")
        .exclude(user__username="county_office")
        .first()
    )
    assert person is not None
    assert selectors.can_view_sensitive(office, person)
    assert not selectors.can_view_sensitive(leader, person)
    assert selectors.can_view_sensitive(leader, leader.person)  # type: ignore[arg-type]


def test_account_creation_validates_password(settings: Any) -> None:
    county = Region.objects.get(code="430421000000")
    person = services.create_person(actor=None, region=county, name="新用户")
    with pytest.raises(InvalidInput) as exc:
        services.create_account(actor=None, username="newbie", person=person, password="abcdefghij")
    assert any("至少 3 类" in m for m in exc.value.field_errors["password"])
    user = services.create_account(
        actor=None, username="newbie", person=person, password="Abcdefgh-1"
    )
    assert user.must_change_password
    assert user.password.startswith("argon2")
