"""Pages of duty performance: activities (publish, attendance, QR sign-in, leave, close),
and duty records (report from a phone, enter on a deputy's behalf, confirm or return)."""

from __future__ import annotations

import io
from typing import Any

import qrcode
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from renda.core.errors import InvalidInput, RendaError
from renda.core.requests import acting_user, show_service_errors, wants_partial
from renda.core.validators import control_message, refused_character
from renda.duties import selectors, services
from renda.duties.forms import (
    ActivityForm,
    AttendanceForm,
    ReasonForm,
    RecordFilterForm,
    ReportForm,
    ReviewForm,
)
from renda.duties.models import DutyRecordPhoto, Invitation
from renda.duties.selectors import RecordFilters

PER_PAGE = 20


# Duty records --------------------------------------------------------------------------------


@login_required
@require_GET
@vary_on_headers("HX-Request")
def record_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = RecordFilterForm(request.GET or None)
    filters = RecordFilters(
        q=form.value("q") or "", status=form.value("status"), kind=form.value("kind")
    )
    page = Paginator(selectors.records(user, filters), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "records": list(page.object_list),
        "review_count": selectors.to_review(user).count(),
        "can_enter": selectors.can_enter_records(user),
    }
    template = "duties/records.html#results" if wants_partial(request) else "duties/records.html"
    return render(request, template, context)


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    page = Paginator(selectors.to_review(user), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "duties/review_queue.html", {"page": page, "records": list(page.object_list)}
    )


