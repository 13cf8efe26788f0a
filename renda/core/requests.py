from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from renda.core.models import User


def acting_user(request: HttpRequest) -> User:
    """The signed-in account behind a request (views behind login_required call this)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user
