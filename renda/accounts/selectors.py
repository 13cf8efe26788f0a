"""Reads about a user's sign-in state: second-factor requirements, devices and lockouts."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from renda.core import lockout
from renda.core.models import Role
from renda.core.policies import has_role

# Users are told local (Beijing) time whatever the server's TIME_ZONE is set to.
DISPLAY_ZONE = ZoneInfo("Asia/Shanghai")


def otp_required(user: Any) -> bool:
    """System administrators must pass TOTP; so must superusers, who can do even more."""
    return bool(getattr(user, "is_superuser", False)) or has_role(user, Role.ADMIN)


def confirmed_device(user: Any) -> TOTPDevice | None:
    if user is None or not getattr(user, "pk", None):
        return None
    device: TOTPDevice | None = (
        TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("id").first()
    )
    return device


def needs_second_step(user: Any) -> bool:
    """Whether signing in as ``user`` takes a TOTP code (or setting one up) after the password."""
    return otp_required(user) or confirmed_device(user) is not None


def is_verified(user: Any) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def needs_verification(user: Any) -> bool:
    """A signed-in session that has not passed TOTP although the account calls for it."""
    return bool(user.is_authenticated) and needs_second_step(user) and not is_verified(user)


def cool_off(request: HttpRequest | None = None) -> dt.timedelta:
    return lockout.cool_off(request)


def lock_of(username: str, request: HttpRequest) -> lockout.Lock:
    """Which lock refuses ``username`` from this request's address and until when (the
    account lock if axes refused before this module saw it: a full window from now)."""
    return lockout.state(request, username) or lockout.Lock(
        lockout.Kind.ACCOUNT, timezone.now() + cool_off(request)
    )


def retry_clock(moment: dt.datetime) -> str:
    """``HH:MM`` in Beijing time, rounded up so that trying at that minute always works."""
    local = moment.astimezone(DISPLAY_ZONE)
    minute = local.replace(second=0, microsecond=0)
    if local > minute:
        minute += dt.timedelta(minutes=1)
    return f"{minute:%H:%M}"


def cool_off_minutes(request: HttpRequest | None = None) -> int:
    return math.ceil(cool_off(request).total_seconds() / 60)
