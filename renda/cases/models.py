"""Case handling (办理): the mechanics that deputies' suggestions, citizens' opinions and
petitions share once an item is handed to government units.

A case is one item assigned (交办) to a lead unit (主办) and optional co-units (协办). The lead
unit signs for it (签收), may ask for reassignment within a set number of days, contacts the
author, collects the co-units' opinions, replies (答复) with a result class, and the author rates
the reply; an unsatisfied rating reopens the case for another round with a new deadline. Every
step is an event on the case's timeline. Deadlines come from the congress's rules, and the
scheduled scan sends each reminder once, however many schedulers run.

The module that owns the item (e.g. suggestions) creates the case and names itself in
``subject_type``/``subject_id``; the case never imports that module.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from renda.core.models import Congress, Organization, Region, User
from renda.core.workflow import WorkflowEvent


class DeadlineRules(models.Model):
    """A congress's handling deadlines (the legal defaults unless the congress changed them)."""

    congress = models.OneToOneField(
        Congress, verbose_name=_("人大"), on_delete=models.CASCADE, related_name="case_rules"
    )
    reply_months = models.PositiveSmallIntegerField(_("答复期限(月)"), default=3)
    complex_reply_months = models.PositiveSmallIntegerField(_("复杂事项答复期限(月)"), default=6)
    co_unit_months = models.PositiveSmallIntegerField(_("协办意见期限(月)"), default=1)
    reopen_months = models.PositiveSmallIntegerField(_("重新办理期限(月)"), default=1)
    reassign_days = models.PositiveSmallIntegerField(_("申请调整期限(天)"), default=7)
    # Days before the due date on which the lead unit is reminded, e.g. [15, 3].
    remind_days = models.JSONField(_("到期前提醒(天)"), default=list)
    # Days after the due date on which an overdue case is escalated again, e.g. [0, 7, 30].
    escalate_days = models.JSONField(_("逾期督办(天)"), default=list)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects: ClassVar[models.Manager[DeadlineRules]] = models.Manager()

    class Meta:
        verbose_name = _("办理期限规则")
        verbose_name_plural = _("办理期限规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(reply_months__gte=1)
                & Q(complex_reply_months__gte=1)
                & Q(co_unit_months__gte=1)
                & Q(reopen_months__gte=1),
                name="deadline_rules_positive",
            ),
        ]

    def __str__(self) -> str:
        return str(self.congress)


DEFAULT_REMIND_DAYS = [15, 3]
DEFAULT_ESCALATE_DAYS = [0, 7, 30]


class CaseStatus(models.TextChoices):
    ASSIGNED = "assigned", _("已交办待签收")
    SIGNED = "signed", _("办理中")
    REASSIGN_REQUESTED = "reassign", _("申请调整承办单位")
    # The lead unit's staff drafted the reply; its leader has yet to sign it off (签发).
    DRAFTED = "drafted", _("答复待签发")
    REPLIED = "replied", _("已答复待评价")
    REOPENED = "reopened", _("重新办理")
    CLOSED = "closed", _("已办结")


# The one table of legal moves. A reassignment request returns the case to ASSIGNED (to the
# new unit) or, if refused, to where it was; an unsatisfied rating reopens a replied case. In a
# unit with a leader account, a staff member's reply is a draft until the leader signs it off
# (then it is sent) or returns it (back to where the case was, for the staff to revise).
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.ASSIGNED: frozenset({CaseStatus.SIGNED, CaseStatus.REASSIGN_REQUESTED}),
    CaseStatus.SIGNED: frozenset(
        {CaseStatus.REPLIED, CaseStatus.DRAFTED, CaseStatus.REASSIGN_REQUESTED}
    ),
    CaseStatus.REASSIGN_REQUESTED: frozenset({CaseStatus.ASSIGNED, CaseStatus.SIGNED}),
    CaseStatus.DRAFTED: frozenset({CaseStatus.REPLIED, CaseStatus.SIGNED, CaseStatus.REOPENED}),
    CaseStatus.REPLIED: frozenset({CaseStatus.CLOSED, CaseStatus.REOPENED}),
    CaseStatus.REOPENED: frozenset({CaseStatus.REPLIED, CaseStatus.DRAFTED}),
    CaseStatus.CLOSED: frozenset(),
}
# A draft awaiting sign-off is not an answer: the deadline and the overdue ladder still apply.
OPEN_STATUSES = (
    CaseStatus.ASSIGNED,
    CaseStatus.SIGNED,
    CaseStatus.REASSIGN_REQUESTED,
    CaseStatus.DRAFTED,
    CaseStatus.REOPENED,
)


