"""Deterministic demo data: a Hengyang-like city with its counties, townships, congresses,
offices, handling units, liaison stations, people and the documented demo accounts.

The same code builds both scales; ``small`` trims the plan so tests and a first ``make run``
are quick, ``city`` reproduces the scale in the domain brief (13,195 deputies, 219 townships,
232 stations). Mass rows go in with bulk_create; the demo accounts go through the services so
they look exactly like accounts an office would create.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from renda.core import audit, crypto, services
from renda.core.models import (
    AuditAction,
    Congress,
    Organization,
    OrganizationKind,
    Person,
    Region,
    RegionLevel,
    Role,
    RoleGrant,
    Term,
    User,
)
from renda.core.text import pinyin_initials
from renda.core.validators import id_number_check_digit

DEMO_PASSWORD = "Demo-2026!"  # noqa: S105 - documented demo password, demo data only
# The demo administrator's TOTP secret (base32 "JBSWY3DPEHPK3PXP"), printed by `make run`
# so the 2FA step can be completed with any authenticator app.
DEMO_ADMIN_TOTP_HEX = "48656c6c6f21deadbeef"
SEED = 2026

M = TypeVar("M", bound=models.Model)

# Hengyang's twelve county-level divisions with their statutory codes.
COUNTIES: list[tuple[str, str]] = [
    ("430405", "珠晖区"),
    ("430406", "雁峰区"),
    ("430407", "石鼓区"),
    ("430408", "蒸湘区"),
    ("430412", "南岳区"),
    ("430421", "衡阳县"),
    ("430422", "衡南县"),
    ("430423", "衡山县"),
    ("430424", "衡东县"),
    ("430426", "祁东县"),
    ("430481", "耒阳市"),
    ("430482", "常宁市"),
]
# Townships per county, summing to Hengyang's 219.
TOWNSHIPS_PER_COUNTY = [10, 9, 8, 10, 6, 25, 24, 15, 20, 24, 33, 35]
# Deputies per level as in a real city of this size: 13,195 in all.
CITY_DEPUTIES = {"national": 12, "province": 96, "city": 512, "county": 2611, "township": 9964}

_FIRST = "宏志建国文明秀兰玉芳海涛红梅立新晓东春华丽娟永强桂英德胜淑珍振华金凤卫东爱民子轩欣怡浩然思远雨桐佳怡俊杰"
_SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武"
_PLACE = "西渡洪市台源集兵曲兰金溪演陂渣江三湖界牌杉桥井头岘山樟木库宗长乐关市大安新塘石市栏垅板市溪江金兰"
_TOWNSHIP_SUFFIX = ["镇", "镇", "镇", "乡", "街道"]
_ETHNICITIES = ["汉族"] * 18 + ["瑶族", "回族"]
_PARTIES = ["中共党员"] * 7 + ["群众", "民盟盟员", "九三学社社员", "无党派人士"]
_EDUCATION = ["大学本科", "研究生", "大学专科", "高中", "初中"]
_POSTS = ["村党支部书记", "企业负责人", "教师", "医生", "农民", "社区居委会主任", "工人", "律师"]
CITY_UNITS = [
    "发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局",
    "财政局", "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局",
    "城市管理和综合执法局", "交通运输局", "水利局", "农业农村局", "商务局", "文化旅游广电体育局",
    "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局", "市场监督管理局", "统计局",
    "医疗保障局", "林业局", "乡村振兴局", "信访局", "数据资源局", "行政审批服务局", "国有资产监督管理委员会",
    "机关事务管理局", "地方金融监督管理局", "粮食和物资储备局", "人民防空办公室", "住房公积金管理中心",
    "供销合作社", "残疾人联合会", "妇女联合会", "总工会", "共青团委员会", "科学技术协会",
    "气象局", "税务局", "自来水公司", "供电公司", "燃气公司", "公交集团", "城市建设投资集团",
    "高新技术产业开发区管委会", "综合保税区管委会", "南岳衡山风景名胜区管理局", "教育考试院",
    "疾病预防控制中心", "中心医院", "公共资源交易中心",
]
COUNTY_UNITS = ["教育局", "财政局", "住房和城乡建设局", "交通运输局", "卫生健康局", "农业农村局"]


@dataclass
class Plan:
    counties: list[tuple[str, str]]
    townships_per_county: list[int]
    deputies: dict[str, int]
    city_units: list[str]
    county_units: list[str]
    villages_per_township: int = 0


PLANS: dict[str, Plan] = {
    "small": Plan(
        counties=[("430421", "衡阳县"), ("430405", "珠晖区")],
        townships_per_county=[3, 3],
        deputies={"national": 1, "province": 2, "city": 12, "county": 20, "township": 40},
        city_units=CITY_UNITS[:14],
        county_units=COUNTY_UNITS[:3],
    ),
    "city": Plan(
        counties=COUNTIES,
        townships_per_county=TOWNSHIPS_PER_COUNTY,
        deputies=CITY_DEPUTIES,
        city_units=CITY_UNITS,
        county_units=COUNTY_UNITS,
    ),
}


@dataclass
class World:
    """What the seed created, for the demo accounts and for tests to refer to."""

    national: Region
    province: Region
    city: Region
    counties: list[Region] = field(default_factory=list)
    townships: list[Region] = field(default_factory=list)
    congresses: dict[str, Congress] = field(default_factory=dict)
    offices: dict[str, Organization] = field(default_factory=dict)
    stations: dict[str, Organization] = field(default_factory=dict)
    units: list[Organization] = field(default_factory=list)
    accounts: dict[str, User] = field(default_factory=dict)


def _bulk(model: type[M], rows: Iterable[M], batch: int = 2000) -> list[M]:
    return model.objects.bulk_create(list(rows), batch_size=batch)


class _People:
    """Deterministic plausible people: name, gender, birth date and a valid ID number."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.serial = 0

    def make(self, region: Region, **extra: Any) -> Person:
        rng = self.rng
        self.serial += 1
        name = rng.choice(_SURNAMES) + "".join(rng.sample(_FIRST, rng.choice([1, 2])))
        gender = rng.choice("MF")
        birth = datetime.date(1958, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 42))
        order = f"{self.serial % 999 + 1:03d}"
        if (int(order[-1]) % 2 == 1) != (gender == "M"):
            order = order[:2] + str((int(order[-1]) + 1) % 10)
        first17 = f"{region.code[:6]}{birth:%Y%m%d}{order}"
        id_number = first17 + id_number_check_digit(first17)
        phone = f"1{rng.choice('3589')}{rng.randrange(0, 10)}{self.serial:08d}"
        person = Person(
            region=region,
            name=name,
            name_initials=pinyin_initials(name),
            gender=gender,
            ethnicity=rng.choice(_ETHNICITIES),
            birth_date=birth,
            party=rng.choice(_PARTIES),
            education=rng.choice(_EDUCATION),
            employer=extra.pop("employer", f"{region.name}{rng.choice(['人民政府', '中心学校', '卫生院', '农业合作社'])}"),
            post=extra.pop("post", rng.choice(_POSTS)),
            phone=phone,
            phone_bidx=crypto.blind_index(phone),
            id_number=id_number,
            id_number_bidx=crypto.blind_index(id_number),
        )
        for key, value in extra.items():
            setattr(person, key, value)
        return person


