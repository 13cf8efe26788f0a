"""Deterministic demo duty data on top of the seeded world: organized activities with their
invitations and attendance, the deputies' own (and proxy-entered) reports, and then the
points of every congress and year.

``world.build`` is left exactly as it is (its output has a fingerprint that tests check);
this module reads the world back from the database and adds to it, so it also works for the
benchmarks, which seed the world first and the duty data second.

Only generated deputies (usernames d000001...) get duty data: the demo accounts' own
mandates stay empty, so tests can start from a clean slate for the person of ``deputy``.

The random generator is seeded, so the same world and the same ``today`` give the same rows
(check-in tokens, which are secrets, excepted). Rows are built and inserted in batches so the
city scale (about 500,000 records) never holds more than a batch in memory.
"""

from __future__ import annotations

import datetime
import random
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min

from renda.core.dates import local_date
from renda.core.models import (
    Congress,
    Organization,
    OrganizationKind,
    Region,
    RegionLevel,
    Role,
    RoleGrant,
    Term,
    User,
)
from renda.deputies.models import DeputyGroup, Mandate
from renda.duties.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    AttendanceStatus,
    CheckinMethod,
    DutyRecord,
    Invitation,
    RecordSource,
    RecordStatus,
)

SEED = 3003
BATCH = 5000


@dataclass(frozen=True)
class Rates:
    """How busy the demo deputies are."""

    # Invitations per deputy per year from each organizer whose pool they are in.
    invitations_per_member_year: float
    # Own reports per deputy per year (an average; engagement varies per deputy).
    reports_per_year: float
    # Invitees per activity (or the whole pool when it is smaller).
    invitees: tuple[int, int]
    # Only the last N years of each term (None: the whole term so far).
    years: int | None
    # Upcoming activities per organizer (planned, invitations not yet answered).
    upcoming: float
    # Put the deputies into deputy groups (代表小组). Not at the small scale, whose tests
    # create groups of their own and count them.
    groups: bool = False


RATES: dict[str, Rates] = {
    "small": Rates(
        invitations_per_member_year=3.0,
        reports_per_year=4.0,
        invitees=(6, 15),
        years=2,
        upcoming=1.0,
    ),
    # About 500,000 duty records for the city's 13,195 deputies over the current term.
    "city": Rates(
        invitations_per_member_year=2.5,
        reports_per_year=3.4,
        invitees=(10, 30),
        years=None,
        upcoming=0.5,
        groups=True,
    ),
}

# Kinds as organizers and deputies actually use them (weights).
_ORGANIZED_MIX: list[tuple[str, float]] = [
    (ActivityKind.MEETING, 24),
    (ActivityKind.TRAINING, 14),
    (ActivityKind.INSPECTION, 12),
    (ActivityKind.SURVEY, 12),
    (ActivityKind.LAW_CHECK, 6),
    (ActivityKind.RECEPTION, 16),
    (ActivityKind.STATION_DUTY, 12),
    (ActivityKind.OTHER, 4),
]
_REPORTED_MIX: list[tuple[str, float]] = [
    (ActivityKind.RECEPTION, 28),
    (ActivityKind.STATION_DUTY, 22),
    (ActivityKind.SURVEY, 14),
    (ActivityKind.INSPECTION, 6),
    (ActivityKind.MEETING, 8),
    (ActivityKind.TRAINING, 6),
    (ActivityKind.OTHER, 16),
]
_TOPICS = [
    "农村饮水安全",
    "乡村振兴",
    "城乡环境整治",
    "义务教育均衡发展",
    "基层医疗卫生",
    "居家养老服务",
    "道路交通安全",
    "食品安全",
    "防汛抗旱",
    "优化营商环境",
    "油茶产业发展",
    "农村人居环境",
    "高标准农田建设",
    "老旧小区改造",
    "河长制落实",
    "森林防火",
    "就业创业服务",
    "校园周边安全",
]
_LAWS = [
    "中华人民共和国食品安全法",
    "中华人民共和国道路交通安全法",
    "中华人民共和国义务教育法",
    "中华人民共和国水污染防治法",
    "中华人民共和国安全生产法",
    "中华人民共和国农产品质量安全法",
    "湖南省实施《中华人民共和国村民委员会组织法》办法",
    "衡阳市城市市容和环境卫生管理条例",
]
_LEAVE_REASONS = ["外出务工", "生病住院", "单位工作冲突", "家中有事", "参加其他会议", "出差在外"]
_RETURN_REASONS = [
    "请补充活动的具体地点和参加人数。",
    "内容过于简略,请补充履职情况。",
    "日期与实际不符,请核对后重新提交。",
]
_REPORT_TEXTS: dict[str, list[str]] = {
    ActivityKind.RECEPTION: [
        "在联络站接待选民{n}人次,收集意见建议{m}条,已按程序转交有关部门。",
        "走访{place}群众,了解{topic}方面的诉求{m}条。",
    ],
    ActivityKind.STATION_DUTY: [
        "按排班进站履职,接待群众{n}人次,现场答复{m}件。",
        "参加联络站主题接待日,围绕{topic}听取群众意见。",
    ],
    ActivityKind.SURVEY: ["就{topic}到{place}实地调研,形成调研报告一篇。"],
    ActivityKind.INSPECTION: ["随代表小组视察{topic}工作,提出意见{m}条。"],
    ActivityKind.MEETING: ["列席{place}有关会议,就{topic}发言。"],
    ActivityKind.TRAINING: ["参加代表履职能力网络培训,学习{topic}相关法律法规。"],
    ActivityKind.OTHER: [
        "参与{place}{topic}志愿服务活动。",
        "协调解决{place}群众反映的{topic}问题。",
    ],
}
_REPORT_TITLES: dict[str, str] = {
    ActivityKind.RECEPTION: "接待选民",
    ActivityKind.STATION_DUTY: "进站履职",
    ActivityKind.SURVEY: "{topic}调研",
    ActivityKind.INSPECTION: "视察{topic}工作",
    ActivityKind.MEETING: "列席会议",
    ActivityKind.TRAINING: "履职学习",
    ActivityKind.OTHER: "{topic}相关工作",
}


