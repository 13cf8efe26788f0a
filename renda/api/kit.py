"""What every domain's API router shares: the caller's account, the id bound, pagination.

Domain ``api.py`` modules import from here (and from ``problems`` and ``schemas``); the
``api`` package never imports a domain app: routers reach it through ``renda.api.registry``.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja import Schema
from ninja.pagination import PageNumberPagination
from pydantic import Field

from renda.core.models import User

# Largest primary key any of our databases stores; larger ids are rejected as invalid input
# instead of overflowing the database driver.
MAX_ID = 2**63 - 1


def caller(request: HttpRequest) -> User:
    """The account an authenticated API request acts as (set by the bearer or session auth)."""
    return cast(User, cast(Any, request).auth)


class PageParams(Schema):
    # Bounded so a page number can never turn into an offset the database cannot take.
    page: int = Field(1, ge=1, le=100_000, description="页码,从 1 开始")
    page_size: int | None = Field(None, ge=1, le=100, description="每页条数,默认 50,最多 100")


class Pagination(PageNumberPagination):
    Input = PageParams  # type: ignore[assignment]
