"""Pages of the duty ledgers: the roll-up table with its live filter, charts and drill-down,
its Excel export, and the list of deputies without recorded activity. Reads through the
selectors, exports audited through the web services."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from renda.core.dates import local_date
from renda.core.models import PREFIX_LENGTH, RegionLevel
from renda.core.policies import Action
from renda.core.requests import acting_user, wants_partial
from renda.duties.models import ORGANIZED_KINDS, ActivityKind
from renda.ledgers import policies, selectors
from renda.ledgers.forms import InactiveFilterForm, LedgerFilterForm
from renda.ledgers.selectors import By, Ledger, LedgerFilters, Row
from renda.web import exports
from renda.web import services as web_services


def _require_view(user: Any) -> None:
    if not selectors.can_view(user):
        raise PermissionDenied(_("您没有查看履职统计台账的权限。"))


def _require_export(user: Any) -> None:
    if not selectors.can_export(user):
        raise PermissionDenied(_("您没有导出履职统计台账的权限。"))


def _columns(ledger: Ledger) -> list[tuple[str, str]]:
    """The organized kinds and suggestions always; the other module kinds when counted."""
    always = {str(k) for k in ORGANIZED_KINDS} | {str(ActivityKind.SUGGESTION)}
    return [(k, label) for k, label in ledger.kinds if k in always or ledger.total.kinds.get(k)]


def _breadcrumb(user: Any, filters: LedgerFilters) -> list[dict[str, str]]:
    """Links from the user's widest region down to the one shown."""
    home = policies.records.home_region(user, Action.VIEW)
    if not filters.region or not home or filters.region == home:
        return []
    level = selectors.region_level(filters.region)
    if level is None:
        return []
    codes = [
        filters.region[: PREFIX_LENGTH[lv]].ljust(12, "0")
        for lv in (RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP)
        if PREFIX_LENGTH[lv] <= PREFIX_LENGTH[level]
    ]
    names = selectors.region_names(codes)
    home_length = len(home.rstrip("0"))
    crumbs = []
    for code in dict.fromkeys(codes):
        if code not in names or len(code.rstrip("0")) < home_length:
            continue
        params = filters.drill(
            region=code, own="", station="", group="", by=selectors.default_by(code)
        )
        crumbs.append({"name": names[code], "query": urlencode(params)})
    return crumbs


def _rows_context(ledger: Ledger, columns: list[tuple[str, str]]) -> list[dict[str, Any]]:
    year = ledger.filters.date_to.year
    keys = [k for k, _label in columns]
    rows = []
    for row in ledger.rows:
        item: dict[str, Any] = {
            "row": row,
            "kind_counts": row.kind_counts(keys),
            "rate": _percent(row.attendance_rate),
        }
        if row.mandate_id:
            item["detail_url"] = reverse("deputies:detail", args=[row.mandate_id])
            item["breakdown_url"] = reverse("points:breakdown", args=[row.mandate_id, year])
        elif row.drill is not None:
            item["drill_query"] = urlencode(row.drill)
        rows.append(item)
    return rows


@login_required
@require_GET
@vary_on_headers("HX-Request")
def ledger_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    _require_view(user)
    form = LedgerFilterForm(request.GET or None, user=user)
    filters = form.filters()
    if not form.is_bound:
        form = LedgerFilterForm(initial=_initial(filters), user=user)
    ledger = selectors.ledger(user, filters, request.GET.get("page"))
    columns = _columns(ledger)
    context = {
        "form": form,
        "ledger": ledger,
        "rows": _rows_context(ledger, columns),
        "columns": columns,
        "total_rate": _percent(ledger.total.attendance_rate),
        "total_counts": ledger.total.kind_counts([k for k, _label in columns]),
        "charts": ledger.charts(),
        "crumbs": _breadcrumb(user, filters),
        "export_query": filters.drill(by=filters.by),
        "can_export": selectors.can_export(user),
        "by_deputy": filters.by == By.DEPUTY,
        "page": ledger.page,
    }
    template = "ledgers/ledger.html#results" if wants_partial(request) else "ledgers/ledger.html"
    return render(request, template, context)


