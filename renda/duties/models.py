"""Deputies' duty performance (履职活动): organized activities with their invitations and
attendance, and the duty record, the one row per deputy per occurrence ("一人一次一记") that
points, ledgers, archives and the public profile are all computed from.

A duty record comes from one of four sources: attendance at an organized activity, the
deputy's own report, an entry by a station administrator on the deputy's behalf (代录), or
another module (a suggestion, a handled opinion, a meeting), which names itself in
``source_type``/``source_id`` so that the same fact is never recorded twice.
"""

from __future__ import annotations

import secrets
import uuid
from typing import ClassVar

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from renda.core.models import Organization, Region, User
from renda.core.workflow import WorkflowEvent
from renda.deputies.models import Mandate


class ActivityKind(models.TextChoices):
    MEETING = "meeting", _("会议")
    INSPECTION = "inspection", _("视察")
    SURVEY = "survey", _("调研")
    LAW_CHECK = "law_check", _("执法检查")
    TRAINING = "training", _("学习培训")
    RECEPTION = "reception", _("接待选民")
    STATION_DUTY = "station_duty", _("进站履职")
    OTHER = "other", _("其他履职活动")
    # Written by other modules onto the same duty record.
    SUGGESTION = "suggestion", _("提出建议")
    OPINION = "opinion", _("办理群众意见")
    SESSION = "session", _("出席人代会")


# What an office or station can organize and what a deputy can report from a phone.
ORGANIZED_KINDS = (
    ActivityKind.MEETING,
    ActivityKind.INSPECTION,
    ActivityKind.SURVEY,
    ActivityKind.LAW_CHECK,
    ActivityKind.TRAINING,
    ActivityKind.RECEPTION,
    ActivityKind.STATION_DUTY,
    ActivityKind.OTHER,
)
REPORTABLE_KINDS = ORGANIZED_KINDS


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("已发布")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已取消")


# Closing an activity fixes its attendance: invitees who neither signed in nor asked for
# leave become absent, and attendees get their duty records.
ACTIVITY_TRANSITIONS: dict[str, frozenset[str]] = {
    ActivityStatus.PLANNED: frozenset({ActivityStatus.CLOSED, ActivityStatus.CANCELLED}),
    ActivityStatus.CLOSED: frozenset(),
    ActivityStatus.CANCELLED: frozenset(),
}


def _checkin_token() -> str:
    return secrets.token_urlsafe(18)


