"""The registry list (jurisdiction, filters, live filter, masking, query count), a mandate's
page with its status change, and the export."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
from django.db.models import Q
from openpyxl import load_workbook

from renda.core import crypto
from renda.core import services as core_services
from renda.core.models import AuditAction, AuditEvent, Organization, Person, Region
from renda.deputies import importing, services, spreadsheet
from renda.deputies.models import DeputyGroup, Mandate, MandateStatus
from tests.conftest import COUNTY, OTHER_COUNTY
from tests.deputies.conftest import id_number, workbook_bytes
from tests.web.conftest import inline_violations

pytestmark = pytest.mark.django_db

TOWNSHIP = "430421100000"  # 西渡镇, the station's township


def listed_ids(client: Any, **params: Any) -> set[int]:
    """Mandate ids on every page of the list for these filters."""
    ids: set[int] = set()
    page = 1
    while True:
        response = client.get("/deputies/", {**params, "page": page})
        assert response.status_code == 200
        body = response.content.decode()
        ids |= {int(x) for x in re.findall(r'href="/deputies/(\d+)/"', body)}
        if 'rel="next"' not in body:
            return ids
        page += 1


def in_region(code: str) -> set[int]:
    region = Region.objects.get(code=code)
    return set(
        Mandate.objects.filter(
            region.subtree_q("region_id"), status=MandateStatus.SERVING
        ).values_list("pk", flat=True)
    )


def resign(mandate: Mandate) -> None:
    services.change_status(
        actor=None,
        mandate=mandate,
        to_status=MandateStatus.RESIGNED,
        effective_on=datetime.date(2025, 1, 1),
        reason="辞职",
    )


# Jurisdiction -----------------------------------------------------------------------------------


def test_county_office_sees_its_county_and_townships_only(login: Any) -> None:
    ids = listed_ids(login("county_office"))
    assert ids == in_region(COUNTY)
    assert ids & in_region(TOWNSHIP)
    assert not ids & in_region(OTHER_COUNTY)


def test_city_office_sees_the_whole_city(login: Any) -> None:
    assert listed_ids(login("office")) == in_region("430400000000")


def test_station_sees_its_township(login: Any) -> None:
    assert listed_ids(login("station")) == in_region(TOWNSHIP)


def test_deputy_sees_only_own_mandates(login: Any, user: Any) -> None:
    own = set(Mandate.objects.filter(person__user=user("deputy")).values_list("pk", flat=True))
    assert len(own) == 2
    assert listed_ids(login("deputy")) == own


@pytest.mark.parametrize("username", ["unit", "citizen"])
def test_others_may_not_list(login: Any, username: str) -> None:
    assert login(username).get("/deputies/").status_code == 403


def test_anonymous_is_sent_to_login(client: Any) -> None:
    response = client.get("/deputies/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_navigation_item_for_those_who_list(login: Any) -> None:
    assert 'href="/deputies/"' in login("county_office").get("/workbench/").content.decode()
    assert 'href="/deputies/"' in login("station").get("/workbench/").content.decode()
    assert 'href="/deputies/"' not in login("unit").get("/workbench/").content.decode()
    assert 'href="/deputies/"' not in login("deputy").get("/workbench/").content.decode()


# Filters ------------------------------------------------------------------------------------------


def test_search_by_name_and_pinyin_initials(login: Any) -> None:
    client = login("county_office")
    mandate = Mandate.objects.filter(region_id=COUNTY).select_related("person").first()
    assert mandate is not None
    person = mandate.person
    by_name = listed_ids(client, q=person.name)
    assert mandate.pk in by_name
    assert all(person.name in m.person.name for m in Mandate.objects.filter(pk__in=by_name))
    by_initials = listed_ids(client, q=person.name_initials.upper())
    assert mandate.pk in by_initials
    assert all(
        m.person.name_initials.startswith(person.name_initials)
        for m in Mandate.objects.filter(pk__in=by_initials)
    )
    # A full phone number finds its owner (through the blind index).
    assert listed_ids(client, q=person.phone) == {
        m.pk for m in Mandate.objects.filter(person=person, region__code__startswith="430421")
    }


def test_filter_by_level_region_and_term(login: Any) -> None:
    client = login("county_office")
    township_ids = listed_ids(client, level="township")
    assert township_ids == set(
        Mandate.objects.filter(
            region__code__startswith="430421", region__level="township"
        ).values_list("pk", flat=True)
    )
    assert listed_ids(client, region=TOWNSHIP) == in_region(TOWNSHIP)
    term = Mandate.objects.filter(region_id=COUNTY).first().term  # type: ignore[union-attr]
    assert listed_ids(client, term=term.pk) == set(
        Mandate.objects.filter(term=term).values_list("pk", flat=True)
    )
    # A region outside the jurisdiction is not offered, and the message says so.
    response = client.get("/deputies/", {"region": OTHER_COUNTY})
    assert "请选择您管辖范围内的区划。" in response.content.decode()
    assert listed_ids(client, region=OTHER_COUNTY) == in_region(COUNTY)


def test_filter_by_group_station_category(login: Any) -> None:
    county_mandates = list(Mandate.objects.filter(region_id=COUNTY).order_by("id"))
    group = DeputyGroup.objects.create(
        congress=county_mandates[0].term.congress, name="第一代表小组", region_id=COUNTY
    )
    other = DeputyGroup.objects.create(
        congress=county_mandates[0].term.congress, name="第二代表小组", region_id=COUNTY
    )
    Mandate.objects.filter(pk__in=[m.pk for m in county_mandates[:3]]).update(group=group)
    Mandate.objects.filter(pk=county_mandates[3].pk).update(group=other)
    client = login("county_office")
    assert listed_ids(client, group_name="第一") == {m.pk for m in county_mandates[:3]}
    assert listed_ids(client, group_name="代表小组") == {m.pk for m in county_mandates[:4]}
    station = Organization.objects.get(name="西渡镇人大代表联络站")
    assert listed_ids(client, station=station.pk) == set(
        Mandate.objects.filter(stations=station).values_list("pk", flat=True)
    )
    assert listed_ids(client, category="farmer") == set(
        Mandate.objects.filter(region__code__startswith="430421", category="farmer").values_list(
            "pk", flat=True
        )
    )


def test_status_defaults_to_serving(login: Any) -> None:
    mandate = Mandate.objects.filter(region_id=COUNTY).order_by("id").first()
    assert mandate is not None
    resign(mandate)
    client = login("county_office")
    assert mandate.pk not in listed_ids(client)
    assert mandate.pk not in listed_ids(client, q="")
    assert listed_ids(client, status="resigned") == {mandate.pk}
    assert mandate.pk in listed_ids(client, status="all")


def test_live_filter_returns_only_the_results(login: Any) -> None:
    response = login("county_office").get("/deputies/", {"level": "county"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body
    assert response["Vary"]
    assert "HX-Request" in response["Vary"]


def test_phone_numbers_are_masked(login: Any) -> None:
    body = login("county_office").get("/deputies/").content.decode()
    phones = Person.objects.filter(mandates__region_id=COUNTY).values_list("id", flat=True)
    for person in Person.objects.filter(pk__in=phones)[:5]:
        assert person.phone not in body
    assert re.search(r"1\d\d\*\*\*\*\d{4}", body)


def test_list_page_queries_do_not_grow_with_rows(
    login: Any, django_assert_max_num_queries: Any
) -> None:
    client = login("office")
    client.get("/deputies/")  # warm the session and caches
    # Session and user, grants, filter choices, count, the page, its stations.
    with django_assert_max_num_queries(14):
        response = client.get("/deputies/", {"status": "all"})
    assert response.status_code == 200
    with django_assert_max_num_queries(6):
        client.get("/deputies/", {"status": "all"}, HTTP_HX_REQUEST="true")


def test_pages_have_no_inline_script_or_style(login: Any, upload: Any) -> None:
    client = login("county_office")
    mandate = Mandate.objects.filter(region_id=COUNTY).first()
    assert mandate is not None
    pages = ["/deputies/", f"/deputies/{mandate.pk}/", "/deputies/import/"]
    for url in pages:
        assert inline_violations(client.get(url).content.decode()) == [], url


# A mandate's page ------------------------------------------------------------------------------------


def test_detail_shows_person_other_mandates_and_history(login: Any, user: Any) -> None:
    deputy = user("deputy")
    county = Mandate.objects.get(person__user=deputy, region_id=COUNTY)
    city = Mandate.objects.get(person__user=deputy, region_id="430400000000")
    office = login("office").get(f"/deputies/{county.pk}/").content.decode()
    assert deputy.person.name in office
    assert f'href="/deputies/{city.pk}/"' in office  # the other mandate, inside the city
    assert crypto.mask_phone(deputy.person.phone) in office
    assert deputy.person.phone not in office
    # The county office does not see the city mandate of the same person.
    county_page = login("county_office").get(f"/deputies/{county.pk}/").content.decode()
    assert f'href="/deputies/{city.pk}/"' not in county_page
    # The deputy sees their own page with their own full number.
    own = login("deputy").get(f"/deputies/{county.pk}/").content.decode()
    assert deputy.person.phone in own
    assert "登记资格变动" not in own


def test_detail_outside_jurisdiction_is_not_found(login: Any) -> None:
    other = Mandate.objects.filter(region__code__startswith="430405").first()
    assert other is not None
    assert login("county_office").get(f"/deputies/{other.pk}/").status_code == 404
    assert login("deputy").get(f"/deputies/{other.pk}/").status_code == 404


def test_status_change_and_illegal_transition(login: Any) -> None:
    mandate = (
        Mandate.objects.filter(region_id=COUNTY)
        .exclude(person__user__username="deputy")
        .order_by("id")
        .first()
    )
    assert mandate is not None
    client = login("county_office")
    url = f"/deputies/{mandate.pk}/"
    assert "登记资格变动" in client.get(url).content.decode()
    # Missing reason: Chinese message, what was typed stays.
    response = client.post(
        url, {"to_status": "resigned", "effective_on": "2025-03-01", "reason": ""}
    )
    body = response.content.decode()
    assert "请填写变动原因。" in body
    assert 'value="2025-03-01"' in body
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.SERVING

    response = client.post(
        url, {"to_status": "resigned", "effective_on": "2025-03-01", "reason": "因工作调动辞职"}
    )
    assert response.status_code == 302
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.RESIGNED
    page = client.get(url).content.decode()
    assert "因工作调动辞职" in page
    assert "在任 → 辞职" in page

    # A second, stale form: the workflow refuses and says why, in Chinese.
    response = client.post(
        url, {"to_status": "deceased", "effective_on": "2025-04-01", "reason": "x"}
    )
    assert response.status_code == 200
    assert "当前状态为“辞职”,不能执行“去世”。" in response.content.decode()
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.RESIGNED


def test_status_change_needs_change_permission(login: Any) -> None:
    mandate = Mandate.objects.filter(region_id=COUNTY).first()
    assert mandate is not None
    leader = login("leader")
    assert "登记资格变动" not in leader.get(f"/deputies/{mandate.pk}/").content.decode()
    response = leader.post(
        f"/deputies/{mandate.pk}/",
        {"to_status": "resigned", "effective_on": "2025-03-01", "reason": "越权"},
    )
    assert response.status_code == 403


# Export ------------------------------------------------------------------------------------------------


def exported(client: Any, **filters: Any) -> list[dict[str, Any]]:
    response = client.post("/deputies/export/", filters)
    assert response.status_code == 200, response.content[:500]
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook[spreadsheet.SHEET_TITLE].iter_rows(values_only=True))
    assert list(rows[0]) == spreadsheet.headers()
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_export_follows_filters_and_is_audited(login: Any) -> None:
    client = login("county_office")
    rows = exported(client, region=TOWNSHIP)
    assert len(rows) == len(in_region(TOWNSHIP))
    assert {r["人大"] for r in rows} == {"西渡镇人民代表大会"}
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("id")
    assert event.object_type == "deputies.mandate"
    assert event.after["rows"] == len(rows)
    assert event.after["filters"]["region"] == TOWNSHIP


def test_export_masks_numbers_the_user_may_not_see(login: Any) -> None:
    # A person the city registered, who sits in the county congress: the county office
    # exports the mandate but may not see that person's numbers.
    city = Region.objects.get(code="430400000000")
    person = core_services.create_person(
        actor=None,
        region=city,
        name="市管人员",
        id_number=id_number(99),
        phone="13912345678",
    )
    term = Mandate.objects.filter(region_id=COUNTY).first().term  # type: ignore[union-attr]
    services.create_mandate(actor=None, person=person, term=term, elected_on=term.start_date)
    rows = {r["姓名"]: r for r in exported(login("county_office"), q="市管人员")}
    assert rows["市管人员"]["手机号码"] == crypto.mask_phone("13912345678")
    assert rows["市管人员"]["身份证号码"] == crypto.mask_id_number(person.id_number)
    # The city office may see them in full.
    rows = {r["姓名"]: r for r in exported(login("office"), q="市管人员")}
    assert rows["市管人员"]["身份证号码"] == person.id_number


def test_export_needs_permission(login: Any) -> None:
    assert login("leader").post("/deputies/export/").status_code == 403
    assert login("station").post("/deputies/export/").status_code == 403
    assert login("county_office").get("/deputies/export/").status_code == 405


def test_export_round_trips_through_import_validation(
    login: Any, user: Any, upload: Any, confirm: Any
) -> None:
    client = login("county_office")
    rows = exported(client, region=TOWNSHIP)
    content = workbook_bytes(rows)
    # As exported, every row is a deputy already registered: only that is reported.
    plan = importing.check(io.BytesIO(content), user=user("county_office"))
    assert plan.total == len(rows)
    assert {p.column for p in plan.problems} == {"身份证号码"}
    assert all("不能重复登记" in p.message for p in plan.problems)
    assert len(plan.bad_rows) == len(rows)
    # With those mandates gone, the same file imports cleanly and brings them back.
    originals = {
        (m.person_id, m.term_id, m.category, tuple(m.stations.values_list("pk", flat=True)))
        for m in Mandate.objects.filter(region_id=TOWNSHIP)
    }
    Mandate.objects.filter(Q(region_id=TOWNSHIP)).delete()
    item = upload(client, content)
    assert item.status == "valid", item.errors
    assert item.summary["persons_new"] == 0
    assert confirm(client, item).status == "done"
    restored = {
        (m.person_id, m.term_id, m.category, tuple(m.stations.values_list("pk", flat=True)))
        for m in Mandate.objects.filter(region_id=TOWNSHIP)
    }
    assert restored == originals