def _weighted(pairs: list[tuple[str, float]]) -> Callable[[random.Random], str]:
    values = [v for v, _ in pairs]
    weights = [w for _, w in pairs]
    return lambda rng: rng.choices(values, weights=weights)[0]


_organized_kind = _weighted(_ORGANIZED_MIX)
_reported_kind = _weighted(_REPORTED_MIX)


@dataclass
class Summary:
    activities: int = 0
    invitations: int = 0
    records: int = 0
    # (congress id, year) pairs whose points were computed.
    point_years: int = 0
    points_skipped: str = ""


@dataclass(frozen=True)
class _Deputy:
    mandate_id: int
    region_id: str
    user_id: int | None
    station_id: int | None
    start: datetime.date
    # How active this deputy is: scales attendance and own reports.
    engagement: float
    # Quiet for the last months: no attendance, no reports (the inactive list has rows).
    dormant_since: datetime.date | None


@dataclass
class _Organizer:
    org: Organization
    region: Region
    pool: list[_Deputy] = field(default_factory=list)


class _Writer:
    """Buffers of unsaved rows, inserted in batches of BATCH."""

    def __init__(self, summary: Summary) -> None:
        self.invitations: list[Invitation] = []
        self.records: list[DutyRecord] = []
        self.summary = summary

    def add_invitation(self, row: Invitation) -> None:
        self.invitations.append(row)
        if len(self.invitations) >= BATCH:
            self.flush_invitations()

    def add_record(self, row: DutyRecord) -> None:
        self.records.append(row)
        if len(self.records) >= BATCH:
            self.flush_records()

    def flush_invitations(self) -> None:
        Invitation.objects.bulk_create(self.invitations, batch_size=BATCH)
        self.summary.invitations += len(self.invitations)
        self.invitations = []

    def flush_records(self) -> None:
        DutyRecord.objects.bulk_create(self.records, batch_size=BATCH)
        self.summary.records += len(self.records)
        self.records = []

    def flush(self) -> None:
        self.flush_invitations()
        self.flush_records()