class Activity(models.Model):
    """A duty activity organized by a congress office or a liaison station."""

    # The organizer's region: who can see and manage the activity.
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )
    organizer = models.ForeignKey(
        Organization,
        verbose_name=_("组织单位"),
        on_delete=models.PROTECT,
        related_name="organized_activities",
    )
    kind = models.CharField(_("活动类型"), max_length=16, choices=ActivityKind.choices)
    title = models.CharField(_("活动名称"), max_length=200)
    description = models.TextField(_("活动内容"), blank=True)
    location = models.CharField(_("地点"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    status = models.CharField(
        _("状态"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    # The secret in the venue's QR code; knowing it is what proves presence.
    checkin_token = models.CharField(
        _("签到码"), max_length=32, unique=True, default=_checkin_token, editable=False
    )
    created_by = models.ForeignKey(
        User, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    closed_at = models.DateTimeField(_("结束登记时间"), null=True, blank=True)

    objects: ClassVar[models.Manager[Activity]] = models.Manager()

    class Meta:
        verbose_name = _("履职活动")
        verbose_name_plural = _("履职活动")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in ORGANIZED_KINDS]),
                name="activity_organized_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", _("已邀请")
    ATTENDED = "attended", _("已出席")
    LEAVE = "leave", _("请假")
    ABSENT = "absent", _("缺席")


# Attendance while the activity is planned: the organizer records any of invited, attended
# or on leave from any of them (again the same one, to correct a reason or a time); the invitee
# asks for leave or signs in until they have signed in. Closing the activity makes those still
# invited absent, and fixes the rest: nothing moves once the activity is closed.
INVITATION_TRANSITIONS: dict[str, frozenset[str]] = {
    AttendanceStatus.INVITED: frozenset(
        {
            AttendanceStatus.INVITED,
            AttendanceStatus.ATTENDED,
            AttendanceStatus.LEAVE,
            AttendanceStatus.ABSENT,
        }
    ),
    AttendanceStatus.ATTENDED: frozenset(
        {AttendanceStatus.INVITED, AttendanceStatus.ATTENDED, AttendanceStatus.LEAVE}
    ),
    AttendanceStatus.LEAVE: frozenset(
        {AttendanceStatus.INVITED, AttendanceStatus.ATTENDED, AttendanceStatus.LEAVE}
    ),
    AttendanceStatus.ABSENT: frozenset(),
}


class CheckinMethod(models.TextChoices):
    QR = "qr", _("扫码签到")
    ORGANIZER = "organizer", _("组织者登记")


class Invitation(models.Model):
    """One deputy invited to one activity, and whether they came."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("履职活动"), on_delete=models.CASCADE, related_name="invitations"
    )
    mandate = models.ForeignKey(
        Mandate, verbose_name=_("代表"), on_delete=models.PROTECT, related_name="invitations"
    )
    status = models.CharField(
        _("出席情况"),
        max_length=16,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.INVITED,
    )
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checkin_method = models.CharField(
        _("签到方式"), max_length=16, choices=CheckinMethod.choices, blank=True
    )
    leave_reason = models.CharField(_("请假事由"), max_length=200, blank=True)
    # Set when the reminder before the activity went out, so it goes out once.
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    updated_by = models.ForeignKey(
        User,
        verbose_name=_("登记人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects: ClassVar[models.Manager[Invitation]] = models.Manager()

    class Meta:
        verbose_name = _("活动邀请")
        verbose_name_plural = _("活动邀请")
        ordering = ["activity_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "mandate"], name="invitation_unique_per_activity"
            ),
            models.CheckConstraint(
                condition=~Q(status=AttendanceStatus.ATTENDED) | Q(checked_in_at__isnull=False),
                name="invitation_attended_has_time",
            ),
        ]
        indexes = [models.Index(fields=["mandate", "status"])]

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.mandate_id}: {self.status}"


class RecordSource(models.TextChoices):
    ORGANIZED = "organized", _("组织活动签到")
    SELF = "self", _("代表本人填报")
    PROXY = "proxy", _("联络站代录")
    MODULE = "module", _("业务系统自动记录")


class RecordStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    RETURNED = "returned", _("已退回")


# A report waits for its station or office; a returned one goes back after the deputy (or
# the station on their behalf) has corrected it. A confirmed record is final: a deputy who
# disagrees with how it counts files a dispute (points app) rather than editing it.
RECORD_TRANSITIONS: dict[str, frozenset[str]] = {
    RecordStatus.SUBMITTED: frozenset({RecordStatus.CONFIRMED, RecordStatus.RETURNED}),
    RecordStatus.RETURNED: frozenset({RecordStatus.SUBMITTED}),
    RecordStatus.CONFIRMED: frozenset(),
}


class DutyRecord(models.Model):
    """One duty activity of one deputy, counted once."""

    mandate = models.ForeignKey(
        Mandate, verbose_name=_("代表"), on_delete=models.PROTECT, related_name="duty_records"
    )
    # The mandate's congress region, kept on the row: jurisdiction and roll-ups are range
    # scans on it without joining the mandate.
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )
    # The station that confirms the report (the deputy's station), if any; else the office.
    station = models.ForeignKey(
        Organization,
        verbose_name=_("联络站"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duty_records",
    )
    kind = models.CharField(_("活动类型"), max_length=16, choices=ActivityKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("履职内容"), blank=True)
    occurred_on = models.DateField(_("履职日期"))
    source = models.CharField(_("来源"), max_length=16, choices=RecordSource.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=RecordStatus.choices, default=RecordStatus.SUBMITTED
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("履职活动"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
    )
    # Another module's object this record stands for, e.g. ("suggestions.suggestion", "42").
    source_type = models.CharField(_("来源对象类型"), max_length=64, blank=True)
    source_id = models.CharField(_("来源对象编号"), max_length=64, blank=True)
    # The form's one-time key: a double-clicked submit finds the record the first click made.
    submission_key = models.CharField(_("提交标识"), max_length=36, blank=True, editable=False)
    # Shown on the public profile (titles only; the content stays private).
    is_public = models.BooleanField(_("在代表主页公开"), default=True)
    # Who typed it: the deputy, the station administrator (代录) or the organizer.
    entered_by = models.ForeignKey(
        User,
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        User,
        verbose_name=_("确认人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    review_comment = models.CharField(_("审核意见"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects: ClassVar[models.Manager[DutyRecord]] = models.Manager()

    class Meta:
        verbose_name = _("履职记录")
        verbose_name_plural = _("履职记录")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "mandate"],
                condition=Q(activity__isnull=False),
                name="duty_record_once_per_activity",
            ),
            models.UniqueConstraint(
                fields=["mandate", "source_type", "source_id"],
                condition=~Q(source_type=""),
                name="duty_record_once_per_source",
            ),
            models.UniqueConstraint(
                fields=["mandate", "submission_key"],
                condition=~Q(submission_key=""),
                name="duty_record_once_per_submission",
            ),
            models.CheckConstraint(
                condition=~Q(source=RecordSource.ORGANIZED) | Q(activity__isnull=False),
                name="duty_record_organized_has_activity",
            ),
            models.CheckConstraint(
                condition=~Q(source=RecordSource.MODULE) | ~Q(source_type=""),
                name="duty_record_module_has_source",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "occurred_on"]),
            models.Index(fields=["mandate", "occurred_on"]),
            models.Index(fields=["station", "status"]),
            models.Index(fields=["status", "region"]),
            # The ledgers' and workbench's roll-ups: confirmed records of a period by region.
            models.Index(fields=["status", "occurred_on", "region", "kind"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_proxy(self) -> bool:
        return self.source == RecordSource.PROXY


def _photo_upload_to(instance: DutyRecordPhoto, filename: str) -> str:
    # Random names: photos are served only through a permission-checked view.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"duty-photos/{uuid.uuid4().hex}.{extension}"


class DutyRecordPhoto(models.Model):
    record = models.ForeignKey(
        DutyRecord, verbose_name=_("履职记录"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("照片"), upload_to=_photo_upload_to)
    content_type = models.CharField(_("文件类型"), max_length=32)
    size = models.PositiveIntegerField(_("大小(字节)"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects: ClassVar[models.Manager[DutyRecordPhoto]] = models.Manager()

    class Meta:
        verbose_name = _("履职照片")
        verbose_name_plural = _("履职照片")
        ordering = ["record_id", "id"]

    def __str__(self) -> str:
        return self.image.name or ""


class DutyRecordEvent(WorkflowEvent):
    """The record's timeline: submitted, returned with a reason, resubmitted, confirmed."""

    record = models.ForeignKey(
        DutyRecord, verbose_name=_("履职记录"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=RecordStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=16, choices=RecordStatus.choices)

    objects: ClassVar[models.Manager[DutyRecordEvent]] = models.Manager()

    class Meta:
        verbose_name = _("履职记录变动")
        verbose_name_plural = _("履职记录变动")
        ordering = ["record_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.from_status} -> {self.to_status}"


class ActivityEvent(WorkflowEvent):
    """The activity's timeline: published, then closed (attendance fixed) or cancelled."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("履职活动"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=ActivityStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=16, choices=ActivityStatus.choices)

    objects: ClassVar[models.Manager[ActivityEvent]] = models.Manager()

    class Meta:
        verbose_name = _("履职活动变动")
        verbose_name_plural = _("履职活动变动")
        ordering = ["activity_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.from_status} -> {self.to_status}"


class InvitationEvent(WorkflowEvent):
    """An invitation's timeline: invited, signed in, on leave (with the reason), recorded by
    the organizer, absent when the activity closed."""

    invitation = models.ForeignKey(
        Invitation, verbose_name=_("活动邀请"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=AttendanceStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=16, choices=AttendanceStatus.choices)

    objects: ClassVar[models.Manager[InvitationEvent]] = models.Manager()

    class Meta:
        verbose_name = _("出席情况变动")
        verbose_name_plural = _("出席情况变动")
        ordering = ["invitation_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.invitation_id}: {self.from_status} -> {self.to_status}"
