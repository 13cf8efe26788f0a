"""Writes for duty performance: organized activities and their attendance, and duty records
reported by deputies, entered on their behalf, confirmed or returned, or written by other
modules.

Closing an activity and confirming a record change what counts for points, so both ask the
points app to rescore the deputies concerned once the change has committed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.core import audit, policies, uploads
from renda.core.dates import local_date
from renda.core.errors import IllegalTransition, InvalidInput, NotFound, NotPermitted
from renda.core.models import (
    AuditAction,
    Organization,
    OrganizationKind,
    Role,
    User,
)
from renda.core.policies import Action
from renda.deputies.models import Mandate
from renda.duties import facts, selectors
from renda.duties import kinds as notification_kinds
from renda.duties.models import (
    REPORTABLE_KINDS,
    Activity,
    ActivityKind,
    ActivityStatus,
    AttendanceStatus,
    CheckinMethod,
    DutyRecord,
    DutyRecordPhoto,
    Invitation,
    RecordSource,
    RecordStatus,
)
from renda.duties.policies import activities as activity_policy
from renda.duties.policies import records as record_policy
from renda.duties.workflows import (
    ACTIVITY,
    ATTEND,
    FROM_MODULE,
    INVITATION,
    INVITE,
    PUBLISH,
    RECORD,
    SUBMIT,
    may_enter_for,
)
from renda.notifications import services as notifications

TITLE_MAX = 200
CONTENT_MAX = 5000
COMMENT_MAX = 500
PHOTOS_MAX = 6
PHOTO_BYTES_MAX = 5 * 1024 * 1024


# Who may act for whom ------------------------------------------------------------------------


def _station_of(mandate: Mandate, preferred: Organization | None = None) -> Organization | None:
    """The station that confirms the mandate's reports: the one entering it, else the
    deputy's first station; None leaves it to the office."""
    stations = list(mandate.stations.filter(is_active=True).order_by("id"))
    if preferred is not None and preferred in stations:
        return preferred
    return stations[0] if stations else None


# Organized activities ------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityInput:
    kind: str
    title: str
    description: str
    location: str
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None


def _validate_activity(data: ActivityInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.kind not in [k.value for k in ActivityKind if k in REPORTABLE_KINDS]:
        errors["kind"] = [_("请选择活动类型。")]
    if not data.title.strip():
        errors["title"] = [_("请填写活动名称。")]
    elif len(data.title.strip()) > TITLE_MAX:
        errors["title"] = [_("活动名称不能超过 %(n)d 个字。") % {"n": TITLE_MAX}]
    if data.starts_at is None:
        errors["starts_at"] = [_("请填写开始时间。")]
    if data.ends_at is None:
        errors["ends_at"] = [_("请填写结束时间。")]
    if data.starts_at and data.ends_at and data.ends_at <= data.starts_at:
        errors["ends_at"] = [_("结束时间必须晚于开始时间。")]
    return errors


@transaction.atomic
def create_activity(
    *,
    actor: User,
    organizer: Organization,
    data: ActivityInput,
    invitees: Iterable[Mandate],
) -> Activity:
    """Publish an activity and invite deputies; each invitee gets a notification."""
    if not selectors.organizers_for(actor).filter(pk=organizer.pk).exists():
        raise NotPermitted(_("您不能以“%(name)s”的名义组织活动。"), name=organizer.name)
    errors = _validate_activity(data)
    invited = list(dict.fromkeys(invitees))
    if not invited:
        errors["audience"] = [_("请选择邀请的代表。")]
    elif any(not m.is_serving for m in invited):
        errors["audience"] = [_("只能邀请在任代表。")]
    if errors:
        raise InvalidInput(field_errors=errors)
    assert data.starts_at is not None
    assert data.ends_at is not None
    activity = Activity.objects.create(
        region_id=organizer.region_id,
        organizer=organizer,
        kind=data.kind,
        title=data.title.strip(),
        description=data.description.strip(),
        location=data.location.strip()[:200],
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        created_by=actor,
    )
    invitations = Invitation.objects.bulk_create(
        [Invitation(activity=activity, mandate=m, updated_by=actor) for m in invited],
        batch_size=500,
    )
    ACTIVITY.opened(activity, actor=actor, action=PUBLISH)
    INVITATION.opened_many(invitations, actor=actor, action=INVITE)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=activity,
        after={
            **audit.snapshot(activity, ["kind", "title", "starts_at", "ends_at", "location"]),
            "invitees": len(invited),
        },
    )
    _notify_invitees(activity, [m.pk for m in invited])
    return activity


