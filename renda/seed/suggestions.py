"""Deterministic demo suggestions on top of the seeded world: suggestions of the generated
deputies (never the demo ``deputy`` account's mandates, so tests start from a clean slate) in
every state, their co-signers and timelines, and for the assigned ones their cases in
renda.cases: lead and co-units, deadlines from the congress's rules, sign-for, replies,
ratings, reopened and overdue ones.

Rows are written with bulk inserts in batches, consistent with what the services would have
written (the services need an office actor per action and notify on every step, which is far
too slow for 100,000 suggestions). The random generator is seeded, so the same world and the
same ``today`` give the same rows. Nothing here is imported by the application.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from renda.cases.deadlines import add_months
from renda.cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    CaseUnit,
    Contact,
    ContactMethod,
    Evaluation,
    Rating,
    Reply,
    ResultClass,
    UnitRole,
)
from renda.cases.selectors import rules_for
from renda.core.dates import local_date
from renda.core.models import (
    HANDLING_UNIT_KINDS,
    Congress,
    Organization,
    Role,
    RoleGrant,
    code_bounds,
)
from renda.deputies.models import Mandate, MandateStatus
from renda.duties.models import DutyRecord, RecordSource, RecordStatus
from renda.seed.activities import first_stations
from renda.suggestions import similarity
from renda.suggestions.models import (
    CoSigner,
    CoSignerStatus,
    Suggestion,
    SuggestionCategory,
    SuggestionEvent,
    SuggestionStatus,
    SuggestionToken,
)
from renda.suggestions.selectors import categories
from renda.suggestions.services import SOURCE_TYPE

SEED = 4004
BATCH = 5000
SUBJECT = SOURCE_TYPE


@dataclass(frozen=True)
class Plan:
    suggestions: int
    # Confirmed co-signers per suggestion (at most).
    cosigners: int
    # Index the similarity tokens (SuggestionToken rows): only where the demo uses it.
    token_rows: bool
    # Submissions spread over this many days before today.
    days: int


PLANS: dict[str, Plan] = {
    "small": Plan(suggestions=48, cosigners=2, token_rows=True, days=240),
    "city": Plan(suggestions=100_000, cosigners=1, token_rows=False, days=720),
}

# Suggestion states: most are assigned, as in a real year.
_STATUS_MIX = [
    (SuggestionStatus.DRAFT, 0.04),
    (SuggestionStatus.SUBMITTED, 0.08),
    (SuggestionStatus.RETURNED, 0.02),
    (SuggestionStatus.ACCEPTED, 0.06),
    (SuggestionStatus.ASSIGNED, 0.80),
]
# Case states of the assigned ones.
_CASE_MIX = [
    (CaseStatus.ASSIGNED, 0.12),
    (CaseStatus.SIGNED, 0.25),
    (CaseStatus.REASSIGN_REQUESTED, 0.02),
    (CaseStatus.REPLIED, 0.18),
    (CaseStatus.REOPENED, 0.03),
    (CaseStatus.CLOSED, 0.40),
]
_CLASS_MIX = [(ResultClass.A, 0.55), (ResultClass.B, 0.3), (ResultClass.C, 0.15)]
_RATING_MIX = [(Rating.SATISFIED, 0.7), (Rating.BASIC, 0.22), (Rating.UNSATISFIED, 0.08)]

_PLACES = [
    "城区",
    "县城",
    "乡镇",
    "农村",
    "社区",
    "工业园区",
    "学校周边",
    "老旧小区",
    "集镇",
    "景区",
]
_TOPICS = [
    ("道路交通安全设施", "城乡建设"),
    ("停车难问题", "交通运输"),
    ("河道污染治理", "生态环境"),
    ("义务教育学位供给", "教育"),
    ("基层医疗服务能力", "卫生健康"),
    ("养老服务体系", "社会保障"),
    ("农民工就业培训", "就业"),
    ("高标准农田建设", "农业农村"),
    ("食品安全监管", "市场监管"),
    ("消防安全隐患整治", "公共安全"),
    ("公共文化设施", "文化旅游"),
    ("中小企业融资", "财政经济"),
    ("困难群众救助", "民政"),
    ("农村饮水安全", "农业农村"),
    ("垃圾分类处理", "生态环境"),
]
_CONTENT = (
    "{place}{topic}方面群众反映较多,存在投入不足、管理不到位等问题。建议相关部门加强调研,"
    "制定切实可行的工作方案,加大资金投入,明确责任分工,定期督促检查,切实解决群众关心的实际问题。"
)
_REPLY = (
    "经认真研究,对代表提出的{topic}问题高度重视。我单位已会同有关部门实地调研,"
    "{measure}下一步将继续加强工作,及时向代表反馈办理进展。"
)
_CONTACT_NOTES = {
    ContactMethod.MEETING: "与代表当面交流办理思路,代表同意分步实施。",
    ContactMethod.PHONE: "电话向代表通报办理进展,听取代表意见。",
    ContactMethod.VISIT: "上门走访代表并实地查看现场情况。",
    ContactMethod.OTHER: "通过书面函件征求代表意见。",
}
_MEASURES = {
    ResultClass.A: "相关问题已基本解决。",
    ResultClass.B: "已列入明年工作计划,将分步实施。",
    ResultClass.C: "受财力和条件限制,暂时难以解决,将作为今后工作参考。",
}


def _picker(pairs: list[tuple[str, float]]) -> Callable[[random.Random], str]:
    values = [v for v, _w in pairs]
    weights = [w for _v, w in pairs]
    return lambda rng: rng.choices(values, weights=weights)[0]


_status = _picker([(str(s), w) for s, w in _STATUS_MIX])
_case_status = _picker([(str(s), w) for s, w in _CASE_MIX])
_result = _picker([(str(s), w) for s, w in _CLASS_MIX])
_rating = _picker([(str(s), w) for s, w in _RATING_MIX])


@dataclass
class Summary:
    suggestions: int = 0
    cases: int = 0
    events: int = 0
    replies: int = 0
    duty_records: int = 0


@dataclass(frozen=True)
class _Deputy:
    mandate_id: int
    user_id: int | None
    congress_id: int
    term_id: int
    region_id: str


@dataclass
class _Congress:
    congress: Congress
    units: list[int]
    # Units whose staff have accounts (e.g. the demo ``unit``): they get a share of the
    # cases, so their to-do list and figures are not empty in the demo.
    staffed: list[int]
    categories: dict[str, int]
    reply_months: int
    complex_months: int
    reassign_days: int
    co_unit_months: int
    reopen_months: int
    peers: list[int]


class _Context:
    def __init__(self, today: datetime.date) -> None:
        self.today = today
        # The story's "now": the start of ``today``; nothing is stamped later.
        self.now = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
        mandates = (
            Mandate.objects.filter(
                status=MandateStatus.SERVING, person__user__username__startswith="d0"
            )
            .select_related("term")
            .order_by("id")
            .values_list("pk", "person__user__id", "term__congress_id", "term_id", "region_id")
        )
        self.deputies = [_Deputy(*row) for row in mandates]
        by_congress: dict[int, list[int]] = defaultdict(list)
        for d in self.deputies:
            by_congress[d.congress_id].append(d.mandate_id)
        self.congresses: dict[int, _Congress] = {}
        staffed = set(
            RoleGrant.objects.filter(role=Role.UNIT, organization__isnull=False).values_list(
                "organization_id", flat=True
            )
        )
        for congress in Congress.objects.filter(pk__in=list(by_congress)).select_related("region"):
            low, high = code_bounds(congress.region_id, congress.region.level)
            units = list(
                Organization.objects.filter(
                    kind__in=HANDLING_UNIT_KINDS,
                    is_active=True,
                    region_id__gte=low,
                    region_id__lte=high,
                )
                .order_by("region_id", "id")
                .values_list("pk", flat=True)
            )
            if not units:
                continue
            rules = rules_for(congress)
            self.congresses[congress.pk] = _Congress(
                congress=congress,
                units=units,
                staffed=[u for u in units if u in staffed],
                categories={c.name: c.pk for c in categories(congress)},
                reply_months=rules.reply_months,
                complex_months=rules.complex_reply_months,
                reassign_days=rules.reassign_days,
                co_unit_months=rules.co_unit_months,
                reopen_months=rules.reopen_months,
                peers=by_congress[congress.pk],
            )
        self.deputies = [d for d in self.deputies if d.congress_id in self.congresses]
        self.stations = first_stations()
        self.numbers: dict[tuple[int, int, int], int] = defaultdict(int)
        self.tokens: dict[str, list[str]] = {}

    def clamp(self, moment: datetime.datetime, floor: datetime.datetime) -> datetime.datetime:
        """``moment``, but not after now (and never before ``floor``)."""
        return min(moment, max(floor, self.now))

    def tokenize(self, title: str) -> list[str]:
        if title not in self.tokens:
            self.tokens[title] = sorted(similarity.tokenize(title))
        return self.tokens[title]


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    naive = datetime.datetime.combine(day, datetime.time(8 + rng.randrange(10), rng.randrange(60)))
    return timezone.make_aware(naive)


def build(
    scale: str = "small",
    *,
    today: datetime.date | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> Summary:
    """Add the suggestions of ``scale`` (see PLANS) to an already seeded world."""
    started = time.perf_counter()
    plan = PLANS[scale]
    day = today or local_date()
    rng = random.Random(SEED)
    summary = Summary()
    with transaction.atomic(), _keep_times():
        ctx = _Context(day)
        if not ctx.deputies:
            log("suggestions: no generated deputies, nothing seeded")
            return summary
        for batch in _batches(plan.suggestions):
            _write_batch(ctx, plan, rng, batch, summary)
            log(
                f"suggestions: {summary.suggestions} ({summary.cases} cases) "
                f"[{time.perf_counter() - started:.1f}s]"
            )
    return summary


# Fields stamped with the insertion time by auto_now_add; the seed gives them the times of
# the story it tells (submitted last spring, signed two days later, ...).
_STAMPED: list[tuple[type[models.Model], str]] = [
    (Suggestion, "created_at"),
    (SuggestionEvent, "at"),
    (CoSigner, "invited_at"),
    (CaseEvent, "at"),
    (Evaluation, "rated_at"),
]


@contextmanager
def _keep_times() -> Iterator[None]:
    fields = [model._meta.get_field(name) for model, name in _STAMPED]
    stamped = [f for f in fields if isinstance(f, models.DateTimeField)]
    for f in stamped:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f in stamped:
            f.auto_now_add = True


def _batches(total: int) -> Iterator[int]:
    left = total
    while left > 0:
        yield min(BATCH, left)
        left -= BATCH


def _write_batch(
    ctx: _Context, plan: Plan, rng: random.Random, size: int, summary: Summary
) -> None:
    items: list[Suggestion] = []
    statuses: list[str] = []
    for _n in range(size):
        deputy = ctx.deputies[rng.randrange(len(ctx.deputies))]
        congress = ctx.congresses[deputy.congress_id]
        place = rng.choice(_PLACES)
        topic, category = rng.choice(_TOPICS)
        title = f"关于加强{place}{topic}的建议"
        status = _status(rng)
        submitted = (
            None
            if status == SuggestionStatus.DRAFT
            else _moment(ctx.today - datetime.timedelta(days=rng.randrange(plan.days)), rng)
        )
        session = 0 if rng.random() < 0.6 else 1 + rng.randrange(2)
        number = None
        if submitted is not None:
            key = (deputy.congress_id, deputy.term_id, session)
            ctx.numbers[key] += 1
            number = ctx.numbers[key]
        items.append(
            Suggestion(
                congress_id=deputy.congress_id,
                term_id=deputy.term_id,
                region_id=deputy.region_id,
                session=session,
                title=title,
                content=_CONTENT.format(place=place, topic=topic),
                category_id=congress.categories.get(category),
                status=status,
                mandate_id=deputy.mandate_id,
                entered_by_id=deputy.user_id,
                number=number,
                submitted_at=submitted,
                return_reason="请补充具体地点和情况。"
                if status == SuggestionStatus.RETURNED
                else "",
                reviewed_at=(
                    ctx.clamp(submitted + datetime.timedelta(days=3), submitted)
                    if submitted
                    and status in (SuggestionStatus.ACCEPTED, SuggestionStatus.ASSIGNED)
                    else None
                ),
                tokens=" ".join(ctx.tokenize(title)),
                created_at=submitted or ctx.now - datetime.timedelta(days=1 + rng.randrange(30)),
            )
        )
        statuses.append(status)
    Suggestion.objects.bulk_create(items, batch_size=BATCH)
    summary.suggestions += len(items)
    events: list[SuggestionEvent] = []
    cosigners: list[CoSigner] = []
    tokens: list[SuggestionToken] = []
    cases: list[tuple[Suggestion, Case]] = []
    # Submitting a suggestion is a duty the deputy performed: the services file it on the
    # deputy's duty record (duties.record_from_module); the seed files the same rows.
    records: list[DutyRecord] = []
    for item in items:
        assert item.pk is not None
        at = item.created_at
        events.append(
            SuggestionEvent(
                suggestion=item,
                action="create",
                to_status="draft",
                actor_id=item.entered_by_id,
                at=at,
            )
        )
        if item.submitted_at is None:
            continue
        events.append(
            SuggestionEvent(
                suggestion=item,
                action="submit",
                from_status="draft",
                to_status="submitted",
                actor_id=item.entered_by_id,
                at=at,
            )
        )
        records.append(
            DutyRecord(
                mandate_id=item.mandate_id,
                region_id=item.region_id,
                station_id=ctx.stations.get(item.mandate_id),
                kind="suggestion",
                title=item.title,
                occurred_on=local_date(item.submitted_at),
                source=RecordSource.MODULE,
                status=RecordStatus.CONFIRMED,
                source_type=SOURCE_TYPE,
                source_id=str(item.pk),
                reviewed_at=item.submitted_at,
            )
        )
        peers = ctx.congresses[item.congress_id].peers
        for mandate_id in {rng.choice(peers) for _i in range(rng.randrange(plan.cosigners + 1))}:
            if mandate_id != item.mandate_id:
                cosigners.append(
                    CoSigner(
                        suggestion=item,
                        mandate_id=mandate_id,
                        status=CoSignerStatus.CONFIRMED,
                        invited_at=at,
                        confirmed_at=at,
                    )
                )
        if plan.token_rows and item.status != SuggestionStatus.RETURNED:
            tokens += [
                SuggestionToken(suggestion=item, congress_id=item.congress_id, token=t[:32])
                for t in item.tokens.split()
            ]
        if item.status == SuggestionStatus.RETURNED:
            events.append(
                SuggestionEvent(
                    suggestion=item,
                    action="return",
                    from_status="submitted",
                    to_status="returned",
                    actor_name="人大机关",
                    comment=item.return_reason,
                    at=at,
                )
            )
        if item.status in (SuggestionStatus.ACCEPTED, SuggestionStatus.ASSIGNED):
            events.append(
                SuggestionEvent(
                    suggestion=item,
                    action="accept",
                    from_status="submitted",
                    to_status="accepted",
                    actor_name="人大机关",
                    at=item.reviewed_at or at,
                )
            )
        if item.status == SuggestionStatus.ASSIGNED:
            case = _case(ctx, rng, item)
            events.append(
                SuggestionEvent(
                    suggestion=item,
                    action="assign",
                    from_status="accepted",
                    to_status="assigned",
                    actor_name="人大机关",
                    at=case.assigned_at,
                )
            )
            cases.append((item, case))
    SuggestionEvent.objects.bulk_create(events, batch_size=BATCH)
    CoSigner.objects.bulk_create(cosigners, batch_size=BATCH, ignore_conflicts=True)
    SuggestionToken.objects.bulk_create(tokens, batch_size=BATCH, ignore_conflicts=True)
    Case.objects.bulk_create([c for _i, c in cases], batch_size=BATCH)
    DutyRecord.objects.bulk_create(records, batch_size=BATCH)
    summary.duty_records += len(records)
    summary.cases += len(cases)
    _handling(ctx, rng, cases, summary)


def _case(ctx: _Context, rng: random.Random, item: Suggestion) -> Case:
    congress = ctx.congresses[item.congress_id]
    assert item.submitted_at is not None
    reviewed = item.reviewed_at or item.submitted_at
    assigned_at = ctx.clamp(reviewed + datetime.timedelta(days=2 + rng.randrange(10)), reviewed)
    assigned_on = local_date(assigned_at)
    is_complex = rng.random() < 0.1
    months = congress.complex_months if is_complex else congress.reply_months
    due = add_months(assigned_on, months)
    status = _case_status(rng)
    # Recent assignments are still open: a case assigned last week cannot be closed yet.
    if (ctx.today - assigned_on).days < 20 and status not in (
        CaseStatus.ASSIGNED,
        CaseStatus.SIGNED,
    ):
        status = CaseStatus.SIGNED
    if (
        status == CaseStatus.REASSIGN_REQUESTED
        and (ctx.today - assigned_on).days > congress.reassign_days
    ):
        status = CaseStatus.SIGNED
    case = Case(
        subject_type=SUBJECT,
        subject_id=str(item.pk),
        title=item.title,
        region_id=item.region_id,
        congress_id=item.congress_id,
        author_id=item.entered_by_id,
        status=status,
        lead_unit_id=rng.choice(
            congress.staffed if congress.staffed and rng.random() < 0.25 else congress.units
        ),
        is_complex=is_complex,
        is_key=rng.random() < 0.05,
        round=2 if status == CaseStatus.REOPENED else 1,
        assigned_at=assigned_at,
        reassign_until=assigned_on + datetime.timedelta(days=congress.reassign_days),
        due_on=due,
        status_before_request=CaseStatus.ASSIGNED
        if status == CaseStatus.REASSIGN_REQUESTED
        else "",
    )
    if status != CaseStatus.ASSIGNED and status != CaseStatus.REASSIGN_REQUESTED:
        case.signed_at = ctx.clamp(
            assigned_at + datetime.timedelta(days=1 + rng.randrange(5)), assigned_at
        )
    if status in (CaseStatus.REPLIED, CaseStatus.CLOSED, CaseStatus.REOPENED):
        # Most replies come in time; some late. Never in the future.
        span = max(1, (min(due, ctx.today) - assigned_on).days)
        late = rng.random() < 0.1
        offset = span + rng.randrange(1, 30) if late else rng.randrange(max(1, span))
        replied_on = min(ctx.today, assigned_on + datetime.timedelta(days=max(2, offset)))
        case.replied_at = _moment(replied_on, rng)
        if case.signed_at and case.replied_at < case.signed_at:
            case.replied_at = case.signed_at
    if status == CaseStatus.CLOSED:
        assert case.replied_at is not None
        case.closed_at = ctx.clamp(case.replied_at + datetime.timedelta(days=3), case.replied_at)
    if status == CaseStatus.REOPENED:
        assert case.replied_at is not None
        case.due_on = add_months(local_date(case.replied_at), congress.reopen_months)
    # Past-due open cases stay as they are: the dashboard's overdue list has rows.
    return case


def _event(
    case: Case,
    action: str,
    at: datetime.datetime | None,
    frm: str,
    to: str,
    unit_id: int | None = None,
    comment: str = "",
) -> CaseEvent:
    return CaseEvent(
        case=case,
        action=action,
        from_status=frm,
        to_status=to,
        actor_name="",
        unit_id=unit_id,
        comment=comment,
        at=at or timezone.now(),
    )


def _handling(
    ctx: _Context, rng: random.Random, cases: list[tuple[Suggestion, Case]], summary: Summary
) -> None:
    units: list[CaseUnit] = []
    events: list[CaseEvent] = []
    replies: list[Reply] = []
    ratings: list[Evaluation] = []
    contacts: list[Contact] = []
    for item, case in cases:
        congress = ctx.congresses[item.congress_id]
        lead = case.lead_unit_id
        units.append(
            CaseUnit(
                case=case,
                unit_id=lead,
                role=UnitRole.LEAD,
                active=True,
                signed_at=case.signed_at,
                assigned_at=case.assigned_at,
            )
        )
        co_unit: CaseUnit | None = None
        if len(congress.units) > 1 and rng.random() < 0.3:
            co = rng.choice([u for u in congress.units[:20] if u != lead] or [lead])
            if co != lead:
                co_unit = CaseUnit(
                    case=case,
                    unit_id=co,
                    role=UnitRole.CO,
                    assigned_at=case.assigned_at,
                    opinion_due_on=add_months(
                        local_date(case.assigned_at), congress.co_unit_months
                    ),
                )
                units.append(co_unit)
        events.append(_event(case, "assign", case.assigned_at, "", CaseStatus.ASSIGNED, lead))
        if case.status == CaseStatus.REASSIGN_REQUESTED:
            events.append(
                _event(
                    case,
                    "request_reassignment",
                    case.assigned_at,
                    CaseStatus.ASSIGNED,
                    CaseStatus.REASSIGN_REQUESTED,
                    lead,
                    "不属于本单位职责范围。",
                )
            )
        if case.signed_at:
            events.append(
                _event(case, "sign", case.signed_at, CaseStatus.ASSIGNED, CaseStatus.SIGNED, lead)
            )
            # Most units talk with the deputy before they answer (办前沟通).
            if rng.random() < 0.6:
                talked = case.signed_at + datetime.timedelta(days=rng.randint(1, 10))
                if case.replied_at is not None:
                    talked = min(talked, case.replied_at)
                talked = min(talked, ctx.now)
                method = rng.choice(list(ContactMethod))
                note = _CONTACT_NOTES[method]
                day = local_date(talked)
                contacts.append(
                    Contact(case=case, unit_id=lead, method=method, happened_on=day, note=note)
                )
                events.append(
                    _event(
                        case,
                        "contact",
                        talked,
                        "",
                        "",
                        lead,
                        f"{method.label} {day.isoformat()}:{note}",
                    )
                )
            if co_unit is not None and case.replied_at is not None:
                co_unit.signed_at = case.signed_at
                co_unit.opinion_at = min(
                    case.replied_at, case.signed_at + datetime.timedelta(days=7)
                )
                co_unit.opinion = "同意主办单位的办理意见,本单位将在职责范围内配合落实。"
                events.append(
                    _event(
                        case,
                        "co_opinion",
                        co_unit.opinion_at,
                        "",
                        "",
                        co_unit.unit_id,
                        co_unit.opinion,
                    )
                )
        if case.replied_at is None:
            continue
        topic = item.title.removeprefix("关于加强").removesuffix("的建议")
        result = _result(rng)
        first_due = add_months(
            local_date(case.assigned_at),
            congress.complex_months if case.is_complex else congress.reply_months,
        )
        replied_on = local_date(case.replied_at)
        publish = case.status == CaseStatus.CLOSED and rng.random() < 0.6
        replies.append(
            Reply(
                case=case,
                round=1,
                unit_id=lead,
                result_class=result,
                content=_REPLY.format(topic=topic, measure=_MEASURES[ResultClass(result)]),
                measures=_MEASURES[ResultClass(result)] if result == ResultClass.B else "",
                approved_by_name="单位负责人",
                sent_at=case.replied_at,
                due_on=first_due,
                on_time=replied_on <= first_due,
                published_at=case.closed_at if publish else None,
            )
        )
        events.append(
            _event(
                case,
                "reply",
                case.replied_at,
                CaseStatus.SIGNED,
                CaseStatus.REPLIED,
                lead,
                str(ResultClass(result).label),
            )
        )
        if case.status == CaseStatus.CLOSED:
            rating = _rating(rng)
            if rating == Rating.UNSATISFIED:
                rating = Rating.BASIC  # an unsatisfied rating reopens, it never closes
            ratings.append(
                Evaluation(
                    case=case,
                    round=1,
                    rating=rating,
                    comment="",
                    rated_by_id=case.author_id,
                    rated_at=case.closed_at or case.replied_at,
                )
            )
            events.append(
                _event(
                    case,
                    "rate",
                    case.closed_at,
                    CaseStatus.REPLIED,
                    CaseStatus.CLOSED,
                    None,
                    str(Rating(rating).label),
                )
            )
        elif case.status == CaseStatus.REOPENED:
            ratings.append(
                Evaluation(
                    case=case,
                    round=1,
                    rating=Rating.UNSATISFIED,
                    comment="答复未解决实际问题。",
                    rated_by_id=case.author_id,
                    rated_at=case.replied_at or ctx.now,
                )
            )
            events.append(
                _event(
                    case,
                    "rate",
                    case.replied_at,
                    CaseStatus.REPLIED,
                    CaseStatus.REOPENED,
                    None,
                    str(Rating.UNSATISFIED.label),
                )
            )
    CaseUnit.objects.bulk_create(units, batch_size=BATCH)
    CaseEvent.objects.bulk_create(events, batch_size=BATCH)
    Contact.objects.bulk_create(contacts, batch_size=BATCH)
    Reply.objects.bulk_create(replies, batch_size=BATCH)
    Evaluation.objects.bulk_create(ratings, batch_size=BATCH)
    summary.events += len(events)
    summary.replies += len(replies)


def counts() -> dict[str, Any]:
    """What the seed wrote, for the command's log and the tests."""
    return {
        "suggestions": Suggestion.objects.filter(
            mandate__person__user__username__startswith="d0"
        ).count(),
        "cases": Case.objects.filter(subject_type=SUBJECT).count(),
        "categories": SuggestionCategory.objects.count(),
    }
