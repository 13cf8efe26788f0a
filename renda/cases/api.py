"""Case handling in the JSON API (/api/v1/cases), for a government unit's own system: its
to-do list, one case, sign for it, reply to it. The same selectors, policy and services as
the pages, so the API can do exactly what the unit's staff can do on the site.

This module may not import renda.api (case handling knows no module that uses it): the API
passes in its problem responses helper.

No ``from __future__ import annotations`` here: django-ninja reads the handlers' annotations
at import time."""

import datetime
from collections.abc import Callable
from typing import Any, Literal

from django.http import HttpRequest
from ninja import P, PathEx, Router, Schema, Status
from ninja.pagination import PaginationBase, paginate
from pydantic import Field

from renda.cases import selectors, services, subjects
from renda.cases.models import Case, CaseEvent, CaseUnit, Reply
from renda.core.errors import NotFound

MAX_ID = 2**63 - 1
# Control characters break PostgreSQL text (NUL) and have no place in a letter; line breaks
# and tabs stay.
_TEXT = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"
_LINE = "^[^\\u0000-\\u001f\\u007f]*$"


class UnitOut(Schema):
    id: int
    name: str
    role: str = Field(description="lead 主办 / co 协办")
    opinion: str
    opinion_due_on: datetime.date | None
    opinion_at: datetime.datetime | None

    @staticmethod
    def resolve_id(obj: CaseUnit) -> int:
        return obj.unit_id

    @staticmethod
    def resolve_name(obj: CaseUnit) -> str:
        return obj.unit.name


class CaseOut(Schema):
    id: int
    subject_type: str
    subject_label: str
    subject_id: str
    title: str
    status: str = Field(description="assigned 已交办待签收 / signed 办理中 / reassign 申请调整 / "
                                    "replied 已答复待评价 / reopened 重新办理 / closed 已办结")
    status_display: str
    lead_unit: str
    round: int
    is_key: bool
    assigned_at: datetime.datetime
    reassign_until: datetime.date
    due_on: datetime.date
    overdue: bool
    signed_at: datetime.datetime | None
    replied_at: datetime.datetime | None

    @staticmethod
    def resolve_subject_label(obj: Case) -> str:
        return str(subjects.label(obj.subject_type))

    @staticmethod
    def resolve_status_display(obj: Case) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_lead_unit(obj: Case) -> str:
        return obj.lead_unit.name

    @staticmethod
    def resolve_overdue(obj: Case) -> bool:
        return obj.is_open and obj.due_on < services.local_date()


class ReplyOut(Schema):
    round: int
    unit: str
    result_class: str = Field(description="A 已解决或基本解决 / B 列入计划逐步解决 / C 因条件限制留作参考")
    content: str
    measures: str
    approved_by_name: str
    sent_at: datetime.datetime
    on_time: bool
    promise_done_at: datetime.datetime | None

    @staticmethod
    def resolve_unit(obj: Reply) -> str:
        return obj.unit.name


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor_name: str
    comment: str
    at: datetime.datetime


class CaseDetailOut(CaseOut):
    units: list[UnitOut]
    replies: list[ReplyOut]
    events: list[EventOut]

    @staticmethod
    def resolve_units(obj: Any) -> list[CaseUnit]:
        return [u for u in obj.detail.units if u.active]

    @staticmethod
    def resolve_replies(obj: Any) -> list[Reply]:
        return list(obj.detail.replies)

    @staticmethod
    def resolve_events(obj: Any) -> list[CaseEvent]:
        return list(obj.detail.events)


class ReplyIn(Schema):
    result_class: Literal["A", "B", "C"] = Field(description="办理结果")
    content: str = Field(max_length=20000, pattern=_TEXT, description="答复内容(答复函全文)")
    measures: str = Field(default="", max_length=20000, pattern=_TEXT,
                          description="承诺措施和完成时限;B 类必填")
    approved_by_name: str = Field(max_length=50, pattern=_LINE, description="单位签发人")


def _detail(user: Any, case_id: int) -> Case:
    detail = selectors.case_detail(user, pk=case_id)
    case = detail.case
    case.detail = detail  # type: ignore[attr-defined]
    return case


def _case(case_id: int) -> Case:
    """The case to act on; the service checks the policy (and tells a unit whose case was
    moved elsewhere why it can no longer act)."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


def build_router(pagination: type[PaginationBase],
                 responses: Callable[..., dict[int, Any]]) -> Router:
    router = Router(tags=["交办办理"])

    @router.get("", response={200: list[CaseOut], **responses(401, 422, 500)},
                summary="本单位待办的交办事项(分页)",
                description="本单位主办、待签收或待答复的事项,以及作为协办单位尚未提出意见的事项;"
                            "最先到期的在前。")
    @paginate(pagination)
    def list_cases(request: HttpRequest) -> Any:
        return selectors.unit_todo(request.auth)  # type: ignore[attr-defined]

    @router.get("/{case_id}", response={200: CaseDetailOut, **responses(401, 404, 422, 500)},
                summary="一件交办事项(含承办单位、答复和办理过程)")
    def get_case(request: HttpRequest, case_id: PathEx[int, P(ge=1, le=MAX_ID)]) -> Any:
        return _detail(request.auth, case_id)  # type: ignore[attr-defined]

    @router.post("/{case_id}/sign",
                 response={200: CaseOut, **responses(400, 401, 403, 404, 409, 422, 500)},
                 summary="签收", description="只有主办单位可以签收;已签收的再次签收返回 409。")
    def sign_case(request: HttpRequest, case_id: PathEx[int, P(ge=1, le=MAX_ID)]) -> Any:
        user = request.auth  # type: ignore[attr-defined]
        services.sign(actor=user, case=_case(case_id))
        return selectors.case_detail(user, pk=case_id).case

    @router.post("/{case_id}/reply",
                 response={201: ReplyOut, **responses(400, 401, 403, 404, 409, 422, 500)},
                 summary="答复", description="主办单位签收后答复;B 类须写明承诺措施。答复后等待提出人评价。")
    def reply_case(request: HttpRequest, case_id: PathEx[int, P(ge=1, le=MAX_ID)],
                   body: ReplyIn) -> Any:
        user = request.auth  # type: ignore[attr-defined]
        answer = services.reply(actor=user, case=_case(case_id), result_class=body.result_class,
                                content=body.content, measures=body.measures,
                                approved_by_name=body.approved_by_name)
        return Status(201, answer)

    return router
