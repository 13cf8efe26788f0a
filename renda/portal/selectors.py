"""Public reads for the portal. Everything here is shown to anonymous visitors, so each read
names the fields it takes: nothing private (phone, ID number, birth date, points, disputes,
evaluations, a duty record's content) is ever loaded, let alone rendered. Only serving
mandates are public; an ended mandate is as if it did not exist."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from renda.core.dates import local_date
from renda.core.errors import NotFound
from renda.core.models import Congress, Organization
from renda.deputies.models import Mandate, MandateStatus
from renda.duties.models import ActivityKind, DutyRecord, RecordStatus

LATEST_RECORDS = 10

# The only person fields a public page may read.
PUBLIC_PERSON_FIELDS = ("person__id", "person__name", "person__name_initials", "person__gender")


def _public() -> QuerySet[Mandate]:
    stations = Organization.objects.only("id", "name", "address").order_by("name")
    return (
        Mandate.objects.filter(status=MandateStatus.SERVING)
        .select_related("person", "term__congress", "region", "group", "constituency")
        .only(
            "id",
            "status",
            "region_id",
            "term_id",
            "group_id",
            "constituency_id",
            "person_id",
            *PUBLIC_PERSON_FIELDS,
            "term__number",
            "term__congress__name",
            "term__congress__region_id",
            "region__code",
            "region__level",
            "region__name",
            "group__name",
            "constituency__name",
        )
        .prefetch_related(Prefetch("stations", queryset=stations))
    )


def deputies(*, q: str = "", congress: int | None = None) -> QuerySet[Mandate]:
    """Serving mandates matching a name (or its pinyin initials) and a congress."""
    qs = _public()
    q = q.strip()
    if q:
        qs = qs.filter(Q(person__name__contains=q) | Q(person__name_initials__startswith=q.lower()))
    if congress:
        qs = qs.filter(term__congress_id=congress)
    return qs.order_by("region_id", "person__name_initials", "person__name", "id")


def congress_choices() -> list[tuple[str, str]]:
    """The congresses with serving deputies, by region code (city first)."""
    ids = Mandate.objects.filter(status=MandateStatus.SERVING).values("term__congress_id")
    return [
        (str(pk), name)
        for pk, name in Congress.objects.filter(pk__in=ids)
        .order_by("region_id")
        .values_list("pk", "name")
    ]


def deputy(pk: int) -> Mandate:
    found = _public().filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class PublicRecord:
    title: str
    kind_label: str
    occurred_on: datetime.date


@dataclass(frozen=True)
class DutySummary:
    year: int
    total: int
    by_kind: list[KindCount]
    latest: list[PublicRecord]


def duty_summary(mandate: Mandate, *, year: int | None = None) -> DutySummary:
    """This year's confirmed duty records by kind, and the titles and dates of the latest
    confirmed records marked public (never their content)."""
    year = year or local_date().year
    confirmed = DutyRecord.objects.filter(
        mandate_id=mandate.pk,
        status=RecordStatus.CONFIRMED,
        occurred_on__gte=datetime.date(year, 1, 1),
        occurred_on__lte=datetime.date(year, 12, 31),
    )
    labels = dict(ActivityKind.choices)
    counts = dict(
        confirmed.order_by().values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    by_kind = [
        KindCount(kind, str(labels[kind]), counts[kind])
        for kind in ActivityKind.values
        if counts.get(kind)
    ]
    latest = [
        PublicRecord(title=title, kind_label=str(labels.get(kind, kind)), occurred_on=day)
        for title, kind, day in DutyRecord.objects.filter(
            mandate_id=mandate.pk, status=RecordStatus.CONFIRMED, is_public=True
        )
        .order_by("-occurred_on", "-id")
        .values_list("title", "kind", "occurred_on")[:LATEST_RECORDS]
    ]
    return DutySummary(year=year, total=sum(counts.values()), by_kind=by_kind, latest=latest)


def avatar_of(mandate: Mandate) -> dict[str, Any]:
    """A photo placeholder: the name's first character on a colour chosen by the mandate."""
    name = mandate.person.name or "?"
    return {"initial": name[:1], "tone": mandate.person_id % 6}
