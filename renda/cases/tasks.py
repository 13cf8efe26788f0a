"""Background jobs of case handling (Django Tasks API)."""

from __future__ import annotations

from django_tasks import task

from renda.cases import services


@task()
def scan_case_deadlines() -> int:
    """Idempotent: each reminder step is claimed by a unique row before it is sent, so running
    it again, or on two schedulers at once, sends nothing twice."""
    return services.scan_deadlines()
