"""The deputies' registry (代表信息): mandates per congress and term, with delegation, deputy
group, constituency, liaison stations, category and status over time.

A person may hold several mandates at once (a city deputy who is also a county deputy) and
keeps the mandates of past terms. A mandate carries its congress's region code so that
"deputies in my jurisdiction" is the same range scan as everywhere else.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from renda.core.dates import local_date
from renda.core.models import Congress, Organization, Person, Region, Term, User
from renda.core.workflow import WorkflowEvent


class Delegation(models.Model):
    """A delegation (代表团) at a congress session, usually one per lower-level region."""

    congress = models.ForeignKey(
        Congress, verbose_name=_("人大"), on_delete=models.CASCADE, related_name="delegations"
    )
    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("代表团")
        verbose_name_plural = _("代表团")
        ordering = ["congress_id", "region_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "name"], name="delegation_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class DeputyGroup(models.Model):
    """A deputy group (代表小组): deputies who work together between sessions, usually
    around one liaison station."""

    congress = models.ForeignKey(
        Congress, verbose_name=_("人大"), on_delete=models.CASCADE, related_name="deputy_groups"
    )
    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        Organization,
        verbose_name=_("联络站"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deputy_groups",
    )

    class Meta:
        verbose_name = _("代表小组")
        verbose_name_plural = _("代表小组")
        ordering = ["congress_id", "region_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "name"], name="deputy_group_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Constituency(models.Model):
    """An electoral district (选区) of a congress."""

    congress = models.ForeignKey(
        Congress, verbose_name=_("人大"), on_delete=models.CASCADE, related_name="constituencies"
    )
    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("选区")
        verbose_name_plural = _("选区")
        ordering = ["congress_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "name"], name="constituency_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class DeputyCategory(models.TextChoices):
    WORKER = "worker", _("工人")
    FARMER = "farmer", _("农民")
    PROFESSIONAL = "professional", _("专业技术人员")
    OFFICIAL = "official", _("党政领导干部")
    ENTERPRISE = "enterprise", _("企业负责人")
    PLA = "pla", _("解放军")
    OTHER = "other", _("其他")


class MandateStatus(models.TextChoices):
    SERVING = "serving", _("在任")
    RESIGNED = "resigned", _("辞职")
    RECALLED = "recalled", _("罢免")
    TERMINATED = "terminated", _("终止")
    DECEASED = "deceased", _("去世")


# The mandate workflow: a serving deputy's mandate ends in one of four ways, and an ended
# mandate never serves again (a new election gives a new mandate).
MANDATE_TRANSITIONS: dict[str, frozenset[str]] = {
    MandateStatus.SERVING: frozenset(
        {
            MandateStatus.RESIGNED,
            MandateStatus.RECALLED,
            MandateStatus.TERMINATED,
            MandateStatus.DECEASED,
        }
    ),
    MandateStatus.RESIGNED: frozenset(),
    MandateStatus.RECALLED: frozenset(),
    MandateStatus.TERMINATED: frozenset(),
    MandateStatus.DECEASED: frozenset(),
}


class Mandate(models.Model):
    """One person's seat in one term of one congress."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="mandates"
    )
    term = models.ForeignKey(
        Term, verbose_name=_("届次"), on_delete=models.PROTECT, related_name="mandates"
    )
    # The congress's region, kept on the row so jurisdiction is one range scan.
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )
    delegation = models.ForeignKey(
        Delegation,
        verbose_name=_("代表团"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mandates",
    )
    group = models.ForeignKey(
        DeputyGroup,
        verbose_name=_("代表小组"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mandates",
    )
    constituency = models.ForeignKey(
        Constituency,
        verbose_name=_("选区"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mandates",
    )
    stations = models.ManyToManyField(
        Organization, verbose_name=_("联络站"), blank=True, related_name="station_mandates"
    )
    category = models.CharField(
        _("代表构成"), max_length=16, choices=DeputyCategory.choices, default=DeputyCategory.OTHER
    )
    full_time = models.BooleanField(_("专职"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=MandateStatus.choices, default=MandateStatus.SERVING
    )
    elected_on = models.DateField(_("当选日期"))
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("代表资格")
        verbose_name_plural = _("代表资格")
        ordering = ["region_id", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "term"], name="mandate_unique_per_term"),
            models.CheckConstraint(
                condition=Q(status=MandateStatus.SERVING, ended_on__isnull=True)
                | (~Q(status=MandateStatus.SERVING) & Q(ended_on__isnull=False)),
                name="mandate_ended_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "status"]),
            models.Index(fields=["term", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.term})"

    @property
    def is_serving(self) -> bool:
        return self.status == MandateStatus.SERVING


class MandateEvent(WorkflowEvent):
    """Every status change of a mandate, with its date and reason (the mandate's history);
    the first entry is the election that opened it."""

    mandate = models.ForeignKey(
        Mandate, verbose_name=_("代表资格"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=MandateStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=16, choices=MandateStatus.choices)
    effective_on = models.DateField(_("生效日期"), default=local_date)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects: ClassVar[models.Manager[MandateEvent]] = models.Manager()

    class Meta:
        verbose_name = _("代表资格变动")
        verbose_name_plural = _("代表资格变动")
        ordering = ["mandate_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.mandate_id}: {self.from_status} -> {self.to_status}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("等待校验")
    CHECKING = "checking", _("正在校验")
    INVALID = "invalid", _("有错误")
    VALID = "valid", _("校验通过")
    QUEUED = "queued", _("等待导入")
    IMPORTING = "importing", _("正在导入")
    DONE = "done", _("已导入")
    FAILED = "failed", _("导入失败")


# The import pipeline. The office uploads (pending) and, after reading the report, confirms
# (queued) or checks the kept file again (back to pending, also after a failure); the rest is
# the system's: checking, then valid or invalid (or failed on an error); importing, then done,
# or back to valid or invalid when the check before writing finds the registry has changed,
# or failed (nothing written). A done import is final.
IMPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    ImportStatus.PENDING: frozenset({ImportStatus.CHECKING}),
    ImportStatus.CHECKING: frozenset(
        {ImportStatus.VALID, ImportStatus.INVALID, ImportStatus.FAILED}
    ),
    ImportStatus.VALID: frozenset({ImportStatus.PENDING, ImportStatus.QUEUED}),
    ImportStatus.INVALID: frozenset({ImportStatus.PENDING, ImportStatus.QUEUED}),
    ImportStatus.QUEUED: frozenset({ImportStatus.IMPORTING}),
    ImportStatus.IMPORTING: frozenset(
        {ImportStatus.DONE, ImportStatus.VALID, ImportStatus.INVALID, ImportStatus.FAILED}
    ),
    ImportStatus.DONE: frozenset(),
    ImportStatus.FAILED: frozenset({ImportStatus.PENDING}),
}


class ImportMode(models.TextChoices):
    ALL = "all", _("全部导入")
    GOOD_ONLY = "good_only", _("只导入无误的行")


def _import_upload_to(instance: DeputyImport, filename: str) -> str:
    # A random name: the file holds ID numbers and must never be found by guessing.
    return f"imports/{uuid.uuid4().hex}.xlsx"


class DeputyImport(models.Model):
    """One uploaded deputies' spreadsheet, from validation to the finished import.

    The file is kept between the validation step and the confirmation, and removed once its
    rows are written; the row keeps the counts and the per-row errors as the import's record.
    """

    created_by = models.ForeignKey(
        User, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    # The jurisdiction the upload was made under (the uploader's office), for the audit log.
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属区划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.FileField(_("文件"), upload_to=_import_upload_to, blank=True)
    filename = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    mode = models.CharField(
        _("导入方式"), max_length=16, choices=ImportMode.choices, default=ImportMode.ALL
    )
    # Whether delegations, deputy groups and constituencies named in the file but not yet
    # registered for their congress are created by the import (else they are errors).
    create_missing = models.BooleanField(_("新建尚未登记的代表团、代表小组和选区"), default=False)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    valid_rows = models.PositiveIntegerField(_("无误行数"), default=0)
    error_rows = models.PositiveIntegerField(_("有误行数"), default=0)
    # Progress of the step running now: rows read and checked, or rows written.
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    # [{"row": 3, "column": "身份证号码", "message": "...", "name": "张三"}, ...]; row 0 is the
    # file itself (wrong or missing columns).
    errors = models.JSONField(_("错误"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("错误条数"), default=0)
    # What the import will do (after validation) or did (when done).
    summary = models.JSONField(_("摘要"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects: ClassVar[models.Manager[DeputyImport]] = models.Manager()

    class Meta:
        verbose_name = _("代表名册导入")
        verbose_name_plural = _("代表名册导入")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "created_at"])]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_running(self) -> bool:
        return self.status in (
            ImportStatus.PENDING,
            ImportStatus.CHECKING,
            ImportStatus.QUEUED,
            ImportStatus.IMPORTING,
        )


class DeputyImportEvent(WorkflowEvent):
    """An import's timeline: uploaded, checked, confirmed, imported, or failed, with who
    took each step (the system's steps have no one)."""

    deputy_import = models.ForeignKey(
        DeputyImport,
        verbose_name=_("代表名册导入"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=ImportStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=16, choices=ImportStatus.choices)

    objects: ClassVar[models.Manager[DeputyImportEvent]] = models.Manager()

    class Meta:
        verbose_name = _("代表名册导入变动")
        verbose_name_plural = _("代表名册导入变动")
        ordering = ["deputy_import_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.deputy_import_id}: {self.from_status} -> {self.to_status}"
