"""The breakdown page (every entry links to its source, tenure shown, no ranking), the
deputy's own page, the workbench panels and the API."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from renda.core.models import User
from renda.duties.models import ActivityKind
from renda.points import services
from renda.points.models import PointEntry
from tests.api.conftest import assert_problem
from tests.conftest import OTHER_COUNTY
from tests.points.conftest import YEAR, absence, other_mandate, own_mandate, record

pytestmark = pytest.mark.django_db


def _scored_deputy() -> list[PointEntry]:
    mandate = own_mandate()
    for day in range(1, 13):
        record(mandate, ActivityKind.MEETING, datetime.date(YEAR, day, 5))
    absence(mandate)
    services.recompute_mandates(mandate_ids=[mandate.pk], year=YEAR)
    return list(PointEntry.objects.filter(mandate=mandate).select_related("invitation"))


def test_every_entry_on_the_breakdown_links_to_its_source(login: Any) -> None:
    entries = _scored_deputy()
    mandate = own_mandate()
    text = login("deputy").get(f"/points/mandate/{mandate.pk}/{YEAR}/").content.decode()
    assert len(entries) == 13
    for entry in entries:
        if entry.record_id:
            url = reverse("duties:record", args=[entry.record_id])
        else:
            assert entry.invitation is not None
            url = reverse("duties:activity", args=[entry.invitation.activity_id])
        assert f'href="{url}"' in text
        assert f"/points/entries/{entry.pk}/dispute/" in text
    assert "已达年度上限" in text
    assert "年度积分" in text
    assert ">18.0<" in text  # 20 from meetings (capped), -2 for the absence
    assert ">365<" in text  # days served in the year


def test_offices_see_the_breakdown_without_dispute_buttons_and_nobody_sees_a_ranking(
    login: Any,
) -> None:
    entries = _scored_deputy()
    mandate = own_mandate()
    url = f"/points/mandate/{mandate.pk}/{YEAR}/"
    for username in ("county_office", "office", "leader"):
        response = login(username).get(url)
        assert response.status_code == 200, username
        assert f"/points/entries/{entries[0].pk}/dispute/" not in response.content.decode()
    # The station administrator sees the township congress's deputies, like the registry.
    for username in ("township_office", "station", "unit", "citizen"):
        assert login(username).get(url).status_code == 404, username
    other = other_mandate()
    assert login("deputy").get(f"/points/mandate/{other.pk}/{YEAR}/").status_code == 404


def test_short_tenure_is_explained(login: Any) -> None:
    mandate = own_mandate()
    assert (
        "本年度仅在任"
        in login("deputy").get(f"/points/mandate/{mandate.pk}/2021/").content.decode()
    )


def test_the_deputys_own_page_and_panel(login: Any) -> None:
    _scored_deputy()
    client = login("deputy")
    mine = client.get("/points/").content.decode()
    assert "衡阳县人民代表大会" in mine
    assert "年度履职评价" in mine
    workbench = client.get(reverse("web:workbench")).content.decode()
    assert "我的履职积分" in workbench
    assert "待处理申诉" not in workbench


def test_the_office_panel_counts_open_disputes(login: Any) -> None:
    entries = _scored_deputy()
    services.file_dispute(
        actor=User.objects.get(username="deputy"), entry=entries[0], reason="有误"
    )
    page = login("county_office").get(reverse("web:workbench")).content.decode()
    assert "待处理申诉" in page
    assert '<a href="/points/disputes/">1</a>' in page
    other = login("township_office").get(reverse("web:workbench")).content.decode()
    assert '<a href="/points/disputes/">0</a>' in other
    assert login("deputy").get("/points/disputes/").status_code == 403


def test_api_year_with_entries(bearer: Any) -> None:
    entries = _scored_deputy()
    mandate = own_mandate()
    response = bearer("deputy").api_get(f"/points/mandates/{mandate.pk}/{YEAR}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == "18.0" or float(body["total"]) == 18
    assert body["tenure_days"] == 365
    assert len(body["entries"]) == len(entries) == 13
    assert all(e["source_url"] for e in body["entries"])
    assert {e["code"] for e in body["entries"]} == {"meeting", "absence"}
    assert (
        bearer("county_office").api_get(f"/points/mandates/{mandate.pk}/{YEAR}").status_code == 200
    )
    assert_problem(bearer("township_office").api_get(f"/points/mandates/{mandate.pk}/{YEAR}"), 404)
    assert_problem(bearer("unit").api_get(f"/points/mandates/{mandate.pk}/{YEAR}"), 404)
    other = other_mandate(OTHER_COUNTY)
    assert_problem(bearer("deputy").api_get(f"/points/mandates/{other.pk}/{YEAR}"), 404)
    assert_problem(bearer("deputy").api_get(f"/points/mandates/{mandate.pk}/1900"), 422)
