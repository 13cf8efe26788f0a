"""Seeding the whole city into a scratch database (about 10-20 s on SQLite on the 2-core
build machine, so it stays in the normal run; marked slow for `-m "not slow"`)."""

from __future__ import annotations

import pytest

from renda.bench.scratch import scratch_database
from renda.core.models import Congress, Organization, OrganizationKind, Person, Region, RoleGrant
from renda.seed import world


@pytest.mark.slow
@pytest.mark.usefixtures("session_db")
def test_city_seed_in_a_scratch_database() -> None:
    expected = world.generate("city").fingerprint()
    with scratch_database():
        assert not world.is_seeded()
        built = world.build("city")
        assert len(built.townships) == 219
        assert Region.objects.filter(level="township").count() == 219
        assert Region.objects.filter(level="county").count() == 12
        assert Organization.objects.filter(kind=OrganizationKind.LIAISON_STATION).count() == 232
        deputies = RoleGrant.objects.filter(role="deputy", user__username__startswith="d0")
        assert deputies.count() == 13_195
        assert Person.objects.count() == 13_195 + 11
        assert not Congress.objects.filter(
            region__level="township", has_standing_committee=True
        ).exists()
        # Inserted exactly what was generated: same names, codes, ID numbers and phones.
        assert world.database_fingerprint() == expected
    # The session's own database is back, untouched.
    assert world.is_seeded()
    assert Region.objects.filter(level="township").count() == 6
