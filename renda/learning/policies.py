"""Who may see and manage study materials: the congress offices (and administrators) over
the region of the publishing congress, and each deputy over the materials addressed to them.
Nobody else sees any material."""

from __future__ import annotations

from typing import ClassVar

from renda.core.models import Role
from renda.core.policies import Action, Policy, Scope
from renda.learning.models import Material


class MaterialPolicy(Policy[Material]):
    model = Material
    # A deputy's "own" materials are those with a receipt for their person.
    self_field = "receipts__person__user__id"
    rules: ClassVar[dict[str, dict[str, Scope]]] = {
        Action.VIEW: {
            Role.ADMIN: Scope.REGION,
            Role.OFFICE: Scope.REGION,
            Role.DEPUTY: Scope.SELF,
        },
        Action.CREATE: {Role.ADMIN: Scope.REGION, Role.OFFICE: Scope.REGION},
        # Reading the receipts and reminding the non-readers.
        Action.CHANGE: {Role.ADMIN: Scope.REGION, Role.OFFICE: Scope.REGION},
        Action.EXPORT: {Role.ADMIN: Scope.REGION, Role.OFFICE: Scope.REGION},
    }


materials = MaterialPolicy()
