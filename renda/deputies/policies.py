"""Who may see and manage deputies' mandates: offices over their congress's jurisdiction,
station administrators over their township, each deputy over their own mandates."""

from __future__ import annotations

from typing import ClassVar

from renda.core.models import Role
from renda.core.policies import Action, Policy, Scope
from renda.deputies.models import DeputyImport, Mandate


class MandatePolicy(Policy[Mandate]):
    model = Mandate
    self_field = "person__user__id"
    rules: ClassVar[dict[str, dict[str, Scope]]] = {
        Action.VIEW: {
            Role.ADMIN: Scope.REGION,
            Role.OFFICE: Scope.REGION,
            Role.LEADER: Scope.REGION,
            Role.STATION: Scope.REGION,
            Role.DEPUTY: Scope.SELF,
        },
        Action.CREATE: {Role.ADMIN: Scope.REGION, Role.OFFICE: Scope.REGION},
        Action.CHANGE: {Role.ADMIN: Scope.REGION, Role.OFFICE: Scope.REGION},
        Action.EXPORT: {Role.ADMIN: Scope.REGION, Role.OFFICE: Scope.REGION},
    }


class DeputyImportPolicy(Policy[DeputyImport]):
    """An uploaded spreadsheet holds ID numbers: only its uploader works with it; the
    administrators of the region it was uploaded under can look at the record."""

    model = DeputyImport
    self_field = "created_by__id"
    rules: ClassVar[dict[str, dict[str, Scope]]] = {
        Action.VIEW: {Role.ADMIN: Scope.REGION, Role.OFFICE: Scope.SELF},
        Action.CHANGE: {Role.ADMIN: Scope.SELF, Role.OFFICE: Scope.SELF},
    }


mandates = MandatePolicy()
imports = DeputyImportPolicy()
