"""Helpers for the Django Tasks API shared by every app, and the guarantees of the queue.

Every task takes ids and is idempotent, so running it again is always safe. On that rests:

- **Lease**: ``renda worker`` writes a heartbeat (``TaskWorker``) every
  ``TASK_HEARTBEAT_SECONDS``. A task left running by a worker whose heartbeat is older than
  ``TASK_LEASE_SECONDS`` (the worker was killed, the machine went down) is handed back to the
  queue by ``recover``; on RQ, rq's own job heartbeats mark such jobs abandoned and ``recover``
  moves them on.
- **Retries**: a failed task (or one lost with its worker) runs again after a back-off
  (``TASK_RETRY_BASE_SECONDS`` doubled per attempt) until it has had ``TASK_MAX_ATTEMPTS``
  attempts; then it stays failed, is listed on the console's failed-work page (retry or
  dismiss) and makes ``/healthz`` degraded until someone deals with it.
- **Recovery hooks**: apps register what else to rescue with ``on_recover`` in their
  ``tasks.py`` (notifications re-enqueue deliveries whose enqueue was lost); ``recover``
  discovers every app's ``tasks`` module and runs them.

``recover`` runs in ``renda worker`` at its start and every ``TASK_RECOVER_SECONDS`` after,
and from ``renda tasks_recover`` (the scheduler's job). Running it twice, or on two workers at
once, hands each task back once: every change is a conditional update of the row.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import socket
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import autodiscover_modules

from renda.core.logging import get_logger

log = get_logger(__name__)

WORKER_LOST = "renda.core.tasks.WorkerLost"
MAX_BACKOFF_SECONDS = 3600


class WorkerLost(Exception):
    """The worker running a task stopped (killed, crashed, machine down) before it finished."""


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue only once the surrounding transaction has committed.

    A task that ran before the commit would not find the rows it was given ids for, and one
    enqueued for a rolled-back change would act on something that never happened.
    """
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs), robust=True)


# -- settings ---------------------------------------------------------------------------


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=float(getattr(settings, "TASK_LEASE_SECONDS", 60)))


def heartbeat_interval() -> float:
    return float(getattr(settings, "TASK_HEARTBEAT_SECONDS", 10))


def recover_interval() -> float:
    return float(getattr(settings, "TASK_RECOVER_SECONDS", 15))


def max_attempts() -> int:
    return max(1, int(getattr(settings, "TASK_MAX_ATTEMPTS", 3)))


def backoff(attempts: int) -> datetime.timedelta:
    """Delay before attempt ``attempts + 1``: base, 2x base, 4x base ... capped at an hour."""
    base = float(getattr(settings, "TASK_RETRY_BASE_SECONDS", 30))
    return datetime.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def backend_kind() -> str:
    """ "database", "rq" or "inline" (immediate/dummy backends: nothing is queued)."""
    path = str(settings.TASKS["default"]["BACKEND"])
    if path.startswith("django_tasks_db."):
        return "database"
    if path.startswith("django_tasks_rq."):
        return "rq"
    return "inline"


def _queues() -> list[str]:
    return list(settings.TASKS["default"].get("QUEUES") or ["default"])


# -- heartbeats -------------------------------------------------------------------------


def new_worker_id() -> str:
    host = socket.gethostname()[:30]
    return f"{host}-{os.getpid()}-{get_random_string(8)}"[:64]


def beat(worker_id: str, *, backend: str) -> None:
    """Renew the lease of the worker ``worker_id`` (its tasks stay its own)."""
    from renda.core.models import TaskWorker

    now = timezone.now()
    updated = TaskWorker.objects.filter(worker_id=worker_id).update(heartbeat_at=now)
    if not updated:
        TaskWorker.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "backend": backend,
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "heartbeat_at": now,
            },
        )


def forget(worker_id: str) -> None:
    """A worker that stops cleanly gives its lease up at once."""
    from renda.core.models import TaskWorker

    TaskWorker.objects.filter(worker_id=worker_id).delete()


def live_workers(*, now: datetime.datetime | None = None) -> int:
    kind = backend_kind()
    if kind == "rq":
        return _rq_live_workers(now or timezone.now())
    from renda.core.models import TaskWorker

    cutoff = (now or timezone.now()) - lease()
    return TaskWorker.objects.filter(backend=kind, heartbeat_at__gte=cutoff).count()


# -- recovery ---------------------------------------------------------------------------

_HOOKS: dict[str, Callable[[], int]] = {}


def on_recover(key: str, hook: Callable[[], int]) -> None:
    """Run ``hook`` (returning how many things it rescued) on every recovery pass."""
    _HOOKS[key] = hook