def _initial(filters: LedgerFilters) -> dict[str, Any]:
    return {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "by": filters.by,
        "region": filters.region or "",
    }


def _percent(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.1f}%"


def export_headers(columns: list[tuple[str, str]], by_deputy: bool) -> list[str]:
    first = [_("代表"), _("所属人大")] if by_deputy else [_("统计单位"), _("说明"), _("代表数")]
    return [
        *first,
        _("履职活动合计"),
        *[label for _k, label in columns],
        _("出席"),
        _("请假"),
        _("缺席"),
        _("出席率"),
        _("积分"),
    ]


def export_row(row: Row, columns: list[tuple[str, str]], by_deputy: bool) -> list[Any]:
    first: list[Any] = [row.label, row.note] if by_deputy else [row.label, row.note, row.deputies]
    return [
        *first,
        row.activities,
        *row.kind_counts([k for k, _label in columns]),
        row.attended,
        row.leave,
        row.absent,
        _percent(row.attendance_rate),
        float(row.points),
    ]


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    _require_export(user)
    form = LedgerFilterForm(request.POST, user=user)
    filters = form.filters()
    by_deputy = filters.by == By.DEPUTY
    ledger = selectors.ledger(user, filters)
    columns = _columns(ledger)
    source = selectors.all_deputy_rows(user, filters) if by_deputy else ledger.rows
    rows = [export_row(r, columns, by_deputy) for r in source]
    rows.append(_total_line(ledger.total, columns, by_deputy))
    content = exports.to_xlsx(_("履职统计台账"), export_headers(columns, by_deputy), rows)
    web_services.record_export(
        actor=user,
        object_type="ledgers.ledger",
        fmt="xlsx",
        rows=len(source),
        filters=dataclasses.asdict(filters),
        label=_("履职统计台账"),
    )
    return _xlsx(content, "ledger")


def _total_line(total: Row, columns: list[tuple[str, str]], by_deputy: bool) -> list[Any]:
    line = export_row(total, columns, False)
    # The deputy layout has one column fewer before the counts (no deputies column).
    return [line[0], "", *line[3:]] if by_deputy else line


def _xlsx(content: bytes, name: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(content, content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{name}-{stamp}.xlsx") or ""
    return response


# Inactive deputies -------------------------------------------------------------------------------


@login_required
@require_GET
@vary_on_headers("HX-Request")
def inactive_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    _require_view(user)
    form = InactiveFilterForm(request.GET or None, user=user)
    values = form.values()
    queryset = selectors.inactive(user, **values)
    page = Paginator(queryset, selectors.INACTIVE_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "months": values["months"],
        "cutoff": selectors.months_before(local_date(), values["months"]),
        "export_query": {k: str(v) for k, v in values.items() if v},
        "can_export": selectors.can_export(user),
    }
    template = (
        "ledgers/inactive.html#results" if wants_partial(request) else "ledgers/inactive.html"
    )
    return render(request, template, context)


def _inactive_rows(queryset: Any) -> Iterator[list[Any]]:
    for mandate in queryset.iterator(chunk_size=2000):
        yield [
            mandate.person.name,
            mandate.term.congress.name,
            mandate.region.get_level_display(),
            mandate.last_record or _("本届尚无"),
        ]


@login_required
@require_POST
def inactive_export(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    _require_export(user)
    values = InactiveFilterForm(request.POST, user=user).values()
    rows = list(_inactive_rows(selectors.inactive(user, **values)))
    headers = [_("代表"), _("所属人大"), _("层级"), _("最近一次履职")]
    content = exports.to_xlsx(_("未履职代表"), headers, rows)
    web_services.record_export(
        actor=user,
        object_type="ledgers.inactive",
        fmt="xlsx",
        rows=len(rows),
        filters=values,
        label=_("近期未履职代表名单"),
    )
    return _xlsx(content, "inactive-deputies")
