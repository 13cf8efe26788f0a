"""The scoring rules as one pure function, so the bulk recomputation of a whole congress-year
and the recomputation of a few deputies give exactly the same entries.

Bonuses: the suggestions module reports a suggestion rated class A, or chosen as a key
suggestion, as a duty record of its own (kind ``suggestion``, source ``module``) whose
``source_type`` is one of ``BONUS_SOURCE_TYPES`` and whose ``source_id`` is the suggestion's id.
Such a record scores the bonus rule instead of the kind's rule, once per suggestion (the duty
record's unique (mandate, source_type, source_id) sees to that), and links back like any other.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_noop

from renda.points.models import RuleCode

BONUS_SOURCE_TYPES: dict[str, str] = {
    "suggestions.class_a": RuleCode.SUGGESTION_CLASS_A,
    "suggestions.key": RuleCode.KEY_SUGGESTION,
}

ZERO = Decimal(0)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def year_dates(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def year_instants(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The year as [start, end) instants: activities count in the year they start in
    Beijing time, whatever the server's zone."""
    return (
        datetime.datetime(year, 1, 1, tzinfo=SHANGHAI),
        datetime.datetime(year + 1, 1, 1, tzinfo=SHANGHAI),
    )


@dataclass(frozen=True)
class Rule:
    points: Decimal
    cap: Decimal | None


@dataclass(frozen=True)
class Source:
    """One countable fact: a confirmed record, an absence, or an upheld dispute."""

    mandate_id: int
    region_id: str
    code: str
    occurred_on: datetime.date
    record_id: int | None = None
    invitation_id: int | None = None
    dispute_id: int | None = None
    adjustment: Decimal | None = None  # an upheld dispute's points
    # Ties on the date are broken by the kind of source and then its id, so the same facts
    # always score the same way (ids of different tables are not comparable).
    order: int = 0

    @property
    def rank(self) -> int:
        """Records first, then absences, then the adjustments that correct them."""
        if self.dispute_id is not None:
            return 2
        return 1 if self.invitation_id is not None else 0


@dataclass(frozen=True)
class Scored:
    source: Source
    base_points: Decimal
    points: Decimal
    note: str


def code_for_record(kind: str, source_type: str) -> str:
    return BONUS_SOURCE_TYPES.get(source_type, kind)


def score(sources: Iterable[Source], rules: dict[str, Rule]) -> Iterator[Scored]:
    """Each fact scores its rule's points in date order until the rule's yearly cap for that
    deputy is reached (a deduction's cap bounds the total deducted); upheld disputes add
    their adjustment on top of everything, outside any cap."""
    # Stored untranslated (the Chinese message ids) and translated when shown, so a task
    # running under another language never mixes languages in the data.
    reached = gettext_noop("已达年度上限")
    partly = gettext_noop("达到年度上限,按剩余分值计入")
    running: dict[tuple[int, str], Decimal] = {}
    ordered = sorted(sources, key=lambda s: (s.mandate_id, s.occurred_on, s.rank, s.order))
    for source in ordered:
        if source.dispute_id is not None:
            value = source.adjustment or ZERO
            yield Scored(source, value, value, gettext_noop("申诉调整"))
            continue
        rule = rules.get(source.code)
        if rule is None:
            continue
        key = (source.mandate_id, source.code)
        so_far = running.get(key, ZERO)
        points = rule.points
        note = ""
        if rule.cap is not None:
            room = rule.cap - abs(so_far)
            if room <= 0:
                points, note = ZERO, reached
            elif abs(points) > room:
                points = room if points > 0 else -room
                note = partly
        running[key] = so_far + points
        yield Scored(source, rule.points, points, note)
