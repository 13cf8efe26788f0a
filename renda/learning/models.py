"""Study materials and notices for deputies (学习资料 / 通知) with read receipts.

A material is published by a congress office to an audience of serving deputies: its own
congress, its congress and every congress below it, or one deputy group. The audience is fixed
when the material is published, one receipt row per person (a person serving at two levels
gets it once), so "who has read it and who has not" is a plain query on the receipts and the
office's figures never drift as mandates later end or begin.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from renda.core.models import Congress, Person, Region, User
from renda.deputies.models import DeputyGroup, Mandate


class Audience(models.TextChoices):
    CONGRESS = "congress", _("本级人大全体在任代表")
    CONGRESS_AND_BELOW = "subtree", _("本级及下级人大全体在任代表")
    GROUP = "group", _("一个代表小组")


def _attachment_upload_to(instance: Material, filename: str) -> str:
    # A random name: attachments are served only through the permission-checked view, and a
    # guessable path must not lead to them where media files happen to be served.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"learning/{uuid.uuid4().hex}.{extension}"


class Material(models.Model):
    """One study material or notice, published once to a fixed audience."""

    congress = models.ForeignKey(
        Congress, verbose_name=_("发布人大"), on_delete=models.PROTECT, related_name="+"
    )
    # The congress's region, kept on the row: jurisdiction is one range scan on it.
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    attachment = models.FileField(
        _("附件"), upload_to=_attachment_upload_to, blank=True, max_length=200
    )
    attachment_name = models.CharField(_("附件名称"), max_length=200, blank=True)
    # Detected from the file's content, never taken from what the browser claimed.
    attachment_type = models.CharField(_("附件类型"), max_length=100, blank=True)
    attachment_size = models.PositiveIntegerField(_("附件大小(字节)"), default=0)
    audience = models.CharField(_("发送范围"), max_length=16, choices=Audience.choices)
    group = models.ForeignKey(
        DeputyGroup,
        verbose_name=_("代表小组"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Number of receipts written at publication (the denominator of the read rate).
    audience_count = models.PositiveIntegerField(_("发送人数"), default=0)
    published_by = models.ForeignKey(
        User, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects: ClassVar[models.Manager[Material]] = models.Manager()

    class Meta:
        verbose_name = _("学习资料")
        verbose_name_plural = _("学习资料")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience=Audience.GROUP, group__isnull=False)
                | (~Q(audience=Audience.GROUP) & Q(group__isnull=True)),
                name="material_group_audience_has_group",
            ),
        ]
        indexes = [models.Index(fields=["region", "published_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def has_attachment(self) -> bool:
        return bool(self.attachment)

    @property
    def attachment_is_inline(self) -> bool:
        """PDFs and images open in the browser; Word files download."""
        return self.attachment_type == "application/pdf" or self.attachment_type.startswith(
            "image/"
        )


class Receipt(models.Model):
    """One addressee of a material and when they first opened it (the read receipt)."""

    material = models.ForeignKey(
        Material, verbose_name=_("学习资料"), on_delete=models.CASCADE, related_name="receipts"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("代表"), on_delete=models.PROTECT, related_name="+"
    )
    # The mandate through which the person was addressed (for the office's lists).
    mandate = models.ForeignKey(
        Mandate, verbose_name=_("代表资格"), on_delete=models.PROTECT, related_name="+"
    )
    read_at = models.DateTimeField(_("首次阅读时间"), null=True, blank=True)
    # The local date of the last reminder: at most one reminder per person per day.
    reminded_on = models.DateField(_("最近提醒日期"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("提醒次数"), default=0)

    objects: ClassVar[models.Manager[Receipt]] = models.Manager()

    class Meta:
        verbose_name = _("阅读回执")
        verbose_name_plural = _("阅读回执")
        ordering = ["material_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["material", "person"], name="receipt_once_per_person"),
        ]
        indexes = [
            models.Index(fields=["person", "read_at"]),
            models.Index(fields=["material", "read_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.material_id}/{self.person_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