def _notify_invitees(activity: Activity, mandate_ids: Sequence[int]) -> None:
    users = list(
        User.objects.filter(person__mandates__in=mandate_ids, is_active=True)
        .values_list("pk", flat=True)
        .distinct()
    )
    if not users:
        return
    start = timezone.localtime(activity.starts_at)
    notifications.notify(
        recipients=users,
        kind=notification_kinds.INVITATION.code,
        title=_("活动邀请:%(title)s") % {"title": activity.title},
        body=_(
            "%(organizer)s 邀请您于 %(when)s 在 %(where)s 参加%(kind)s。不能参加的,请在活动页面请假。"
        )
        % {
            "organizer": activity.organizer.name,
            "when": start.strftime("%Y-%m-%d %H:%M"),
            "where": activity.location or _("(地点另行通知)"),
            "kind": activity.get_kind_display(),
        },
        url=reverse("duties:activity", args=[activity.pk]),
        sms_params={"title": activity.title[:20], "time": start.strftime("%m-%d %H:%M")},
    )


ATTENDANCE_FIELDS = ["status", "checked_in_at", "checkin_method", "leave_reason"]


def _move_attendance(
    invitation: Invitation,
    *,
    actor: User,
    activity: Activity,
    action: str,
    to: str | None = None,
    before: dict[str, Any],
    comment: str = "",
) -> Invitation:
    """Take an attendance step (INVITATION) with the invitation's other changed fields; its
    audit row shows the new values of those fields beside the status. The caller has locked
    the activity and the invitation and answered who may take the step."""
    invitation.activity = activity
    invitation.updated_by = actor
    _, changed = audit.diff(before, audit.snapshot(invitation, ATTENDANCE_FIELDS))
    INVITATION.move(
        invitation,
        actor=actor,
        action=action,
        to=to,
        fields=[*ATTENDANCE_FIELDS, "updated_by"],
        comment=comment,
        audit_after=changed,
        check_policy=False,
    )
    return invitation


def _lock_activity(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _require_planned(activity: Activity, action: str) -> None:
    if activity.status != ActivityStatus.PLANNED:
        raise IllegalTransition(state=activity.get_status_display(), action=action)


@transaction.atomic
def set_attendance(
    *,
    actor: User,
    invitation: Invitation,
    status: str,
    leave_reason: str = "",
) -> Invitation:
    """The organizer records attendance (attended, on leave, or back to invited)."""
    activity = _lock_activity(invitation.activity)
    activity_policy.check(actor, activity, Action.CHANGE)
    _require_planned(activity, _("登记出席情况"))
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if status not in (AttendanceStatus.ATTENDED, AttendanceStatus.LEAVE, AttendanceStatus.INVITED):
        raise InvalidInput(field_errors={"status": [_("请选择出席情况。")]})
    if status == AttendanceStatus.LEAVE and not leave_reason.strip():
        raise InvalidInput(field_errors={"leave_reason": [_("请填写请假事由。")]})
    before = audit.snapshot(locked, ATTENDANCE_FIELDS)
    locked.leave_reason = leave_reason.strip()[:200] if status == AttendanceStatus.LEAVE else ""
    if status == AttendanceStatus.ATTENDED:
        locked.checked_in_at = locked.checked_in_at or timezone.now()
        locked.checkin_method = locked.checkin_method or CheckinMethod.ORGANIZER
    else:
        locked.checked_in_at = None
        locked.checkin_method = ""
    return _move_attendance(
        locked,
        actor=actor,
        activity=activity,
        action="record",
        to=status,
        before=before,
        comment=locked.leave_reason,
    )


def _own_invitation(actor: User, activity: Activity) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update()
        .filter(activity=activity, mandate__person__user__id=actor.pk)
        .order_by("id")
        .first()
    )
    if invitation is None:
        raise NotPermitted(
            _("您不在本次活动的邀请名单中。如需参加,请联系%(organizer)s。"),
            organizer=activity.organizer.name,
        )
    return invitation


