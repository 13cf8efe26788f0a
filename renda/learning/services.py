"""Writes for study materials: publishing to an audience, the read receipt, reminders."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.core import audit
from renda.core.dates import local_date
from renda.core.errors import InvalidInput, NotPermitted
from renda.core.models import AuditAction, Congress, Person, User
from renda.core.policies import Action
from renda.deputies.models import DeputyGroup
from renda.learning import attachments, selectors
from renda.learning.models import Audience, Material, Receipt
from renda.learning.policies import materials as material_policy
from renda.notifications import services as notifications

KIND = "study_material"
TITLE_MAX = 200
BODY_MAX = 50_000
BATCH = 1000


def _validate(
    *, congress: Congress, title: str, body: str, audience: str, group: DeputyGroup | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("请填写标题。")]
    elif len(title.strip()) > TITLE_MAX:
        errors["title"] = [_("标题不能超过 %(n)d 个字。") % {"n": TITLE_MAX}]
    if not body.strip():
        errors["body"] = [_("请填写正文。")]
    elif len(body) > BODY_MAX:
        errors["body"] = [_("正文不能超过 %(n)d 个字;更长的内容请作为附件上传。") % {"n": BODY_MAX}]
    if audience not in Audience.values:
        errors["audience"] = [_("请选择发送范围。")]
    elif audience == Audience.GROUP:
        if group is None:
            errors["group"] = [_("发送给代表小组时,请选择代表小组。")]
        elif group.congress_id != congress.pk:
            errors["group"] = [
                _("代表小组“%(group)s”不属于%(congress)s,请重新选择。")
                % {"group": group.name, "congress": congress.name}
            ]
    return errors


@transaction.atomic
def publish(
    *,
    actor: User,
    congress: Congress,
    title: str,
    body: str,
    audience: str,
    group: DeputyGroup | None = None,
    attachment: Any = None,
) -> Material:
    """Publish a material now: fix its audience as receipts and notify every addressee.

    The inbox messages are written in this transaction, so a material exists exactly when its
    audience was told; their SMS/e-mail deliveries go out after the commit (notify's rule).
    """
    if not material_policy.can_in_region(actor, Action.CREATE, congress.region_id):
        raise NotPermitted(_("您只能以本人大机关管辖范围内的人大名义发布学习资料。"))
    errors = _validate(congress=congress, title=title, body=body, audience=audience, group=group)
    detected: attachments.Detected | None = None
    if attachment is not None:
        try:
            detected = attachments.inspect(attachment)
        except InvalidInput as exc:
            errors.update(exc.field_errors)
    if errors:
        raise InvalidInput(field_errors=errors)
    if audience != Audience.GROUP:
        group = None

    # One receipt per person: someone serving at two levels is one reader.
    addressed: dict[int, int] = {}
    rows = (
        selectors.audience_mandates(congress=congress, audience=audience, group=group)
        .order_by("region_id", "id")
        .values_list("person_id", "id")
    )
    for person_id, mandate_id in rows.iterator(chunk_size=BATCH):
        addressed.setdefault(person_id, mandate_id)
    if not addressed:
        raise InvalidInput(
            field_errors={"audience": [_("所选发送范围内没有在任代表,请重新选择发送范围。")]}
        )

    material = Material(
        congress=congress,
        region_id=congress.region_id,
        title=title.strip(),
        body=body.strip(),
        audience=audience,
        group=group,
        audience_count=len(addressed),
        published_by=actor,
        published_at=timezone.now(),
    )
    stored = ""
    try:
        if detected is not None:
            original = (getattr(attachment, "name", "") or "").rsplit("/", 1)[-1]
            stem = original.rsplit(".", 1)[0] if "." in original else original
            material.attachment_name = f"{(stem or _('附件'))[:150]}.{detected.extension}"
            material.attachment_type = detected.content_type
            stored_content, material.attachment_size = attachments.content(attachment, detected)
            material.attachment.save(f"upload.{detected.extension}", stored_content, save=False)
            stored = material.attachment.name or ""
        material.save()
        Receipt.objects.bulk_create(
            (Receipt(material=material, person_id=p, mandate_id=m) for p, m in addressed.items()),
            batch_size=BATCH,
        )
    except Exception:
        # The row is rolled back; the file written for it must not stay behind.
        if stored:
            material.attachment.storage.delete(stored)
        raise
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=material,
        after=audit.snapshot(
            material,
            ["congress", "title", "audience", "group", "audience_count", "attachment_name"],
        ),
        message=_("发布学习资料,发送 %(n)d 人") % {"n": len(addressed)},
    )
    _notify(material, list(addressed), reminder=False)
    return material


def _notify(material: Material, person_ids: list[int], *, reminder: bool) -> int:
    """One inbox message per addressed person who has an active account."""
    title = (
        _("请阅读:%(title)s") % {"title": material.title}
        if reminder
        else _("新学习资料:%(title)s") % {"title": material.title}
    )
    body = (
        _("%(congress)s发布的学习资料您还没有阅读,请抽空查看。")
        % {"congress": material.congress.name}
        if reminder
        else _("%(congress)s发布了新的学习资料,请查看。") % {"congress": material.congress.name}
    )
    url = reverse("learning:read", args=[material.pk])
    sent = 0
    # In chunks: a city-wide audience is over ten thousand people.
    for start in range(0, len(person_ids), BATCH):
        user_ids = list(
            Person.objects.filter(
                pk__in=person_ids[start : start + BATCH], user__isnull=False, user__is_active=True
            ).values_list("user__id", flat=True)
        )
        if user_ids:
            notifications.notify(
                recipients=user_ids,
                kind=KIND,
                title=title[: notifications.TITLE_MAX],
                body=body,
                url=url,
            )
            sent += len(user_ids)
    return sent


def open_material(*, user: User, material: Material) -> Receipt | None:
    """Record that ``user`` opened the material: the first time only. Returns the user's
    receipt (None for readers who are not addressees, such as the office)."""
    if not user.person_id:
        return None
    receipts = Receipt.objects.filter(material=material, person_id=user.person_id)
    # One conditional UPDATE: two phones opening it at once still record the first time.
    receipts.filter(read_at__isnull=True).update(read_at=timezone.now())
    return receipts.first()


@transaction.atomic
def remind_unread(*, actor: User, material: Material) -> int:
    """Remind every addressee who has not read the material yet, at most once a day each.
    Returns how many were reminded now (0 when everyone was already reminded today)."""
    locked = Material.objects.select_for_update().get(pk=material.pk)
    material_policy.check(actor, locked, Action.CHANGE)
    today = local_date()
    due = Receipt.objects.filter(material=locked, read_at__isnull=True).filter(
        Q(reminded_on__isnull=True) | Q(reminded_on__lt=today)
    )
    due_rows = list(due.values_list("pk", "person_id"))
    ids = [pk for pk, _person in due_rows]
    people = [person for _pk, person in due_rows]
    if not ids:
        return 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        Receipt.objects.filter(pk__in=chunk).update(reminded_on=today, reminders=F("reminders") + 1)
    _notify(locked, people, reminder=True)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        message=_("提醒未读代表 %(n)d 人") % {"n": len(ids)},
        after={"reminded": len(ids), "on": today.isoformat()},
    )
    return len(ids)
