"""Reads for case handling: lists under the policy, a unit's to-do list, one case with its
history, and dashboard figures computed in the database (reused by the modules built on
cases, e.g. the suggestions dashboard, which passes its own filtered queryset)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from renda.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    CaseUnit,
    Contact,
    Evaluation,
    Rating,
    Reply,
    ResultClass,
    UnitRole,
)
from renda.cases.policies import CaseAction
from renda.cases.policies import cases as case_policy
from renda.cases.services import local_date
from renda.core import policies
from renda.core.errors import NotFound
from renda.core.models import Role

WAITING_FOR_LEAD = (CaseStatus.ASSIGNED, CaseStatus.SIGNED, CaseStatus.REOPENED)


def overdue_q(today: datetime.date | None = None, prefix: str = "") -> Q:
    """Open cases past their reply deadline."""
    day = today or local_date()
    return Q(**{f"{prefix}status__in": OPEN_STATUSES, f"{prefix}due_on__lt": day})


def cases_for(
    user: Any,
    *,
    subject_type: str | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    unit: int | None = None,
    key: bool | None = None,
    action: str = CaseAction.VIEW,
    today: datetime.date | None = None,
) -> QuerySet[Case]:
    """The cases ``user`` may ``action``, filtered. ``unit`` matches an active lead or
    co-unit (a semi-join: one row per case)."""
    qs = case_policy.filter(user, Case.objects.all(), action)
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    if status:
        qs = qs.filter(status=status)
    if overdue is True:
        qs = qs.filter(overdue_q(today))
    elif overdue is False:
        qs = qs.exclude(overdue_q(today))
    if unit:
        qs = qs.filter(pk__in=CaseUnit.objects.filter(unit_id=unit, active=True).values("case_id"))
    if key is not None:
        qs = qs.filter(is_key=key)
    return qs.select_related("lead_unit", "region")


def unit_todo(user: Any, *, subject_type: str | None = None) -> QuerySet[Case]:
    """What the user's units must do next: sign for, handle or re-handle their lead cases,
    and give the opinions still owed as a co-unit. Most urgent first."""
    units = sorted(policies.organization_ids(user, Role.UNIT))
    lead = CaseUnit.objects.filter(unit_id__in=units, active=True, role=UnitRole.LEAD)
    co = CaseUnit.objects.filter(unit_id__in=units, active=True, role=UnitRole.CO,
                                 opinion_at__isnull=True)
    qs = Case.objects.filter(
        Q(pk__in=lead.values("case_id"), status__in=WAITING_FOR_LEAD)
        | Q(pk__in=co.values("case_id"), status__in=OPEN_STATUSES)
    )
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    return qs.select_related("lead_unit").order_by("due_on", "id")


@dataclass(frozen=True)
class CaseDetail:
    case: Case
    units: list[CaseUnit]
    events: list[CaseEvent]
    replies: list[Reply]
    ratings: list[Evaluation]
    contacts: list[Contact]

    @property
    def lead(self) -> CaseUnit | None:
        return next((u for u in self.units if u.active and u.role == UnitRole.LEAD), None)

    @property
    def co_units(self) -> list[CaseUnit]:
        return [u for u in self.units if u.active and u.role == UnitRole.CO]


def case_detail(user: Any, *, pk: int | None = None, subject_type: str | None = None,
                subject_id: str | None = None) -> CaseDetail:
    """One case the user may see, by id or by its subject, with its whole history."""
    lookup: dict[str, Any] = {"pk": pk} if pk is not None else {
        "subject_type": subject_type, "subject_id": str(subject_id)}
    case = (case_policy.filter(user, Case.objects.all(), CaseAction.VIEW)
            .select_related("lead_unit", "region", "congress", "author", "supervisor")
            .filter(**lookup).first())
    if case is None:
        raise NotFound()
    return CaseDetail(
        case=case,
        units=list(case.units.select_related("unit").order_by("-active", "role", "id")),
        events=list(case.events.select_related("unit").order_by("at", "id")),
        replies=list(case.replies.select_related("unit").order_by("round")),
        ratings=list(case.ratings.order_by("round")),
        contacts=list(case.contacts.select_related("unit").order_by("happened_on", "id")),
    )


def case_for_subject(subject_type: str, subject_id: str) -> Case | None:
    """The case of an item, unchecked: for the owning module, which applies its own policy."""
    return Case.objects.filter(subject_type=subject_type, subject_id=str(subject_id)).first()


# Dashboards ----------------------------------------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True)
class Figures:
    total: int
    by_status: dict[str, int]
    overdue: int
    signed: int  # signed for at least once by the current lead unit (or past that step)
    replies: int
    on_time_replies: int
    ratings: int
    satisfied: int  # 满意
    basic: int  # 基本满意
    # Result class of each case's latest reply.
    by_class: dict[str, int] = field(default_factory=dict)

    @property
    def sign_rate(self) -> float | None:
        return _rate(self.signed, self.total)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time_replies, self.replies)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: satisfied or basically satisfied, over all ratings given."""
        return _rate(self.satisfied + self.basic, self.ratings)

    @property
    def class_shares(self) -> dict[str, float | None]:
        answered = sum(self.by_class.values())
        return {c: _rate(self.by_class.get(c, 0), answered) for c in ResultClass.values}


