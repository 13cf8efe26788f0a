"""/api/v1/learning: the deputy's own materials (unread first) and marking one read."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from renda.learning.models import Material, Receipt
from tests.api.conftest import assert_problem
from tests.learning.conftest import CITY, COUNTY, OTHER_COUNTY, PDF

pytestmark = pytest.mark.django_db


def test_list_and_mark_read(publish: Callable[..., Material], bearer: Any) -> None:
    city = publish("office", CITY, title="市级资料", attachment=SimpleUploadedFile("a.pdf", PDF))
    county = publish("county_office", COUNTY, title="县级资料")
    publish("office", OTHER_COUNTY, title="别县资料")
    client = bearer("deputy")
    body = client.api_get("/learning").json()
    assert body["count"] == 2
    assert {item["title"] for item in body["items"]} == {"市级资料", "县级资料"}
    assert all(item["read_at"] is None for item in body["items"])

    detail = client.api_get(f"/learning/{city.pk}").json()
    assert detail["body"] == "请各位代表认真学习。"
    assert detail["attachment_url"] == f"/learning/{city.pk}/attachment/"
    assert detail["read_at"] is None  # reading the API detail does not count as opening

    first = client.api_post(f"/learning/{county.pk}/read").json()["read_at"]
    assert first is not None
    again = client.api_post(f"/learning/{county.pk}/read").json()["read_at"]
    assert again == first
    items = client.api_get("/learning").json()["items"]
    # Unread first.
    assert [i["title"] for i in items] == ["市级资料", "县级资料"]
    assert Receipt.objects.get(material=county, person__user__username="deputy").read_at is not None
    assert datetime.datetime.fromisoformat(first.replace("Z", "+00:00"))


def test_others_get_not_found(publish: Callable[..., Material], bearer: Any, anon: Any) -> None:
    other = publish("office", OTHER_COUNTY)
    assert_problem(bearer("deputy").api_get(f"/learning/{other.pk}"), 404)
    assert_problem(bearer("deputy").api_post(f"/learning/{other.pk}/read"), 404)
    # The office sees the material but it is not addressed to them: nothing to mark.
    assert_problem(bearer("office").api_post(f"/learning/{other.pk}/read"), 404)
    assert bearer("office").api_get("/learning").json()["count"] == 0
    assert_problem(anon.api_get("/learning"), 401)
    assert_problem(bearer("deputy").api_get("/learning/0"), 422)
