"""Who may read the duty ledgers (统计台账): offices and administrators over their congress's
jurisdiction, leaders read; exports by the offices. One rule table, applied to each table the
ledger reads through that table's path to the jurisdiction (the mandate's congress region),
so the records, attendance, points and deputy counts of one page can never disagree about
what the reader may see."""

from __future__ import annotations

from typing import ClassVar

from renda.core.models import Role
from renda.core.policies import Action, Policy, Scope
from renda.deputies.models import Mandate
from renda.duties.models import DutyRecord, Invitation
from renda.points.models import PointEntry

RULES: dict[str, dict[str, Scope]] = {
    Action.VIEW: {Role.ADMIN: Scope.REGION, Role.OFFICE: Scope.REGION, Role.LEADER: Scope.REGION},
    Action.EXPORT: {Role.ADMIN: Scope.REGION, Role.OFFICE: Scope.REGION},
}


class LedgerRecordPolicy(Policy[DutyRecord]):
    model = DutyRecord
    rules: ClassVar[dict[str, dict[str, Scope]]] = RULES


class LedgerInvitationPolicy(Policy[Invitation]):
    model = Invitation
    region_field = "mandate__region_id"
    rules: ClassVar[dict[str, dict[str, Scope]]] = RULES


class LedgerPointPolicy(Policy[PointEntry]):
    model = PointEntry
    rules: ClassVar[dict[str, dict[str, Scope]]] = RULES


class LedgerMandatePolicy(Policy[Mandate]):
    model = Mandate
    rules: ClassVar[dict[str, dict[str, Scope]]] = RULES


records = LedgerRecordPolicy()
invitations = LedgerInvitationPolicy()
points = LedgerPointPolicy()
mandates = LedgerMandatePolicy()
