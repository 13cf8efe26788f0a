"""Writing the audit log. Services call ``record`` inside their transaction, so an event
exists exactly when the change it describes was committed."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models

from renda.core import context, crypto
from renda.core.fields import EncryptedTextField
from renda.core.models import AuditAction, AuditEvent, User

_MASKERS = {"phone": crypto.mask_phone, "id_number": crypto.mask_id_number}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The object's field values as JSON, with personal data masked and index columns left out."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        # Index columns, hashes and bookkeeping timestamps say nothing a reader needs.
        if (
            field.name.endswith("_bidx")
            or field.name == "password"
            or getattr(field, "auto_now", False)
        ):
            continue
        value = getattr(obj, field.attname)
        if isinstance(field, EncryptedTextField):
            value = _MASKERS.get(field.name, lambda v: "***" if v else "")(value or "")
        data[field.name] = _jsonable(value)
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys that changed, so the log shows what an update actually did."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def object_region_code(obj: models.Model | None) -> str:
    if obj is None:
        return ""
    code = getattr(obj, "region_id", None) or getattr(obj, "region_code", None)
    if code:
        return str(code)
    if obj._meta.label_lower == "core.region":
        return str(obj.pk)
    return ""


def record(
    *,
    actor: User | None,
    action: AuditAction | str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    message: str = "",
    region_code: str | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    actor_name: str = "",
) -> AuditEvent:
    ctx = context.current()
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor_name or (actor.get_username() if actor is not None else ""),
        ip=ctx.ip,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else object_type,
        object_id=str(obj.pk) if obj is not None else object_id,
        object_repr=(str(obj) if obj is not None else object_repr)[:200],
        region_code=region_code if region_code is not None else object_region_code(obj),
        before=before,
        after=after,
        message=message,
    )


@dataclass(frozen=True)
class Entry:
    """One object's row for :func:`record_many`: what changed on it and, when it is not the
    object's own, the region it belongs to in the log."""

    obj: models.Model
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    region_code: str | None = None


def record_many(
    *,
    actor: User | None,
    action: AuditAction | str,
    entries: Iterable[Entry],
    message: str = "",
    actor_name: str = "",
    batch_size: int = 500,
) -> list[AuditEvent]:
    """The rows ``record`` writes, one per entry, in one insert per ``batch_size`` rows: for
    a step taken on many objects at once (the absentees when an activity closes)."""
    ctx = context.current()
    who = actor if actor is not None and actor.pk else None
    name = actor_name or (actor.get_username() if actor is not None else "")
    rows = [
        AuditEvent(
            actor=who,
            actor_name=name,
            ip=ctx.ip,
            action=action,
            object_type=entry.obj._meta.label_lower,
            object_id=str(entry.obj.pk),
            object_repr=str(entry.obj)[:200],
            region_code=(
                entry.region_code
                if entry.region_code is not None
                else object_region_code(entry.obj)
            ),
            before=entry.before,
            after=entry.after,
            message=message,
        )
        for entry in entries
    ]
    if not rows:
        return []
    return AuditEvent.objects.bulk_create(rows, batch_size=batch_size)
