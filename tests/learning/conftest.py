"""Fixtures for study materials: uploads kept in a temporary media directory, and helpers to
publish materials as the demo offices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from renda.core.models import Congress, Region, User
from renda.deputies.models import Mandate, MandateStatus
from renda.learning import services
from renda.learning.models import Audience, Material
from tests.api.conftest import anon, bearer  # noqa: F401 - the API tests' fixtures
from tests.core import upload_samples

CITY = "430400000000"
COUNTY = "430421000000"
OTHER_COUNTY = "430405000000"
# Real files: uploads are decoded (images) and parsed (PDFs), not only recognised.
PDF = upload_samples.pdf()
PNG = upload_samples.png()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def congress(code: str) -> Congress:
    return Congress.objects.select_related("region").get(region_id=code)


def serving_people(code: str, *, subtree: bool = False) -> set[int]:
    qs = Mandate.objects.filter(status=MandateStatus.SERVING)
    if subtree:
        qs = qs.filter(Region.objects.get(code=code).subtree_q("region_id"))
    else:
        qs = qs.filter(region_id=code)
    return set(qs.values_list("person_id", flat=True))


@pytest.fixture
def publish(db: Any) -> Callable[..., Material]:
    """Publish a material through the service as ``by`` (a demo username)."""

    def make(
        by: str = "office",
        code: str = CITY,
        *,
        title: str = "学习贯彻代表法",
        body: str = "请各位代表认真学习。",
        audience: str = Audience.CONGRESS,
        **extra: Any,
    ) -> Material:
        return services.publish(
            actor=User.objects.get(username=by),
            congress=congress(code),
            title=title,
            body=body,
            audience=audience,
            **extra,
        )

    return make
