"""The public deputy pages: no login, serving mandates only, and nothing private in the HTML
(phone, ID number, birth date, a duty record's content, non-public records' titles)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from renda.core import crypto
from renda.core.models import Person
from renda.deputies import services as deputy_services
from renda.deputies.models import Constituency, DeputyGroup, Mandate, MandateStatus
from renda.duties.models import ActivityKind, DutyRecord, RecordSource, RecordStatus

pytestmark = pytest.mark.django_db

SECRET_PHONE = "13912345678"
SECRET_ID = "430421198001011234"


def _mandate(region: str = "430421000000") -> Mandate:
    found = (
        Mandate.objects.filter(region_id=region, status=MandateStatus.SERVING)
        .select_related("person")
        .order_by("id")
        .first()
    )
    assert found is not None
    return found


def record(
    mandate: Mandate,
    title: str,
    *,
    kind: str = ActivityKind.INSPECTION,
    status: str = RecordStatus.CONFIRMED,
    public: bool = True,
    content: str = "",
    day: datetime.date | None = None,
) -> DutyRecord:
    return DutyRecord.objects.create(
        mandate=mandate,
        region_id=mandate.region_id,
        kind=kind,
        title=title,
        content=content or f"{title}的详细内容",
        occurred_on=day or timezone.localdate(),
        source=RecordSource.SELF,
        status=status,
        is_public=public,
    )


def test_profile_is_public_and_shows_the_mandate(client: Client) -> None:
    mandate = _mandate()
    county = mandate.term.congress
    group = DeputyGroup.objects.create(
        congress=county, name="城关代表小组", region_id=mandate.region_id
    )
    area = Constituency.objects.create(
        congress=county, name="第三选区", region_id=mandate.region_id
    )
    Mandate.objects.filter(pk=mandate.pk).update(group=group, constituency=area)
    response = client.get(f"/portal/deputies/{mandate.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        mandate.person.name,
        county.name,
        "第十",
        "城关代表小组",
        "第三选区",
        "公开的建议",
        "暂无公开的建议",
    ):
        assert text in html, text
    assert f'class="avatar avatar-large avatar-tone-{mandate.person_id % 6}"' in html
    # No link to send an opinion until the opinions module exists.
    assert "给代表留言" not in html


def test_profile_lists_stations_with_address(client: Client) -> None:
    deputy_mandate = Mandate.objects.get(person__user__username="deputy", region_id="430421000000")
    station = deputy_mandate.stations.get()
    html = client.get(f"/portal/deputies/{deputy_mandate.pk}/").content.decode()
    assert station.name in html
    assert station.address
    assert station.address in html


def test_duty_summary_counts_confirmed_and_shows_public_titles_only(client: Client) -> None:
    mandate = _mandate()
    this_year = DutyRecord.objects.filter(
        mandate=mandate, status=RecordStatus.CONFIRMED, occurred_on__year=timezone.localdate().year
    )
    before = this_year.count()
    record(mandate, "视察城区污水处理厂", content="机密细节ABC")
    record(mandate, "走访困难群众", kind=ActivityKind.SURVEY, public=False, content="私人情况XYZ")
    record(mandate, "尚未确认的活动", status=RecordStatus.SUBMITTED)
    record(mandate, "退回的活动", status=RecordStatus.RETURNED)
    record(
        mandate,
        "去年的视察",
        day=timezone.localdate().replace(year=timezone.localdate().year - 1, day=1),
    )
    html = client.get(f"/portal/deputies/{mandate.pk}/").content.decode()
    assert this_year.count() == before + 2
    assert f"今年已确认履职活动 {before + 2} 次" in html
    assert "视察城区污水处理厂" in html
    assert "去年的视察" in html  # the latest public records need not be this year's
    for hidden in ("走访困难群众", "尚未确认的活动", "退回的活动", "机密细节ABC", "私人情况XYZ"):
        assert hidden not in html, hidden


def test_private_data_never_appears(client: Client) -> None:
    mandate = _mandate()
    person = Person.objects.get(pk=mandate.person_id)
    person.phone = SECRET_PHONE
    person.id_number = SECRET_ID
    person.birth_date = datetime.date(1980, 1, 1)
    person.save()
    pages = [
        client.get(f"/portal/deputies/{mandate.pk}/").content.decode(),
        client.get("/portal/deputies/", {"q": person.name}).content.decode(),
    ]
    assert person.name in pages[1]
    for html in pages:
        for secret in (
            SECRET_PHONE,
            crypto.mask_phone(SECRET_PHONE),
            SECRET_ID,
            crypto.mask_id_number(SECRET_ID),
            "1980-01-01",
            "1980年1月1日",
            "5678",
            "手机",
            "身份证",
            "出生",
            "积分",
            "申诉",
            "评价",
        ):
            assert secret not in html, secret


def test_ended_and_unknown_mandates_are_not_found(client: Client) -> None:
    mandate = _mandate()
    deputy_services.change_status(
        actor=None,
        mandate=mandate,
        to_status=MandateStatus.DECEASED,
        effective_on=datetime.date(2025, 6, 1),
        reason="去世",
    )
    assert client.get(f"/portal/deputies/{mandate.pk}/").status_code == 404
    assert client.get("/portal/deputies/999999999/").status_code == 404
    html = client.get("/portal/deputies/", {"q": mandate.person.name}).content.decode()
    assert f"/portal/deputies/{mandate.pk}/" not in html


def test_list_search_filter_and_pagination(client: Client) -> None:
    serving = Mandate.objects.filter(status=MandateStatus.SERVING)
    response = client.get("/portal/deputies/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"共 {serving.count()} 名在任代表" in html
    assert "第 1 /" in html  # more than one page
    mandate = _mandate()
    by_name = client.get("/portal/deputies/", {"q": mandate.person.name}).content.decode()
    assert f"/portal/deputies/{mandate.pk}/" in by_name
    initials = mandate.person.name_initials
    assert initials
    by_initials = client.get("/portal/deputies/", {"q": initials.upper()}).content.decode()
    assert f"/portal/deputies/{mandate.pk}/" in by_initials
    congress = mandate.term.congress
    filtered = client.get("/portal/deputies/", {"congress": congress.pk})
    expected = serving.filter(term__congress=congress).count()
    assert f"共 {expected} 名在任代表" in filtered.content.decode()
    # htmx asks for the results only.
    partial = client.get("/portal/deputies/", {"congress": congress.pk}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    # A congress that is not in the list is reported, not an error page.
    bad = client.get("/portal/deputies/", {"congress": "abc"})
    assert bad.status_code == 200
    assert "请从列表中选择人大" in bad.content.decode()


def test_pages_cost_a_fixed_number_of_queries(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    mandate = _mandate()
    with django_assert_max_num_queries(12):
        client.get(f"/portal/deputies/{mandate.pk}/")
    with django_assert_max_num_queries(12):
        client.get("/portal/deputies/")
