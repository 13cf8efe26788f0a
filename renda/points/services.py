"""Writes of the points system and the yearly evaluation.

Scoring is a replacement, never an increment: recomputing a deputy (or a whole congress-year)
deletes the entries of the current rule set version and writes them again from the confirmed
records, the absences and the upheld disputes, so running it twice, or late, is harmless.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connections, router, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.core import audit
from renda.core.dates import local_date
from renda.core.errors import Conflict, IllegalTransition, InvalidInput, NotFound, NotPermitted
from renda.core.models import AuditAction, Congress, User
from renda.core.policies import Action
from renda.core.tasks import enqueue_on_commit
from renda.deputies.models import Mandate
from renda.duties.models import (
    ActivityStatus,
    AttendanceStatus,
    DutyRecord,
    Invitation,
    RecordStatus,
)
from renda.notifications import services as notifications
from renda.points import kinds, policies, scoring, selectors
from renda.points.models import (
    DEFAULT_RULES,
    Dispute,
    DisputeStatus,
    Evaluation,
    EvaluationStatus,
    Grade,
    PointEntry,
    PointRule,
    PointRuleSet,
    PointTotal,
    RuleCode,
)
from renda.points.scoring import year_dates, year_instants
from renda.points.workflows import DISPUTE, EVALUATION, FILE, OPEN

BATCH = 2000
# SQLite limits the parameters of one query; mandate id lists are cut to this size.
ID_CHUNK = 500
REASON_MAX = 2000
# What one rule may give or take per occurrence, and the largest yearly cap.
POINTS_LIMIT = Decimal("100")
CAP_LIMIT = Decimal("10000")


# Years and rule sets ---------------------------------------------------------------------------


def ensure_rule_set(*, congress: Congress, year: int) -> PointRuleSet:
    """The congress's current rule set for the year; version 1 with DEFAULT_RULES if none."""
    current = PointRuleSet.objects.filter(congress=congress, year=year, is_current=True).first()
    if current is not None:
        return current
    try:
        with transaction.atomic():
            rule_set = PointRuleSet.objects.create(
                congress=congress,
                year=year,
                version=1,
                is_current=True,
                note=_("默认规则"),
            )
            PointRule.objects.bulk_create(
                PointRule(rule_set=rule_set, code=code, points=points, yearly_cap=cap)
                for code, (points, cap) in DEFAULT_RULES.items()
            )
    except IntegrityError:
        # Created by a concurrent request in the meantime.
        return PointRuleSet.objects.get(congress=congress, year=year, is_current=True)
    return rule_set


def _rules(rule_set: PointRuleSet) -> dict[str, scoring.Rule]:
    return {
        code: scoring.Rule(points, cap)
        for code, points, cap in PointRule.objects.filter(rule_set=rule_set).values_list(
            "code", "points", "yearly_cap"
        )
    }


# Recomputation ----------------------------------------------------------------------------------


def request_rescore(*, mandate_ids: Iterable[int], year: int) -> None:
    """Recompute these deputies' year in the background once the caller's transaction
    commits (the duties services call this when a record is confirmed or an activity closes)."""
    ids = sorted({int(pk) for pk in mandate_ids})
    if not ids:
        return
    from renda.points import tasks

    enqueue_on_commit(tasks.recompute_mandates, ids, int(year))


