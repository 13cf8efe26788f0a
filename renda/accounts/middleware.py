"""Per-request account safeguards that apply whatever page is asked for."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from renda.accounts.selectors import is_verified, otp_required
from renda.core.logging import bind_user
from renda.core.models import STAFF_ROLES
from renda.core.policies import roles_of

# Paths a user must still reach while being forced to change a password or set up 2FA.
# The views under /accounts/ check the second factor themselves where it matters.
_ALWAYS_ALLOWED = ("/static/", "/accounts/", "/healthz", "/i18n/", "/api/", "/media/")
_LAST_SEEN = "renda_last_seen"
# Why the previous session ended, for the login page to explain (set after logout, in the new
# session; MessageMiddleware has not run yet at this point, so messages cannot carry it).
LOGOUT_REASON = "renda_logout_reason"
REASON_IDLE = "idle"
# Refreshing the timestamp at most once a minute spares a session write on every request;
# a minute is nothing against a 30-minute timeout.
_TOUCH_EVERY = 60


def login_url(next_path: str = "") -> str:
    url = reverse("accounts:login")
    return f"{url}?{urlencode({'next': next_path})}" if next_path else url


def client_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that also works for htmx requests, which would otherwise swap the target
    page into a fragment of the current one."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class AccountSecurityMiddleware:
    """Idle timeout for staff roles, forced first-login password change, and mandatory TOTP
    for system administrators."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        bind_user(user)  # every further log line of this request names the user
        is_api = request.path.startswith("/api/")
        if roles_of(user) & set(STAFF_ROLES) or user.is_staff:
            now = int(time.time())
            last = request.session.get(_LAST_SEEN)
            if last is not None and now - int(last) > settings.STAFF_IDLE_TIMEOUT:
                logout(request)
                request.session[LOGOUT_REASON] = REASON_IDLE
                if is_api:
                    # The API answers for itself (token or 401) now that the session is gone.
                    return self.get_response(request)
                keep = request.method == "GET" and not request.path.startswith("/accounts/")
                return client_redirect(request, login_url(request.get_full_path() if keep else ""))
            if last is None or now - int(last) >= _TOUCH_EVERY:
                request.session[_LAST_SEEN] = now
        if not request.path.startswith(_ALWAYS_ALLOWED):
            if otp_required(user) and not is_verified(user):
                url = reverse("accounts:otp")
                if request.method == "GET":
                    url = f"{url}?{urlencode({'next': request.get_full_path()})}"
                return client_redirect(request, url)
            if getattr(user, "must_change_password", False):
                return client_redirect(request, reverse("accounts:password_change"))
        return self.get_response(request)
