"""How API callers prove who they are.

Bearer tokens (``Authorization: Bearer <token>``) for apps and scripts; the Django session
(CSRF-protected) for the platform's own pages. Getting a token is a login like any other:
it goes through ``django.contrib.auth.authenticate`` so django-axes counts failures and locks
the account, the audit log records the attempt, and administrators must add a TOTP code.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_credentials
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django_otp import devices_for_user, match_token
from ninja.security import HttpBearer, SessionAuth

from renda.api import selectors, services
from renda.api.models import ApiToken
from renda.api.problems import AuthFailed, LockedOut
from renda.api.schemas import TokenIn
from renda.core import lockout
from renda.core.errors import NotPermitted
from renda.core.logging import bind_user
from renda.core.models import Role, User
from renda.core.policies import roles_of


def needs_otp(user: Any) -> bool:
    return bool(user.is_superuser or Role.ADMIN in roles_of(user))


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token:
            return None
        found = selectors.token_by_key(token)
        if found is None or found.revoked_at is not None:
            raise AuthFailed(_("令牌无效或已被吊销,请重新获取。"))
        if found.expires_at <= timezone.now():
            raise AuthFailed(_("令牌已过期,请重新获取。"))
        user = found.user
        if not user.is_active:
            raise AuthFailed(_("账号已停用。"))
        services.touch_token(token=found)
        bind_user(user)  # the user id on every further log line of this request
        request.user = user
        request.api_token = found  # type: ignore[attr-defined]
        return user


class RendaSessionAuth(SessionAuth):
    """The signed-in browser session, held to the same rules as the pages: an administrator
    must have passed two-factor login, and an initial password must have been changed."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not user.is_authenticated or not user.is_active:
            return None
        if needs_otp(user) and not user.is_verified():  # type: ignore[attr-defined]
            raise AuthFailed(_("请先在网页上完成两步验证。"))
        if getattr(user, "must_change_password", False):
            raise NotPermitted(_("请先在网页上修改初始密码。"))
        return user


bearer = BearerAuth()
session = RendaSessionAuth()


def current_token(request: HttpRequest) -> ApiToken | None:
    return getattr(request, "api_token", None)


def _lockout(request: HttpRequest, username: str) -> LockedOut:
    found = lockout.state(request, username)
    retry_at = found.until if found else timezone.now() + lockout.cool_off(request)
    seconds = max(1, math.ceil((retry_at - timezone.now()).total_seconds()))
    params = {
        "time": time_format(timezone.localtime(retry_at), "H:i"),
        "minutes": math.ceil(seconds / 60),
    }
    if found is not None and found.kind is lockout.Kind.ADDRESS:
        message = (
            _(
                "此网络地址登录失败次数过多，为防止密码被猜测，已暂停从此地址登录。"
                "请于 %(time)s 之后（约 %(minutes)s 分钟后）再试，或联系管理员。"
            )
            % params
        )
        return LockedOut(message, retry_after=seconds, kind="address-throttled")
    message = (
        _(
            "登录失败次数过多,账号已暂时锁定。请于 %(time)s 之后(约 %(minutes)s 分钟后)再试,"
            "或联系管理员解锁。"
        )
        % params
    )
    return LockedOut(message, retry_after=seconds)


def _is_locked(request: HttpRequest, username: str) -> bool:
    if getattr(request, "axes_locked_out", False):
        return True
    return bool(AxesProxyHandler.is_locked(request, get_credentials(username)))


def _check_otp_throttle(devices: list[Any]) -> None:
    """django-otp makes a device wait longer after each wrong code; say so plainly."""
    waits: list[int] = []
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if allowed:
            return
        until = (info or {}).get("locked_until")
        if until is not None:
            waits.append(max(1, math.ceil((until - timezone.now()).total_seconds())))
    seconds = min(waits) if waits else 60
    raise LockedOut(
        _("两步验证码错误次数过多,请 %(s)s 秒后再试。") % {"s": seconds},
        retry_after=seconds,
        kind="otp-throttled",
    )


@contextmanager
def _sessionless(request: HttpRequest) -> Iterator[None]:
    """A token request is no browser login and keeps no session: without ``request.session``
    django-axes logs the attempt with an empty session hash instead of creating a session
    row for it (one empty row per token request before)."""
    missing = object()
    session = request.__dict__.pop("session", missing)
    try:
        yield
    finally:
        if session is not missing:
            request.session = session


def login_for_token(request: HttpRequest, payload: TokenIn) -> tuple[ApiToken, str]:
    """Check the credentials like the login page does and issue a token."""
    with _sessionless(request):
        return _login_for_token(request, payload)


def _login_for_token(request: HttpRequest, payload: TokenIn) -> tuple[ApiToken, str]:
    user = authenticate(request, username=payload.username, password=payload.password)
    if _is_locked(request, payload.username):
        # The API answers the lockout itself; without this, axes' middleware would swap in
        # the login page's lockout response.
        request.axes_locked_out = False  # type: ignore[attr-defined]
        raise _lockout(request, payload.username)
    if user is None:
        cool_off = get_cool_off(request) or timedelta(minutes=15)
        raise AuthFailed(
            _("登录名或密码不正确。连续输错 %(n)s 次,账号将被锁定 %(m)s 分钟。")
            % {"n": settings.AXES_FAILURE_LIMIT, "m": int(cool_off.total_seconds() // 60)}
        )
    if needs_otp(user):
        devices = list(devices_for_user(user, confirmed=True))
        if not devices:
            raise NotPermitted(_("系统管理员必须先在网页上设置两步验证,才能使用接口。"))
        if not payload.otp:
            raise AuthFailed(_("该账号需要两步验证:请同时提交 otp 字段(验证器上的 6 位数字)。"))
        _check_otp_throttle(devices)
        if match_token(user, payload.otp) is None:
            # A wrong code counts as a failed login, so the second factor cannot be guessed
            # without running into the lockout.
            user_login_failed.send(
                sender=__name__, credentials={"username": payload.username}, request=request
            )
            if _is_locked(request, payload.username):
                request.axes_locked_out = False  # type: ignore[attr-defined]
                raise _lockout(request, payload.username)
            raise AuthFailed(_("两步验证码不正确或已过期,请输入验证器上最新的 6 位数字。"))
    if user.must_change_password:
        raise NotPermitted(_("初始密码尚未修改:请先登录网页修改密码,再获取令牌。"))
    with transaction.atomic():
        token, key = services.issue_token(user=user, name=payload.name)
        # The same signal as a page login: last_login, the audit log, and axes' reset of
        # the failure count all follow from it.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
    return token, key
