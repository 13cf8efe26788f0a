"""``/healthz``: is the database, the cache and the task queue working?

Built on django-health-check's check classes, but run one after another in the request's
own thread: the checks then use the request's database connection (nothing left open in a
thread pool) and a probe for a monitoring system stays cheap. The answer is JSON with HTTP
200 when everything works and 503 otherwise; it names backends and counts, never hosts,
URLs or passwords.
"""

from __future__ import annotations

import dataclasses
import datetime
import inspect
import logging
import time
from typing import Any

import redis
from asgiref.sync import async_to_sync
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import HealthCheckException, ServiceUnavailable

logger = logging.getLogger("renda.health")

# A health probe must answer quickly even when Redis is unreachable.
REDIS_TIMEOUT_SECONDS = 3.0


@dataclasses.dataclass
class TaskQueue(HealthCheck):  # type: ignore[misc]
    """The configured background-task backend: for the database backend, that its table
    answers (with queued, running and failed counts); for RQ, that Redis answers (with queue
    lengths, failed jobs and live workers)."""

    details: dict[str, Any] = dataclasses.field(default_factory=dict, repr=False)

    def run(self) -> None:
        backend = getattr(settings, "TASK_BACKEND", "database")
        self.details = {"backend": backend}
        if backend == "database":
            self._check_database()
        elif backend == "rq":
            self._check_rq()
        # "immediate" and "dummy" run inline or not at all: nothing to reach.

    def _queues(self) -> list[str]:
        return list(settings.TASKS["default"].get("QUEUES") or ["default"])

    def _check_database(self) -> None:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        results = DBTaskResult.objects.filter(queue_name__in=self._queues())
        counts = {
            "queued": results.filter(status=TaskResultStatus.READY).count(),
            "running": results.filter(status=TaskResultStatus.RUNNING).count(),
            "failed": results.filter(status=TaskResultStatus.FAILED).count(),
        }
        oldest = (
            results.filter(status=TaskResultStatus.READY, run_after__lte=timezone.now())
            .order_by("enqueued_at")
            .values_list("enqueued_at", flat=True)
            .first()
        )
        # A growing age here means no worker is running.
        counts["oldest_queued_seconds"] = (
            int((timezone.now() - oldest).total_seconds()) if oldest else 0
        )
        self.details.update(counts)

    def _check_rq(self) -> None:
        from rq import Queue, Worker

        url = str(settings.RQ_QUEUES.get("default", {}).get("URL") or settings.REDIS_URL)
        connection = redis.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        try:
            connection.ping()
            queues = [Queue(name, connection=connection) for name in self._queues()]
            self.details.update(
                {
                    "queued": sum(q.count for q in queues),
                    "failed": sum(q.failed_job_registry.count for q in queues),
                    "workers": Worker.count(connection=connection),
                }
            )
        except redis.RedisError as exc:
            raise ServiceUnavailable("redis unreachable") from exc
        finally:
            connection.close()


def _backend_name(kind: str) -> str:
    if kind == "database":
        return str(settings.DATABASES["default"]["ENGINE"]).rsplit(".", 1)[-1]
    backend = str(settings.CACHES["default"]["BACKEND"])
    return backend.rsplit(".", 1)[-1].removesuffix("Cache").lower() or backend


def _failure_messages() -> dict[str, str]:
    return {
        "database": _("数据库无法访问。"),
        "cache": _("缓存无法读写。"),
        "tasks": _("任务队列无法访问。"),
    }


def _run(name: str, check: HealthCheck) -> dict[str, Any]:
    started = time.perf_counter()
    result: dict[str, Any] = {"status": "ok"}
    if name in ("database", "cache"):
        result["backend"] = _backend_name(name)
    try:
        if inspect.iscoroutinefunction(check.run):
            # The library's cache check is async; async_to_sync runs the cache calls it
            # wraps back in this thread.
            async_to_sync(check.run)()
        else:
            check.run()
    except HealthCheckException as exc:
        logger.warning("health.check_failed", extra={"check": name, "reason": str(exc)})
        result.update(status="error", error=_failure_messages()[name])
    except Exception:
        logger.exception("health.check_crashed", extra={"check": name})
        result.update(status="error", error=_failure_messages()[name])
    if isinstance(check, TaskQueue):
        result.update(check.details)
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _checks() -> dict[str, HealthCheck]:
    return {
        "database": Database(),
        "cache": Cache(timeout=datetime.timedelta(seconds=10)),
        "tasks": TaskQueue(),
    }


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {name: _run(name, check) for name, check in _checks().items()}
    ok = all(c["status"] == "ok" for c in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "error", "checks": checks},
        status=200 if ok else 503,
        json_dumps_params={"ensure_ascii": False},
    )


urlpatterns = [path("", healthz, name="healthz")]
