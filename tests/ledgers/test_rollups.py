"""Roll-up figures equal what counting the records directly gives, inside the reader's
jurisdiction, at every level of the drill-down."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Q, Sum

from renda.core.models import Region, User
from renda.deputies.models import Mandate
from renda.duties.models import AttendanceStatus, DutyRecord, Invitation, RecordStatus
from renda.ledgers import selectors
from renda.ledgers.selectors import By, LedgerFilters
from renda.points.models import PointEntry
from tests.conftest import COUNTY, OTHER_COUNTY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("duty_data")]
CITY = "430400000000"


def _period() -> tuple[datetime.date, datetime.date]:
    return selectors.this_year()


def _filters(**kwargs: Any) -> LedgerFilters:
    start, end = _period()
    return LedgerFilters(date_from=start, date_to=end, **kwargs)


def direct(region_q: Q, invitation_q: Q | None = None) -> dict[str, Any]:
    """Counts straight from the tables for records (and invitations: the same condition on
    the invitation's mandate, unless given) whose congress region matches."""
    start, end = _period()
    records = DutyRecord.objects.filter(
        region_q, status=RecordStatus.CONFIRMED, occurred_on__gte=start, occurred_on__lte=end
    )
    kinds: dict[str, int] = {}
    for kind in records.values_list("kind", flat=True):
        kinds[kind] = kinds.get(kind, 0) + 1
    invitations = Invitation.objects.filter(
        invitation_q if invitation_q is not None else on_mandate(region_q),
        activity__starts_at__date__gte=start,
        activity__starts_at__date__lte=end,
    )
    points = PointEntry.objects.filter(
        region_q, rule_set__is_current=True, occurred_on__gte=start, occurred_on__lte=end
    ).aggregate(s=Sum("points"))["s"] or Decimal(0)
    return {
        "kinds": kinds,
        "attended": invitations.filter(status=AttendanceStatus.ATTENDED).count(),
        "leave": invitations.filter(status=AttendanceStatus.LEAVE).count(),
        "absent": invitations.filter(status=AttendanceStatus.ABSENT).count(),
        "points": points,
    }


def on_mandate(region_q: Q) -> Q:
    # The same condition on the invitation's mandate.
    return Q(*[(f"mandate__{key}", value) for key, value in region_q.children])


def subtree(code: str) -> Q:
    return Region.objects.get(code=code).subtree_q("region_id")


def assert_row(row: selectors.Row, expected: dict[str, Any]) -> None:
    assert row.kinds == expected["kinds"]
    assert (row.attended, row.leave, row.absent) == (
        expected["attended"],
        expected["leave"],
        expected["absent"],
    )
    assert row.points == expected["points"]


def test_city_office_sees_the_whole_city_by_county(user: Any) -> None:
    office = user("office")
    ledger = selectors.ledger(office, _filters(region=CITY, by=By.COUNTY))
    assert ledger.total.activities > 0
    assert ledger.total.attended > 0
    assert ledger.total.points > 0
    assert_row(ledger.total, direct(subtree(CITY)))
    by_key = {row.key: row for row in ledger.rows}
    assert set(by_key) == {CITY, COUNTY, OTHER_COUNTY}
    assert by_key[CITY].label == "衡阳市本级"
    assert_row(by_key[CITY], direct(Q(region_id=CITY)))
    for code in (COUNTY, OTHER_COUNTY):
        assert_row(by_key[code], direct(subtree(code)))
    # Serving deputies per row: the congress's own members.
    assert by_key[CITY].deputies == Mandate.objects.filter(region_id=CITY, status="serving").count()


def test_county_office_sees_its_county_and_townships_only(user: Any) -> None:
    county_office = user("county_office")
    ledger = selectors.ledger(county_office, LedgerFilters.default(county_office))
    assert ledger.filters.region == COUNTY
    assert ledger.filters.by == By.TOWNSHIP
    assert_row(ledger.total, direct(subtree(COUNTY)))
    codes = {row.key for row in ledger.rows}
    assert codes
    assert all(code.startswith("430421") for code in codes)
    assert COUNTY in codes  # the county congress's own deputies ("本级")
    # Asking for the city or the sibling county gives nothing beyond the county.
    city = selectors.ledger(county_office, _filters(region=CITY, by=By.COUNTY))
    assert [row.key for row in city.rows] == [COUNTY]
    other = selectors.ledger(county_office, _filters(region=OTHER_COUNTY, by=By.TOWNSHIP))
    assert other.rows == []
    assert other.total.activities == 0
    assert other.total.points == 0


def test_by_level_station_group_add_up(user: Any) -> None:
    office = user("office")
    total = selectors.ledger(office, _filters(region=CITY, by=By.COUNTY)).total
    levels = selectors.ledger(office, _filters(region=CITY, by=By.LEVEL))
    assert {row.key for row in levels.rows} == {"city", "county", "township"}
    assert sum(row.activities for row in levels.rows) == total.activities
    assert sum(row.points for row in levels.rows) == total.points
    township = next(row for row in levels.rows if row.key == "township")
    assert (
        township.kinds
        == direct(Q(region_id__in=Region.objects.filter(level="township").values("code")))["kinds"]
    )
    groups = selectors.ledger(office, _filters(region=CITY, by=By.GROUP))
    # The demo world has no deputy groups: one row for the deputies outside any group.
    assert [row.label for row in groups.rows] == ["未编入代表小组的代表"]
    assert groups.rows[0].activities == total.activities
    stations = selectors.ledger(office, _filters(region=CITY, by=By.STATION))
    assert stations.total.activities == total.activities
    station = User.objects.get(username="station").grants.get().organization
    assert station is not None
    row = next(r for r in stations.rows if r.key == str(station.pk))
    members = Mandate.objects.filter(stations=station).values("pk")
    expected = direct(Q(mandate_id__in=members), Q(mandate_id__in=members))
    assert row.kinds == expected["kinds"]
    assert row.attended == expected["attended"]


def test_drill_down_from_city_to_deputies(login: Any, user: Any) -> None:
    office = user("office")
    city = selectors.ledger(office, _filters(region=CITY, by=By.COUNTY))
    county_row = next(row for row in city.rows if row.key == COUNTY)
    assert county_row.drill is not None
    assert county_row.drill["region"] == COUNTY
    assert county_row.drill["by"] == By.TOWNSHIP
    county = selectors.ledger(office, _filters(region=COUNTY, by=By.TOWNSHIP))
    assert county.total.kinds == county_row.kinds
    assert county.total.points == county_row.points
    township_row = next(row for row in county.rows if row.key != COUNTY)
    assert township_row.drill is not None
    assert township_row.drill["by"] == By.DEPUTY
    deputies = selectors.ledger(office, _filters(region=township_row.key, by=By.DEPUTY))
    assert deputies.page is not None
    assert deputies.page.paginator.count <= selectors.DEPUTIES_PER_PAGE
    summed = selectors.Row(key="", label="")
    for row in deputies.rows:
        summed.add(row)
    assert summed.kinds == township_row.kinds
    assert summed.points == township_row.points
    assert (summed.attended, summed.absent) == (township_row.attended, township_row.absent)
    # The 本级 row drills to that congress's own deputies only.
    own_row = next(row for row in county.rows if row.key == COUNTY)
    assert own_row.drill is not None
    assert own_row.drill["own"] == "1"
    own = selectors.ledger(office, _filters(region=COUNTY, own=True, by=By.DEPUTY))
    assert own.page is not None
    assert {r.mandate_id for r in own.rows} <= set(
        Mandate.objects.filter(region_id=COUNTY).values_list("pk", flat=True)
    )
    # And the page links each deputy to the mandate page.
    client = login("office")
    response = client.get("/ledgers/", {**township_row.drill})
    assert response.status_code == 200
    some = deputies.rows[0]
    assert some.mandate_id is not None
    assert f"/deputies/{some.mandate_id}/" in response.content.decode()


def test_attendance_rate_leaves_out_leave() -> None:
    row = selectors.Row(key="", label="", attended=8, leave=5, absent=2)
    assert row.attendance_rate == pytest.approx(0.8)
    assert selectors.Row(key="", label="", leave=3).attendance_rate is None


def test_only_confirmed_records_count(user: Any) -> None:
    office = user("office")
    before = selectors.ledger(office, _filters(region=CITY)).total.activities
    submitted = DutyRecord.objects.filter(status=RecordStatus.SUBMITTED).count()
    assert submitted > 0
    DutyRecord.objects.filter(status=RecordStatus.SUBMITTED).update(status=RecordStatus.RETURNED)
    assert selectors.ledger(office, _filters(region=CITY)).total.activities == before


def test_period_limits_the_rows(user: Any) -> None:
    office = user("office")
    year = selectors.this_year()[0].year
    last = LedgerFilters(
        date_from=datetime.date(year - 1, 1, 1),
        date_to=datetime.date(year - 1, 12, 31),
        region=CITY,
    )
    # National and provincial deputies' records lie outside the city office's jurisdiction.
    expected = DutyRecord.objects.filter(
        subtree(CITY), status=RecordStatus.CONFIRMED, occurred_on__year=year - 1
    ).count()
    assert selectors.ledger(office, last).total.activities == expected
