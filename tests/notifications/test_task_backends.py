"""The real task backends: the database queue with its worker, and RQ on the local Redis."""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.management import call_command

from renda.core.models import User
from renda.notifications import services
from renda.notifications.models import Delivery, DeliveryStatus
from tests.notifications.conftest import FakeGateway

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"  # a database index only these tests use


@contextmanager
def preserved_process_state() -> Iterator[None]:
    """Workers install signal handlers and set log levels for the whole process; undo that."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    levels = {name: logging.getLogger(name).level for name in ("django_tasks", "django_tasks_db")}
    try:
        yield
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def run_db_worker() -> None:
    with preserved_process_state():
        call_command(
            "db_worker",
            batch=True,
            reload=False,
            startup_delay=False,
            interval=0,
            verbosity=0,
            worker_id="renda-notifications-test",
        )


@pytest.mark.django_db(transaction=True)
def test_database_backend_with_worker(reseed: None, settings: Any, http_sms: FakeGateway) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 0  # the retry is due at once
    http_sms.script = [(500, {"code": "ERROR"})]
    deputy = User.objects.get(username="deputy")

    # Committed for real (no test transaction), so the task row appears on commit.
    [n] = services.notify(recipients=[deputy], kind="overdue", title="督办件已逾期", body="")
    delivery = Delivery.objects.get(notification=n)
    assert delivery.status == DeliveryStatus.QUEUED
    assert list(DBTaskResult.objects.values_list("status", "args_kwargs")) == [
        ("READY", {"args": [delivery.pk], "kwargs": {}})
    ]
    assert http_sms.requests == []  # nothing is sent before a worker runs

    run_db_worker()

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 2  # the 500 was retried through the queue with run_after
    assert len(http_sms.requests) == 2
    results = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [r.status for r in results] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert results[1].run_after is not None

    # A second batch finds nothing to do and sends nothing.
    run_db_worker()
    assert len(http_sms.requests) == 2


@pytest.fixture
def rq_queue(settings: Any) -> Iterator[Any]:
    import redis

    connection = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    import django_rq
    from django_tasks_rq.backend import Job

    settings.RQ_QUEUES = {"default": {"URL": REDIS_TEST_URL, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    queue = django_rq.get_queue("default", job_class=Job)

    def clean() -> None:
        for registry in (
            queue.scheduled_job_registry,
            queue.started_job_registry,
            queue.finished_job_registry,
            queue.failed_job_registry,
            queue.deferred_job_registry,
            queue.canceled_job_registry,
        ):
            for job_id in registry.get_job_ids():
                registry.remove(job_id, delete_job=True)
        queue.delete(delete_jobs=True)

    clean()
    try:
        yield queue
    finally:
        clean()
        connection.close()


def run_rq_worker(queue: Any, *, with_scheduler: bool = False) -> None:
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    with preserved_process_state():
        worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
        worker.work(burst=True, with_scheduler=with_scheduler)


@pytest.mark.django_db
def test_rq_backend_against_real_redis(
    rq_queue: Any,
    user: Any,
    settings: Any,
    http_sms: FakeGateway,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 0
    deputy, station = user("deputy"), user("station")
    http_sms.script = [(500, {"code": "ERROR"})]  # the first message fails once
    with django_capture_on_commit_callbacks(execute=True):
        notes = services.notify(recipients=[deputy, station], kind="overdue", title="逾期", body="")
    deliveries = list(Delivery.objects.filter(notification__in=notes).order_by("pk"))
    assert rq_queue.count == 2
    assert http_sms.requests == []

    # The job runs in this process and test transaction, so its own after-commit enqueue of
    # the retry is released by the capture, as a real commit would.
    with django_capture_on_commit_callbacks(execute=True):
        run_rq_worker(rq_queue)

    first, second = (Delivery.objects.get(pk=d.pk) for d in deliveries)
    assert second.status == DeliveryStatus.SENT
    assert first.status == DeliveryStatus.QUEUED  # failed once, retry scheduled in RQ
    assert first.attempts == 1
    [scheduled] = rq_queue.scheduled_job_registry.get_job_ids()
    assert list(rq_queue.fetch_job(scheduled).args) == [first.pk]

    run_rq_worker(rq_queue, with_scheduler=True)  # moves the due retry to the queue, runs it

    first.refresh_from_db()
    assert first.status == DeliveryStatus.SENT
    assert first.attempts == 2
    assert len(http_sms.requests) == 3
    assert rq_queue.scheduled_job_registry.get_job_ids() == []
    assert len(rq_queue.finished_job_registry.get_job_ids()) == 3
