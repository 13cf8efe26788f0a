from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from renda.web import menu

LARGE_TEXT_COOKIE = "renda_large_text"


def frame(request: HttpRequest) -> dict[str, Any]:
    """What the page frame (header, navigation, large-text mode) needs on every page.

    Cheap by design: it runs on every page, and the grants it reads are cached on the user.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        large = bool(getattr(user, "large_text", False))
    else:
        large = request.COOKIES.get(LARGE_TEXT_COOKIE) == "1"
    match = getattr(request, "resolver_match", None)
    # Each app's entries say which pages they light up (renda.web.menu).
    current = menu.current_key(match.namespace, match.url_name or "") if match else ""
    return {
        "large_text": large,
        "nav_items": menu.items_for(user, current),
    }
