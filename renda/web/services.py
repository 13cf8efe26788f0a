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


@transaction.atomic
def record_export(
    *, actor: User, object_type: str, fmt: str, rows: int, filters: dict[str, Any], label: str
) -> AuditEvent:
    return audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=object_type,
        object_repr=label,
        # The export belongs to the jurisdiction of the grants it was made under, so the
        # administrators of that region (and above) see it in their own log.
        region_code=policies.home_region(actor) or "",
        after={"format": fmt, "rows": rows, "filters": _plain(filters)},
        message=f"{label} ({fmt}, {rows})",
    )