@dataclasses.dataclass
class Recovery:
    requeued: int = 0  # left running by a dead worker, handed back to the queue
    retried: int = 0  # failed, scheduled again after a back-off
    given_up: int = 0  # lost with their worker once too often: now failed for good
    hooks: dict[str, int] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def recover(*, now: datetime.datetime | None = None) -> Recovery:
    """Hand back tasks of dead workers, retry failed ones, run the apps' recovery hooks."""
    now = now or timezone.now()
    kind = backend_kind()
    if kind == "database":
        result = _db_recover(now)
    elif kind == "rq":
        result = _rq_recover(now)
    else:
        result = Recovery()
    autodiscover_modules("tasks")
    for key, hook in sorted(_HOOKS.items()):
        try:
            result.hooks[key] = hook()
        except Exception:
            log.exception("tasks.recover.hook_failed", hook=key)
    log.info("tasks.recovered", backend=kind, **result.as_dict())
    return result


# -- failed work ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FailedWork:
    id: str
    task_name: str
    task_path: str
    args: list[Any]
    kwargs: dict[str, Any]
    error: str
    failed_at: datetime.datetime | None
    attempts: int

    @property
    def error_summary(self) -> str:
        lines = [line for line in self.error.strip().splitlines() if line.strip()]
        return lines[-1][:300] if lines else ""


def failed_work(*, limit: int = 200) -> list[FailedWork]:
    """Failed tasks nobody has retried or dismissed yet, the most recent first."""
    kind = backend_kind()
    if kind == "database":
        return _db_failed(limit)
    if kind == "rq":
        return _rq_failed(limit)
    return []


def retry_failed(task_id: str) -> FailedWork | None:
    """Queue one failed task again now (one more attempt). None if it is no longer failed."""
    kind = backend_kind()
    if kind == "database":
        return _db_retry(task_id)
    if kind == "rq":
        return _rq_retry(task_id)
    return None


def dismiss_failed(task_id: str) -> FailedWork | None:
    """Remove one failed task from the list without running it again."""
    kind = backend_kind()
    if kind == "database":
        return _db_dismiss(task_id)
    if kind == "rq":
        return _rq_dismiss(task_id)
    return None


def queue_stats(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """queued, running, failed, workers and oldest_queued_seconds of the configured backend
    (an RQ backend that cannot be reached raises ``redis.RedisError``)."""
    now = now or timezone.now()
    kind = backend_kind()
    if kind == "database":
        return _db_stats(now)
    if kind == "rq":
        return _rq_stats(now)
    return {}


def pending_args(task: Any) -> set[Any]:
    """The first argument of every queued, scheduled or running run of ``task``: a caller
    that re-enqueues lost work skips what the queue still holds."""
    kind = backend_kind()
    if kind == "database":
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        rows = DBTaskResult.objects.filter(
            task_path=task.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        ).values_list("args_kwargs", flat=True)
        return {r["args"][0] for r in rows if r.get("args")}
    if kind == "rq":
        return _rq_pending_args(task.module_path)
    return set()


# -- database backend -------------------------------------------------------------------


def _db_attempts(row: Any) -> int:
    return len(row.worker_ids or [])


def _db_recover(now: datetime.datetime) -> Recovery:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from renda.core.models import TaskWorker

    result = Recovery()
    cutoff = now - lease()
    alive = set(
        TaskWorker.objects.filter(heartbeat_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    limit = max_attempts()
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
    for row in running.only("id", "worker_ids", "task_path"):
        if row.worker_ids and row.worker_ids[-1] in alive:
            continue
        claimed = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at__lt=cutoff
        )
        attempts = _db_attempts(row)
        worker = row.worker_ids[-1] if row.worker_ids else "?"
        if attempts < limit:
            if claimed.update(status=TaskResultStatus.READY, run_after=now, started_at=None):
                result.requeued += 1
                log.warning(
                    "tasks.lost.requeued",
                    task_id=str(row.pk),
                    task=row.task_path,
                    worker_id=worker,
                    attempts=attempts,
                )
        elif claimed.update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=WORKER_LOST,
            traceback=f"{WORKER_LOST}: worker {worker} stopped during attempt {attempts}\n",
        ):
            result.given_up += 1
            log.error(
                "tasks.lost.given_up", task_id=str(row.pk), task=row.task_path, attempts=attempts
            )
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
    for row in failed.only("id", "worker_ids", "finished_at", "task_path"):
        attempts = _db_attempts(row)
        if attempts >= limit:
            continue
        when = (row.finished_at or now) + backoff(attempts)
        if DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.FAILED).update(
            status=TaskResultStatus.READY, run_after=when, finished_at=None
        ):
            result.retried += 1
            log.info(
                "tasks.retry",
                task_id=str(row.pk),
                task=row.task_path,
                attempts=attempts,
                at=when.isoformat(),
            )
    return result


