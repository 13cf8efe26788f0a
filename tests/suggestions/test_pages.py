"""The suggestion pages: write (draft, submit, double click, errors keep input, attachments),
similar panel, detail with co-signer invitations, confirm, join, review, presidium, assign."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from renda.core.models import Congress, User
from renda.deputies.models import Mandate
from renda.suggestions import selectors, services
from renda.suggestions.models import (
    CoSigner,
    CoSignerStatus,
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
)
from tests.suggestions.conftest import COUNTY, client_for, image_upload, peers

pytestmark = pytest.mark.django_db


def _post(mandate: Mandate, **overrides: Any) -> dict[str, Any]:
    category = selectors.categories(Congress.objects.get(pk=mandate.term.congress_id)).first()
    assert category is not None
    return {
        "mandate": str(mandate.pk),
        "kind": "suggestion",
        "session": "0",
        "title": "关于增设农村公路护栏的建议",
        "content": "临水路段缺少护栏,建议增设。",
        "category": str(category.pk),
        "submission_key": "page-1",
        "action": "submit",
        **overrides,
    }


def test_deputy_writes_and_submits_twice_clicked(
    login: Callable[[str], Client], county_mandate: Mandate
) -> None:
    client = login("deputy")
    page = client.get(reverse("suggestions:new"))
    assert page.status_code == 200
    assert "写建议" in page.content.decode()
    first = client.post(reverse("suggestions:new"), _post(county_mandate))
    second = client.post(reverse("suggestions:new"), _post(county_mandate))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    item = Suggestion.objects.get(mandate=county_mandate)
    assert item.status == SuggestionStatus.SUBMITTED
    detail = client.get(first["Location"]).content.decode()
    assert "建议第 1 号" in detail
    assert "已提交待审查" in detail
    listing = client.get(reverse("suggestions:list")).content.decode()
    assert item.title in listing


def test_errors_keep_the_input(login: Callable[[str], Client], county_mandate: Mandate) -> None:
    client = login("deputy")
    bad = _post(county_mandate, content="", title="关于保留输入的建议")
    bad["attachments"] = [
        image_upload(),
        SimpleUploadedFile("a.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
    ]
    response = client.post(reverse("suggestions:new"), bad)
    assert response.status_code == 200
    body = response.content.decode()
    assert "关于保留输入的建议" in body
    assert "不是 JPG、PNG、WebP 格式的照片或 PDF 文件" in body
    assert not Suggestion.objects.filter(mandate=county_mandate).exists()
    response = client.post(
        reverse("suggestions:new"), _post(county_mandate, content="", title="关于保留输入的建议")
    )
    body = response.content.decode()
    assert "请填写内容" in body
    assert "关于保留输入的建议" in body


def test_draft_invite_confirm_and_join(
    login: Callable[[str], Client], county_mandate: Mandate
) -> None:
    client = login("deputy")
    response = client.post(reverse("suggestions:new"), _post(county_mandate, action="draft"))
    item = Suggestion.objects.get(mandate=county_mandate)
    assert item.status == SuggestionStatus.DRAFT
    invitee = peers(COUNTY, exclude=county_mandate)[0]
    detail = client.get(response["Location"], {"q": invitee.person.name})
    assert invitee.person.name in detail.content.decode()
    client.post(reverse("suggestions:invite", args=[item.pk]), {"mandates": [str(invitee.pk)]})
    row = CoSigner.objects.get(suggestion=item, mandate=invitee)
    assert row.status == CoSignerStatus.INVITED
    other = client_for(invitee.person.user)
    page = other.get(reverse("suggestions:cosign", args=[item.pk]))
    assert item.title in page.content.decode()
    other.post(reverse("suggestions:cosign", args=[item.pk]), {"answer": "confirm"})
    row.refresh_from_db()
    assert row.status == CoSignerStatus.CONFIRMED
    # A bystander gets no confirm page.
    bystander = client_for(peers(COUNTY, exclude=county_mandate)[1].person.user)
    assert bystander.get(reverse("suggestions:cosign", args=[item.pk])).status_code == 404
    # Submit from the detail page; then another deputy joins it (附议).
    client.post(reverse("suggestions:detail", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == SuggestionStatus.SUBMITTED
    joiner = peers(COUNTY, exclude=county_mandate)[2]
    j = client_for(joiner.person.user)
    assert "确认附议" in j.get(reverse("suggestions:join", args=[item.pk])).content.decode()
    j.post(reverse("suggestions:join", args=[item.pk]))
    assert login("unit").get(reverse("suggestions:join", args=[item.pk])).status_code == 404
    assert CoSigner.objects.get(suggestion=item, mandate=joiner).status == CoSignerStatus.CONFIRMED


def test_similar_panel_shows_a_join_link(
    login: Callable[[str], Client], county_mandate: Mandate, write: Callable[..., Suggestion]
) -> None:
    other = peers(COUNTY, exclude=county_mandate)[0]
    earlier = write(
        other, title="关于增设农村公路护栏的建议", content="临水路段缺少护栏,建议增设护栏。"
    )
    client = login("deputy")
    response = client.post(
        reverse("suggestions:similar"),
        {
            "mandate": str(county_mandate.pk),
            "title": "农村公路护栏",
            "content": "临水路段缺少护栏",
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert earlier.title in body
    assert reverse("suggestions:join", args=[earlier.pk]) in body
    nothing = client.post(
        reverse("suggestions:similar"),
        {"mandate": str(county_mandate.pk), "title": "乡村教师待遇", "content": "提高补贴"},
    )
    assert earlier.title not in nothing.content.decode()


def test_station_enters_for_a_deputy(
    login: Callable[[str], Client], county_mandate: Mandate
) -> None:
    client = login("station")
    client.post(reverse("suggestions:new"), _post(county_mandate))
    item = Suggestion.objects.get(mandate=county_mandate)
    assert item.entered_by == User.objects.get(username="station")
    assert "代录" in client.get(reverse("suggestions:detail", args=[item.pk])).content.decode()


def test_office_reviews_merges_and_assigns(
    login: Callable[[str], Client], county_mandate: Mandate, write: Callable[..., Suggestion]
) -> None:
    item = write(county_mandate)
    duplicate = write(peers(COUNTY, exclude=county_mandate)[0])
    office = login("county_office")
    queue = office.get(reverse("suggestions:review_queue")).content.decode()
    assert item.title in queue
    returned = office.post(reverse("suggestions:review", args=[item.pk]), {"decision": "return"})
    assert "退回时请写明原因" in returned.content.decode()
    merged = office.post(
        reverse("suggestions:review", args=[duplicate.pk]), {"form": "merge", "into": str(item.pk)}
    )
    assert merged.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == SuggestionStatus.MERGED
    traffic = selectors.categories(item.congress).get(name="交通运输")
    office.post(
        reverse("suggestions:review", args=[item.pk]),
        {"decision": "accept", "category": str(traffic.pk)},
    )
    item.refresh_from_db()
    assert item.status == SuggestionStatus.ACCEPTED
    assert item.category_id == traffic.pk
    page = office.get(reverse("suggestions:assign", args=[item.pk])).content.decode()
    lead, co = list(selectors.units_for(item)[:2])
    assert lead.name in page
    done = office.post(
        reverse("suggestions:assign", args=[item.pk]),
        {"lead_unit": str(lead.pk), "co_units": [str(co.pk)]},
    )
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.status == SuggestionStatus.ASSIGNED
    again = office.post(reverse("suggestions:assign", args=[item.pk]), {"lead_unit": str(lead.pk)})
    assert "已经交办" in again.content.decode()
    # The deputy cannot review.
    assert login("deputy").get(reverse("suggestions:review", args=[item.pk])).status_code == 403


def test_presidium_page(login: Callable[[str], Client]) -> None:
    deputies = peers(COUNTY)
    lead, others = deputies[0], deputies[1:10]
    motion = services.save(
        actor=lead.person.user,
        mandate=lead,
        data=services.SuggestionInput(
            kind=SuggestionKind.MOTION,
            title="关于制定养护条例的议案",
            content="内容",
            category_id=selectors.categories(lead.term.congress).first().pk,
        ),
    )  # type: ignore[union-attr]
    services.invite_cosigners(actor=lead.person.user, suggestion=motion, mandates=others)
    for m in others:
        services.confirm(actor=m.person.user, suggestion=motion)
    services.submit(actor=lead.person.user, suggestion=motion)
    office = login("county_office")
    bad = office.post(
        reverse("suggestions:presidium", args=[motion.pk]),
        {"decision": "committee", "decided_on": "", "note": "交法制委"},
    )
    body = bad.content.decode()
    assert "交法制委" in body
    assert re.search("请(填写|输入)", body)
    ok = office.post(
        reverse("suggestions:presidium", args=[motion.pk]),
        {"decision": "committee", "decided_on": timezone.localdate().isoformat()},
    )
    assert ok.status_code == 302
    motion.refresh_from_db()
    assert motion.presidium_decision == "committee"
    assert motion.status == SuggestionStatus.ACCEPTED


def test_attachment_download_is_permission_checked(
    login: Callable[[str], Client], county_mandate: Mandate, deputy: User
) -> None:
    item = services.save(
        actor=deputy,
        mandate=county_mandate,
        attachments=[image_upload()],
        data=services.SuggestionInput(
            kind="suggestion", title="附件", content="x", category_id=None
        ),
    )
    file = item.attachments.get()
    assert login("deputy").get(reverse("suggestions:attachment", args=[file.pk])).status_code == 200
    assert login("unit").get(reverse("suggestions:attachment", args=[file.pk])).status_code == 404


def test_list_filters_with_htmx_and_timeline_names_each_step(
    login: Callable[[str], Client], county_mandate: Mandate, write: Callable[..., Suggestion]
) -> None:
    item = write(county_mandate)
    client = login("county_office")
    partial = client.get(reverse("suggestions:list"), {"q": "农村公路"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert item.title in body
    assert "<html" not in body
    empty = client.get(reverse("suggestions:list"), {"q": "不存在的标题"}, HTTP_HX_REQUEST="true")
    assert item.title not in empty.content.decode()
    detail = client.get(reverse("suggestions:detail", args=[item.pk])).content.decode()
    assert "起草" in detail
    assert "提交:草稿 → 已提交待审查" in detail


def test_workbench_panels(
    login: Callable[[str], Client], county_mandate: Mandate, write: Callable[..., Suggestion]
) -> None:
    item = write(county_mandate)
    office = login("county_office").get(reverse("web:workbench")).content.decode()
    assert "待审查的议案建议" in office
    assert item.title in office
    deputy = login("deputy").get(reverse("web:workbench")).content.decode()
    assert "我的议案建议" in deputy


def test_a_motion_short_of_cosigners_is_kept_as_a_draft(
    login: Callable[[str], Client], county_mandate: Mandate
) -> None:
    client = login("deputy")
    response = client.post(
        reverse("suggestions:new"), _post(county_mandate, kind="motion"), follow=True
    )
    item = Suggestion.objects.get(mandate=county_mandate)
    assert item.status == SuggestionStatus.DRAFT
    body = response.content.decode()
    assert "草稿已保存,尚未提交" in body
    assert "还差 9 名" in body
    assert "邀请代表附议" in body
