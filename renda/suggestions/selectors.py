"""Reads of suggestions and motions, always through the suggestions policy; the rules a step
reads (the motion threshold, who may join, whether the presidium's decision is open, whether
it can be assigned, attachment checks); the units and leaders an assignment chooses from and
who is told; and the search for similar earlier suggestions while a deputy types."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from django.contrib.postgres.fields import ArrayField
from django.core.files.uploadedfile import UploadedFile
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce, StrIndex
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext as _

from renda.core import uploads
from renda.core.errors import NotFound
from renda.core.models import (
    HANDLING_UNIT_KINDS,
    Congress,
    Organization,
    RegionLevel,
    Role,
    User,
    code_bounds,
)
from renda.core.policies import Action
from renda.deputies import selectors as deputy_selectors
from renda.deputies.models import Mandate, MandateStatus
from renda.suggestions import similarity
from renda.suggestions.models import (
    LODGED_STATUSES,
    CoSigner,
    CoSignerStatus,
    Suggestion,
    SuggestionCategory,
    SuggestionEvent,
    SuggestionKind,
    SuggestionStatus,
    SuggestionToken,
)
from renda.suggestions.policies import REVIEW
from renda.suggestions.policies import suggestions as policy

# What a suggestion's own pages show (suggestions/_facts.html): one row, so the join is cheap.
RELATED = ("mandate__person", "congress", "category", "entered_by__person", "merged_into")
# Motions need this many deputies jointly (the lead author included), unless a delegation
# lodges them: 10 at county level and above, 5 in a township congress (地方组织法).
MOTION_SIGNERS = 10
MOTION_SIGNERS_TOWNSHIP = 5
ATTACHMENTS_MAX = 5
ATTACHMENT_BYTES_MAX = 10 * 1024 * 1024
# Recognised by their first bytes rather than by the name the phone gave them.
ATTACHMENT_TYPES = (*uploads.PHOTOS, uploads.PDF)
# What a list row (suggestions/_rows.html, the panels, the API's list) shows besides the
# suggestion's own columns. Lists join these only: PostgreSQL plans a join of all eight
# tables of RELATED for 30 ms each time (EXPLAIN: "Planning Time: 30 ms, Execution Time:
# 0.7 ms"; suggestions alone have 21 indexes to weigh, twice with merged_into), which was a
# sixth of the office's workbench (the review queue).
ROW_RELATED = ("mandate__person", "congress", "category")


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    kind: str | None = None
    category: int | None = None
    q: str = ""


def categories(congress: Congress) -> QuerySet[SuggestionCategory]:
    """The congress's active categories (the defaults are written when a congress is
    created, by ``services.create_default_categories``; reading never writes)."""
    return SuggestionCategory.objects.filter(congress=congress, is_active=True).order_by(
        "position", "id"
    )


def suggestions(user: Any, filters: Filters = Filters()) -> QuerySet[Suggestion]:
    qs = policy.filter(user, Suggestion.objects.all())
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.category:
        qs = qs.filter(category_id=filters.category)
    q = filters.q.strip()
    if q:
        qs = qs.filter(matching(q))
    return qs.select_related(*ROW_RELATED).order_by("-created_at", "-id")


def matching(q: str) -> Q:
    """Suggestions whose title contains ``q``, or whose lead author's name does.

    A substring test, not the similarity tokens (SuggestionToken): rjieba keeps 停车难 as
    one word, so a token search for 停车 would miss "……停车难问题的建议"; and only lodged
    suggestions have token rows, so drafts and returned ones could not be found at all.
    The matching authors are looked up once, first (a few thousand deputies), so that each
    suggestion is tested on its own columns only, all of which are in ``suggestion_list_idx``:
    the count and the page's ids scan that index, never the rows nor a join per row, and a
    query that names no deputy tests the title alone."""
    authors = list(
        Mandate.objects.filter(person__name__contains=q).order_by().values_list("pk", flat=True)
    )
    title = title_contains(q)
    return title | Q(mandate_id__in=authors) if authors else title


class _GramsContain(Func):
    """``renda_grams(title) @> grams`` (PostgreSQL, migration 0007), which the GIN index
    ``suggestion_title_grams_idx`` answers."""

    template = "renda_grams(%(expressions)s)"
    arg_joiner = ") @> ("
    output_field = BooleanField()


def query_grams(q: str) -> list[str]:
    """What a title containing ``q`` must have among its grams: every pair of adjacent
    characters of ``q``, or its one character. Not the single characters of a longer ``q``:
    a character such as 的 is in nearly every title, and the index would read all of them."""
    if len(q) == 1:
        return [q]
    return sorted({q[i : i + 2] for i in range(len(q) - 1)})


def title_contains(q: str) -> Q:
    """Suggestions whose title contains ``q`` (case-sensitive on PostgreSQL, as ``contains``).

    On PostgreSQL the character pairs of the title narrow the search first, then
    ``strpos(title, q) > 0`` keeps the titles that really hold ``q`` (the pairs of 停车场 are
    also in 停车难问题的车场). No B-tree index can answer a substring, so without the pairs
    the search read every title of the jurisdiction (80,000 at city scale): EXPLAIN
    ANALYZE of the city office's search for 停车 among assigned suggestions went from a
    Parallel Seq Scan of 62 ms (an Index Only Scan of suggestion_status_list_idx with strpos
    as filter, when the planner chose it, 72 ms) to a Bitmap Index Scan of the GIN index and
    a Bitmap Heap Scan of the 6,724 candidates, 15 ms. strpos rather than LIKE: its plain
    substring search was 41 ms against LIKE's 60 ms over 100,000 titles. SQLite keeps
    ``contains`` (its LIKE ignores ASCII case, which INSTR would not) and answers it from
    ``suggestion_list_idx``."""
    if connection.vendor == "postgresql":
        grams = Value(query_grams(q), output_field=ArrayField(TextField()))
        return Q(_GramsContain(F("title"), grams)) & Q(GreaterThan(StrIndex("title", Value(q)), 0))
    return Q(title__contains=q)


class SearchIds:
    """The ids of a searched list, for a Paginator: one scan for both the count and the page.

    Searching tests every row of the jurisdiction (see ``matching``), so a count and then a
    page would be two such scans. Most searches match a few thousand suggestions at most:
    their ids, all of them in order, come from one scan, and the count is their number.
    Only a search matching more than ``HEAD`` (a word nearly every title has) needs the
    count as a second query; pages beyond the first ``HEAD`` ids are read as usual."""

    HEAD = 10_000  # fetching more ids than this costs more than a second scan

    def __init__(self, ids: QuerySet[Suggestion, int]) -> None:
        self._ids = ids
        self._head = list(ids[: self.HEAD + 1])
        self._complete = len(self._head) <= self.HEAD
        self._total = len(self._head) if self._complete else None

    def __len__(self) -> int:
        if self._total is None:
            self._total = self._ids.count()
        return self._total

    def __iter__(self) -> Iterator[int]:
        return iter(self[: len(self)])

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        if self._complete or (index.stop is not None and 0 <= index.stop <= len(self._head)):
            return self._head[index]
        return list(self._ids[index])


def in_order(ids: list[int]) -> list[Suggestion]:
    """One list page: the rows of ``ids`` (a page of ``suggestions(...)`` ids), in that order.
    Paging over ids first keeps the sort of a whole filtered list narrow: SQLite would
    otherwise carry every matching row with its joined deputy and congress into the sort."""
    found = Suggestion.objects.select_related(*ROW_RELATED).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def review_queue(user: Any) -> QuerySet[Suggestion]:
    """Submitted suggestions waiting for this office's review, oldest first."""
    qs = policy.filter(user, Suggestion.objects.filter(status=SuggestionStatus.SUBMITTED), REVIEW)
    return qs.select_related(*ROW_RELATED).order_by("submitted_at", "id")


