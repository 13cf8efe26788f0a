"""Pages of the deputies' registry: the list with its live filter and export, a mandate's
page with status changes, and the spreadsheet import (upload, report, confirm, progress).
Views stay thin: reads through the selectors, writes through the services, authorization
through the mandate policy."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRefresh

from renda.core import crypto, policies
from renda.core.errors import NotPermitted, RendaError
from renda.core.models import User
from renda.core.policies import Action
from renda.core.requests import acting_user, show_service_errors, wants_partial
from renda.deputies import selectors, services, spreadsheet
from renda.deputies.forms import (
    ConfirmForm,
    ImportUploadForm,
    MandateFilterForm,
    RecheckForm,
    StatusChangeForm,
)
from renda.deputies.models import DeputyImport, ImportMode, ImportStatus, Mandate
from renda.deputies.policies import mandates as mandate_policy
from renda.deputies.workflows import MANDATE
from renda.web import exports
from renda.web import services as web_services

PER_PAGE = 20
ERRORS_PER_PAGE = 100
EXPORT_LIMIT = 100_000


# The registry ---------------------------------------------------------------------------------


def _require_list(user: User) -> None:
    if not selectors.can_list(user):
        raise PermissionDenied(_("您没有查看代表名册的权限。"))


def _rows(user: User, page_mandates: list[Mandate]) -> list[dict[str, Any]]:
    """Lists always mask phone numbers (but the user's own)."""
    return [
        {
            "mandate": m,
            "phone": m.person.phone
            if m.person_id == user.person_id
            else crypto.mask_phone(m.person.phone),
        }
        for m in page_mandates
    ]


@login_required
@require_GET
@vary_on_headers("HX-Request")
def mandate_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    _require_list(user)
    form = MandateFilterForm(request.GET or None, user=user)
    queryset = selectors.with_related(
        selectors.mandates(user, form.filters()), selectors.LIST_RELATED
    )
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": _rows(user, list(page.object_list)),
        "export_query": form.query(),
        "can_export": mandate_policy.allows_anywhere(user, Action.EXPORT),
        "can_import": mandate_policy.allows_anywhere(user, Action.CREATE),
    }
    template = "deputies/list.html#results" if wants_partial(request) else "deputies/list.html"
    return render(request, template, context)


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not mandate_policy.allows_anywhere(user, Action.EXPORT):
        raise PermissionDenied(_("您没有导出代表名册的权限。"))
    form = MandateFilterForm(request.POST, user=user)
    filters = form.filters()
    queryset = mandate_policy.filter(user, selectors.mandates(user, filters), Action.EXPORT)
    total = queryset.count()
    if total > EXPORT_LIMIT:
        messages.error(
            request,
            _("符合条件的代表有 %(n)d 条,超过一次导出的上限 %(limit)d 条,请缩小筛选范围。")
            % {"n": total, "limit": EXPORT_LIMIT},
        )
        return redirect("deputies:list")
    rows = list(selectors.export_rows(user, queryset))
    content = exports.to_xlsx(spreadsheet.SHEET_TITLE, spreadsheet.headers(), rows)
    web_services.record_export(
        actor=user,
        object_type="deputies.mandate",
        fmt="xlsx",
        rows=len(rows),
        filters=dataclasses.asdict(filters),
        label=_("代表名册"),
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(content, content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = (
        content_disposition_header(True, f"deputies-{stamp}.xlsx") or "attachment"
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def mandate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    record = selectors.mandate(user, pk)
    can_change = mandate_policy.can(user, record, Action.CHANGE)
    form: StatusChangeForm | None = None
    if can_change:
        form = StatusChangeForm(
            request.POST or None, initial={"effective_on": timezone.localdate()}
        )
    if request.method == "POST":
        if form is None:
            raise NotPermitted()
        if form.is_valid():
            try:
                services.change_status(actor=user, mandate=record, **form.cleaned_data)
            except RendaError as exc:
                show_service_errors(form, exc)
            else:
                messages.success(request, _("已记录代表资格变动。"))
                return redirect("deputies:detail", record.pk)
    person = record.person
    own = person.pk == user.person_id
    return render(
        request,
        "deputies/detail.html",
        {
            "mandate": record,
            "person": person,
            "phone": person.phone if own else crypto.mask_phone(person.phone),
            "id_number": person.id_number if own else crypto.mask_id_number(person.id_number),
            "can_view_person": policies.people.can(user, person),
            "others": selectors.other_mandates(user, record),
            "events": selectors.events(record),
            "form": form,
            "show_form": form is not None
            and (bool(MANDATE.available(user, record)) or form.is_bound),
            "can_list": mandate_policy.lists_region(user),
        },
    )


# Import -----------------------------------------------------------------------------------------


def _require_import(user: User) -> None:
    if not mandate_policy.allows_anywhere(user, Action.CREATE):
        raise PermissionDenied(_("只有人大机关工作人员可以导入代表名册。"))


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    _require_import(user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            deputy_import = services.upload_import(
                actor=user,
                upload=form.cleaned_data["file"],
                create_missing=form.cleaned_data["create_missing"],
            )
        except RendaError as exc:
            show_service_errors(form, exc)
        else:
            return redirect("deputies:import_detail", deputy_import.pk)
    return render(
        request,
        "deputies/import.html",
        {"form": form, "imports": selectors.recent_imports(user)},
    )


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    _require_import(user)
    content = spreadsheet.template_workbook(selectors.template_example(user))
    response = HttpResponse(content, content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = (
        content_disposition_header(True, _("代表名册导入模板") + ".xlsx") or "attachment"
    )
    return response


def _progress(item: DeputyImport) -> dict[str, Any]:
    """What the progress bar shows: the step, and a percentage when there is one."""
    total, done = item.total_rows, item.processed_rows
    percent: int | None = min(100, done * 100 // total) if total else None
    if item.status == ImportStatus.PENDING:
        stage, percent = _("已上传,正在排队等待校验…"), None
    elif item.status == ImportStatus.QUEUED:
        stage, percent = _("已确认,正在排队等待导入…"), None
    elif item.status == ImportStatus.CHECKING:
        stage = _("正在逐行校验…")
    elif item.status == ImportStatus.IMPORTING and total and done >= total:
        stage, percent = _("校验完毕,正在写入数据库…"), None
    elif item.status == ImportStatus.IMPORTING:
        stage = _("正在导入:导入前再次逐行核对…")
    else:
        stage = item.get_status_display()
    return {"item": item, "stage": stage, "percent": percent}


@login_required
@require_GET
@vary_on_headers("HX-Request")
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    item = selectors.deputy_import(user, pk)
    errors = Paginator(item.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    summary = item.summary or {}
    file_errors = any(e.get("file") for e in item.errors)
    mine = item.created_by_id == user.pk
    context = {
        **_progress(item),
        "errors": errors,
        "summary": summary,
        "new_links": [
            (label, summary.get("new", {}).get(key, []))
            for key, label in (
                ("delegation", _("代表团")),
                ("group", _("代表小组")),
                ("constituency", _("选区")),
            )
        ],
        "file_errors": file_errors,
        "can_import_all": mine and item.status == ImportStatus.VALID,
        "can_import_good": mine
        and item.status == ImportStatus.INVALID
        and not file_errors
        and item.valid_rows > 0,
        "can_recheck": mine
        and bool(item.file)
        and item.status in (ImportStatus.VALID, ImportStatus.INVALID, ImportStatus.FAILED),
        "recheck_form": RecheckForm(initial={"create_missing": item.create_missing}),
        "modes": ImportMode,
    }
    template = (
        "deputies/import_detail.html#errors_table"
        if wants_partial(request)
        else "deputies/import_detail.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    item = selectors.deputy_import(user, pk)
    if not item.is_running and getattr(request, "htmx", None):
        # Done: the whole page shows the report.
        return HttpResponseClientRefresh()
    return render(request, "deputies/import_detail.html#progress", _progress(item))


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    item = selectors.deputy_import(user, pk, Action.CHANGE)
    form = ConfirmForm(request.POST)
    mode = form.cleaned_data["mode"] if form.is_valid() else ""
    try:
        item = services.confirm_import(actor=user, deputy_import=item, mode=mode)
    except RendaError as exc:
        details = [e for errs in getattr(exc, "field_errors", {}).values() for e in errs]
        messages.error(request, " ".join(details) or exc.message)
    else:
        item = services.import_now(deputy_import=item)
        if item.status == ImportStatus.DONE:
            messages.success(request, _("导入完成。"))
    return redirect("deputies:import_detail", item.pk)


@login_required
@require_POST
def import_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    item = selectors.deputy_import(user, pk, Action.CHANGE)
    form = RecheckForm(request.POST)
    form.is_valid()
    try:
        services.recheck_import(
            actor=user,
            deputy_import=item,
            create_missing=bool(form.cleaned_data.get("create_missing")),
        )
    except RendaError as exc:
        messages.error(request, exc.summary)
    return redirect("deputies:import_detail", item.pk)
