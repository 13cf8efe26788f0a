"""Authorization by role and jurisdiction.

Each domain declares one ``Policy``: for every action, which roles may perform it and over what
scope. The same declaration both filters querysets (lists, exports, API) and checks a single
object, so a page and the API can never disagree about who sees what. A grant on a region covers
that region's whole subtree, which is one range condition on the statutory region code.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from django.db import models
from django.db.models import Q

from renda.core.errors import NotFound, NotPermitted
from renda.core.models import (
    AuditEvent,
    Organization,
    Person,
    Region,
    Role,
    RoleGrant,
    User,
    code_bounds,
    in_subtree_q,
)

M = TypeVar("M", bound=models.Model)


class Scope(enum.Enum):
    REGION = "region"  # the grant's region and everything below it
    ORGANIZATION = "organization"  # only the grant's own organization
    SELF = "self"  # only the user's own records
    ALL = "all"  # public reference data


class Action(enum.StrEnum):
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    DELETE = "delete"
    VIEW_SENSITIVE = "view_sensitive"
    EXPORT = "export"


@dataclass(frozen=True)
class Grant:
    role: str
    region_code: str
    region_level: str
    organization_id: int | None

    def covers(self, code: str) -> bool:
        low, high = code_bounds(self.region_code, self.region_level)
        return low <= code <= high


def grants_of(user: Any) -> tuple[Grant, ...]:
    """The user's grants, loaded once per request and kept on the user object."""
    if user is None or not user.is_authenticated:
        return ()
    cached: tuple[Grant, ...] | None = getattr(user, "_renda_grants", None)
    if cached is None:
        cached = tuple(
            Grant(g.role, g.region_id, g.region.level, g.organization_id)
            for g in RoleGrant.objects.filter(user_id=user.pk).select_related("region")
        )
        user._renda_grants = cached
    return cached


def organization_ids(user: Any, *roles: str) -> set[int]:
    """The organizations the user acts for under one of ``roles`` (a station, a unit)."""
    return {g.organization_id for g in grants_of(user) if g.role in roles and g.organization_id}


def roles_of(user: Any) -> set[str]:
    return {g.role for g in grants_of(user)}