def _township_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = "".join(rng.sample(_PLACE, 2)) + rng.choice(_TOWNSHIP_SUFFIX)
        if name not in used:
            used.add(name)
            return name


def _term_dates(level: str) -> tuple[int, datetime.date, datetime.date]:
    # County and township congresses were elected in 2021, city and above in early 2022/2023.
    if level in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP):
        return (19 if level == RegionLevel.COUNTY else 20), datetime.date(2021, 10, 1), datetime.date(2026, 12, 31)
    if level == RegionLevel.CITY:
        return 16, datetime.date(2022, 1, 1), datetime.date(2026, 12, 31)
    return 14, datetime.date(2023, 1, 1), datetime.date(2027, 12, 31)


@transaction.atomic
def build(scale: str = "small", *, log: Callable[[str], None] = lambda _: None) -> World:
    plan = PLANS[scale]
    rng = random.Random(SEED)
    people = _People(rng)

    national = Region.objects.create(code="000000000000", name="中华人民共和国", level=RegionLevel.NATIONAL)
    province = Region.objects.create(code="430000000000", name="湖南省", level=RegionLevel.PROVINCE, parent=national)
    city = Region.objects.create(code="430400000000", name="衡阳市", level=RegionLevel.CITY, parent=province)
    world = World(national=national, province=province, city=city)
    world.counties = _bulk(
        Region,
        (Region(code=f"{code}000000", name=name, level=RegionLevel.COUNTY, parent=city) for code, name in plan.counties),
    )
    used: set[str] = set()
    townships: list[Region] = []
    for county, count in zip(world.counties, plan.townships_per_county, strict=True):
        for i in range(count):
            # Statutory township codes: 100-199 towns, 200-299 townships, 001-099 streets.
            townships.append(
                Region(code=f"{county.code[:6]}{100 + i:03d}000", name=_township_name(rng, used),
                       level=RegionLevel.TOWNSHIP, parent=county)
            )
    world.townships = _bulk(Region, townships)
    log(f"regions: {3 + len(world.counties) + len(world.townships)}")

    # Congresses with their current terms, and their bodies.
    congress_regions = [national, province, city, *world.counties, *world.townships]
    congresses = _bulk(
        Congress,
        (
            Congress(region=r, name=f"{r.name}人民代表大会" if r.level != RegionLevel.NATIONAL else "全国人民代表大会",
                     has_standing_committee=r.level != RegionLevel.TOWNSHIP)
            for r in congress_regions
        ),
    )
    world.congresses = {c.region_id: c for c in congresses}
    terms = []
    for c, r in zip(congresses, congress_regions, strict=True):
        number, start, end = _term_dates(r.level)
        terms.append(Term(congress=c, number=number, start_date=start, end_date=end))
    _bulk(Term, terms)

    orgs: list[Organization] = []
    for c, r in zip(congresses, congress_regions, strict=True):
        if r.level in (RegionLevel.NATIONAL, RegionLevel.PROVINCE):
            continue
        if r.level == RegionLevel.TOWNSHIP:
            orgs.append(Organization(name=f"{r.name}人大主席团", kind=OrganizationKind.PRESIDIUM, region=r, congress=c))
            orgs.append(Organization(name=f"{r.name}人大办公室", kind=OrganizationKind.CONGRESS_OFFICE, region=r, congress=c))
        else:
            orgs.append(Organization(name=f"{r.name}人大常委会", kind=OrganizationKind.STANDING_COMMITTEE, region=r, congress=c))
            orgs.append(Organization(name=f"{r.name}人大常委会办公室", kind=OrganizationKind.CONGRESS_OFFICE, region=r, congress=c))
            for wc in ("代表工作委员会", "预算工作委员会", "法制工作委员会"):
                orgs.append(Organization(name=f"{r.name}人大常委会{wc}", kind=OrganizationKind.WORKING_COMMITTEE, region=r, congress=c))
        station_name = {
            RegionLevel.CITY: f"{r.name}人大代表之家",
            RegionLevel.COUNTY: f"{r.name}人大代表联络总站",
            RegionLevel.TOWNSHIP: f"{r.name}人大代表联络站",
        }[r.level]
        orgs.append(Organization(name=station_name, kind=OrganizationKind.LIAISON_STATION, region=r,
                                 address=f"{r.name}人民政府院内", phone=f"0734-{8000000 + len(orgs)}"))
    for r, names in [(city, plan.city_units)] + [(county, plan.county_units) for county in world.counties]:
        orgs.append(Organization(name=f"{r.name}人民政府", kind=OrganizationKind.GOVERNMENT, region=r))
        orgs.append(Organization(name=f"{r.name}监察委员会", kind=OrganizationKind.SUPERVISION_COMMISSION, region=r))
        orgs.append(Organization(name=f"{r.name}人民法院" if r.level == RegionLevel.COUNTY else f"{r.name}中级人民法院", kind=OrganizationKind.COURT, region=r))
        orgs.append(Organization(name=f"{r.name}人民检察院", kind=OrganizationKind.PROCURATORATE, region=r))
        for unit in names:
            orgs.append(Organization(name=f"{r.name}{unit}", kind=OrganizationKind.GOVERNMENT_DEPARTMENT, region=r))
    orgs = _bulk(Organization, orgs)
    for org in orgs:
        if org.kind == OrganizationKind.CONGRESS_OFFICE:
            world.offices[org.region_id] = org
        elif org.kind == OrganizationKind.LIAISON_STATION:
            world.stations[org.region_id] = org
        elif org.kind != OrganizationKind.STANDING_COMMITTEE and org.congress_id is None:
            world.units.append(org)
    log(f"organizations: {len(orgs)} ({len(world.stations)} stations)")

    _seed_deputies(world, plan, people, rng, log)
    _seed_demo_accounts(world, people)
    audit.record(actor=None, actor_name="seed", action=AuditAction.CREATE, object_type="seed",
                 object_repr=f"demo data ({scale})", message=f"seed --scale {scale}")
    return world


