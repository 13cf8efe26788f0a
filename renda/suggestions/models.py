"""Deputies' suggestions (建议、批评和意见) and motions (议案).

A deputy writes a draft, invites co-signers (附议/联名) and submits it; the congress office
reviews it (accept, return for revision, treat a motion as a suggestion, merge a duplicate) and
assigns it to government units, after which the case-handling module (renda.cases) carries the
handling: signing for it, replies, ratings, deadlines. The suggestion names itself on the case
as ("suggestions.suggestion", pk); the case never imports this module.

Each suggestion keeps its rjieba token set, so that while a deputy types, earlier similar
suggestions of the same congress are found with one indexed lookup plus scoring in Python.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from renda.core.models import Congress, Organization, Region, Term, User
from renda.core.workflow import WorkflowEvent
from renda.deputies.models import Delegation, Mandate

BETWEEN_SESSIONS = 0


class SuggestionCategory(models.Model):
    """A congress's list of categories (分类); defaults are created when first needed."""

    congress = models.ForeignKey(
        Congress,
        verbose_name=_("人大"),
        on_delete=models.CASCADE,
        related_name="suggestion_categories",
    )
    name = models.CharField(_("名称"), max_length=40)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects: ClassVar[models.Manager[SuggestionCategory]] = models.Manager()

    class Meta:
        verbose_name = _("建议分类")
        verbose_name_plural = _("建议分类")
        ordering = ["congress_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "name"], name="suggestion_category_unique"),
        ]

    def __str__(self) -> str:
        return self.name


DEFAULT_CATEGORIES = (
    "城乡建设",
    "交通运输",
    "生态环境",
    "教育",
    "卫生健康",
    "社会保障",
    "就业",
    "农业农村",
    "公共安全",
    "科技",
    "文化旅游",
    "财政经济",
    "民政",
    "市场监管",
    "其他",
)


class SuggestionKind(models.TextChoices):
    SUGGESTION = "suggestion", _("建议")
    MOTION = "motion", _("议案")


class SuggestionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交待审查")
    ACCEPTED = "accepted", _("已立案")
    RETURNED = "returned", _("退回修改")
    CONVERTED = "converted", _("议案转建议")
    ASSIGNED = "assigned", _("已交办")
    MERGED = "merged", _("已并案")


# The one table of legal moves. A returned suggestion comes back as a submission; a motion the
# office or the presidium treats as a suggestion (converted) is then assigned like one; once
# assigned, the case in renda.cases carries the handling.
SUGGESTION_TRANSITIONS: dict[str, frozenset[str]] = {
    SuggestionStatus.DRAFT: frozenset({SuggestionStatus.SUBMITTED}),
    SuggestionStatus.SUBMITTED: frozenset(
        {
            SuggestionStatus.ACCEPTED,
            SuggestionStatus.RETURNED,
            SuggestionStatus.CONVERTED,
            SuggestionStatus.MERGED,
        }
    ),
    SuggestionStatus.RETURNED: frozenset({SuggestionStatus.SUBMITTED}),
    SuggestionStatus.ACCEPTED: frozenset(
        {
            SuggestionStatus.ASSIGNED,
            SuggestionStatus.CONVERTED,
            SuggestionStatus.MERGED,
        }
    ),
    SuggestionStatus.CONVERTED: frozenset({SuggestionStatus.ASSIGNED, SuggestionStatus.MERGED}),
    SuggestionStatus.ASSIGNED: frozenset(),
    SuggestionStatus.MERGED: frozenset(),
}
EDITABLE_STATUSES = (SuggestionStatus.DRAFT, SuggestionStatus.RETURNED)
# Co-signers may still confirm or decline while it is a draft, returned or waiting for review.
COSIGN_OPEN = (*EDITABLE_STATUSES, SuggestionStatus.SUBMITTED)
# Visible to other deputies as "similar earlier suggestions" and open to joining (附议).
LODGED_STATUSES = (
    SuggestionStatus.SUBMITTED,
    SuggestionStatus.ACCEPTED,
    SuggestionStatus.CONVERTED,
    SuggestionStatus.ASSIGNED,
)


class PresidiumDecision(models.TextChoices):
    AGENDA = "agenda", _("列入会议议程")
    COMMITTEE = "committee", _("交专门委员会审议")
    SUGGESTION = "suggestion", _("作为建议处理")


