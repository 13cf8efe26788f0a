"""Notifications: the in-app inbox, one delivery record per external channel, and preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renda.notifications.kinds import CODE_MAX_LENGTH, label_for


class Notification(models.Model):
    """One message to one user. It is the inbox row and the parent of its deliveries."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("消息类型"), max_length=CODE_MAX_LENGTH)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    # False when the user turned the inbox off for this kind but still wants e-mail or SMS:
    # the row then only anchors the deliveries and never shows in the inbox.
    in_app = models.BooleanField(_("站内显示"), default=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
            # The bell's count reads only this small partial index, however long the history.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True, in_app=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def kind_label(self) -> str:
        return str(label_for(self.kind))


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("未发送")


FINAL_STATUSES = (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED)


class Delivery(models.Model):
    """Sending one notification through one external channel (e-mail or SMS).

    The destination is stored masked for display only: the real address is read from the
    recipient's account when sending, so this table never holds a plain phone number.
    """

    notification = models.ForeignKey(
        Notification, verbose_name=_("消息"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    destination = models.CharField(_("发送对象"), max_length=254, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    provider_message_id = models.CharField(_("网关消息编号"), max_length=128, blank=True)
    # SMS template parameters given by the sender; e-mail uses the notification's own text.
    params = models.JSONField(_("模板参数"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息发送记录")
        verbose_name_plural = _("消息发送记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_unique_channel"
            ),
        ]
        indexes = [models.Index(fields=["status", "updated_at"], name="delivery_status")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.destination} ({self.get_status_display()})"


class Preference(models.Model):
    """A user's choice of channels for one kind; without a row the kind's defaults apply."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("消息类型"), max_length=CODE_MAX_LENGTH)
    in_app = models.BooleanField(_("站内消息"), default=True)
    email = models.BooleanField(_("电子邮件"), default=False)
    sms = models.BooleanField(_("短信"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("消息订阅设置")
        verbose_name_plural = _("消息订阅设置")
        ordering = ["user_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_unique_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}"
