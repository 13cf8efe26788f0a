"""The schedule registry and the claim that lets several schedulers run side by side:
each slot of each job is claimed once, a job that fails is recorded and runs again at its
next slot, a scheduler that died gives its job back when its lease expires."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from renda.core import schedule
from renda.core.models import ScheduledJob

T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


@pytest.fixture
def registry() -> Iterator[dict[str, schedule.Job]]:
    """The registry as the apps left it, restored after the test."""
    saved = dict(schedule._jobs)
    try:
        yield schedule._jobs
    finally:
        schedule._jobs.clear()
        schedule._jobs.update(saved)


def test_every_periodic_command_is_registered_by_its_app() -> None:
    every = {job.key: (job.command, job.every) for job in schedule.jobs()}
    assert every["case_deadlines"] == ("case_deadlines", timedelta(hours=1))
    assert every["duty_reminders"][0] == "duty_reminders"
    assert every["duty_reminders"][1] <= timedelta(minutes=10)
    assert every["tasks_recover"] == ("tasks_recover", timedelta(minutes=1))
    assert every["clearsessions"] == ("clearsessions", timedelta(days=1))
    assert every["purge_deputy_imports"] == ("purge_deputy_imports", timedelta(days=1))


def test_registering_one_more_job_is_one_line(registry: Any) -> None:
    schedule.register(key="tasks_recover", command="check", every=timedelta(minutes=1))
    assert schedule.get("tasks_recover").command == "check"
    schedule.register(key="tasks_recover", command="check", every=timedelta(minutes=2))
    assert [job.every for job in schedule.jobs() if job.key == "tasks_recover"] == [
        timedelta(minutes=2)
    ]
    with pytest.raises(ValueError, match="positive"):
        schedule.register(key="never", command="check", every=timedelta(0))


def test_slots_are_aligned_to_the_epoch() -> None:
    assert schedule.next_slot(timedelta(hours=1), T0) == T0 + timedelta(hours=1)
    assert schedule.next_slot(timedelta(hours=1), T0 + timedelta(minutes=59)) == T0 + timedelta(
        hours=1
    )
    assert schedule.next_slot(timedelta(minutes=5), T0 + timedelta(seconds=1)) == T0 + timedelta(
        minutes=5
    )


@pytest.mark.django_db
def test_a_slot_is_claimed_once() -> None:
    job = schedule.Job(key="probe", command="check", every=timedelta(hours=1))
    ScheduledJob.objects.create(key="probe", next_run_at=T0)
    assert schedule.claim(job, now=T0, runner="a")
    assert not schedule.claim(job, now=T0, runner="b")  # the same slot
    schedule.finish(job, ok=True, output="", now=T0 + timedelta(seconds=1))
    assert not schedule.claim(job, now=T0 + timedelta(minutes=59), runner="b")  # not yet due
    assert schedule.claim(job, now=T0 + timedelta(hours=1), runner="b")  # the next slot
    row = ScheduledJob.objects.get(key="probe")
    assert (row.runs, row.last_runner, row.next_run_at) == (2, "b", T0 + timedelta(hours=2))


@pytest.mark.django_db
def test_a_dead_schedulers_lease_expires() -> None:
    job = schedule.Job(
        key="probe", command="check", every=timedelta(minutes=1), lease=timedelta(minutes=5)
    )
    ScheduledJob.objects.create(key="probe", next_run_at=T0)
    assert schedule.claim(job, now=T0, runner="dies")  # and never finishes
    assert not schedule.claim(job, now=T0 + timedelta(minutes=2), runner="b")  # still held
    assert schedule.claim(job, now=T0 + timedelta(minutes=6), runner="b")  # lease expired


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_runs_again_at_its_next_slot(
    registry: Any, caplog: pytest.LogCaptureFixture
) -> None:
    registry.clear()
    # An unknown command and a command refusing its arguments: neither stops the scheduler.
    schedule.register(key="broken", command="no_such_command", every=timedelta(minutes=1))
    schedule.register(
        key="bad_args", command="case_deadlines", args=("--today", "x"), every=timedelta(hours=1)
    )
    schedule.register(key="fine", command="check", every=timedelta(minutes=1))
    clock = [T0]
    assert schedule.run_due(runner="r", now=lambda: clock[0]) == ["bad_args", "broken", "fine"]
    rows = {row.key: row for row in ScheduledJob.objects.all()}
    assert rows["broken"].last_ok is False
    assert rows["broken"].failures == 1
    assert "no_such_command" in rows["broken"].last_output
    assert rows["broken"].running_until is None
    assert rows["bad_args"].last_ok is False
    assert rows["fine"].last_ok is True
    assert "scheduled_job_failed" in caplog.text
    assert schedule.run_due(runner="r", now=lambda: clock[0]) == []  # same slot: nothing
    clock[0] = T0 + timedelta(minutes=1)
    assert schedule.run_due(runner="r", now=lambda: clock[0]) == ["broken", "fine"]
    assert ScheduledJob.objects.get(key="broken").failures == 2


@pytest.mark.django_db
def test_the_loop_survives_a_failing_job_and_stops_on_request(registry: Any) -> None:
    registry.clear()
    schedule.register(key="broken", command="no_such_command", every=timedelta(minutes=1))
    stop = threading.Event()
    schedule.register(key="stopper", command="check", every=timedelta(minutes=1))
    original = schedule.execute

    def execute(job: schedule.Job) -> tuple[bool, str]:
        result = original(job)
        if job.key == "stopper":
            stop.set()  # what SIGTERM does
        return result

    schedule.execute = execute  # type: ignore[assignment]
    try:
        schedule.serve(stop=stop, runner="r")
    finally:
        schedule.execute = original  # type: ignore[assignment]
    rows = {row.key: row for row in ScheduledJob.objects.all()}
    assert (rows["broken"].last_ok, rows["stopper"].last_ok) == (False, True)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads share one connection on SQLite tests"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_on_postgresql_take_a_slot_once() -> None:
    job = schedule.Job(key="probe", command="check", every=timedelta(hours=1))
    ScheduledJob.objects.create(key="probe", next_run_at=T0)
    barrier = threading.Barrier(8)
    won: list[bool] = []

    def contend() -> None:
        from django.db import connections

        barrier.wait()
        try:
            won.append(schedule.claim(job, now=T0, runner=threading.current_thread().name))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=contend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == [False] * 7 + [True]
