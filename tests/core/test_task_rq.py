"""The task queue's guarantees on RQ (renda.core.tasks), against a redis-server of this test's
own (never the machine's): a failed job is retried with back-off a bounded number of times,
then listed as failed work (retry, dismiss); a job left started by a dead worker is handed
on after the lease; health counts workers and failures."""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.utils import timezone
from django_tasks import task
from django_tasks_rq.backend import Job
from rq import Queue, SimpleWorker
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from renda.core import tasks
from tests.notifications.conftest import OwnRedis

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]


@task()
def fails_on_rq(n: int) -> None:
    raise RuntimeError(f"短信网关超时 {n}")


@pytest.fixture
def rq_url(tmp_path: Path, settings: Any) -> Iterator[str]:
    server = OwnRedis(tmp_path)
    server.start()
    try:
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
        }
        settings.TASK_BACKEND = "rq"
        settings.RQ_QUEUES = {"default": {"URL": server.url, "DEFAULT_TIMEOUT": 60}}
        settings.TASK_MAX_ATTEMPTS = 3
        settings.TASK_RETRY_BASE_SECONDS = 30
        settings.TASK_LEASE_SECONDS = 60
        yield server.url
    finally:
        server.stop()


def queue(url: str) -> Queue:
    return Queue("default", connection=redis.Redis.from_url(url), job_class=Job)


def run_burst(url: str) -> None:
    q = queue(url)
    SimpleWorker([q], connection=q.connection, job_class=Job).work(burst=True)


def test_failed_job_retried_with_back_off_then_listed(rq_url: str) -> None:
    result = fails_on_rq.enqueue(5)
    q = queue(rq_url)
    delays = []
    for attempt in (1, 2, 3):
        run_burst(rq_url)
        failed = FailedJobRegistry(queue=q)
        assert result.id in failed.get_job_ids()
        before = timezone.now()
        outcome = tasks.recover()
        if attempt == 3:
            assert outcome.retried == 0
            break
        assert outcome.retried == 1
        scheduled = ScheduledJobRegistry(queue=q)  # type: ignore[no-untyped-call]
        job = q.fetch_job(result.id)
        assert job is not None
        at = scheduled.get_scheduled_time(job)
        delays.append((at - before).total_seconds())
        # Due now: the scheduler of a worker would move it onto the queue.
        scheduled.remove(job)
        q.enqueue_job(job)
    assert delays == pytest.approx([30, 60], abs=1.5)  # rq keeps whole seconds
    [work] = tasks.failed_work()
    assert (work.id, work.task_name, work.args, work.attempts) == (result.id, "fails_on_rq", [5], 3)
    assert "短信网关超时 5" in work.error
    assert tasks.queue_stats()["failed"] == 1
    # The administrator's retry puts it on the queue again; dismissing removes it.
    assert tasks.retry_failed(result.id) is not None
    assert q.count == 1
    assert tasks.failed_work() == []
    run_burst(rq_url)
    assert tasks.dismiss_failed(result.id) is not None
    assert tasks.failed_work() == []
    assert tasks.retry_failed("no-such-job") is None


def test_job_of_a_dead_worker_is_handed_on_after_the_lease(rq_url: str) -> None:
    result = fails_on_rq.enqueue(1)
    q = queue(rq_url)
    job = q.fetch_job(result.id)
    assert job is not None
    # A worker took the job and then vanished: its heartbeat stopped two minutes ago,
    # while rq's own execution heartbeat would still hold the job for another minute.
    worker = SimpleWorker([q], connection=q.connection, job_class=Job, name="gone")
    worker.register_birth()
    q.connection.hset(
        worker.key,
        "last_heartbeat",
        (datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=2)).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"
        ),
    )
    with q.connection.pipeline() as pipe:
        q.remove(job, pipeline=pipe)
        job.prepare_for_execution("gone", pipe)
        worker.prepare_execution(job)
        pipe.execute()
    started = StartedJobRegistry(queue=q)
    assert result.id in started.get_job_ids(cleanup=False)
    outcome = tasks.recover()
    assert outcome.requeued == 1
    assert result.id not in started.get_job_ids(cleanup=False)
    # Handed on as a failed attempt, and scheduled again after the back-off.
    assert outcome.retried == 1
    assert job.id in ScheduledJobRegistry(queue=q).get_job_ids()  # type: ignore[no-untyped-call]


def test_a_live_workers_job_is_left_alone(rq_url: str) -> None:
    result = fails_on_rq.enqueue(1)
    q = queue(rq_url)
    job = q.fetch_job(result.id)
    assert job is not None
    worker = SimpleWorker([q], connection=q.connection, job_class=Job, name="busy")
    worker.register_birth()
    with q.connection.pipeline() as pipe:
        q.remove(job, pipeline=pipe)
        job.prepare_for_execution("busy", pipe)
        worker.prepare_execution(job)
        pipe.execute()
    assert tasks.recover().requeued == 0
    assert result.id in StartedJobRegistry(queue=q).get_job_ids(cleanup=False)
    assert tasks.live_workers() == 1
