"""The public deputy pages in Chromium at phone size, without signing in."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from renda.deputies.models import Mandate
from renda.duties.models import ActivityKind, DutyRecord, RecordSource, RecordStatus
from tests.browser.conftest import shot


def test_public_list_and_profile(page: Any) -> None:
    mandate = Mandate.objects.get(person__user__username="deputy", region_id="430421000000")
    today = timezone.localdate()
    for kind, title in (
        (ActivityKind.INSPECTION, "视察县城污水处理厂"),
        (ActivityKind.RECEPTION, "联络站接待选民"),
        (ActivityKind.SURVEY, "农村道路建设调研"),
    ):
        DutyRecord.objects.create(
            mandate=mandate,
            region_id=mandate.region_id,
            kind=kind,
            title=title,
            content="内部记录",
            occurred_on=today,
            source=RecordSource.SELF,
            status=RecordStatus.CONFIRMED,
        )
    page.goto("/portal/deputies/")
    assert "在任代表" in page.inner_text("main")
    shot(page, "portal-deputies-phone")
    page.fill("input[name=q]", mandate.person.name)
    page.wait_for_selector(f"a[href='/portal/deputies/{mandate.pk}/']")
    page.click(f"a[href='/portal/deputies/{mandate.pk}/']")
    page.wait_for_url(f"**/portal/deputies/{mandate.pk}/")
    text = page.inner_text("main")
    assert "视察县城污水处理厂" in text
    assert "内部记录" not in text
    shot(page, "portal-deputy-phone")
