"""The schedule: periodic jobs that apps register and ``renda scheduler`` runs.

An app registers its job in ``AppConfig.ready()``; core knows no app::

    from renda.core import schedule
    schedule.register(key="case_deadlines", command="case_deadlines", every=timedelta(hours=1))

A job is a management command run in the scheduler's process every ``every``, in slots
aligned to the epoch (an hourly job runs at the top of the hour), and once as soon as a
scheduler first sees it. Schedulers coordinate through one ``core.ScheduledJob`` row per job:
a scheduler *claims* a due job with a single conditional UPDATE (due, and not held by another
scheduler's lease) that also moves the row to the next slot, so however many schedulers run,
on however many machines, each slot runs once. SQLite and PostgreSQL both evaluate such an
UPDATE atomically. A job that fails is logged and recorded on its row, and runs again at
its next slot; a scheduler that dies mid-job holds its lease until ``lease`` has passed.
The commands themselves are idempotent (a reminder is written once per rule before it is
sent), so a slot that does run twice after a lease expired sends nothing twice.
"""

from __future__ import annotations

import io
import math
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.management import call_command
from django.db import close_old_connections, connection
from django.db.models import F, Min, Q
from django.utils import timezone

from renda.core.logging import get_logger
from renda.core.models import ScheduledJob

log = get_logger(__name__)

DEFAULT_LEASE = timedelta(minutes=5)
OUTPUT_LIMIT = 4000  # characters of a run's output kept on its row
MAX_SLEEP = 60.0  # seconds: a scheduler looks again at least this often


@dataclass(frozen=True)
class Job:
    key: str
    command: str
    every: timedelta
    args: tuple[str, ...] = ()
    lease: timedelta = DEFAULT_LEASE


_jobs: dict[str, Job] = {}


def register(
    *,
    key: str,
    command: str,
    every: timedelta,
    args: tuple[str, ...] = (),
    lease: timedelta = DEFAULT_LEASE,
) -> Job:
    """Run ``renda <command> <args>`` every ``every``. Registering the same key again
    replaces the job (``ready()`` may run twice in tests)."""
    if every <= timedelta(0):
        raise ValueError(f"schedule {key}: every must be positive")
    if len(key) > ScheduledJob._meta.get_field("key").max_length:  # type: ignore[operator]
        raise ValueError(f"schedule {key}: key too long")
    job = Job(key=key, command=command, every=every, args=tuple(args), lease=lease)
    _jobs[key] = job
    return job


def jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.key)


def get(key: str) -> Job:
    return _jobs[key]


def next_slot(every: timedelta, after: datetime) -> datetime:
    """The first slot boundary strictly after ``after`` (slots aligned to the epoch)."""
    seconds = every.total_seconds()
    index = math.floor(after.timestamp() / seconds) + 1
    return datetime.fromtimestamp(index * seconds, tz=UTC)


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def ensure_rows(*, now: datetime) -> None:
    """A row for every registered job; a new job is due at once."""
    ScheduledJob.objects.bulk_create(
        [ScheduledJob(key=job.key, next_run_at=now) for job in jobs()], ignore_conflicts=True
    )


def claim(job: Job, *, now: datetime, runner: str) -> bool:
    """Take the job's due slot: True for exactly one of any number of concurrent callers."""
    free = Q(running_until__isnull=True) | Q(running_until__lt=now)
    claimed = (
        ScheduledJob.objects.filter(free, key=job.key, next_run_at__lte=now).update(
            next_run_at=next_slot(job.every, now),
            running_until=now + job.lease,
            last_started_at=now,
            last_runner=runner[:200],
            runs=F("runs") + 1,
        )
        == 1
    )
    return claimed


def finish(job: Job, *, ok: bool, output: str, now: datetime | None = None) -> None:
    ScheduledJob.objects.filter(key=job.key).update(
        running_until=None,
        last_finished_at=now or timezone.now(),
        last_ok=ok,
        last_output=output[-OUTPUT_LIMIT:],
        failures=F("failures") + (0 if ok else 1),
    )


def execute(job: Job) -> tuple[bool, str]:
    """Run the job's command here; never raises (a failing job must not stop the
    scheduler): the error is logged with its traceback and returned as the output."""
    out = io.StringIO()
    started = time.monotonic()
    try:
        call_command(job.command, *job.args, stdout=out, stderr=out)
    except BaseException as error:  # SystemExit from a command included
        if isinstance(error, KeyboardInterrupt):
            raise
        log.exception("scheduled_job_failed", job=job.key, command=job.command)
        return False, f"{out.getvalue()}{type(error).__name__}: {error}"
    log.info(
        "scheduled_job_done",
        job=job.key,
        seconds=round(time.monotonic() - started, 3),
        output=out.getvalue().strip()[-500:],
    )
    return True, out.getvalue()


def run_due(
    *,
    runner: str,
    now: Callable[[], datetime] = timezone.now,
    stop: threading.Event | None = None,
) -> list[str]:
    """Run every job that is due and that this scheduler claims; the keys it ran."""
    ran: list[str] = []
    keys = [job.key for job in jobs()]
    if ScheduledJob.objects.filter(key__in=keys).count() < len(keys):
        ensure_rows(now=now())
    for job in jobs():
        if stop is not None and stop.is_set():
            break
        if not claim(job, now=now(), runner=runner):
            continue
        ok, output = execute(job)
        finish(job, ok=ok, output=output)
        ran.append(job.key)
    return ran


def seconds_until_due(*, now: datetime) -> float:
    """How long a scheduler may sleep before some job could be due (or a lease expire)."""
    keys = [job.key for job in jobs()]
    rows = ScheduledJob.objects.filter(key__in=keys).aggregate(
        due=Min("next_run_at"), lease=Min("running_until")
    )
    moments = [moment for moment in (rows["due"], rows["lease"]) if moment is not None]
    if not moments:
        return MAX_SLEEP
    wait: float = (min(moments) - now).total_seconds()
    return min(MAX_SLEEP, max(0.5, wait + 0.05))


def _refresh_connections() -> None:
    """Between runs, as between requests: drop connections that broke or grew old (a
    database restart must not stop the scheduler). Never inside a transaction (tests)."""
    if not connection.in_atomic_block:
        close_old_connections()


def serve(*, stop: threading.Event, runner: str | None = None) -> None:
    """The scheduler's loop, until ``stop`` is set (SIGTERM/SIGINT). A database error is
    logged and the loop tries again after a pause."""
    name = runner or runner_name()
    log.info("scheduler_started", runner=name, jobs=[job.key for job in jobs()])
    while not stop.is_set():
        _refresh_connections()
        try:
            run_due(runner=name, stop=stop)
            wait = seconds_until_due(now=timezone.now())
        except Exception:
            log.exception("scheduler_error", runner=name)
            _refresh_connections()
            wait = 10.0
        stop.wait(wait)
    log.info("scheduler_stopped", runner=name)