def _report_form(
    request: HttpRequest, user: Any, data: Any = None, files: Any = None
) -> ReportForm:
    own = selectors.own_mandates(user)
    if own:
        return ReportForm(data, files, mandates=own, own=True)
    chosen = (data or {}).get("mandate", "")
    q = request.GET.get("q", "")
    # A search word with control characters matches nobody (and a NUL fails on PostgreSQL).
    if refused_character(q, multiline=False) is not None:
        q = ""
    mandates = selectors.entry_mandates(user, q=q, chosen=chosen)
    return ReportForm(data, files, mandates=mandates, own=False)


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """A deputy's own report, or a station's or office's entry on a deputy's behalf."""
    user = acting_user(request)
    if not selectors.can_enter_records(user):
        raise PermissionDenied(_("您没有填报履职记录的权限。"))
    if request.method == "POST":
        form = _report_form(request, user, request.POST, request.FILES)
        if form.is_valid():
            try:
                record = services.report(
                    actor=user,
                    mandate=form.chosen_mandate(),
                    data=form.record_input(),
                    photos=form.cleaned_data["photos"],
                    submission_key=form.cleaned_data.get("submission_key") or "",
                )
            except RendaError as exc:
                show_service_errors(form, exc)
            else:
                messages.success(request, _("已提交,等待联络站或人大机关确认。"))
                return redirect("duties:record", pk=record.pk)
    else:
        form = _report_form(request, user)
    return render(
        request,
        "duties/report.html",
        {
            "form": form,
            "own": bool(selectors.own_mandates(user)),
            "q": request.GET.get("q", ""),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    item = selectors.record(user, pk)
    review_form = ReviewForm()
    if request.method == "POST":
        review_form = ReviewForm(request.POST)
        if review_form.is_valid():
            try:
                services.review(
                    actor=user,
                    record=item,
                    decision=review_form.cleaned_data["decision"],
                    comment=review_form.cleaned_data.get("comment", ""),
                )
            except RendaError as exc:
                show_service_errors(review_form, exc)
            else:
                confirmed = review_form.cleaned_data["decision"] == "confirm"
                messages.success(
                    request,
                    _("已确认,计入履职档案和积分。")
                    if confirmed
                    else _("已退回,代表修改后可重新提交。"),
                )
                nxt = selectors.to_review(user).first()
                return redirect("duties:record", pk=nxt.pk) if nxt else redirect("duties:review")
    actions = selectors.record_actions(user, item)
    return render(
        request,
        "duties/record.html",
        {
            "record": item,
            "events": selectors.record_events(item),
            "photos": list(item.photos.all()),
            "can_review": bool(actions & {"confirm", "return"}),
            "can_resubmit": "resubmit" in actions,
            "review_form": review_form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a returned record and send it again."""
    user = acting_user(request)
    item = selectors.record(user, pk)
    if "resubmit" not in selectors.record_actions(user, item):
        messages.error(request, _("只有被退回的记录可以修改后重新提交。"))
        return redirect("duties:record", pk=item.pk)
    mandates = [item.mandate]
    own = item.mandate.person_id == user.person_id
    if request.method == "POST":
        data = request.POST.copy()
        data["mandate"] = str(item.mandate_id)
        form = ReportForm(data, request.FILES, mandates=mandates, own=own)
        if form.is_valid():
            try:
                services.resubmit(
                    actor=user,
                    record=item,
                    data=form.record_input(),
                    photos=form.cleaned_data["photos"],
                )
            except RendaError as exc:
                show_service_errors(form, exc)
            else:
                messages.success(request, _("已重新提交,等待确认。"))
                return redirect("duties:record", pk=item.pk)
    else:
        form = ReportForm(
            initial={
                "mandate": str(item.mandate_id),
                "kind": item.kind,
                "occurred_on": item.occurred_on,
                "title": item.title,
                "content": item.content,
                "is_public": item.is_public,
            },
            mandates=mandates,
            own=own,
        )
    return render(request, "duties/report.html", {"form": form, "record": item, "own": own})


@login_required
@require_GET
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A record's photo, to whoever may see the record (photos are never public files)."""
    user = acting_user(request)
    item = DutyRecordPhoto.objects.filter(pk=pk).first()
    if item is None:
        selectors.record(user, 0)  # raises NotFound
    assert item is not None
    selectors.record(user, item.record_id)
    response = FileResponse(item.image.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# Activities -----------------------------------------------------------------------------------


@login_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    page = Paginator(selectors.activities(user), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "duties/activities.html",
        {
            "page": page,
            "activities": list(page.object_list),
            "can_organize": selectors.can_organize(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not selectors.can_organize(user):
        raise PermissionDenied(_("您没有组织履职活动的权限。"))
    form = ActivityForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.create_activity(
                actor=user,
                organizer=form.chosen_organizer(),
                data=form.activity_input(),
                invitees=form.invitees(),
            )
        except RendaError as exc:
            show_service_errors(form, exc)
        else:
            messages.success(
                request, _("活动已发布,已通知 %(n)d 位代表。") % {"n": activity.invitations.count()}
            )
            return redirect("duties:activity", pk=activity.pk)
    return render(request, "duties/activity_new.html", {"form": form})


@login_required
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    item = selectors.activity(user, pk)
    manage = selectors.can_manage(user, item)
    opens, closes = selectors.checkin_window(item)
    return render(
        request,
        "duties/activity.html",
        {
            "activity": item,
            "can_manage": manage,
            "invitations": selectors.invitations(item) if manage else [],
            "counts": selectors.attendance_counts(item),
            "mine": selectors.own_invitation(user, item),
            "checkin_url": request.build_absolute_uri(
                reverse("duties:checkin", args=[item.checkin_token])
            )
            if manage
            else "",
            "opens": opens,
            "closes": closes,
            "actions": selectors.activity_actions(user, item),
            "leave_form": ReasonForm(),
            "cancel_form": ReasonForm(),
        },
    )


@login_required
@require_GET
def activity_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The venue's sign-in QR code as a PNG (organizers only)."""
    user = acting_user(request)
    item = selectors.activity(user, pk)
    if not selectors.can_manage(user, item):
        raise PermissionDenied(_("只有组织单位可以查看签到二维码。"))
    image = qrcode.make(
        request.build_absolute_uri(reverse("duties:checkin", args=[item.checkin_token]))
    )
    buffer = io.BytesIO()
    image.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


def _back_to_activity(
    request: HttpRequest, pk: int, exc: RendaError | None, done: str
) -> HttpResponse:
    if exc is None:
        messages.success(request, done)
    else:
        messages.error(request, exc.summary)
    return redirect("duties:activity", pk=pk)


@login_required
@require_POST
def activity_attendance(request: HttpRequest, pk: int, invitation_id: int) -> HttpResponse:
    user = acting_user(request)
    item = selectors.activity(user, pk)
    invitation = Invitation.objects.filter(pk=invitation_id, activity=item).first()
    form = AttendanceForm(request.POST)
    error: RendaError | None = None
    if invitation is None or not form.is_valid():
        messages.error(request, _("请选择出席情况。"))
        return redirect("duties:activity", pk=pk)
    try:
        services.set_attendance(
            actor=user,
            invitation=invitation,
            status=form.cleaned_data["status"],
            leave_reason=form.cleaned_data.get("leave_reason", ""),
        )
    except RendaError as exc:
        error = exc
    return _back_to_activity(
        request,
        pk,
        error,
        _("已登记 %(name)s 的出席情况。") % {"name": invitation.mandate.person.name},
    )


@login_required
@require_POST
def activity_leave(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    item = selectors.activity(user, pk)
    form = ReasonForm(request.POST)
    error: RendaError | None = None
    try:
        services.request_leave(
            actor=user, activity=item, reason=form.data.get("reason", "") if form.is_bound else ""
        )
    except RendaError as exc:
        error = exc
    return _back_to_activity(request, pk, error, _("已请假,组织单位会看到您的请假事由。"))


@login_required
@require_POST
def activity_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    item = selectors.activity(user, pk)
    error: RendaError | None = None
    try:
        services.close_activity(actor=user, activity=item)
    except RendaError as exc:
        error = exc
    return _back_to_activity(request, pk, error, _("活动已结束登记:出席的代表已计入履职记录。"))


@login_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    item = selectors.activity(user, pk)
    error: RendaError | None = None
    try:
        reason = request.POST.get("reason", "")
        char = refused_character(reason, multiline=True)
        if char is not None:
            raise InvalidInput(control_message(char))
        services.cancel_activity(actor=user, activity=item, reason=reason)
    except RendaError as exc:
        error = exc
    return _back_to_activity(request, pk, error, _("活动已取消,已通知受邀代表。"))


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """What the venue's QR code opens: a confirmation page, then the sign-in."""
    user = acting_user(request)
    item = selectors.activity_by_token(token)
    error = ""
    done = None
    if request.method == "POST":
        try:
            done = services.check_in(actor=user, token=token)
        except RendaError as exc:
            error = exc.message
    opens, closes = selectors.checkin_window(item)
    return render(
        request,
        "duties/checkin.html",
        {
            "activity": item,
            "error": error,
            "done": done,
            "opens": opens,
            "closes": closes,
        },
        status=400 if error else 200,
    )
