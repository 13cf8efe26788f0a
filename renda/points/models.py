"""The points system (积分制) and the yearly evaluation (履职评价).

A congress keeps one rule set per year; changing a rule creates a new version of the set, which
becomes current, and the year is recomputed. Entries (one per counted source, "一人一次一记
一赋分") exist for the current version only and each traces to the duty record, the absence or
the decided dispute it came from; the totals of every version are kept, so the old result stays
in history.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from renda.core.models import Congress, Region, User
from renda.core.workflow import WorkflowEvent
from renda.deputies.models import Mandate
from renda.duties.models import ActivityKind, DutyRecord, Invitation


class RuleCode(models.TextChoices):
    """Every activity kind scores; bonuses and deductions come on top."""

    MEETING = ActivityKind.MEETING.value, ActivityKind.MEETING.label
    INSPECTION = ActivityKind.INSPECTION.value, ActivityKind.INSPECTION.label
    SURVEY = ActivityKind.SURVEY.value, ActivityKind.SURVEY.label
    LAW_CHECK = ActivityKind.LAW_CHECK.value, ActivityKind.LAW_CHECK.label
    TRAINING = ActivityKind.TRAINING.value, ActivityKind.TRAINING.label
    RECEPTION = ActivityKind.RECEPTION.value, ActivityKind.RECEPTION.label
    STATION_DUTY = ActivityKind.STATION_DUTY.value, ActivityKind.STATION_DUTY.label
    OTHER = ActivityKind.OTHER.value, ActivityKind.OTHER.label
    SUGGESTION = ActivityKind.SUGGESTION.value, ActivityKind.SUGGESTION.label
    OPINION = ActivityKind.OPINION.value, ActivityKind.OPINION.label
    SESSION = ActivityKind.SESSION.value, ActivityKind.SESSION.label
    # Bonuses (the suggestions module reports these on its duty records' source).
    SUGGESTION_CLASS_A = "suggestion_a", _("建议办理结果为A类(加分)")
    KEY_SUGGESTION = "key_suggestion", _("建议列为重点建议(加分)")
    # Deductions.
    ABSENCE = "absence", _("无故缺席(扣分)")
    # Not a rule: the office's decision on a dispute.
    ADJUSTMENT = "adjustment", _("申诉调整")


# The default table a congress starts a year with (points per occurrence, yearly cap).
DEFAULT_RULES: dict[str, tuple[Decimal, Decimal | None]] = {
    RuleCode.MEETING: (Decimal(2), Decimal(20)),
    RuleCode.INSPECTION: (Decimal(3), Decimal(30)),
    RuleCode.SURVEY: (Decimal(3), Decimal(30)),
    RuleCode.LAW_CHECK: (Decimal(3), Decimal(30)),
    RuleCode.TRAINING: (Decimal(2), Decimal(20)),
    RuleCode.RECEPTION: (Decimal(3), Decimal(36)),
    RuleCode.STATION_DUTY: (Decimal(2), Decimal(24)),
    RuleCode.OTHER: (Decimal(1), Decimal(10)),
    RuleCode.SUGGESTION: (Decimal(3), Decimal(30)),
    RuleCode.OPINION: (Decimal(2), Decimal(20)),
    RuleCode.SESSION: (Decimal(5), None),
    RuleCode.SUGGESTION_CLASS_A: (Decimal(2), Decimal(10)),
    RuleCode.KEY_SUGGESTION: (Decimal(3), Decimal(9)),
    RuleCode.ABSENCE: (Decimal(-2), None),
}


class PointRuleSet(models.Model):
    """One version of a congress's rule table for one year."""

    congress = models.ForeignKey(
        Congress, verbose_name=_("人大"), on_delete=models.CASCADE, related_name="point_rule_sets"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    is_current = models.BooleanField(_("现行版本"), default=True)
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("修订人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("修订时间"), auto_now_add=True)
    # When the entries of this version were last computed (None: not yet).
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)

    objects: ClassVar[models.Manager[PointRuleSet]] = models.Manager()

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["congress_id", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "year", "version"], name="point_rule_set_unique_version"
            ),
            models.UniqueConstraint(
                fields=["congress", "year"],
                condition=Q(is_current=True),
                name="point_rule_set_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.congress} {self.year} v{self.version}"


class PointRule(models.Model):
    rule_set = models.ForeignKey(
        PointRuleSet, verbose_name=_("积分规则"), on_delete=models.CASCADE, related_name="rules"
    )
    code = models.CharField(_("积分项目"), max_length=16, choices=RuleCode.choices)
    points = models.DecimalField(_("每次分值"), max_digits=6, decimal_places=1)
    yearly_cap = models.DecimalField(
        _("年度上限"), max_digits=7, decimal_places=1, null=True, blank=True
    )

    objects: ClassVar[models.Manager[PointRule]] = models.Manager()

    class Meta:
        verbose_name = _("积分项目")
        verbose_name_plural = _("积分项目")
        ordering = ["rule_set_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "code"], name="point_rule_unique_code"),
            models.CheckConstraint(
                condition=Q(yearly_cap__isnull=True) | Q(yearly_cap__gte=0),
                name="point_rule_cap_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} {self.points}"


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉不成立")


DISPUTE_TRANSITIONS: dict[str, frozenset[str]] = {
    DisputeStatus.OPEN: frozenset({DisputeStatus.UPHELD, DisputeStatus.REJECTED}),
    DisputeStatus.UPHELD: frozenset(),
    DisputeStatus.REJECTED: frozenset(),
}


class Dispute(models.Model):
    """A deputy's objection (申诉) to one entry of their breakdown, and the office's decision.
    It points at the entry's source, which survives recomputation; an upheld dispute's
    adjustment becomes an entry of its own."""

    mandate = models.ForeignKey(
        Mandate, verbose_name=_("代表"), on_delete=models.PROTECT, related_name="point_disputes"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    code = models.CharField(_("积分项目"), max_length=16, choices=RuleCode.choices)
    record = models.ForeignKey(
        DutyRecord,
        verbose_name=_("履职记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disputes",
    )
    invitation = models.ForeignKey(
        Invitation,
        verbose_name=_("活动邀请"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disputes",
    )
    disputed_points = models.DecimalField(_("申诉时分值"), max_digits=7, decimal_places=1)
    reason = models.TextField(_("申诉理由"))
    status = models.CharField(
        _("状态"), max_length=16, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    adjustment = models.DecimalField(
        _("调整分值"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    decision = models.TextField(_("处理意见"), blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("申诉人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("处理人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects: ClassVar[models.Manager[Dispute]] = models.Manager()

    class Meta:
        verbose_name = _("积分申诉")
        verbose_name_plural = _("积分申诉")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(record__isnull=False) | Q(invitation__isnull=False),
                name="dispute_has_source",
            ),
            # One open dispute per source at a time (a double-clicked submit files one).
            models.UniqueConstraint(
                fields=["code", "record"],
                condition=Q(status="open", record__isnull=False),
                name="dispute_one_open_per_record",
            ),
            models.UniqueConstraint(
                fields=["code", "invitation"],
                condition=Q(status="open", invitation__isnull=False),
                name="dispute_one_open_per_invitation",
            ),
            models.CheckConstraint(
                condition=~Q(status="upheld") | Q(adjustment__isnull=False),
                name="dispute_upheld_has_adjustment",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "status"]),
            models.Index(fields=["mandate", "year"]),
        ]

    def __str__(self) -> str:
        return f"{self.mandate_id} {self.year} {self.code}"


class DisputeEvent(WorkflowEvent):
    """The dispute's timeline: filed by the deputy, then upheld or rejected by the office."""

    dispute = models.ForeignKey(
        Dispute, verbose_name=_("积分申诉"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=DisputeStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=16, choices=DisputeStatus.choices)

    objects: ClassVar[models.Manager[DisputeEvent]] = models.Manager()

    class Meta:
        verbose_name = _("积分申诉处理过程")
        verbose_name_plural = _("积分申诉处理过程")
        ordering = ["dispute_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.from_status} -> {self.to_status}"


class PointEntry(models.Model):
    """One scored item of one deputy under the current rule set version."""

    rule_set = models.ForeignKey(
        PointRuleSet, verbose_name=_("积分规则"), on_delete=models.CASCADE, related_name="entries"
    )
    mandate = models.ForeignKey(
        Mandate, verbose_name=_("代表"), on_delete=models.CASCADE, related_name="point_entries"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("积分项目"), max_length=16, choices=RuleCode.choices)
    occurred_on = models.DateField(_("日期"))
    # What the rule gives, and what counts after the yearly cap.
    base_points = models.DecimalField(_("规则分值"), max_digits=7, decimal_places=1)
    points = models.DecimalField(_("计入分值"), max_digits=7, decimal_places=1)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    record = models.ForeignKey(
        DutyRecord,
        verbose_name=_("履职记录"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="point_entries",
    )
    invitation = models.ForeignKey(
        Invitation,
        verbose_name=_("活动邀请"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="point_entries",
    )
    dispute = models.ForeignKey(
        Dispute,
        verbose_name=_("积分申诉"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="point_entries",
    )

    objects: ClassVar[models.Manager[PointEntry]] = models.Manager()

    class Meta:
        verbose_name = _("积分明细")
        verbose_name_plural = _("积分明细")
        ordering = ["mandate_id", "occurred_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(record__isnull=False)
                | Q(invitation__isnull=False)
                | Q(dispute__isnull=False),
                name="point_entry_traces_to_source",
            ),
            models.UniqueConstraint(
                fields=["rule_set", "record", "code"],
                condition=Q(record__isnull=False),
                name="point_entry_once_per_record",
            ),
            models.UniqueConstraint(
                fields=["rule_set", "invitation", "code"],
                condition=Q(invitation__isnull=False),
                name="point_entry_once_per_invitation",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "occurred_on"]),
            models.Index(fields=["mandate", "rule_set"]),
            # The ledgers' points column: a period's entries by region.
            models.Index(fields=["occurred_on", "region"]),
        ]

    def __str__(self) -> str:
        return f"{self.mandate_id} {self.code} {self.points}"


class PointTotal(models.Model):
    """A deputy's year total under one rule set version; kept for every version."""

    rule_set = models.ForeignKey(
        PointRuleSet, verbose_name=_("积分规则"), on_delete=models.CASCADE, related_name="totals"
    )
    mandate = models.ForeignKey(
        Mandate, verbose_name=_("代表"), on_delete=models.CASCADE, related_name="point_totals"
    )
    points = models.DecimalField(_("年度积分"), max_digits=8, decimal_places=1)
    entries = models.PositiveIntegerField(_("计分条数"), default=0)

    objects: ClassVar[models.Manager[PointTotal]] = models.Manager()

    class Meta:
        verbose_name = _("年度积分")
        verbose_name_plural = _("年度积分")
        ordering = ["rule_set_id", "mandate_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "mandate"], name="point_total_unique_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mandate_id} {self.points}"


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("填写中")
    SUBMITTED = "submitted", _("已自评")
    ASSESSED = "assessed", _("已评价")


EVALUATION_TRANSITIONS: dict[str, frozenset[str]] = {
    EvaluationStatus.DRAFT: frozenset({EvaluationStatus.SUBMITTED}),
    EvaluationStatus.SUBMITTED: frozenset({EvaluationStatus.ASSESSED, EvaluationStatus.DRAFT}),
    EvaluationStatus.ASSESSED: frozenset(),
}


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    COMPETENT = "competent", _("称职")
    BASIC = "basic", _("基本称职")
    INCOMPETENT = "incompetent", _("不称职")


class Evaluation(models.Model):
    """The yearly duty evaluation form (履职评价表) of one mandate."""

    mandate = models.ForeignKey(
        Mandate, verbose_name=_("代表"), on_delete=models.PROTECT, related_name="evaluations"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(
        _("状态"), max_length=16, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    self_assessment = models.TextField(_("代表自评"), blank=True)
    self_submitted_at = models.DateTimeField(_("自评提交时间"), null=True, blank=True)
    office_assessment = models.TextField(_("机关评价意见"), blank=True)
    grade = models.CharField(_("评价等次"), max_length=16, choices=Grade.choices, blank=True)
    # The year's points when the office assessed, so the form stays as it was signed.
    points = models.DecimalField(_("积分"), max_digits=8, decimal_places=1, null=True, blank=True)
    assessed_by = models.ForeignKey(
        User,
        verbose_name=_("评价人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects: ClassVar[models.Manager[Evaluation]] = models.Manager()

    class Meta:
        verbose_name = _("履职评价")
        verbose_name_plural = _("履职评价")
        ordering = ["-year", "mandate_id"]
        constraints = [
            models.UniqueConstraint(fields=["mandate", "year"], name="evaluation_unique_year"),
            models.CheckConstraint(
                condition=~Q(status="assessed") | ~Q(grade=""),
                name="evaluation_assessed_has_grade",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mandate_id} {self.year}"


class EvaluationEvent(WorkflowEvent):
    """The evaluation form's timeline: opened, self-assessment submitted, sent back to the
    deputy, assessed by the office."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("履职评价"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=EvaluationStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=16, choices=EvaluationStatus.choices)

    objects: ClassVar[models.Manager[EvaluationEvent]] = models.Manager()

    class Meta:
        verbose_name = _("履职评价过程")
        verbose_name_plural = _("履职评价过程")
        ordering = ["evaluation_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.evaluation_id}: {self.from_status} -> {self.to_status}"
