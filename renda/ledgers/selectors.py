"""The duty ledgers (统计台账): roll-ups of confirmed duty records, attendance and points for
any period, by congress level, county, township, liaison station, deputy group or deputy,
with drill-down from every total to the deputies behind it.

Everything is counted in the database: one GROUP BY per source table (records, invitations,
point entries, mandates), keyed on the leading digits of the region code (Substr), on the
station or group, or on the mandate. A page therefore costs the same handful of queries
whether it rolls up six townships or a city's half-million records.

Jurisdiction comes from the ledger policies (region range on the mandate's congress region),
applied to each table; the filters below only ever narrow it.
"""

from __future__ import annotations

import datetime
import enum
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import CharField, Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import Cast, Substr
from django.utils.translation import gettext as _

from renda.core import policies as core_policies
from renda.core.dates import local_date
from renda.core.models import (
    PREFIX_LENGTH,
    Organization,
    OrganizationKind,
    Region,
    RegionLevel,
    in_subtree_q,
)
from renda.core.policies import Action
from renda.deputies.models import DeputyGroup, Mandate, MandateStatus
from renda.duties.models import (
    Activity,
    ActivityKind,
    AttendanceStatus,
    DutyRecord,
    Invitation,
    RecordStatus,
)
from renda.ledgers import policies
from renda.points.models import PointEntry

DEPUTIES_PER_PAGE = 50
INACTIVE_PER_PAGE = 50
DEFAULT_INACTIVE_MONTHS = 3
# The congress levels an office can hold (a street has no congress of its own).
CONGRESS_LEVELS = (
    RegionLevel.NATIONAL,
    RegionLevel.PROVINCE,
    RegionLevel.CITY,
    RegionLevel.COUNTY,
    RegionLevel.TOWNSHIP,
)
ANSWERED = (AttendanceStatus.ATTENDED, AttendanceStatus.LEAVE, AttendanceStatus.ABSENT)


class By(enum.StrEnum):
    """What one row of the ledger stands for."""

    LEVEL = "level"
    COUNTY = "county"
    TOWNSHIP = "township"
    STATION = "station"
    GROUP = "group"
    DEPUTY = "deputy"


def by_choices() -> list[tuple[str, str]]:
    return [
        (By.LEVEL, _("按人大层级")),
        (By.COUNTY, _("按县(市、区)")),
        (By.TOWNSHIP, _("按乡镇(街道)")),
        (By.STATION, _("按代表联络站")),
        (By.GROUP, _("按代表小组")),
        (By.DEPUTY, _("按代表")),
    ]


def this_year(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    day = today or local_date()
    return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)


@dataclass(frozen=True)
class LedgerFilters:
    date_from: datetime.date
    date_to: datetime.date
    by: str = By.COUNTY
    # The region rolled up (and everything below it), or only its own congress ("本级").
    region: str | None = None
    own: bool = False
    level: str | None = None
    station: int | None = None
    group: int | None = None

    @classmethod
    def default(cls, user: Any) -> LedgerFilters:
        start, end = this_year()
        # The ledger starts at the widest region among the grants that let the user read it.
        region = policies.records.home_region(user, Action.VIEW)
        return cls(date_from=start, date_to=end, region=region, by=default_by(region))

    def drill(self, **changes: Any) -> dict[str, str]:
        """Query parameters for the page one level down (the period is kept)."""
        params: dict[str, Any] = {
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "region": self.region or "",
            "level": self.level or "",
            "station": self.station or "",
            "group": self.group or "",
            "own": "1" if self.own else "",
        }
        params.update(changes)
        return {k: str(v) for k, v in params.items() if v not in (None, "", False)}


def default_by(region: str | None) -> str:
    level = region_level(region) if region else RegionLevel.CITY
    if level in (RegionLevel.NATIONAL, RegionLevel.PROVINCE, RegionLevel.CITY, None):
        return By.COUNTY
    if level == RegionLevel.COUNTY:
        return By.TOWNSHIP
    return By.DEPUTY


# Statutory codes never change level; remembered once found.
_LEVELS: dict[str, str] = {}


def region_level(code: str) -> str | None:
    level = _LEVELS.get(code)
    if level is None:
        level = Region.objects.filter(code=code).values_list("level", flat=True).first()
        if level is not None:
            _LEVELS[code] = level
    return level


def region_names(codes: Iterable[str]) -> dict[str, str]:
    """The names of the regions with these codes (those that exist)."""
    return dict(Region.objects.filter(code__in=list(codes)).values_list("code", "name"))