def _db_work(row: Any) -> FailedWork:
    args_kwargs = row.args_kwargs or {}
    return FailedWork(
        id=str(row.pk),
        task_name=row.task_path.rsplit(".", 1)[-1],
        task_path=row.task_path,
        args=list(args_kwargs.get("args") or []),
        kwargs=dict(args_kwargs.get("kwargs") or {}),
        error=row.traceback or row.exception_class_path,
        failed_at=row.finished_at,
        attempts=_db_attempts(row),
    )


def _db_failed(limit: int) -> list[FailedWork]:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).order_by("-finished_at")
    return [_db_work(row) for row in rows[:limit]]


def _db_row(task_id: str) -> Any:
    import uuid

    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    try:
        pk = uuid.UUID(task_id)
    except ValueError:
        return None
    return DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.FAILED).first()


def _db_retry(task_id: str) -> FailedWork | None:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    row = _db_row(task_id)
    if row is None:
        return None
    work = _db_work(row)
    updated = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=timezone.now(), finished_at=None
    )
    return work if updated else None


def _db_dismiss(task_id: str) -> FailedWork | None:
    row = _db_row(task_id)
    if row is None:
        return None
    work = _db_work(row)
    row.delete()
    return work


def _db_stats(now: datetime.datetime) -> dict[str, int]:
    from django.db.models import Min
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    results = DBTaskResult.objects.filter(queue_name__in=_queues())
    ready = results.filter(status=TaskResultStatus.READY)
    # A task waits since it was enqueued, or since the time it was deferred to (a retry).
    waiting = [
        ready.filter(run_after=get_date_max()).aggregate(at=Min("enqueued_at"))["at"],
        ready.filter(run_after__lte=now).aggregate(at=Min("run_after"))["at"],
    ]
    since = [at for at in waiting if at is not None]
    return {
        "queued": ready.count(),
        "running": results.filter(status=TaskResultStatus.RUNNING).count(),
        "failed": results.filter(status=TaskResultStatus.FAILED).count(),
        "workers": live_workers(now=now),
        "oldest_queued_seconds": int((now - min(since)).total_seconds()) if since else 0,
    }


# -- RQ backend -------------------------------------------------------------------------


# Every call to Redis gives up after this long, so a health probe or a recovery pass never
# hangs on an unreachable server.
REDIS_TIMEOUT_SECONDS = 3.0


