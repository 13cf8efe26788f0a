"""Who may see and act on cases.

Offices (and administrators) work over the case region's subtree; congress leaders and the
government's supervision office (督查室) read it, may supervise, and the supervision office
exports it. A handling unit's staff and its leader see only the cases their unit is an active
lead or co-unit on, handle those where it is the lead and give opinions where it is a
co-unit; the author (deputy or citizen) sees and rates their own. Liaison stations see nothing
here.
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar

from django.db.models import Q

from renda.cases.models import Case, CaseUnit, UnitRole
from renda.core.models import UNIT_ROLES, Role
from renda.core.policies import Grant, Policy, Scope, any_of, grants_of


class CaseAction(enum.StrEnum):
    VIEW = "view"
    # Office management: deciding reassignment requests, publishing replies.
    CHANGE = "change"
    EXPORT = "export"
    ASSIGN = "assign"
    # The lead unit: sign for, ask for reassignment, reply, report a promise done.
    HANDLE = "handle"
    # Any active unit on the case: record a contact with the author.
    CONTACT = "contact"
    # An active co-unit: send its opinion to the lead unit.
    CO_OPINION = "co_opinion"
    # The lead unit's leader: sign off (签发) the reply its staff drafted, or return it.
    APPROVE = "approve"
    # The author: rate the reply.
    RATE = "rate"
    SUPERVISE = "supervise"


OFFICE: dict[str, Scope] = {Role.ADMIN: Scope.REGION, Role.OFFICE: Scope.REGION}
UNIT: dict[str, Scope] = dict.fromkeys(UNIT_ROLES, Scope.ORGANIZATION)
OVERSIGHT: dict[str, Scope] = {Role.LEADER: Scope.REGION, Role.SUPERVISION: Scope.REGION}
AUTHOR: dict[str, Scope] = {Role.DEPUTY: Scope.SELF, Role.CITIZEN: Scope.SELF}

# Which of the unit's active roles on a case an organization-scoped grant reaches, by action.
CASE_ROLES_BY_ACTION: dict[str, tuple[str, ...]] = {
    CaseAction.VIEW: (UnitRole.LEAD, UnitRole.CO),
    CaseAction.CONTACT: (UnitRole.LEAD, UnitRole.CO),
    CaseAction.HANDLE: (UnitRole.LEAD,),
    CaseAction.APPROVE: (UnitRole.LEAD,),
    CaseAction.CO_OPINION: (UnitRole.CO,),
}
# Actions the author may take on their own case whatever role their account holds.
AUTHOR_ACTIONS = frozenset({CaseAction.VIEW, CaseAction.RATE})


class CasePolicy(Policy[Case]):
    model = Case
    self_field = "author_id"
    rules: ClassVar[dict[str, dict[str, Scope]]] = {
        CaseAction.VIEW: {**OFFICE, **OVERSIGHT, **UNIT, **AUTHOR},
        CaseAction.CHANGE: dict(OFFICE),
        CaseAction.EXPORT: {**OFFICE, Role.SUPERVISION: Scope.REGION},
        CaseAction.ASSIGN: dict(OFFICE),
        CaseAction.HANDLE: dict(UNIT),
        CaseAction.CONTACT: dict(UNIT),
        CaseAction.CO_OPINION: dict(UNIT),
        CaseAction.APPROVE: {Role.UNIT_LEADER: Scope.ORGANIZATION},
        CaseAction.RATE: dict(AUTHOR),
        CaseAction.SUPERVISE: {**OFFICE, **OVERSIGHT},
    }

    def q(self, user: Any, action: str) -> Q | None:
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if user.is_superuser:
            return Q()
        allowed = self.rules.get(action, {})
        parts: list[Q] = []
        for grant in grants_of(user):
            part = self._case_scope_q(allowed.get(grant.role), grant, user, action)
            if part is not None:
                parts.append(part)
        if action in AUTHOR_ACTIONS:
            # An author may hold no deputy or citizen grant (e.g. a staff member who is also a
            # deputy in another congress): their own case is still theirs to follow and rate.
            parts.append(Q(author_id=user.pk))
        return any_of(parts)

    def _case_scope_q(self, scope: Scope | None, grant: Grant, user: Any, action: str) -> Q | None:
        if scope is Scope.ORGANIZATION:
            roles = CASE_ROLES_BY_ACTION.get(action, ())
            if not grant.organization_id or not roles:
                return None
            # A semi-join: a case with a lead and a co-unit of the same grant is one row.
            units = CaseUnit.objects.filter(
                unit_id=grant.organization_id, active=True, role__in=roles
            )
            return Q(pk__in=units.values("case_id"))
        return self._scope_q(scope, grant, user)


cases = CasePolicy()
