"""Disputes: a deputy objects to one of their own entries (never someone else's), the office
upholds it with an adjustment or rejects it, both recorded, and the deputy is told."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from renda.core.errors import Conflict, IllegalTransition, InvalidInput, NotFound, NotPermitted
from renda.core.models import AuditAction, AuditEvent, User
from renda.notifications.models import Notification
from renda.points import services
from renda.points.models import Dispute, DisputeStatus, PointEntry, PointTotal, RuleCode
from tests.conftest import OTHER_COUNTY
from tests.points.conftest import YEAR, absence, entries, other_mandate, own_mandate, record

pytestmark = pytest.mark.django_db


def _own_entry(scored: Any) -> PointEntry:
    mandate = own_mandate()
    absence(mandate)
    return scored(mandate)[0]


def test_deputy_files_a_dispute_from_the_page(login: Any, scored: Any) -> None:
    entry = _own_entry(scored)
    client = login("deputy")
    page = client.get(f"/points/entries/{entry.pk}/dispute/")
    assert page.status_code == 200
    assert "提交申诉" in page.content.decode()
    response = client.post(
        f"/points/entries/{entry.pk}/dispute/", {"reason": "当天我已请假,有请假条。"}
    )
    assert response.status_code == 302
    dispute = Dispute.objects.get()
    assert (dispute.invitation_id, dispute.code, dispute.disputed_points, dispute.status) == (
        entry.invitation_id,
        RuleCode.ABSENCE,
        Decimal(-2),
        DisputeStatus.OPEN,
    )
    assert dispute.year == YEAR
    assert AuditEvent.objects.filter(
        object_type="points.dispute", action=AuditAction.CREATE
    ).exists()
    # The breakdown now shows the dispute in progress instead of the button.
    page = client.get(f"/points/mandate/{entry.mandate_id}/{YEAR}/").content.decode()
    assert "申诉处理中" in page


def test_a_dispute_without_reason_keeps_the_page(login: Any, scored: Any) -> None:
    entry = _own_entry(scored)
    response = login("deputy").post(f"/points/entries/{entry.pk}/dispute/", {"reason": "  "})
    assert response.status_code == 200
    assert "请写明申诉理由" in response.content.decode()
    assert not Dispute.objects.exists()


def test_a_dispute_on_another_deputys_record_is_refused(login: Any, scored: Any) -> None:
    other = other_mandate()
    record(other)
    entry = scored(other)[0]
    deputy = User.objects.get(username="deputy")
    with pytest.raises(NotPermitted) as exc:
        services.file_dispute(actor=deputy, entry=entry, reason="不是我的")
    assert "只能对本人的积分明细提出申诉" in exc.value.message
    client = login("deputy")
    for response in (
        client.get(f"/points/entries/{entry.pk}/dispute/"),
        client.post(f"/points/entries/{entry.pk}/dispute/", {"reason": "不是我的"}),
    ):
        assert response.status_code == 403
        text = response.content.decode()
        assert "只能对本人的积分明细提出申诉" in text
        assert other.person.name not in text
    assert not Dispute.objects.exists()
    # An office cannot file one either: disputes are the deputy's own.
    with pytest.raises(NotPermitted):
        services.file_dispute(actor=User.objects.get(username="office"), entry=entry, reason="x")


def test_one_open_dispute_per_entry(scored: Any) -> None:
    entry = _own_entry(scored)
    deputy = User.objects.get(username="deputy")
    services.file_dispute(actor=deputy, entry=entry, reason="第一次")
    with pytest.raises(Conflict) as exc:
        services.file_dispute(actor=deputy, entry=entry, reason="第二次")
    assert "正在处理" in exc.value.message
    assert Dispute.objects.count() == 1


def test_office_upholds_with_the_default_adjustment(
    login: Any, scored: Any, django_capture_on_commit_callbacks: Any
) -> None:
    entry = _own_entry(scored)
    dispute = services.file_dispute(
        actor=User.objects.get(username="deputy"), entry=entry, reason="已请假"
    )
    client = login("county_office")
    listing = client.get("/points/disputes/").content.decode()
    assert f"/points/disputes/{dispute.pk}/" in listing
    page = client.get(f"/points/disputes/{dispute.pk}/").content.decode()
    assert 'value="2.0"' in page  # the default adjustment cancels the -2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/points/disputes/{dispute.pk}/",
            {"outcome": "upheld", "adjustment": "2", "decision": "经核实已请假,撤销扣分。"},
        )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert (dispute.status, dispute.adjustment) == (DisputeStatus.UPHELD, Decimal(2))
    assert dispute.decided_by == User.objects.get(username="county_office")
    got = entries(own_mandate())
    assert [(e.code, e.points) for e in got] == [
        (RuleCode.ABSENCE, Decimal(-2)),
        (RuleCode.ADJUSTMENT, Decimal(2)),
    ]
    assert got[1].dispute_id == dispute.pk
    total = PointTotal.objects.get(
        mandate=own_mandate(), rule_set__year=YEAR, rule_set__is_current=True
    )
    assert total.points == 0
    note = Notification.objects.get(recipient__username="deputy", kind="points_dispute")
    assert "申诉成立" in note.title
    assert note.url == f"/points/disputes/{dispute.pk}/"
    assert AuditEvent.objects.filter(
        object_type="points.dispute", action=AuditAction.TRANSITION
    ).exists()
    # Decided once: a second decision is an illegal step.
    with pytest.raises(IllegalTransition):
        services.decide_dispute(
            actor=User.objects.get(username="office"),
            dispute=dispute,
            uphold=False,
            decision="再处理",
        )
    # The deputy sees the decision on the dispute's page, and the adjustment links to it.
    mine = login("deputy").get(f"/points/disputes/{dispute.pk}/").content.decode()
    assert "撤销扣分" in mine
    breakdown = login("deputy").get(f"/points/mandate/{entry.mandate_id}/{YEAR}/").content.decode()
    assert f'href="/points/disputes/{dispute.pk}/"' in breakdown


def test_office_rejects_with_reasons(scored: Any) -> None:
    entry = _own_entry(scored)
    dispute = services.file_dispute(
        actor=User.objects.get(username="deputy"), entry=entry, reason="不服"
    )
    office = User.objects.get(username="office")
    with pytest.raises(InvalidInput) as exc:
        services.decide_dispute(actor=office, dispute=dispute, uphold=False, decision=" ")
    assert "decision" in exc.value.field_errors
    services.decide_dispute(actor=office, dispute=dispute, uphold=False, decision="未按规定请假。")
    dispute.refresh_from_db()
    assert (dispute.status, dispute.adjustment) == (DisputeStatus.REJECTED, None)
    assert (
        "不成立"
        in Notification.objects.get(recipient__username="deputy", kind="points_dispute").title
    )


def test_only_offices_of_the_jurisdiction_decide(scored: Any) -> None:
    entry = _own_entry(scored)
    dispute = services.file_dispute(
        actor=User.objects.get(username="deputy"), entry=entry, reason="x"
    )
    with pytest.raises(NotPermitted):
        services.decide_dispute(
            actor=User.objects.get(username="deputy"),
            dispute=dispute,
            uphold=True,
            decision="自己批准",
        )
    with pytest.raises(NotFound):
        services.decide_dispute(
            actor=User.objects.get(username="leader"), dispute=dispute, uphold=True, decision="领导"
        )
    other = other_mandate(OTHER_COUNTY)
    record(other)
    other_dispute = Dispute.objects.create(
        mandate=other,
        region_id=other.region_id,
        year=YEAR,
        code="meeting",
        record=other.duty_records.get(),
        disputed_points=2,
        reason="x",
        created_by=User.objects.get(username="admin"),
    )
    with pytest.raises(NotFound):
        services.decide_dispute(
            actor=User.objects.get(username="county_office"),
            dispute=other_dispute,
            uphold=False,
            decision="越权",
        )
    assert Dispute.objects.filter(status=DisputeStatus.OPEN).count() == 2
