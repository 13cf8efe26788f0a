"""Sign-in, second factor, lockout, password change and logout pages.

Flow: the password step authenticates through django-axes; accounts that need TOTP are not
logged in yet but remembered as a pending sign-in (``renda.accounts.pending``) until the code
passes. A session that is logged in but not verified (an older session, or one started
elsewhere) completes the same second step on the same pages.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp import verify_token as otp_verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from renda.accounts import pending, selectors, services
from renda.accounts.forms import ConfirmPasswordForm, LoginForm, PasswordChangeForm, TokenForm
from renda.accounts.middleware import LOGOUT_REASON, REASON_IDLE
from renda.core import lockout as locks
from renda.core import services as core_services
from renda.core.errors import Conflict, InvalidInput, NotFound
from renda.core.models import User
from renda.core.requests import local_url, show_service_errors

# ---------------------------------------------------------------------------------------------
# helpers


def _requested_next(request: HttpRequest) -> str:
    return local_url(request, request.POST.get("next") or request.GET.get("next"))


def _landing(next_url: str) -> str:
    return next_url or resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _back_to_login(request: HttpRequest, why: pending.Missing) -> HttpResponse:
    if why is pending.Missing.EXPIRED:
        messages.warning(request, _("验证时间已过,为了安全请重新输入用户名和密码。"))
    else:
        messages.info(request, _("请先输入用户名和密码登录。"))
    return redirect("accounts:login")


def _second_step_subject(
    request: HttpRequest,
) -> tuple[User, pending.PendingLogin | None] | pending.Missing:
    """Who is doing the second step: a pending sign-in, else the logged-in user."""
    state = pending.get(request)
    if isinstance(state, pending.PendingLogin):
        return state.user, state
    if request.user.is_authenticated:
        return request.user, None
    return state


def _finish_sign_in(
    request: HttpRequest, user: User, state: pending.PendingLogin | None, device: TOTPDevice
) -> str:
    """Log the pending user in (if not yet) and mark the session verified; returns next."""
    if state is not None:
        pending.clear(request)
        auth_login(request, user, backend=state.backend)
        next_url = state.next_url
    else:
        next_url = _requested_next(request)
    otp_login(request, device)
    return _landing(next_url)


def _is_locked(request: HttpRequest, username: str) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": username})


def _abandon(request: HttpRequest) -> None:
    """Drop a half-finished sign-in, and a logged-in but unverified session with it."""
    pending.clear(request)
    if request.user.is_authenticated and not selectors.is_verified(request.user):
        auth_logout(request)


def _qr_data_uri(device: TOTPDevice) -> str:
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2
    )
    return base64.b64encode(image.to_string(encoding="utf-8")).decode("ascii")


def _grouped_secret(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# ---------------------------------------------------------------------------------------------
# password step


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _requested_next(request)
    if request.user.is_authenticated and not selectors.needs_verification(request.user):
        return redirect(_landing(next_url))
    if request.session.pop(LOGOUT_REASON, None) == REASON_IDLE:
        minutes = max(1, settings.STAFF_IDLE_TIMEOUT // 60)
        messages.info(
            request,
            _("您已超过 %(minutes)d 分钟未操作,为保护数据安全已自动退出,请重新登录。")
            % {"minutes": minutes},
        )
    elif request.method == "GET" and next_url:
        # Sent here from a page: never signed in, or the session ran out.
        messages.info(
            request, _("该页面需要登录后才能访问,请先登录。如您刚才已登录,可能是登录已过期。")
        )
    form = LoginForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if user is None:
            # A lockout is turned into the lockout page by AxesMiddleware on the way out.
            form.add_error(None, _("用户名或密码不正确。"))
            failures = getattr(request, "axes_failures_since_start", None)
            remaining = settings.AXES_FAILURE_LIMIT - failures if failures else None
            if remaining is not None and 0 < remaining <= 2:
                form.add_error(
                    None,
                    _("再输错 %(n)d 次,账号将被锁定 %(minutes)d 分钟。")
                    % {"n": remaining, "minutes": selectors.cool_off_minutes(request)},
                )
        elif selectors.needs_second_step(user):
            pending.start(request, user, next_url)
            if selectors.confirmed_device(user) is None:
                return redirect("accounts:otp_setup")
            return redirect("accounts:otp")
        else:
            pending.clear(request)
            auth_login(request, user)
            return redirect(_landing(next_url))
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def lockout(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: say plainly that the account is locked and until when."""
    username = str((credentials or {}).get("username") or request.POST.get("username") or "")
    return _lockout_response(request, username[:150], second_step=False)


