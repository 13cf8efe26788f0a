"""``renda worker``: the background task worker for the configured TASK_BACKEND.

Besides running tasks it keeps the queue's guarantees (``renda.core.tasks``): a recovery
pass at its start and every ``TASK_RECOVER_SECONDS`` after (tasks of dead workers, retries
with back-off, lost notification deliveries), and on the database backend a heartbeat every
``TASK_HEARTBEAT_SECONDS`` that is the lease of the tasks it runs.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections

from renda.core import tasks
from renda.core.logging import get_logger

log = get_logger(__name__)


class Maintenance(threading.Thread):
    """Heartbeat and recovery beside the worker's own loop (a daemon thread: it dies with
    the process, which is what lets the lease expire when the worker is killed)."""

    def __init__(self, *, worker_id: str, backend: str) -> None:
        super().__init__(name="renda-task-maintenance", daemon=True)
        self.worker_id = worker_id
        self.backend = backend
        self.stopping = threading.Event()

    def run(self) -> None:
        next_recovery = time.monotonic() + tasks.recover_interval()
        while not self.stopping.wait(tasks.heartbeat_interval()):
            try:
                if self.backend == "database":
                    tasks.beat(self.worker_id, backend=self.backend)
                if time.monotonic() >= next_recovery:
                    tasks.recover()
                    next_recovery = time.monotonic() + tasks.recover_interval()
            except Exception:
                log.exception("tasks.maintenance_failed", worker_id=self.worker_id)
            finally:
                # This thread's own connection: closed after each pass, never left to age.
                connections.close_all()


class Command(BaseCommand):
    help = "Run the background task worker for the configured TASK_BACKEND."

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASK_BACKEND
        if backend not in ("database", "rq"):
            self.stdout.write(f"TASK_BACKEND={backend} runs tasks in-process; no worker needed.")
            return
        worker_id = tasks.new_worker_id()
        if backend == "database":
            tasks.beat(worker_id, backend=backend)
        try:
            tasks.recover()
        except Exception:
            # A worker that cannot recover others' work still runs its own.
            log.exception("tasks.startup_recovery_failed")
        close_old_connections()
        maintenance = Maintenance(worker_id=worker_id, backend=backend)
        maintenance.start()
        log.info("tasks.worker_started", worker_id=worker_id, backend=backend)
        try:
            if backend == "database":
                call_command("db_worker", queue_name="*", reload=False, worker_id=worker_id)
            else:
                # The scheduler moves deferred tasks (retries with back-off) onto the queue;
                # the jobs django-tasks-rq enqueues only run with its own job class.
                call_command(
                    "rqworker",
                    "default",
                    with_scheduler=True,
                    job_class="django_tasks_rq.backend.Job",
                )
        finally:
            maintenance.stopping.set()
            if backend == "database":
                tasks.forget(worker_id)