@transaction.atomic
def request_leave(*, actor: User, activity: Activity, reason: str) -> Invitation:
    """A deputy asks for leave (请假) before the activity is closed."""
    locked = _lock_activity(activity)
    _require_planned(locked, _("请假"))
    invitation = _own_invitation(actor, locked)
    if not reason.strip():
        raise InvalidInput(field_errors={"reason": [_("请填写请假事由。")]})
    if invitation.status == AttendanceStatus.ATTENDED:
        raise InvalidInput(_("您已签到,不能再请假。"))
    before = audit.snapshot(invitation, ATTENDANCE_FIELDS)
    invitation.leave_reason = reason.strip()[:200]
    return _move_attendance(
        invitation,
        actor=actor,
        activity=locked,
        action="leave",
        before=before,
        comment=invitation.leave_reason,
    )


@transaction.atomic
def check_in(*, actor: User, token: str, at: datetime.datetime | None = None) -> Invitation:
    """QR sign-in at the venue: the invitee scans the code within the activity's window."""
    activity = _lock_activity(selectors.activity_by_token(token))
    _require_planned(activity, _("签到"))
    now = at or timezone.now()
    opens, closes = selectors.checkin_window(activity)
    if not opens <= now <= closes:
        raise InvalidInput(
            _("本次活动的签到时间为 %(opens)s 至 %(closes)s,现在不能签到。"),
            opens=timezone.localtime(opens).strftime("%Y-%m-%d %H:%M"),
            closes=timezone.localtime(closes).strftime("%Y-%m-%d %H:%M"),
        )
    invitation = _own_invitation(actor, activity)
    if invitation.status == AttendanceStatus.ATTENDED:
        return invitation  # a second scan changes nothing
    before = audit.snapshot(invitation, ATTENDANCE_FIELDS)
    invitation.checked_in_at = now
    invitation.checkin_method = CheckinMethod.QR
    invitation.leave_reason = ""
    return _move_attendance(
        invitation, actor=actor, activity=activity, action="check_in", before=before
    )


@transaction.atomic
def add_invitees(*, actor: User, activity: Activity, invitees: Iterable[Mandate]) -> int:
    locked = _lock_activity(activity)
    activity_policy.check(actor, locked, Action.CHANGE)
    _require_planned(locked, _("追加邀请"))
    existing = set(locked.invitations.values_list("mandate_id", flat=True))
    new = [m for m in dict.fromkeys(invitees) if m.pk not in existing and m.is_serving]
    invitations = Invitation.objects.bulk_create(
        [Invitation(activity=locked, mandate=m, updated_by=actor) for m in new], batch_size=500
    )
    INVITATION.opened_many(invitations, actor=actor, action=INVITE)
    if new:
        audit.record(
            actor=actor, action=AuditAction.UPDATE, obj=locked, after={"invitees_added": len(new)}
        )
        _notify_invitees(locked, [m.pk for m in new])
    return len(new)


