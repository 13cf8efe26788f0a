"""Reads for case handling: lists under the policy, a unit's to-do list, one case with its
history, the congress's deadline rules, who is told about a case, how a unit's reply goes out,
and dashboard figures computed in the database (reused by the modules built on cases, e.g.
the suggestions dashboard, which passes its own filtered queryset)."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy

from renda.cases.models import (
    DEFAULT_ESCALATE_DAYS,
    DEFAULT_REMIND_DAYS,
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    CaseUnit,
    Contact,
    DeadlineRules,
    DraftDecision,
    Evaluation,
    Rating,
    Reply,
    ReplyDraft,
    ResultClass,
    UnitRole,
)
from renda.cases.policies import CaseAction
from renda.cases.policies import cases as case_policy
from renda.core import policies
from renda.core.dates import local_date
from renda.core.errors import NotFound
from renda.core.models import (
    PREFIX_LENGTH,
    Congress,
    Organization,
    Role,
    RoleGrant,
    User,
    code_bounds,
)

WAITING_FOR_LEAD = (CaseStatus.ASSIGNED, CaseStatus.SIGNED, CaseStatus.REOPENED)


# Deadline rules ------------------------------------------------------------------------------


def rules_for(congress: Congress | int) -> DeadlineRules:
    """The congress's deadline rules: its stored row, or (unsaved) the legal defaults when it
    has none yet. Reading never writes: the row is stored by the services that need it."""
    congress_id = congress if isinstance(congress, int) else congress.pk
    found = DeadlineRules.objects.filter(congress_id=congress_id).first()
    if found is not None:
        return found
    return DeadlineRules(
        congress_id=congress_id,
        remind_days=list(DEFAULT_REMIND_DAYS),
        escalate_days=list(DEFAULT_ESCALATE_DAYS),
    )


# Recipients ----------------------------------------------------------------------------------


def unit_staff(unit_ids: Iterable[int], roles: Sequence[str] = (Role.UNIT,)) -> list[int]:
    """The active accounts acting for these units in ``roles`` (their staff by default)."""
    return list(
        User.objects.filter(
            grants__role__in=list(roles), grants__organization_id__in=list(unit_ids), is_active=True
        )
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )


def unit_leaders(unit_id: int) -> list[int]:
    """The unit's active leader accounts (Role.UNIT_LEADER), who sign off its replies."""
    return unit_staff([unit_id], (Role.UNIT_LEADER,))


def staff_by_unit(unit_ids: set[int], roles: Sequence[str] = (Role.UNIT,)) -> dict[int, list[int]]:
    """Per unit, the active accounts acting for it in ``roles``."""
    found: dict[int, list[int]] = {}
    rows = RoleGrant.objects.filter(
        role__in=list(roles), organization_id__in=sorted(unit_ids), user__is_active=True
    ).values_list("organization_id", "user_id")
    for unit_id, user_id in rows:
        users = found.setdefault(unit_id, [])
        if user_id not in users:
            users.append(user_id)
    return found


def _ancestor_codes(code: str) -> set[str]:
    return {code[:n].ljust(len(code), "0") for n in PREFIX_LENGTH.values()}


def _region_grants(codes: Iterable[str], role: str) -> list[tuple[int, str, str]]:
    """(user id, grant region code, level) of active accounts holding ``role`` over a region
    that may cover one of ``codes``."""
    candidates: set[str] = set()
    for code in codes:
        candidates |= _ancestor_codes(code)
    return list(
        RoleGrant.objects.filter(
            role=role, region_id__in=sorted(candidates), user__is_active=True
        ).values_list("user_id", "region_id", "region__level")
    )


def offices_by_region(codes: Iterable[str], role: str = Role.OFFICE) -> dict[str, list[int]]:
    """Per region code, the accounts holding ``role`` (the congress office by default) over
    a region that covers it."""
    codes = set(codes)
    grants = _region_grants(codes, role)
    found: dict[str, list[int]] = {}
    for code in codes:
        users = set()
        for user_id, grant_code, level in grants:
            low, high = code_bounds(grant_code, level)
            if low <= code <= high:
                users.add(user_id)
        found[code] = sorted(users)
    return found


def office_staff(region_code: str) -> list[int]:
    """The congress office accounts whose jurisdiction covers ``region_code``."""
    return offices_by_region([region_code]).get(region_code, [])


# How a reply goes out ------------------------------------------------------------------------


class ReplyMode(enum.StrEnum):
    """How the lead unit's reply goes out, by who writes it."""

    # A unit without a leader account: its staff send it, naming the signer (签发人).
    TYPED = "typed"
    # The unit's leader writes it: they sign it themself and it is sent.
    SELF_SIGNED = "self_signed"
    # A staff member of a unit with a leader account: a draft for the leader to sign off.
    DRAFT = "draft"