def _seed_deputies(world: World, plan: Plan, people: _People, rng: random.Random,
                   log: Callable[[str], None]) -> None:
    """Deputies as people with an account (no usable password until activated) and a deputy
    grant on the congress they sit in; the deputies app adds their mandates."""
    homes = {
        "national": [world.city],
        "province": [world.city],
        "city": world.counties,
        "county": world.townships,
        "township": world.townships,
    }
    congress_region = {
        "national": lambda home: world.national,
        "province": lambda home: world.province,
        "city": lambda home: world.city,
        "county": lambda home: home.parent if home.level == RegionLevel.TOWNSHIP else home,
        "township": lambda home: home,
    }
    persons: list[Person] = []
    grant_regions: list[Region] = []
    for level, count in plan.deputies.items():
        pool = homes[level]
        for i in range(count):
            home = pool[i % len(pool)]
            persons.append(people.make(home if home.level != RegionLevel.CITY else world.city))
            grant_regions.append(congress_region[level](home))
    persons = _bulk(Person, persons)
    unusable = make_password(None)
    users = _bulk(
        User,
        (User(username=f"d{p.pk:06d}", person=p, password=unusable, must_change_password=True)
         for p in persons),
    )
    _bulk(RoleGrant, (RoleGrant(user=u, role=Role.DEPUTY, region=r)
                      for u, r in zip(users, grant_regions, strict=True)))
    log(f"deputies: {len(persons)}")


