"""Per-request account safeguards that apply whatever page is asked for."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from renda.core.models import STAFF_ROLES, Role
from renda.core.policies import roles_of

# Paths a user must still reach while being forced to change a password or set up 2FA.
_ALWAYS_ALLOWED = ("/static/", "/accounts/", "/healthz", "/i18n/", "/api/", "/media/")
_LAST_SEEN = "renda_last_seen"


class AccountSecurityMiddleware:
    """Idle timeout for staff roles, forced first-login password change, and mandatory TOTP
    for system administrators."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            roles = roles_of(user)
            if roles & set(STAFF_ROLES) or user.is_staff:
                now = int(time.time())
                last = request.session.get(_LAST_SEEN)
                if last is not None and now - int(last) > settings.STAFF_IDLE_TIMEOUT:
                    logout(request)
                    messages.info(request, _("您已超过 30 分钟未操作,为保护数据安全已自动退出,请重新登录。"))
                    return redirect(f"{reverse('accounts:login')}?next={request.get_full_path()}")
                # Writing the session on every request is what keeps an active user signed in.
                request.session[_LAST_SEEN] = now
            if not request.path.startswith(_ALWAYS_ALLOWED):
                if getattr(user, "must_change_password", False):
                    return redirect("accounts:password_change")
                needs_otp = Role.ADMIN in roles or user.is_superuser
                if needs_otp and not user.is_verified():  # type: ignore[union-attr]
                    return redirect("accounts:otp")
        return self.get_response(request)