def build(
    scale: str = "small",
    *,
    today: datetime.date | None = None,
    points: bool = True,
    log: Callable[[str], None] = lambda _: None,
) -> Summary:
    """Add the duty data of ``scale`` (see RATES) to an already seeded world."""
    started = time.perf_counter()

    def step(message: str) -> None:
        log(f"{message} [{time.perf_counter() - started:.1f}s]")

    rates = RATES[scale]
    day = today or local_date()
    rng = random.Random(SEED)
    summary = Summary()
    with transaction.atomic():
        if rates.groups:
            step(f"deputy groups: {_groups()}")
        context = _Context.load(day, rates, rng)
        step(
            f"duty data for {len(context.deputies)} deputies, {len(context.organizers)} organizers"
        )
        writer = _Writer(summary)
        for organizer in context.organizers:
            _organize(context, organizer, writer, summary)
        writer.flush()
        step(f"activities: {summary.activities}, invitations: {summary.invitations}")
        for deputy in context.deputies:
            _reports(context, deputy, writer)
        writer.flush()
        step(f"duty records: {summary.records}")
    _analyze()
    if points:
        _points(context, summary, step)
    return summary


def first_stations() -> dict[int, int]:
    """Each mandate's first active liaison station, the one duties.services files its
    records with."""
    found: dict[int, int] = {}
    for mandate_id, station_id in (
        Mandate.stations.through.objects.filter(organization__is_active=True)
        .order_by("mandate_id", "organization_id")
        .values_list("mandate_id", "organization_id")
    ):
        found.setdefault(mandate_id, station_id)
    return found


GROUP_SIZE = 12
_NUMERALS = "一二三四五六七八九十"


def _groups() -> int:
    """Deputy groups as congresses form them: a county congress's deputies by the township
    of their liaison station, a city congress's by the county they live in, a township
    congress's in groups of about twelve."""
    congress_of = dict(Congress.objects.values_list("region_id", "pk"))
    station_region = dict(
        Organization.objects.filter(kind=OrganizationKind.LIAISON_STATION).values_list(
            "pk", "region_id"
        )
    )
    names = dict(Region.objects.values_list("code", "name"))
    first_station = first_stations()
    members: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    rows = (
        Mandate.objects.filter(person__user__username__startswith="d0", group__isnull=True)
        .order_by("region_id", "pk")
        .values_list("pk", "region_id", "region__level", "person__region_id")
    )
    township_counts: dict[str, int] = defaultdict(int)
    for pk, region_id, level, home in rows:
        if level == RegionLevel.COUNTY and pk in first_station:
            where = station_region[first_station[pk]]
            members[(region_id, f"{names[where]}代表小组", where)].append(pk)
        elif level == RegionLevel.CITY:
            county = home[:6] + "000000"
            members[(region_id, f"{names.get(county, '')}代表小组", county)].append(pk)
        elif level == RegionLevel.TOWNSHIP:
            number = township_counts[region_id] // GROUP_SIZE
            township_counts[region_id] += 1
            label = _NUMERALS[number] if number < len(_NUMERALS) else str(number + 1)
            members[(region_id, f"{names[region_id]}第{label}代表小组", region_id)].append(pk)
    stations = {region: pk for pk, region in station_region.items()}
    groups = DeputyGroup.objects.bulk_create(
        [
            DeputyGroup(
                congress_id=congress_of[congress],
                name=name,
                region_id=where,
                station_id=stations.get(where),
            )
            for congress, name, where in members
        ],
        batch_size=BATCH,
    )
    for group, ids in zip(groups, members.values(), strict=True):
        Mandate.objects.filter(pk__in=ids).update(group=group)
    return len(groups)