def assignable(user: Any) -> QuerySet[Suggestion]:
    """Accepted suggestions (and motions treated as suggestions) waiting to be assigned."""
    qs = policy.filter(
        user,
        Suggestion.objects.filter(
            Q(status=SuggestionStatus.CONVERTED)
            | Q(status=SuggestionStatus.ACCEPTED, kind=SuggestionKind.SUGGESTION)
        ),
        REVIEW,
    )
    return qs.select_related(*ROW_RELATED).order_by("reviewed_at", "id")


def suggestion(user: Any, pk: int) -> Suggestion:
    found = policy.filter(user, Suggestion.objects.filter(pk=pk)).select_related(*RELATED).first()
    if found is None:
        raise NotFound()
    return found


def for_cosigner(user: Any, pk: int) -> tuple[Suggestion, CoSigner]:
    """A suggestion the user was invited to co-sign, and their invitation (confirm page)."""
    row = (
        CoSigner.objects.select_related(
            "suggestion__mandate__person", "suggestion__congress", "mandate__person"
        )
        .filter(suggestion_id=pk, mandate__person__user__id=user.pk)
        .first()
    )
    if row is None:
        raise NotFound()
    return row.suggestion, row


def pending_invitations(user: Any) -> list[CoSigner]:
    """Co-signing invitations waiting for this deputy's answer."""
    return list(
        CoSigner.objects.filter(mandate__person__user__id=user.pk, status=CoSignerStatus.INVITED)
        .select_related("suggestion__mandate__person")
        .order_by("-invited_at")[:20]
    )


def my_invitation(user: Any, item: Suggestion) -> CoSigner | None:
    return item.cosigners.filter(mandate__person__user__id=user.pk).first()


