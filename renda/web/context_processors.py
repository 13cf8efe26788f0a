from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def frame(request: HttpRequest) -> dict[str, Any]:
    """What the page frame (header, bell, large-text mode) needs on every page."""
    user = getattr(request, "user", None)
    large = bool(getattr(user, "large_text", False)) if user and user.is_authenticated else (
        request.COOKIES.get("renda_large_text") == "1"
    )
    return {"large_text": large}
