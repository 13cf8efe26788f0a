"""Pages of the suggestions supervision dashboard: the figures with charts, the drill-down list
behind each figure, the Excel export of all records and the yearly compilation PDF. Reads
through renda.suggestions.dashboard; exports audited through the web services."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from renda.cases.models import CaseStatus, ResultClass
from renda.core.dates import local_date
from renda.core.forms import Form
from renda.core.models import RegionLevel
from renda.core.requests import acting_user, wants_partial
from renda.suggestions import dashboard
from renda.suggestions.dashboard import DashboardFilters, RecordFilters
from renda.suggestions.models import SuggestionStatus
from renda.web import exports
from renda.web import services as web_services
from renda.web.forms import FastSelect

PER_PAGE = 20
# Units listed on the dashboard before "show all": a city has hundreds of handling units, a
# table a phone cannot use and the page should not render on every visit.
UNIT_ROWS = 30
EXPORT_HEADERS = (
    gettext_lazy("编号"),
    gettext_lazy("标题"),
    gettext_lazy("领衔代表"),
    gettext_lazy("人大"),
    gettext_lazy("会议"),
    gettext_lazy("分类"),
    gettext_lazy("建议状态"),
    gettext_lazy("办理状态"),
    gettext_lazy("主办单位"),
    gettext_lazy("答复期限"),
    gettext_lazy("办理结果"),
    gettext_lazy("代表评价"),
)


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class DashboardForm(Form):
    # A city office chooses among two hundred-odd congresses: rendered in Python.
    congress = forms.TypedChoiceField(
        label=gettext_lazy("人大"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    session = forms.TypedChoiceField(
        label=gettext_lazy("会议"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    year = forms.TypedChoiceField(
        label=gettext_lazy("年度"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        congresses = dashboard.congresses(user).order_by("region_id")
        _choices(self, "congress").choices = [("", _("全部"))] + [
            (c.pk, c.name) for c in congresses
        ]
        _choices(self, "session").choices = [("", _("全部")), (0, _("闭会期间"))] + [
            (n, _("第%(n)d次会议") % {"n": n}) for n in range(1, 11)
        ]
        this_year = local_date().year
        _choices(self, "year").choices = [("", _("全部"))] + [
            (y, str(y)) for y in range(this_year, this_year - 6, -1)
        ]

    def filters(self) -> DashboardFilters:
        if not self.is_bound or not self.is_valid():
            return DashboardFilters()
        data = self.cleaned_data
        return DashboardFilters(
            congress=data.get("congress"), session=data.get("session"), year=data.get("year")
        )


def _require_view(user: Any) -> None:
    if not dashboard.can_view(user):
        raise PermissionDenied(_("您没有查看议案建议办理统计的权限。"))


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _links(filters: DashboardFilters) -> Callable[..., str]:
    """The drill-down link of each figure under ``filters``, the path resolved once: a city's
    page has a link for every lead unit."""
    path = reverse("suggestions:dashboard_records") + "?"
    return lambda **extra: path + urlencode(filters.query(**extra))


@login_required
@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    _require_view(user)
    form = DashboardForm(request.GET or None, user=user)
    filters = form.filters()
    board = dashboard.dashboard(user, filters)
    all_units = request.GET.get("units") == "all"
    figures = board.case_figures
    charts = board.charts()
    link = _links(filters)
    base = link()
    context = {
        "form": form,
        "board": board,
        "figures": figures,
        "is_staff": dashboard.is_staff(user),
        "records_url": base,
        "status_rows": [(b, link(status=b.key)) for b in board.by_status],
        "case_rows": [(b, link(case_status=b.key)) for b in board.by_case_status],
        "category_rows": [(b, link(category=b.key)) for b in board.by_category],
        "level_rows": [(b, link(level=b.key)) for b in board.by_level],
        "unit_rows": [
            (u, link(unit=u.unit_id))
            for u in (board.by_unit if all_units else board.by_unit[:UNIT_ROWS])
        ],
        "units_hidden": 0 if all_units else max(0, len(board.by_unit) - UNIT_ROWS),
        "all_units_url": "?" + urlencode({**filters.query(), "units": "all"}),
        "class_rows": [
            (
                label,
                figures.by_class.get(key, 0),
                percent(figures.class_shares.get(key)),
                link(result=key),
            )
            for key, label in ResultClass.choices
        ],
        "overdue_url": link(overdue=1),
        "cases_url": link(status=SuggestionStatus.ASSIGNED),
        "sign_rate": percent(figures.sign_rate),
        "on_time_rate": percent(figures.on_time_rate),
        "satisfaction_rate": percent(figures.satisfaction_rate),
        "charts": charts,
        "chart_base": base,
        "export_query": filters.query(),
        "can_export": dashboard.can_export(user),
    }
    return render(request, "suggestions/dashboard.html", context)


def record_filters(data: Any) -> RecordFilters:
    def choice(name: str, allowed: list[str]) -> str:
        value = str(data.get(name, ""))
        return value if value in allowed else ""

    overdue = str(data.get("overdue", "")) in {"1", "true", "on"}
    return RecordFilters(
        status=choice("status", list(SuggestionStatus.values)),
        case_status=choice("case_status", list(CaseStatus.values)),
        unit=_int(data.get("unit")),
        category=str(data.get("category", ""))[:40],
        level=choice("level", list(RegionLevel.values)),
        overdue=overdue,
        result=choice("result", list(ResultClass.values)),
        q=str(data.get("q", ""))[:100],
    )


def _describe(record: RecordFilters) -> list[str]:
    parts = []
    if record.status:
        parts.append(str(SuggestionStatus(record.status).label))
    if record.case_status:
        parts.append(str(CaseStatus(record.case_status).label))
    if record.level:
        parts.append(str(RegionLevel(record.level).label))
    if record.result:
        parts.append(str(ResultClass(record.result).label))
    if record.overdue:
        parts.append(_("已逾期"))
    return parts


@login_required
@require_GET
def records_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    _require_view(user)
    form = DashboardForm(request.GET or None, user=user)
    filters = form.filters()
    record = record_filters(request.GET)
    items = dashboard.records(user, filters, record)
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "items": list(page.object_list),
        "described": _describe(record),
        "dashboard_url": reverse("suggestions:dashboard") + "?" + urlencode(filters.query()),
        "is_staff": dashboard.is_staff(user),
        "query": params.urlencode(),
        "status_labels": dict(CaseStatus.choices),
        "result_labels": dict(ResultClass.choices),
    }
    template = (
        "suggestions/dashboard_records.html#results"
        if wants_partial(request)
        else "suggestions/dashboard_records.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not dashboard.can_export(user):
        raise PermissionDenied(_("您没有导出议案建议的权限。"))
    filters = DashboardForm(request.POST, user=user).filters()
    record = record_filters(request.POST)
    rows = list(dashboard.export_rows(dashboard.records(user, filters, record)))
    content = exports.to_xlsx(_("议案建议办理情况"), [str(h) for h in EXPORT_HEADERS], rows)
    web_services.record_export(
        actor=user,
        object_type="suggestions.suggestion",
        fmt="xlsx",
        rows=len(rows),
        filters={**dataclasses.asdict(filters), **dataclasses.asdict(record)},
        label=_("议案建议办理情况"),
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(content, content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = (
        content_disposition_header(True, f"suggestions-{stamp}.xlsx") or "attachment"
    )
    return response
