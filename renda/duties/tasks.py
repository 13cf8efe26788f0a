"""Background jobs of duty performance (Django Tasks API)."""

from __future__ import annotations

from django_tasks import task

from renda.duties import services


@task()
def send_activity_reminders() -> int:
    """Idempotent: each invitation is claimed before its reminder is written."""
    return services.send_reminders()