def _region_levels(codes: Iterable[str]) -> dict[str, str]:
    wanted = [c for c in codes if c not in _LEVELS]
    if wanted:
        _LEVELS.update(Region.objects.filter(code__in=wanted).values_list("code", "level"))
    return {c: _LEVELS[c] for c in codes if c in _LEVELS}


def can_view(user: Any) -> bool:
    return policies.records.allows_anywhere(user, Action.VIEW)


def can_export(user: Any) -> bool:
    return policies.records.allows_anywhere(user, Action.EXPORT)


# Rows ---------------------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    note: str = ""
    deputies: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    attended: int = 0
    leave: int = 0
    absent: int = 0
    points: Decimal = Decimal(0)
    # Drill-down: query parameters of the next page, or the deputy's mandate.
    drill: dict[str, str] | None = None
    mandate_id: int | None = None

    @property
    def activities(self) -> int:
        return sum(self.kinds.values())

    @property
    def suggestions(self) -> int:
        return self.kinds.get(ActivityKind.SUGGESTION, 0)

    @property
    def attendance_rate(self) -> float | None:
        """Attended over attended plus absent: excused leave counts neither way."""
        counted = self.attended + self.absent
        return self.attended / counted if counted else None

    def add(self, other: Row) -> None:
        self.deputies += other.deputies
        for kind, n in other.kinds.items():
            self.kinds[kind] = self.kinds.get(kind, 0) + n
        self.attended += other.attended
        self.leave += other.leave
        self.absent += other.absent
        self.points += other.points

    def kind_counts(self, kinds: Iterable[str]) -> list[int]:
        return [self.kinds.get(k, 0) for k in kinds]


@dataclass
class Ledger:
    filters: LedgerFilters
    rows: list[Row]
    total: Row
    kinds: list[tuple[str, str]]
    months: list[dict[str, Any]]
    page: Page[Any] | None = None
    scope_name: str = ""

    def charts(self) -> dict[str, list[dict[str, Any]]]:
        """Chart data for the page (json_script): by kind, by month, attendance."""
        labels = dict(self.kinds)
        return {
            "kinds": [
                {"name": str(labels[k]), "value": self.total.kinds.get(k, 0)}
                for k, _label in self.kinds
                if self.total.kinds.get(k)
            ],
            "months": self.months,
            # Empty slices are left out: a pie of zeros would draw equal slices.
            "attendance": [
                {"name": name, "value": value}
                for name, value in (
                    (_("出席"), self.total.attended),
                    (_("请假"), self.total.leave),
                    (_("缺席"), self.total.absent),
                )
                if value
            ],
        }


def shown_kinds() -> list[tuple[str, str]]:
    """Every organized kind and the module kinds, in the model's order."""
    return [(str(v), str(label)) for v, label in ActivityKind.choices]


# Query building -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """How one table reaches the mandate and the jurisdiction's region code."""

    policy: core_policies.Policy[Any]
    region: str
    mandate: str  # path prefix to the mandate ("" for Mandate itself)

    def path(self, name: str) -> str:
        return f"{self.mandate}{name}"

    @property
    def mandate_id(self) -> str:
        return self.path("id") if self.mandate == "" else f"{self.mandate[:-2]}_id"


RECORDS = _Source(policies.records, "region_id", "mandate__")
INVITATIONS = _Source(policies.invitations, "mandate__region_id", "mandate__")
POINTS = _Source(policies.points, "region_id", "mandate__")
MANDATES = _Source(policies.mandates, "region_id", "")


def _scoped(user: Any, source: _Source, qs: QuerySet[Any], filters: LedgerFilters) -> QuerySet[Any]:
    qs = source.policy.filter(user, qs, Action.VIEW)
    if filters.region:
        level = region_level(filters.region)
        if filters.own or level is None:
            qs = qs.filter(**{source.region: filters.region})
        else:
            qs = qs.filter(in_subtree_q(source.region, filters.region, level))
    if filters.level:
        qs = qs.filter(
            **{f"{source.region}__in": Region.objects.filter(level=filters.level).values("code")}
        )
    if filters.station:
        qs = qs.filter(**{source.path("stations"): filters.station})
    if filters.group:
        qs = qs.filter(**{source.path("group_id"): filters.group})
    return qs.order_by()


