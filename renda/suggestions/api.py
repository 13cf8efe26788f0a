"""Suggestions and motions in the JSON API (/api/v1/suggestions): list and read what the
jurisdiction policy allows, and a deputy (or a station for its deputies) writes a draft or
submits one. Same services, policies and audit as the pages; attachments are not exchanged.

No ``from __future__ import annotations`` here: django-ninja reads the handlers' annotations
at import time."""

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import P, PathEx, Query, Router, Schema, Status
from ninja.pagination import PaginationBase, paginate
from pydantic import Field

from renda.api.kit import MAX_ID, caller
from renda.api.problems import responses
from renda.api.schemas import Line, RequiredLine, SearchText, Text
from renda.core.errors import InvalidInput, NotPermitted
from renda.suggestions import dashboard, selectors, services
from renda.suggestions.models import Suggestion
from renda.web import services as web_services

# Rows per call of the records export: a unit's or office's system pages through with offset.
RECORDS_MAX = 1000
StatusIn = Literal["draft", "submitted", "accepted", "returned", "converted", "assigned", "merged"]


class SuggestionOut(Schema):
    id: int
    congress: str
    kind: str = Field(description="suggestion 建议 / motion 议案")
    number: int | None = Field(description="提交时分配的编号(每级人大、每次会议、每类分别编号)")
    number_label: str
    session: int = Field(description="第几次会议;0 为闭会期间")
    title: str
    content: str
    category: str
    status: str = Field(
        description="draft 草稿 / submitted 待审查 / accepted 已立案 / returned 退回修改 / "
        "converted 议案转建议 / assigned 已交办 / merged 已并案"
    )
    status_display: str
    mandate_id: int
    deputy_name: str
    return_reason: str
    submitted_at: datetime.datetime | None
    cosigners_confirmed: int

    @staticmethod
    def resolve_congress(obj: Suggestion) -> str:
        return obj.congress.name

    @staticmethod
    def resolve_category(obj: Suggestion) -> str:
        return obj.category.name if obj.category_id and obj.category else ""

    @staticmethod
    def resolve_status_display(obj: Suggestion) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_deputy_name(obj: Suggestion) -> str:
        return obj.mandate.person.name

    @staticmethod
    def resolve_cosigners_confirmed(obj: Suggestion) -> int:
        return selectors.confirmed_count(obj)


class SuggestionIn(Schema):
    mandate_id: int = Field(
        ge=1,
        le=MAX_ID,
        description="领衔代表的代表资格编号(本人或联络站代录)；不是您可以代录的代表时返回 422",
    )
    kind: Literal["suggestion", "motion"] = "suggestion"
    title: RequiredLine = Field(max_length=200, description="标题(必填)")
    content: Text = Field(default="", max_length=20000, description="提交时必填")
    category_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="提交时必填")
    session: int = Field(default=0, ge=0, le=30, description="第几次会议;0 为闭会期间")
    submit: bool = Field(default=False, description="true:保存并提交;false:只保存草稿")
    submission_key: Line = Field(
        default="", max_length=36, description="客户端生成的一次性标识;重复提交返回同一件"
    )


class SuggestionRecordOut(Schema):
    """One suggestion with its handling, as the dashboard's Excel export lists it."""

    id: int
    number: str = Field(description="编号")
    title: str
    deputy_name: str
    congress: str
    session: str
    category: str
    status: str = Field(description="议案建议状态(代码)")
    case_status: str | None = Field(description="办理状态(代码);未交办为空")
    lead_unit: str | None
    due_on: datetime.date | None
    result_class: str | None = Field(description="最近一次答复的办理结果:A / B / C")
    rating: str | None = Field(description="代表评价:satisfied / basic / unsatisfied")


class SuggestionRecordsPage(Schema):
    count: int
    offset: int
    items: list[SuggestionRecordOut]


class RecordsIn(Schema):
    congress: int | None = Field(default=None, ge=1, le=MAX_ID, description="人大编号")
    year: int | None = Field(default=None, ge=2000, le=2100, description="提出年度")
    status: StatusIn | None = None
    offset: int = Field(default=0, ge=0, le=10_000_000)
    limit: int = Field(default=500, ge=1, le=RECORDS_MAX)


class FiltersIn(Schema):
    q: SearchText = Field(default="", description="标题或代表姓名")
    status: StatusIn | None = None
    kind: Literal["suggestion", "motion"] | None = None


