"""Duty records and activities in the JSON API (/api/v1/duties): a station's app posts the
activities it enters for its deputies, a government system reads what the jurisdiction policy
lets it read, an office confirms or returns reports. Same services, policies and audit as the
pages; the record's text is returned, its photos are not.

No ``from __future__ import annotations`` here: django-ninja reads the handlers' annotations
at import time."""

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import P, PathEx, Query, Router, Schema, Status
from ninja.pagination import PaginationBase, paginate
from pydantic import Field

from renda.api.kit import MAX_ID, caller
from renda.api.problems import responses
from renda.api.schemas import Line, RequiredText, SearchText, Text
from renda.core.errors import InvalidInput
from renda.duties import selectors, services
from renda.duties.models import Activity, ActivityKind, DutyRecord

KindIn = Literal[
    "meeting", "inspection", "survey", "law_check", "training", "reception", "station_duty", "other"
]


class DutyRecordOut(Schema):
    id: int
    mandate_id: int
    deputy_name: str
    congress: str
    kind: str
    kind_display: str
    title: str
    content: str
    occurred_on: datetime.date
    source: str = Field(
        description="organized 组织活动签到 / self 本人填报 / proxy 联络站代录 / module 业务系统"
    )
    status: str = Field(description="submitted 待确认 / confirmed 已确认 / returned 已退回")
    review_comment: str
    activity_id: int | None
    station_id: int | None
    entered_by: str = Field(description="录入人(代录时为联络站管理员)")

    @staticmethod
    def resolve_deputy_name(obj: DutyRecord) -> str:
        return obj.mandate.person.name

    @staticmethod
    def resolve_congress(obj: DutyRecord) -> str:
        return obj.mandate.term.congress.name

    @staticmethod
    def resolve_kind_display(obj: DutyRecord) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_entered_by(obj: DutyRecord) -> str:
        return obj.entered_by.display_name if obj.entered_by_id and obj.entered_by else ""


class RecordIn(Schema):
    mandate_id: int = Field(
        ge=1,
        le=MAX_ID,
        description="代表资格编号(本人填报或代录的代表)；不是您可以填报的代表时返回 422",
    )
    kind: KindIn
    title: Line = Field(default="", max_length=200, description="可不填,默认为履职类型")
    content: RequiredText = Field(max_length=5000, description="履职内容(必填)")
    occurred_on: datetime.date = Field(
        description="履职日期：不能晚于今天，不能早于当选日期，也不能晚于代表资格终止日期（否则返回 422）"
    )
    is_public: bool = True
    submission_key: Line = Field(
        default="", max_length=36, description="客户端生成的一次性标识;重复提交返回同一条记录"
    )


class ReviewIn(Schema):
    decision: Literal["confirm", "return"]
    comment: Text = Field(default="", max_length=500, description="退回时必填")


class RecordFiltersIn(Schema):
    q: SearchText = Field(default="", description="代表姓名、拼音首字母或标题")
    status: Literal["submitted", "confirmed", "returned"] | None = None
    # Every kind a record can have, also those other modules write (suggestion, opinion, ...).
    kind: ActivityKind | None = Field(default=None, description="履职类型")
    mandate: int | None = Field(default=None, ge=1, le=MAX_ID, description="只看该代表资格")


class ActivityOut(Schema):
    id: int
    kind: str
    title: str
    location: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    status: str
    organizer_id: int
    organizer: str
    invited: int
    attended: int

    @staticmethod
    def resolve_organizer(obj: Activity) -> str:
        return obj.organizer.name


def build_router(pagination: type[PaginationBase]) -> Router:
    router = Router(tags=["履职"])

    @router.get(
        "/records",
        response={200: list[DutyRecordOut], **responses(401, 422, 500)},
        summary="履职记录列表(分页)",
        description="您管辖范围内的履职记录;代表只看到自己的,联络站只看到本站的。",
    )
    @paginate(pagination)
    def list_records(request: HttpRequest, filters: Query[RecordFiltersIn]) -> Any:
        return selectors.records(
            caller(request),
            selectors.RecordFilters(
                q=filters.q, status=filters.status, kind=filters.kind, mandate=filters.mandate
            ),
        )

    @router.get(
        "/records/{record_id}",
        response={200: DutyRecordOut, **responses(401, 404, 422, 500)},
        summary="一条履职记录",
    )
    def get_record(request: HttpRequest, record_id: PathEx[int, P(ge=1, le=MAX_ID)]) -> Any:
        return selectors.record(caller(request), record_id)

    @router.post(
        "/records",
        response={201: DutyRecordOut, **responses(400, 401, 403, 404, 422, 500)},
        summary="填报履职记录(本人或代录)",
        description="代表填报自己的,联络站为本站联系的代表代录,人大机关为辖区代表代录。提交后待确认。",
    )
    def create_record(request: HttpRequest, body: RecordIn) -> Any:
        user = caller(request)
        mandate = selectors.entry_mandate(user, body.mandate_id)
        if mandate is None:
            raise InvalidInput(field_errors={"mandate_id": ["您不能为这位代表填报履职记录。"]})
        record = services.report(
            actor=user,
            mandate=mandate,
            submission_key=body.submission_key,
            data=services.RecordInput(
                kind=body.kind,
                title=body.title,
                content=body.content,
                occurred_on=body.occurred_on,
                is_public=body.is_public,
            ),
        )
        return Status(201, selectors.record(user, record.pk))

    @router.post(
        "/records/{record_id}/review",
        response={200: DutyRecordOut, **responses(400, 401, 403, 404, 409, 422, 500)},
        summary="确认或退回履职记录",
    )
    def review_record(
        request: HttpRequest, record_id: PathEx[int, P(ge=1, le=MAX_ID)], body: ReviewIn
    ) -> Any:
        user = caller(request)
        record = selectors.record(user, record_id)
        services.review(actor=user, record=record, decision=body.decision, comment=body.comment)
        return selectors.record(user, record_id)

    @router.get(
        "/activities",
        response={200: list[ActivityOut], **responses(401, 422, 500)},
        summary="履职活动列表(分页)",
    )
    @paginate(pagination)
    def list_activities(request: HttpRequest) -> Any:
        return selectors.activities(caller(request))

    return router