def _sources(region_id: str, year: int, mandate_ids: list[int] | None) -> list[scoring.Source]:
    """Every countable fact of the congress-year (or of some of its deputies), read as tuples:
    the bulk path goes through tens of thousands of rows."""
    start, end = year_dates(year)
    low, high = year_instants(year)
    records = DutyRecord.objects.filter(
        region_id=region_id, status=RecordStatus.CONFIRMED, occurred_on__range=(start, end)
    )
    absences = Invitation.objects.filter(
        mandate__region_id=region_id,
        status=AttendanceStatus.ABSENT,
        activity__status=ActivityStatus.CLOSED,
        activity__starts_at__gte=low,
        activity__starts_at__lt=high,
    )
    upheld = Dispute.objects.filter(region_id=region_id, year=year, status=DisputeStatus.UPHELD)
    if mandate_ids is not None:
        records = records.filter(mandate_id__in=mandate_ids)
        absences = absences.filter(mandate_id__in=mandate_ids)
        upheld = upheld.filter(mandate_id__in=mandate_ids)
    sources: list[scoring.Source] = []
    for pk, mandate_id, kind, occurred_on, source_type in (
        records.order_by()
        .values_list("pk", "mandate_id", "kind", "occurred_on", "source_type")
        .iterator(chunk_size=BATCH)
    ):
        sources.append(
            scoring.Source(
                mandate_id=mandate_id,
                region_id=region_id,
                code=scoring.code_for_record(kind, source_type),
                occurred_on=occurred_on,
                record_id=pk,
                order=pk,
            )
        )
    for pk, mandate_id, starts_at in (
        absences.order_by()
        .values_list("pk", "mandate_id", "activity__starts_at")
        .iterator(chunk_size=BATCH)
    ):
        sources.append(
            scoring.Source(
                mandate_id=mandate_id,
                region_id=region_id,
                code=RuleCode.ABSENCE,
                occurred_on=local_date(starts_at),
                invitation_id=pk,
                order=pk,
            )
        )
    for pk, mandate_id, adjustment, on, starts_at in upheld.order_by().values_list(
        "pk", "mandate_id", "adjustment", "record__occurred_on", "invitation__activity__starts_at"
    ):
        # The adjustment sits beside the entry it corrects.
        day = on if on is not None else local_date(starts_at) if starts_at else end
        sources.append(
            scoring.Source(
                mandate_id=mandate_id,
                region_id=region_id,
                code=RuleCode.ADJUSTMENT,
                occurred_on=day,
                dispute_id=pk,
                adjustment=adjustment,
                order=pk,
            )
        )
    return sources


def _served(congress_id: int, year: int, mandate_ids: list[int] | None) -> list[int]:
    """Mandates of the congress serving at some point of the year: each gets a total, zero
    included, so "no points" is visible as such."""
    start, end = year_dates(year)
    qs = Mandate.objects.filter(term__congress_id=congress_id, elected_on__lte=end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start),
        Q(term__end_date__isnull=True) | Q(term__end_date__gte=start),
    )
    if mandate_ids is not None:
        qs = qs.filter(pk__in=mandate_ids)
    return list(qs.values_list("pk", flat=True))


# The entry columns in insert order. Entries are written with one executemany per batch:
# the ORM's bulk_create spends most of its time compiling SQL per value, which made the
# city-scale seed (~500,000 records) several times slower.
_ENTRY_COLUMNS = (
    "rule_set_id",
    "mandate_id",
    "region_id",
    "code",
    "occurred_on",
    "base_points",
    "points",
    "note",
    "record_id",
    "invitation_id",
    "dispute_id",
)


