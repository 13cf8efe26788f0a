"""Who may see and revoke API tokens: only their owner (and superusers, as everywhere)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Q

from renda.api.models import ApiToken
from renda.core.policies import Action, Policy, Scope


class ApiTokenPolicy(Policy[ApiToken]):
    model = ApiToken
    region_field = None
    self_field = "user_id"
    rules: ClassVar[dict[str, dict[str, Scope]]] = {}

    def q(self, user: Any, action: str) -> Q | None:
        # A token belongs to its account, not to a role: any signed-in person (even one
        # without a role grant yet) manages their own tokens and nobody else's.
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if user.is_superuser:
            return Q()
        if action in (Action.VIEW, Action.DELETE):
            return Q(user_id=user.pk)
        return None


tokens = ApiTokenPolicy()
