"""The demo world: the small seed in the session database, and the city plan generated in
memory (the full city is seeded only in test_city_seed.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

from renda.core.models import (
    Congress,
    Organization,
    OrganizationKind,
    Person,
    Region,
    RegionLevel,
    Role,
    RoleGrant,
    User,
)
from renda.core.text import pinyin_initials
from renda.core.validators import validate_id_number, validate_mobile
from renda.seed import world

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def city() -> world.Dataset:
    return world.generate("city")


def _check_id_numbers(people: list[tuple[str, str, Any]]) -> None:
    """Every ID number passes the checksum, encodes the birth date and the gender."""
    for id_number, gender, birth in people:
        assert validate_id_number(id_number) == id_number
        assert id_number[6:14] == f"{birth:%Y%m%d}"
        assert (int(id_number[16]) % 2 == 1) == (gender == "M"), id_number


def _check_nesting(regions: list[tuple[str, str, str | None]]) -> None:
    """Every region sits inside its parent's code range, one level further down."""
    by_code = {code: (level, parent) for code, level, parent in regions}
    order = list(RegionLevel.values)
    for code, level, parent in regions:
        if level == RegionLevel.NATIONAL:
            assert parent is None
            continue
        assert parent is not None
        parent_level = by_code[parent][0]
        assert order.index(level) == order.index(parent_level) + 1, code
        assert Region(code=parent, level=parent_level).contains_code(code), (code, parent)
        assert code != parent


# --- the small seed, as the test session's database holds it ------------------------------


@pytest.mark.django_db
def test_small_seed_counts() -> None:
    assert Region.objects.filter(level=RegionLevel.COUNTY).count() == 2
    assert Region.objects.filter(level=RegionLevel.TOWNSHIP).count() == 6
    # national, province, city, two counties and six townships
    assert Congress.objects.count() == 11
    assert Organization.objects.filter(kind=OrganizationKind.LIAISON_STATION).count() == 9
    plan = world.PLANS["small"]
    seeded_deputies = RoleGrant.objects.filter(role=Role.DEPUTY, user__username__startswith="d0")
    assert seeded_deputies.count() == plan.deputy_count == 75
    assert Person.objects.count() == plan.deputy_count + 11  # deputies and the demo accounts
    by_level = Counter(seeded_deputies.values_list("region__level", flat=True))
    assert by_level == {"national": 1, "province": 2, "city": 12, "county": 20, "township": 40}
    # The codes other tests rely on.
    assert (
        Region.objects.filter(code__in=["430421000000", "430405000000", "430421100000"]).count()
        == 3
    )


@pytest.mark.django_db
def test_small_seed_matches_generation_and_generation_is_deterministic() -> None:
    first = world.generate("small").fingerprint()
    assert world.generate("small").fingerprint() == first
    # What build() inserted is exactly what generate() describes.
    assert world.database_fingerprint() == first


@pytest.mark.django_db
def test_small_seed_id_numbers_phones_and_initials_are_valid() -> None:
    people = list(Person.objects.all())
    _check_id_numbers([(p.id_number, p.gender, p.birth_date) for p in people])
    assert len({p.id_number for p in people}) == len(people)
    phones = [p.phone for p in people]
    assert all(validate_mobile(phone) == phone for phone in phones)
    assert len(set(phones)) == len(phones)
    assert all(p.name_initials == pinyin_initials(p.name) for p in people)
    assert all(2 <= len(p.name) <= 4 and p.employer for p in people)


@pytest.mark.django_db
def test_small_seed_regions_nest_and_township_codes_follow_kind() -> None:
    _check_nesting(list(Region.objects.values_list("code", "level", "parent_id")))
    for code, name in Region.objects.filter(level=RegionLevel.TOWNSHIP).values_list("code", "name"):
        serial = int(code[6:9])
        # Statutory ranges: 001-099 streets, 100-199 towns, 200-299 xiang.
        expected = "街道" if serial < 100 else "镇" if serial < 200 else "乡"
        assert name.endswith(expected), (code, name)