def _insert_entries(rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    connection = connections[router.db_for_write(PointEntry)]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
        quote(PointEntry._meta.db_table),
        ", ".join(quote(c) for c in _ENTRY_COLUMNS),
        ", ".join(["%s"] * len(_ENTRY_COLUMNS)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def _write(
    rule_set: PointRuleSet, sources: list[scoring.Source], mandate_ids: Iterable[int]
) -> int:
    connection = connections[router.db_for_write(PointEntry)]
    date = connection.ops.adapt_datefield_value
    number = connection.ops.adapt_decimalfield_value
    rows: list[tuple[Any, ...]] = []
    sums: dict[int, Decimal] = defaultdict(Decimal)
    counts: dict[int, int] = defaultdict(int)
    for scored in scoring.score(sources, _rules(rule_set)):
        source = scored.source
        rows.append(
            (
                rule_set.pk,
                source.mandate_id,
                source.region_id,
                source.code,
                date(source.occurred_on),
                number(scored.base_points, 7, 1),
                number(scored.points, 7, 1),
                scored.note,
                source.record_id,
                source.invitation_id,
                source.dispute_id,
            )
        )
        sums[source.mandate_id] += scored.points
        counts[source.mandate_id] += 1
    _insert_entries(rows)
    totals = set(mandate_ids) | set(sums)
    PointTotal.objects.bulk_create(
        (
            PointTotal(
                rule_set=rule_set,
                mandate_id=pk,
                points=sums.get(pk, Decimal(0)),
                entries=counts.get(pk, 0),
            )
            for pk in sorted(totals)
        ),
        batch_size=BATCH,
    )
    return len(rows)


def _locked_current(congress: Congress, year: int) -> PointRuleSet:
    rule_set = ensure_rule_set(congress=congress, year=year)
    # Serializes recomputations of one rule set with each other and with rule changes.
    return PointRuleSet.objects.select_for_update().get(pk=rule_set.pk)


@transaction.atomic
def recompute_year(*, congress_id: int, year: int) -> int:
    """Score the whole congress-year under its current rules; returns the number of entries.
    Entries of earlier versions go (entries exist for the current version only); their
    totals stay as the history of the old rules."""
    congress = Congress.objects.get(pk=congress_id)
    rule_set = _locked_current(congress, year)
    sources = _sources(congress.region_id, year, None)
    PointEntry.objects.filter(rule_set__congress_id=congress_id, rule_set__year=year).delete()
    PointTotal.objects.filter(rule_set=rule_set).delete()
    written = _write(rule_set, sources, _served(congress_id, year, None))
    rule_set.computed_at = timezone.now()
    rule_set.save(update_fields=["computed_at"])
    return written


@transaction.atomic
def recompute_mandates(*, mandate_ids: Iterable[int], year: int) -> int:
    """Score some deputies' year again under their congresses' current rules."""
    by_congress: dict[int, list[int]] = defaultdict(list)
    for pk, congress_id in Mandate.objects.filter(pk__in=list(mandate_ids)).values_list(
        "pk", "term__congress_id"
    ):
        by_congress[congress_id].append(pk)
    written = 0
    for congress_id, ids in sorted(by_congress.items()):
        congress = Congress.objects.get(pk=congress_id)
        rule_set = _locked_current(congress, year)
        for start in range(0, len(ids), ID_CHUNK):
            chunk = sorted(ids[start : start + ID_CHUNK])
            sources = _sources(congress.region_id, year, chunk)
            PointEntry.objects.filter(rule_set=rule_set, mandate_id__in=chunk).delete()
            PointTotal.objects.filter(rule_set=rule_set, mandate_id__in=chunk).delete()
            written += _write(rule_set, sources, _served(congress_id, year, chunk))
    return written


# Rule changes ------------------------------------------------------------------------------------


def _decimal(value: object, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors.setdefault(field, []).append(_("请填写数字,如 2 或 1.5。"))
        return None
    if not number.is_finite() or number != number.quantize(Decimal("0.1")):
        errors.setdefault(field, []).append(_("分值最多保留一位小数。"))
        return None
    return number


def _check_rule(code: str, points: Decimal, cap: Decimal | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    label = RuleCode(code).label
    if abs(points) > POINTS_LIMIT:
        errors[f"{code}_points"] = [
            _("“%(rule)s”每次分值应在 -100 至 100 之间。") % {"rule": label}
        ]
    elif code == RuleCode.ABSENCE and points > 0:
        errors[f"{code}_points"] = [
            _("“%(rule)s”是扣分项目,分值应为 0 或负数,如 -2。") % {"rule": label}
        ]
    elif code != RuleCode.ABSENCE and points < 0:
        errors[f"{code}_points"] = [_("“%(rule)s”是加分项目,分值不能为负数。") % {"rule": label}]
    if cap is not None and not (0 <= cap <= CAP_LIMIT):
        errors[f"{code}_cap"] = [
            _("“%(rule)s”年度上限应在 0 至 10000 之间,不设上限请留空。") % {"rule": label}
        ]
    return errors


@transaction.atomic
def change_rules(
    *,
    actor: User,
    rule_set: PointRuleSet,
    changes: dict[str, tuple[object, object]],
    note: str,
) -> PointRuleSet:
    """Revise the year's rule table: a new version with the changed points and caps becomes
    current, the old one stays with its totals as history, and the year is recomputed in the
    background. ``changes`` maps rule codes to (points, yearly cap or None)."""
    locked = PointRuleSet.objects.select_for_update().select_related("congress").get(pk=rule_set.pk)
    policies.rule_sets.check(actor, locked, Action.CHANGE)
    if not locked.is_current:
        raise Conflict(_("该版本已不是现行规则(已被他人修订),请刷新页面后再修改。"))
    current = {r.code: r for r in PointRule.objects.filter(rule_set=locked)}
    errors: dict[str, list[str]] = {}
    wanted: dict[str, tuple[Decimal, Decimal | None]] = {}
    for code, (raw_points, raw_cap) in changes.items():
        if code not in current:
            errors.setdefault("__all__", []).append(_("没有积分项目“%(code)s”。") % {"code": code})
            continue
        points = _decimal(raw_points, f"{code}_points", errors)
        cap = _decimal(raw_cap, f"{code}_cap", errors)
        if points is None:
            errors.setdefault(f"{code}_points", [_("请填写每次分值。")])
            continue
        errors.update(_check_rule(code, points, cap))
        wanted[code] = (points, cap)
    note = note.strip()
    if not note:
        errors["note"] = [_("请填写修订说明,如“接待选民分值由 3 分调整为 4 分”。")]
    elif len(note) > 200:
        errors["note"] = [_("修订说明不能超过 200 个字。")]
    if errors:
        raise InvalidInput(field_errors=errors)
    changed = {
        code: value
        for code, value in wanted.items()
        if (current[code].points, current[code].yearly_cap) != value
    }
    if not changed:
        raise InvalidInput(_("没有修改任何分值或上限。"))
    latest = (
        PointRuleSet.objects.filter(congress_id=locked.congress_id, year=locked.year).aggregate(
            v=Max("version")
        )["v"]
        or 0
    )
    locked.is_current = False
    locked.save(update_fields=["is_current"])
    new = PointRuleSet.objects.create(
        congress_id=locked.congress_id,
        year=locked.year,
        version=latest + 1,
        is_current=True,
        note=note,
        created_by=actor,
    )
    PointRule.objects.bulk_create(
        PointRule(
            rule_set=new,
            code=rule.code,
            points=changed.get(rule.code, (rule.points, rule.yearly_cap))[0],
            yearly_cap=changed.get(rule.code, (rule.points, rule.yearly_cap))[1],
        )
        for rule in current.values()
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=new,
        region_code=locked.congress.region_id,
        before={
            code: [str(current[code].points), _plain(current[code].yearly_cap)] for code in changed
        },
        after={code: [str(p), _plain(c)] for code, (p, c) in changed.items()},
        message=note,
    )
    from renda.points import tasks

    enqueue_on_commit(tasks.recompute_congress_year, locked.congress_id, locked.year)
    return new


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# Disputes ---------------------------------------------------------------------------------------


def _user_of(mandate: Mandate) -> User | None:
    person = mandate.person
    return User.objects.filter(person=person, is_active=True).first()


@transaction.atomic
def file_dispute(*, actor: User, entry: PointEntry, reason: str) -> Dispute:
    """A deputy objects to one entry of their own breakdown."""
    if not policies.entries.can(actor, entry, policies.DISPUTE):
        raise NotPermitted(selectors.NOT_YOURS)
    if entry.dispute_id is not None or (entry.record_id is None and entry.invitation_id is None):
        raise InvalidInput(_("申诉调整的分值不能再次申诉;如有异议,请与人大机关联系。"))
    reason = reason.strip()
    if not reason:
        raise InvalidInput(field_errors={"reason": [_("请写明申诉理由,如“该次活动我已请假”。")]})
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            field_errors={"reason": [_("申诉理由不能超过 %(n)s 个字。") % {"n": REASON_MAX}]}
        )
    year = entry.occurred_on.year
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                mandate_id=entry.mandate_id,
                region_id=entry.region_id,
                year=year,
                code=entry.code,
                record_id=entry.record_id,
                invitation_id=entry.invitation_id,
                disputed_points=entry.points,
                reason=reason,
                created_by=actor,
            )
    except IntegrityError:
        raise Conflict(_("这条积分已有一件申诉正在处理,请等待处理结果。")) from None
    DISPUTE.opened(dispute, actor=actor, action=FILE, comment=reason)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=dispute,
        after=audit.snapshot(dispute),
        message=reason[:200],
    )
    return dispute


@transaction.atomic
def decide_dispute(
    *,
    actor: User,
    dispute: Dispute,
    uphold: bool,
    decision: str,
    adjustment: Decimal | None = None,
) -> Dispute:
    """The office upholds a dispute (with an adjustment, by default cancelling the disputed
    points) or rejects it, with its reasons; the deputy is told either way."""
    locked = (
        Dispute.objects.select_for_update()
        .select_related("mandate__person")
        .filter(pk=dispute.pk)
        .first()
    )
    if locked is None:
        raise NotFound()
    policies.disputes.check(actor, locked, policies.DECIDE)
    action = "uphold" if uphold else "reject"
    DISPUTE.require(locked, action)
    errors: dict[str, list[str]] = {}
    decision = decision.strip()
    if not decision:
        errors["decision"] = [_("请填写处理意见,说明申诉成立或不成立的理由。")]
    elif len(decision) > REASON_MAX:
        errors["decision"] = [_("处理意见不能超过 %(n)s 个字。") % {"n": REASON_MAX}]
    if uphold:
        if adjustment is None:
            adjustment = -locked.disputed_points
        if adjustment == 0:
            errors["adjustment"] = [_("申诉成立时调整分值不能为 0;不调整分值请选择“申诉不成立”。")]
        elif abs(adjustment) > POINTS_LIMIT:
            errors["adjustment"] = [_("调整分值应在 -100 至 100 之间。")]
    if errors:
        raise InvalidInput(field_errors=errors)
    locked.adjustment = adjustment if uphold else None
    locked.decision = decision
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    DISPUTE.move(
        locked,
        actor=actor,
        action=action,
        fields=["adjustment", "decision", "decided_by", "decided_at"],
        comment=decision,
        audit_after={"adjustment": _plain(locked.adjustment)},
        check_policy=False,
    )
    if uphold:
        request_rescore(mandate_ids=[locked.mandate_id], year=locked.year)
    recipient = _user_of(locked.mandate)
    if recipient is not None:
        if uphold:
            title = _("您的积分申诉已处理:申诉成立,调整 %(points)s 分") % {
                "points": locked.adjustment
            }
        else:
            title = _("您的积分申诉已处理:申诉不成立")
        notifications.notify(
            recipients=[recipient],
            kind=kinds.DISPUTE_DECIDED,
            title=title,
            body=decision,
            url=reverse("points:dispute", args=[locked.pk]),
        )
    return locked


# The yearly evaluation ------------------------------------------------------------------------------


def _evaluation_for(actor: User, mandate: Mandate, year: int) -> Evaluation:
    evaluation, created = Evaluation.objects.select_for_update().get_or_create(
        mandate=mandate, year=year, defaults={"region_id": mandate.region_id}
    )
    if created:
        EVALUATION.opened(evaluation, actor=actor, action=OPEN)
    return evaluation


@transaction.atomic
def save_self_assessment(
    *, actor: User, mandate: Mandate, year: int, text: str, submit: bool
) -> Evaluation:
    """The deputy writes (and, when ready, submits) their self-assessment for the year."""
    evaluation = _evaluation_for(actor, mandate, year)
    # The policy works on saved rows; a row created for someone else's mandate is rolled
    # back with the error.
    policies.evaluations.check(actor, evaluation, policies.SELF_ASSESS)
    if evaluation.status != EvaluationStatus.DRAFT:
        raise IllegalTransition(
            state=evaluation.get_status_display(), action=_("提交自评") if submit else _("修改自评")
        )
    text = text.strip()
    if len(text) > 5000:
        raise InvalidInput(field_errors={"self_assessment": [_("自评不能超过 5000 个字。")]})
    if submit and not text:
        raise InvalidInput(field_errors={"self_assessment": [_("请先填写自评内容再提交。")]})
    before = evaluation.self_assessment
    if text != before:
        evaluation.self_assessment = text
        evaluation.save(update_fields=["self_assessment", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=evaluation,
            before={"self_assessment": before},
            after={"self_assessment": text},
        )
    if submit:
        evaluation.self_submitted_at = timezone.now()
        EVALUATION.move(
            evaluation,
            actor=actor,
            action="submit",
            fields=["self_submitted_at"],
            check_policy=False,
        )
    return evaluation


def _locked_evaluation(actor: User, evaluation: Evaluation) -> Evaluation:
    locked = (
        Evaluation.objects.select_for_update()
        .select_related("mandate__person", "mandate__term")
        .filter(pk=evaluation.pk)
        .first()
    )
    if locked is None:
        raise NotFound()
    policies.evaluations.check(actor, locked, policies.ASSESS)
    return locked


@transaction.atomic
def assess_evaluation(
    *, actor: User, evaluation: Evaluation, office_assessment: str, grade: str
) -> Evaluation:
    """The office's assessment and grade; the year's points are kept with it as they stood."""
    locked = _locked_evaluation(actor, evaluation)
    EVALUATION.require(locked, "assess")
    errors: dict[str, list[str]] = {}
    office_assessment = office_assessment.strip()
    if not office_assessment:
        errors["office_assessment"] = [_("请填写评价意见。")]
    elif len(office_assessment) > 5000:
        errors["office_assessment"] = [_("评价意见不能超过 5000 个字。")]
    if grade not in Grade.values:
        errors["grade"] = [_("请选择评价等次。")]
    if errors:
        raise InvalidInput(field_errors=errors)
    locked.office_assessment = office_assessment
    locked.grade = grade
    locked.points = selectors.year_points(locked.mandate, locked.year)
    locked.assessed_by = actor
    locked.assessed_at = timezone.now()
    EVALUATION.move(
        locked,
        actor=actor,
        action="assess",
        fields=["office_assessment", "grade", "points", "assessed_by", "assessed_at"],
        audit_after={"grade": grade, "points": str(locked.points)},
        check_policy=False,
    )
    recipient = _user_of(locked.mandate)
    if recipient is not None:
        notifications.notify(
            recipients=[recipient],
            kind=kinds.EVALUATION,
            title=_("您的 %(year)s 年度履职评价结果:%(grade)s")
            % {"year": locked.year, "grade": Grade(grade).label},
            body=office_assessment,
            url=reverse("points:evaluation", args=[locked.mandate_id, locked.year]),
        )
    return locked


@transaction.atomic
def return_evaluation(*, actor: User, evaluation: Evaluation, reason: str) -> Evaluation:
    """Send a submitted self-assessment back to the deputy to complete."""
    locked = _locked_evaluation(actor, evaluation)
    EVALUATION.require(locked, "return")
    reason = reason.strip()
    if not reason:
        raise InvalidInput(field_errors={"office_assessment": [_("请写明退回的原因。")]})
    EVALUATION.move(locked, actor=actor, action="return", comment=reason, check_policy=False)
    recipient = _user_of(locked.mandate)
    if recipient is not None:
        notifications.notify(
            recipients=[recipient],
            kind=kinds.EVALUATION,
            title=_("您的 %(year)s 年度履职自评已退回修改") % {"year": locked.year},
            body=reason,
            url=reverse("points:evaluation", args=[locked.mandate_id, locked.year]),
        )
    return locked
