"""The public page of published replies: only suggestions whose reply the office released,
only the published replies, and nothing private (phone numbers, unpublished rounds)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from renda.cases import services as case_services
from renda.cases.models import Case
from renda.core.models import Organization, User
from renda.deputies.models import Mandate
from renda.suggestions import selectors as suggestion_selectors
from renda.suggestions import services
from renda.suggestions.models import Suggestion, SuggestionKind

pytestmark = pytest.mark.django_db

CITY = "430400000000"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _tasks(settings: Any) -> None:
    settings.TASKS = IMMEDIATE


def u(name: str) -> User:
    return User.objects.get(username=name)


def answered(title: str, content: str = "建议在人民路增设公交站台。") -> tuple[Suggestion, Case]:
    """A city suggestion of the demo deputy, assigned to the demo unit and replied to."""
    mandate = Mandate.objects.get(person__user__username="deputy", region_id=CITY)
    category = suggestion_selectors.categories(mandate.term.congress).first()
    assert category is not None
    item = services.save(
        actor=u("deputy"),
        mandate=mandate,
        submission_key=uuid.uuid4().hex,
        submit=True,
        data=services.SuggestionInput(
            kind=SuggestionKind.SUGGESTION,
            title=title,
            content=content,
            category_id=category.pk,
            session=0,
        ),
    )
    services.review(actor=u("office"), suggestion=item, decision="accept")
    unit = u("unit").grants.get().organization
    assert isinstance(unit, Organization)
    case = services.assign(actor=u("office"), suggestion=item, lead_unit=unit)
    case_services.sign(actor=u("unit"), case=case)
    case_services.reply(
        actor=u("unit_leader"),
        case=Case.objects.get(pk=case.pk),
        result_class="A",
        content=f"{title}的答复:已增设站台。",
        measures="",
        approved_by_name="签发人王五",
    )
    item.refresh_from_db()
    return item, Case.objects.get(pk=case.pk)


def test_only_published_replies_are_public() -> None:
    shown, shown_case = answered("关于增设公交站台的建议")
    hidden, _case = answered("关于整治噪音的建议")
    case_services.publish_reply(actor=u("office"), case=shown_case)
    client = Client()
    listing = client.get(reverse("portal:suggestions")).content.decode()
    assert shown.title in listing
    assert hidden.title not in listing
    assert client.get(reverse("portal:suggestion", args=[hidden.pk])).status_code == 404
    page = client.get(reverse("portal:suggestion", args=[shown.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    mandate = shown.mandate
    assert shown.title in html
    assert shown.number_label in html
    assert shown.content in html
    assert shown.category.name in html
    assert mandate.person.name in html
    assert shown.congress.name in html
    assert "关于增设公交站台的建议的答复:已增设站台。" in html
    assert "A 已解决或基本解决" in html
    assert "签发人王五" not in html
    phone = mandate.person.phone
    if phone:
        assert phone not in html
        assert phone not in listing


def test_a_later_unpublished_round_stays_hidden() -> None:
    item, case = answered("关于路灯维修的建议")
    case_services.publish_reply(actor=u("office"), case=case)
    case_services.rate(actor=u("deputy"), case=case, rating="unsatisfied", comment="还有路灯不亮")
    case_services.reply(
        actor=u("unit_leader"),
        case=Case.objects.get(pk=case.pk),
        result_class="B",
        content="第二轮答复内容",
        measures="下月完成",
        approved_by_name="张",
    )
    html = Client().get(reverse("portal:suggestion", args=[item.pk])).content.decode()
    assert "关于路灯维修的建议的答复" in html
    assert "第二轮答复内容" not in html
    assert "还有路灯不亮" not in html


def test_search_by_title() -> None:
    first, first_case = answered("关于学校周边交通安全的建议")
    second, second_case = answered("关于农贸市场改造的建议")
    for case in (first_case, second_case):
        case_services.publish_reply(actor=u("office"), case=case)
    html = Client().get(reverse("portal:suggestions"), {"q": "农贸"}).content.decode()
    assert second.title in html
    assert first.title not in html
    assert Client().get(reverse("portal:suggestion", args=[999999])).status_code == 404