class Suggestion(models.Model):
    congress = models.ForeignKey(
        Congress, verbose_name=_("人大"), on_delete=models.PROTECT, related_name="suggestions"
    )
    term = models.ForeignKey(
        Term, verbose_name=_("届次"), on_delete=models.PROTECT, related_name="+"
    )
    # The congress's region: jurisdiction is one range scan.
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )
    # The session's number (第几次会议); 0 for between sessions (闭会期间).
    session = models.PositiveSmallIntegerField(_("会议"), default=BETWEEN_SESSIONS)
    kind = models.CharField(
        _("类型"), max_length=16, choices=SuggestionKind.choices, default=SuggestionKind.SUGGESTION
    )
    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("内容"), blank=True)
    category = models.ForeignKey(
        SuggestionCategory,
        verbose_name=_("分类"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=SuggestionStatus.choices, default=SuggestionStatus.DRAFT
    )
    # The lead author (领衔代表).
    mandate = models.ForeignKey(
        Mandate, verbose_name=_("领衔代表"), on_delete=models.PROTECT, related_name="suggestions"
    )
    # A motion in the name of a delegation (代表团) needs no co-signers.
    delegation = models.ForeignKey(
        Delegation,
        verbose_name=_("代表团"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who typed it; a station administrator entering it for a deputy (代录) is recorded here
    # and in ``station``.
    entered_by = models.ForeignKey(
        User, verbose_name=_("录入人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    station = models.ForeignKey(
        Organization,
        verbose_name=_("代录联络站"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The form's one-time key: a double-clicked button finds the row the first click made.
    submission_key = models.CharField(_("提交标识"), max_length=36, blank=True, editable=False)
    number = models.PositiveIntegerField(_("编号"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    reviewed_by = models.ForeignKey(
        User,
        verbose_name=_("审查人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审查时间"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
    )
    presidium_decision = models.CharField(
        _("主席团决定"), max_length=16, choices=PresidiumDecision.choices, blank=True
    )
    presidium_decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    presidium_note = models.TextField(_("决定说明"), blank=True)
    # The rjieba token set of title and content, space-separated, for similarity scoring.
    tokens = models.TextField(_("分词"), blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects: ClassVar[models.Manager[Suggestion]] = models.Manager()

    class Meta:
        verbose_name = _("议案建议")
        verbose_name_plural = _("议案建议")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "term", "session", "kind", "number"],
                condition=Q(number__isnull=False),
                name="suggestion_number_unique",
            ),
            models.UniqueConstraint(
                fields=["mandate", "submission_key"],
                condition=~Q(submission_key=""),
                name="suggestion_once_per_submission",
            ),
            models.CheckConstraint(
                condition=~Q(status=SuggestionStatus.MERGED) | Q(merged_into__isnull=False),
                name="suggestion_merged_has_target",
            ),
        ]
        indexes = [
            # The dashboard's breakdowns by state and category and its year filter read this
            # index alone over a jurisdiction's range of region codes.
            models.Index(fields=["region", "status", "category", "submitted_at"]),
            models.Index(fields=["congress", "status"]),
            models.Index(fields=["mandate", "status"]),
            # Covers the list's filters, its order and the title and author search (see
            # selectors.matching): counting and paging a searched list read this index only,
            # never the rows with their contents. The jurisdiction's range of region codes
            # comes first, the one condition every office's and leader's list has: led by
            # status, SQLite would use it without a chosen status only with ANALYZE's
            # statistics (a skip-scan) and otherwise go back to reading the rows.
            models.Index(
                fields=["region", "status", "kind", "created_at", "id", "mandate", "title"],
                name="suggestion_list_idx",
            ),
            # The same columns led by the state, for PostgreSQL (SQLite may use either): a
            # searched list with a state chosen ("assigned", 80% of a city's suggestions) and
            # the review queue's count on every list page and workbench ("submitted"). On
            # (region, status, …) the state is no bound for a city office, whose range is
            # every row: EXPLAIN (ANALYZE, BUFFERS) showed a Parallel Seq Scan over the whole
            # table for the search (6,667 pages) and an Index Only Scan of all 100,000 entries
            # for the count of 8,000. Here the state bounds both, and the title is in the
            # index: an Index Only Scan of the 80,000 assigned entries (1,574 pages in all)
            # with strpos as its filter, half the time of the Seq Scan with LIKE (44 against
            # 95 ms median on the shared machine), and the count reads 8,000 entries (0.7
            # against 7-12 ms). Index-only scans need the visibility map that (auto)vacuum
            # keeps; the benchmarks run VACUUM ANALYZE after seeding, as autovacuum would.
            models.Index(
                fields=["status", "region", "created_at", "id", "mandate", "title"],
                name="suggestion_status_list_idx",
            ),
            # The review queue, oldest first (workbench panel, review page): walked in order
            # until a page is full. Without it PostgreSQL sorted the city's 8,000 submitted
            # suggestions with their joined rows and contents for the first five (83 ms).
            models.Index(fields=["status", "submitted_at", "id"], name="suggestion_queue_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_motion(self) -> bool:
        return self.kind == SuggestionKind.MOTION

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def session_label(self) -> str:
        if self.session == BETWEEN_SESSIONS:
            return str(_("闭会期间"))
        return str(_("第%(n)d次会议")) % {"n": self.session}

    @property
    def number_label(self) -> str:
        if self.number is None:
            return ""
        return str(_("%(kind)s第 %(n)d 号")) % {"kind": self.get_kind_display(), "n": self.number}


class SuggestionToken(models.Model):
    """One distinct token of one lodged suggestion: the indexed prefilter of the similarity
    search (candidates sharing the query's rarest tokens), and the token frequencies."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="token_rows")
    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=32)

    objects: ClassVar[models.Manager[SuggestionToken]] = models.Manager()

    class Meta:
        verbose_name = _("建议分词")
        verbose_name_plural = _("建议分词")
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "token"], name="suggestion_token_once"),
        ]
        indexes = [models.Index(fields=["congress", "token"])]

    def __str__(self) -> str:
        return self.token


class CoSignerStatus(models.TextChoices):
    INVITED = "invited", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("已谢绝")


class CoSigner(models.Model):
    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("议案建议"), on_delete=models.CASCADE, related_name="cosigners"
    )
    mandate = models.ForeignKey(
        Mandate, verbose_name=_("附议代表"), on_delete=models.PROTECT, related_name="cosigned"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=CoSignerStatus.choices, default=CoSignerStatus.INVITED
    )
    invited_by = models.ForeignKey(
        User, verbose_name=_("邀请人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    invited_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    objects: ClassVar[models.Manager[CoSigner]] = models.Manager()

    class Meta:
        verbose_name = _("附议代表")
        verbose_name_plural = _("附议代表")
        ordering = ["suggestion_id", "invited_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "mandate"], name="cosigner_once"),
        ]

    def __str__(self) -> str:
        return f"{self.suggestion_id}/{self.mandate_id} {self.status}"


ATTACHMENT_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")


def _attachment_upload_to(instance: SuggestionAttachment, filename: str) -> str:
    # Random names: attachments are served only through a permission-checked view.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"suggestion-files/{uuid.uuid4().hex}.{extension}"


class SuggestionAttachment(models.Model):
    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("议案建议"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=_attachment_upload_to)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=32)
    size = models.PositiveIntegerField(_("大小(字节)"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects: ClassVar[models.Manager[SuggestionAttachment]] = models.Manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["suggestion_id", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


EVENT_LABELS = {
    "create": _("起草"),
    "submit": _("提交"),
    "invite": _("邀请附议"),
    "confirm": _("确认附议"),
    "decline": _("谢绝附议"),
    "join": _("附议"),
    "accept": _("立案"),
    "return": _("退回修改"),
    "convert": _("议案转为建议"),
    "merge": _("并案"),
    "absorb": _("并入相同议案建议"),
    "presidium": _("主席团决定"),
    # The presidium's decision on a motion already accepted, which keeps its status.
    "presidium_record": _("主席团决定"),
    "assign": _("交办"),
}


class SuggestionEvent(WorkflowEvent):
    """The timeline: who did what, when, with what comment."""

    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("议案建议"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=SuggestionStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("新状态"), max_length=16, choices=SuggestionStatus.choices, blank=True
    )

    objects: ClassVar[models.Manager[SuggestionEvent]] = models.Manager()

    class Meta:
        verbose_name = _("办理过程")
        verbose_name_plural = _("办理过程")
        ordering = ["suggestion_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.suggestion_id} {self.action}"

    @property
    def action_label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))
