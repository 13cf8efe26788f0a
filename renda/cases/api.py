"""Case handling in the JSON API (/api/v1/cases), for a government unit's own system: its
to-do list, one case, sign for it, reply to it, and, for the unit's leader, sign off or
return the replies its staff drafted. The same selectors, policy and services as the pages,
so the API can do exactly what the unit's staff and leaders can do on the site.

The router is registered with renda.api.registry in the app's ``ready()``; it uses the API
kit (the caller's account, the id bound) and the problem responses.

No ``from __future__ import annotations`` here: django-ninja reads the handlers' annotations
at import time."""

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import P, PathEx, Router, Schema, Status
from ninja.pagination import PaginationBase, paginate
from pydantic import Field

from renda.api.kit import MAX_ID, caller
from renda.api.problems import responses
from renda.api.schemas import Line, RequiredText, Text
from renda.cases import selectors, services, subjects
from renda.cases.models import Case, CaseUnit, Reply, ReplyDraft
from renda.cases.selectors import TimelineRow
from renda.core.dates import local_date
from renda.core.errors import NotFound


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
    status: str = Field(
        description="assigned 已交办待签收 / signed 办理中 / reassign 申请调整 / "
        "drafted 答复待签发 / replied 已答复待评价 / "
        "reopened 重新办理 / closed 已办结"
    )
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
        return obj.is_open and obj.due_on < local_date()


class ReplyOut(Schema):
    round: int
    unit: str
    result_class: str = Field(
        description="A 已解决或基本解决 / B 列入计划逐步解决 / C 因条件限制留作参考"
    )
    content: str
    measures: str
    approved_by_name: str = Field(description="签发人")
    sent_at: datetime.datetime
    on_time: bool
    promise_done_at: datetime.datetime | None

    @staticmethod
    def resolve_unit(obj: Reply) -> str:
        return obj.unit.name


def _name(user: Any) -> str:
    return str(user.display_name) if user is not None else ""


class DraftOut(Schema):
    """A reply drafted by the unit's staff for its leader's sign-off (签发)."""

    id: int
    round: int
    result_class: str
    content: str
    measures: str
    decision: str = Field(description="pending 待签发 / approved 已签发 / returned 退回修改")
    drafted_by: str
    drafted_at: datetime.datetime
    decided_by: str
    decided_at: datetime.datetime | None
    comment: str = Field(description="退回理由或签发意见")

    @staticmethod
    def resolve_drafted_by(obj: ReplyDraft) -> str:
        return _name(obj.drafted_by)

    @staticmethod
    def resolve_decided_by(obj: ReplyDraft) -> str:
        return _name(obj.decided_by)


class ReplyResultOut(Schema):
    """Where a reply stands after a step: sent to the author, or awaiting (or returned from)
    the unit leader's sign-off."""

    sent: bool = Field(description="true:答复已发送提出人;false:答复待本单位负责人签发或已退回修改")
    case_status: str
    reply: ReplyOut | None = Field(description="已发送的答复")
    draft: DraftOut | None = Field(description="待签发或退回修改的答复稿")


class EventOut(Schema):
    """One step of the timeline, as the caller sees it (the unit's internal sign-off steps
    are the lead unit's and its overseers' to see)."""

    action: str
    from_status: str
    to_status: str
    actor_name: str
    comment: str
    at: datetime.datetime

    @staticmethod
    def resolve_to_status(obj: TimelineRow) -> str:
        return obj.event.to_status

    @staticmethod
    def resolve_actor_name(obj: TimelineRow) -> str:
        return obj.event.actor_name

    @staticmethod
    def resolve_comment(obj: TimelineRow) -> str:
        return obj.event.comment

    @staticmethod
    def resolve_at(obj: TimelineRow) -> datetime.datetime:
        return obj.event.at


class CaseDetailOut(CaseOut):
    units: list[UnitOut]
    replies: list[ReplyOut]
    draft: DraftOut | None = Field(description="本轮待签发或退回修改的答复稿(仅主办单位可见)")
    events: list[EventOut]

    @staticmethod
    def resolve_draft(obj: Any) -> ReplyDraft | None:
        return obj.detail_draft  # type: ignore[no-any-return]

    @staticmethod
    def resolve_units(obj: Any) -> list[CaseUnit]:
        return [u for u in obj.detail.units if u.active]

    @staticmethod
    def resolve_replies(obj: Any) -> list[Reply]:
        return list(obj.detail.replies)

    @staticmethod
    def resolve_status(obj: Any) -> str:
        return str(obj.timeline.status)

    @staticmethod
    def resolve_status_display(obj: Any) -> str:
        return str(obj.timeline.status_label)

    @staticmethod
    def resolve_events(obj: Any) -> list[TimelineRow]:
        return list(obj.timeline.rows)


