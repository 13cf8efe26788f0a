"""Pages of the study materials: the deputy's list and reading page (which records the read
receipt), the office's publishing form, list and per-material receipts with the reminder and
the non-readers' export, and the permission-checked attachment download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from renda.core.dates import local_date
from renda.core.errors import RendaError
from renda.core.policies import Action
from renda.core.requests import acting_user, show_service_errors, wants_partial
from renda.deputies.models import DeputyGroup
from renda.learning import selectors, services
from renda.learning.forms import ManageFilterForm, PublishForm
from renda.learning.models import Audience
from renda.learning.policies import materials as material_policy
from renda.web import exports
from renda.web import services as web_services

PER_PAGE = 20
RECEIPTS_PER_PAGE = 50


@login_required
@require_GET
def my_list(request: HttpRequest) -> HttpResponse:
    """The deputy's materials: big cards, unread first."""
    user = acting_user(request)
    page = Paginator(selectors.inbox(user), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/list.html",
        {
            "page": page,
            "unread": selectors.unread_count(user),
            "can_manage": selectors.can_manage(user),
        },
    )


@login_required
@require_GET
def read(request: HttpRequest, pk: int) -> HttpResponse:
    """Open one material; for an addressee this records the first time it was opened."""
    user = acting_user(request)
    item = selectors.material(user, pk)
    receipt = services.open_material(user=user, material=item)
    return render(
        request,
        "learning/read.html",
        {
            "material": item,
            "receipt": receipt,
            "can_manage": selectors.can_manage(user)
            and selectors.managed(user).filter(pk=item.pk).exists(),
        },
    )


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = acting_user(request)
    item = selectors.material(user, pk)
    if not item.has_attachment:
        raise PermissionDenied(_("这份学习资料没有附件。"))
    # Downloading the attachment is reading it too (a link in a message may lead here).
    services.open_material(user=user, material=item)
    try:
        handle = item.attachment.open("rb")
    except FileNotFoundError:
        raise Http404(_("附件文件已不存在,请联系发布单位。")) from None
    response = FileResponse(handle, content_type=item.attachment_type)
    response["Content-Disposition"] = (
        content_disposition_header(not item.attachment_is_inline, item.attachment_name) or ""
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# The office ----------------------------------------------------------------------------------


def _require_manage(user: Any) -> None:
    if not selectors.can_manage(user):
        raise PermissionDenied(_("只有人大机关工作人员可以管理学习资料。"))


@login_required
@require_GET
@vary_on_headers("HX-Request")
def manage(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    _require_manage(user)
    form = ManageFilterForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    page = Paginator(selectors.managed(user, q=q), PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "can_publish": selectors.can_publish(user)}
    template = "learning/manage.html#results" if wants_partial(request) else "learning/manage.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not selectors.can_publish(user):
        raise PermissionDenied(_("只有人大机关工作人员可以发布学习资料。"))
    form = PublishForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        congress = selectors.congresses(user).get(pk=int(data["congress"]))
        group = (
            DeputyGroup.objects.filter(pk=int(data["group"])).first()
            if data["audience"] == Audience.GROUP and data.get("group")
            else None
        )
        try:
            item = services.publish(
                actor=user,
                congress=congress,
                title=data["title"],
                body=data["body"],
                audience=data["audience"],
                group=group,
                attachment=data.get("attachment"),
            )
        except RendaError as exc:
            show_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已发布,并已通知 %(n)d 名代表。") % {"n": item.audience_count},
            )
            return redirect("learning:receipts", item.pk)
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "learning/publish.html", {"form": form}, status=status)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def receipts(request: HttpRequest, pk: int) -> HttpResponse:
    """Read count / audience count, who has read it and who has not."""
    user = acting_user(request)
    item = selectors.material(user, pk, Action.CHANGE)
    show_read = request.GET.get("show") == "read"
    page = Paginator(selectors.receipts(item, read=show_read), RECEIPTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    read_count = selectors.read_count(item)
    total = item.audience_count
    context = {
        "material": item,
        "page": page,
        "show_read": show_read,
        "read_count": read_count,
        "unread_count": total - read_count,
        "percent": round(read_count * 100 / total) if total else 0,
        "can_export": material_policy.can(user, item, Action.EXPORT),
        "today": local_date(),
    }
    template = (
        "learning/receipts.html#results" if wants_partial(request) else "learning/receipts.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def remind(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    item = selectors.material(user, pk, Action.CHANGE)
    try:
        count = services.remind_unread(actor=user, material=item)
    except RendaError as exc:
        messages.error(request, exc.summary)
    else:
        if count:
            messages.success(request, _("已向 %(n)d 名未读代表发送提醒。") % {"n": count})
        else:
            messages.info(request, _("今天已经提醒过全部未读代表,不再重复发送;明天可再次提醒。"))
    return redirect("learning:receipts", item.pk)


@login_required
@require_POST
def export_unread(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    item = selectors.material(user, pk, Action.EXPORT)
    headers = [_("姓名"), _("性别"), _("人大"), _("代表小组"), _("最近提醒日期"), _("提醒次数")]
    rows = list(selectors.unread_rows(item))
    content = exports.to_xlsx(_("未读代表"), headers, rows)
    web_services.record_export(
        actor=user,
        object_type="learning.receipt",
        fmt="xlsx",
        rows=len(rows),
        filters={"material": item.pk, "read": "no"},
        label=_("未读代表名单:%(title)s") % {"title": item.title[:50]},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(content, content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = (
        content_disposition_header(True, f"unread-{item.pk}-{stamp}.xlsx") or ""
    )
    return response
