"""Reads for the supervision dashboard (督办统计) of suggestions: the figures of the user's
jurisdiction for a congress, session and year, the overdue list, the drill-down record list
and the Excel export rows.

Offices and leaders see their jurisdiction: its suggestions as their policy shows them and
its cases; a handling unit sees only the cases it is an active lead or co-unit on (and the
suggestions behind them). Every figure is an aggregate query over one queryset, so the page
costs a handful of queries whatever the number of records; case figures reuse
renda.cases.selectors.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import CharField, Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.cases import selectors as case_selectors
from renda.cases.models import (
    Case,
    CaseStatus,
    CaseUnit,
    Evaluation,
    Rating,
    Reply,
    ResultClass,
    UnitRole,
)
from renda.cases.policies import CaseAction
from renda.cases.policies import cases as case_policy
from renda.core.dates import local_date
from renda.core.models import OVERSIGHT_ROLES, UNIT_ROLES, Congress, Region, RegionLevel
from renda.core.policies import Action, grants_of, organization_ids, region_grants_q
from renda.core.policies import Scope as Reach
from renda.suggestions import selectors
from renda.suggestions.models import Suggestion, SuggestionCategory, SuggestionStatus
from renda.suggestions.policies import suggestions as policy
from renda.suggestions.services import SOURCE_TYPE

OVERDUE_LIST_MAX = 50
STAFF_ROLES = OVERSIGHT_ROLES


@dataclass(frozen=True)
class DashboardFilters:
    congress: int | None = None
    session: int | None = None  # 0: between sessions
    year: int | None = None  # the year the suggestion was submitted

    def query(self, **extra: Any) -> dict[str, str]:
        """Query parameters of these filters plus ``extra``, for drill-down links."""
        values = {**asdict(self), **extra}
        return {k: str(v) for k, v in values.items() if v is not None and v != ""}


@dataclass(frozen=True)
class RecordFilters:
    """The drill-down: one figure's records."""

    status: str = ""  # suggestion state
    case_status: str = ""
    unit: int | None = None  # current lead unit
    category: str = ""  # a category name; NO_CATEGORY: none
    level: str = ""  # congress level
    overdue: bool = False
    result: str = ""  # result class of the latest reply
    q: str = ""


def is_staff(user: Any) -> bool:
    return user.is_superuser or any(g.role in STAFF_ROLES for g in grants_of(user))


def unit_ids(user: Any) -> list[int]:
    return sorted(organization_ids(user, *UNIT_ROLES))


def can_view(user: Any) -> bool:
    return is_staff(user) or bool(unit_ids(user))


def can_export(user: Any) -> bool:
    return policy.q(user, Action.EXPORT) is not None


def congresses(user: Any) -> QuerySet[Congress]:
    """The congresses to choose from: those of the staff's jurisdiction (no scan of the
    records), or those of a unit's cases."""
    if user.is_superuser:
        return Congress.objects.all()
    if is_staff(user):
        return Congress.objects.filter(_jurisdiction(user, policy.rules[Action.VIEW]))
    ids = scope(user, DashboardFilters()).cases.order_by().values("congress_id")
    return Congress.objects.filter(pk__in=ids)


def _period(qs: QuerySet[Suggestion], filters: DashboardFilters) -> QuerySet[Suggestion]:
    if filters.congress:
        qs = qs.filter(congress_id=filters.congress)
    if filters.session is not None:
        qs = qs.filter(session=filters.session)
    if filters.year:
        qs = qs.filter(
            submitted_at__gte=_year_start(filters.year),
            submitted_at__lt=_year_start(filters.year + 1),
        )
    return qs


def _year_start(year: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, 1, 1))


def _subject_ids(qs: QuerySet[Suggestion]) -> QuerySet[Any]:
    return qs.order_by().annotate(sid=Cast("pk", CharField())).values("sid")


@dataclass(frozen=True)
class Scope:
    suggestions: QuerySet[Suggestion]
    cases: QuerySet[Case]


def _jurisdiction(user: Any, rules: dict[str, Reach]) -> Q:
    """The regions of the user's staff grants whose role ``rules`` scope by region: one
    code-range condition per grant (everything for a superuser)."""
    staff = {role: scope for role, scope in rules.items() if role in STAFF_ROLES}
    return region_grants_q(user, staff, "region_id") or Q(pk__in=[])