@pytest.mark.django_db
def test_township_congresses_have_a_presidium_and_no_standing_committee() -> None:
    townships = Congress.objects.filter(region__level=RegionLevel.TOWNSHIP)
    assert townships.exists()
    assert not townships.filter(has_standing_committee=True).exists()
    assert (
        not Congress.objects.exclude(region__level=RegionLevel.TOWNSHIP)
        .filter(has_standing_committee=False)
        .exists()
    )
    for congress in townships:
        kinds = set(
            Organization.objects.filter(region=congress.region).values_list("kind", flat=True)
        )
        assert OrganizationKind.PRESIDIUM in kinds
        assert OrganizationKind.STANDING_COMMITTEE not in kinds


@pytest.mark.django_db
def test_small_seed_organizations_are_plausible() -> None:
    names = list(Region.objects.filter(level=RegionLevel.TOWNSHIP).values_list("name", flat=True))
    assert len(names) == len(set(names))
    for org in Organization.objects.all():
        # Addresses start at the city, or at the county for offices outside the urban area.
        assert org.address.startswith(("衡阳市", "衡阳县")), org.address
        assert re.fullmatch(r"0734-[2-9][0-9]{6}", org.phone), org.phone
    phones = [o.phone for o in Organization.objects.all()]
    assert len(phones) == len(set(phones))
    housing = Organization.objects.get(name="衡阳市住房和城乡建设局")
    assert housing.short_name == "市住建局"
    assert housing.parent is not None
    assert housing.parent.name == "衡阳市人民政府"


@pytest.mark.django_db
def test_demo_accounts_keep_their_roles_and_password() -> None:
    expected = {
        "admin": {("admin", "430400000000", None)},
        "office": {("office", "430400000000", None)},
        "county_office": {("office", "430421000000", None)},
        "township_office": {("office", "430421100000", None)},
        "deputy": {("deputy", "430400000000", None), ("deputy", "430421000000", None)},
        "station": {("station", "430421100000", "西渡镇人大代表联络站")},
        "unit": {("unit", "430400000000", "衡阳市住房和城乡建设局")},
        "leader": {("leader", "430400000000", None)},
        "citizen": {("citizen", "430421100000", None)},
        "unit_leader": {("unit_leader", "430400000000", "衡阳市住房和城乡建设局")},
        "supervision": {("supervision", "430400000000", None)},
    }
    hashes: set[str] = set()
    for username, grants in expected.items():
        user = User.objects.get(username=username)
        got = {
            (g.role, g.region_id, g.organization.name if g.organization else None)
            for g in user.grants.select_related("organization")
        }
        assert got == grants, username
        hashes.add(user.password)
        assert not user.must_change_password
        assert user.person is not None
    # One hash for all of them (checking Argon2 for each would only slow the suite down).
    assert len(hashes) == 1
    assert check_password(world.DEMO_PASSWORD, hashes.pop())
    assert world.demo_password_hash().startswith("argon2$")


# --- the city plan, generated without a database --------------------------------------------


def test_city_plan_arithmetic() -> None:
    plan = world.PLANS["city"]
    assert len(plan.counties) == 12
    assert plan.township_count == 219
    assert plan.station_count == 232
    assert plan.deputy_count == 13_195
    assert [c.townships for c in plan.counties] == world.TOWNSHIPS_PER_COUNTY
    assert sum(world.TOWNSHIPS_PER_COUNTY) == 219


