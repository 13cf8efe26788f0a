"""Pages of case handling: a unit's to-do list, the office's filtered list, and the case page
with every step the viewer may take now (sign for, ask for reassignment, record a contact,
co-unit opinion, reply, sign off or return a drafted reply, promise done, decide
reassignment, publish, supervise, rate)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from renda.cases import selectors, services, subjects
from renda.cases.forms import (
    CaseFilterForm,
    CommentForm,
    ContactForm,
    DecideForm,
    OpinionForm,
    PromiseForm,
    RateForm,
    ReasonForm,
    ReplyForm,
    SignOffForm,
)
from renda.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseStatus,
    DraftDecision,
    Reply,
    ReplyDraft,
)
from renda.cases.policies import CaseAction
from renda.cases.policies import cases as case_policy
from renda.cases.workflows import page_actions
from renda.core import policies
from renda.core.dates import local_date
from renda.core.errors import NotFound, RendaError
from renda.core.models import OVERSIGHT_ROLES, UNIT_ROLES
from renda.core.requests import acting_user, local_url, show_service_errors, wants_partial

PER_PAGE = 20
SOON_DAYS = 15


def _unit_ids(user: Any) -> list[int]:
    return sorted(policies.organization_ids(user, *UNIT_ROLES))


def _oversees(user: Any) -> bool:
    """Offices, administrators, leaders and the supervision office follow all cases of their
    jurisdiction."""
    return bool(user.is_superuser) or policies.has_role(user, *OVERSIGHT_ROLES)


def days_left(case: Case, today: datetime.date) -> int:
    return (case.due_on - today).days


def _mark(cases: list[Case], today: datetime.date) -> list[Case]:
    """Overdue flag and days left on each row, for the list templates."""
    for case in cases:
        left = days_left(case, today)
        case.days_left = left  # type: ignore[attr-defined]
        case.overdue = case.status in OPEN_STATUSES and left < 0  # type: ignore[attr-defined]
        case.overdue_days = -left  # type: ignore[attr-defined]
        case.due_soon = case.status in OPEN_STATUSES and 0 <= left <= SOON_DAYS  # type: ignore[attr-defined]
    return cases


def todo(user: Any) -> list[Case]:
    """The unit's to-do list: cases waiting for sign-for or sign-off first, then by due
    date."""
    rows = list(selectors.unit_todo(user))
    first = (CaseStatus.ASSIGNED, CaseStatus.DRAFTED)
    rows.sort(key=lambda c: (c.status not in first, c.due_on, c.pk))
    return _mark(rows, local_date())


@login_required
@require_GET
@vary_on_headers("HX-Request")
def case_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    oversees = _oversees(user)
    context: dict[str, Any] = {
        "todo": todo(user) if _unit_ids(user) else None,
        "oversees": oversees,
    }
    if oversees:
        units = list(
            selectors.cases_for(user)
            .order_by()
            .values_list("lead_unit_id", "lead_unit__name")
            .distinct()
            .order_by("lead_unit__name")
        )
        form = CaseFilterForm(request.GET or None, units=units)
        unit = form.value("unit")
        qs = selectors.cases_for(
            user,
            status=form.value("status"),
            overdue=form.flag("overdue"),
            unit=int(unit) if unit else None,
            key=form.flag("key"),
        )
        page = Paginator(qs.order_by("due_on", "id"), PER_PAGE).get_page(request.GET.get("page"))
        context.update(form=form, page=page, cases=_mark(list(page.object_list), local_date()))
        if wants_partial(request):
            return render(request, "cases/list.html#results", context)
    elif context["todo"] is None:
        context["mine"] = _mark(
            list(selectors.cases_for(user).order_by("-assigned_at")[:50]), local_date()
        )
    return render(request, "cases/list.html", context)


# The case page -------------------------------------------------------------------------------


def reply_template(case: Case) -> str:
    """The 答复函 the reply form starts from: greeting, acknowledgement, closing."""
    author = case.author.display_name if case.author else ""
    return _(
        "尊敬的%(author)s代表:\n\n您提出的《%(title)s》收悉。现将办理情况答复如下:\n\n"
        "……\n\n感谢您对我们工作的关心和支持,欢迎继续提出宝贵意见和建议。\n\n"
        "%(unit)s\n%(date)s"
    ) % {
        "author": author,
        "title": case.title,
        "unit": case.lead_unit.name,
        "date": local_date().strftime("%Y年%m月%d日").replace("年0", "年").replace("月0", "月"),
    }


def _reply_initial(case: Case, draft: ReplyDraft | None) -> dict[str, Any]:
    """A returned draft comes back into the form to be revised; else the template."""
    if draft is not None and draft.decision == DraftDecision.RETURNED:
        return {
            "result_class": draft.result_class,
            "content": draft.content,
            "measures": draft.measures,
        }
    return {"content": reply_template(case)}


def _forms(case: Case, draft: ReplyDraft | None = None) -> dict[str, forms.Form]:
    return {
        "reassign": ReasonForm(),
        "contact": ContactForm(),
        "opinion": OpinionForm(),
        "reply": ReplyForm(initial=_reply_initial(case, draft)),
        "promise": PromiseForm(),
        "decide": DecideForm(congress=case.congress),
        "supervise": CommentForm(),
        "rate": RateForm(),
        "sign": forms.Form(),
        "publish": forms.Form(),
        "signoff": SignOffForm(),
    }


def _detail(user: Any, pk: int) -> selectors.CaseDetail:
    try:
        return selectors.case_detail(user, pk=pk)
    except NotFound:
        raise Http404 from None


def _render_case(
    request: HttpRequest,
    detail: selectors.CaseDetail,
    bound: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = acting_user(request)
    case = detail.case
    latest = detail.replies[-1] if detail.replies else None
    seen = selectors.seen_by(user, detail)
    page_forms = _forms(case, seen.draft)
    if bound is not None:
        page_forms[bound[0]] = bound[1]
    ratings = {r.round: r for r in detail.ratings}
    today = local_date()
    _mark([case], today)
    # Exactly the steps the case workflow allows this user now: a button shown is a step the
    # service will take.
    actions = page_actions(user, case)
    # A step no longer on offer (a double click, a case changed meanwhile): its errors go on
    # top of the page, since its form is not shown.
    orphan = (
        [e for errors in bound[1].errors.values() for e in errors]
        if bound is not None and bound[0] not in actions
        else []
    )
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "detail": detail,
            "subject_url": subjects.url(case.subject_type, case.subject_id),
            "subject_label": subjects.label(case.subject_type),
            "timeline": seen.timeline,
            "rounds": [(r, ratings.get(r.round)) for r in detail.replies],
            "latest": latest,
            "draft": seen.draft,
            "reply_mode": selectors.reply_mode(user, case) if "reply" in actions else "",
            "actions": actions,
            "orphan_errors": orphan,
            "forms": page_forms,
            "open_step": bound[0] if bound is not None else "",
            "next": local_url(request, request.POST.get("next") or request.GET.get("next")),
        },
        status=status,
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, _detail(acting_user(request), pk))


@dataclass(frozen=True)
class Step:
    form: Callable[[Case, Any], forms.Form]
    run: Callable[[Any, Case, dict[str, Any]], Any]
    # The message on success, or a function of the step's result giving it.
    done: Any


def _replied(result: Any) -> Any:
    if isinstance(result, ReplyDraft):
        return gettext_lazy("答复已提交单位负责人签发,签发后将发送提出人。")
    return gettext_lazy("答复已发送,等待提出人评价。")


def _signed_off(result: Any) -> Any:
    if isinstance(result, Reply):
        return gettext_lazy("答复已签发,已发送提出人。")
    return gettext_lazy("已退回修改,经办人将收到通知。")


def _sign_off(user: Any, case: Case, data: dict[str, Any]) -> Reply | ReplyDraft:
    if data["decision"] == "approve":
        return services.approve_reply(actor=user, case=case, comment=data.get("comment", ""))
    return services.return_reply(actor=user, case=case, comment=data.get("comment", ""))


STEPS: dict[str, Step] = {
    "sign": Step(
        lambda c, d: forms.Form(d),
        lambda u, c, d: services.sign(actor=u, case=c),
        gettext_lazy("已签收,请按期办理。"),
    ),
    "reassign": Step(
        lambda c, d: ReasonForm(d),
        lambda u, c, d: services.request_reassignment(actor=u, case=c, reason=d["reason"]),
        gettext_lazy("已提交调整申请,等待人大机关审核。"),
    ),
    "contact": Step(
        lambda c, d: ContactForm(d),
        lambda u, c, d: services.record_contact(
            actor=u, case=c, method=d["method"], happened_on=d["happened_on"], note=d["note"]
        ),
        gettext_lazy("已记录沟通情况。"),
    ),
    "opinion": Step(
        lambda c, d: OpinionForm(d),
        lambda u, c, d: services.submit_co_opinion(actor=u, case=c, opinion=d["opinion"]),
        gettext_lazy("协办意见已送主办单位。"),
    ),
    "reply": Step(
        lambda c, d: ReplyForm(d),
        lambda u, c, d: services.reply(
            actor=u,
            case=c,
            result_class=d["result_class"],
            content=d["content"],
            measures=d.get("measures", ""),
            approved_by_name=d["approved_by_name"],
        ),
        _replied,
    ),
    "signoff": Step(lambda c, d: SignOffForm(d), _sign_off, _signed_off),
    "promise": Step(
        lambda c, d: PromiseForm(d),
        lambda u, c, d: services.report_promise_done(actor=u, case=c, report=d["report"]),
        gettext_lazy("已报告承诺事项完成情况。"),
    ),
    "decide": Step(
        lambda c, d: DecideForm(d, congress=c.congress),
        lambda u, c, d: services.decide_reassignment(
            actor=u,
            case=c,
            approve=d["decision"] == "approve",
            new_lead_unit=d["unit"],
            comment=d.get("comment", ""),
        ),
        gettext_lazy("已处理调整申请。"),
    ),
    "publish": Step(
        lambda c, d: forms.Form(d),
        lambda u, c, d: services.publish_reply(actor=u, case=c),
        gettext_lazy("答复已在门户网站公开。"),
    ),
    "supervise": Step(
        lambda c, d: CommentForm(d),
        lambda u, c, d: services.supervise(actor=u, case=c, comment=d["comment"]),
        gettext_lazy("督办意见已发送承办单位。"),
    ),
    "rate": Step(
        lambda c, d: RateForm(d),
        lambda u, c, d: services.rate(
            actor=u, case=c, rating=d["rating"], comment=d.get("comment", "")
        ),
        gettext_lazy("感谢您的评价。"),
    ),
}


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One step on a case. Errors come back beside the step's form, the input kept; a
    double-clicked button meets the state machine and gets a Chinese message."""
    user = acting_user(request)
    if step not in STEPS:
        raise Http404
    detail = _detail(user, pk)
    spec = STEPS[step]
    form = spec.form(detail.case, request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        if isinstance(form, DecideForm):
            data["unit"] = form.chosen_unit()
        try:
            result = spec.run(user, detail.case, data)
        except RendaError as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, str(spec.done(result) if callable(spec.done) else spec.done))
            target = local_url(request, request.POST.get("next"))
            if target:
                return redirect(target)
            if not case_policy.can(user, detail.case, CaseAction.VIEW):
                # Reassigned away from this unit: back to the to-do list.
                return redirect("cases:list")
            return redirect("cases:detail", pk=pk)
    return _render_case(request, _detail(user, pk), bound=(step, form), status=400)