def _lockout_response(request: HttpRequest, username: str, *, second_step: bool) -> HttpResponse:
    lock = selectors.lock_of(username, request)
    until = lock.until
    params = {
        "limit": settings.AXES_FAILURE_LIMIT,
        "minutes": selectors.cool_off_minutes(request),
        "time": selectors.retry_clock(until),
    }
    title = _("账号已暂时锁定")
    if lock.kind is locks.Kind.ADDRESS:
        # Password spraying: many usernames failed from this address.
        title = _("登录已暂时受限")
        detail = (
            _(
                "此网络地址登录失败次数过多，为防止密码被猜测，已暂停从此地址登录 %(minutes)d 分钟。"
                "请于 %(time)s 后再试；如需立即登录，请联系系统管理员。"
            )
            % params
        )
    elif second_step:
        # The count covers wrong passwords and wrong codes alike.
        detail = (
            _(
                "密码或验证码连续输错 %(limit)d 次,为保护账号安全已暂时锁定 %(minutes)d 分钟。"
                "请于 %(time)s 后再试。"
            )
            % params
        )
    else:
        detail = (
            _(
                "密码连续输错 %(limit)d 次,为保护账号安全已暂时锁定 %(minutes)d 分钟。"
                "请于 %(time)s 后再试。"
            )
            % params
        )
    retry_after = str(max(1, math.ceil((until - timezone.now()).total_seconds())))
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "type": f"urn:renda:problem:{lock.kind}-locked",
                "title": title,
                "status": 429,
                "detail": detail,
            },
            status=429,
            content_type="application/problem+json",
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        _abandon(request)
        form = LoginForm(initial={"username": username})
        response = render(
            request,
            "accounts/login.html",
            {
                "form": form,
                "locked": detail,
                "locked_title": title,
                "next": _requested_next(request),
            },
            status=429,
        )
    response["Retry-After"] = retry_after
    return response


# ---------------------------------------------------------------------------------------------
# second step


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def otp_view(request: HttpRequest) -> HttpResponse:
    subject = _second_step_subject(request)
    if isinstance(subject, pending.Missing):
        return _back_to_login(request, subject)
    user, state = subject
    if state is None and not selectors.needs_verification(user):
        return redirect(_landing(_requested_next(request)))
    username = user.get_username()
    if _is_locked(request, username):
        return _lockout_response(request, username, second_step=True)
    devices: list[TOTPDevice] = list(devices_for_user(user, confirmed=True))
    if not devices:
        return redirect(_with_next("accounts:otp_setup", _requested_next(request)))
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        allowed = [d for d in devices if d.verify_is_allowed()[0]]
        if not allowed:
            wait_until = max(
                (d.verify_is_allowed()[1] or {}).get("locked_until", timezone.now())
                for d in devices
            )
            seconds = max(1, math.ceil((wait_until - timezone.now()).total_seconds()))
            form.add_error(
                "token", _("尝试过于频繁,请 %(seconds)d 秒后再试。") % {"seconds": seconds}
            )
        else:
            token = form.cleaned_data["token"]
            for device in allowed:
                verified = otp_verify_token(user, device.persistent_id, token)
                if verified is not None:
                    return redirect(_finish_sign_in(request, user, state, verified))
            # A wrong code is a failed login: audited, and counted by axes toward the lockout.
            credentials = {"username": username}
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                # Answered here, with wording about codes; axes' middleware must not redo it.
                request.axes_locked_out = False  # type: ignore[attr-defined]
                return _lockout_response(request, username, second_step=True)
            form.add_error("token", _("验证码不正确或已过期,请输入验证器上当前显示的 6 位数字。"))
    return render(
        request,
        "accounts/otp.html",
        {"form": form, "pending_user": user, "next": _requested_next(request)},
    )


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def otp_setup_view(request: HttpRequest) -> HttpResponse:
    subject = _second_step_subject(request)
    if isinstance(subject, pending.Missing):
        return _back_to_login(request, subject)
    user, state = subject
    next_url = _requested_next(request)
    if selectors.confirmed_device(user) is not None:
        if state is not None or selectors.needs_verification(user):
            return redirect(_with_next("accounts:otp", next_url))
        messages.info(request, _("您已启用两步验证。"))
        return redirect("accounts:security")
    try:
        device = services.begin_totp_setup(user=user)
    except Conflict as exc:
        messages.info(request, exc.message)
        return redirect("accounts:security")
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.confirm_totp_device(
                user=user, device_id=device.pk, token=form.cleaned_data["token"]
            )
        except InvalidInput as exc:
            show_service_errors(form, exc)
        except NotFound as exc:
            messages.warning(request, exc.message)
            return redirect(_with_next("accounts:otp_setup", next_url))
        else:
            messages.success(request, _("两步验证已启用,以后登录时请输入验证器上的验证码。"))
            landing = _finish_sign_in(request, user, state, device)
            if state is None and not next_url and not selectors.otp_required(user):
                return redirect("accounts:security")
            return redirect(landing)
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_data": _qr_data_uri(device),
            "secret": _grouped_secret(device),
            "mandatory": selectors.otp_required(user),
            "signing_in": state is not None,
            "next": next_url,
        },
    )


