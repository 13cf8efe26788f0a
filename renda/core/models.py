"""The platform's shared domain: regions, congresses, organizations, people, accounts, roles
and the audit log. Every other app builds on these and none of them is imported here."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from renda.core.dates import local_date
from renda.core.fields import EncryptedTextField
from renda.core.text import chinese_ordinal

CODE_LENGTH = 12


class RegionLevel(models.TextChoices):
    NATIONAL = "national", _("全国")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡镇级")
    VILLAGE = "village", _("村(社区)级")


# How many leading digits of the statutory 12-digit code (GB/T 2260 + township/village
# extension) identify a region at each level; the rest are zeros. A subtree is therefore a
# contiguous code range, which any B-tree index answers in one range scan.
PREFIX_LENGTH: dict[str, int] = {
    RegionLevel.NATIONAL: 0,
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWNSHIP: 9,
    RegionLevel.VILLAGE: 12,
}
LEVEL_ORDER = list(PREFIX_LENGTH)


def code_bounds(code: str, level: str) -> tuple[str, str]:
    """The lowest and highest code inside the region ``code`` at ``level``."""
    prefix = code[: PREFIX_LENGTH[level]]
    rest = CODE_LENGTH - len(prefix)
    return prefix + "0" * rest, prefix + "9" * rest


def in_subtree_q(field: str, code: str, level: str) -> Q:
    """A filter for rows whose region-code column ``field`` lies inside the region."""
    low, high = code_bounds(code, level)
    return Q(**{f"{field}__gte": low, f"{field}__lte": high})


class Region(models.Model):
    """An administrative division (行政区划), keyed by its statutory code."""

    code = models.CharField(_("区划代码"), max_length=CODE_LENGTH, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{12}$"), name="region_code_12_digits"
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(level=RegionLevel.NATIONAL),
                name="region_national_is_root",
            ),
        ]
        indexes = [models.Index(fields=["parent", "code"])]

    def __str__(self) -> str:
        return self.name

    @property
    def bounds(self) -> tuple[str, str]:
        return code_bounds(self.code, self.level)

    def contains_code(self, code: str) -> bool:
        low, high = self.bounds
        return low <= code <= high

    def subtree_q(self, field: str = "code") -> Q:
        return in_subtree_q(field, self.code, self.level)

    @property
    def depth(self) -> int:
        return LEVEL_ORDER.index(self.level)


class Congress(models.Model):
    """A people's congress (人民代表大会) of one region."""

    region = models.OneToOneField(
        Region, verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="congress"
    )
    name = models.CharField(_("名称"), max_length=100)
    # Township congresses have a presidium (主席团) and no standing committee.
    has_standing_committee = models.BooleanField(_("设常委会"), default=True)

    class Meta:
        verbose_name = _("人大")
        verbose_name_plural = _("人大")
        ordering = ["region_id"]

    def __str__(self) -> str:
        return self.name

    @property
    def level(self) -> str:
        return self.region.level


class Term(models.Model):
    """A numbered five-year term (届) of a congress."""

    congress = models.ForeignKey(
        Congress, verbose_name=_("人大"), on_delete=models.CASCADE, related_name="terms"
    )
    number = models.PositiveSmallIntegerField(_("届次"))
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("届次")
        verbose_name_plural = _("届次")
        ordering = ["congress_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "number"], name="term_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="term_number_positive"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=models.F("start_date")),
                name="term_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.congress.name}{self.label}"

    @property
    def label(self) -> str:
        # Chinese counts terms in Chinese numerals (第十六届); other languages use digits.
        chinese = (get_language() or "zh-hans").startswith("zh")
        return _("第%(n)s届") % {"n": chinese_ordinal(self.number) if chinese else self.number}

    def is_current(self, on: Any = None) -> bool:
        day = on or local_date()
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class OrganizationKind(models.TextChoices):
    CONGRESS_OFFICE = "congress_office", _("人大机关办公室")
    STANDING_COMMITTEE = "standing_committee", _("人大常委会")
    WORKING_COMMITTEE = "working_committee", _("人大专门(工作)委员会")
    PRESIDIUM = "presidium", _("人大主席团")
    GOVERNMENT = "government", _("人民政府")
    GOVERNMENT_DEPARTMENT = "government_department", _("政府部门")
    SUPERVISION_COMMISSION = "supervision_commission", _("监察委员会")
    COURT = "court", _("人民法院")
    PROCURATORATE = "procuratorate", _("人民检察院")
    LIAISON_STATION = "liaison_station", _("代表联络站")
    OTHER = "other", _("其他单位")


