"""Fixtures for suggestions: the demo deputy's mandates, other deputies of the same congress
with accounts, uploads as real file bytes; background tasks run inline."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from renda.core.models import User
from renda.deputies.models import Mandate, MandateStatus
from renda.suggestions import selectors, services
from renda.suggestions.models import Suggestion, SuggestionKind
from tests.core import upload_samples

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CITY, COUNTY, OTHER_COUNTY = "430400000000", "430421000000", "430405000000"
TOWNSHIP = "430421100000"  # 西渡镇, a township congress of 衡阳县


@pytest.fixture(autouse=True)
def _media_and_tasks(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE


@pytest.fixture
def county_mandate(db: Any) -> Mandate:
    """The demo deputy's county mandate, linked to the station's liaison station."""
    return Mandate.objects.get(person__user__username="deputy", region_id=COUNTY)


@pytest.fixture
def deputy(db: Any) -> User:
    return User.objects.get(username="deputy")


def peers(region: str, exclude: Mandate | None = None) -> list[Mandate]:
    """Serving deputies of that congress who have accounts (so they can confirm)."""
    qs = Mandate.objects.filter(
        region_id=region, status=MandateStatus.SERVING, person__user__isnull=False
    ).select_related("person__user", "term")
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk).exclude(person_id=exclude.person_id)
    return list(qs.order_by("id"))


def data(congress_id: int, **overrides: Any) -> services.SuggestionInput:
    from renda.core.models import Congress

    category = selectors.categories(Congress.objects.get(pk=congress_id)).first()
    assert category is not None
    values: dict[str, Any] = {
        "kind": SuggestionKind.SUGGESTION,
        "title": "关于改善西渡镇农村公路安全设施的建议",
        "content": "西渡镇部分村道弯道多、缺少护栏和警示标志,雨天事故频发。建议交通部门增设护栏、"
        "减速带和警示标志,并定期巡查养护。",
        "category_id": category.pk,
        "session": 0,
    }
    values.update(overrides)
    return services.SuggestionInput(**values)


@pytest.fixture
def write(db: Any, django_capture_on_commit_callbacks: Any) -> Callable[..., Suggestion]:
    """Write (and by default submit) a suggestion through the services."""

    def make(
        mandate: Mandate, *, by: User | None = None, submit: bool = True, **overrides: Any
    ) -> Suggestion:
        actor = by or mandate.person.user
        with django_capture_on_commit_callbacks(execute=True):
            return services.save(
                actor=actor,
                mandate=mandate,
                data=data(mandate.term.congress_id, **overrides),
                submission_key=uuid.uuid4().hex,
                submit=submit,
            )

    return make


def image_upload(name: str = "现场.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def pdf_upload(name: str = "材料.pdf", size: int = 200) -> SimpleUploadedFile:
    """A real PDF (uploads are parsed), about ``size`` bytes long."""
    body = upload_samples.pdf(pad=max(0, size - len(upload_samples.pdf())))
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def client_for(user: User) -> Any:
    """A signed-in client for a generated deputy (past the first-login password change)."""
    from django.test import Client

    User.objects.filter(pk=user.pk).update(must_change_password=False)
    client = Client()
    client.force_login(user)
    return client