def reply_mode(actor: Any, case: Case) -> ReplyMode:
    """Whether ``actor``'s reply on ``case`` is sent at once or awaits the leader's sign-off.
    Units without leader accounts keep sending directly, so small units still work."""
    if case_policy.can(actor, case, CaseAction.APPROVE):
        return ReplyMode.SELF_SIGNED
    if unit_leaders(case.lead_unit_id):
        return ReplyMode.DRAFT
    return ReplyMode.TYPED


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
    """What the user's units must do next: their staff sign for, handle or re-handle their
    lead cases and give the opinions still owed as a co-unit; their leaders sign off the
    replies drafted for them (待签发) and, as the overdue ladder's first rung, follow their
    unit's overdue cases. Most urgent first."""
    staff_units = sorted(policies.organization_ids(user, Role.UNIT))
    leader_units = sorted(policies.organization_ids(user, Role.UNIT_LEADER))
    parts: list[Q] = []
    if staff_units:
        lead = CaseUnit.objects.filter(unit_id__in=staff_units, active=True, role=UnitRole.LEAD)
        co = CaseUnit.objects.filter(
            unit_id__in=staff_units, active=True, role=UnitRole.CO, opinion_at__isnull=True
        )
        parts += [
            Q(pk__in=lead.values("case_id"), status__in=WAITING_FOR_LEAD),
            Q(pk__in=co.values("case_id"), status__in=OPEN_STATUSES),
        ]
    if leader_units:
        signing = CaseUnit.objects.filter(unit_id__in=leader_units, active=True, role=UnitRole.LEAD)
        parts.append(
            Q(pk__in=signing.values("case_id")) & (Q(status=CaseStatus.DRAFTED) | overdue_q())
        )
    wanted = policies.any_of(parts)
    if wanted is None:
        return Case.objects.none()
    qs = Case.objects.filter(wanted)
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    return qs.select_related("lead_unit").order_by("due_on", "id")


def reply_draft(case: Case) -> ReplyDraft | None:
    """The latest draft of the case's current round (pending sign-off, or returned and to
    be revised), for its lead unit's pages; None once the round's reply went out."""
    draft = (
        ReplyDraft.objects.filter(case=case, round=case.round)
        .select_related("drafted_by__person", "decided_by__person")
        .order_by("-drafted_at", "-id")
        .first()
    )
    if draft is None or draft.decision == DraftDecision.APPROVED:
        return None
    return draft


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


def case_detail(
    user: Any,
    *,
    pk: int | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
) -> CaseDetail:
    """One case the user may see, by id or by its subject, with its whole history."""
    lookup: dict[str, Any] = (
        {"pk": pk}
        if pk is not None
        else {"subject_type": subject_type, "subject_id": str(subject_id)}
    )
    case = (
        case_policy.filter(user, Case.objects.all(), CaseAction.VIEW)
        .select_related("lead_unit", "region", "congress", "author", "supervisor")
        .filter(**lookup)
        .first()
    )
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
    return Reply.objects.filter(case__in=cases.values("pk")).filter(~Exists(_later_reply()))


def _later_reply(prefix: str = "") -> QuerySet[Reply]:
    """A reply of the same case in a later round than the outer reply (``prefix`` names the
    outer reply when the outer query starts from the case)."""
    return Reply.objects.filter(
        case_id=OuterRef(f"{prefix}case_id"), round__gt=OuterRef(f"{prefix}round")
    )


# Past signing: counted as signed whatever the current lead unit's signed_at says.
_PAST_SIGNING = (CaseStatus.REPLIED, CaseStatus.REOPENED, CaseStatus.CLOSED)


@dataclass(frozen=True)
class _Group:
    """The cases of one (lead unit, status) pair: a row of the one pass over the cases."""

    unit_id: int
    status: str
    total: int
    overdue: int
    signed: int


def _groups(cases: QuerySet[Case], day: datetime.date) -> list[_Group]:
    """One aggregate pass, grouped by lead unit and status: every case figure and every unit
    row is a sum of these (a few rows per unit). Within a status group "overdue" and "signed"
    reduce to one plain condition each, so the pass needs no OR, which keeps it on the
    dashboard's covering index."""
    rows = (
        cases.order_by()
        .values_list("lead_unit_id", "status")
        .annotate(
            # Counting the status (never null), not the id: every column the pass reads is
            # then in the covering index, where counting ids would need the rows.
            n=Count("*"),
            late=Count("status", filter=Q(due_on__lt=day)),
            signed=Count("status", filter=Q(signed_at__isnull=False)),
        )
    )
    return [
        _Group(
            unit,
            status,
            n,
            late if status in OPEN_STATUSES else 0,
            n if status in _PAST_SIGNING else signed,
        )
        for unit, status, n, late, signed in rows
    ]