def _record(item: Suggestion) -> dict[str, Any]:
    return {
        "id": item.pk,
        "number": item.number_label,
        "title": item.title,
        "deputy_name": item.mandate.person.name,
        "congress": item.congress.name,
        "session": item.session_label,
        "category": item.category.name if item.category else "",
        "status": item.status,
        "case_status": getattr(item, "case_status", None),
        "lead_unit": getattr(item, "case_unit", None),
        "due_on": getattr(item, "case_due", None),
        "result_class": getattr(item, "case_result", None),
        "rating": getattr(item, "case_rating", None),
    }


def build_router(pagination: type[PaginationBase]) -> Router:
    router = Router(tags=["议案建议"])

    @router.get(
        "",
        response={200: list[SuggestionOut], **responses(401, 422, 500)},
        summary="议案建议列表(分页)",
        description="您管辖范围内的议案建议;代表看到自己领衔和附议的,联络站看到本站代录的。",
    )
    @paginate(pagination)
    def list_suggestions(request: HttpRequest, filters: Query[FiltersIn]) -> Any:
        return selectors.with_confirmed_counts(
            selectors.suggestions(
                caller(request),
                selectors.Filters(q=filters.q, status=filters.status, kind=filters.kind),
            )
        )

    @router.get(
        "/records",
        response={200: SuggestionRecordsPage, **responses(401, 403, 422, 500)},
        summary="导出全部议案建议及办理情况(分页)",
        description="人大机关(及政府督查室)导出管辖范围内全部议案建议及其办理状态、主办单位、"
        "答复期限、办理结果和代表评价;每次调用都记入审计日志。",
    )
    def export_records(request: HttpRequest, filters: Query[RecordsIn]) -> Any:
        user = caller(request)
        if not dashboard.can_export(user):
            raise NotPermitted(_("您没有导出议案建议的权限。"))
        period = dashboard.DashboardFilters(congress=filters.congress, year=filters.year)
        wanted = dashboard.RecordFilters(status=filters.status or "")
        items = dashboard.records(user, period, wanted)
        count = items.count()
        page = list(items[filters.offset : filters.offset + filters.limit])
        web_services.record_export(
            actor=user,
            object_type="suggestions.suggestion",
            fmt="api",
            rows=len(page),
            filters=filters.model_dump(),
            label=_("议案建议办理情况"),
        )
        return {"count": count, "offset": filters.offset, "items": [_record(i) for i in page]}

    @router.get(
        "/{suggestion_id}",
        response={200: SuggestionOut, **responses(401, 404, 422, 500)},
        summary="一件议案建议",
    )
    def get_suggestion(request: HttpRequest, suggestion_id: PathEx[int, P(ge=1, le=MAX_ID)]) -> Any:
        return selectors.suggestion(caller(request), suggestion_id)

    @router.post(
        "",
        response={201: SuggestionOut, **responses(400, 401, 403, 404, 409, 422, 500)},
        summary="写议案建议(草稿或提交)",
        description="代表为自己写,联络站为本站联系的代表代录。submit 为 true 时同时提交;"
        "议案须先有足够的代表确认附议。",
    )
    def create_suggestion(request: HttpRequest, body: SuggestionIn) -> Any:
        user = caller(request)
        mandate = selectors.entry_mandate(user, body.mandate_id)
        if mandate is None:
            raise InvalidInput(field_errors={"mandate_id": ["您不能为这位代表提出议案建议。"]})
        item = services.save(
            actor=user,
            mandate=mandate,
            submit=body.submit,
            submission_key=body.submission_key,
            data=services.SuggestionInput(
                kind=body.kind,
                title=body.title,
                content=body.content,
                category_id=body.category_id,
                session=body.session,
            ),
        )
        return Status(201, selectors.suggestion(user, item.pk))

    @router.post(
        "/{suggestion_id}/submit",
        response={200: SuggestionOut, **responses(400, 401, 403, 404, 409, 422, 500)},
        summary="提交草稿",
        description="重复提交返回同一件,不会重复编号。",
    )
    def submit_suggestion(
        request: HttpRequest, suggestion_id: PathEx[int, P(ge=1, le=MAX_ID)]
    ) -> Any:
        user = caller(request)
        item = selectors.suggestion(user, suggestion_id)
        services.submit(actor=user, suggestion=item)
        return selectors.suggestion(user, suggestion_id)

    return router
