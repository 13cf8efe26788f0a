"""The role-aware main navigation. Items are chosen by what the policies let the user see, so a
menu entry never leads to an empty or forbidden page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from renda.cases.policies import cases as case_policy
from renda.core import policies
from renda.core.models import UNIT_ROLES, Role
from renda.core.policies import Action, Scope
from renda.deputies.policies import mandates as mandate_policy
from renda.duties.policies import activities as activity_policy
from renda.duties.policies import records as record_policy
from renda.learning.policies import materials as material_policy
from renda.ledgers import selectors as ledger_selectors
from renda.points import policies as points_policies
from renda.suggestions import dashboard as suggestion_dashboard
from renda.suggestions.policies import suggestions as suggestion_policy


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str
    active: bool = False


def lists_region(policy: policies.Policy[Any], user: Any) -> bool:
    """Whether some grant lets the user list records across a region, not just their own."""
    if user.is_superuser:
        return True
    rules = policy.rules.get(Action.VIEW, {})
    return any(
        rules.get(g.role) in (Scope.REGION, Scope.ORGANIZATION, Scope.ALL)
        for g in policies.grants_of(user)
    )


def items_for(user: Any, current: str = "") -> list[NavItem]:
    """Navigation for ``user``; ``current`` is the resolved URL name of the page shown."""
    items: list[tuple[str, str, str]] = [
        ("home", _("首页"), reverse("web:home")),
        ("portal", _("人大代表"), reverse("portal:deputies")),
        ("replies", _("建议答复公开"), reverse("portal:suggestions")),
    ]
    if user is not None and user.is_authenticated:
        items.append(("workbench", _("工作台"), reverse("web:workbench")))
        if lists_region(policies.organizations, user):
            items.append(("organizations", _("机构名录"), reverse("web:organizations")))
        if lists_region(mandate_policy, user):
            items.append(("deputies", _("代表名册"), reverse("deputies:list")))
        if record_policy.allows_anywhere(user, Action.VIEW):
            items.append(("duties", _("履职记录"), reverse("duties:records")))
        if activity_policy.allows_anywhere(user, Action.VIEW):
            items.append(("activities", _("履职活动"), reverse("duties:activities")))
        if suggestion_policy.allows_anywhere(user, Action.VIEW):
            items.append(("suggestions", _("议案建议"), reverse("suggestions:list")))
        if suggestion_dashboard.can_view(user):
            items.append(("suggestion_stats", _("办理统计"), reverse("suggestions:dashboard")))
        if policies.has_role(user, *UNIT_ROLES):
            items.append(("cases", _("我的待办"), reverse("cases:list")))
        elif lists_region(case_policy, user):
            items.append(("cases", _("交办事项"), reverse("cases:list")))
        if ledger_selectors.can_view(user):
            items.append(("ledgers", _("统计台账"), reverse("ledgers:ledger")))
        if points_policies.rule_sets.allows_anywhere(user, Action.VIEW):
            items.append(("points", _("积分与评价"), reverse("points:rules")))
        elif policies.has_role(user, Role.DEPUTY):
            items.append(("points", _("我的积分"), reverse("points:mine")))
        if material_policy.allows_anywhere(user, Action.CHANGE):
            items.append(("learning", _("学习资料"), reverse("learning:manage")))
        elif material_policy.allows_anywhere(user, Action.VIEW):
            items.append(("learning", _("学习资料"), reverse("learning:list")))
        if lists_region(policies.people, user):
            items.append(("people", _("人员信息"), reverse("web:people")))
        elif getattr(user, "person_id", None):
            items.append(("person", _("我的资料"), reverse("web:person", args=[user.person_id])))
        if policies.accounts.allows_anywhere(user, Action.CHANGE):
            items.append(("accounts", _("账号与角色"), reverse("console:accounts")))
        if policies.audit.allows_anywhere(user, Action.VIEW):
            items.append(("audit", _("审计日志"), reverse("web:audit")))
        items.append(("security", _("安全设置"), reverse("accounts:security")))
    return [NavItem(key, label, url, active=key == current) for key, label, url in items]