def _case_figures(groups: list[_Group], cases: QuerySet[Case]) -> Figures:
    by_status = dict.fromkeys(CaseStatus.values, 0)
    for g in groups:
        by_status[g.status] = by_status.get(g.status, 0) + g.total
    # Replies: the count, the on-time count and the latest reply's class of each case in one
    # pass, grouped by class (three rows). Both this and the ratings start from the cases and
    # join their rows: the planner walks the cases' index once, where "reply in (the cases)"
    # made it look each case up again for every reply (about half again as slow).
    replies = on_time = 0
    by_class = dict.fromkeys(ResultClass.values, 0)
    for result, n, timely, latest in (
        cases.order_by()
        .filter(replies__isnull=False)
        .values_list("replies__result_class")
        .annotate(
            n=Count("replies"),
            timely=Count("replies", filter=Q(replies__on_time=True)),
            # A reply of the case's current round is its latest (no reply of a later round
            # can exist): only replies of earlier rounds need the test for a later one,
            # which otherwise looked up every reply's case again (46,000 index probes at
            # city scale; the query went from 187 to 121 ms on PostgreSQL).
            latest=Count(
                "replies",
                filter=Q(replies__round=F("round")) | ~Exists(_later_reply("replies__")),
            ),
        )
    ):
        replies, on_time = replies + n, on_time + timely
        by_class[result] = by_class.get(result, 0) + latest
    # (The keys must not be the relation's name, or the aggregate would shadow it.)
    ratings = cases.order_by().aggregate(
        rated=Count("ratings"),
        satisfied=Count("ratings", filter=Q(ratings__rating=Rating.SATISFIED)),
        basic=Count("ratings", filter=Q(ratings__rating=Rating.BASIC)),
    )
    return Figures(
        total=sum(g.total for g in groups),
        by_status=by_status,
        overdue=sum(g.overdue for g in groups),
        signed=sum(g.signed for g in groups),
        replies=replies,
        on_time_replies=on_time,
        ratings=ratings["rated"],
        satisfied=ratings["satisfied"],
        basic=ratings["basic"],
        by_class=by_class,
    )


def figures(cases: QuerySet[Case], *, today: datetime.date | None = None) -> Figures:
    """Dashboard figures of ``cases`` (already filtered by policy and the page's filters),
    in three aggregate queries whatever the number of cases."""
    return _case_figures(_groups(cases, today or local_date()), cases)


@dataclass(frozen=True)
class UnitFigures:
    unit_id: int
    unit_name: str
    total: int
    open: int
    overdue: int
    replied: int
    closed: int


def _unit_figures(groups: list[_Group]) -> list[UnitFigures]:
    # unit -> [total, open, overdue, replied, closed]
    counts: dict[int, list[int]] = {}
    for g in groups:
        row = counts.setdefault(g.unit_id, [0, 0, 0, 0, 0])
        row[0] += g.total
        row[1] += g.total if g.status in OPEN_STATUSES else 0
        row[2] += g.overdue
        row[3] += g.total if g.status in (CaseStatus.REPLIED, CaseStatus.CLOSED) else 0
        row[4] += g.total if g.status == CaseStatus.CLOSED else 0
    # The names in a second query by primary key: joining them into the pass would look up
    # the unit of every case instead of every unit once.
    names = dict(Organization.objects.filter(pk__in=counts).values_list("pk", "name"))
    rows = [
        UnitFigures(
            unit_id=unit,
            unit_name=names.get(unit, ""),
            total=total,
            open=open_,
            overdue=overdue,
            replied=replied,
            closed=closed,
        )
        for unit, (total, open_, overdue, replied, closed) in counts.items()
    ]
    rows.sort(key=lambda r: (-r.total, r.unit_name))
    return rows


def figures_by_unit(
    cases: QuerySet[Case], *, today: datetime.date | None = None
) -> list[UnitFigures]:
    """Per current lead unit, most cases first."""
    return _unit_figures(_groups(cases, today or local_date()))


def figures_with_units(
    cases: QuerySet[Case], *, today: datetime.date | None = None
) -> tuple[Figures, list[UnitFigures]]:
    """``figures`` and ``figures_by_unit`` together, sharing their pass over the cases."""
    groups = _groups(cases, today or local_date())
    return _case_figures(groups, cases), _unit_figures(groups)


# The timeline as each viewer sees it ------------------------------------------------------