# ---------------------------------------------------------------------------------------------
# signed-in account pages


def _verified_or_redirect(request: HttpRequest) -> HttpResponse | None:
    if selectors.needs_verification(request.user):
        return redirect(_with_next("accounts:otp", request.get_full_path()))
    return None


@login_required
@never_cache
@require_http_methods(["GET"])
def security_view(request: HttpRequest) -> HttpResponse:
    if (early := _verified_or_redirect(request)) is not None:
        return early
    return _render_security(request, ConfirmPasswordForm())


def _render_security(request: HttpRequest, form: ConfirmPasswordForm) -> HttpResponse:
    user = request.user
    device = selectors.confirmed_device(user)
    last_used: dt.datetime | None = getattr(device, "last_used_at", None)
    return render(
        request,
        "accounts/security.html",
        {
            "device": device,
            "last_used": last_used,
            "remove_form": form,
            "mandatory": selectors.otp_required(user),
        },
    )


@sensitive_post_parameters("password")
@login_required
@require_POST
def otp_remove_view(request: HttpRequest) -> HttpResponse:
    if (early := _verified_or_redirect(request)) is not None:
        return early
    form = ConfirmPasswordForm(request.POST)
    if form.is_valid():
        try:
            services.remove_totp_device(
                user=request.user,  # type: ignore[arg-type]
                password=form.cleaned_data["password"],
            )
        except InvalidInput as exc:
            show_service_errors(form, exc)
        except NotFound as exc:
            messages.info(request, exc.message)
            return redirect("accounts:security")
        else:
            request.session.pop(DEVICE_ID_SESSION_KEY, None)
            if selectors.otp_required(request.user):
                messages.warning(
                    request, _("验证器已移除。系统管理员必须启用两步验证,请立即绑定新的验证器。")
                )
                return redirect("accounts:otp_setup")
            messages.success(request, _("验证器已移除,登录时将不再需要动态验证码。"))
            return redirect("accounts:security")
    return _render_security(request, form)


@sensitive_post_parameters()
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    if (early := _verified_or_redirect(request)) is not None:
        return early
    user: User = request.user  # type: ignore[assignment]
    next_url = _requested_next(request)
    form = PasswordChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            core_services.change_password(
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except InvalidInput as exc:
            show_service_errors(form, exc)
        else:
            # Changing the password invalidates sessions; keep this one.
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            return redirect(_landing(next_url))
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "forced": user.must_change_password, "next": next_url},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    was_signed_in = request.user.is_authenticated
    auth_logout(request)
    if was_signed_in:
        messages.info(request, _("您已安全退出。"))
    return redirect(settings.LOGOUT_REDIRECT_URL)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the usual cause is a page left open past its session."""
    return render(request, "accounts/csrf_failure.html", {"next": ""}, status=403)