def latest_replies(cases: QuerySet[Case]) -> QuerySet[Reply]:
    later = Reply.objects.filter(case_id=OuterRef("case_id"), round__gt=OuterRef("round"))
    return Reply.objects.filter(case__in=cases.values("pk")).filter(~Exists(later))


def figures(cases: QuerySet[Case], *, today: datetime.date | None = None) -> Figures:
    """Dashboard figures of ``cases`` (already filtered by policy and the page's filters),
    in a handful of aggregate queries whatever the number of cases."""
    day = today or local_date()
    base = cases.order_by()
    totals = base.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue_q(day)),
        # Signed: the current lead unit signed, or the case went past signing.
        signed=Count("pk", filter=Q(signed_at__isnull=False)
                     | Q(status__in=[CaseStatus.REPLIED, CaseStatus.REOPENED, CaseStatus.CLOSED])),
    )
    by_status = dict.fromkeys(CaseStatus.values, 0)
    for status, n in base.values_list("status").annotate(n=Count("pk")).order_by():
        by_status[status] = n
    replies = Reply.objects.filter(case__in=base.values("pk")).aggregate(
        replies=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)))
    ratings = Evaluation.objects.filter(case__in=base.values("pk")).aggregate(
        ratings=Count("pk"),
        satisfied=Count("pk", filter=Q(rating=Rating.SATISFIED)),
        basic=Count("pk", filter=Q(rating=Rating.BASIC)),
    )
    by_class = dict.fromkeys(ResultClass.values, 0)
    for result, n in (latest_replies(base).values_list("result_class")
                      .annotate(n=Count("pk")).order_by()):
        by_class[result] = n
    return Figures(
        total=totals["total"], by_status=by_status, overdue=totals["overdue"],
        signed=totals["signed"], replies=replies["replies"], on_time_replies=replies["on_time"],
        ratings=ratings["ratings"], satisfied=ratings["satisfied"], basic=ratings["basic"],
        by_class=by_class,
    )


@dataclass(frozen=True)
class UnitFigures:
    unit_id: int
    unit_name: str
    total: int
    open: int
    overdue: int
    replied: int
    closed: int


def figures_by_unit(cases: QuerySet[Case], *, today: datetime.date | None = None) -> list[UnitFigures]:
    """Per current lead unit, most cases first."""
    day = today or local_date()
    rows = (
        cases.order_by().values("lead_unit_id", "lead_unit__name")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("pk", filter=overdue_q(day)),
            replied=Count("pk", filter=Q(status__in=[CaseStatus.REPLIED, CaseStatus.CLOSED])),
            closed=Count("pk", filter=Q(status=CaseStatus.CLOSED)),
        )
        .order_by("-total", "lead_unit__name")
    )
    return [
        UnitFigures(unit_id=r["lead_unit_id"], unit_name=r["lead_unit__name"], total=r["total"],
                    open=r["open"], overdue=r["overdue"], replied=r["replied"], closed=r["closed"])
        for r in rows
    ]
