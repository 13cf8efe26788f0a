"""Reads of the shared domain, always through the jurisdiction policies."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet

from renda.core import crypto, policies
from renda.core.models import AuditEvent, Organization, Person, Region
from renda.core.policies import Action


def regions(user: Any, *, parent: str | None = None) -> QuerySet[Region]:
    qs = policies.regions.filter(user, Region.objects.all())
    if parent:
        qs = qs.filter(parent_id=parent)
    return qs.order_by("code")


def organizations(
    user: Any, *, kind: str | None = None, region: str | None = None, q: str = ""
) -> QuerySet[Organization]:
    qs = policies.organizations.filter(user, Organization.objects.select_related("region"))
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        scope = Region.objects.filter(code=region).first()
        qs = qs.filter(scope.subtree_q("region_id")) if scope else qs.none()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
    return qs.order_by("region_id", "kind", "name")


def people(user: Any, *, q: str = "", region: str | None = None) -> QuerySet[Person]:
    qs = policies.people.filter(user, Person.objects.select_related("region"))
    if region:
        scope = Region.objects.filter(code=region).first()
        qs = qs.filter(scope.subtree_q("region_id")) if scope else qs.none()
    if q:
        q = q.strip()
        # A full phone or ID number matches through its blind index; names by text or initials.
        bidx = crypto.blind_index(q)
        qs = qs.filter(
            Q(name__contains=q)
            | Q(name_initials__startswith=q.lower())
            | Q(phone_bidx=bidx)
            | Q(id_number_bidx=bidx)
        )
    return qs.order_by("region_id", "name")


def person_by_phone(phone: str) -> Person | None:
    return Person.objects.filter(phone_bidx=crypto.blind_index(phone)).first()


def audit_events(
    user: Any,
    *,
    action: str | None = None,
    actor: str = "",
    object_type: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    qs = policies.audit.filter(user, AuditEvent.objects.all())
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor_name__icontains=actor)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs.order_by("-at", "-id")


def can_view_sensitive(user: Any, person: Person) -> bool:
    return policies.people.can(user, person, Action.VIEW_SENSITIVE)