def _key(source: _Source, by: str) -> Any:
    if by == By.COUNTY:
        return Substr(source.region, 1, PREFIX_LENGTH[RegionLevel.COUNTY])
    if by == By.TOWNSHIP:
        return Substr(source.region, 1, PREFIX_LENGTH[RegionLevel.TOWNSHIP])
    if by == By.LEVEL:
        # Grouped by congress here, folded into levels in Python (a few hundred rows).
        return F(source.region)
    if by == By.STATION:
        return F(source.path("stations"))
    if by == By.GROUP:
        return F(source.path("group_id"))
    return F(source.mandate_id)


def _bounds(filters: LedgerFilters) -> tuple[datetime.datetime, datetime.datetime]:
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    start = datetime.datetime.combine(filters.date_from, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(
        filters.date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return start, end


def _normal(key: Any) -> str:
    return "" if key is None else str(key)


@dataclass
class _Counts:
    deputies: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    kinds: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    attendance: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    points: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    months: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _count(
    user: Any, filters: LedgerFilters, by: str, mandate_ids: list[int] | None = None
) -> _Counts:
    """Four GROUP BY queries: deputies, confirmed records by kind and month, answered
    invitations by status, current points."""
    counts = _Counts()

    def narrow(source: _Source, qs: QuerySet[Any]) -> QuerySet[Any]:
        qs = _scoped(user, source, qs, filters)
        if mandate_ids is not None:
            qs = qs.filter(**{f"{source.mandate_id}__in": mandate_ids})
        return qs

    if mandate_ids is None:
        serving = narrow(MANDATES, Mandate.objects.filter(status=MandateStatus.SERVING))
        for key, n in (
            serving.annotate(k=_key(MANDATES, by))
            .values_list("k")
            .annotate(n=Count("id"))
            .values_list("k", "n")
        ):
            counts.deputies[_normal(key)] += n

    records = narrow(
        RECORDS,
        DutyRecord.objects.filter(
            status=RecordStatus.CONFIRMED,
            occurred_on__gte=filters.date_from,
            occurred_on__lte=filters.date_to,
        ),
    )
    month = Substr(Cast("occurred_on", CharField()), 1, 7)
    rows = (
        records.annotate(k=_key(RECORDS, by), month=month)
        .values_list("k", "kind", "month")
        .annotate(n=Count("id"))
        .values_list("k", "kind", "month", "n")
    )
    for key, kind, month_key, n in rows:
        bucket = counts.kinds[_normal(key)]
        bucket[kind] = bucket.get(kind, 0) + n
        counts.months[month_key] += n

    start, end = _bounds(filters)
    # The period's activities as a subquery, not a join: SQLite then starts from the few
    # thousand activities of the period instead of every invitation of every deputy in the
    # jurisdiction (four times faster for a city year).
    in_period = Activity.objects.filter(starts_at__gte=start, starts_at__lt=end).values("id")
    invitations = narrow(
        INVITATIONS, Invitation.objects.filter(status__in=ANSWERED, activity_id__in=in_period)
    )
    for key, status, n in (
        invitations.annotate(k=_key(INVITATIONS, by))
        .values_list("k", "status")
        .annotate(n=Count("id"))
        .values_list("k", "status", "n")
    ):
        bucket = counts.attendance[_normal(key)]
        bucket[status] = bucket.get(status, 0) + n

    entries = narrow(
        POINTS,
        PointEntry.objects.filter(
            rule_set__is_current=True,
            occurred_on__gte=filters.date_from,
            occurred_on__lte=filters.date_to,
        ),
    )
    for key, total in (
        entries.annotate(k=_key(POINTS, by))
        .values_list("k")
        .annotate(total=Sum("points"))
        .values_list("k", "total")
    ):
        counts.points[_normal(key)] += total or Decimal(0)
    return counts


def _fill(row: Row, counts: _Counts, keys: Iterable[str]) -> None:
    for key in keys:
        row.deputies += counts.deputies.get(key, 0)
        for kind, n in counts.kinds.get(key, {}).items():
            row.kinds[kind] = row.kinds.get(kind, 0) + n
        answered = counts.attendance.get(key, {})
        row.attended += answered.get(AttendanceStatus.ATTENDED, 0)
        row.leave += answered.get(AttendanceStatus.LEAVE, 0)
        row.absent += answered.get(AttendanceStatus.ABSENT, 0)
        row.points += counts.points.get(key, Decimal(0))


def _all_keys(counts: _Counts) -> set[str]:
    return set(counts.deputies) | set(counts.kinds) | set(counts.attendance) | set(counts.points)


# The ledger -----------------------------------------------------------------------------------


def ledger(user: Any, filters: LedgerFilters, page_number: Any = None) -> Ledger:
    """The roll-up rows for ``filters`` inside the user's jurisdiction."""
    by = filters.by
    page: Page[Any] | None = None
    if by == By.DEPUTY:
        rows, page = _deputy_rows(user, filters, page_number)
        counts = _count(user, filters, By.COUNTY)
        total = Row(key="", label=_("合计"))
        _fill(total, counts, _all_keys(counts))
    else:
        counts = _count(user, filters, by)
        if by in (By.COUNTY, By.TOWNSHIP):
            rows = _region_rows(counts, filters, by)
        elif by == By.LEVEL:
            rows = _level_rows(counts, filters)
        elif by == By.STATION:
            rows = _station_rows(counts, filters)
        else:
            rows = _group_rows(counts, filters)
        total = Row(key="", label=_("合计"))
        _fill(total, counts, _all_keys(counts))
        if by == By.STATION:
            # A deputy linked to two stations appears under both; the total counts once.
            total = _plain_total(user, filters)
    scope = Region.objects.filter(code=filters.region).values_list("name", flat=True).first()
    months = [{"name": m, "value": n} for m, n in sorted(counts.months.items()) if m]
    return Ledger(
        filters=filters,
        rows=rows,
        total=total,
        kinds=shown_kinds(),
        months=months,
        page=page,
        scope_name=scope or "",
    )


def _plain_total(user: Any, filters: LedgerFilters) -> Row:
    counts = _count(user, filters, By.COUNTY)
    total = Row(key="", label=_("合计"))
    _fill(total, counts, _all_keys(counts))
    return total


def _region_rows(counts: _Counts, filters: LedgerFilters, by: str) -> list[Row]:
    length = PREFIX_LENGTH[RegionLevel.COUNTY if by == By.COUNTY else RegionLevel.TOWNSHIP]
    codes = {key.ljust(12, "0"): key for key in _all_keys(counts) if key}
    regions = {
        r.code: r for r in Region.objects.filter(code__in=list(codes)).only("code", "name", "level")
    }
    rows: list[Row] = []
    for code in sorted(codes):
        region = regions.get(code)
        name = region.name if region else code
        own = region is not None and PREFIX_LENGTH[region.level] < length
        row = Row(key=code, label=_("%(name)s本级") % {"name": name} if own else name)
        if own:
            row.note = _("%(name)s人大代表") % {"name": name}
            row.drill = filters.drill(region=code, own="1", by=By.DEPUTY)
        else:
            row.drill = filters.drill(region=code, own="", by=default_by(code))
        _fill(row, counts, [codes[code]])
        rows.append(row)
    return rows


def _level_rows(counts: _Counts, filters: LedgerFilters) -> list[Row]:
    by_level: dict[str, list[str]] = defaultdict(list)
    for key, level in _region_levels([k for k in _all_keys(counts) if k]).items():
        by_level[level].append(key)
    labels = dict(RegionLevel.choices)
    rows: list[Row] = []
    for level in CONGRESS_LEVELS:
        keys = by_level.get(level)
        if not keys:
            continue
        row = Row(key=level, label=_("%(level)s人大代表") % {"level": labels[level]})
        if level == RegionLevel.TOWNSHIP:
            drill_by = By.TOWNSHIP
        elif level == RegionLevel.COUNTY:
            drill_by = By.COUNTY
        else:
            drill_by = By.DEPUTY
        row.drill = filters.drill(level=level, by=drill_by)
        _fill(row, counts, keys)
        rows.append(row)
    return rows


def _station_rows(counts: _Counts, filters: LedgerFilters) -> list[Row]:
    keys = _all_keys(counts)
    ids = [int(k) for k in keys if k]
    names = dict(
        Organization.objects.filter(pk__in=ids, kind=OrganizationKind.LIAISON_STATION)
        .order_by()
        .values_list("pk", "name")
    )
    rows: list[Row] = []
    for pk in sorted(ids, key=lambda i: (names.get(i, ""), i)):
        row = Row(key=str(pk), label=names.get(pk, str(pk)))
        row.drill = filters.drill(station=str(pk), by=By.DEPUTY)
        _fill(row, counts, [str(pk)])
        rows.append(row)
    if "" in keys:
        row = Row(key="", label=_("未联系联络站的代表"))
        _fill(row, counts, [""])
        rows.append(row)
    return rows


def _group_rows(counts: _Counts, filters: LedgerFilters) -> list[Row]:
    keys = _all_keys(counts)
    ids = [int(k) for k in keys if k]
    groups = {
        g.pk: g
        for g in DeputyGroup.objects.filter(pk__in=ids).select_related("congress").order_by()
    }
    rows: list[Row] = []
    ordered = sorted(
        ids, key=lambda i: (groups[i].region_id, groups[i].name) if i in groups else ("", "")
    )
    for pk in ordered:
        group = groups.get(pk)
        row = Row(key=str(pk), label=group.name if group else str(pk))
        row.note = group.congress.name if group else ""
        row.drill = filters.drill(group=str(pk), by=By.DEPUTY)
        _fill(row, counts, [str(pk)])
        rows.append(row)
    if "" in keys:
        row = Row(key="", label=_("未编入代表小组的代表"))
        _fill(row, counts, [""])
        rows.append(row)
    return rows


def deputy_queryset(user: Any, filters: LedgerFilters) -> QuerySet[Mandate]:
    """The mandates a deputy-level ledger lists: serving ones, and those that ended inside
    the period (their records in it still count)."""
    qs = _scoped(user, MANDATES, Mandate.objects.all(), filters)
    qs = qs.filter(Q(status=MandateStatus.SERVING) | Q(ended_on__gte=filters.date_from))
    return qs.order_by("region_id", "person__name_initials", "person__name", "id")


def _deputy_rows(
    user: Any, filters: LedgerFilters, page_number: Any
) -> tuple[list[Row], Page[Any]]:
    qs = deputy_queryset(user, filters).select_related("person", "region")
    page = Paginator(qs, DEPUTIES_PER_PAGE).get_page(page_number)
    mandates = list(page.object_list)
    counts = _count(user, filters, By.DEPUTY, [m.pk for m in mandates])
    return [_deputy_row(m, counts) for m in mandates], page


def _deputy_row(mandate: Mandate, counts: _Counts) -> Row:
    labels = dict(RegionLevel.choices)
    row = Row(
        key=str(mandate.pk),
        label=mandate.person.name,
        note=f"{mandate.region.name} · {labels.get(mandate.region.level, '')}",
        mandate_id=mandate.pk,
        deputies=1,
    )
    _fill(row, counts, [str(mandate.pk)])
    row.deputies = 1
    return row


def all_deputy_rows(user: Any, filters: LedgerFilters) -> list[Row]:
    """Every deputy row of the filters (for the export), counted in one pass per table."""
    qs = deputy_queryset(user, filters).select_related("person", "region")
    mandates = list(qs)
    counts = _count(user, filters, By.DEPUTY)
    return [_deputy_row(m, counts) for m in mandates]


# Workbench ------------------------------------------------------------------------------------


def kinds_this_year(user: Any) -> list[dict[str, Any]]:
    """This year's confirmed activities in the user's jurisdiction by kind (one query)."""
    start, end = this_year()
    qs = policies.records.filter(
        user,
        DutyRecord.objects.filter(
            status=RecordStatus.CONFIRMED, occurred_on__gte=start, occurred_on__lte=end
        ),
    )
    found = dict(qs.order_by().values_list("kind").annotate(n=Count("*")).values_list("kind", "n"))
    return [
        {"name": str(label), "value": found[value]}
        for value, label in ActivityKind.choices
        if found.get(value)
    ]


# Inactive deputies ----------------------------------------------------------------------------


def months_before(day: datetime.date, months: int) -> datetime.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    # The same day of that month, or its last day (31 March minus one month: 28/29 Feb).
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - 28 always exists


def inactive(
    user: Any,
    *,
    months: int = DEFAULT_INACTIVE_MONTHS,
    region: str | None = None,
    level: str | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Mandate]:
    """Serving mandates with no confirmed duty record in the last ``months`` months, each
    with the date of its latest confirmed record (None: never). Deputies elected inside the
    window are left out: they have not yet had the time."""
    day = today or local_date()
    cutoff = months_before(day, months)
    start, end = this_year(day)
    filters = LedgerFilters(date_from=start, date_to=end, region=region, level=level)
    active = _scoped(
        user,
        RECORDS,
        DutyRecord.objects.filter(status=RecordStatus.CONFIRMED, occurred_on__gte=cutoff),
        filters,
    ).values("mandate_id")
    qs: QuerySet[Mandate] = _scoped(
        user, MANDATES, Mandate.objects.filter(status=MandateStatus.SERVING), filters
    )
    return (
        qs.filter(elected_on__lte=cutoff)
        .exclude(pk__in=active)
        .annotate(
            last_record=Max(
                "duty_records__occurred_on",
                filter=Q(duty_records__status=RecordStatus.CONFIRMED),
            )
        )
        .select_related("person", "region", "term__congress")
        .order_by("region_id", "person__name_initials", "person__name", "id")
    )
