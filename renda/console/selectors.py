"""Reads of the administration console."""

from __future__ import annotations

from renda.core import tasks


def failed_work(*, limit: int = 200) -> list[tasks.FailedWork]:
    """Background tasks that failed and that nobody has retried or dismissed yet."""
    return tasks.failed_work(limit=limit)
