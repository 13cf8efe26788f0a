"""Reads of the deputies' registry, always through the mandate policy."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from renda.api.kit import MAX_ID
from renda.core import crypto, policies
from renda.core.models import (
    Congress,
    Gender,
    Organization,
    OrganizationKind,
    Person,
    Region,
    Term,
    User,
)
from renda.core.policies import Action
from renda.core.text import chinese_ordinal
from renda.deputies import spreadsheet
from renda.deputies.models import (
    DeputyCategory,
    DeputyImport,
    Mandate,
    MandateEvent,
    MandateStatus,
)
from renda.deputies.policies import imports as import_policy
from renda.deputies.policies import mandates as mandate_policy

ALL_STATUSES = "all"
EXPORT_CHUNK = 2000


@dataclass(frozen=True)
class MandateFilters:
    q: str = ""
    level: str | None = None
    region: str | None = None
    term: int | None = None
    group: int | None = None
    group_name: str = ""
    station: int | None = None
    category: str | None = None
    # Serving mandates unless asked otherwise; "all" for every status.
    status: str | None = MandateStatus.SERVING


def mandates(user: Any, filters: MandateFilters = MandateFilters()) -> QuerySet[Mandate]:
    """The mandates the user may see, filtered; ordered by congress region and name."""
    qs = mandate_policy.filter(user, Mandate.objects.all())
    if filters.level:
        # A semi-join on the few hundred regions, cheaper than joining every mandate row.
        qs = qs.filter(region_id__in=Region.objects.filter(level=filters.level).values("code"))
    if filters.region:
        scope = Region.objects.filter(code=filters.region).first()
        qs = qs.filter(scope.subtree_q("region_id")) if scope else qs.none()
    if filters.term:
        qs = qs.filter(term_id=filters.term)
    if filters.group:
        qs = qs.filter(group_id=filters.group)
    if filters.group_name.strip():
        qs = qs.filter(group__name__contains=filters.group_name.strip())
    if filters.station:
        qs = qs.filter(stations=filters.station)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.status and filters.status != ALL_STATUSES:
        qs = qs.filter(status=filters.status)
    q = filters.q.strip()
    if q:
        # A name, its pinyin initials, or a full phone or ID number (by blind index).
        condition = Q(person__name__contains=q) | Q(person__name_initials__startswith=q.lower())
        if any(ch.isdigit() for ch in q):
            bidx = crypto.blind_index(q)
            condition |= Q(person__phone_bidx=bidx) | Q(person__id_number_bidx=bidx)
        qs = qs.filter(condition)
    # By congress, then by name in pinyin order (the initials), as name lists are read.
    return qs.order_by("region_id", "person__name_initials", "person__name", "id")


LIST_RELATED = ("person", "region", "term__congress", "group")
ALL_RELATED = (*LIST_RELATED, "delegation", "constituency")


def with_related(
    qs: QuerySet[Mandate], related: tuple[str, ...] = ALL_RELATED
) -> QuerySet[Mandate]:
    """Everything a row shows, in one query plus one for the stations. The list leaves out
    what it does not show: each join costs the planner time on every page."""
    return qs.select_related(*related).prefetch_related(
        Prefetch("stations", queryset=Organization.objects.only("id", "name").order_by("name"))
    )


def mandate(user: Any, pk: int) -> Mandate:
    """One mandate the user may see (NotFound otherwise), with what its page shows."""
    found = with_related(mandate_policy.filter(user, Mandate.objects.filter(pk=pk))).first()
    if found is None:
        mandate_policy.get(user, pk=pk)  # raises NotFound
    assert found is not None
    return found


def other_mandates(user: Any, record: Mandate) -> list[Mandate]:
    """The same person's other mandates (other levels, past terms) that the user may see."""
    qs = mandate_policy.filter(user, Mandate.objects.filter(person_id=record.person_id))
    return list(
        qs.exclude(pk=record.pk)
        .select_related("region", "term__congress", "group")
        .order_by("-term__start_date", "region_id")
    )


