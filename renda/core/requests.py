from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from renda.core.models import User


def acting_user(request: HttpRequest) -> User:
    """The signed-in account behind a request (views behind login_required call this)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user


def local_url(request: HttpRequest, candidate: str | None) -> str:
    """``candidate`` if it points back into this site, else "" (no open redirects)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""
