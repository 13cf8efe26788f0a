"""The foundation's own workbench panels. Each build function returns the panel template's
context, or None to leave the panel out; all reads go through the selectors, and each panel
costs a fixed handful of queries whatever the size of the jurisdiction."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from renda.core import crypto, policies, selectors, workbench
from renda.core.models import UNIT_ROLES, OrganizationKind, RegionLevel, Role
from renda.core.policies import Action
from renda.web import menu

RECENT_AUDIT = 8


def jurisdiction_overview(user: Any) -> dict[str, Any] | None:
    """Counts for the offices and leaders: what their jurisdiction holds, at a glance."""
    by_kind = dict(
        selectors.organizations(user)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    levels = dict(
        selectors.regions(user)
        .filter(level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP])
        .order_by()
        .values_list("level")
        .annotate(n=Count("code"))
        .values_list("level", "n")
    )
    people = selectors.people(user).order_by().count()
    labels = dict(OrganizationKind.choices)
    chart = [
        {"name": str(labels[kind]), "value": by_kind[kind]}
        for kind in OrganizationKind.values
        if by_kind.get(kind)
    ]
    return {
        "organizations": sum(by_kind.values()),
        "stations": by_kind.get(OrganizationKind.LIAISON_STATION, 0),
        "people": people,
        "counties": levels.get(RegionLevel.COUNTY, 0),
        "townships": levels.get(RegionLevel.TOWNSHIP, 0),
        "chart": chart,
    }


def recent_audit(user: Any) -> dict[str, Any] | None:
    if not policies.audit.allows_anywhere(user, Action.VIEW):
        return None
    return {"events": list(selectors.audit_events(user)[:RECENT_AUDIT])}


def _regions_named(user: Any, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(selectors.regions(user).filter(code__in=codes).values_list("code", "name"))


def my_profile(user: Any) -> dict[str, Any] | None:
    """A deputy's or citizen's own record, with the congresses a deputy sits in."""
    person = user.person if user.person_id else None
    deputy_codes = {g.region_code for g in policies.grants_of(user) if g.role == Role.DEPUTY}
    names = _regions_named(user, deputy_codes)
    congresses = [names[code] for code in sorted(deputy_codes) if code in names]
    phone = ""
    if person is not None:
        phone = (
            person.phone
            if selectors.can_view_sensitive(user, person)
            else crypto.mask_phone(person.phone)
        )
    return {
        "person": person,
        "phone": phone,
        "congresses": congresses,
        "is_deputy": bool(deputy_codes),
        "is_citizen": Role.CITIZEN in policies.roles_of(user),
    }


def my_organizations(user: Any) -> dict[str, Any] | None:
    """The station or handling unit a station administrator or unit staff member works for."""
    ids = policies.organization_ids(user, Role.STATION, *UNIT_ROLES)
    organizations = list(selectors.organizations(user).filter(id__in=ids)) if ids else []
    return {"organizations": organizations}


def _title(text: Any) -> str:
    # Titles stay lazy so each request shows them in its own language.
    return cast(str, text)


def register() -> None:
    workbench.register(
        workbench.Panel(
            key="core.overview",
            title=_title(_("辖区概况")),
            roles=frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER}),
            build=jurisdiction_overview,
            template="web/panels/overview.html",
            order=10,
            extra={"wide": True},
        )
    )
    workbench.register(
        workbench.Panel(
            key="core.audit",
            title=_title(_("最近操作记录")),
            roles=frozenset({Role.ADMIN}),
            build=recent_audit,
            template="web/panels/audit.html",
            order=90,
        )
    )
    workbench.register(
        workbench.Panel(
            key="core.profile",
            title=_title(_("我的信息")),
            roles=frozenset({Role.DEPUTY, Role.CITIZEN}),
            build=my_profile,
            template="web/panels/profile.html",
            order=20,
        )
    )
    workbench.register(
        workbench.Panel(
            key="core.organization",
            title=_title(_("我的单位")),
            roles=frozenset({Role.STATION, *UNIT_ROLES}),
            build=my_organizations,
            template="web/panels/organization.html",
            order=20,
        )
    )
    for entry in (
        menu.Entry("home", _("首页"), "web:home", 10, menu.everyone, [("web", "home")]),
        menu.Entry("workbench", _("工作台"), "web:workbench", 40, lights=[("web", "workbench")]),
        menu.Entry(
            "organizations",
            _("机构名录"),
            "web:organizations",
            50,
            policies.organizations.lists_region,
            [("web", "organization")],
        ),
        menu.Entry(
            "people",
            _("人员信息"),
            "web:people",
            150,
            policies.people.lists_region,
            [("web", "people")],
        ),
        menu.Entry(
            "person",
            _("我的资料"),
            "web:person",
            151,
            _sees_only_self,
            [("web", "person")],
            url_args=lambda user: [user.person_id],
        ),
        menu.Entry(
            "audit",
            _("审计日志"),
            "web:audit",
            170,
            lambda user: policies.audit.allows_anywhere(user, Action.VIEW),
            [("web", "audit")],
        ),
    ):
        menu.register(entry)


def _sees_only_self(user: Any) -> bool:
    return (
        menu.signed_in(user)
        and not policies.people.lists_region(user)
        and bool(getattr(user, "person_id", None))
    )