def has_role(user: Any, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def any_of(parts: list[Q]) -> Q | None:
    """The disjunction of ``parts``; None when there are none (nothing is allowed)."""
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def region_grants_q(user: Any, rules: dict[str, Scope], field: str) -> Q | None:
    """Rows whose region code ``field`` lies in a region the user holds a region-scoped role
    of ``rules`` over (the whole subtree); None when no grant qualifies."""
    if user.is_superuser:
        return Q()
    return any_of(
        [
            in_subtree_q(field, g.region_code, g.region_level)
            for g in grants_of(user)
            if rules.get(g.role) is Scope.REGION
        ]
    )


def home_region(user: Any, roles: Iterable[str] | None = None) -> str | None:
    """The widest region among the user's grants (of ``roles`` when given): where an export
    or an import made under those grants belongs in the audit log, where a ledger starts."""
    wanted = None if roles is None else set(roles)
    codes = [g.region_code for g in grants_of(user) if wanted is None or g.role in wanted]
    if not codes:
        return None
    return min(codes, key=lambda c: (len(c.rstrip("0")), c))


class Policy(Generic[M]):
    """Subclasses set ``model``, the paths to the object's region code, organization and
    owning user, and ``rules``: action -> {role: scope}."""

    model: type[M]
    region_field: str | None = "region_id"
    organization_field: str | None = None
    self_field: str | None = None
    rules: ClassVar[dict[str, dict[str, Scope]]] = {}

    def q(self, user: Any, action: str) -> Q | None:
        """The condition selecting what ``user`` may ``action``; None when nothing."""
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if user.is_superuser:
            return Q()
        allowed = self.rules.get(action, {})
        parts: list[Q] = []
        for grant in grants_of(user):
            scope = allowed.get(grant.role)
            part = self._scope_q(scope, grant, user)
            if part is not None:
                parts.append(part)
        return any_of(parts)

    def _scope_q(self, scope: Scope | None, grant: Grant, user: Any) -> Q | None:
        if scope is None:
            return None
        if scope is Scope.ALL:
            return Q()
        if scope is Scope.REGION and self.region_field:
            return in_subtree_q(self.region_field, grant.region_code, grant.region_level)
        if scope is Scope.ORGANIZATION and self.organization_field and grant.organization_id:
            return Q(**{self.organization_field: grant.organization_id})
        if scope is Scope.SELF and self.self_field:
            return Q(**{self.self_field: user.pk})
        return None

    def filter(
        self, user: Any, queryset: models.QuerySet[M], action: str = Action.VIEW
    ) -> models.QuerySet[M]:
        condition = self.q(user, action)
        if condition is None:
            return queryset.none()
        return queryset.filter(condition)

    def can(self, user: Any, obj: M, action: str = Action.VIEW) -> bool:
        manager = self.model._default_manager
        return self.filter(user, manager.filter(pk=obj.pk), action).exists()

    def check(self, user: Any, obj: M, action: str = Action.VIEW) -> None:
        """Raise unless allowed. Objects the user may not even see are reported as missing,
        so probing ids reveals nothing about other jurisdictions."""
        if self.can(user, obj, action):
            return
        if action != Action.VIEW and self.can(user, obj, Action.VIEW):
            raise NotPermitted()
        raise NotFound()

    def get(self, user: Any, action: str = Action.VIEW, **lookup: Any) -> M:
        """Fetch one object the user may act on, or raise NotFound."""
        obj = self.filter(user, self.model._default_manager.all(), action).filter(**lookup).first()
        if obj is None:
            if (
                action != Action.VIEW
                and self.filter(
                    user, self.model._default_manager.filter(**lookup), Action.VIEW
                ).exists()
            ):
                raise NotPermitted()
            raise NotFound()
        return obj

    def allows_anywhere(self, user: Any, action: str) -> bool:
        """Whether the user may perform ``action`` on anything at all (menus, buttons)."""
        return self.q(user, action) is not None

    def lists_region(self, user: Any, action: str = Action.VIEW) -> bool:
        """Whether some grant lets the user ``action`` records across a region or an
        organization, not just their own (list pages, menu entries)."""
        if user is None or not user.is_authenticated:
            return False
        if user.is_superuser:
            return True
        rules = self.rules.get(action, {})
        return any(
            rules.get(g.role) in (Scope.REGION, Scope.ORGANIZATION, Scope.ALL)
            for g in grants_of(user)
        )

    def q_for(
        self,
        user: Any,
        action: str,
        *,
        region: str | None = None,
        organization: str | Callable[[int], Q] | None = None,
        own: str | None = None,
    ) -> Q | None:
        """The condition selecting rows of a *related* model that this policy's rules for
        ``action`` reach: ``region`` is that model's path to a region code (region-scoped
        grants), ``organization`` its path to an organization id or a function building the
        condition for one (organization-scoped grants), ``own`` its path to the user's id
        (self-scoped grants). A path left out means that scope reaches nothing there.
        None when nothing is reached; ``Q()`` for a superuser."""
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if user.is_superuser:
            return Q()
        allowed = self.rules.get(action, {})
        parts: list[Q] = []
        for grant in grants_of(user):
            scope = allowed.get(grant.role)
            if scope is Scope.ALL:
                return Q()
            if scope is Scope.REGION and region:
                parts.append(in_subtree_q(region, grant.region_code, grant.region_level))
            elif scope is Scope.ORGANIZATION and organization and grant.organization_id:
                if callable(organization):
                    parts.append(organization(grant.organization_id))
                else:
                    parts.append(Q(**{organization: grant.organization_id}))
            elif scope is Scope.SELF and own:
                parts.append(Q(**{own: user.pk}))
        return any_of(parts)

    def filter_for(
        self, user: Any, queryset: models.QuerySet[Any], action: str, **paths: Any
    ) -> models.QuerySet[Any]:
        """``queryset`` (of a related model) narrowed by :meth:`q_for`."""
        condition = self.q_for(user, action, **paths)
        if condition is None:
            return queryset.none()
        return queryset.filter(condition)

    def home_region(self, user: Any, action: str = Action.VIEW) -> str | None:
        """The widest region the user holds a region-scoped grant for ``action`` over."""
        return home_region(user, self.rules.get(action, {}))

    def can_in_region(self, user: Any, action: str, region_code: str) -> bool:
        """For creating: does a region-scoped grant for ``action`` cover ``region_code``?"""
        if user is None or not user.is_authenticated:
            return False
        if user.is_superuser:
            return True
        allowed = self.rules.get(action, {})
        return any(
            allowed.get(g.role) in (Scope.REGION, Scope.ALL) and g.covers(region_code)
            for g in grants_of(user)
        )


class RegionPolicy(Policy[Region]):
    model = Region
    region_field = "code"
    rules: ClassVar[dict[str, dict[str, Scope]]] = {
        # Administrative divisions are public; citizens pick one when they send an opinion.
        Action.VIEW: {
            Role.ADMIN: Scope.REGION,
            Role.OFFICE: Scope.REGION,
            Role.LEADER: Scope.REGION,
            Role.DEPUTY: Scope.REGION,
            Role.STATION: Scope.REGION,
            Role.UNIT: Scope.REGION,
            Role.UNIT_LEADER: Scope.REGION,
            Role.SUPERVISION: Scope.REGION,
            Role.CITIZEN: Scope.ALL,
        },
        Action.CREATE: {Role.ADMIN: Scope.REGION},
        Action.CHANGE: {Role.ADMIN: Scope.REGION},
    }


class OrganizationPolicy(Policy[Organization]):
    model = Organization
    organization_field = "id"
    rules: ClassVar[dict[str, dict[str, Scope]]] = {
        Action.VIEW: {
            Role.ADMIN: Scope.REGION,
            Role.OFFICE: Scope.REGION,
            Role.LEADER: Scope.REGION,
            Role.DEPUTY: Scope.REGION,
            Role.STATION: Scope.ORGANIZATION,
            Role.UNIT: Scope.ORGANIZATION,
            Role.UNIT_LEADER: Scope.ORGANIZATION,
            Role.SUPERVISION: Scope.REGION,
        },
        Action.CREATE: {Role.ADMIN: Scope.REGION, Role.OFFICE: Scope.REGION},
        Action.CHANGE: {Role.ADMIN: Scope.REGION, Role.OFFICE: Scope.REGION},
        Action.DELETE: {Role.ADMIN: Scope.REGION},
        Action.EXPORT: {Role.ADMIN: Scope.REGION, Role.OFFICE: Scope.REGION},
    }


class PersonPolicy(Policy[Person]):
    model = Person
    self_field = "user__id"
    rules: ClassVar[dict[str, dict[str, Scope]]] = {
        Action.VIEW: {
            Role.ADMIN: Scope.REGION,
            Role.OFFICE: Scope.REGION,
            Role.LEADER: Scope.REGION,
            Role.STATION: Scope.REGION,
            Role.DEPUTY: Scope.SELF,
            Role.UNIT: Scope.SELF,
            Role.UNIT_LEADER: Scope.SELF,
            Role.SUPERVISION: Scope.SELF,
            Role.CITIZEN: Scope.SELF,
        },
        Action.CREATE: {Role.ADMIN: Scope.REGION, Role.OFFICE: Scope.REGION},
        Action.CHANGE: {
            Role.ADMIN: Scope.REGION,
            Role.OFFICE: Scope.REGION,
            Role.DEPUTY: Scope.SELF,
            Role.CITIZEN: Scope.SELF,
        },
        # Full phone and ID numbers: the registering office and the person themselves.
        Action.VIEW_SENSITIVE: {
            Role.ADMIN: Scope.REGION,
            Role.OFFICE: Scope.REGION,
            Role.DEPUTY: Scope.SELF,
            Role.STATION: Scope.SELF,
            Role.UNIT: Scope.SELF,
            Role.UNIT_LEADER: Scope.SELF,
            Role.SUPERVISION: Scope.SELF,
            Role.CITIZEN: Scope.SELF,
            Role.LEADER: Scope.SELF,
        },
        Action.EXPORT: {Role.ADMIN: Scope.REGION, Role.OFFICE: Scope.REGION},
    }


class AuditPolicy(Policy[AuditEvent]):
    model = AuditEvent
    region_field = "region_code"
    rules: ClassVar[dict[str, dict[str, Scope]]] = {
        Action.VIEW: {Role.ADMIN: Scope.REGION},
        Action.EXPORT: {Role.ADMIN: Scope.REGION},
    }

    def q(self, user: Any, action: str) -> Q | None:
        condition = super().q(user, action)
        if condition is None:
            return None
        # Failed logins for unknown usernames belong to no region; every administrator
        # must still see them.
        return condition | Q(region_code="")


class AccountPolicy(Policy[User]):
    """Accounts belong to the region of the person they are linked to."""

    model = User
    region_field = "person__region_id"
    self_field = "id"
    rules: ClassVar[dict[str, dict[str, Scope]]] = {
        Action.VIEW: {
            Role.ADMIN: Scope.REGION,
            Role.OFFICE: Scope.SELF,
            Role.LEADER: Scope.SELF,
            Role.DEPUTY: Scope.SELF,
            Role.STATION: Scope.SELF,
            Role.UNIT: Scope.SELF,
            Role.UNIT_LEADER: Scope.SELF,
            Role.SUPERVISION: Scope.SELF,
            Role.CITIZEN: Scope.SELF,
        },
        Action.CREATE: {Role.ADMIN: Scope.REGION},
        Action.CHANGE: {Role.ADMIN: Scope.REGION},
    }


regions = RegionPolicy()
accounts = AccountPolicy()
organizations = OrganizationPolicy()
people = PersonPolicy()
audit = AuditPolicy()
