from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background task worker for the configured TASK_BACKEND."

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASK_BACKEND
        if backend == "database":
            call_command("db_worker", queue_name="*", reload=False)
        elif backend == "rq":
            # The scheduler moves deferred tasks (retries with back-off) onto the queue; the
            # jobs django-tasks-rq enqueues only run with its own job class.
            call_command(
                "rqworker",
                "default",
                with_scheduler=True,
                job_class="django_tasks_rq.backend.Job",
            )
        else:
            self.stdout.write(f"TASK_BACKEND={backend} runs tasks in-process; no worker needed.")