class ResultClass(models.TextChoices):
    A = "A", _("A 已解决或基本解决")
    B = "B", _("B 列入计划逐步解决")
    C = "C", _("C 因条件限制留作参考")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Case(models.Model):
    subject_type = models.CharField(_("事项类型"), max_length=64)
    subject_id = models.CharField(_("事项编号"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    # The assigning congress's region: jurisdiction for offices, leaders and supervisors.
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )
    congress = models.ForeignKey(
        Congress, verbose_name=_("人大"), on_delete=models.PROTECT, related_name="cases"
    )
    # Who rates the replies (the deputy who submitted, or the citizen), if an account.
    author = models.ForeignKey(
        User,
        verbose_name=_("提出人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.ASSIGNED
    )
    lead_unit = models.ForeignKey(
        Organization, verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="+"
    )
    is_complex = models.BooleanField(_("复杂事项"), default=False)
    is_key = models.BooleanField(_("重点督办"), default=False)
    supervisor = models.ForeignKey(
        User,
        verbose_name=_("领衔督办领导"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Handling rounds: 1, then one more for each unsatisfied rating.
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    assigned_at = models.DateTimeField(_("交办时间"))
    reassign_until = models.DateField(_("申请调整截止"))
    due_on = models.DateField(_("答复期限"))
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # The status before a reassignment request, to return to if it is refused.
    status_before_request = models.CharField(
        _("申请前状态"), max_length=16, choices=CaseStatus.choices, blank=True
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects: ClassVar[models.Manager[Case]] = models.Manager()

    class Meta:
        verbose_name = _("办理事项")
        verbose_name_plural = _("办理事项")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"], name="case_one_per_subject"
            ),
            models.CheckConstraint(condition=Q(round__gte=1), name="case_round_positive"),
        ]
        indexes = [
            # The overdue scan: open cases by due date.
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["lead_unit", "status"]),
            models.Index(fields=["region", "status"]),
            # Covers the dashboards' pass over a jurisdiction (a region-code range of one
            # subject type), grouped by lead unit and status: read from the index alone. The
            # round too, for the replies' figures (selectors._case_figures): without it
            # SQLite read every case's row for it (200 against 98 ms at city scale).
            models.Index(
                fields=[
                    "subject_type",
                    "region",
                    "lead_unit",
                    "status",
                    "due_on",
                    "signed_at",
                    "round",
                ]
            ),
            # The overdue lists (dashboard, workbench panel): open cases in due-date order,
            # walked from the oldest deadline until a page is full. Without it PostgreSQL
            # read and sorted all 28,000 overdue cases of a city for the first 50 (62 ms);
            # with it, an Index Scan of 50 entries (2.5 ms, EXPLAIN ANALYZE).
            models.Index(
                fields=["due_on", "id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="case_open_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class UnitRole(models.TextChoices):
    LEAD = "lead", _("主办")
    CO = "co", _("协办")


class CaseUnit(models.Model):
    """A unit on a case: the lead unit and each co-unit, with the co-unit's opinion."""

    case = models.ForeignKey(
        Case, verbose_name=_("办理事项"), on_delete=models.CASCADE, related_name="units"
    )
    unit = models.ForeignKey(
        Organization,
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        related_name="case_units",
    )
    role = models.CharField(_("角色"), max_length=8, choices=UnitRole.choices)
    # False once the unit was replaced by a reassignment: kept for the history.
    active = models.BooleanField(_("有效"), default=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    opinion = models.TextField(_("协办意见"), blank=True)
    opinion_due_on = models.DateField(_("协办意见期限"), null=True, blank=True)
    opinion_at = models.DateTimeField(_("协办意见时间"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("交办时间"))

    objects: ClassVar[models.Manager[CaseUnit]] = models.Manager()

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["case_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "unit"], condition=Q(active=True), name="case_unit_once_active"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(active=True, role="lead"), name="case_one_active_lead"
            ),
        ]
        indexes = [models.Index(fields=["unit", "active"])]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.unit_id} {self.role}"


class ContactMethod(models.TextChoices):
    MEETING = "meeting", _("当面沟通(面商)")
    PHONE = "phone", _("电话沟通")
    VISIT = "visit", _("上门走访")
    OTHER = "other", _("其他方式")


class Contact(models.Model):
    """A unit's contact with the author before replying (办前、办中、办后沟通)."""

    case = models.ForeignKey(
        Case, verbose_name=_("办理事项"), on_delete=models.CASCADE, related_name="contacts"
    )
    unit = models.ForeignKey(
        Organization, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("沟通方式"), max_length=16, choices=ContactMethod.choices)
    happened_on = models.DateField(_("沟通日期"))
    note = models.TextField(_("沟通情况"))
    recorded_by = models.ForeignKey(
        User, verbose_name=_("记录人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects: ClassVar[models.Manager[Contact]] = models.Manager()

    class Meta:
        verbose_name = _("沟通记录")
        verbose_name_plural = _("沟通记录")
        ordering = ["case_id", "happened_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.method} {self.happened_on}"


class Reply(models.Model):
    """The lead unit's reply (答复函) in one round."""

    case = models.ForeignKey(
        Case, verbose_name=_("办理事项"), on_delete=models.CASCADE, related_name="replies"
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"))
    unit = models.ForeignKey(
        Organization, verbose_name=_("答复单位"), on_delete=models.PROTECT, related_name="+"
    )
    result_class = models.CharField(_("办理结果"), max_length=1, choices=ResultClass.choices)
    content = models.TextField(_("答复内容"))
    measures = models.TextField(_("承诺措施"), blank=True)
    # Who approved the reply inside the unit (单位领导签发): typed by the staff of a unit
    # without a leader account, else the signing leader's name and account.
    approved_by_name = models.CharField(_("签发人"), max_length=50)
    approved_by = models.ForeignKey(
        User,
        verbose_name=_("签发人账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_by = models.ForeignKey(
        User, verbose_name=_("发送人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("答复时间"))
    # B-class promises are tracked until the unit reports them done.
    promise_done_at = models.DateTimeField(_("承诺事项完成时间"), null=True, blank=True)
    promise_report = models.TextField(_("承诺事项完成情况"), blank=True)
    # The deadline this reply answered and whether it came in time: fixed when it is sent,
    # because a reopened case gets a new deadline and the on-time rate must not change.
    due_on = models.DateField(_("答复期限"), null=True, blank=True)
    on_time = models.BooleanField(_("按期答复"), default=True)
    # Publication on the portal is the office's separate decision.
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)

    objects: ClassVar[models.Manager[Reply]] = models.Manager()

    class Meta:
        verbose_name = _("答复")
        verbose_name_plural = _("答复")
        ordering = ["case_id", "round"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="reply_once_per_round"),
        ]
        # Covers the dashboards' reply figures (count, on time, latest round's class) per case.
        indexes = [models.Index(fields=["case", "round", "result_class", "on_time"])]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.round} {self.result_class}"


class DraftDecision(models.TextChoices):
    PENDING = "pending", _("待签发")
    APPROVED = "approved", _("已签发")
    RETURNED = "returned", _("退回修改")


class ReplyDraft(models.Model):
    """A reply the lead unit's staff drafted, awaiting its leader's sign-off (签发). Approved,
    it becomes the round's Reply; returned, it keeps its text for the staff to revise, and the
    revision is a new draft. At most one draft of a case is pending."""

    case = models.ForeignKey(
        Case, verbose_name=_("办理事项"), on_delete=models.CASCADE, related_name="drafts"
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"))
    unit = models.ForeignKey(
        Organization, verbose_name=_("答复单位"), on_delete=models.PROTECT, related_name="+"
    )
    result_class = models.CharField(_("办理结果"), max_length=1, choices=ResultClass.choices)
    content = models.TextField(_("答复内容"))
    measures = models.TextField(_("承诺措施"), blank=True)
    # Where the case was before the draft: a returned draft sends it back there.
    from_status = models.CharField(_("原状态"), max_length=16, choices=CaseStatus.choices)
    drafted_by = models.ForeignKey(
        User, verbose_name=_("拟稿人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    drafted_at = models.DateTimeField(_("拟稿时间"))
    decision = models.CharField(
        _("签发结果"), max_length=16, choices=DraftDecision.choices, default=DraftDecision.PENDING
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("签发人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    # The reason of a return (required) or the leader's remark on signing.
    comment = models.TextField(_("签发意见"), blank=True)
    reply = models.OneToOneField(
        Reply,
        verbose_name=_("答复"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="draft",
    )

    objects: ClassVar[models.Manager[ReplyDraft]] = models.Manager()

    class Meta:
        verbose_name = _("答复草稿")
        verbose_name_plural = _("答复草稿")
        ordering = ["case_id", "drafted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(decision="pending"), name="reply_draft_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.round} {self.decision}"


class Evaluation(models.Model):
    """The author's rating of one round's reply."""

    case = models.ForeignKey(
        Case, verbose_name=_("办理事项"), on_delete=models.CASCADE, related_name="ratings"
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"))
    rating = models.CharField(_("评价"), max_length=16, choices=Rating.choices)
    comment = models.TextField(_("评价意见"), blank=True)
    rated_by = models.ForeignKey(
        User, verbose_name=_("评价人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    rated_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    objects: ClassVar[models.Manager[Evaluation]] = models.Manager()

    class Meta:
        verbose_name = _("答复评价")
        verbose_name_plural = _("答复评价")
        ordering = ["case_id", "round"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="rating_once_per_round"),
        ]
        # Covers the dashboards' rating figures per case.
        indexes = [models.Index(fields=["case", "rating"])]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.round} {self.rating}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("到期前提醒")
    OVERDUE = "overdue", _("逾期督办")
    CO_OPINION = "co_opinion", _("协办意见到期提醒")


class Reminder(models.Model):
    """One reminder sent for a case: unique per (case, round, kind, step), so the scan sends
    each exactly once even when two schedulers run at the same moment."""

    case = models.ForeignKey(
        Case, verbose_name=_("办理事项"), on_delete=models.CASCADE, related_name="reminders"
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"))
    kind = models.CharField(_("提醒类型"), max_length=16, choices=ReminderKind.choices)
    # Days before the due date (DUE_SOON) or after it (OVERDUE); the co-unit's id for
    # CO_OPINION.
    step = models.IntegerField(_("节点"))
    # The scan run that inserted the row. Runs insert with "ignore conflicts" and then read
    # back their own token: the rows they get are theirs alone to send, on every database.
    claim = models.CharField(_("发送批次"), max_length=32, blank=True, db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    objects: ClassVar[models.Manager[Reminder]] = models.Manager()

    class Meta:
        verbose_name = _("办理提醒")
        verbose_name_plural = _("办理提醒")
        ordering = ["case_id", "sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "round", "kind", "step"], name="reminder_once_per_rule"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.step}"


class CaseEvent(WorkflowEvent):
    """The case's timeline: who did what, when, with what comment, for which unit."""

    case = models.ForeignKey(
        Case, verbose_name=_("办理事项"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=CaseStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=16, choices=CaseStatus.choices, blank=True)
    unit = models.ForeignKey(
        Organization,
        verbose_name=_("单位"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects: ClassVar[models.Manager[CaseEvent]] = models.Manager()

    class Meta:
        verbose_name = _("办理过程")
        verbose_name_plural = _("办理过程")
        ordering = ["case_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"
