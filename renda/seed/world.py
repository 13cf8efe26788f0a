"""Deterministic demo data: a Hengyang-like city with its counties, townships, congresses,
offices, handling units, liaison stations, people and the documented demo accounts.

The same code builds both scales; ``small`` trims the plan so tests and a first ``make run``
are quick, ``city`` reproduces the scale in the domain brief (13,195 deputies, 12 counties,
219 townships, 232 stations, about 60 city government units).

Generation and insertion are separate steps: ``generate`` builds every row as an unsaved
model instance from one seeded random generator (no database access, so tests can check the
city plan's arithmetic and determinism cheaply), and ``build`` inserts them with bulk_create
in dependency order. Only the demo accounts go through the services, so they look exactly
like accounts an office would create.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import itertools
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.hashers import get_hasher, make_password
from django.db import connection, models, transaction

from renda.core import audit, crypto, services
from renda.core import congresses as congress_listeners
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
from renda.deputies import services as deputy_services
from renda.deputies.models import DeputyCategory, Mandate

DEMO_PASSWORD = "Demo-2026!"  # noqa: S105 - documented demo password, demo data only
# The demo administrator's TOTP secret (base32 "JBSWY3DPEHPK3PXP"), printed by `make run`
# so the 2FA step can be completed with any authenticator app.
DEMO_ADMIN_TOTP_HEX = "48656c6c6f21deadbeef"
SEED = 2026
# make_password(DEMO_PASSWORD) with a fixed salt, computed once: Argon2 takes a noticeable
# fraction of a second on a small machine, and the small seed runs at every test session.
_DEMO_PASSWORD_HASH = (
    "argon2$argon2id$v=19$m=102400,t=2,p=8$cmVuZGFkZW1vMjAyNnNlZWQ$"  # noqa: S105 - demo only
    "j/7lWIhZ3vrJVRCrxZSiGIXRI7DNxEaSg0dwxMzg7dU"
)
CITY_CODE = "430400000000"
CITY_NAME = "衡阳市"
AREA_CODE = "0734"

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class CountyPlan:
    """One county-level division and how its township-level divisions split by kind."""

    code: str  # six-digit GB/T 2260 code
    name: str
    # Residents in thousands (2020 census, rounded): weights for how many deputies it has.
    population: int
    # 街道 have no congress of their own (the district's standing committee keeps a working
    # committee there); 镇 and 乡 each have a township congress with a presidium.
    streets: int
    towns: int
    xiang: int
    # Real township names placed first in their kind (the county seat comes first).
    known: tuple[str, ...] = ()

    @property
    def townships(self) -> int:
        return self.streets + self.towns + self.xiang


# Hengyang's twelve county-level divisions with their statutory codes.
HENGYANG: list[CountyPlan] = [
    CountyPlan(
        "430405",
        "珠晖区",
        410,
        7,
        2,
        1,
        ("广东路街道", "东风街道", "苗圃街道", "冶金街道", "茶山坳镇", "和平乡"),
    ),
    CountyPlan(
        "430406",
        "雁峰区",
        300,
        7,
        1,
        1,
        ("先锋街道", "天马山街道", "白沙洲街道", "黄茶岭街道", "岳屏镇"),
    ),
    CountyPlan(
        "430407",
        "石鼓区",
        290,
        6,
        1,
        1,
        ("人民路街道", "青山街道", "五一街道", "潇湘街道", "角山镇"),
    ),
    CountyPlan(
        "430408",
        "蒸湘区",
        390,
        8,
        2,
        0,
        ("联合街道", "红湘街道", "蒸湘街道", "雨母山镇", "呆鹰岭镇"),
    ),
    CountyPlan("430412", "南岳区", 60, 2, 3, 1, ("祝融街道", "南岳镇", "寿岳乡")),
    CountyPlan(
        "430421",
        "衡阳县",
        920,
        0,
        17,
        8,
        (
            "西渡镇",
            "演陂镇",
            "金兰镇",
            "洪市镇",
            "曲兰镇",
            "井头镇",
            "台源镇",
            "渣江镇",
            "集兵镇",
            "界牌镇",
            "杉桥镇",
            "岣嵝乡",
        ),
    ),
    CountyPlan(
        "430422",
        "衡南县",
        800,
        0,
        21,
        3,
        ("云集镇", "车江镇", "冠市镇", "茶市镇", "松江镇", "花桥镇", "宝盖镇", "泉溪镇"),
    ),
    CountyPlan(
        "430423",
        "衡山县",
        310,
        0,
        11,
        4,
        ("开云镇", "白果镇", "店门镇", "萱洲镇", "长江镇", "东湖镇"),
    ),
    CountyPlan(
        "430424",
        "衡东县",
        540,
        0,
        15,
        5,
        ("城关镇", "大浦镇", "吴集镇", "甘溪镇", "杨林镇", "草市镇", "霞流镇"),
    ),
    CountyPlan(
        "430426",
        "祁东县",
        800,
        3,
        18,
        3,
        ("洪桥街道", "永昌街道", "玉合街道", "白鹤镇", "归阳镇", "过水坪镇", "黄土铺镇"),
    ),
    CountyPlan(
        "430481",
        "耒阳市",
        1080,
        6,
        19,
        8,
        (
            "蔡子池街道",
            "灶市街街道",
            "水东江街道",
            "三架街道",
            "五里牌街道",
            "哲桥镇",
            "新市镇",
            "大市镇",
        ),
    ),
    CountyPlan(
        "430482",
        "常宁市",
        770,
        4,
        14,
        17,
        ("宜阳街道", "培元街道", "泉峰街道", "水口山镇", "松柏镇", "塔山瑶族乡"),
    ),
]
# Kept for callers of the first version of this module.
COUNTIES: list[tuple[str, str]] = [(c.code, c.name) for c in HENGYANG]
TOWNSHIPS_PER_COUNTY: list[int] = [c.townships for c in HENGYANG]
# Deputies per level as in a real city of this size: 13,195 in all.
CITY_DEPUTIES = {"national": 12, "province": 96, "city": 512, "county": 2611, "township": 9964}
DEPUTY_LEVELS = ("national", "province", "city", "county", "township")

CITY_UNITS = [
    "发展和改革委员会",
    "教育局",
    "科学技术局",
    "工业和信息化局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "城市管理和综合执法局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化旅游广电体育局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "林业局",
    "乡村振兴局",
    "信访局",
    "数据资源局",
    "行政审批服务局",
    "国有资产监督管理委员会",
    "机关事务管理局",
    "地方金融监督管理局",
    "粮食和物资储备局",
    "人民防空办公室",
    "住房公积金管理中心",
    "供销合作社",
    "残疾人联合会",
    "妇女联合会",
    "总工会",
    "共青团委员会",
    "科学技术协会",
    "气象局",
    "税务局",
    "自来水公司",
    "供电公司",
    "燃气公司",
    "公交集团",
    "城市建设投资集团",
    "高新技术产业开发区管委会",
    "综合保税区管委会",
    "南岳衡山风景名胜区管理局",
    "教育考试院",
    "疾病预防控制中心",
    "中心医院",
    "公共资源交易中心",
]
COUNTY_UNITS = [
    "教育局",
    "财政局",
    "住房和城乡建设局",
    "交通运输局",
    "卫生健康局",
    "农业农村局",
    "自然资源局",
    "水利局",
    "民政局",
    "人力资源和社会保障局",
    "市场监督管理局",
    "公安局",
]
# How people actually write these names in lists and letters.
_UNIT_SHORT = {
    "发展和改革委员会": "发改委",
    "工业和信息化局": "工信局",
    "人力资源和社会保障局": "人社局",
    "自然资源和规划局": "自然资源局",
    "住房和城乡建设局": "住建局",
    "城市管理和综合执法局": "城管局",
    "交通运输局": "交通局",
    "文化旅游广电体育局": "文旅广体局",
    "卫生健康委员会": "卫健委",
    "卫生健康局": "卫健局",
    "退役军人事务局": "退役军人局",
    "应急管理局": "应急局",
    "市场监督管理局": "市场监管局",
    "医疗保障局": "医保局",
    "国有资产监督管理委员会": "国资委",
    "机关事务管理局": "机关事务局",
    "地方金融监督管理局": "金融局",
    "粮食和物资储备局": "粮储局",
    "人民防空办公室": "人防办",
    "科学技术局": "科技局",
    "行政审批服务局": "行政审批局",
    "住房公积金管理中心": "公积金中心",
    "残疾人联合会": "残联",
    "妇女联合会": "妇联",
    "共青团委员会": "团市委",
    "科学技术协会": "科协",
    "疾病预防控制中心": "疾控中心",
}
_CITY_WORKING_COMMITTEES = (
    "代表工作委员会",
    "预算工作委员会",
    "法制工作委员会",
    "财政经济工作委员会",
    "教育科学文化卫生工作委员会",
    "城乡建设环境保护工作委员会",
    "农业农村工作委员会",
    "社会建设工作委员会",
    "监察和司法工作委员会",
)
_COUNTY_WORKING_COMMITTEES = (
    "代表工作委员会",
    "预算工作委员会",
    "法制工作委员会",
    "财政经济工作委员会",
    "农业农村工作委员会",
)


@dataclass(frozen=True)
class Plan:
    counties: list[CountyPlan]
    deputies: dict[str, int]
    city_units: list[str]
    county_units: list[str]

    @property
    def township_count(self) -> int:
        return sum(c.townships for c in self.counties)

    @property
    def street_count(self) -> int:
        return sum(c.streets for c in self.counties)

    @property
    def station_count(self) -> int:
        # One station (or deputies' home) per city, county and township-level division.
        return 1 + len(self.counties) + self.township_count

    @property
    def deputy_count(self) -> int:
        return sum(self.deputies.values())


PLANS: dict[str, Plan] = {
    "small": Plan(
        counties=[
            CountyPlan("430421", "衡阳县", 920, 0, 2, 1, ("西渡镇", "演陂镇", "岣嵝乡")),
            # No street in the small world: code written against it may assume every
            # township-level region has a congress (true for towns and xiang only).
            CountyPlan("430405", "珠晖区", 410, 0, 2, 1, ("茶山坳镇", "东阳渡镇", "和平乡")),
        ],
        deputies={"national": 1, "province": 2, "city": 12, "county": 20, "township": 40},
        city_units=CITY_UNITS[:14],
        county_units=COUNTY_UNITS[:3],
    ),
    "city": Plan(
        counties=HENGYANG,
        deputies=CITY_DEPUTIES,
        city_units=CITY_UNITS,
        county_units=COUNTY_UNITS,
    ),
}

# --- name pools -------------------------------------------------------------------------
# Surnames weighted roughly as in Hunan, where 刘, 李, 王, 陈 lead and 谭, 彭, 曾 are common.
_SURNAMES: list[tuple[str, float]] = [
    ("刘", 9),
    ("李", 7),
    ("王", 6),
    ("陈", 6),
    ("张", 5),
    ("周", 4),
    ("谭", 4),
    ("罗", 4),
    ("彭", 3.5),
    ("杨", 3),
    ("曾", 3),
    ("唐", 3),
    ("邓", 3),
    ("黄", 3),
    ("胡", 3),
    ("肖", 3),
    ("廖", 2.5),
    ("蒋", 2),
    ("谢", 2),
    ("贺", 2),
    ("邹", 2),
    ("朱", 2),
    ("何", 2),
    ("赵", 1.5),
    ("吴", 1.5),
    ("文", 1.5),
    ("欧阳", 1),
    ("龙", 1),
    ("颜", 1),
    ("阳", 1),
    ("雷", 1),
    ("宁", 1),
    ("许", 1),
    ("徐", 1),
    ("孙", 1),
    ("郭", 1),
    ("段", 1),
    ("尹", 1),
    ("易", 1),
    ("袁", 1),
    ("蔡", 1),
    ("石", 1),
    ("侯", 0.8),
    ("汤", 0.8),
    ("伍", 0.8),
    ("丁", 0.8),
    ("夏", 0.8),
    ("向", 0.8),
    ("邱", 0.8),
    ("钟", 0.8),
    ("田", 0.8),
    ("旷", 0.6),
    ("左", 0.6),
    ("聂", 0.7),
    ("江", 0.7),
    ("姚", 0.7),
    ("方", 0.6),
    ("成", 0.6),
    ("万", 0.5),
    ("谷", 0.5),
    ("屈", 0.5),
    ("资", 0.4),
    ("皮", 0.4),
    ("凌", 0.4),
    ("司马", 0.1),
]
_MALE = "伟强军平勇建国华明志辉波斌涛峰林杰鹏宇浩文俊毅卫东海新春正德荣光清晓立永红云飞龙剑锋刚亮超成翔胜宏振爱民湘衡彬松柏坤健力泽凯磊鑫"
_FEMALE = "丽芳敏静燕霞娟英红梅兰玲萍艳琴华慧婷洁琳莉秀桂凤玉珍雪晶颖倩佳欣怡雯湘蓉菊丹琼月娥翠"
_TOWN_FIRST = "西洪台集曲金演渣三界杉井岘樟库长关大新石栏板溪茶酃东岳角雨松白云花桥泉冠车向谭宝栗洲铁茅廖近柏相江宋咸杨柳黄龙凤高马鹿朱梅双霞官栗"
_TOWN_SECOND = "渡市源兵兰溪陂江湖牌桥头山木宗乐安塘垅口坪田岭铺冲湾洲坳阳丰峰水林圩岗亭滩港坝埠洞"
_STREET_STEMS = [
    "粤汉",
    "酃湖",
    "金甲岭",
    "北塘",
    "南华",
    "船山",
    "立新",
    "华新",
    "长江",
    "解放",
    "建设",
    "胜利",
    "和平",
    "新华",
    "友谊",
    "光明",
    "向阳",
    "文化",
    "中山",
    "育才",
    "湘江",
    "来雁",
    "石鼓",
    "衡州",
    "松木",
    "雁峰",
    "紫云",
    "衡岳",
    "西湖",
    "城北",
    "城南",
    "东湖",
    "江北",
    "江南",
    "站前",
    "滨江",
    "北湖",
    "杨柳",
    "桂花",
    "荷花",
    "新城",
    "合江套",
    "蔡伦",
    "万福",
]
_VILLAGE_FIRST = "梅石杨新龙凤高双白黄金桃李竹松柏荷莲大小上下东西南北中前长永太和平安福寿丰"
_VILLAGE_SECOND = "花塘柳桥泉山冲湾田坪岭园林溪庄湖洲坡口"
_BRANDS = [
    "恒盛",
    "湘南",
    "雁城",
    "蒸湘",
    "衡州",
    "船山",
    "华茂",
    "鑫达",
    "宏源",
    "金岭",
    "天和",
    "瑞丰",
    "长兴",
    "正和",
    "同心",
    "南华",
    "博远",
    "建宏",
    "富民",
    "绿源",
    "康泰",
    "嘉禾",
    "兴旺",
    "永固",
]
_INDUSTRIES = [
    "实业",
    "建材",
    "食品",
    "农业开发",
    "电子科技",
    "物流",
    "油茶",
    "纺织",
    "机械制造",
    "生物科技",
    "建筑工程",
    "商贸",
    "矿业",
    "陶瓷",
    "医药",
    "茶业",
    "生态养殖",
    "新材料",
]
_CROPS = [
    "油茶种植",
    "水稻种植",
    "生猪养殖",
    "蔬菜种植",
    "黄花菜种植",
    "湘莲种植",
    "茶叶",
    "柑橘种植",
]
_CITY_ROADS = [
    "华新大道",
    "船山大道",
    "蒸湘北路",
    "解放大道",
    "衡州大道",
    "延安路",
    "先锋路",
    "雁城路",
    "环城南路",
    "光辉街",
    "岳屏路",
    "常胜路",
    "蔡伦大道",
    "雁峰大道",
    "东风路",
    "立新大道",
    "衡花路",
    "红湘路",
    "长丰大道",
    "芙蓉路",
]
_URBAN_DISTRICTS = ["蒸湘区", "蒸湘区", "石鼓区", "雁峰区", "珠晖区"]
_TOWN_ROADS = [
    "人民路",
    "解放路",
    "建设路",
    "新华路",
    "中山路",
    "胜利路",
    "和平路",
    "光明路",
    "长安路",
    "民主路",
    "育才路",
    "迎宾路",
    "文化路",
    "政府路",
    "正街",
    "新街",
    "工业园路",
    "滨河路",
]
_MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "176",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
]
_ETHNICITIES = ["汉族"] * 60 + ["瑶族", "回族", "土家族", "苗族"]


@dataclass(frozen=True)
class _Weighted:
    """Values with cumulative weights, so each draw is one bisect instead of a list scan."""

    values: tuple[str, ...]
    cum: tuple[float, ...]

    @classmethod
    def of(cls, pairs: Sequence[tuple[str, float]]) -> _Weighted:
        return cls(tuple(v for v, _ in pairs), tuple(itertools.accumulate(w for _, w in pairs)))

    def draw(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cum)[0]


_SURNAME = _Weighted.of(_SURNAMES)
_COMPOUND_SURNAMES = frozenset(s for s, _ in _SURNAMES if len(s) > 1)
_PARTY_OFFICIAL = _Weighted.of(
    [("中共党员", 95), ("民盟盟员", 2), ("九三学社社员", 1), ("无党派人士", 2)]
)
_PARTY_GENERAL = _Weighted.of(
    [
        ("中共党员", 60),
        ("群众", 26),
        ("民盟盟员", 3),
        ("民进会员", 3),
        ("农工党党员", 2),
        ("九三学社社员", 2),
        ("致公党党员", 1),
        ("无党派人士", 3),
    ]
)


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` by largest remainders (Hamilton's
    method): shares differ from the exact quota by less than one and always sum to total."""
    if total < 0 or not weights or min(weights) < 0 or sum(weights) <= 0:
        raise ValueError("need a non-negative total and positive weights")
    whole = sum(weights)
    quotas = [total * w / whole for w in weights]
    shares = [int(q) for q in quotas]
    # Ties go to the earlier entry so the result never depends on anything but the input.
    by_remainder = sorted(range(len(weights)), key=lambda i: (shares[i] - quotas[i], i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


# --- generation --------------------------------------------------------------------------


@dataclass
class Dataset:
    """Every row the seed inserts, as unsaved model instances in dependency order."""

    scale: str
    regions: list[Region] = field(default_factory=list)
    congresses: list[Congress] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    deputy_users: list[User] = field(default_factory=list)
    deputy_grants: list[RoleGrant] = field(default_factory=list)
    mandates: list[Mandate] = field(default_factory=list)
    # (mandate, station) pairs for the mandates' liaison stations.
    mandate_stations: list[tuple[Mandate, Organization]] = field(default_factory=list)
    # username -> person, for the demo accounts created through the services.
    demo_persons: dict[str, Person] = field(default_factory=dict)
    # Deputy seats per level, as planned.
    seats: dict[str, int] = field(default_factory=dict)
    # Lookups for the demo accounts and the World returned to callers.
    counties: list[Region] = field(default_factory=list)
    townships: list[Region] = field(default_factory=list)
    county_of: dict[str, Region] = field(default_factory=dict)
    offices: dict[str, Organization] = field(default_factory=dict)
    stations: dict[str, Organization] = field(default_factory=dict)
    units: list[Organization] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(
            len(rows)
            for rows in (
                self.regions,
                self.congresses,
                self.terms,
                self.organizations,
                self.persons,
                self.deputy_users,
                self.deputy_grants,
                self.mandates,
            )
        )

    def fingerprint(self) -> str:
        """A digest of the generated names, codes, ID numbers and phones: equal digests mean
        the same demo world, whichever process or database produced it."""
        lines = _fingerprint_lines(
            ((r.code, r.name, r.level, r.parent_id or "") for r in self.regions),
            ((o.name, o.kind, o.region_id, o.address, o.phone) for o in self.organizations),
            (
                (
                    p.name,
                    p.gender,
                    str(p.birth_date),
                    p.id_number,
                    p.phone,
                    p.region_id,
                    p.employer,
                    p.post,
                )
                for p in self.persons
            ),
        )
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _fingerprint_lines(*groups: Iterable[Iterable[object]]) -> list[str]:
    # Sorted, so the database's row order does not matter when comparing with a live DB.
    return sorted(
        "\t".join("" if v is None else str(v) for v in row) for group in groups for row in group
    )


def database_fingerprint() -> str:
    """The same digest as ``Dataset.fingerprint`` computed from the database."""
    lines = _fingerprint_lines(
        Region.objects.values_list("code", "name", "level", "parent_id").iterator(),
        Organization.objects.values_list(
            "name", "kind", "region_id", "address", "phone"
        ).iterator(),
        (
            (name, gender, str(birth), id_number, phone, region, employer, post)
            for name, gender, birth, id_number, phone, region, employer, post in (
                Person.objects.values_list(
                    "name",
                    "gender",
                    "birth_date",
                    "id_number",
                    "phone",
                    "region_id",
                    "employer",
                    "post",
                ).iterator(chunk_size=2000)
            )
        ),
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


class _People:
    """Deterministic plausible people with valid, unique ID numbers and mobile numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.orders: dict[tuple[str, datetime.date], int] = {}
        self.phones: set[str] = set()
        self.initials: dict[str, str] = {}

    def name(self, female: bool) -> str:
        rng = self.rng
        chars = _FEMALE if female else _MALE
        given = rng.choice(chars) if rng.random() < 0.22 else "".join(rng.sample(chars, 2))
        return _SURNAME.draw(rng) + given

    def name_initials(self, name: str) -> str:
        # pypinyin was the slowest step per person. Names are built from small pools of
        # surnames and given-name characters, so convert each part once; a test checks the
        # result equals pinyin_initials() of the whole name.
        surname = name[:2] if name[:2] in _COMPOUND_SURNAMES else name[0]
        parts = [surname, *name[len(surname) :]]
        out = []
        for index, part in enumerate(parts):
            key = part if index else "surname:" + part
            initials = self.initials.get(key)
            if initials is None:
                initials = self.initials[key] = pinyin_initials(part, surname=index == 0)
            out.append(initials)
        return "".join(out)[:20]

    def id_number(self, issuing: str, birth: datetime.date, female: bool) -> str:
        # The 15th-17th digits are a sequence number per issuing county and birth date, odd
        # for men and even for women; counting per key makes every number unique, and
        # starting at 501 keeps clear of hand-written numbers in tests (001-499).
        key = (issuing, birth)
        k = self.orders.get(key, 0)
        self.orders[key] = k + 1
        order = 501 + 2 * k + (1 if female else 0)
        if order > 999:
            raise ValueError("too many people born on one day in one county")
        first17 = f"{issuing}{birth:%Y%m%d}{order:03d}"
        return first17 + id_number_check_digit(first17)

    def mobile(self) -> str:
        rng = self.rng
        while True:
            phone = rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def make(
        self,
        region: Region,
        *,
        issuing: str,
        employer: str,
        post: str,
        education: str,
        party: str,
        female_share: float = 0.3,
        born: tuple[int, int] = (1962, 1996),
    ) -> Person:
        rng = self.rng
        female = rng.random() < female_share
        name = self.name(female)
        start = datetime.date(born[0], 1, 1).toordinal()
        birth = datetime.date.fromordinal(
            rng.randrange(start, datetime.date(born[1], 12, 31).toordinal())
        )
        id_number = self.id_number(issuing, birth, female)
        phone = self.mobile()
        return Person(
            region=region,
            name=name,
            name_initials=self.name_initials(name),
            gender="F" if female else "M",
            ethnicity=rng.choice(_ETHNICITIES),
            birth_date=birth,
            party=party,
            education=education,
            employer=employer,
            post=post,
            phone=phone,
            phone_bidx=crypto.blind_index(phone),
            id_number=id_number,
            id_number_bidx=crypto.blind_index(id_number),
        )


def _township_names(rng: random.Random, plan: Plan) -> list[list[tuple[str, str]]]:
    """Per county, (kind, name) of its townships in code order: streets, towns, xiang.

    Known names come first in their kind; the rest are drawn from place-name syllables,
    unique within the city by stem so there is never a 金溪镇 beside a 金溪乡.
    """
    used = {_stem(n) for c in plan.counties for n in c.known}
    streets = iter(rng.sample(_STREET_STEMS, len(_STREET_STEMS)))
    result: list[list[tuple[str, str]]] = []
    for county in plan.counties:
        names: list[tuple[str, str]] = []
        for kind, count, suffix in (
            ("street", county.streets, "街道"),
            ("town", county.towns, "镇"),
            ("xiang", county.xiang, "乡"),
        ):
            known = [n for n in county.known if n.endswith(suffix)][:count]
            names.extend((kind, n) for n in known)
            for _ in range(count - len(known)):
                if kind == "street":
                    stem = next(s for s in streets if s not in used)
                else:
                    stem = rng.choice(_TOWN_FIRST) + rng.choice(_TOWN_SECOND)
                    while stem in used or stem[0] == stem[1]:
                        stem = rng.choice(_TOWN_FIRST) + rng.choice(_TOWN_SECOND)
                used.add(stem)
                names.append((kind, stem + suffix))
        result.append(names)
    return result


def _stem(name: str) -> str:
    for suffix in ("街道", "瑶族乡", "镇", "乡"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _term_dates(level: str) -> tuple[int, datetime.date, datetime.date]:
    # County and township congresses were elected in late 2021, city and above in 2022/2023.
    if level in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP):
        number = 19 if level == RegionLevel.COUNTY else 20
        return number, datetime.date(2021, 10, 1), datetime.date(2026, 12, 31)
    if level == RegionLevel.CITY:
        return 16, datetime.date(2022, 1, 1), datetime.date(2026, 12, 31)
    return 14, datetime.date(2023, 1, 1), datetime.date(2027, 12, 31)


class _Contacts:
    """Office addresses and landline numbers (区号 0734) that look like the real thing."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.phones: set[str] = set()

    def phone(self, first_digit: str) -> str:
        while True:
            number = f"{AREA_CODE}-{first_digit}{self.rng.randrange(10**6):06d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def city_address(self) -> str:
        rng = self.rng
        return f"{CITY_NAME}{rng.choice(_URBAN_DISTRICTS)}{rng.choice(_CITY_ROADS)}{rng.randrange(1, 300)}号"

    def county_address(self, county: Region, seat: Region) -> str:
        rng = self.rng
        if county.name.endswith("区"):
            return f"{CITY_NAME}{county.name}{rng.choice(_CITY_ROADS)}{rng.randrange(1, 300)}号"
        return f"{county.name}{seat.name}{rng.choice(_TOWN_ROADS)}{rng.randrange(1, 200)}号"

    def township_address(self, county: Region, township: Region) -> str:
        rng = self.rng
        prefix = CITY_NAME if county.name.endswith("区") else ""
        return f"{prefix}{county.name}{township.name}{rng.choice(_TOWN_ROADS)}{rng.randrange(1, 120)}号"


def generate(scale: str = "small") -> Dataset:
    """Build the whole demo world in memory, deterministically, without touching the DB."""
    plan = PLANS[scale]
    rng = random.Random(SEED)
    ds = Dataset(scale=scale)
    contacts = _Contacts(rng)

    national = Region(code="000000000000", name="中华人民共和国", level=RegionLevel.NATIONAL)
    province = Region(
        code="430000000000", name="湖南省", level=RegionLevel.PROVINCE, parent=national
    )
    city = Region(code=CITY_CODE, name=CITY_NAME, level=RegionLevel.CITY, parent=province)
    ds.regions = [national, province, city]
    township_kind: dict[str, str] = {}
    townships_of: list[list[Region]] = []
    for county_plan, names in zip(plan.counties, _township_names(rng, plan), strict=True):
        county = Region(
            code=f"{county_plan.code}000000",
            name=county_plan.name,
            level=RegionLevel.COUNTY,
            parent=city,
        )
        ds.counties.append(county)
        counters = {"street": 1, "town": 100, "xiang": 200}
        own: list[Region] = []
        # Statutory township codes: 001-099 streets, 100-199 towns, 200-299 xiang.
        for kind, name in names:
            township = Region(
                code=f"{county_plan.code}{counters[kind]:03d}000",
                name=name,
                level=RegionLevel.TOWNSHIP,
                parent=county,
            )
            counters[kind] += 1
            township_kind[township.code] = kind
            ds.county_of[township.code] = county
            own.append(township)
        townships_of.append(own)
        ds.townships.extend(own)
    ds.regions += ds.counties + ds.townships

    # Congresses: every level except streets, which have none.
    congress_of: dict[str, Congress] = {}
    for region in ds.regions:
        if township_kind.get(region.code) == "street":
            continue
        name = (
            "全国人民代表大会"
            if region.level == RegionLevel.NATIONAL
            else f"{region.name}人民代表大会"
        )
        congress = Congress(
            region=region, name=name, has_standing_committee=region.level != RegionLevel.TOWNSHIP
        )
        congress_of[region.code] = congress
        ds.congresses.append(congress)
        number, start, end = _term_dates(region.level)
        ds.terms.append(Term(congress=congress, number=number, start_date=start, end_date=end))

    _generate_organizations(ds, plan, city, townships_of, township_kind, congress_of, contacts)
    _generate_deputies(ds, plan, rng, city, townships_of, township_kind, congress_of)
    return ds


def _org(ds: Dataset, name: str, kind: str, region: Region, **extra: object) -> Organization:
    org = Organization(name=name, kind=kind, region=region, **extra)
    ds.organizations.append(org)
    return org


def _generate_organizations(
    ds: Dataset,
    plan: Plan,
    city: Region,
    townships_of: list[list[Region]],
    township_kind: dict[str, str],
    congress_of: dict[str, Congress],
    contacts: _Contacts,
) -> None:
    K = OrganizationKind
    seats = {county.code: own[0] for county, own in zip(ds.counties, townships_of, strict=True)}

    def add_congress_bodies(
        region: Region, address: str, phone_digit: str, committees: Sequence[str]
    ) -> None:
        congress = congress_of[region.code]
        sc = _org(
            ds,
            f"{region.name}人大常委会",
            K.STANDING_COMMITTEE,
            region,
            congress=congress,
            address=address,
            phone=contacts.phone(phone_digit),
        )
        office = _org(
            ds,
            f"{region.name}人大常委会办公室",
            K.CONGRESS_OFFICE,
            region,
            congress=congress,
            parent=sc,
            address=address,
            phone=contacts.phone(phone_digit),
        )
        ds.offices[region.code] = office
        for wc in committees:
            _org(
                ds,
                f"{region.name}人大常委会{wc}",
                K.WORKING_COMMITTEE,
                region,
                congress=congress,
                parent=sc,
                address=address,
                phone=contacts.phone(phone_digit),
            )
        name = (
            f"{region.name}人大代表之家"
            if region.level == RegionLevel.CITY
            else f"{region.name}人大代表联络总站"
        )
        ds.stations[region.code] = _org(
            ds,
            name,
            K.LIAISON_STATION,
            region,
            address=f"{address}（人大机关一楼）",
            phone=contacts.phone(phone_digit),
        )

    def add_government(
        region: Region,
        units: Sequence[str],
        address: Callable[[], str],
        phone_digit: str,
        county: bool,
    ) -> None:
        gov = _org(
            ds,
            f"{region.name}人民政府",
            K.GOVERNMENT,
            region,
            address=address(),
            phone=contacts.phone(phone_digit),
        )
        court = f"{region.name}人民法院" if county else f"{region.name}中级人民法院"
        for name, kind in (
            (f"{region.name}监察委员会", K.SUPERVISION_COMMISSION),
            (court, K.COURT),
            (f"{region.name}人民检察院", K.PROCURATORATE),
        ):
            ds.units.append(
                _org(ds, name, kind, region, address=address(), phone=contacts.phone(phone_digit))
            )
        ds.units.append(gov)
        for unit in units:
            abbr = _UNIT_SHORT.get(unit, "")
            # 市住建局 in the city, 衡阳县住建局 in a county: how the names appear in letters.
            short = (
                f"{region.name}{abbr}"
                if county and abbr
                else ("" if county else f"市{abbr or unit}")
            )
            if unit == "共青团委员会":
                short = "团市委"
            ds.units.append(
                _org(
                    ds,
                    f"{region.name}{unit}",
                    K.GOVERNMENT_DEPARTMENT,
                    region,
                    short_name=short[:40],
                    parent=gov,
                    address=address(),
                    phone=contacts.phone(phone_digit),
                )
            )

    city_hall = contacts.city_address()
    add_congress_bodies(city, city_hall, "8", _CITY_WORKING_COMMITTEES)
    add_government(city, plan.city_units, contacts.city_address, "8", county=False)

    for i, (county, own) in enumerate(zip(ds.counties, townships_of, strict=True)):
        # Each county gets its own exchange prefix, as the real 0734 numbering plan does.
        digit = "23456789"[i % 8]
        seat = seats[county.code]
        hall = contacts.county_address(county, seat)
        add_congress_bodies(county, hall, digit, _COUNTY_WORKING_COMMITTEES)
        add_government(
            county,
            plan.county_units,
            functools.partial(contacts.county_address, county, seat),
            digit,
            county=True,
        )
        county_congress = congress_of[county.code]
        for township in own:
            address = contacts.township_address(county, township)
            if township_kind[township.code] == "street":
                # A street's congress work is done by the district's working committee there.
                ds.offices[township.code] = _org(
                    ds,
                    f"{township.name}人大工作委员会",
                    K.WORKING_COMMITTEE,
                    township,
                    congress=county_congress,
                    address=address,
                    phone=contacts.phone(digit),
                )
                gov_name = f"{township.name}办事处"
            else:
                congress = congress_of[township.code]
                _org(
                    ds,
                    f"{township.name}人大主席团",
                    K.PRESIDIUM,
                    township,
                    congress=congress,
                    address=address,
                    phone=contacts.phone(digit),
                )
                ds.offices[township.code] = _org(
                    ds,
                    f"{township.name}人大办公室",
                    K.CONGRESS_OFFICE,
                    township,
                    congress=congress,
                    address=address,
                    phone=contacts.phone(digit),
                )
                gov_name = f"{township.name}人民政府"
            ds.units.append(
                _org(
                    ds,
                    gov_name,
                    K.GOVERNMENT,
                    township,
                    address=address,
                    phone=contacts.phone(digit),
                )
            )
            ds.stations[township.code] = _org(
                ds,
                f"{township.name}人大代表联络站",
                K.LIAISON_STATION,
                township,
                address=f"{address}（{township.name}便民服务中心二楼）",
                phone=contacts.phone(digit),
            )


# Who deputies are, by level: (category, weight). Township congresses are mostly village
# cadres, farmers and local workers; higher levels have more officials and entrepreneurs.
_MIX: dict[str, list[tuple[str, float]]] = {
    "township": [
        ("village", 34),
        ("township_official", 14),
        ("enterprise", 14),
        ("farmer", 12),
        ("worker", 6),
        ("school", 6),
        ("hospital", 5),
        ("self_employed", 8),
        ("lawyer", 1),
    ],
    "county": [
        ("county_official", 22),
        ("township_official", 12),
        ("village", 20),
        ("enterprise", 18),
        ("school", 7),
        ("hospital", 7),
        ("farmer", 6),
        ("worker", 5),
        ("lawyer", 3),
    ],
    "city": [
        ("city_official", 25),
        ("county_official", 12),
        ("enterprise", 25),
        ("school", 8),
        ("hospital", 8),
        ("village", 10),
        ("worker", 7),
        ("lawyer", 5),
    ],
    "province": [
        ("city_official", 30),
        ("county_official", 10),
        ("enterprise", 30),
        ("school", 8),
        ("hospital", 8),
        ("village", 8),
        ("worker", 6),
    ],
    "national": [
        ("city_official", 30),
        ("county_official", 10),
        ("enterprise", 30),
        ("school", 8),
        ("hospital", 8),
        ("village", 8),
        ("worker", 6),
    ],
}
_MIX_W = {level: _Weighted.of(mix) for level, mix in _MIX.items()}
# The seed's occupational profiles counted as the categories of deputies' composition
# (代表构成) that congress offices report; village cadres count as farmers.
_CATEGORY = {
    "village": DeputyCategory.FARMER,
    "farmer": DeputyCategory.FARMER,
    "worker": DeputyCategory.WORKER,
    "township_official": DeputyCategory.OFFICIAL,
    "county_official": DeputyCategory.OFFICIAL,
    "city_official": DeputyCategory.OFFICIAL,
    "enterprise": DeputyCategory.ENTERPRISE,
    "school": DeputyCategory.PROFESSIONAL,
    "hospital": DeputyCategory.PROFESSIONAL,
    "lawyer": DeputyCategory.PROFESSIONAL,
}
_DEGREE = ("大学本科", "研究生")
_COLLEGE = ("大学本科", "大学专科", "研究生", "高中")
_BASIC = ("初中", "高中", "中专", "大学专科")


class _Profiles:
    """Employer, post and education of a deputy, consistent with where they live."""

    def __init__(self, rng: random.Random, township_kind: dict[str, str]) -> None:
        self.rng = rng
        self.kind = township_kind

    def village(self, township: Region) -> str:
        rng = self.rng
        stem = rng.choice(_VILLAGE_FIRST) + rng.choice(_VILLAGE_SECOND)
        return f"{township.name}{stem}{'社区' if self.kind[township.code] == 'street' else '村'}"

    def company(self, county: Region) -> str:
        rng = self.rng
        where = CITY_NAME if rng.random() < 0.4 else county.name
        return f"{where}{rng.choice(_BRANDS)}{rng.choice(_INDUSTRIES)}有限公司"

    def make(
        self, category: str, county: Region, township: Region
    ) -> tuple[str, str, tuple[str, ...], bool]:
        """(employer, post, education choices, is an official) for one deputy."""
        rng = self.rng
        county_suffix = county.name[-1]  # 县, 区 or 市
        match category:
            case "village":
                street = self.kind[township.code] == "street"
                post = rng.choice(
                    ["党委书记", "居民委员会主任"]
                    if street
                    else ["党支部书记", "村民委员会主任", "党支部书记、村民委员会主任"]
                )
                return self.village(township), post, _BASIC, True
            case "township_official":
                if self.kind[township.code] == "street":
                    employer, post = rng.choice(
                        [(f"{township.name}党工委", "书记"), (f"{township.name}办事处", "主任")]
                    )
                    return employer, post, _DEGREE, True
                head = "乡长" if township.name.endswith("乡") else "镇长"
                employer, post = rng.choice(
                    [
                        (f"{township.name}党委", "书记"),
                        (f"{township.name}人民政府", head),
                        (f"{township.name}人民政府", "副" + head),
                        (f"{township.name}人大", "主席"),
                    ]
                )
                return employer, post, _DEGREE, True
            case "county_official":
                employer, post = rng.choice(
                    [
                        (f"{county.name}人民政府", f"副{county_suffix}长"),
                        (f"{county.name}{rng.choice(COUNTY_UNITS)}", "局长"),
                        (f"{county.name}{rng.choice(COUNTY_UNITS)}", "副局长"),
                        (f"中共{county.name}委员会", "副书记"),
                    ]
                )
                return employer, post, _DEGREE, True
            case "city_official":
                employer, post = rng.choice(
                    [
                        (f"{CITY_NAME}人民政府", "副市长"),
                        (f"{CITY_NAME}{rng.choice(CITY_UNITS[:30])}", "局长"),
                        (f"{CITY_NAME}{rng.choice(CITY_UNITS[:30])}", "副局长"),
                        (f"中共{CITY_NAME}委员会", "常委"),
                    ]
                )
                return employer, post, _DEGREE, True
            case "enterprise":
                return (
                    self.company(county),
                    rng.choice(["董事长", "总经理", "副总经理", "车间主任"]),
                    _COLLEGE,
                    False,
                )
            case "worker":
                return (
                    self.company(county),
                    rng.choice(["工人", "技术员", "班组长", "职工"]),
                    _BASIC,
                    False,
                )
            case "farmer":
                if rng.random() < 0.4:
                    coop = f"{self.village(township)}{rng.choice(_CROPS)}专业合作社"
                    return coop, rng.choice(["理事长", "社员"]), _BASIC, False
                return (
                    self.village(township),
                    rng.choice(["农民", "种粮大户", "养殖户"]),
                    _BASIC,
                    False,
                )
            case "school":
                if rng.random() < 0.6:
                    return (
                        f"{township.name}中心学校",
                        rng.choice(["校长", "教师", "教师"]),
                        _COLLEGE,
                        False,
                    )
                return (
                    f"{county.name}第{rng.choice('一二三四五')}中学",
                    rng.choice(["校长", "教师"]),
                    _COLLEGE,
                    False,
                )
            case "hospital":
                if rng.random() < 0.5:
                    return (
                        f"{township.name}卫生院",
                        rng.choice(["院长", "医生", "护士"]),
                        _COLLEGE,
                        False,
                    )
                return (
                    f"{county.name}人民医院",
                    rng.choice(["院长", "主任医师", "护士长"]),
                    _DEGREE,
                    False,
                )
            case "lawyer":
                return (
                    f"湖南{rng.choice(_BRANDS)}律师事务所",
                    rng.choice(["主任", "律师"]),
                    _DEGREE,
                    False,
                )
            case _:
                return "个体工商户", rng.choice(["个体经营者", "店主"]), _BASIC, False


def _generate_deputies(
    ds: Dataset,
    plan: Plan,
    rng: random.Random,
    city: Region,
    townships_of: list[list[Region]],
    township_kind: dict[str, str],
    congress_of: dict[str, Congress],
) -> None:
    """Deputies as people with an account (no usable password until activated) and a deputy
    grant on the congress they sit in; the deputies app adds their mandates.

    Seats follow population: city deputies by county, county congress sizes by the electoral
    law's rule of thumb (a base plus one seat per 5,000 residents), county seats inside a
    county and township congress sizes by each township's estimated population."""
    people = _People(rng)
    profiles = _Profiles(rng, township_kind)
    pops = [c.population for c in plan.counties]
    # Estimated residents per township: urban streets are denser than towns, towns than xiang.
    density = {"street": 1.5, "town": 1.0, "xiang": 0.6}
    township_pop: dict[str, float] = {}
    for county_plan, own in zip(plan.counties, townships_of, strict=True):
        raw = [density[township_kind[t.code]] * rng.uniform(0.7, 1.3) for t in own]
        for t, w in zip(own, raw, strict=True):
            township_pop[t.code] = county_plan.population * w / sum(raw)
    ds.seats = dict(plan.deputies)

    # (level, congress region, person region, county, township) per seat.
    seats: list[tuple[str, Region, Region, Region, Region]] = []

    def anywhere() -> tuple[Region, Region]:
        i = rng.choices(range(len(ds.counties)), weights=pops)[0]
        return ds.counties[i], rng.choice(townships_of[i])

    national, province = ds.regions[0], ds.regions[1]
    for level, congress_region in (("national", national), ("province", province)):
        for _ in range(plan.deputies[level]):
            county, township = anywhere()
            seats.append((level, congress_region, city, county, township))
    for county, own, n in zip(
        ds.counties, townships_of, apportion(plan.deputies["city"], pops), strict=True
    ):
        for _ in range(n):
            seats.append(("city", city, county, county, rng.choice(own)))
    county_sizes = apportion(plan.deputies["county"], [120 + p / 5 for p in pops])
    for county, own, n in zip(ds.counties, townships_of, county_sizes, strict=True):
        per_township = apportion(n, [township_pop[t.code] for t in own])
        for township, m in zip(own, per_township, strict=True):
            seats.extend(("county", county, township, county, township) for _ in range(m))
    with_congress = [t for t in ds.townships if t.code in congress_of]
    sizes = apportion(
        plan.deputies["township"], [40 + township_pop[t.code] / 1.5 for t in with_congress]
    )
    for township, m in zip(with_congress, sizes, strict=True):
        county = ds.county_of[township.code]
        seats.extend(("township", township, township, county, township) for _ in range(m))

    unusable = make_password(None)
    term_of = {t.congress.region_id: t for t in ds.terms}
    for serial, (level, congress_region, home, county, township) in enumerate(seats, start=1):
        category = _MIX_W[level].draw(rng)
        employer, post, education, official = profiles.make(category, county, township)
        person = people.make(
            home,
            issuing=county.code[:6],
            employer=employer,
            post=post,
            education=rng.choice(education),
            party=(_PARTY_OFFICIAL if official else _PARTY_GENERAL).draw(rng),
            female_share=0.3 if level != "township" else 0.33,
        )
        user = User(
            username=f"d{serial:06d}", person=person, password=unusable, must_change_password=True
        )
        ds.persons.append(person)
        ds.deputy_users.append(user)
        ds.deputy_grants.append(RoleGrant(user=user, role=Role.DEPUTY, region=congress_region))
        term = term_of[congress_region.code]
        mandate = Mandate(
            person=person,
            term=term,
            region=congress_region,
            category=_CATEGORY.get(category, DeputyCategory.OTHER),
            full_time=False,
            elected_on=term.start_date,
        )
        ds.mandates.append(mandate)
        station = ds.stations.get(township.code)
        if station is not None and level in ("county", "township"):
            ds.mandate_stations.append((mandate, station))

    # The demo accounts' people, drawn last so they never shift the deputies above.
    county = next(c for c in ds.counties if c.code.startswith("430421"))
    township = next(t for t in ds.townships if t.parent_id == county.code)
    homes = {
        "admin": (city, "衡阳市人大常委会办公室信息中心", "工程师"),
        "office": (city, "衡阳市人大常委会办公室", "科员"),
        "county_office": (county, f"{county.name}人大常委会办公室", "科员"),
        "township_office": (township, f"{township.name}人大办公室", "干事"),
        "deputy": (township, f"{township.name}中心学校", "教师"),
        "station": (township, ds.stations[township.code].name, "管理员"),
        "unit": (city, f"{CITY_NAME}住房和城乡建设局", "科员"),
        "leader": (city, "衡阳市人大常委会", "副主任"),
        "citizen": (township, "个体经营", ""),
        "unit_leader": (city, f"{CITY_NAME}住房和城乡建设局", "副局长"),
        "supervision": (city, f"{CITY_NAME}人民政府督查室", "科员"),
    }
    for username, (home, employer, post) in homes.items():
        ds.demo_persons[username] = people.make(
            home,
            issuing=(home.code[:6] if home.level != RegionLevel.CITY else "430421"),
            employer=employer,
            post=post,
            education="大学本科",
            party="中共党员",
        )
        ds.persons.append(ds.demo_persons[username])


# --- insertion ---------------------------------------------------------------------------


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
    return model._default_manager.bulk_create(list(rows), batch_size=batch)


def build(scale: str = "small", *, log: Callable[[str], None] = lambda _: None) -> World:
    started = time.perf_counter()

    def step(message: str) -> None:
        log(f"{message} [{time.perf_counter() - started:.1f}s]")

    ds = generate(scale)
    step(f"generated {ds.row_count} rows")
    with transaction.atomic():
        world = _insert(ds, step)
    refresh_statistics()
    step("planner statistics refreshed")
    return world


def refresh_statistics() -> None:
    """Give the query planner statistics for the tables just filled.

    Right after a bulk load PostgreSQL has none until autovacuum gets round to it (never,
    where autovacuum is off), and plans the jurisdiction counts as if the tables were empty.
    VACUUM also sets the visibility map, so those counts become index-only scans; it cannot
    run inside a transaction, where a plain ANALYZE is the most that is possible.
    """
    models_loaded = (
        Region,
        Congress,
        Term,
        Organization,
        Person,
        User,
        RoleGrant,
        Mandate,
        Mandate.stations.through,
    )
    tables = [m._meta.db_table for m in models_loaded]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            cursor.execute(f"{verb} {', '.join(connection.ops.quote_name(t) for t in tables)}")
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def _insert(ds: Dataset, step: Callable[[str], None]) -> World:
    _bulk(Region, ds.regions)
    step(f"regions: {len(ds.regions)} ({len(ds.townships)} townships)")
    _bulk(Congress, ds.congresses)
    # Apps keep per-congress defaults (suggestion categories): the same announcement as
    # core.services.create_congress makes.
    congress_listeners.created(c.pk for c in ds.congresses)
    _bulk(Term, ds.terms)
    # Parents first: bulk_create can only point at rows that already have a primary key.
    _bulk(Organization, (o for o in ds.organizations if o.parent is None))
    _bulk(Organization, (o for o in ds.organizations if o.parent is not None))
    step(f"organizations: {len(ds.organizations)} ({len(ds.stations)} stations)")
    _bulk(Person, ds.persons)
    _bulk(User, ds.deputy_users)
    _bulk(RoleGrant, ds.deputy_grants)
    _bulk(Mandate, ds.mandates)
    through = Mandate.stations.through
    _bulk(through, (through(mandate_id=m.pk, organization_id=o.pk) for m, o in ds.mandate_stations))
    step(f"deputies: {len(ds.deputy_users)} ({len(ds.mandates)} mandates)")

    world = World(
        national=ds.regions[0],
        province=ds.regions[1],
        city=ds.regions[2],
        counties=ds.counties,
        townships=ds.townships,
        congresses={c.region_id: c for c in ds.congresses},
        offices=ds.offices,
        stations=ds.stations,
        units=ds.units,
    )
    _seed_demo_accounts(world, ds.demo_persons)
    audit.record(
        actor=None,
        actor_name="seed",
        action=AuditAction.CREATE,
        object_type="seed",
        object_repr=f"demo data ({ds.scale})",
        message=f"seed --scale {ds.scale}",
    )
    return world


def _seed_demo_accounts(world: World, persons: dict[str, Person]) -> None:
    county = next(c for c in world.counties if c.code.startswith("430421"))
    township = next(t for t in world.townships if t.parent_id == county.code)
    unit = next(
        u
        for u in world.units
        if u.region_id == world.city.code and u.name.endswith("住房和城乡建设局")
    )
    specs: list[tuple[str, list[tuple[str, Region, Organization | None]]]] = [
        ("admin", [(Role.ADMIN, world.city, None)]),
        ("office", [(Role.OFFICE, world.city, None)]),
        ("county_office", [(Role.OFFICE, county, None)]),
        ("township_office", [(Role.OFFICE, township, None)]),
        ("deputy", [(Role.DEPUTY, world.city, None), (Role.DEPUTY, county, None)]),
        ("station", [(Role.STATION, township, world.stations[township.code])]),
        ("unit", [(Role.UNIT, world.city, unit)]),
        ("leader", [(Role.LEADER, world.city, None)]),
        ("citizen", [(Role.CITIZEN, township, None)]),
        ("unit_leader", [(Role.UNIT_LEADER, world.city, unit)]),
        ("supervision", [(Role.SUPERVISION, world.city, None)]),
    ]
    hashed = demo_password_hash()
    for username, grants in specs:
        user = User.objects.create(
            username=username, person=persons[username], password=hashed, must_change_password=False
        )
        for role, region, org in grants:
            services.grant_role(actor=None, user=user, role=role, region=region, organization=org)
        world.accounts[username] = user
    # The demo deputy sits in the city and the county congress, like the grants say.
    for region in (world.city, county):
        term = world.congresses[region.code].terms.get()
        deputy_services.create_mandate(
            actor=None,
            person=persons["deputy"],
            term=term,
            elected_on=term.start_date,
            category=DeputyCategory.PROFESSIONAL,
            stations=[world.stations[township.code]] if region == county else [],
        )
    _admin_totp(world.accounts["admin"])


def demo_password_hash() -> str:
    """The stored hash of DEMO_PASSWORD: the precomputed one while it matches the configured
    default hasher and its parameters, a fresh one otherwise."""
    hasher = get_hasher()
    if _DEMO_PASSWORD_HASH.startswith(f"{hasher.algorithm}$") and not hasher.must_update(
        _DEMO_PASSWORD_HASH
    ):
        return _DEMO_PASSWORD_HASH
    return make_password(DEMO_PASSWORD)


def _admin_totp(user: User) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="演示验证器", key=DEMO_ADMIN_TOTP_HEX, confirmed=True)


def is_seeded() -> bool:
    return Region.objects.filter(code=CITY_CODE).exists()


def demo_accounts_text() -> str:
    base = getattr(settings, "SITE_URL", "http://127.0.0.1:8000")
    return (
        f"Renda 已启动: {base}\n"
        f"演示账号(密码均为 {DEMO_PASSWORD}):\n"
        "  admin 系统管理员(需两步验证,验证器密钥 JBSWY3DPEHPK3PXP)\n"
        "  office 市人大常委会办公室 | county_office 衡阳县人大常委会办公室\n"
        "  township_office 乡镇人大办公室 | deputy 人大代表 | station 联络站管理员\n"
        "  unit 承办单位(市住建局) | unit_leader 承办单位负责人(市住建局)\n"
        "  leader 常委会领导 | supervision 市政府督查室 | citizen 群众\n"
    )
