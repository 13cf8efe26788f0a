"""Inbox, bell and preference pages. Thin: services write, selectors read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renda.core.errors import InvalidInput, NotFound
from renda.core.requests import local_url, wants_partial
from renda.notifications import kinds, selectors, services
from renda.notifications.forms import PreferenceForm

PAGE_SIZE = 20


@require_GET
@never_cache
def bell(request: HttpRequest) -> HttpResponse:
    """The bell alone, for htmx polling. Anonymous visitors get an empty body, which removes
    the bell (and stops the polling) instead of swapping a login page into the header."""
    count = selectors.unread_count(request.user)
    return render(request, "notifications/_bell.html", {"unread_count": count})


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    show = "unread" if request.GET.get("show") == "unread" else "all"
    page = Paginator(
        selectors.inbox(request.user, unread_only=show == "unread"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "show": show})


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notification = services.mark_read(user=request.user, notification_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if wants_partial(request):
        response = render(request, "notifications/_item.html", {"n": notification})
        # The bell listens for this and refreshes its count at once.
        response["HX-Trigger"] = "notifications-changed"
        return response
    return redirect(
        local_url(request, request.POST.get("next") or request.GET.get("next"))
        or reverse("notifications:inbox")
    )


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(user=request.user)
    if count:
        messages.success(request, _("已将 %(n)s 条消息标为已读。") % {"n": count})
    else:
        messages.info(request, _("没有未读消息。"))
    return redirect(
        local_url(request, request.POST.get("next") or request.GET.get("next"))
        or reverse("notifications:inbox")
    )


@login_required
@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a message's link, marking it read on the way."""
    try:
        notification = services.mark_read(user=request.user, notification_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    target = local_url(request, notification.url)
    if target:
        return HttpResponseRedirect(target)
    return redirect("notifications:inbox")


def _rows(request: HttpRequest, bound: PreferenceForm | None = None) -> list[dict[str, Any]]:
    user: Any = request.user
    has_phone = bool(user.person_id and user.person and user.person.phone)
    rows = []
    for row in selectors.preferences(user):
        form = bound if bound is not None and bound.kind.code == row.kind.code else None
        rows.append(
            {
                "kind": row.kind,
                "form": form or PreferenceForm(kind=row.kind, channels=row.channels),
                "saved": False,
            }
        )
    return [dict(r, has_phone=has_phone, has_email=bool(user.email)) for r in rows]


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "notifications/preferences.html", {"rows": _rows(request)})

    code = request.POST.get("kind", "")
    try:
        kind = kinds.get(code)
    except InvalidInput as exc:
        messages.error(request, exc.summary)
        return redirect("notifications:preferences")
    current = {r.kind.code: r.channels for r in selectors.preferences(request.user)}
    form = PreferenceForm(request.POST, kind=kind, channels=current[kind.code])
    saved = False
    if form.is_valid():
        try:
            services.set_preference(
                user=request.user,  # type: ignore[arg-type]
                kind=kind.code,
                in_app=form.cleaned_data["in_app"],
                email=form.cleaned_data["email"],
                sms=form.cleaned_data["sms"],
            )
            saved = True
        except InvalidInput as exc:
            for field, errors in exc.field_errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)

    if wants_partial(request):
        row = next(r for r in _rows(request, None if saved else form) if r["kind"] == kind)
        row["saved"] = saved
        # 200 even with errors: htmx only swaps successful responses into the page.
        return render(request, "notifications/_preference_form.html", {"row": row})
    if saved:
        messages.success(request, _("“%(kind)s”的接收方式已保存。") % {"kind": kind.label})
        return redirect("notifications:preferences")
    return render(
        request, "notifications/preferences.html", {"rows": _rows(request, form)}, status=422
    )
