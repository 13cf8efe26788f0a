"""Deadline arithmetic of case handling (pure: no database): calendar months clamped to the
month's end, the reply deadline from a congress's rules, and the reminder steps read from the
rules' JSON columns. Dates are Beijing dates (renda.core.dates.local_date)."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Sequence
from typing import Any

from renda.cases.models import DeadlineRules


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Calendar months, clamped to the month's end: 2026-01-31 + 1 month = 2026-02-28."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reply_due(
    rules: DeadlineRules, assigned_on: datetime.date, *, is_complex: bool
) -> datetime.date:
    return add_months(assigned_on, rules.complex_reply_months if is_complex else rules.reply_months)


def reminder_steps(value: Any, default: Sequence[int]) -> list[int]:
    """Reminder steps from the JSON column, tolerant of hand-edited values."""
    if not isinstance(value, list) or not value:
        return list(default)
    return sorted({int(v) for v in value if isinstance(v, int | float) and int(v) >= 0})
