"""The task queue's guarantees on the database backend (renda.core.tasks): a task left
running by a dead worker runs again once its lease has expired, a failed task is retried
with back-off a bounded number of times, and recovery run twice hands each task back once.
The real processes (a SIGKILLed ``renda worker``) are in test_task_faults.py."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from renda.core import tasks
from renda.core.models import TaskWorker

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
RUNS: list[int] = []


@task()
def count_run(n: int) -> int:
    RUNS.append(n)
    return n


@task()
def always_fails(n: int) -> None:
    raise RuntimeError(f"网关不可用 {n}")


@pytest.fixture(autouse=True)
def database_tasks(settings: Any) -> None:
    settings.TASKS = DB_TASKS
    settings.TASK_BACKEND = "database"
    settings.TASK_LEASE_SECONDS = 60
    settings.TASK_MAX_ATTEMPTS = 3
    settings.TASK_RETRY_BASE_SECONDS = 30
    RUNS.clear()


def run_ready() -> None:
    """What ``renda worker`` does with the queue, in this process: claim and run every ready
    task (the worker's own loop would close the test's connection between tasks)."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    while (ready := DBTaskResult.objects.ready().first()) is not None:
        ready.claim(worker.worker_id)
        worker.run_task(ready)


def claimed_by(result_id: Any, worker: str, *, ago: float, attempts: int = 1) -> None:
    """As if ``worker`` claimed the task ``ago`` seconds ago (and others did before it)."""
    DBTaskResult.objects.filter(pk=result_id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - datetime.timedelta(seconds=ago),
        worker_ids=[f"earlier-{i}" for i in range(attempts - 1)] + [worker],
    )


def row(result_id: Any) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=result_id)


def test_a_task_of_a_dead_worker_runs_again_after_its_lease() -> None:
    # The issue: "killed mid-task, the row stays RUNNING forever".
    result = count_run.enqueue(7)
    claimed_by(result.id, "dead-worker", ago=120)
    outcome = tasks.recover()
    assert outcome.requeued == 1
    assert row(result.id).status == TaskResultStatus.READY
    run_ready()
    assert RUNS == [7]
    done = row(result.id)
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert done.worker_ids == ["dead-worker", "test-worker"]
    # Recovery again finds nothing to do: the task ran once more, not twice more.
    assert tasks.recover().requeued == 0


def test_a_live_worker_keeps_its_task() -> None:
    result = count_run.enqueue(1)
    tasks.beat("busy-worker", backend="database")
    claimed_by(result.id, "busy-worker", ago=600)  # a long task, heartbeat still fresh
    assert tasks.recover().requeued == 0
    assert row(result.id).status == TaskResultStatus.RUNNING


def test_the_lease_must_have_expired() -> None:
    result = count_run.enqueue(1)
    claimed_by(result.id, "just-started", ago=5)  # no heartbeat yet, but within the lease
    assert tasks.recover().requeued == 0
    assert row(result.id).status == TaskResultStatus.RUNNING


def test_a_stale_heartbeat_is_a_dead_worker() -> None:
    result = count_run.enqueue(1)
    tasks.beat("stalled", backend="database")
    TaskWorker.objects.filter(pk="stalled").update(
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=90)
    )
    claimed_by(result.id, "stalled", ago=90)
    assert tasks.recover().requeued == 1
    assert tasks.live_workers() == 0


def test_lost_too_often_is_failed_for_good_and_listed() -> None:
    result = count_run.enqueue(3)
    claimed_by(result.id, "third-dead-worker", ago=120, attempts=3)
    outcome = tasks.recover()
    assert (outcome.requeued, outcome.given_up) == (0, 1)
    failed = row(result.id)
    assert failed.status == TaskResultStatus.FAILED
    assert failed.exception_class_path == tasks.WORKER_LOST
    [work] = tasks.failed_work()
    assert (work.id, work.task_name, work.args, work.attempts) == (
        str(result.id),
        "count_run",
        [3],
        3,
    )
    assert "third-dead-worker" in work.error
    # Not retried automatically any more: it waits for the administrator.
    assert tasks.recover().retried == 0


def test_a_failed_task_is_retried_with_back_off_then_left_failed() -> None:
    result = always_fails.enqueue(1)
    delays = []
    for attempt in (1, 2, 3):
        run_ready()
        failed = row(result.id)
        assert failed.status == TaskResultStatus.FAILED
        assert len(failed.worker_ids) == attempt
        outcome = tasks.recover()
        if attempt == 3:
            break
        assert outcome.retried == 1
        waiting = row(result.id)
        assert waiting.status == TaskResultStatus.READY
        assert failed.finished_at is not None
        delays.append((waiting.run_after - failed.finished_at).total_seconds())
        run_ready()  # not yet due: nothing runs
        assert row(result.id).status == TaskResultStatus.READY
        DBTaskResult.objects.filter(pk=result.id).update(run_after=timezone.now())
    assert delays == [30, 60]
    assert outcome.retried == 0
    assert row(result.id).status == TaskResultStatus.FAILED
    [work] = tasks.failed_work()
    assert work.attempts == 3
    assert "网关不可用 1" in work.error_summary


def test_retry_and_dismiss_of_failed_work() -> None:
    first = always_fails.enqueue(1)
    second = always_fails.enqueue(2)
    DBTaskResult.objects.filter(pk__in=[first.id, second.id]).update(
        status=TaskResultStatus.FAILED, worker_ids=["a", "b", "c"], finished_at=timezone.now()
    )
    retried = tasks.retry_failed(str(first.id))
    assert retried is not None
    assert retried.args == [1]
    assert row(first.id).status == TaskResultStatus.READY
    assert tasks.retry_failed(str(first.id)) is None  # no longer failed
    dismissed = tasks.dismiss_failed(str(second.id))
    assert dismissed is not None
    assert dismissed.args == [2]
    assert not DBTaskResult.objects.filter(pk=second.id).exists()
    assert tasks.failed_work() == []
    assert tasks.retry_failed("not-a-uuid") is None


def test_recovery_twice_hands_back_once() -> None:
    result = count_run.enqueue(5)
    claimed_by(result.id, "dead", ago=120)
    assert tasks.recover().requeued == 1
    assert tasks.recover().requeued == 0
    run_ready()
    assert RUNS == [5]


def test_tasks_recover_command_prints_what_it_did() -> None:
    result = count_run.enqueue(9)
    claimed_by(result.id, "dead", ago=120)
    out = io.StringIO()
    call_command("tasks_recover", stdout=out)
    report = json.loads(out.getvalue())
    assert report["requeued"] == 1
    assert "notifications.requeue" in report["hooks"]


def test_heartbeat_and_forget() -> None:
    tasks.beat("w1", backend="database")
    tasks.beat("w1", backend="database")
    assert tasks.live_workers() == 1
    tasks.forget("w1")
    assert tasks.live_workers() == 0


def test_back_off_doubles_and_is_capped(settings: Any) -> None:
    settings.TASK_RETRY_BASE_SECONDS = 30
    assert [tasks.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert tasks.backoff(30).total_seconds() == tasks.MAX_BACKOFF_SECONDS
