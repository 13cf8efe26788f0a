"""The points in the JSON API (/api/v1/points): one deputy's year at a time, with the same
selectors and policies as the pages. There is no endpoint listing deputies by score.

No ``from __future__ import annotations`` here: django-ninja reads annotations at import time."""

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import P, PathEx, Router, Schema
from pydantic import Field

from renda.api.kit import MAX_ID, caller
from renda.api.problems import responses
from renda.points import selectors


class EntryOut(Schema):
    id: int
    code: str = Field(description="积分项目代码")
    label: str = Field(description="积分项目名称")
    occurred_on: datetime.date
    base_points: Decimal = Field(description="规则分值")
    points: Decimal = Field(description="计入分值(已按年度上限折算)")
    note: str
    record_id: int | None = Field(description="来源履职记录编号")
    invitation_id: int | None = Field(description="来源活动邀请编号(缺席扣分)")
    dispute_id: int | None = Field(description="来源申诉编号(申诉调整)")
    source_title: str
    source_url: str = Field(description="来源记录的页面地址")


class YearOut(Schema):
    mandate_id: int
    name: str
    congress: str
    year: int
    rule_set_version: int | None = Field(description="计算所依据的积分规则版本")
    recomputing: bool = Field(description="规则已修订、正在按新规则重新计算")
    total: Decimal = Field(description="年度积分")
    tenure_days: int = Field(description="本年度在任天数")
    days_in_year: int
    entries: list[EntryOut]


def _year_out(user: Any, mandate_id: int, year: int) -> dict[str, Any]:
    result = selectors.breakdown(user, mandate_id, year)
    return {
        "mandate_id": result.mandate.pk,
        "name": result.mandate.person.name,
        "congress": result.mandate.term.congress.name,
        "year": year,
        "rule_set_version": result.rule_set.version if result.rule_set else None,
        "recomputing": result.recomputing,
        "total": result.total,
        "tenure_days": result.tenure_days,
        "days_in_year": result.days_in_year,
        "entries": [
            {
                "id": row.entry.pk,
                "code": row.entry.code,
                "label": str(row.entry.get_code_display()),
                "occurred_on": row.entry.occurred_on,
                "base_points": row.entry.base_points,
                "points": row.entry.points,
                "note": row.note,
                "record_id": row.entry.record_id,
                "invitation_id": row.entry.invitation_id,
                "dispute_id": row.entry.dispute_id,
                "source_title": row.title,
                "source_url": row.url,
            }
            for row in result.rows
        ],
    }


def build_router(pagination: Any) -> Router:
    router = Router(tags=["积分"])

    @router.get(
        "/mandates/{mandate_id}/{year}",
        response={200: YearOut, **responses(401, 403, 404, 422, 500)},
        summary="一名代表一个年度的积分与明细",
        description="只能查询您管辖范围内的代表(代表本人只能查询自己的)。每条明细都注明来源记录;不提供按积分排名的列表。",
    )
    def mandate_year(
        request: HttpRequest,
        mandate_id: PathEx[int, P(ge=1, le=MAX_ID)],
        year: PathEx[int, P(ge=2000, le=2100)],
    ) -> Any:
        return _year_out(caller(request), mandate_id, year)

    return router