CONGRESS_BODY_KINDS = (
    OrganizationKind.CONGRESS_OFFICE,
    OrganizationKind.STANDING_COMMITTEE,
    OrganizationKind.WORKING_COMMITTEE,
    OrganizationKind.PRESIDIUM,
)
HANDLING_UNIT_KINDS = (
    OrganizationKind.GOVERNMENT,
    OrganizationKind.GOVERNMENT_DEPARTMENT,
    OrganizationKind.SUPERVISION_COMMISSION,
    OrganizationKind.COURT,
    OrganizationKind.PROCURATORATE,
    OrganizationKind.OTHER,
)


class Organization(models.Model):
    """A congress body, a handling unit (一府一委两院) or a liaison station, in one region."""

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=32, choices=OrganizationKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="organizations"
    )
    congress = models.ForeignKey(
        Congress,
        verbose_name=_("所属人大"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("办公电话"), max_length=40, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["region_id", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=CONGRESS_BODY_KINDS) | Q(congress__isnull=False),
                name="organization_congress_body_has_congress",
            ),
            models.UniqueConstraint(
                fields=["region", "kind", "name"], name="organization_unique_name"
            ),
        ]
        indexes = [models.Index(fields=["kind", "region"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_handling_unit(self) -> bool:
        return self.kind in HANDLING_UNIT_KINDS


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Person(models.Model):
    """A natural person known to the platform: a deputy, a staff member, a citizen."""

    name = models.CharField(_("姓名"), max_length=50)
    name_initials = models.CharField(_("姓名拼音首字母"), max_length=20, blank=True, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    party = models.CharField(_("政治面貌"), max_length=30, blank=True)
    education = models.CharField(_("学历"), max_length=30, blank=True)
    employer = models.CharField(_("工作单位"), max_length=100, blank=True)
    post = models.CharField(_("职务"), max_length=100, blank=True)
    phone = EncryptedTextField(_("手机号码"), blank=True)
    phone_bidx = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    id_number = EncryptedTextField(_("身份证号码"), blank=True)
    id_number_bidx = models.CharField(max_length=32, blank=True, editable=False)
    # The region whose offices keep this record; jurisdiction filters use it.
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="people"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["region_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_bidx"],
                condition=~Q(id_number_bidx=""),
                name="person_unique_id_number",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    OFFICE = "office", _("人大机关工作人员")
    LEADER = "leader", _("常委会组成人员/领导")
    DEPUTY = "deputy", _("人大代表")
    STATION = "station", _("联络站管理员")
    UNIT = "unit", _("承办单位工作人员")
    UNIT_LEADER = "unit_leader", _("承办单位负责人")
    SUPERVISION = "supervision", _("政府督查室工作人员")
    CITIZEN = "citizen", _("群众")


# Roles that act for an organization rather than for a whole region.
ORGANIZATION_ROLES = (Role.STATION, Role.UNIT, Role.UNIT_LEADER)
# Roles that act for a handling unit: its staff, and its leader who signs its replies and is
# told when its cases fall overdue.
UNIT_ROLES = (Role.UNIT, Role.UNIT_LEADER)
# Roles that follow the handling of every case in their region: the congress office (and
# administrators), congress leaders and the government's supervision office.
OVERSIGHT_ROLES = (Role.ADMIN, Role.OFFICE, Role.LEADER, Role.SUPERVISION)
# Roles whose sessions end after STAFF_IDLE_TIMEOUT idle seconds.
STAFF_ROLES = (
    Role.ADMIN,
    Role.OFFICE,
    Role.LEADER,
    Role.STATION,
    Role.UNIT,
    Role.UNIT_LEADER,
    Role.SUPERVISION,
)


class User(AbstractUser):
    person = models.OneToOneField(
        Person,
        verbose_name=_("人员"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
    )
    must_change_password = models.BooleanField(_("须修改初始密码"), default=False)
    large_text = models.BooleanField(_("大字号高对比模式"), default=False)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    @property
    def display_name(self) -> str:
        if self.person_id and self.person:
            return self.person.name
        return self.get_full_name() or self.username


class RoleGrant(models.Model):
    """A role held by a user over a region (and everything below it) or one organization."""

    user = models.ForeignKey(
        User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("管辖区划"), on_delete=models.PROTECT, related_name="grants"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("所属机构"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grants",
    )
    created_at = models.DateTimeField(_("授权时间"), auto_now_add=True)
    granted_by = models.ForeignKey(
        User,
        verbose_name=_("授权人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ["user_id", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region", "organization"],
                condition=Q(organization__isnull=False),
                name="grant_unique_with_org",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(organization__isnull=True),
                name="grant_unique_without_org",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=ORGANIZATION_ROLES) | Q(organization__isnull=False),
                name="grant_org_role_has_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()} @ {self.region_id}"


class AuditAction(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGOUT = "logout", _("退出")
    LOGIN_FAILED = "login_failed", _("登录失败")
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    TRANSITION = "transition", _("状态变更")
    EXPORT = "export", _("导出")
    ACCESS = "access", _("查看敏感信息")


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    """The audit log is append-only: the application has no way to change or remove rows."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("audit events are immutable")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are immutable")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    # Kept as text so the record survives the account's removal or renaming.
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    region_code = models.CharField(_("区划代码"), max_length=CODE_LENGTH, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    message = models.TextField(_("说明"), blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "at"]),
            models.Index(fields=["region_code", "at"]),
            models.Index(fields=["action", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()}"


class ScheduledJob(models.Model):
    """One row per job of ``renda.core.schedule``: when it is next due and how it last went.
    Schedulers claim a due job with one conditional UPDATE on this row, so however many run
    at once, each slot of each job runs once (see ``renda.core.schedule``)."""

    key = models.CharField(_("任务"), max_length=64, primary_key=True)
    next_run_at = models.DateTimeField(_("下次运行"))
    # Set while a scheduler runs the job: no other claims it until it finishes or, if that
    # scheduler died, until this time has passed.
    running_until = models.DateTimeField(_("运行租期至"), null=True, blank=True)
    runs = models.PositiveIntegerField(_("运行次数"), default=0)
    failures = models.PositiveIntegerField(_("失败次数"), default=0)
    last_started_at = models.DateTimeField(_("最近开始"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("最近结束"), null=True, blank=True)
    last_ok = models.BooleanField(_("最近是否成功"), null=True, blank=True)
    last_output = models.TextField(_("最近输出"), blank=True)
    last_runner = models.CharField(_("最近运行者"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class TaskWorker(models.Model):
    """A running task worker's heartbeat: the lease of the tasks it runs.

    ``renda worker`` writes its row every ``TASK_HEARTBEAT_SECONDS``. A worker whose heartbeat
    is older than ``TASK_LEASE_SECONDS`` is dead: the tasks it left running are handed back
    to the queue (``renda.core.tasks.recover``) and health reports the missing workers.
    """

    worker_id = models.CharField(_("工作进程编号"), max_length=64, primary_key=True)
    backend = models.CharField(_("任务后端"), max_length=16)
    hostname = models.CharField(_("主机"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("进程号"), default=0)
    started_at = models.DateTimeField(_("启动时间"), default=timezone.now)
    heartbeat_at = models.DateTimeField(_("最近心跳"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("任务工作进程")
        verbose_name_plural = _("任务工作进程")
        ordering = ["-heartbeat_at"]

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
