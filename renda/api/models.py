"""Bearer tokens for the JSON API. Only a SHA-256 hash of each token is stored, so a copy of
the database never yields a usable credential."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renda.core.models import User

DEFAULT_LIFETIME_DAYS = 30


def default_lifetime() -> datetime.timedelta:
    return datetime.timedelta(
        days=int(getattr(settings, "API_TOKEN_LIFETIME_DAYS", DEFAULT_LIFETIME_DAYS))
    )


def default_expiry() -> datetime.datetime:
    return timezone.now() + default_lifetime()


class ApiToken(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=60, blank=True)
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    # The first characters of the token, so a user can tell their tokens apart in a list
    # without the platform ever keeping the whole secret.
    prefix = models.CharField(_("令牌前缀"), max_length=16, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), default=default_expiry)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "revoked_at", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})" if self.name else f"{self.prefix}…"

    def is_active(self, now: datetime.datetime | None = None) -> bool:
        moment = now or timezone.now()
        return self.revoked_at is None and self.expires_at > moment