@transaction.atomic
def close_activity(*, actor: User, activity: Activity) -> Activity:
    """Fix the attendance: attendees get a confirmed duty record, invitees who neither came
    nor asked for leave are absent. Runs once: a closed activity cannot close again."""
    locked = _lock_activity(activity)
    activity_policy.check(actor, locked, Action.CHANGE)
    ACTIVITY.require(locked, "close")
    if timezone.now() < locked.starts_at:
        raise InvalidInput(_("活动尚未开始,不能结束登记。如活动不再举行,请取消活动。"))
    invitations = list(locked.invitations.select_for_update().select_related("mandate"))
    # Who neither came nor asked for leave, in one step for all of them.
    absent = [i for i in invitations if i.status == AttendanceStatus.INVITED]
    INVITATION.move_many(
        absent, actor=actor, action="absent", values={"updated_by": actor}, check_policy=False
    )
    now = timezone.now()
    occurred = local_date(locked.starts_at)
    attended = [i for i in invitations if i.status == AttendanceStatus.ATTENDED]
    stations = dict(
        Mandate.stations.through.objects.filter(
            mandate_id__in=[i.mandate_id for i in attended]
        ).values_list("mandate_id", "organization_id")
    )
    organizer_station = (
        locked.organizer_id if locked.organizer.kind == OrganizationKind.LIAISON_STATION else None
    )
    records = DutyRecord.objects.bulk_create(
        [
            DutyRecord(
                mandate=i.mandate,
                region_id=i.mandate.region_id,
                station_id=organizer_station or stations.get(i.mandate_id),
                kind=locked.kind,
                title=locked.title,
                occurred_on=occurred,
                source=RecordSource.ORGANIZED,
                status=RecordStatus.CONFIRMED,
                activity=locked,
                entered_by=actor,
                reviewed_by=actor,
                reviewed_at=now,
            )
            for i in attended
        ],
        batch_size=500,
    )
    # Each record's first timeline entry, in one statement.
    RECORD.opened_many(records, actor=actor, action=ATTEND, comment=_("活动签到"))
    locked.closed_at = now
    ACTIVITY.move(
        locked,
        actor=actor,
        action="close",
        fields=["closed_at"],
        audit_after={"attended": len(attended), "absent": len(absent)},
        check_policy=False,
    )
    _rescore([i.mandate_id for i in invitations], occurred.year)
    return locked


@transaction.atomic
def cancel_activity(*, actor: User, activity: Activity, reason: str) -> Activity:
    locked = _lock_activity(activity)
    activity_policy.check(actor, locked, Action.CHANGE)
    ACTIVITY.require(locked, "cancel")
    if not reason.strip():
        raise InvalidInput(field_errors={"reason": [_("请填写取消原因。")]})
    ACTIVITY.move(
        locked, actor=actor, action="cancel", comment=reason.strip()[:500], check_policy=False
    )
    users = list(
        User.objects.filter(person__mandates__invitations__activity=locked, is_active=True)
        .values_list("pk", flat=True)
        .distinct()
    )
    if users:
        notifications.notify(
            recipients=users,
            kind=notification_kinds.INVITATION.code,
            title=_("活动取消:%(title)s") % {"title": locked.title},
            body=_("原定于 %(when)s 的活动已取消。原因:%(reason)s")
            % {
                "when": timezone.localtime(locked.starts_at).strftime("%Y-%m-%d %H:%M"),
                "reason": reason.strip()[:200],
            },
            url=reverse("duties:activity", args=[locked.pk]),
        )
    return locked


# Reminders --------------------------------------------------------------------------------


