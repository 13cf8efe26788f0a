"""The half-finished sign-in between a correct password and the TOTP step.

The user is not logged in until the second factor passes, so nothing else on the site is
reachable with the password alone; the session only remembers who is signing in, for how long.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import Enum

from django.http import HttpRequest

from renda.core.models import User

_KEY = "renda_pending_login"
# Long enough to find the phone and open the app, short enough that an abandoned sign-in on
# a shared computer cannot be finished by the next person.
TTL_SECONDS = 300


class Missing(Enum):
    ABSENT = "absent"
    EXPIRED = "expired"


@dataclass(frozen=True)
class PendingLogin:
    user: User
    backend: str
    next_url: str


def start(request: HttpRequest, user: User, next_url: str) -> None:
    request.session[_KEY] = {
        "user_id": user.pk,
        "backend": getattr(user, "backend", "django.contrib.auth.backends.ModelBackend"),
        "next": next_url,
        "at": int(time.time()),
    }


def get(request: HttpRequest) -> PendingLogin | Missing:
    data = request.session.get(_KEY)
    if not isinstance(data, dict):
        return Missing.ABSENT
    if int(time.time()) - int(data.get("at", 0)) > TTL_SECONDS:
        clear(request)
        return Missing.EXPIRED
    user_id = data.get("user_id")
    user = User.objects.filter(pk=int(user_id), is_active=True).first() if user_id else None
    if user is None:
        clear(request)
        return Missing.EXPIRED
    return PendingLogin(user=user, backend=str(data["backend"]), next_url=str(data.get("next", "")))


def clear(request: HttpRequest) -> None:
    request.session.pop(_KEY, None)
