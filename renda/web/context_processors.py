from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from renda.web import navigation

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
    # Each app's pages highlight its menu item; web pages their own URL name.
    current = ""
    if match is not None:
        url_name = match.url_name or ""
        current = {
            "web": url_name,
            "console": "accounts",
            "deputies": "deputies",
            "duties": "activities" if url_name.startswith("activit") else "duties",
            "points": "points",
            "ledgers": "ledgers",
            "learning": "learning",
            "portal": "replies" if url_name.startswith("suggestion") else "portal",
            "cases": "cases",
            "suggestions": (
                "suggestion_stats"
                if url_name.startswith(("dashboard", "compilation"))
                else "suggestions"
            ),
        }.get(match.namespace, "")
        current = current or ("security" if match.url_name == "security" else "")
    return {
        "large_text": large,
        "nav_items": navigation.items_for(user, current or ""),
    }
