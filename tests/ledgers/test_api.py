"""/api/v1/ledgers: the ledger's roll-up rows under the same jurisdiction as the page."""

from __future__ import annotations

from typing import Any

import pytest

from renda.ledgers import selectors
from tests.api.conftest import assert_problem
from tests.conftest import COUNTY, OTHER_COUNTY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("duty_data")]
CITY = "430400000000"


def test_city_office_rows_equal_the_page(bearer: Any, user: Any) -> None:
    response = bearer("office").api_get("/ledgers", {"by": "county"})
    assert response.status_code == 200, response.content
    body = response.json()
    ledger = selectors.ledger(user("office"), selectors.LedgerFilters.default(user("office")))
    assert body["region"] == CITY
    assert [row["key"] for row in body["rows"]] == [row.key for row in ledger.rows]
    assert body["total"]["activities"] == ledger.total.activities
    assert body["total"]["points"] == float(ledger.total.points)
    county = next(row for row in body["rows"] if row["key"] == COUNTY)
    assert county["drill"]["by"] == "township"


def test_county_office_gets_nothing_outside(bearer: Any) -> None:
    client = bearer("county_office")
    own = client.api_get("/ledgers").json()
    assert own["region"] == COUNTY
    assert all(row["key"].startswith("430421") for row in own["rows"])
    other = client.api_get("/ledgers", {"region": OTHER_COUNTY, "by": "township"}).json()
    assert other["rows"] == []
    assert other["total"]["activities"] == 0


def test_deputy_rows_are_paged(bearer: Any) -> None:
    body = bearer("office").api_get("/ledgers", {"by": "deputy", "region": COUNTY}).json()
    assert body["page"] == 1
    assert body["pages"] >= 1
    assert all(row["mandate_id"] for row in body["rows"])


def test_refused_and_bad_input(bearer: Any, anon: Any) -> None:
    assert_problem(bearer("deputy").api_get("/ledgers"), 403)
    assert_problem(anon.api_get("/ledgers"), 401)
    assert_problem(bearer("office").api_get("/ledgers", {"by": "nonsense"}), 422)
    assert_problem(
        bearer("office").api_get("/ledgers", {"date_from": "2026-05-01", "date_to": "2026-01-01"}),
        422,
    )
