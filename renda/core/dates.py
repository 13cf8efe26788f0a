"""Dates as people here read them: stored times are UTC, dates are Beijing dates."""

from __future__ import annotations

import datetime

from django.utils import timezone


def local_date(moment: datetime.datetime | None = None) -> datetime.date:
    """The date in Asia/Shanghai (the site's time zone) of ``moment`` (default now):
    deadlines, duty dates and yearly totals are Beijing dates."""
    return timezone.localtime(moment or timezone.now()).date()
