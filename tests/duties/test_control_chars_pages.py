"""Text that reaches the database without a form: a path segment (the check-in token), the
mandate search of the record entry page, an activity's cancel reason. A NUL there was a 500
on PostgreSQL; it is refused now (400 for a path, the kit's message otherwise)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client

from renda.core.models import User
from renda.duties.models import Activity, ActivityStatus

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str) -> Client:
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.parametrize("char", ["%00", "%1B", "%7F"])
def test_a_control_character_in_the_path_answers_400(client: Client, char: str) -> None:
    response = _login(client, "deputy").get(f"/duties/checkin/abc{char}def/")
    assert response.status_code == 400
    assert "提交的内容无法识别" in response.content.decode()


def test_a_control_character_in_an_api_path_is_a_documented_422(client: Client) -> None:
    response = _login(client, "county_office").get("/api/v1/regions/4304%0000000000")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_the_record_entry_search_ignores_control_characters(client: Client) -> None:
    response = _login(client, "station").get("/duties/report/", {"q": "张\x00"})
    assert response.status_code == 200


def test_a_cancel_reason_with_control_characters_is_refused(
    client: Client,
    make_activity: Callable[..., Activity],
) -> None:
    activity = make_activity(starts_in=datetime.timedelta(days=1))
    response = _login(client, "station").post(
        f"/duties/activities/{activity.pk}/cancel/", {"reason": "暴雨\x00预警"}
    )
    assert response.status_code in {200, 302}
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PLANNED
    response = client.post(f"/duties/activities/{activity.pk}/cancel/", {"reason": "暴雨预警"})
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CANCELLED
