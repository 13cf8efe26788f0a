"""Phone and ID numbers appear in full only to those the PersonPolicy lets see them
(VIEW_SENSITIVE: the registering office and the person themselves), masked to everyone else."""

from __future__ import annotations

from typing import Any

import pytest

from renda.core import crypto
from renda.core.models import Person

pytestmark = pytest.mark.django_db


def _neighbour(user: Any, name: str) -> Person:
    """Someone else registered in the same township as the demo account ``name``."""
    own = user(name).person
    person = (
        Person.objects.filter(region_id=own.region_id).exclude(pk=own.pk).exclude(phone="").first()
    )
    assert person is not None
    return person


def test_office_reveals_full_numbers_and_the_look_is_audited(login: Any, user: Any) -> None:
    from renda.core.models import AuditAction, AuditEvent

    person = _neighbour(user, "township_office")
    client = login("county_office")
    html = client.get(f"/people/{person.pk}/").content.decode()
    assert person.phone not in html
    assert "查看完整号码" in html
    assert not AuditEvent.objects.filter(
        action=AuditAction.ACCESS, object_id=str(person.pk)
    ).exists()
    html = client.post(f"/people/{person.pk}/").content.decode()
    assert person.phone in html
    assert person.id_number in html
    event = AuditEvent.objects.get(action=AuditAction.ACCESS, object_id=str(person.pk))
    assert event.actor == user("county_office")
    listing = client.get("/people/", {"q": person.phone}).content.decode().split('id="results"')[1]
    assert person.phone not in listing
    assert crypto.mask_phone(person.phone) in listing


def test_reveal_refused_without_the_right(login: Any, user: Any) -> None:
    person = _neighbour(user, "station")
    html = login("leader").post(f"/people/{person.pk}/").content.decode()
    assert person.phone not in html
    assert "查看完整号码" not in html


@pytest.mark.parametrize("viewer", ["station", "leader"])
def test_others_see_masked_numbers(login: Any, user: Any, viewer: str) -> None:
    person = _neighbour(user, "station")
    client = login(viewer)
    html = client.get(f"/people/{person.pk}/").content.decode()
    assert person.phone not in html
    assert person.id_number not in html
    assert crypto.mask_phone(person.phone) in html
    assert crypto.mask_id_number(person.id_number) in html
    assert "已部分隐藏" in html
    # The list finds the person by full phone number (blind index) but still shows it masked.
    page = client.get("/people/", {"q": person.phone}).content.decode()
    # What the user typed is echoed in the search box; the results must not add it.
    listing = page.split('id="results"')[1]
    assert person.name in listing
    assert person.phone not in listing
    assert crypto.mask_phone(person.phone) in listing


def test_a_person_sees_their_own_numbers(login: Any, user: Any) -> None:
    own = user("station").person
    html = login("station").get(f"/people/{own.pk}/").content.decode()
    assert own.phone in html
    assert own.id_number in html


def test_masked_values_never_leak_into_the_markup(login: Any, user: Any) -> None:
    client = login("leader")
    html = client.get("/people/").content.decode()
    own = user("leader").person
    # The leader's own number may show in full (it is theirs); nobody else's may.
    leaked = [
        p.name
        for p in Person.objects.filter(region__code__startswith="4304")
        .exclude(phone="")
        .exclude(pk=own.pk)[:200]
        if p.phone in html
    ]
    assert leaked == []
