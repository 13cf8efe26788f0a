"""/healthz: database, cache and task queue, 200 when all work and 503 when one fails or the
queue is degraded (no live worker, failed tasks nobody dealt with, a queue that does not
move); details only for operators (an administrator, or the HEALTH_TOKEN)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from renda.core import tasks
from renda.core.models import TaskWorker

pytestmark = pytest.mark.django_db

CLOSED_PORT_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


@task()
def probe_task() -> None:
    """Only enqueued (never run) to give the health check something to count."""


HEALTH_TOKEN = "monitor-token-0123456789abcdef"


@pytest.fixture(autouse=True)
def live_worker(settings: Any) -> Iterator[None]:
    """A worker that has just beaten its heartbeat (on RQ: registered in this test process's
    Redis database), and a token for the operator's monitor."""
    settings.HEALTH_TOKEN = HEALTH_TOKEN
    tasks.beat("test-worker", backend=settings.TASK_BACKEND)
    if settings.TASK_BACKEND != "rq":
        yield
        return
    from rq import SimpleWorker

    [queue] = tasks._rq_queues()
    worker = SimpleWorker([queue], connection=queue.connection, name="health-test-worker")
    worker.register_birth()
    try:
        yield
    finally:
        worker.register_death()


def health(client: Any, *, operator: bool = True) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {HEALTH_TOKEN}"} if operator else {}
    response = client.get("/healthz", headers=headers)
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
        tasks.beat("db-worker", backend="database")
        probe_task.enqueue()
        probe_task.enqueue()
        status, body = health(client)
    assert status == 200, body
    check = body["checks"]["tasks"]
    assert check["backend"] == "database"
    assert (check["queued"], check["running"], check["failed"]) == (2, 0, 0)
    assert check["workers"] >= 1
    assert 0 <= check["oldest_queued_seconds"] < 60


def test_failed_tasks_make_it_degraded(client: Any) -> None:
    # The issue: "/healthz answered ok with 26 failed tasks".
    with override_settings(TASK_BACKEND="database", TASKS=DB_TASKS):
        tasks.beat("db-worker", backend="database")
        ids = [probe_task.enqueue().id for _ in range(26)]
        DBTaskResult.objects.filter(id__in=ids).update(status=TaskResultStatus.FAILED)
        status, body = health(client)
        anonymous_status, anonymous = health(client, operator=False)
    assert status == 503, body
    assert body["status"] == "degraded"
    check = body["checks"]["tasks"]
    assert check["status"] == "degraded"
    assert check["failed"] == 26
    assert any("26 个后台任务失败" in p for p in check["problems"])
    assert (anonymous_status, anonymous) == (503, {"status": "degraded"})


def test_no_live_worker_is_degraded(client: Any) -> None:
    with override_settings(TASK_BACKEND="database", TASKS=DB_TASKS):
        TaskWorker.objects.update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=5))
        status, body = health(client)
    assert status == 503, body
    check = body["checks"]["tasks"]
    assert (check["status"], check["workers"]) == ("degraded", 0)
    assert check["problems"] == ["没有正在运行的任务进程。"]


def test_a_queue_that_does_not_move_is_degraded(client: Any, settings: Any) -> None:
    settings.TASK_QUEUE_MAX_AGE_SECONDS = 300
    with override_settings(TASK_BACKEND="database", TASKS=DB_TASKS):
        tasks.beat("db-worker", backend="database")
        waiting = probe_task.enqueue()
        status, body = health(client)
        assert status == 200, body
        DBTaskResult.objects.filter(id=waiting.id).update(
            enqueued_at=timezone.now() - datetime.timedelta(seconds=400)
        )
        status, body = health(client)
    assert status == 503, body
    check = body["checks"]["tasks"]
    assert check["status"] == "degraded"
    assert check["oldest_queued_seconds"] >= 400
    assert check["problems"] == ["最早排队的任务已等待 400 秒（上限 300 秒）。"]


def test_anonymous_callers_get_only_the_status(client: Any, login: Any) -> None:
    status, body = health(client, operator=False)
    assert (status, body) == (200, {"status": "ok"})
    # A wrong token, or a signed-in user who is not an administrator, is not an operator.
    wrong = client.get("/healthz", headers={"Authorization": "Bearer nope"})
    assert json.loads(wrong.content) == {"status": "ok"}
    for username in ("office", "deputy"):
        answer = login(username).get("/healthz")
        assert json.loads(answer.content) == {"status": "ok"}, username
    admin = login("admin").get("/healthz")
    assert set(json.loads(admin.content)["checks"]) == {"database", "cache", "tasks"}


def test_no_token_configured_means_no_token_works(client: Any, settings: Any) -> None:
    settings.HEALTH_TOKEN = ""
    answer = client.get("/healthz", headers={"Authorization": "Bearer "})
    assert json.loads(answer.content) == {"status": "ok"}


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
    check = body["checks"]["tasks"]
    assert check["backend"] == "rq"
    assert {"queued", "failed", "workers", "oldest_queued_seconds"} <= set(check)
    # No RQ worker runs during this test: degraded, with the reason.
    if check["workers"] == 0:
        assert status == 503
        assert "没有正在运行的任务进程。" in check["problems"]


def test_only_reads_are_allowed(client: Any) -> None:
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200
