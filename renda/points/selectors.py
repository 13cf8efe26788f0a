"""Reads of the points system, always through the points policies.

There is deliberately no read that orders deputies by their points: peers dropped activity
league tables because they misled (a deputy elected in October looked "below average",
volume was taken for quality). Scores are read one deputy at a time, with their breakdown and
the days the deputy served in the year.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from renda.api.kit import MAX_ID
from renda.core import policies as core_policies
from renda.core.errors import NotFound, NotPermitted
from renda.core.models import Congress, User
from renda.core.policies import Action
from renda.deputies import selectors as deputy_selectors
from renda.deputies.models import Mandate
from renda.duties.models import AttendanceStatus, DutyRecord, Invitation, RecordStatus
from renda.points import policies
from renda.points.models import (
    DEFAULT_RULES,
    Dispute,
    DisputeStatus,
    Evaluation,
    EvaluationStatus,
    PointEntry,
    PointRule,
    PointRuleSet,
    PointTotal,
    RuleCode,
)
from renda.points.scoring import year_dates, year_instants
from renda.points.workflows import DISPUTE, EVALUATION

NOT_YOURS = _("只能对本人的积分明细提出申诉,这条积分不属于您。")


def scored_rule_set(congress_id: int, year: int) -> PointRuleSet | None:
    """The version whose entries the pages show: the current one once it has been computed;
    while a revised version is still being computed, the latest computed one."""
    versions = list(
        PointRuleSet.objects.filter(congress_id=congress_id, year=year).order_by("-version")
    )
    current = next((v for v in versions if v.is_current), None)
    if current is not None and current.computed_at is not None:
        return current
    computed = next((v for v in versions if v.computed_at is not None), None)
    return computed or current


def year_points(mandate: Mandate, year: int) -> Decimal:
    """The deputy's total for the year under the rules the pages show (0 when none)."""
    rule_set = scored_rule_set(mandate.term.congress_id, year)
    if rule_set is None:
        return Decimal(0)
    total = (
        PointTotal.objects.filter(rule_set=rule_set, mandate=mandate)
        .values_list("points", flat=True)
        .first()
    )
    return total if total is not None else Decimal(0)


def tenure_days(mandate: Mandate, year: int) -> int:
    """Days the deputy held the seat in the year (from election to the end of the mandate
    or of the term)."""
    start, end = year_dates(year)
    first = max(start, mandate.elected_on, mandate.term.start_date)
    last = end
    for limit in (mandate.ended_on, mandate.term.end_date):
        if limit is not None:
            last = min(last, limit)
    return max(0, (last - first).days + 1)


def days_in_year(year: int) -> int:
    start, end = year_dates(year)
    return (end - start).days + 1


def source_url(entry: PointEntry) -> str:
    """Where the entry came from: the duty record, the activity missed, or the dispute."""
    if entry.record_id is not None:
        return reverse("duties:record", args=[entry.record_id])
    if entry.invitation is not None:
        return reverse("duties:activity", args=[entry.invitation.activity_id])
    assert entry.dispute_id is not None
    return reverse("points:dispute", args=[entry.dispute_id])


def source_title(entry: PointEntry) -> str:
    if entry.record is not None:
        return entry.record.title
    if entry.invitation is not None:
        return entry.invitation.activity.title
    return str(RuleCode.ADJUSTMENT.label)


@dataclass
class Row:
    entry: PointEntry
    rule: PointRule | None
    url: str
    title: str
    open_dispute: Dispute | None = None
    can_dispute: bool = False
    # The note in the reader's language (entries store the message id).
    note: str = ""


@dataclass
class Breakdown:
    mandate: Mandate
    year: int
    rule_set: PointRuleSet | None
    total: Decimal
    tenure_days: int
    days_in_year: int
    rows: list[Row] = field(default_factory=list)
    by_code: list[dict[str, Any]] = field(default_factory=list)
    disputes: list[Dispute] = field(default_factory=list)
    # A revised rule table is being applied; the figures are still the previous version's.
    recomputing: bool = False

    @property
    def full_year(self) -> bool:
        return self.tenure_days == self.days_in_year


def _entries(user: Any, mandate: Mandate, rule_set: PointRuleSet) -> QuerySet[PointEntry]:
    return (
        policies.entries.filter(user, PointEntry.objects.filter(rule_set=rule_set, mandate=mandate))
        .select_related("record", "invitation__activity", "dispute")
        .order_by("occurred_on", "id")
    )