class ReplyIn(Schema):
    result_class: Literal["A", "B", "C"] = Field(description="办理结果")
    content: RequiredText = Field(max_length=20000, description="答复内容(答复函全文)")
    measures: Text = Field(default="", max_length=20000, description="承诺措施和完成时限;B 类必填")
    approved_by_name: Line = Field(
        default="",
        max_length=50,
        description="单位签发人:仅本单位没有负责人账号时必填;有负责人账号的,经办人的答复待负责人"
        "签发,负责人本人答复的由本人签发",
    )


class SignOffIn(Schema):
    comment: Text = Field(default="", max_length=2000, description="签发意见(可不填)")


class ReturnIn(Schema):
    comment: RequiredText = Field(max_length=2000, description="退回修改的理由(必填)")


def _detail(user: Any, case_id: int) -> Case:
    detail = selectors.case_detail(user, pk=case_id)
    case = detail.case
    case.detail = detail  # type: ignore[attr-defined]
    seen = selectors.seen_by(user, detail)
    case.detail_draft = seen.draft  # type: ignore[attr-defined]
    case.timeline = seen.timeline  # type: ignore[attr-defined]
    return case


def _result(answer: Reply | ReplyDraft) -> dict[str, Any]:
    sent = isinstance(answer, Reply)
    # The service's locked copy of the case, with its new status.
    return {
        "sent": sent,
        "case_status": answer.case.status,
        "reply": answer if sent else None,
        "draft": None if sent else answer,
    }


def _case(case_id: int) -> Case:
    """The case to act on; the service checks the policy (and tells a unit whose case was
    moved elsewhere why it can no longer act)."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


def build_router(pagination: type[PaginationBase]) -> Router:
    router = Router(tags=["交办办理"])

    @router.get(
        "",
        response={200: list[CaseOut], **responses(401, 422, 500)},
        summary="本单位待办的交办事项(分页)",
        description="本单位主办、待签收或待答复的事项,作为协办单位尚未提出意见的事项,"
        "以及(负责人)待签发答复的事项;最先到期的在前。",
    )
    @paginate(pagination)
    def list_cases(request: HttpRequest) -> Any:
        return selectors.unit_todo(caller(request))

    @router.get(
        "/{case_id}",
        response={200: CaseDetailOut, **responses(401, 404, 422, 500)},
        summary="一件交办事项(含承办单位、答复和办理过程)",
    )
    def get_case(request: HttpRequest, case_id: PathEx[int, P(ge=1, le=MAX_ID)]) -> Any:
        return _detail(caller(request), case_id)

    @router.post(
        "/{case_id}/sign",
        response={200: CaseOut, **responses(400, 401, 403, 404, 409, 422, 500)},
        summary="签收",
        description="只有主办单位可以签收;已签收的再次签收返回 409。",
    )
    def sign_case(request: HttpRequest, case_id: PathEx[int, P(ge=1, le=MAX_ID)]) -> Any:
        user = caller(request)
        services.sign(actor=user, case=_case(case_id))
        return selectors.case_detail(user, pk=case_id).case

    @router.post(
        "/{case_id}/reply",
        response={201: ReplyResultOut, **responses(400, 401, 403, 404, 409, 422, 500)},
        summary="答复",
        description="主办单位签收后答复;B 类须写明承诺措施。本单位有负责人账号的,经办人的答复"
        "成为答复稿,待负责人签发后才发送提出人(sent 为 false,事项状态为 drafted);"
        "负责人本人答复或本单位没有负责人账号的,答复立即发送,等待提出人评价。",
    )
    def reply_case(
        request: HttpRequest, case_id: PathEx[int, P(ge=1, le=MAX_ID)], body: ReplyIn
    ) -> Any:
        user = caller(request)
        answer = services.reply(
            actor=user,
            case=_case(case_id),
            result_class=body.result_class,
            content=body.content,
            measures=body.measures,
            approved_by_name=body.approved_by_name,
        )
        return Status(201, _result(answer))

    @router.post(
        "/{case_id}/approve",
        response={200: ReplyResultOut, **responses(400, 401, 403, 404, 409, 422, 500)},
        summary="签发答复",
        description="主办单位负责人签发经办人拟好的答复,答复即发送提出人;不是待签发状态的返回 409。",
    )
    def approve_case(
        request: HttpRequest, case_id: PathEx[int, P(ge=1, le=MAX_ID)], body: SignOffIn
    ) -> Any:
        user = caller(request)
        return _result(
            services.approve_reply(actor=user, case=_case(case_id), comment=body.comment)
        )

    @router.post(
        "/{case_id}/return",
        response={200: ReplyResultOut, **responses(400, 401, 403, 404, 409, 422, 500)},
        summary="退回修改",
        description="主办单位负责人退回待签发的答复,须写明理由;事项回到拟稿前的状态,由经办人"
        "修改后重新提交。",
    )
    def return_case(
        request: HttpRequest, case_id: PathEx[int, P(ge=1, le=MAX_ID)], body: ReturnIn
    ) -> Any:
        user = caller(request)
        return _result(services.return_reply(actor=user, case=_case(case_id), comment=body.comment))

    return router
