"""The duty ledgers in the JSON API (/api/v1/ledgers): the same roll-up rows as the ledger
page, under the same jurisdiction.

No ``from __future__ import annotations``: django-ninja reads annotations at import time."""

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.pagination import PaginationBase
from pydantic import Field

from renda.api.kit import MAX_ID, caller
from renda.api.problems import responses
from renda.api.schemas import RegionCode
from renda.core.errors import InvalidInput, NotPermitted
from renda.core.models import RegionLevel
from renda.ledgers import selectors
from renda.ledgers.selectors import LedgerFilters, Row

ByParam = Literal["level", "county", "township", "station", "group", "deputy"]


class RowOut(Schema):
    key: str = Field(description="区划代码前缀、联络站或代表小组编号、层级或代表资格编号")
    label: str
    note: str
    deputies: int = Field(description="在任代表数(按代表统计时为 1)")
    activities: int = Field(description="已确认的履职活动人次")
    kinds: dict[str, int] = Field(description="按活动类型的人次")
    suggestions: int
    attended: int
    leave: int = Field(description="请假(不计入出席率)")
    absent: int
    attendance_rate: float | None = Field(description="出席 / (出席 + 缺席)")
    points: float = Field(description="现行积分规则下的积分")
    mandate_id: int | None = None
    drill: dict[str, str] | None = Field(default=None, description="下钻一级的查询参数")

    @staticmethod
    def from_row(row: Row) -> "RowOut":
        return RowOut(
            key=row.key,
            label=row.label,
            note=row.note,
            deputies=row.deputies,
            activities=row.activities,
            kinds=row.kinds,
            suggestions=row.suggestions,
            attended=row.attended,
            leave=row.leave,
            absent=row.absent,
            attendance_rate=row.attendance_rate,
            points=float(row.points),
            mandate_id=row.mandate_id,
            drill=row.drill,
        )


class LedgerOut(Schema):
    by: str
    date_from: datetime.date
    date_to: datetime.date
    region: str | None
    rows: list[RowOut]
    total: RowOut
    page: int | None = Field(default=None, description="按代表统计时的页码")
    pages: int | None = None


class LedgerParams(Schema):
    by: ByParam | None = Field(default=None, description="统计口径,默认按管辖区划的下一级")
    date_from: datetime.date | None = Field(default=None, description="默认本年 1 月 1 日")
    date_to: datetime.date | None = Field(
        default=None,
        description="默认本年 12 月 31 日；不能早于 date_from（未填 date_from 时为本年 1 月 1 日），"
        "否则返回 422",
    )
    region: RegionCode | None = Field(default=None, description="统计的区划(含下级)")
    own: bool = Field(default=False, description="只统计该区划本级人大的代表")
    level: RegionLevel | None = Field(default=None, description="人大层级")
    station: int | None = Field(default=None, ge=1, le=MAX_ID, description="联络站编号")
    group: int | None = Field(default=None, ge=1, le=MAX_ID, description="代表小组编号")
    page: int = Field(default=1, ge=1, le=100_000, description="按代表统计时的页码")


def build_router(pagination: type[PaginationBase]) -> Router:
    router = Router(tags=["履职统计台账"])

    @router.get(
        "",
        response={200: LedgerOut, **responses(401, 403, 422, 500)},
        summary="履职统计台账",
        description="按层级、县、乡镇、联络站、代表小组或代表汇总的已确认履职活动、出席和积分;只含您管辖范围内的数据。",
    )
    def ledger(request: HttpRequest, params: Query[LedgerParams]) -> Any:
        user = caller(request)
        if not selectors.can_view(user):
            raise NotPermitted()
        default = LedgerFilters.default(user)
        start = params.date_from or default.date_from
        end = params.date_to or default.date_to
        if start > end:
            raise InvalidInput(field_errors={"date_to": [_("结束日期不能早于开始日期。")]})
        region = params.region or default.region
        filters = LedgerFilters(
            date_from=start,
            date_to=end,
            by=params.by or selectors.default_by(region),
            region=region,
            own=params.own,
            level=params.level,
            station=params.station,
            group=params.group,
        )
        result = selectors.ledger(user, filters, params.page)
        return LedgerOut(
            by=filters.by,
            date_from=start,
            date_to=end,
            region=region,
            rows=[RowOut.from_row(r) for r in result.rows],
            total=RowOut.from_row(result.total),
            page=result.page.number if result.page else None,
            pages=result.page.paginator.num_pages if result.page else None,
        )

    return router
