"""Fixtures for duty performance: the demo deputy's mandates, the station, activities made
through the services, photos as real image bytes; background tasks run inline."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from renda.core.models import Organization, User
from renda.deputies.models import Mandate
from renda.duties import services
from renda.duties.models import Activity, ActivityKind

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
COUNTY = "430421000000"


@pytest.fixture(autouse=True)
def _media_and_tasks(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE


@pytest.fixture
def county_mandate(db: Any) -> Mandate:
    """The demo deputy's county mandate, linked to the station's liaison station."""
    return Mandate.objects.get(person__user__username="deputy", region_id=COUNTY)


@pytest.fixture
def city_mandate(db: Any) -> Mandate:
    return Mandate.objects.get(person__user__username="deputy", region_id="430400000000")


@pytest.fixture
def station_org(db: Any) -> Organization:
    return User.objects.get(username="station").grants.get().organization


def photo_upload(name: str = "现场.jpg", fmt: str = "JPEG", size: int = 32) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (200, 30, 30)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def record_input(**overrides: Any) -> services.RecordInput:
    values: dict[str, Any] = {
        "kind": ActivityKind.RECEPTION,
        "title": "",
        "content": "在联络站接待选民 6 人,收集村道硬化意见 2 条。",
        "occurred_on": timezone.localdate() - datetime.timedelta(days=1),
    }
    values.update(overrides)
    return services.RecordInput(**values)


@pytest.fixture
def make_activity(
    db: Any,
    station_org: Organization,
    county_mandate: Mandate,
    django_capture_on_commit_callbacks: Any,
) -> Callable[..., Activity]:
    """An activity organized by the demo station, inviting the demo deputy (and ``extra``)."""

    def make(
        *,
        starts_in: datetime.timedelta = datetime.timedelta(hours=-1),
        hours: int = 3,
        extra: tuple[Mandate, ...] = (),
        by: str = "station",
    ) -> Activity:
        start = timezone.now() + starts_in
        with django_capture_on_commit_callbacks(execute=True):
            return services.create_activity(
                actor=User.objects.get(username=by),
                organizer=station_org,
                data=services.ActivityInput(
                    kind=ActivityKind.RECEPTION,
                    title="代表进站接待选民日",
                    description="",
                    location="镇代表联络站",
                    starts_at=start,
                    ends_at=start + datetime.timedelta(hours=hours),
                ),
                invitees=[county_mandate, *extra],
            )

    return make
