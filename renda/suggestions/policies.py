"""Who may see and act on suggestions and motions.

A deputy sees the suggestions they lead or co-sign and changes their own drafts; a station
administrator enters suggestions for the deputies it serves (代录) and sees those it entered;
the congress office reviews, merges and assigns over its jurisdiction; leaders and the
government's supervision office (督查室) read, and the supervision office exports. They all see a
suggestion once it is submitted, never the deputy's drafts. Unit staff and unit leaders get no
access here: they see an assigned suggestion only through its case (renda.cases).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Q

from renda.core.models import Role
from renda.core.policies import Action, Grant, Policy, Scope, grants_of
from renda.suggestions.models import CoSigner, Suggestion, SuggestionStatus

# The office's own steps: review, merge, presidium decision, assignment.
REVIEW = "review"
# A deputy joins (附议) another deputy's lodged suggestion of their own congress; which ones
# is the join step's guard (selectors.joinable): the deputy need not see it before joining.
JOIN = "join"
OFFICE: dict[str, Scope] = {Role.ADMIN: Scope.REGION, Role.OFFICE: Scope.REGION}


class SuggestionPolicy(Policy[Suggestion]):
    model = Suggestion
    organization_field = "station_id"
    self_field = "mandate__person__user__id"
    rules: ClassVar[dict[str, dict[str, Scope]]] = {
        Action.VIEW: {
            **OFFICE,
            Role.LEADER: Scope.REGION,
            Role.SUPERVISION: Scope.REGION,
            Role.DEPUTY: Scope.SELF,
            Role.STATION: Scope.ORGANIZATION,
        },
        # Writing: the deputy for themself, the station for its deputies (代录).
        Action.CREATE: {Role.DEPUTY: Scope.SELF, Role.STATION: Scope.ORGANIZATION},
        Action.CHANGE: {Role.DEPUTY: Scope.SELF, Role.STATION: Scope.ORGANIZATION},
        REVIEW: dict(OFFICE),
        JOIN: {Role.DEPUTY: Scope.ALL},
        Action.EXPORT: {**OFFICE, Role.SUPERVISION: Scope.REGION},
    }

    def _scope_q(self, scope: Scope | None, grant: Grant, user: Any) -> Q | None:
        part = super()._scope_q(scope, grant, user)
        # A draft is the deputy's own work until submitted: offices and leaders see it then.
        if scope is Scope.REGION and part is not None:
            return part & ~Q(status=SuggestionStatus.DRAFT)
        return part

    def q(self, user: Any, action: str) -> Q | None:
        # Co-signers see what they were invited to; only the lead author changes it.
        condition = super().q(user, action)
        if action != Action.VIEW or user is None or not user.is_authenticated:
            return condition
        if not any(g.role == Role.DEPUTY for g in grants_of(user)):
            return condition
        cosigned = Q(
            pk__in=CoSigner.objects.filter(mandate__person__user__id=user.pk).values(
                "suggestion_id"
            )
        )
        return cosigned if condition is None else condition | cosigned


suggestions = SuggestionPolicy()
