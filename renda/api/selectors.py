"""Reads for the API: token lookup, the caller's own grants, and region lists that need
more than the core selectors give (top of a jurisdiction, whether a region has children)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from renda.api.models import ApiToken
from renda.core import selectors as core_selectors
from renda.core.models import Region, RoleGrant


def hash_key(key: str) -> str:
    """What is stored of a token's secret (the secret itself never is)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def token_by_key(key: str) -> ApiToken | None:
    """The token with this secret, whatever its state (the caller explains why it fails)."""
    return ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()


def own_grants(user: Any) -> QuerySet[RoleGrant]:
    return (
        RoleGrant.objects.filter(user_id=user.pk)
        .select_related("region", "organization")
        .order_by("role", "region_id", "id")
    )


def _with_children_flag(qs: QuerySet[Region]) -> QuerySet[Region]:
    return qs.annotate(has_children=Exists(Region.objects.filter(parent_id=OuterRef("code"))))


def regions(user: Any, *, parent: str | None = None) -> QuerySet[Region]:
    """Children of ``parent`` that the user may see; without a parent, the highest regions
    the user may see (those whose parent is outside the user's view)."""
    visible = core_selectors.regions(user)
    if parent:
        qs = visible.filter(parent_id=parent)
    else:
        qs = visible.exclude(parent_id__in=visible.values("code"))
    return _with_children_flag(qs).select_related("parent").order_by("code")


def region(user: Any, code: str) -> Region | None:
    return (
        _with_children_flag(core_selectors.regions(user).filter(code=code))
        .select_related("parent")
        .first()
    )


def region_exists(code: str) -> bool:
    return Region.objects.filter(code=code).exists()
