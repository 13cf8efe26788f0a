"""/healthz: database, cache and task queue, 200 when all work and 503 when one fails."""

from __future__ import annotations

import json
from typing import Any

import pytest
import redis
from django.conf import settings
from django.test import override_settings
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db

CLOSED_PORT_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


@task()
def probe_task() -> None:
    """Only enqueued (never run) to give the health check something to count."""


def health(client: Any) -> tuple[int, dict[str, Any]]:
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, json.loads(response.content)


def redis_available() -> bool:
    try:
        redis.Redis.from_url(
            settings.REDIS_URL or "redis://127.0.0.1:6379/0", socket_connect_timeout=1
        ).ping()
    except redis.RedisError:
        return False
    return True


def test_healthy(client: Any) -> None:
    status, body = health(client)
    assert status == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "tasks"}
    for check in body["checks"].values():
        assert check["status"] == "ok"
        assert "error" not in check
    assert body["checks"]["tasks"]["backend"] == settings.TASK_BACKEND
    assert body["checks"]["database"]["backend"] in {"sqlite3", "postgresql"}


def test_no_secrets_in_the_answer(client: Any) -> None:
    _status, body = health(client)
    text = json.dumps(body)
    for secret in (settings.SECRET_KEY, settings.DATABASES["default"].get("PASSWORD") or "\0"):
        assert secret not in text
    assert "redis://" not in text
    assert "postgres://" not in text


def test_cache_on_a_closed_port_is_503(client: Any) -> None:
    broken = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_PORT_URL,
        }
    }
    with override_settings(CACHES=broken):
        status, body = health(client)
    assert status == 503
    assert body["status"] == "error"
    assert body["checks"]["cache"]["status"] == "error"
    assert body["checks"]["cache"]["error"] == "缓存无法读写。"
    assert body["checks"]["cache"]["backend"] == "redis"
    assert body["checks"]["database"]["status"] == "ok"
    assert "127.0.0.1:1" not in json.dumps(body)


def test_database_task_backend_reports_counts(client: Any) -> None:
    with override_settings(TASK_BACKEND="database", TASKS=DB_TASKS):
        probe_task.enqueue()
        probe_task.enqueue()
        failed = probe_task.enqueue()
        DBTaskResult.objects.filter(id=failed.id).update(status=TaskResultStatus.FAILED)
        status, body = health(client)
    assert status == 200, body
    tasks = body["checks"]["tasks"]
    assert tasks["backend"] == "database"
    assert (tasks["queued"], tasks["running"], tasks["failed"]) == (2, 0, 1)
    assert tasks["oldest_queued_seconds"] >= 0


def test_rq_backend_with_redis_down_is_503(client: Any) -> None:
    queues = {"default": {"URL": CLOSED_PORT_URL, "DEFAULT_TIMEOUT": 60}}
    with override_settings(TASK_BACKEND="rq", TASKS=RQ_TASKS, RQ_QUEUES=queues):
        status, body = health(client)
    assert status == 503
    assert body["checks"]["tasks"] == {
        "status": "error",
        "error": "任务队列无法访问。",
        "backend": "rq",
        "ms": body["checks"]["tasks"]["ms"],
    }


def test_rq_backend_with_redis_up(client: Any) -> None:
    if not redis_available():
        if settings.TASK_BACKEND == "rq":
            pytest.fail("TASK_BACKEND=rq but Redis does not answer")
        pytest.skip("Redis is not running here (the PostgreSQL + Redis run covers this)")
    url = settings.REDIS_URL or "redis://127.0.0.1:6379/0"
    queues = {"default": {"URL": url, "DEFAULT_TIMEOUT": 60}}
    with override_settings(TASK_BACKEND="rq", TASKS=RQ_TASKS, RQ_QUEUES=queues):
        status, body = health(client)
    assert status == 200, body
    tasks = body["checks"]["tasks"]
    assert tasks["backend"] == "rq"
    assert {"queued", "failed", "workers"} <= set(tasks)


def test_only_reads_are_allowed(client: Any) -> None:
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200
