from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from renda.notifications import selectors


class LazyUnreadCount:
    """The bell's unread count, queried only if a template actually shows it, and only once.

    Django templates call callables they find in the context, so ``{{ unread_count }}`` and
    ``{% if unread_count %}`` both yield the integer; pages without the bell (API, partials)
    never run the query.
    """

    def __init__(self, user: Any) -> None:
        self._user = user
        self._value: int | None = None

    def __call__(self) -> int:
        if self._value is None:
            self._value = selectors.unread_count(self._user)
        return self._value


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_count": 0}
    return {"unread_count": LazyUnreadCount(user)}
