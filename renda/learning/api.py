"""No ``from __future__ import annotations``: django-ninja reads annotations at import time."""

from typing import Any

from ninja import Router


def build_router(pagination: Any) -> Router:
    return Router()