def scope(user: Any, filters: DashboardFilters) -> Scope:
    """The user's suggestions and their cases for the period. Offices and leaders: those of
    their jurisdiction, the suggestions as their policy shows them there (never drafts);
    units: the suggestions of the cases they work on.

    A staff dashboard counts its jurisdiction only, not the staff member's own items
    elsewhere (as the author of a case, or as a deputy): the cases are a region-code range,
    without the case policy's author condition, whose OR would keep every figure off the
    covering index."""
    all_cases = Case.objects.filter(subject_type=SOURCE_TYPE)
    periodic = filters.congress or filters.session is not None or filters.year
    if is_staff(user):
        region = _jurisdiction(user, policy.rules[Action.VIEW])
        items = _period(policy.filter(user, Suggestion.objects.filter(region)), filters)
        cases = all_cases.filter(_jurisdiction(user, case_policy.rules[CaseAction.VIEW]))
        if periodic:
            # Without a period the range already covers the same jurisdiction: the semi-join
            # over every suggestion would only cost time.
            cases = cases.filter(subject_id__in=_subject_ids(items))
        return Scope(items, cases)
    if not unit_ids(user):
        return Scope(Suggestion.objects.none(), Case.objects.none())
    cases = case_policy.filter(user, all_cases, CaseAction.VIEW)
    if periodic:
        cases = cases.filter(
            subject_id__in=_subject_ids(_period(Suggestion.objects.all(), filters))
        )
    items = Suggestion.objects.filter(
        pk__in=cases.order_by().annotate(n=Cast("subject_id", IntegerField())).values("n")
    )
    return Scope(items, cases)


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Dashboard:
    filters: DashboardFilters
    suggestions: int
    by_status: list[Bucket]
    by_category: list[Bucket]
    by_level: list[Bucket]
    case_figures: case_selectors.Figures
    by_case_status: list[Bucket]
    by_unit: list[case_selectors.UnitFigures]
    overdue: list[Case]
    today: datetime.date

    def charts(self) -> dict[str, list[dict[str, Any]]]:
        def rows(buckets: list[Bucket], param: str) -> list[dict[str, Any]]:
            return [
                {"name": b.label, "value": b.count, "key": b.key, "param": param}
                for b in buckets
                if b.count
            ]

        units = [
            {"name": u.unit_name, "value": u.total, "key": str(u.unit_id), "param": "unit"}
            for u in self.by_unit[:15]
        ]
        return {
            "status": rows(self.by_status, "status"),
            "case_status": rows(self.by_case_status, "case_status"),
            "category": rows(self.by_category, "category"),
            "unit": units,
        }


NO_CATEGORY = "-"


def _category_names(ids: set[int]) -> dict[int, str]:
    """Category names by id; categories are per congress, the dashboard groups by name."""
    if len(ids) > 500:
        return dict(SuggestionCategory.objects.values_list("pk", "name"))
    return dict(SuggestionCategory.objects.filter(pk__in=ids).values_list("pk", "name"))


def _buckets(counts: dict[Any, int], labels: list[tuple[Any, Any]]) -> list[Bucket]:
    return [Bucket(str(key), str(label), counts.get(key, 0)) for key, label in labels]


def dashboard(
    user: Any, filters: DashboardFilters, *, today: datetime.date | None = None
) -> Dashboard:
    day = today or local_date()
    found = scope(user, filters)
    items = found.suggestions.order_by()
    # One scan for the three suggestion breakdowns: a category belongs to one congress, so
    # (status, category, region) has few rows even for a whole city.
    statuses: dict[str, int] = defaultdict(int)
    by_name: dict[str, int] = defaultdict(int)
    levels: dict[str, int] = defaultdict(int)
    # COUNT(*), not COUNT(id): the three columns are in an index, and counting the ids would
    # make PostgreSQL read every row (a Seq Scan of 115 ms for a city against an Index Only
    # Scan of the (region, status, category, submitted_at) index, 55 ms, EXPLAIN ANALYZE).
    rows = list(items.values_list("status", "category_id", "region_id").annotate(n=Count("*")))
    names = _category_names({c for _s, c, _r, _n in rows if c})
    region_levels = dict(
        Region.objects.filter(code__in={r for _s, _c, r, _n in rows}).values_list("code", "level")
    )
    for status, category, region, n in rows:
        statuses[status] += n
        by_name[names.get(category, "") if category else ""] += n
        levels[region_levels.get(region, "")] += n
    shown_statuses = [
        (s, label)
        for s, label in SuggestionStatus.choices
        if s != SuggestionStatus.DRAFT or statuses.get(s)
    ]
    by_category = sorted(
        (Bucket(name or NO_CATEGORY, name or _("未分类"), n) for name, n in by_name.items()),
        key=lambda b: (-b.count, b.label),
    )
    figures, by_unit = case_selectors.figures_with_units(found.cases, today=day)
    overdue = list(
        found.cases.filter(case_selectors.overdue_q(day))
        .select_related("lead_unit")
        .order_by("due_on", "id")[:OVERDUE_LIST_MAX]
    )
    return Dashboard(
        filters=filters,
        suggestions=sum(statuses.values()),
        by_status=_buckets(statuses, shown_statuses),
        by_category=by_category,
        by_level=[b for b in _buckets(levels, list(RegionLevel.choices)) if b.count],
        case_figures=figures,
        by_case_status=_buckets(figures.by_status, list(CaseStatus.choices)),
        by_unit=by_unit,
        overdue=overdue,
        today=day,
    )