def _analyze() -> None:
    tables = [m._meta.db_table for m in (Activity, Invitation, DutyRecord)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            cursor.execute(f"{verb} {', '.join(connection.ops.quote_name(t) for t in tables)}")
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


@dataclass
class _Context:
    today: datetime.date
    rates: Rates
    rng: random.Random
    tz: datetime.tzinfo
    deputies: list[_Deputy]
    organizers: list[_Organizer]
    # Who creates and reviews in a region: the demo account responsible there, else the
    # city office's account.
    staff_by_region: dict[str, int]
    station_user: tuple[int, int] | None
    city_office_user: int
    region_names: dict[str, str]
    congress_terms: dict[str, list[tuple[int, datetime.date]]]

    @classmethod
    def load(cls, today: datetime.date, rates: Rates, rng: random.Random) -> _Context:
        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        starts: dict[int, datetime.date] = dict(Term.objects.values_list("pk", "start_date"))
        terms_of: dict[str, list[tuple[int, datetime.date]]] = defaultdict(list)
        for congress_id, region_id, start in Term.objects.values_list(
            "congress_id", "congress__region_id", "start_date"
        ).order_by("congress__region_id", "start_date"):
            terms_of[region_id].append((congress_id, start))
        first_station = first_stations()
        rows = (
            Mandate.objects.filter(person__user__username__startswith="d0", status="serving")
            .order_by("pk")
            .values_list("pk", "region_id", "person__user__id", "term_id")
        )
        deputies: list[_Deputy] = []
        for pk, region_id, user_id, term_id in rows:
            roll = rng.random()
            engagement = 0.25 if roll < 0.15 else (1.6 if roll > 0.85 else 1.0)
            dormant = None
            if rng.random() < 0.04:
                dormant = today - datetime.timedelta(days=rng.randrange(100, 220))
            deputies.append(
                _Deputy(
                    pk,
                    region_id,
                    user_id,
                    first_station.get(pk),
                    starts[term_id],
                    engagement,
                    dormant,
                )
            )
        organizers = _organizers(deputies)
        users = dict(
            User.objects.filter(
                username__in=["office", "county_office", "township_office", "station"]
            ).values_list("username", "pk")
        )
        grants = {
            g.user.username: g
            for g in RoleGrant.objects.filter(
                user__username__in=["county_office", "township_office", "station"],
                role__in=[Role.OFFICE, Role.STATION],
            ).select_related("user", "region")
        }
        staff: dict[str, int] = {}
        for username in ("county_office", "township_office"):
            grant = grants.get(username)
            if grant is not None:
                staff[grant.region.code] = users[username]
        station_grant = grants.get("station")
        station_user = (
            (station_grant.organization_id, users["station"])
            if station_grant is not None and station_grant.organization_id
            else None
        )
        names = dict(
            Region.objects.filter(
                level__in=[RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP]
            ).values_list("code", "name")
        )
        return cls(
            today=today,
            rates=rates,
            rng=rng,
            tz=tz,
            deputies=deputies,
            organizers=organizers,
            staff_by_region=staff,
            station_user=station_user,
            city_office_user=users["office"],
            region_names=names,
            congress_terms=dict(terms_of),
        )

    def staff_for(self, region_code: str, station_id: int | None = None) -> int:
        if self.station_user and station_id == self.station_user[0]:
            return self.station_user[1]
        # The most local demo office covering the region.
        best, best_len = self.city_office_user, -1
        for code, user_id in self.staff_by_region.items():
            prefix = code.rstrip("0")
            if region_code.startswith(prefix) and len(prefix) > best_len:
                best, best_len = user_id, len(prefix)
        return best

    def first_day(self, start: datetime.date) -> datetime.date:
        if self.rates.years is None:
            return start
        return max(start, datetime.date(self.today.year - self.rates.years + 1, 1, 1))

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)

    def place(self, region_code: str) -> str:
        return self.region_names.get(region_code[:9] + "000", "") or self.region_names.get(
            region_code[:6] + "000000", "衡阳市"
        )


def _organizers(deputies: list[_Deputy]) -> list[_Organizer]:
    """Each congress office organizes for its congress's deputies; each station for the
    deputies linked to it (city and county stations, which have no links, for the
    congress of their own region)."""
    by_region: dict[str, list[_Deputy]] = defaultdict(list)
    by_station: dict[int, list[_Deputy]] = defaultdict(list)
    for deputy in deputies:
        by_region[deputy.region_id].append(deputy)
        if deputy.station_id:
            by_station[deputy.station_id].append(deputy)
    orgs = (
        Organization.objects.filter(
            kind__in=[OrganizationKind.CONGRESS_OFFICE, OrganizationKind.LIAISON_STATION],
            region__level__in=[RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP],
        )
        .select_related("region")
        .order_by("region_id", "kind", "pk")
    )
    result: list[_Organizer] = []
    for org in orgs:
        if org.kind == OrganizationKind.LIAISON_STATION:
            pool = by_station.get(org.pk) or by_region.get(org.region_id, [])
        else:
            pool = by_region.get(org.region_id, [])
        if pool:
            result.append(_Organizer(org=org, region=org.region, pool=pool))
    return result


def _days(first: datetime.date, last: datetime.date) -> int:
    return max(0, (last - first).days)


