"""Reads of study materials, always through the material policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from renda.core import policies
from renda.core.models import Congress
from renda.core.policies import Action
from renda.deputies.models import DeputyGroup, Mandate, MandateStatus
from renda.learning.models import Audience, Material, Receipt
from renda.learning.policies import materials as material_policy

EXPORT_CHUNK = 2000


def audience_mandates(
    *, congress: Congress, audience: str, group: DeputyGroup | None
) -> QuerySet[Mandate]:
    """The serving mandates an audience choice addresses."""
    serving = Mandate.objects.filter(status=MandateStatus.SERVING)
    if audience == Audience.CONGRESS:
        return serving.filter(region_id=congress.region_id)
    if audience == Audience.CONGRESS_AND_BELOW:
        return serving.filter(congress.region.subtree_q("region_id"))
    if audience == Audience.GROUP and group is not None:
        return serving.filter(group=group)
    return serving.none()


def _read_count() -> Any:
    counted = (
        Receipt.objects.filter(material=OuterRef("pk"), read_at__isnull=False)
        .order_by()
        .values("material")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def managed(user: Any, *, q: str = "") -> QuerySet[Material]:
    """The materials the user manages (offices, administrators), newest first, with their
    read counts."""
    qs = material_policy.filter(user, Material.objects.all(), Action.CHANGE)
    if q.strip():
        qs = qs.filter(title__contains=q.strip())
    return (
        qs.select_related("congress", "group", "published_by")
        .annotate(read_count=_read_count())
        .order_by("-published_at", "-id")
    )


def can_manage(user: Any) -> bool:
    return material_policy.allows_anywhere(user, Action.CHANGE)


def can_publish(user: Any) -> bool:
    return material_policy.allows_anywhere(user, Action.CREATE)


def inbox(user: Any) -> QuerySet[Receipt]:
    """The materials addressed to the user: unread first, then newest first."""
    if not getattr(user, "person_id", None):
        return Receipt.objects.none()
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return (
        Receipt.objects.filter(person_id=user.person_id)
        .select_related("material__congress")
        .order_by(unread.desc(), "-material__published_at", "-material_id")
    )


def unread_count(user: Any) -> int:
    if not getattr(user, "person_id", None):
        return 0
    return Receipt.objects.filter(person_id=user.person_id, read_at__isnull=True).count()


def material(user: Any, pk: int, action: str = Action.VIEW) -> Material:
    """One material the user may act on (NotFound otherwise)."""
    found = material_policy.get(user, action, pk=pk)
    return Material.objects.select_related("congress", "group", "published_by").get(pk=found.pk)


def receipt_of(user: Any, item: Material) -> Receipt | None:
    if not getattr(user, "person_id", None):
        return None
    return Receipt.objects.filter(material=item, person_id=user.person_id).first()


def read_count(item: Material) -> int:
    return Receipt.objects.filter(material=item, read_at__isnull=False).count()


def receipts(item: Material, *, read: bool) -> QuerySet[Receipt]:
    """Who has read the material (by time of reading) or who has not (by name)."""
    qs = Receipt.objects.filter(material=item, read_at__isnull=not read).select_related(
        "person", "mandate__term__congress", "mandate__group"
    )
    if read:
        return qs.order_by("read_at", "id")
    return qs.order_by("mandate__region_id", "person__name_initials", "person__name", "id")


EXPORT_FIELDS = (
    "person__name",
    "person__gender",
    "mandate__term__congress__name",
    "mandate__group__name",
    "reminded_on",
    "reminders",
)


def unread_rows(item: Material) -> Iterator[list[Any]]:
    """The non-readers as spreadsheet rows (no phone or ID numbers: the list is for
    reminding, and the reminder itself goes through the platform)."""
    genders = {"M": "男", "F": "女"}
    rows = receipts(item, read=False).values_list(*EXPORT_FIELDS)
    for name, gender, congress, group, reminded_on, reminders in rows.iterator(
        chunk_size=EXPORT_CHUNK
    ):
        yield [name, genders.get(gender, ""), congress, group or "", reminded_on, reminders]


def _create_scope(user: Any, field: str) -> Q | None:
    """The regions in which the user may publish, as a condition on ``field``."""
    if user is None or not user.is_authenticated:
        return None
    return policies.region_grants_q(user, material_policy.rules[Action.CREATE], field)


def congresses(user: Any) -> QuerySet[Congress]:
    """The congresses in whose name the user may publish, highest level first."""
    scope = _create_scope(user, "region_id")
    if scope is None:
        return Congress.objects.none()
    return Congress.objects.filter(scope).select_related("region").order_by("region_id")


def groups(user: Any) -> QuerySet[DeputyGroup]:
    scope = _create_scope(user, "congress__region_id")
    if scope is None:
        return DeputyGroup.objects.none()
    return (
        DeputyGroup.objects.filter(scope)
        .select_related("congress")
        .order_by("congress__region_id", "name")
    )