def breakdown(user: Any, mandate_id: int, year: int) -> Breakdown:
    """One deputy's points for one year, each entry with its rule and source (NotFound
    unless the user may see the deputy's points)."""
    mandate = deputy_selectors.mandate(user, mandate_id)
    rule_set = scored_rule_set(mandate.term.congress_id, year)
    result = Breakdown(
        mandate=mandate,
        year=year,
        rule_set=rule_set,
        total=Decimal(0),
        tenure_days=tenure_days(mandate, year),
        days_in_year=days_in_year(year),
    )
    disputes = policies.disputes.filter(
        user, Dispute.objects.filter(mandate=mandate, year=year)
    ).select_related("record", "invitation__activity")
    result.disputes = list(disputes)
    if rule_set is None:
        return result
    result.recomputing = not rule_set.is_current
    rules = {r.code: r for r in PointRule.objects.filter(rule_set=rule_set)}
    open_by_source = {
        (d.code, d.record_id, d.invitation_id): d
        for d in result.disputes
        if d.status == DisputeStatus.OPEN
    }
    own = policies.entries.allows_anywhere(user, policies.DISPUTE) and (
        mandate.person_id == getattr(user, "person_id", None)
    )
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for entry in _entries(user, mandate, rule_set):
        open_dispute = open_by_source.get((entry.code, entry.record_id, entry.invitation_id))
        result.rows.append(
            Row(
                entry=entry,
                rule=rules.get(entry.code),
                url=source_url(entry),
                title=source_title(entry),
                open_dispute=open_dispute,
                can_dispute=own and entry.dispute_id is None and open_dispute is None,
                note=gettext(entry.note) if entry.note else "",
            )
        )
        result.total += entry.points
        sums[entry.code][0] += 1
        sums[entry.code][1] += entry.points
    labels = dict(RuleCode.choices)
    result.by_code = [
        {
            "code": code,
            "label": labels.get(code, code),
            "count": int(n),
            "points": points,
            "cap": rules[code].yearly_cap if code in rules else None,
        }
        for code, (n, points) in sorted(sums.items(), key=lambda kv: list(labels).index(kv[0]))
    ]
    return result


def entry_for_dispute(user: Any, pk: int) -> PointEntry:
    """The entry a deputy is about to dispute. Someone else's entry is refused with a plain
    reason (the issue asks for it) before anything of it is shown."""
    found = (
        PointEntry.objects.filter(pk=pk)
        .select_related("mandate__person", "record", "invitation__activity")
        .first()
    )
    if found is None:
        raise NotFound()
    if not policies.entries.can(user, found, policies.DISPUTE):
        raise NotPermitted(NOT_YOURS)
    return found


# Rule tables ---------------------------------------------------------------------------------


def rule_congresses(user: Any, action: str = Action.VIEW) -> QuerySet[Congress]:
    """The congresses whose rule tables the user may see (or change)."""
    condition = core_policies.region_grants_q(
        user, policies.rule_sets.rules.get(action, {}), "region_id"
    )
    if condition is None:
        return Congress.objects.none()
    return Congress.objects.filter(condition).select_related("region").order_by("region_id")


def rule_versions(user: Any, congress: Congress, year: int) -> list[PointRuleSet]:
    """Every version of the congress's table for the year, newest first, each with the sum
    and count of the totals computed under it (the history of a rule change)."""
    qs = policies.rule_sets.filter(
        user, PointRuleSet.objects.filter(congress=congress, year=year)
    ).select_related("created_by__person")
    return list(
        qs.annotate(points_sum=Sum("totals__points"), deputies=Count("totals")).order_by("-version")
    )


def current_rule_set(congress: Congress, year: int) -> PointRuleSet:
    """The congress's current rule set for the year. Before anyone has saved or scored one,
    the default table, unsaved (version 1 of DEFAULT_RULES): reading never writes it;
    ``services.ensure_rule_set`` does, when a change or a computation needs it."""
    current = PointRuleSet.objects.filter(congress=congress, year=year, is_current=True).first()
    if current is not None:
        return current
    return PointRuleSet(
        congress=congress, year=year, version=1, is_current=True, note=gettext("默认规则")
    )


def rules_of(rule_set: PointRuleSet) -> list[PointRule]:
    """The rule set's rules in the order of the codes (the defaults for an unsaved one)."""
    if rule_set.pk is None:
        return [
            PointRule(rule_set=rule_set, code=code, points=points, yearly_cap=cap)
            for code, (points, cap) in DEFAULT_RULES.items()
        ]
    order = list(RuleCode.values)
    return sorted(PointRule.objects.filter(rule_set=rule_set), key=lambda r: order.index(r.code))


def can_change_rules(user: Any, rule_set: PointRuleSet) -> bool:
    """Whether the user may revise the table (an unsaved default one: in its congress's
    region)."""
    if rule_set.pk is None:
        return policies.rule_sets.can_in_region(user, Action.CHANGE, rule_set.congress.region_id)
    return policies.rule_sets.can(user, rule_set, Action.CHANGE)


def rule_set_to_change(congress: Congress, year: int, posted: str) -> PointRuleSet | None:
    """The version a submitted rule table was drawn from (the ``rule_set`` field; empty
    when the page showed the unsaved defaults, which are version 1), if it still exists."""
    found = PointRuleSet.objects.filter(congress=congress, year=year)
    if posted.isdigit() and int(posted) <= MAX_ID:
        return found.filter(pk=int(posted)).first()
    return found.filter(version=1).first()