# Drill-down and export -----------------------------------------------------------------------


def records(
    user: Any,
    filters: DashboardFilters,
    record: RecordFilters,
    *,
    today: datetime.date | None = None,
) -> QuerySet[Suggestion]:
    """The suggestions behind one figure, each with its case's state, lead unit, deadline and
    latest reply class and rating annotated (one query per page)."""
    day = today or local_date()
    found = scope(user, filters)
    items = found.suggestions
    if record.status:
        items = items.filter(status=record.status)
    if record.category:
        items = (
            items.filter(category__isnull=True)
            if record.category == NO_CATEGORY
            else items.filter(category__name=record.category)
        )
    if record.level:
        items = items.filter(region__level=record.level)
    q = record.q.strip()
    if q:
        items = items.filter(selectors.matching(q))
    cases = found.cases
    case_filtered = False
    if record.case_status:
        cases, case_filtered = cases.filter(status=record.case_status), True
    if record.unit:
        cases, case_filtered = cases.filter(lead_unit_id=record.unit), True
    if record.overdue:
        cases, case_filtered = cases.filter(case_selectors.overdue_q(day)), True
    if record.result:
        cases = cases.filter(
            pk__in=case_selectors.latest_replies(found.cases)
            .filter(result_class=record.result)
            .values("case_id")
        )
        case_filtered = True
    if case_filtered:
        items = items.filter(
            pk__in=cases.order_by().annotate(n=Cast("subject_id", IntegerField())).values("n")
        )
    return (
        annotate_cases(items)
        .select_related("mandate__person", "category", "congress")
        .order_by("-submitted_at", "-id")
    )


def annotate_cases(items: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
    case = Case.objects.filter(
        subject_type=SOURCE_TYPE, subject_id=Cast(OuterRef("pk"), CharField())
    )
    latest = Reply.objects.filter(
        case__subject_type=SOURCE_TYPE, case__subject_id=Cast(OuterRef("pk"), CharField())
    ).order_by("-round")
    rating = Evaluation.objects.filter(
        case__subject_type=SOURCE_TYPE, case__subject_id=Cast(OuterRef("pk"), CharField())
    ).order_by("-round")
    return items.annotate(
        case_status=Subquery(case.values("status")[:1]),
        case_unit=Subquery(case.values("lead_unit__name")[:1]),
        case_due=Subquery(case.values("due_on")[:1]),
        case_result=Subquery(latest.values("result_class")[:1]),
        case_rating=Subquery(rating.values("rating")[:1]),
    )


def co_unit_names(case_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    for case_id, name in CaseUnit.objects.filter(
        case_id__in=case_ids, active=True, role=UnitRole.CO
    ).values_list("case_id", "unit__name"):
        names.setdefault(case_id, []).append(name)
    return names


def export_rows(items: QuerySet[Suggestion]) -> Iterator[list[Any]]:
    status_labels = dict(SuggestionStatus.choices)
    case_labels = dict(CaseStatus.choices)
    rating_labels = dict(Rating.choices)
    result_labels = dict(ResultClass.choices)
    for item in items.iterator(chunk_size=2000):
        yield [
            item.number_label,
            item.title,
            item.mandate.person.name,
            item.congress.name,
            item.session_label,
            item.category.name if item.category else "",
            status_labels.get(item.status, item.status),
            case_labels.get(getattr(item, "case_status", None) or "", ""),
            getattr(item, "case_unit", None) or "",
            getattr(item, "case_due", None) or "",
            result_labels.get(getattr(item, "case_result", None) or "", ""),
            rating_labels.get(getattr(item, "case_rating", None) or "", ""),
        ]
