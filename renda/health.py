"""``/healthz``: is the database, the cache and the task queue working?

Built on django-health-check's check classes, but run one after another in the request's
own thread: the checks then use the request's database connection (nothing left open in a
thread pool) and a probe for a monitoring system stays cheap.

The answer is JSON: ``{"status": "ok"}`` with HTTP 200 when everything works; "error" (a
check cannot reach its service) or "degraded" (the task queue answers but no worker is
alive, tasks have failed and nobody dealt with them, or the oldest queued task waits longer
than ``TASK_QUEUE_MAX_AGE_SECONDS``) with 503, for a load balancer. Anonymous callers get
only the status; operators (``is_operator``) also get the checks, which name backends and
counts, never hosts, URLs or passwords.
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
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import HealthCheckException, ServiceUnavailable

from renda.core import policies, tasks
from renda.core.models import Role

logger = logging.getLogger("renda.health")

# A health probe must answer quickly even when Redis is unreachable.
REDIS_TIMEOUT_SECONDS = 3.0


@dataclasses.dataclass
class TaskQueue(HealthCheck):  # type: ignore[misc]
    """The configured background-task backend answers (its table, or Redis), with queued,
    running and failed counts, live workers and the age of the oldest queued task. What it
    finds wrong while it answers (``problems``) makes the answer "degraded"."""

    details: dict[str, Any] = dataclasses.field(default_factory=dict, repr=False)
    problems: list[str] = dataclasses.field(default_factory=list, repr=False)

    def run(self) -> None:
        kind = tasks.backend_kind()
        self.details = {"backend": getattr(settings, "TASK_BACKEND", kind)}
        if kind == "inline":
            return  # "immediate" and "dummy" run inline or not at all: nothing to reach.
        try:
            stats = tasks.queue_stats()
        except redis.RedisError as exc:
            raise ServiceUnavailable("redis unreachable") from exc
        self.details.update(stats)
        if stats["workers"] == 0:
            self.problems.append(_("没有正在运行的任务进程。"))
        if stats["failed"]:
            self.problems.append(
                _("有 %(n)d 个后台任务失败，请在“失败的后台任务”页面处理。")
                % {"n": stats["failed"]}
            )
        limit = int(getattr(settings, "TASK_QUEUE_MAX_AGE_SECONDS", 600))
        if stats["oldest_queued_seconds"] > limit:
            self.problems.append(
                _("最早排队的任务已等待 %(s)d 秒（上限 %(limit)d 秒）。")
                % {"s": stats["oldest_queued_seconds"], "limit": limit}
            )


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
        if check.problems and result["status"] == "ok":
            result.update(status="degraded", problems=check.problems)
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _checks() -> dict[str, HealthCheck]:
    return {
        "database": Database(),
        "cache": Cache(timeout=datetime.timedelta(seconds=10)),
        "tasks": TaskQueue(),
    }


def is_operator(request: HttpRequest) -> bool:
    """Who may read the details: a monitor sending ``Authorization: Bearer <HEALTH_TOKEN>``,
    or a signed-in administrator past two-factor sign-in."""
    token = str(getattr(settings, "HEALTH_TOKEN", "") or "")
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and constant_time_compare(given[7:].strip(), token):
        return True
    user = request.user if hasattr(request, "user") else None
    if user is None or not user.is_authenticated:
        return False
    verified = getattr(user, "is_verified", None)
    if callable(verified) and not verified():
        return False
    return bool(user.is_superuser or policies.has_role(user, Role.ADMIN))


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {name: _run(name, check) for name, check in _checks().items()}
    states = {c["status"] for c in checks.values()}
    status = "error" if "error" in states else "degraded" if "degraded" in states else "ok"
    body: dict[str, Any] = {"status": status}
    if is_operator(request):
        body["checks"] = checks
    return JsonResponse(
        body,
        status=200 if status == "ok" else 503,
        json_dumps_params={"ensure_ascii": False},
    )


urlpatterns = [path("", healthz, name="healthz")]
