"""The small duty seed: deterministic, realistic statuses, nothing for the demo deputy."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from renda.duties.models import Activity, DutyRecord, Invitation
from renda.points.models import PointEntry
from renda.seed import activities

pytestmark = pytest.mark.django_db


def _snapshot() -> list[tuple[Any, ...]]:
    return list(
        DutyRecord.objects.order_by(
            "mandate_id", "occurred_on", "kind", "title", "status"
        ).values_list("mandate_id", "occurred_on", "kind", "title", "content", "status", "source")
    )


class _Rollback(Exception):
    pass


def test_small_seed_is_deterministic_and_leaves_the_demo_deputy_alone(duty_data: None) -> None:
    first = _snapshot()
    assert first
    statuses = {row[5] for row in first}
    assert statuses == {"confirmed", "submitted", "returned"}
    assert {row[6] for row in first} >= {"organized", "self", "proxy"}
    assert set(Invitation.objects.values_list("status", flat=True)) == {
        "invited",
        "attended",
        "leave",
        "absent",
    }
    assert Activity.objects.filter(status="planned").exists()
    assert PointEntry.objects.exists()
    assert not DutyRecord.objects.filter(mandate__person__user__username="deputy").exists()
    assert not Invitation.objects.filter(mandate__person__user__username="deputy").exists()
    # Built again from scratch (same world, same day), it gives the same rows.
    try:
        with transaction.atomic():
            PointEntry.objects.all().delete()
            DutyRecord.objects.all().delete()
            Invitation.objects.all().delete()
            Activity.objects.all().delete()
            activities.build("small", points=False)
            assert _snapshot() == first
            raise _Rollback
    except _Rollback:
        pass