def events(record: Mandate) -> list[MandateEvent]:
    return list(
        MandateEvent.objects.filter(mandate=record)
        .select_related("actor__person")
        .order_by("at", "id")
    )


def term_choices(user: Any) -> list[tuple[str, str]]:
    """(id, "衡阳县人民代表大会第十九届") for the terms in which the user can see a mandate."""
    seen = mandate_policy.filter(user, Mandate.objects.all()).values("term_id")
    rows = (
        Term.objects.filter(pk__in=seen)
        .order_by("congress__region_id", "-number")
        .values_list("pk", "number", "congress__name")
    )
    chinese = (translation.get_language() or "zh-hans").startswith("zh")
    label = _("第%(n)s届")
    return [
        (str(pk), name + label % {"n": chinese_ordinal(number) if chinese else number})
        for pk, number, name in rows
    ]


def station_choices(user: Any) -> list[tuple[str, str]]:
    """The liaison stations the user may see."""
    rows = policies.organizations.filter(
        user, Organization.objects.filter(kind=OrganizationKind.LIAISON_STATION)
    ).order_by("region_id", "name")
    return [(str(pk), name) for pk, name in rows.values_list("pk", "name")]


def can_list(user: Any) -> bool:
    return mandate_policy.allows_anywhere(user, Action.VIEW)


# Entering for a deputy (代录) ------------------------------------------------------------------


def _served_by(organization_id: int) -> Q:
    """The mandates linked to a liaison station: those its administrators enter for."""
    through = Mandate.stations.through.objects.filter(organization_id=organization_id)
    return Q(pk__in=through.values("mandate_id"))


def mandates_for_entry(
    user: Any, *, policy: policies.Policy[Any], action: str = Action.CREATE
) -> QuerySet[Mandate]:
    """The serving mandates ``user`` may write for under the calling domain's ``policy``
    and ``action`` (a duty record, a suggestion ...): their own (self-scoped grants), the
    deputies linked to their station (organization-scoped, 代录), every deputy of the
    congresses in their region (region-scoped, an office)."""
    return policy.filter_for(
        user,
        Mandate.objects.filter(status=MandateStatus.SERVING),
        action,
        region="region_id",
        organization=_served_by,
        own="person__user__id",
    )


def entry_mandate(
    user: Any, *, policy: policies.Policy[Any], pk: int, action: str = Action.CREATE
) -> Mandate | None:
    """One serving mandate the user may write for, or None."""
    if not 0 < pk <= MAX_ID:
        return None
    qs = mandates_for_entry(user, policy=policy, action=action)
    return qs.select_related("person", "term__congress__region").filter(pk=pk).first()


def entry_mandates(
    user: Any,
    *,
    policy: policies.Policy[Any],
    action: str = Action.CREATE,
    q: str = "",
    chosen: Any = "",
    limit: int = 50,
) -> list[Mandate]:
    """The deputies the on-behalf picker lists: the first ``limit`` the user may enter for
    whose name (or pinyin initials) matches ``q``, and the ``chosen`` one (a submitted
    form's value), which may lie beyond them."""
    qs = mandates_for_entry(user, policy=policy, action=action).select_related(
        "person", "term__congress__region"
    )
    order = ("person__name_initials", "person__name", "id")
    text = q.strip()
    matching = qs
    if text:
        matching = qs.filter(
            Q(person__name__contains=text) | Q(person__name_initials__startswith=text.lower())
        )
    found = list(matching.order_by(*order)[:limit])
    pick = str(chosen or "")
    if pick.isdigit() and int(pick) <= MAX_ID and pick not in {str(m.pk) for m in found}:
        found += list(qs.filter(pk=int(pick)))
    return found


# Export -------------------------------------------------------------------------------------


EXPORT_FIELDS = (
    "pk",
    "person_id",
    "person__name",
    "person__gender",
    "person__ethnicity",
    "person__birth_date",
    "person__id_number",
    "person__phone",
    "person__party",
    "person__education",
    "person__employer",
    "person__post",
    "term__congress__name",
    "term__number",
    "delegation__name",
    "group__name",
    "constituency__name",
    "category",
    "full_time",
    "elected_on",
)