def test_city_generation_matches_the_plan(city: world.Dataset) -> None:
    assert len(city.counties) == 12
    assert len(city.townships) == 219
    assert len(city.stations) == 232
    assert len(city.deputy_grants) == len(city.deputy_users) == 13_195
    seats = Counter(g.region.level for g in city.deputy_grants)
    assert seats == {"national": 12, "province": 96, "city": 512, "county": 2611, "township": 9964}
    # Congresses at every level except streets.
    streets = world.PLANS["city"].street_count
    assert len(city.congresses) == 3 + 12 + 219 - streets
    # About sixty city-level handling units (一府一委两院 and the government's departments).
    city_units = [u for u in city.units if u.region_id == world.CITY_CODE]
    assert 55 <= len(city_units) <= 65
    # Every county's congress is of a plausible size, and every township congress too.
    per_congress = Counter(g.region_id for g in city.deputy_grants)
    county_sizes = [per_congress[c.code] for c in city.counties]
    assert sum(county_sizes) == 2611
    assert min(county_sizes) >= 120
    assert max(county_sizes) <= 450
    township_sizes = [per_congress[t.code] for t in city.townships if t.code in per_congress]
    assert len(township_sizes) == 219 - streets
    assert min(township_sizes) >= 30
    assert max(township_sizes) <= 160


def test_city_streets_have_a_working_committee_instead_of_a_congress(city: world.Dataset) -> None:
    congress_regions = {c.region_id for c in city.congresses}
    streets = [t for t in city.townships if t.name.endswith("街道")]
    assert len(streets) == world.PLANS["city"].street_count == 43
    for street in streets:
        assert street.code not in congress_regions
        assert 1 <= int(street.code[6:9]) < 100
        committees = [
            o
            for o in city.organizations
            if o.region_id == street.code and o.kind == OrganizationKind.WORKING_COMMITTEE
        ]
        assert [o.name for o in committees] == [f"{street.name}人大工作委员会"]
        assert committees[0].congress is not None
        assert committees[0].congress.region_id == street.parent_id
    towns = [t for t in city.townships if not t.name.endswith("街道")]
    assert all(t.code in congress_regions for t in towns)


def test_city_people_and_names(city: world.Dataset) -> None:
    _check_id_numbers([(p.id_number, p.gender, p.birth_date) for p in city.persons])
    assert len({p.id_number for p in city.persons}) == len(city.persons)
    assert len({p.phone for p in city.persons}) == len(city.persons)
    # The cached initials agree with the core helper (a sample: pypinyin is slow).
    assert all(p.name_initials == pinyin_initials(p.name) for p in city.persons[::13])
    names = [t.name for t in city.townships]
    assert len(names) == len(set(names)) == 219
    assert len({world._stem(n) for n in names}) == 219
    _check_nesting([(r.code, r.level, r.parent_id) for r in city.regions])
    org_keys = [(o.region_id, o.kind, o.name) for o in city.organizations]
    assert len(org_keys) == len(set(org_keys))


def test_generation_is_the_same_in_another_process(city: world.Dataset) -> None:
    """A different PYTHONHASHSEED changes set and dict-of-str iteration order; the world
    must not depend on it."""
    script = (
        "import django, json; django.setup();"
        "from renda.seed import world;"
        "print(json.dumps({s: world.generate(s).fingerprint() for s in ('small', 'city')}))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "DJANGO_SETTINGS_MODULE": "renda.settings"}
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    other = json.loads(out.strip().splitlines()[-1])
    assert other == {"small": world.generate("small").fingerprint(), "city": city.fingerprint()}


def test_apportion() -> None:
    assert world.apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert world.apportion(512, [410, 300, 290]) == [210, 154, 148]
    shares = world.apportion(9964, [1.5, 2.25, 0.7, 3.0])
    assert sum(shares) == 9964
    assert all(
        abs(s - 9964 * w / 7.45) < 1 for s, w in zip(shares, [1.5, 2.25, 0.7, 3.0], strict=True)
    )
    with pytest.raises(ValueError, match="weights"):
        world.apportion(5, [0, 0])


def test_id_check_rejects_a_broken_number(city: world.Dataset) -> None:
    # The checksum check above would pass vacuously if validate_id_number accepted anything.
    good = city.persons[0].id_number
    broken = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError):
        validate_id_number(broken)
