from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from renda.core.errors import RendaError
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


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request asking for a fragment (not a history restore of the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def show_service_errors(form: Any, exc: RendaError) -> None:
    """A service's field errors beside the fields (what was typed stays), else on top."""
    field_errors = getattr(exc, "field_errors", {}) or {}
    for field, errors in field_errors.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
    if not field_errors:
        form.add_error(None, exc.message)