def export_rows(user: User, qs: QuerySet[Mandate]) -> Iterator[list[Any]]:
    """The mandates as rows of the import layout. Phone and ID numbers in full only for the
    people whose sensitive data the user may see; masked for the rest.

    Plain value rows and label lookups made once: a city's 13,000 rows as model instances
    with per-row display lookups took seconds."""
    sensitive = set(
        policies.people.filter(
            user, Person.objects.filter(pk__in=qs.values("person_id")), Action.VIEW_SENSITIVE
        ).values_list("pk", flat=True)
    )
    genders = {value: spreadsheet.chinese(label) for value, label in Gender.choices}
    categories = {value: spreadsheet.chinese(label) for value, label in DeputyCategory.choices}
    through = Mandate.stations.through
    chunk: list[tuple[Any, ...]] = []

    def flush() -> Iterator[list[Any]]:
        stations: dict[int, list[str]] = {}
        names = (
            through.objects.filter(mandate_id__in=[row[0] for row in chunk])
            .order_by("organization__name")
            .values_list("mandate_id", "organization__name")
        )
        for mandate_id, name in names:
            stations.setdefault(mandate_id, []).append(name)
        for row in chunk:
            (
                pk,
                person_id,
                name,
                gender,
                ethnicity,
                birth_date,
                id_number,
                phone,
                party,
                education,
                employer,
                post,
                congress,
                term,
                delegation,
                group,
                constituency,
                category,
                full_time,
                elected_on,
            ) = row
            full = person_id in sensitive
            values = {
                "name": name,
                "gender": genders.get(gender, ""),
                "ethnicity": ethnicity,
                "birth_date": birth_date,
                "id_number": id_number if full else crypto.mask_id_number(id_number),
                "phone": phone if full else crypto.mask_phone(phone),
                "party": party,
                "education": education,
                "employer": employer,
                "post": post,
                "congress": congress,
                "term": f"第{chinese_ordinal(term)}届",
                "delegation": delegation or "",
                "group": group or "",
                "constituency": constituency or "",
                "stations": "、".join(stations.get(pk, [])),
                "category": categories.get(category, category),
                "full_time": "是" if full_time else "否",
                "elected_on": elected_on,
            }
            yield [values[c.key] for c in spreadsheet.COLUMNS]
        chunk.clear()

    for row in qs.values_list(*EXPORT_FIELDS).iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(row)
        if len(chunk) >= EXPORT_CHUNK:
            yield from flush()
    if chunk:
        yield from flush()


# Imports ------------------------------------------------------------------------------------


def recent_imports(user: Any, limit: int = 10) -> list[DeputyImport]:
    return list(
        import_policy.filter(user, DeputyImport.objects.filter(created_by_id=user.pk))[:limit]
    )


def deputy_import(user: Any, pk: int, action: str = Action.VIEW) -> DeputyImport:
    return import_policy.get(user, action, pk=pk)


def template_example(user: Any) -> spreadsheet.Example:
    """An example row naming a congress the user may import into, its latest term and its
    own liaison station."""
    for grant in policies.grants_of(user):
        if mandate_policy.rules[Action.CREATE].get(grant.role) is None:
            continue
        congress = Congress.objects.filter(region_id=grant.region_code).first()
        term = congress.terms.order_by("-number").first() if congress else None
        if congress is None or term is None:
            continue
        station = (
            Organization.objects.filter(
                kind=OrganizationKind.LIAISON_STATION, region_id=congress.region_id, is_active=True
            )
            .order_by("id")
            .first()
        )
        with translation.override(spreadsheet.FILE_LANGUAGE):
            label = term.label
        return spreadsheet.Example(
            congress=congress.name,
            term=label,
            station=station.name if station else "",
            elected_on=term.start_date,
        )
    return spreadsheet.Example(congress="衡阳县人民代表大会", term="第十九届")