def _organize(ctx: _Context, organizer: _Organizer, writer: _Writer, summary: Summary) -> None:
    rng, rates = ctx.rng, ctx.rates
    pool = organizer.pool
    first = ctx.first_day(min(d.start for d in pool))
    span = _days(first, ctx.today)
    low, high = rates.invitees
    mean_invitees = min(len(pool), (low + high) / 2)
    count = round(rates.invitations_per_member_year * len(pool) * span / 365 / mean_invitees)
    upcoming = int(rates.upcoming) + (1 if rng.random() < rates.upcoming % 1 else 0)
    creator = ctx.staff_for(organizer.region.code, organizer.org.pk)
    place = ctx.place(organizer.region.code)
    activities: list[tuple[Activity, list[_Deputy]]] = []
    for index in range(count + upcoming):
        if index < count:
            day = first + datetime.timedelta(days=rng.randrange(max(1, span)))
        else:
            day = ctx.today + datetime.timedelta(days=rng.randrange(3, 25))
        kind = _organized_kind(rng)
        hour = rng.choice([9, 9, 14])
        starts = ctx.at(day, hour, rng.choice([0, 30]))
        ends = starts + datetime.timedelta(hours=rng.choice([2, 3, 3, 4]))
        if day >= ctx.today:
            status, closed_at = ActivityStatus.PLANNED, None
        elif rng.random() < 0.02:
            status, closed_at = ActivityStatus.CANCELLED, None
        else:
            status, closed_at = ActivityStatus.CLOSED, ends + datetime.timedelta(hours=20)
        title, description = _activity_text(rng, kind, organizer.org, place)
        activity = Activity(
            region_id=organizer.region.code,
            organizer=organizer.org,
            kind=kind,
            title=title,
            description=description,
            location=organizer.org.address or place,
            starts_at=starts,
            ends_at=ends,
            status=status,
            created_by_id=creator,
            closed_at=closed_at,
        )
        size = min(len(pool), rng.randint(low, high))
        activities.append((activity, rng.sample(pool, size)))
    Activity.objects.bulk_create([a for a, _ in activities], batch_size=BATCH)
    summary.activities += len(activities)
    for activity, invitees in activities:
        _invite(ctx, activity, invitees, creator, writer)


def _activity_text(rng: random.Random, kind: str, org: Organization, place: str) -> tuple[str, str]:
    topic = rng.choice(_TOPICS)
    match kind:
        case ActivityKind.MEETING:
            title = rng.choice(
                [f"{place}人大代表座谈会", f"{org.name}代表季度例会", f"{topic}工作情况通报会"]
            )
        case ActivityKind.TRAINING:
            title = rng.choice(["人大代表履职能力培训", "新修订法律法规学习会", f"{topic}专题学习"])
        case ActivityKind.INSPECTION:
            title = f"视察{place}{topic}工作"
        case ActivityKind.SURVEY:
            title = f"{topic}专题调研"
        case ActivityKind.LAW_CHECK:
            title = f"《{rng.choice(_LAWS)}》执法检查".replace("《《", "《").replace("》》", "》")
        case ActivityKind.RECEPTION:
            title = rng.choice([f"{place}代表接待选民日", f"“{topic}”主题接待活动"])
        case ActivityKind.STATION_DUTY:
            title = f"{org.short_name or org.name}代表进站履职日"
        case _:
            title = f"{topic}志愿服务活动"
    return title[:200], f"围绕{topic},组织代表开展活动,听取群众意见建议。"


def _invite(
    ctx: _Context, activity: Activity, invitees: Iterable[_Deputy], creator: int, writer: _Writer
) -> None:
    rng = ctx.rng
    day = local_date(activity.starts_at)
    closed = activity.status == ActivityStatus.CLOSED
    for deputy in invitees:
        status = AttendanceStatus.INVITED
        checked_in_at = None
        method = ""
        reason = ""
        if closed:
            dormant = deputy.dormant_since is not None and day >= deputy.dormant_since
            attend = 0.0 if dormant else min(0.97, 0.82 * deputy.engagement**0.5)
            roll = rng.random()
            if roll < attend:
                status = AttendanceStatus.ATTENDED
                checked_in_at = activity.starts_at - datetime.timedelta(
                    minutes=rng.randrange(0, 25)
                )
                method = CheckinMethod.QR if rng.random() < 0.8 else CheckinMethod.ORGANIZER
            elif roll < attend + (1 - attend) * 0.45:
                status = AttendanceStatus.LEAVE
                reason = rng.choice(_LEAVE_REASONS)
            else:
                status = AttendanceStatus.ABSENT
        writer.add_invitation(
            Invitation(
                activity=activity,
                mandate_id=deputy.mandate_id,
                status=status,
                checked_in_at=checked_in_at,
                checkin_method=method,
                leave_reason=reason,
                updated_by_id=creator if closed else None,
            )
        )
        if status == AttendanceStatus.ATTENDED:
            writer.add_record(
                DutyRecord(
                    mandate_id=deputy.mandate_id,
                    region_id=deputy.region_id,
                    station_id=deputy.station_id,
                    kind=activity.kind,
                    title=activity.title,
                    occurred_on=day,
                    source=RecordSource.ORGANIZED,
                    status=RecordStatus.CONFIRMED,
                    activity=activity,
                    entered_by_id=creator,
                    reviewed_by_id=creator,
                    reviewed_at=activity.closed_at,
                )
            )