def _seed_demo_accounts(world: World, people: _People) -> None:
    county = next(c for c in world.counties if c.code.startswith("430421"))
    township = next(t for t in world.townships if t.parent_id == county.code)
    unit = next(u for u in world.units if u.region_id == world.city.code and u.name.endswith("住房和城乡建设局"))
    specs: list[tuple[str, Region, str, list[tuple[str, Region, Organization | None]]]] = [
        ("admin", world.city, "衡阳市人大常委会办公室信息中心", [(Role.ADMIN, world.city, None)]),
        ("office", world.city, "衡阳市人大常委会办公室", [(Role.OFFICE, world.city, None)]),
        ("county_office", county, f"{county.name}人大常委会办公室", [(Role.OFFICE, county, None)]),
        ("township_office", township, f"{township.name}人大办公室", [(Role.OFFICE, township, None)]),
        ("deputy", township, f"{township.name}中心学校",
         [(Role.DEPUTY, world.city, None), (Role.DEPUTY, county, None)]),
        ("station", township, world.stations[township.code].name,
         [(Role.STATION, township, world.stations[township.code])]),
        ("unit", world.city, unit.name, [(Role.UNIT, world.city, unit)]),
        ("leader", world.city, "衡阳市人大常委会", [(Role.LEADER, world.city, None)]),
        ("citizen", township, "", [(Role.CITIZEN, township, None)]),
    ]
    hashed = make_password(DEMO_PASSWORD)
    for username, home, employer, grants in specs:
        person = people.make(home, employer=employer or "个体经营", post="")
        person.save()
        user = User.objects.create(username=username, person=person, password=hashed,
                                   must_change_password=False)
        for role, region, org in grants:
            services.grant_role(actor=None, user=user, role=role, region=region, organization=org)
        world.accounts[username] = user
    _admin_totp(world.accounts["admin"])


def _admin_totp(user: User) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="演示验证器", key=DEMO_ADMIN_TOTP_HEX, confirmed=True)


def is_seeded() -> bool:
    return Region.objects.filter(code="430400000000").exists()


def demo_accounts_text() -> str:
    base = getattr(settings, "SITE_URL", "http://127.0.0.1:8000")
    return (
        f"Renda 已启动: {base}\n"
        f"演示账号(密码均为 {DEMO_PASSWORD}):\n"
        "  admin 系统管理员(需两步验证,验证器密钥 JBSWY3DPEHPK3PXP)\n"
        "  office 市人大常委会办公室 | county_office 衡阳县人大常委会办公室\n"
        "  township_office 乡镇人大办公室 | deputy 人大代表 | station 联络站管理员\n"
        "  unit 承办单位(市住建局) | leader 常委会领导 | citizen 群众\n"
    )