def send_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind invitees of activities starting within the reminder window.

    Each invitation is claimed by a conditional update before its message is written, in the
    same transaction: two schedulers running at once never remind the same person twice."""
    now = now or timezone.now()
    due = Invitation.objects.filter(
        reminded_at__isnull=True,
        status=AttendanceStatus.INVITED,
        activity__status=ActivityStatus.PLANNED,
        activity__starts_at__gt=now,
        activity__starts_at__lte=now + datetime.timedelta(hours=selectors.reminder_hours()),
    ).values_list("pk", "activity_id")
    sent = 0
    by_activity: dict[int, list[int]] = {}
    for pk, activity_id in due:
        by_activity.setdefault(activity_id, []).append(pk)
    for activity_id, invitation_ids in by_activity.items():
        with transaction.atomic():
            claimed = [
                pk
                for pk in invitation_ids
                if Invitation.objects.filter(pk=pk, reminded_at__isnull=True).update(
                    reminded_at=now
                )
            ]
            if not claimed:
                continue
            activity = Activity.objects.select_related("organizer").get(pk=activity_id)
            users = list(
                User.objects.filter(person__mandates__invitations__in=claimed, is_active=True)
                .values_list("pk", flat=True)
                .distinct()
            )
            start = timezone.localtime(activity.starts_at)
            notifications.notify(
                recipients=users,
                kind="reminder",
                title=_("活动提醒:%(title)s") % {"title": activity.title},
                body=_("%(when)s,%(where)s。%(organizer)s 组织。")
                % {
                    "when": start.strftime("%Y-%m-%d %H:%M"),
                    "where": activity.location or _("地点另行通知"),
                    "organizer": activity.organizer.name,
                },
                url=reverse("duties:activity", args=[activity.pk]),
                sms_params={"title": activity.title[:20], "time": start.strftime("%m-%d %H:%M")},
            )
            sent += len(users)
    return sent


# Duty records --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordInput:
    kind: str
    title: str
    content: str
    occurred_on: datetime.date | None
    is_public: bool = True


def _check_photos(photos: Sequence[UploadedFile], existing: int = 0) -> list[str]:
    problems: list[str] = []
    if len(photos) + existing > PHOTOS_MAX:
        problems.append(_("最多上传 %(n)d 张照片。") % {"n": PHOTOS_MAX})
    for photo in photos:
        name = photo.name or _("照片")
        if (photo.size or 0) > PHOTO_BYTES_MAX:
            problems.append(_("“%(name)s”超过 5 MB,请压缩后再上传。") % {"name": name})
        else:
            try:
                if uploads.inspect(photo, uploads.PHOTOS, name=name) is None:
                    problems.append(
                        _("“%(name)s”不是 JPG、PNG 或 WebP 格式的照片。") % {"name": name}
                    )
            except uploads.Refused as refused:
                problems.append(refused.message)
    return problems


def _validate_record(
    data: RecordInput, mandate: Mandate, photos: Sequence[UploadedFile], existing: int = 0
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.kind not in [k.value for k in REPORTABLE_KINDS]:
        errors["kind"] = [_("请选择履职类型。")]
    if not data.content.strip():
        errors["content"] = [_("请填写履职内容:做了什么、在哪里、有什么结果。")]
    elif len(data.content) > CONTENT_MAX:
        errors["content"] = [_("履职内容不能超过 %(n)d 个字。") % {"n": CONTENT_MAX}]
    if len(data.title.strip()) > TITLE_MAX:
        errors["title"] = [_("标题不能超过 %(n)d 个字。") % {"n": TITLE_MAX}]
    today = timezone.localdate()
    if data.occurred_on is None:
        errors["occurred_on"] = [_("请填写履职日期。")]
    elif data.occurred_on > today:
        errors["occurred_on"] = [_("履职日期不能晚于今天。")]
    elif data.occurred_on < mandate.elected_on:
        errors["occurred_on"] = [
            _("履职日期不能早于当选日期(%(date)s)。") % {"date": mandate.elected_on.isoformat()}
        ]
    elif mandate.ended_on and data.occurred_on > mandate.ended_on:
        errors["occurred_on"] = [_("履职日期不能晚于代表资格终止日期。")]
    problems = _check_photos(photos, existing)
    if problems:
        errors["photos"] = problems
    return errors


def _title(data: RecordInput) -> str:
    # Elderly deputies often leave the title empty: the kind and the date say enough.
    if data.title.strip():
        return data.title.strip()
    return str(ActivityKind(data.kind).label)


def _save_photos(record: DutyRecord, photos: Sequence[UploadedFile]) -> None:
    for upload in photos:
        # Re-encoded when checked: what is stored is the decoded picture, without what was
        # appended to it and without its EXIF (the GPS position among it).
        clean = uploads.inspect(upload, uploads.PHOTOS)
        assert clean is not None
        photo = DutyRecordPhoto(record=record, content_type=clean.content_type, size=clean.size)
        photo.image.save(f"photo.{clean.extension}", clean.content, save=False)
        photo.save()


def report(
    *,
    actor: User,
    mandate: Mandate,
    data: RecordInput,
    photos: Sequence[UploadedFile] = (),
    submission_key: str = "",
) -> DutyRecord:
    """A deputy reports their own activity, or a station administrator or office enters it
    on the deputy's behalf (代录). The record waits for the station or office to confirm it.

    A repeated submission with the same key returns the record the first one created."""
    if submission_key:
        earlier = DutyRecord.objects.filter(mandate=mandate, submission_key=submission_key).first()
        if earlier is not None:
            return earlier
    try:
        return _report(
            actor=actor, mandate=mandate, data=data, photos=photos, submission_key=submission_key
        )
    except IntegrityError:
        # The other click of a double submit committed first.
        earlier = DutyRecord.objects.filter(mandate=mandate, submission_key=submission_key).first()
        if earlier is None:
            raise
        return earlier


@transaction.atomic
def _report(
    *,
    actor: User,
    mandate: Mandate,
    data: RecordInput,
    photos: Sequence[UploadedFile],
    submission_key: str,
) -> DutyRecord:
    if selectors.entry_mandate(actor, mandate.pk) is None:
        raise NotPermitted(_("您不能为这位代表填报履职记录。"))
    errors = _validate_record(data, mandate, photos)
    if errors:
        raise InvalidInput(field_errors=errors)
    assert data.occurred_on is not None
    own = mandate.person_id == actor.person_id and actor.person_id is not None
    entering_station = None
    if not own:
        stations = policies.organization_ids(actor, Role.STATION)
        entering_station = mandate.stations.filter(pk__in=stations).order_by("id").first()
    record = DutyRecord.objects.create(
        mandate=mandate,
        region_id=mandate.region_id,
        station=_station_of(mandate, entering_station),
        kind=data.kind,
        title=_title(data),
        content=data.content.strip(),
        occurred_on=data.occurred_on,
        source=RecordSource.SELF if own else RecordSource.PROXY,
        is_public=data.is_public,
        entered_by=actor,
        submission_key=submission_key[:36],
    )
    _save_photos(record, photos)
    comment = "" if own else _("由 %(who)s 代为录入") % {"who": actor.display_name}
    RECORD.opened(record, actor=actor, action=SUBMIT, comment=comment)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=record,
        after=audit.snapshot(record, ["kind", "title", "occurred_on", "source", "status"]),
        message=comment,
    )
    _notify_reviewers(record)
    return record


def _notify_reviewers(record: DutyRecord) -> None:
    """Tell the station administrators who confirm the record that it is waiting."""
    if record.station_id is None:
        return
    reviewers = list(
        User.objects.filter(
            grants__role=Role.STATION, grants__organization_id=record.station_id, is_active=True
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    if reviewers:
        notifications.notify(
            recipients=reviewers,
            kind=notification_kinds.REVIEW.code,
            title=_("待确认的履职记录:%(name)s") % {"name": record.mandate.person.name},
            body=f"{record.get_kind_display()} · {record.occurred_on.isoformat()} · {record.title}",
            url=reverse("duties:record", args=[record.pk]),
        )


@transaction.atomic
def resubmit(
    *,
    actor: User,
    record: DutyRecord,
    data: RecordInput,
    photos: Sequence[UploadedFile] = (),
) -> DutyRecord:
    """Correct a returned record and send it back for confirmation."""
    locked = DutyRecord.objects.select_for_update().select_related("mandate").get(pk=record.pk)
    if not may_enter_for(actor, locked):
        raise NotFound()
    RECORD.require(locked, "resubmit")
    errors = _validate_record(data, locked.mandate, photos, existing=locked.photos.count())
    if errors:
        raise InvalidInput(field_errors=errors)
    edited = ["kind", "title", "content", "occurred_on", "is_public"]
    before = audit.snapshot(locked, edited)
    locked.kind = data.kind
    locked.title = _title(data)
    locked.content = data.content.strip()
    assert data.occurred_on is not None
    locked.occurred_on = data.occurred_on
    locked.is_public = data.is_public
    _save_photos(locked, photos)
    before, after = audit.diff(before, audit.snapshot(locked, edited))
    RECORD.move(
        locked,
        actor=actor,
        action="resubmit",
        fields=edited,
        comment=_("修改后重新提交"),
        check_policy=False,
    )
    if before:
        # What the correction changed, beside the step's own audit row.
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=locked, before=before, after=after)
    _notify_reviewers(locked)
    return locked


REVIEW_ACTIONS = {"confirm": RecordStatus.CONFIRMED, "return": RecordStatus.RETURNED}


@transaction.atomic
def review(*, actor: User, record: DutyRecord, decision: str, comment: str = "") -> DutyRecord:
    """The station or office confirms a report (it then counts) or returns it with a reason."""
    locked = DutyRecord.objects.select_for_update().get(pk=record.pk)
    record_policy.check(actor, locked, Action.CHANGE)
    to_status = REVIEW_ACTIONS.get(decision)
    if to_status is None:
        raise InvalidInput(field_errors={"decision": [_("请选择确认或退回。")]})
    RECORD.require(locked, decision)
    if to_status == RecordStatus.RETURNED and not comment.strip():
        raise InvalidInput(field_errors={"comment": [_("退回时请写明原因,方便代表修改。")]})
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.review_comment = comment.strip()[:COMMENT_MAX]
    RECORD.move(
        locked,
        actor=actor,
        action=decision,
        fields=["reviewed_by", "reviewed_at", "review_comment"],
        comment=locked.review_comment,
        check_policy=False,
    )
    owner = User.objects.filter(person__mandates=locked.mandate_id, is_active=True).first()
    if owner is not None:
        confirmed = to_status == RecordStatus.CONFIRMED
        notifications.notify(
            recipients=[owner],
            kind=notification_kinds.REVIEW.code,
            title=(_("履职记录已确认:%(title)s") if confirmed else _("履职记录被退回:%(title)s"))
            % {"title": locked.title},
            body=locked.review_comment or _("已计入履职档案和积分。"),
            url=reverse("duties:record", args=[locked.pk]),
        )
    if to_status == RecordStatus.CONFIRMED:
        _rescore([locked.mandate_id], locked.occurred_on.year)
    return locked


@transaction.atomic
def record_from_module(
    *,
    mandate: Mandate,
    kind: str,
    title: str,
    occurred_on: datetime.date,
    source_type: str,
    source_id: str,
    is_public: bool = True,
) -> DutyRecord:
    """Another module (suggestions, opinions, meetings) writes a fact onto the deputy's duty
    record. Idempotent: the same source never gives a second record."""
    if not source_type or not source_id:
        raise ValueError("a module record needs its source_type and source_id")
    record, created = DutyRecord.objects.get_or_create(
        mandate=mandate,
        source_type=source_type,
        source_id=str(source_id),
        defaults={
            "region_id": mandate.region_id,
            "station": _station_of(mandate),
            "kind": kind,
            "title": title[:TITLE_MAX],
            "occurred_on": occurred_on,
            "source": RecordSource.MODULE,
            "status": RecordStatus.CONFIRMED,
            "is_public": is_public,
            "reviewed_at": timezone.now(),
        },
    )
    if created:
        RECORD.opened(record, actor=None, action=FROM_MODULE, comment=source_type)
        audit.record(
            actor=None,
            actor_name=source_type,
            action=AuditAction.CREATE,
            obj=record,
            after=audit.snapshot(record, ["kind", "title", "occurred_on", "source"]),
        )
        _rescore([mandate.pk], occurred_on.year)
    return record


def _rescore(mandate_ids: Iterable[int], year: int) -> None:
    facts.changed(mandate_ids=mandate_ids, year=year)