def lodged(pk: int) -> Suggestion:
    """A submitted suggestion by id, for the join (附议) page: its title is shown to other
    deputies of the congress, its content only to those the policy lets see it."""
    found = (
        Suggestion.objects.select_related("mandate__person", "congress")
        .filter(pk=pk, status__in=LODGED_STATUSES)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def events(item: Suggestion) -> list[SuggestionEvent]:
    return list(item.events.order_by("at", "id"))


def cosigners(item: Suggestion) -> list[CoSigner]:
    return list(item.cosigners.select_related("mandate__person").order_by("invited_at", "id"))


def confirmed_count(item: Suggestion) -> int:
    annotated: int | None = getattr(item, "confirmed_cosigners", None)
    if annotated is not None:
        return annotated
    return item.cosigners.filter(status=CoSignerStatus.CONFIRMED).count()


def with_confirmed_counts(qs: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
    """Each row's confirmed co-signers as one correlated count (no query per row)."""
    confirmed = (
        CoSigner.objects.filter(suggestion=OuterRef("pk"), status=CoSignerStatus.CONFIRMED)
        .order_by()
        .values("suggestion")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(confirmed_cosigners=Coalesce(Subquery(confirmed), 0))


def can_change(user: Any, item: Suggestion) -> bool:
    return item.is_editable and policy.can(user, item, Action.CHANGE)


def can_review(user: Any, item: Suggestion) -> bool:
    return policy.can(user, item, REVIEW)


def can_write(user: Any) -> bool:
    return deputy_selectors.mandates_for_entry(user, policy=policy).exists()


def own_mandates(user: Any) -> list[Mandate]:
    return list(
        Mandate.objects.filter(person__user__id=user.pk, status=MandateStatus.SERVING)
        .select_related("term__congress__region", "person")
        .order_by("region_id")
    )


def entry_mandates(user: Any, q: str = "", chosen: Any = "") -> list[Mandate]:
    """The deputies a station may write for (代录), for the form's picker."""
    return deputy_selectors.entry_mandates(user, policy=policy, q=q, chosen=chosen)


def entry_mandate(user: Any, pk: int) -> Mandate | None:
    """One deputy the user may write for (their own mandate, or a station's 代录)."""
    return deputy_selectors.entry_mandate(user, policy=policy, pk=pk)


def cosigner_candidates(item: Suggestion, q: str, limit: int = 20) -> list[Mandate]:
    """Serving deputies of the same congress whose name (or initials) match, for inviting."""
    if not q.strip():
        return []
    taken = item.cosigners.values("mandate_id")
    return list(
        Mandate.objects.filter(term__congress_id=item.congress_id, status=MandateStatus.SERVING)
        .filter(
            Q(person__name__contains=q.strip())
            | Q(person__name_initials__startswith=q.strip().lower())
        )
        .exclude(pk=item.mandate_id)
        .exclude(pk__in=taken)
        .select_related("person")
        .order_by("person__name", "id")[:limit]
    )


@dataclass(frozen=True)
class Similar:
    suggestion: Suggestion
    score: float

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def similar(
    *,
    congress_id: int,
    text: str,
    exclude: int | None = None,
    top: int = similarity.TOP,
    threshold: float = similarity.THRESHOLD,
) -> list[Similar]:
    """Earlier lodged suggestions of the congress most like ``text`` (title and content),
    best first: at most ``top``, each at least ``threshold`` Jaccard overlap."""
    tokens = similarity.tokenize(text)
    if not tokens:
        return []
    counts = dict(
        SuggestionToken.objects.filter(congress_id=congress_id, token__in=tokens)
        .values("token")
        .annotate(n=Count("id"))
        .values_list("token", "n")
    )
    prefilter = similarity.rarest(counts, tokens)
    if not prefilter:
        return []
    candidate_ids = (
        SuggestionToken.objects.filter(congress_id=congress_id, token__in=prefilter)
        .values("suggestion_id")
        .distinct()[: similarity.CANDIDATES_MAX]
    )
    rows = Suggestion.objects.filter(pk__in=candidate_ids, status__in=LODGED_STATUSES)
    if exclude:
        rows = rows.exclude(pk=exclude)
    wanted = set(tokens)
    scored: list[tuple[float, int]] = []
    for pk, stored in rows.values_list("pk", "tokens"):
        score = similarity.jaccard(wanted, set(stored.split()))
        if score >= threshold:
            scored.append((score, pk))
    scored.sort(key=lambda pair: (-pair[0], -pair[1]))
    best = scored[:top]
    found = Suggestion.objects.select_related("mandate__person").in_bulk([pk for _s, pk in best])
    return [Similar(found[pk], score) for score, pk in best if pk in found]


# The rules a step reads --------------------------------------------------------------------


def motion_signers_needed(congress: Congress) -> int:
    level = congress.region.level
    return MOTION_SIGNERS_TOWNSHIP if level == RegionLevel.TOWNSHIP else MOTION_SIGNERS


def missing_signers(item: Suggestion) -> int:
    """How many more confirmed deputies a motion needs; 0 when enough or not a motion."""
    if not item.is_motion or item.delegation_id:
        return 0
    confirmed = item.cosigners.filter(status=CoSignerStatus.CONFIRMED).count()
    return max(0, motion_signers_needed(item.congress) - 1 - confirmed)


def check_attachments(files: Sequence[UploadedFile], existing: int = 0) -> list[str]:
    """What is wrong with these uploads (too many, too large, not a photo or PDF, a photo
    that does not decode, a PDF with scripts or embedded files). Nothing is written: the
    cleaned copy ``uploads.inspect`` makes is kept on the upload object for the service."""
    problems: list[str] = []
    if len(files) + existing > ATTACHMENTS_MAX:
        problems.append(_("最多上传 %(n)d 个附件。") % {"n": ATTACHMENTS_MAX})
    for upload in files:
        name = upload.name or _("附件")
        if (upload.size or 0) > ATTACHMENT_BYTES_MAX:
            problems.append(_("“%(name)s”超过 10 MB,请压缩后再上传。") % {"name": name})
        else:
            try:
                if uploads.inspect(upload, ATTACHMENT_TYPES, name=name) is None:
                    problems.append(
                        _("“%(name)s”不是 JPG、PNG、WebP 格式的照片或 PDF 文件。") % {"name": name}
                    )
            except uploads.Refused as refused:
                problems.append(refused.message)
    return problems


def joinable(item: Suggestion, user: Any) -> Mandate | None:
    """The user's serving mandate in the suggestion's congress, if they may join it (附议)."""
    if item.status not in LODGED_STATUSES:
        return None
    return (
        Mandate.objects.filter(
            person__user__id=user.pk,
            term__congress_id=item.congress_id,
            status=MandateStatus.SERVING,
        )
        .exclude(pk=item.mandate_id)
        .first()
    )


def presidium_open(item: Suggestion) -> bool:
    """Whether the presidium's decision on this motion can still be recorded."""
    return (
        item.is_motion
        and not item.presidium_decision
        and item.status in (SuggestionStatus.SUBMITTED, SuggestionStatus.ACCEPTED)
    )


def can_assign(item: Suggestion) -> bool:
    """An accepted suggestion, or a motion treated as one, is handed to units."""
    return item.status == SuggestionStatus.CONVERTED or (
        item.status == SuggestionStatus.ACCEPTED and not item.is_motion
    )


# Assignment: units, leaders, who is told ------------------------------------------------------


def units_for(item: Suggestion) -> QuerySet[Organization]:
    """Units of the congress's jurisdiction that can handle the suggestion."""
    low, high = code_bounds(item.region_id, item.congress.region.level)
    return Organization.objects.filter(
        kind__in=HANDLING_UNIT_KINDS, is_active=True, region_id__gte=low, region_id__lte=high
    ).order_by("region_id", "name")


def units_for_user(user: Any) -> QuerySet[Organization]:
    """Handling units inside the regions where ``user`` may assign (batch assignment): the
    review rules of the suggestions policy, applied to the units' regions."""
    units = Organization.objects.filter(kind__in=HANDLING_UNIT_KINDS, is_active=True)
    return policy.filter_for(user, units, REVIEW, region="region_id").order_by("region_id", "name")


def users_covering(role: str, region_id: str) -> list[int]:
    """Active users holding ``role`` over a region that contains ``region_id``."""
    ids: list[int] = []
    grants = (
        User.objects.filter(is_active=True, grants__role=role)
        .values_list("pk", "grants__region_id", "grants__region__level")
        .distinct()
    )
    for pk, code, level in grants:
        low, high = code_bounds(code, level)
        if low <= region_id <= high and pk not in ids:
            ids.append(pk)
    return ids


def leaders_for(item: Suggestion) -> QuerySet[User]:
    """Leaders whose grant covers the suggestion's region (领导领衔督办)."""
    return User.objects.filter(pk__in=users_covering(Role.LEADER, item.region_id)).order_by(
        "username"
    )


def office_users(item: Suggestion) -> list[int]:
    """The congress office accounts whose jurisdiction covers the suggestion."""
    return users_covering(Role.OFFICE, item.region_id)


def author_account(item: Suggestion, *, active_only: bool = False) -> User | None:
    """The lead author's account (who rates the replies and is told of each step)."""
    accounts = User.objects.filter(person__mandates=item.mandate_id)
    if active_only:
        accounts = accounts.filter(is_active=True)
    return accounts.first()