EVENT_LABELS: dict[str, Any] = {
    "assign": gettext_lazy("交办"),
    "sign": gettext_lazy("签收"),
    "request_reassignment": gettext_lazy("申请调整"),
    "approve_reassignment": gettext_lazy("同意调整"),
    "refuse_reassignment": gettext_lazy("不同意调整"),
    "contact": gettext_lazy("沟通"),
    "co_opinion": gettext_lazy("协办意见"),
    "reply": gettext_lazy("答复"),
    "draft_reply": gettext_lazy("提交签发"),
    "approve_reply": gettext_lazy("签发答复"),
    "return_reply": gettext_lazy("退回修改"),
    "rate": gettext_lazy("评价"),
    "promise_done": gettext_lazy("承诺事项完成"),
    "publish": gettext_lazy("公开答复"),
    "supervise": gettext_lazy("督办"),
}


# The lead unit's own drafting (a draft submitted, a draft returned): the author and the
# co-units see the reply when it is sent, not the unit's internal sign-off.
INTERNAL_EVENTS = frozenset({"draft_reply", "return_reply"})


def oversees(user: Any, case: Case) -> bool:
    """Those who oversee the case (the office, leaders, the supervision office) follow its
    sign-off step by step, as the lead unit does."""
    return any(
        case_policy.can(user, case, action) for action in (CaseAction.SUPERVISE, CaseAction.CHANGE)
    )


@dataclass(frozen=True)
class TimelineRow:
    event: CaseEvent
    # The step and the status it left as this viewer sees them.
    action: str
    from_status: str
    label: Any
    from_label: str
    to_label: str


@dataclass(frozen=True)
class Timeline:
    rows: list[TimelineRow]
    # The case's status as this viewer sees it: outsiders see a draft awaiting sign-off as
    # the status it was drafted in (办理中 or 重新办理).
    status: str
    status_label: str


def timeline(events: list[CaseEvent], case: Case, *, inside: bool) -> Timeline:
    """The case's history for a viewer: insiders see every step; outsiders (the author, the
    co-units) see a signed-off draft as the reply it sent, from the status before it."""
    labels = dict(CaseStatus.choices)
    rows: list[TimelineRow] = []
    shown = ""
    for event in events:
        if not inside and event.action in INTERNAL_EVENTS:
            continue
        action, from_status, to_status = event.action, event.from_status, event.to_status
        if not inside and action == "approve_reply":
            action, from_status = "reply", shown
        moved = bool(to_status) and from_status != to_status
        rows.append(
            TimelineRow(
                event,
                action,
                from_status,
                EVENT_LABELS.get(action, action),
                str(labels.get(from_status, "")) if moved else "",
                str(labels.get(to_status, "")) if moved else "",
            )
        )
        shown = to_status or shown
    status = case.status
    if not inside and status == CaseStatus.DRAFTED:
        status = shown if shown and shown != CaseStatus.DRAFTED else CaseStatus.SIGNED
    return Timeline(rows=rows, status=status, status_label=str(labels[status]))


@dataclass(frozen=True)
class SeenCase:
    """A case's detail as one viewer sees it: the lead unit's pending or returned draft
    (None for everyone else) and the timeline."""

    draft: ReplyDraft | None
    timeline: Timeline


def seen_by(user: Any, detail: CaseDetail) -> SeenCase:
    case = detail.case
    # Drafts are the lead unit's own business: only its staff and leaders see them.
    in_lead = case_policy.can(user, case, CaseAction.HANDLE)
    inside = in_lead or oversees(user, case)
    return SeenCase(
        draft=reply_draft(case) if in_lead else None,
        timeline=timeline(detail.events, case, inside=inside),
    )


@dataclass(frozen=True)
class CasePanel:
    """The case block of an owning module's page (e.g. the suggestion page): its status as
    this viewer sees it, the latest reply and the ratings."""

    case: Case
    status: str
    status_label: str
    latest: Reply | None
    ratings: list[Evaluation]


def case_panel(user: Any, subject_type: str, subject_id: str) -> CasePanel | None:
    """The case of an item for its owning module's page; None when there is no case the user
    may see."""
    try:
        detail = case_detail(user, subject_type=subject_type, subject_id=subject_id)
    except NotFound:
        return None
    case = detail.case
    # Only a draft awaiting sign-off reads differently from outside the lead unit.
    inside = case.status != CaseStatus.DRAFTED or (
        oversees(user, case) or case_policy.can(user, case, CaseAction.HANDLE)
    )
    shown = timeline(detail.events, case, inside=inside)
    return CasePanel(
        case=case,
        status=shown.status,
        status_label=shown.status_label,
        latest=detail.replies[-1] if detail.replies else None,
        ratings=detail.ratings,
    )
