"""Timing of the deadline scan over 100,000 open cases (a benchmark, not collected as a test:
run it explicitly with ``pytest tests/cases/bench_scan.py -s``)."""

from __future__ import annotations

import datetime
import random
import time

import pytest
from django.utils import timezone

from renda.cases import selectors, services
from renda.cases.models import Case, CaseStatus, Reminder
from renda.core.dates import local_date
from renda.core.models import Congress, Organization, OrganizationKind
from renda.notifications.models import Notification

N = 100_000


@pytest.mark.django_db
def test_scan_100k_open_cases() -> None:
    congress = Congress.objects.get(region_id="430400000000")
    selectors.rules_for(congress)
    units = list(
        Organization.objects.filter(
            kind=OrganizationKind.GOVERNMENT_DEPARTMENT, region_id="430400000000"
        ).values_list("pk", flat=True)
    )
    rng = random.Random(4)
    today = local_date()
    now = timezone.now()
    statuses = [CaseStatus.ASSIGNED, CaseStatus.SIGNED, CaseStatus.SIGNED, CaseStatus.REOPENED]
    start = time.perf_counter()
    Case.objects.bulk_create(
        [
            Case(
                subject_type="bench.item",
                subject_id=str(i),
                title=f"基准事项{i}",
                region_id=congress.region_id,
                congress=congress,
                status=rng.choice(statuses),
                lead_unit_id=rng.choice(units),
                assigned_at=now,
                reassign_until=today,
                due_on=today + datetime.timedelta(days=rng.randint(-60, 120)),
            )
            for i in range(N)
        ],
        batch_size=2000,
    )
    print(f"\nseeded {N} cases in {time.perf_counter() - start:.1f}s")
    import cProfile
    import os
    import pstats

    if os.environ.get("CASES_PROFILE"):
        with cProfile.Profile() as prof:
            services.scan_deadlines(today=today)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        return
    for label in ("first run", "second run (nothing new)", "third run"):
        start = time.perf_counter()
        sent = services.scan_deadlines(today=today)
        elapsed = time.perf_counter() - start
        print(f"{label}: {sent} reminders in {elapsed:.2f}s")
    start = time.perf_counter()
    sent = services.scan_deadlines(today=today + datetime.timedelta(days=1))
    print(f"next day: {sent} reminders in {time.perf_counter() - start:.2f}s")
    print(
        f"reminder rows {Reminder.objects.count()}, notifications "
        f"{Notification.objects.filter(kind__startswith='case_').count()}"
    )
