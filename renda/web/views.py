"""Pages of the interface frame: home, workbench, the jurisdiction-scoped lists and the audit
log. Views stay thin: reads go through ``renda.core.selectors`` and the policies, writes
through services, and domain errors become the Chinese 403/404 pages."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from renda.core import crypto, policies, selectors, services, workbench
from renda.core.dates import local_date
from renda.core.models import AuditEvent, Person, Role, User
from renda.core.policies import Action
from renda.core.requests import acting_user, local_url, wants_partial
from renda.web import exports
from renda.web import services as web_services
from renda.web.context_processors import LARGE_TEXT_COOKIE
from renda.web.forms import AuditFilterForm, OrganizationFilterForm, PersonFilterForm

PER_PAGE = 20
AUDIT_PER_PAGE = 50
EXPORT_LIMIT = 100_000
LARGE_TEXT_MAX_AGE = 60 * 60 * 24 * 365 * 5


def _page(request: HttpRequest, queryset: QuerySet[Any], per_page: int = PER_PAGE) -> Page[Any]:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


# Public pages -----------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


@require_POST
def large_text(request: HttpRequest) -> HttpResponse:
    """Switch the large-text, high-contrast mode (适老化): kept on the account for signed-in
    users, and in a long-lived cookie so the choice also holds before signing in."""
    enabled = request.POST.get("enabled") == "1"
    if isinstance(request.user, User) and request.user.is_authenticated:
        services.set_large_text(user=request.user, enabled=enabled)
    response = HttpResponseRedirect(
        local_url(request, request.POST.get("next") or request.META.get("HTTP_REFERER"))
        or reverse("web:home")
    )
    if enabled:
        response.set_cookie(
            LARGE_TEXT_COOKIE,
            "1",
            max_age=LARGE_TEXT_MAX_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE, samesite="Lax")
    return response


# Workbench ----------------------------------------------------------------------------------------


@login_required
@require_GET
def workbench_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    grants = policies.grants_of(user)
    roles = {g.role for g in grants}
    if user.is_superuser:
        roles.add(Role.ADMIN)
    region_names = dict(
        selectors.regions(user)
        .filter(code__in={g.region_code for g in grants})
        .values_list("code", "name")
    )
    org_ids = {g.organization_id for g in grants if g.organization_id}
    org_names = (
        dict(selectors.organizations(user).filter(id__in=org_ids).values_list("id", "name"))
        if org_ids
        else {}
    )
    labels = dict(Role.choices)
    grant_rows = [
        {
            "role": labels.get(g.role, g.role),
            "region": region_names.get(g.region_code, g.region_code),
            "organization": org_names.get(g.organization_id) if g.organization_id else "",
        }
        for g in sorted(grants, key=lambda g: (list(Role.values).index(g.role), g.region_code))
    ]
    panels: list[dict[str, Any]] = []
    for panel in workbench.panels_for(roles):
        context = panel.build(user)
        if context is not None:
            panels.append({"panel": panel, "context": context})
    role_names = [str(labels[r]) for r in Role.values if r in roles]
    return render(
        request,
        "web/workbench.html",
        {
            "today": local_date(),
            "role_names": role_names,
            "grant_rows": grant_rows,
            "panels": panels,
            # Panels that draw a chart put its data under "chart"; only then is ECharts loaded.
            "has_chart": any(p["context"].get("chart") for p in panels),
        },
    )


# Jurisdiction-scoped lists --------------------------------------------------------------------------


def _require_listing(policy: policies.Policy[Any], user: User) -> None:
    # Lists are for those who look after a region or an organization; a deputy or a citizen
    # reaches their own record through "我的资料" instead.
    if not policy.lists_region(user):
        raise PermissionDenied(_("您没有查看此页面的权限。"))


@login_required
@require_GET
@vary_on_headers("HX-Request")
def organizations(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    _require_listing(policies.organizations, user)
    form = OrganizationFilterForm(request.GET or None, user=user)
    queryset = selectors.organizations(
        user,
        kind=form.value("kind"),
        region=form.value("region"),
        q=form.value("q") or "",
    )
    context = {"form": form, "page": _page(request, queryset)}
    template = (
        "web/organizations.html#results" if wants_partial(request) else "web/organizations.html"
    )
    return render(request, template, context)


def _person_rows(user: User, people: list[Person]) -> list[dict[str, Any]]:
    """Lists always mask numbers (but the user's own): seeing someone's full number is a
    deliberate, audited step on their page."""
    return [
        {
            "person": p,
            "phone": p.phone if p.pk == user.person_id else crypto.mask_phone(p.phone),
        }
        for p in people
    ]


@login_required
@require_GET
@vary_on_headers("HX-Request")
def people(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    _require_listing(policies.people, user)
    form = PersonFilterForm(request.GET or None, user=user)
    queryset = selectors.people(user, q=form.value("q") or "", region=form.value("region"))
    page = _page(request, queryset)
    context = {"form": form, "page": page, "rows": _person_rows(user, list(page.object_list))}
    template = "web/people.html#results" if wants_partial(request) else "web/people.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    record = policies.people.get(user, pk=pk)
    own = record.pk == user.person_id
    sensitive = selectors.can_view_sensitive(user, record)
    # Others' full numbers are shown only on an explicit request, which is audited.
    revealed = own or (sensitive and request.method == "POST")
    if revealed and not own:
        services.reveal_person_contact(actor=user, person=record)
    return render(
        request,
        "web/person.html",
        {
            "person": record,
            "sensitive": sensitive,
            "revealed": revealed,
            "phone": record.phone if revealed else crypto.mask_phone(record.phone),
            "id_number": record.id_number if revealed else crypto.mask_id_number(record.id_number),
            "can_list": policies.people.lists_region(user),
        },
    )


# Audit log ------------------------------------------------------------------------------------------


def _object_types(user: User) -> list[str]:
    return list(
        selectors.audit_events(user)
        .order_by()
        .exclude(object_type="")
        .values_list("object_type", flat=True)
        .distinct()
    )


def _audit_form(user: User, data: Any) -> AuditFilterForm:
    return AuditFilterForm(data or None, object_types=_object_types(user))


@login_required
@require_GET
@vary_on_headers("HX-Request")
def audit(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not policies.audit.allows_anywhere(user, Action.VIEW):
        raise PermissionDenied(_("只有系统管理员可以查看审计日志。"))
    form = _audit_form(user, request.GET)
    queryset = selectors.audit_events(user, **form.filters())
    context = {
        "form": form,
        "page": _page(request, queryset, AUDIT_PER_PAGE),
        "can_export": policies.audit.allows_anywhere(user, Action.EXPORT),
    }
    template = "web/audit.html#results" if wants_partial(request) else "web/audit.html"
    return render(request, template, context)


AUDIT_HEADERS = (
    gettext_lazy("时间"),
    gettext_lazy("操作人"),
    gettext_lazy("来源地址"),
    gettext_lazy("操作"),
    gettext_lazy("对象类型"),
    gettext_lazy("对象编号"),
    gettext_lazy("对象"),
    gettext_lazy("区划代码"),
    gettext_lazy("修改前"),
    gettext_lazy("修改后"),
    gettext_lazy("说明"),
)


def _audit_row(event: AuditEvent) -> list[Any]:
    return [
        event.at,
        event.actor_name,
        event.ip or "",
        event.get_action_display(),
        event.object_type,
        event.object_id,
        event.object_repr,
        event.region_code,
        "" if event.before is None else _json(event.before),
        "" if event.after is None else _json(event.after),
        event.message,
    ]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@login_required
@require_POST
def audit_export(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not policies.audit.allows_anywhere(user, Action.EXPORT):
        raise PermissionDenied(_("只有系统管理员可以导出审计日志。"))
    fmt = request.POST.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        fmt = "xlsx"
    filter_data = {
        k: request.POST.get(k, "") for k in ("action", "actor", "object_type", "since", "until")
    }
    form = _audit_form(user, filter_data)
    if not form.is_valid():
        messages.error(request, _("筛选条件有误,请修改后再导出。"))
        query = urlencode({k: v for k, v in filter_data.items() if v})
        return redirect(f"{reverse('web:audit')}?{query}" if query else reverse("web:audit"))
    filters = form.filters()
    events = list(selectors.audit_events(user, **filters)[:EXPORT_LIMIT])
    headers = [str(h) for h in AUDIT_HEADERS]
    rows = (_audit_row(e) for e in events)
    if fmt == "csv":
        content, content_type = exports.to_csv(headers, rows), exports.CSV_TYPE
    else:
        content, content_type = exports.to_xlsx(_("审计日志"), headers, rows), exports.XLSX_TYPE
    web_services.record_export(
        actor=user,
        object_type="core.auditevent",
        fmt=fmt,
        rows=len(events),
        filters=filters,
        label=_("审计日志"),
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{fmt}"'
    return response
