"""Writes made by the interface itself: only the audit trail of exports. Domain writes live
in the domain apps' services."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from renda.core import audit, policies
from renda.core.models import AuditAction, AuditEvent, User


def _plain(filters: dict[str, Any]) -> dict[str, Any]:
    """Filters as JSON values: dates as ISO strings, empty filters left out."""
    return {
        key: value.isoformat() if isinstance(value, datetime.date) else value
        for key, value in filters.items()
        if value not in (None, "")
    }


def _home_region(user: User) -> str:
    # The export belongs to the jurisdiction of the grant it was made under, so the
    # administrators of that region (and above) see it in their own log.
    grants = policies.grants_of(user)
    return grants[0].region_code if grants else ""


@transaction.atomic
def record_export(
    *, actor: User, object_type: str, fmt: str, rows: int, filters: dict[str, Any], label: str
) -> AuditEvent:
    return audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=object_type,
        object_repr=label,
        region_code=_home_region(actor),
        after={"format": fmt, "rows": rows, "filters": _plain(filters)},
        message=f"{label} ({fmt}, {rows})",
    )