def _rq_queues() -> list[Any]:
    import redis
    from django_tasks_rq.backend import Job
    from rq import Queue

    config = settings.RQ_QUEUES.get("default", {})
    connection = redis.Redis.from_url(
        str(config.get("URL") or settings.REDIS_URL),
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    return [Queue(name, connection=connection, job_class=Job) for name in _queues()]


def _aware(moment: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(moment, datetime.UTC) if timezone.is_naive(moment) else moment


def _rq_live_workers(now: datetime.datetime) -> int:
    """Workers registered in Redis: an idle rq worker renews its registration only every few
    minutes (its worker TTL), so a killed one still counts until that expires."""
    from rq import Worker

    names: set[str] = set()
    for queue in _rq_queues():
        names.update(worker.name for worker in Worker.all(queue=queue))
    del now
    return len(names)


# rq's worker renews its heartbeat every job monitoring interval (30 s) while a job runs.
RQ_JOB_MONITORING_SECONDS = 30


def _rq_expire_jobs_of_dead_workers(started: Any, now: datetime.datetime) -> None:
    """rq marks a job abandoned only when its execution's heartbeat (a minute or more)
    expires; a job whose worker has stopped beating for longer than the lease is expired at
    once, so the cleanup after this hands it on."""
    from rq import Worker

    cutoff = now - lease() - datetime.timedelta(seconds=RQ_JOB_MONITORING_SECONDS)
    connection = started.connection
    for member in connection.zrange(started.key, 0, -1):
        entry = member.decode() if isinstance(member, bytes) else str(member)
        job = started.get_queue().fetch_job(started.parse_job_id(entry))
        if job is None or not job.worker_name:
            continue
        worker = Worker.find_by_key(
            Worker.redis_worker_namespace_prefix + job.worker_name, connection=connection
        )
        beat_at = worker.last_heartbeat if worker is not None else None
        if beat_at is None or _aware(beat_at) < cutoff:
            connection.zadd(started.key, {member: 0}, xx=True)
            log.warning("tasks.lost.abandoned", task_id=job.id, worker=job.worker_name)


def _rq_attempts(job: Any) -> int:
    return int(job.meta.get("renda_attempts", 1))


def _rq_recover(now: datetime.datetime) -> Recovery:
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    result = Recovery()
    limit = max_attempts()
    for queue in _rq_queues():
        # rq's job heartbeats: a job whose worker stopped renewing them is abandoned and
        # moved to the failed registry here (rq's own cleanup, run now rather than every
        # ten minutes by a worker).
        started = StartedJobRegistry(queue=queue)
        _rq_expire_jobs_of_dead_workers(started, now)
        before = started.connection.zcard(started.key)
        started.cleanup()
        result.requeued += max(0, before - started.connection.zcard(started.key))
        failed = FailedJobRegistry(queue=queue)
        for job_id in failed.get_job_ids():
            job = queue.fetch_job(job_id)
            if job is None:
                continue
            attempts = _rq_attempts(job)
            if attempts >= limit:
                continue
            failed.remove(job)
            job.meta["renda_attempts"] = attempts + 1
            job.save_meta()
            queue.schedule_job(job, now + backoff(attempts))
            result.retried += 1
            log.info("tasks.retry", task_id=job.id, task=job.func_name, attempts=attempts)
    return result


def _rq_work(job: Any) -> FailedWork:
    latest = job.latest_result()
    error = (latest.exc_string if latest is not None else "") or (job.exc_info or "")
    return FailedWork(
        id=job.id,
        task_name=str(job.func_name).rsplit(".", 1)[-1],
        task_path=str(job.func_name),
        args=list(job.args or []),
        kwargs=dict(job.kwargs or {}),
        error=str(error),
        failed_at=_aware(job.ended_at) if job.ended_at else None,
        attempts=_rq_attempts(job),
    )


def _rq_failed(limit: int) -> list[FailedWork]:
    from rq.registry import FailedJobRegistry

    work: list[FailedWork] = []
    for queue in _rq_queues():
        registry = FailedJobRegistry(queue=queue)
        for job_id in registry.get_job_ids(desc=True)[:limit]:
            job = queue.fetch_job(job_id)
            if job is not None:
                work.append(_rq_work(job))
    return work[:limit]


def _rq_find_failed(task_id: str) -> tuple[Any, Any] | None:
    from rq.registry import FailedJobRegistry

    for queue in _rq_queues():
        registry = FailedJobRegistry(queue=queue)
        if task_id in registry:
            job = queue.fetch_job(task_id)
            if job is not None:
                return registry, job
    return None


def _rq_retry(task_id: str) -> FailedWork | None:
    from rq.exceptions import InvalidJobOperation

    found = _rq_find_failed(task_id)
    if found is None:
        return None
    registry, job = found
    work = _rq_work(job)
    try:
        registry.requeue(job)
    except InvalidJobOperation:
        return None
    return work


def _rq_dismiss(task_id: str) -> FailedWork | None:
    found = _rq_find_failed(task_id)
    if found is None:
        return None
    registry, job = found
    work = _rq_work(job)
    registry.remove(job, delete_job=True)
    return work


def _rq_stats(now: datetime.datetime) -> dict[str, int]:
    from rq.registry import StartedJobRegistry

    queued = running = failed = 0
    oldest: datetime.datetime | None = None
    for queue in _rq_queues():
        queued += queue.count
        running += StartedJobRegistry(queue=queue).count
        failed += queue.failed_job_registry.count
        first = queue.get_job_ids(0, 0)
        job = queue.fetch_job(first[0]) if first else None
        if job is not None and job.enqueued_at is not None:
            at = _aware(job.enqueued_at)
            oldest = at if oldest is None else min(oldest, at)
    return {
        "queued": queued,
        "running": running,
        "failed": failed,
        "workers": _rq_live_workers(now),
        "oldest_queued_seconds": int((now - oldest).total_seconds()) if oldest else 0,
    }


def _rq_pending_args(module_path: str) -> set[Any]:
    from rq.job import Job
    from rq.registry import ScheduledJobRegistry, StartedJobRegistry

    pending: set[Any] = set()
    for queue in _rq_queues():
        ids: list[str] = list(queue.get_job_ids())
        ids += ScheduledJobRegistry(queue=queue).get_job_ids()  # type: ignore[no-untyped-call]
        ids += StartedJobRegistry(queue=queue).get_job_ids(cleanup=False)
        jobs: Iterable[Any] = Job.fetch_many(ids, connection=queue.connection)
        for job in jobs:
            if job is not None and job.func_name == module_path and job.args:
                pending.add(job.args[0])
    return pending
