"""System administration: accounts, their roles and jurisdictions, and failed background
work (系统管理)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renda.console import selectors as console_selectors
from renda.console import services as console_services
from renda.console.forms import AccountFilterForm, GrantForm, NewAccountForm
from renda.core import policies, selectors, services
from renda.core.errors import InvalidInput, NotFound, NotPermitted, RendaError
from renda.core.models import Region, RoleGrant, User
from renda.core.policies import Action
from renda.core.requests import acting_user, show_service_errors, wants_partial


def _require_admin(request: HttpRequest) -> None:
    if not policies.accounts.allows_anywhere(request.user, Action.CHANGE):
        raise NotPermitted()


def _manageable_regions(user: Any) -> QuerySet[Region]:
    return policies.regions.filter(user, Region.objects.all(), Action.CHANGE).order_by("code")


@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = AccountFilterForm(request.GET or None)
    qs = policies.accounts.filter(request.user, User.objects.select_related("person__region"))
    if form.is_valid():
        if q := form.cleaned_data["q"].strip():
            qs = qs.filter(Q(username__icontains=q) | Q(person__name__contains=q))
        if role := form.cleaned_data["role"]:
            qs = qs.filter(grants__role=role).distinct()
    page = Paginator(qs.order_by("username"), 30).get_page(request.GET.get("page"))
    rows = list(page)
    grants: dict[int, list[RoleGrant]] = {}
    for grant in RoleGrant.objects.filter(user__in=rows).select_related("region", "organization"):
        grants.setdefault(grant.user_id, []).append(grant)
    context = {"form": form, "page": page, "rows": [(u, grants.get(u.pk, [])) for u in rows]}
    template = (
        "console/accounts.html#results" if wants_partial(request) else "console/accounts.html"
    )
    return render(request, template, context)


@login_required
def account_new(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = NewAccountForm(request.POST or None, regions=_manageable_regions(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                person = services.create_person(
                    actor=acting_user(request),
                    region=data["region"],
                    name=data["name"],
                    phone=data["phone"],
                    id_number=data["id_number"],
                    employer=data["employer"],
                    post=data["post"],
                )
                account = services.create_account(
                    actor=acting_user(request),
                    username=data["username"],
                    person=person,
                )
                temporary = services.reset_password(actor=acting_user(request), user=account)
        except RendaError as exc:
            show_service_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "账号 %(u)s 已建立。初始密码:%(p)s(仅显示这一次,请当面或电话告知本人,首次登录须修改)。"
                )
                % {"u": account.username, "p": temporary},
            )
            return redirect("console:account", account.pk)
    return render(request, "console/account_new.html", {"form": form})


def _grant_form(request: HttpRequest, data: Any = None) -> GrantForm:
    regions = _manageable_regions(request.user)
    return GrantForm(
        data,
        regions=regions,
        organizations=selectors.organizations(request.user).filter(is_active=True),
    )


@login_required
def account(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    target = policies.accounts.get(request.user, Action.CHANGE, pk=pk)
    form = _grant_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_role(
                actor=acting_user(request),
                user=target,
                role=form.cleaned_data["role"],
                region=form.cleaned_data["region"],
                organization=form.cleaned_data["organization"],
            )
        except RendaError as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, _("已授予角色。"))
            return redirect("console:account", target.pk)
    grants = target.grants.select_related("region", "organization").order_by("role")
    return render(
        request, "console/account.html", {"target": target, "grants": grants, "form": form}
    )


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int, grant_id: int) -> HttpResponse:
    _require_admin(request)
    target = policies.accounts.get(request.user, Action.CHANGE, pk=pk)
    grant = target.grants.filter(pk=grant_id).first()
    if grant is None:
        messages.error(request, _("该授权已不存在,可能已被他人撤销。"))
    else:
        services.revoke_role(actor=acting_user(request), grant=grant)
        messages.success(request, _("已撤销“%(role)s”角色。") % {"role": grant.get_role_display()})
    return redirect("console:account", target.pk)


@login_required
@require_POST
def reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    target = policies.accounts.get(request.user, Action.CHANGE, pk=pk)
    temporary = services.reset_password(actor=acting_user(request), user=target)
    messages.success(
        request,
        _("已重置 %(u)s 的密码。临时密码:%(p)s(仅显示这一次,首次登录须修改)。")
        % {"u": target.username, "p": temporary},
    )
    return redirect("console:account", target.pk)


@login_required
@require_POST
def set_active(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    target = policies.accounts.get(request.user, Action.CHANGE, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.set_account_active(actor=acting_user(request), user=target, active=active)
    except InvalidInput as exc:
        messages.error(request, exc.summary)
    else:
        messages.success(
            request, _("账号已启用。") if active else _("账号已停用,该用户将无法登录。")
        )
    return redirect("console:account", target.pk)


@login_required
def failed_tasks(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    return render(request, "console/failed_tasks.html", {"rows": console_selectors.failed_work()})


@login_required
@require_POST
def failed_task_action(request: HttpRequest, task_id: str) -> HttpResponse:
    _require_admin(request)
    action = request.POST.get("action")
    try:
        if action == "retry":
            work = console_services.retry_failed_task(actor=acting_user(request), task_id=task_id)
            messages.success(
                request, _("已重新排队：%(task)s，稍后由任务进程执行。") % {"task": work.task_name}
            )
        elif action == "dismiss":
            work = console_services.dismiss_failed_task(actor=acting_user(request), task_id=task_id)
            messages.success(request, _("已忽略：%(task)s。") % {"task": work.task_name})
        else:
            messages.error(request, _("请选择“重新执行”或“忽略”。"))
    except NotFound as exc:
        messages.error(request, exc.summary)
    return redirect("console:failed_tasks")