def _reports(ctx: _Context, deputy: _Deputy, writer: _Writer) -> None:
    """A deputy's own reports: mostly confirmed; the last month's partly still waiting for
    the station, and a few returned for more detail."""
    rng = ctx.rng
    first = ctx.first_day(deputy.start)
    last = deputy.dormant_since or ctx.today
    span = _days(first, last)
    expected = ctx.rates.reports_per_year * deputy.engagement * span / 365
    count = int(expected) + (1 if rng.random() < expected % 1 else 0)
    reviewer = ctx.staff_for(deputy.region_id, deputy.station_id)
    place = ctx.place(deputy.region_id)
    recent = ctx.today - datetime.timedelta(days=30)
    for _ in range(count):
        day = first + datetime.timedelta(days=rng.randrange(max(1, span)))
        kind = _reported_kind(rng)
        topic = rng.choice(_TOPICS)
        content = rng.choice(_REPORT_TEXTS[kind]).format(
            n=rng.randint(3, 40), m=rng.randint(1, 8), topic=topic, place=place
        )
        proxy = rng.random() < 0.15 and deputy.station_id is not None
        roll = rng.random()
        if day >= recent and roll < 0.3:
            status = RecordStatus.SUBMITTED
        elif roll > (0.95 if day >= recent else 0.99):
            status = RecordStatus.RETURNED
        else:
            status = RecordStatus.CONFIRMED
        reviewed = status != RecordStatus.SUBMITTED
        reviewed_at = ctx.at(min(ctx.today, day + datetime.timedelta(days=rng.randint(0, 6))), 16)
        writer.add_record(
            DutyRecord(
                mandate_id=deputy.mandate_id,
                region_id=deputy.region_id,
                station_id=deputy.station_id,
                kind=kind,
                title=_REPORT_TITLES[kind].format(topic=topic),
                content=content,
                occurred_on=day,
                source=RecordSource.PROXY if proxy else RecordSource.SELF,
                status=status,
                entered_by_id=reviewer if proxy else deputy.user_id,
                reviewed_by_id=reviewer if reviewed else None,
                reviewed_at=reviewed_at if reviewed else None,
                review_comment=rng.choice(_RETURN_REASONS)
                if status == RecordStatus.RETURNED
                else "",
            )
        )


def _congress_years(ctx: _Context) -> Iterator[tuple[int, int]]:
    """(congress id, year) for every congress and year that has confirmed records."""
    spans = (
        DutyRecord.objects.filter(status=RecordStatus.CONFIRMED)
        .order_by()
        .values_list("region_id")
        .annotate(first=Min("occurred_on"), last=Max("occurred_on"))
    )
    seen: set[tuple[int, int]] = set()
    for region_id, first, last in spans:
        terms = ctx.congress_terms.get(region_id)
        if terms:
            seen.update((terms[0][0], year) for year in range(first.year, last.year + 1))
    yield from sorted(seen)


def _points(ctx: _Context, summary: Summary, step: Callable[[str], None]) -> None:
    recompute = _recompute_year()
    if recompute is None:
        summary.points_skipped = "renda.points.services.recompute_year is not available"
        step(f"points skipped: {summary.points_skipped}")
        return
    for congress_id, year in _congress_years(ctx):
        recompute(congress_id=congress_id, year=year)
        summary.point_years += 1
    step(f"points: {summary.point_years} congress-years")


def _recompute_year() -> Callable[..., Any] | None:
    try:
        from renda.points import services as points_services
    except ImportError:
        return None
    return getattr(points_services, "recompute_year", None)
