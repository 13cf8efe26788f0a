"""Public reads of suggestions whose reply the congress office released (公开答复). Only
published replies are ever loaded; the suggestion shows its title, number, category, content,
and the deputy's name and congress, nothing else (no phone, attachments or co-signers)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BigIntegerField, Exists, OuterRef, QuerySet
from django.db.models.functions import Cast

from renda.cases.models import Case, Reply
from renda.core.errors import NotFound
from renda.suggestions.models import Suggestion
from renda.suggestions.services import SOURCE_TYPE

# The only fields a public page may read.
PUBLIC_FIELDS = (
    "id",
    "title",
    "content",
    "number",
    "kind",
    "session",
    "submitted_at",
    "congress_id",
    "category_id",
    "mandate_id",
    "congress__name",
    "category__name",
    "mandate__person_id",
    "mandate__person__name",
)


def _published_cases() -> QuerySet[Case]:
    published = Reply.objects.filter(case_id=OuterRef("pk"), published_at__isnull=False)
    return Case.objects.filter(subject_type=SOURCE_TYPE).filter(Exists(published))


def suggestions(*, q: str = "") -> QuerySet[Suggestion]:
    ids = _published_cases().annotate(sid=Cast("subject_id", BigIntegerField())).values("sid")
    qs = (
        Suggestion.objects.filter(pk__in=ids)
        .select_related("congress", "category", "mandate__person")
        .only(*PUBLIC_FIELDS)
    )
    if q:
        qs = qs.filter(title__icontains=q)
    return qs.order_by("-submitted_at", "-id")


@dataclass(frozen=True)
class Published:
    suggestion: Suggestion
    case: Case
    replies: list[Reply]


def suggestion(pk: int) -> Published:
    item = suggestions().filter(pk=pk).first()
    case = _published_cases().filter(subject_id=str(pk)).first()
    if item is None or case is None:
        raise NotFound()
    replies = list(
        Reply.objects.filter(case=case, published_at__isnull=False)
        .select_related("unit")
        .only(
            "id",
            "round",
            "result_class",
            "content",
            "measures",
            "sent_at",
            "published_at",
            "unit__name",
            "unit_id",
            "case_id",
        )
        .order_by("round")
    )
    return Published(suggestion=item, case=case, replies=replies)