# Disputes -------------------------------------------------------------------------------------------


def dispute(user: Any, pk: int) -> Dispute:
    found = (
        policies.disputes.filter(user, Dispute.objects.filter(pk=pk))
        .select_related(
            "mandate__person",
            "mandate__term__congress",
            "record",
            "invitation__activity",
            "created_by",
            "decided_by__person",
        )
        .first()
    )
    if found is None:
        policies.disputes.get(user, pk=pk)  # raises NotFound
    assert found is not None
    return found


def disputes_to_decide(user: Any, status: str = DisputeStatus.OPEN) -> QuerySet[Dispute]:
    qs = policies.disputes.filter(user, Dispute.objects.all(), policies.DECIDE)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related(
        "mandate__person", "mandate__term__congress", "record", "invitation__activity"
    ).order_by("created_at", "id")


def open_dispute_count(user: Any) -> int:
    return policies.disputes.filter(
        user, Dispute.objects.filter(status=DisputeStatus.OPEN), policies.DECIDE
    ).count()


# Evaluations ------------------------------------------------------------------------------------


def evaluation(user: Any, mandate: Mandate, year: int) -> Evaluation | None:
    return (
        policies.evaluations.filter(user, Evaluation.objects.filter(mandate=mandate, year=year))
        .select_related("assessed_by__person")
        .first()
    )


def dispute_actions(user: Any, item: Dispute) -> set[str]:
    """The dispute's steps the user may take now (uphold, reject)."""
    return DISPUTE.available_actions(user, item)


def evaluation_actions(user: Any, mandate: Mandate, item: Evaluation | None) -> set[str]:
    """The evaluation's steps the user may take now. Before the form exists (the deputy's
    first draft opens it), only its deputy may write, and submit, the self-assessment."""
    if item is not None:
        return EVALUATION.available_actions(user, item)
    own = mandate.person_id is not None and mandate.person_id == getattr(user, "person_id", None)
    if own and policies.evaluations.allows_anywhere(user, policies.SELF_ASSESS):
        return {"submit"}
    return set()


def evaluations_to_assess(user: Any) -> QuerySet[Evaluation]:
    return (
        policies.evaluations.filter(user, Evaluation.objects.all(), policies.ASSESS)
        .filter(status=EvaluationStatus.SUBMITTED)
        .select_related("mandate__person", "mandate__term__congress")
        .order_by("self_submitted_at", "id")
    )


# The deputy's own ------------------------------------------------------------------------------------


def own_mandates(user: User) -> list[Mandate]:
    """The signed-in deputy's mandates, serving first, newest terms first."""
    if not user.person_id:
        return []
    found = (
        Mandate.objects.filter(person_id=user.person_id)
        .select_related("term__congress", "region")
        .order_by("-term__start_date", "region_id")
    )
    return sorted(found, key=lambda m: not m.is_serving)


# The duty archive -------------------------------------------------------------------------------------


@dataclass
class ArchiveYear:
    year: int
    breakdown: Breakdown
    records: list[DutyRecord]
    by_kind: list[dict[str, Any]]
    invitations: dict[str, int]
    attendance_rate: float | None
    evaluation: Evaluation | None


def archive_year(user: Any, mandate: Mandate, year: int) -> ArchiveYear:
    """Everything the printed archive shows for one year of one mandate."""
    start, end = year_dates(year)
    low, high = year_instants(year)
    records = list(
        DutyRecord.objects.filter(
            mandate=mandate, status=RecordStatus.CONFIRMED, occurred_on__range=(start, end)
        ).order_by("kind", "occurred_on", "id")
    )
    kinds: dict[str, list[DutyRecord]] = defaultdict(list)
    for record in records:
        kinds[record.kind].append(record)
    by_kind = [
        {"label": items[0].get_kind_display(), "count": len(items), "records": items}
        for _kind, items in kinds.items()
    ]
    counts = dict(
        Invitation.objects.filter(
            mandate=mandate, activity__starts_at__gte=low, activity__starts_at__lt=high
        )
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    invitations = {status: counts.get(status, 0) for status in AttendanceStatus.values}
    decided = sum(
        counts.get(s, 0)
        for s in (AttendanceStatus.ATTENDED, AttendanceStatus.LEAVE, AttendanceStatus.ABSENT)
    )
    rate = counts.get(AttendanceStatus.ATTENDED, 0) / decided if decided else None
    return ArchiveYear(
        year=year,
        breakdown=breakdown(user, mandate.pk, year),
        records=records,
        by_kind=by_kind,
        invitations=invitations,
        attendance_rate=rate,
        evaluation=evaluation(user, mandate, year),
    )


def term_years(mandate: Mandate) -> list[int]:
    """The calendar years the mandate spans, up to this year."""
    first = max(mandate.elected_on, mandate.term.start_date).year
    last_day = mandate.ended_on or mandate.term.end_date or datetime.date.today()
    last = min(last_day.year, timezone.localdate().year)
    return list(range(first, last + 1))
