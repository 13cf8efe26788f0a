"""Two `renda scheduler` processes on one installation at the same moment: each job runs
once per slot and each reminder is sent once."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.ops.processes import operator_env, process_group, stop_group, wait_for

pytestmark = pytest.mark.slow


def renda(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "renda", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_two_schedulers_run_each_slot_once_and_remind_once(tmp_path: Path) -> None:
    var = tmp_path / "var"
    sms = var / "sms.jsonl"
    # Deliveries run inline, so every SMS a scheduler causes is in the file when it is done.
    env = operator_env(var, TASK_BACKEND="immediate", SMS_BACKEND="file", SMS_FILE_PATH=str(sms))
    renda("migrate", "--noinput", "--verbosity", "0", env=env)
    renda("seed", "--scale", "small", env=env)
    renda("scheduler", "--list", env=env)  # writes the jobs' rows, due now
    database = sqlite3.connect(var / "renda.sqlite3", isolation_level=None)
    # Due a few seconds from now: both schedulers are up and asleep by then, and wake for
    # the same slot at the same moment.
    due = datetime.now(UTC) + timedelta(seconds=8)
    database.execute(
        "UPDATE core_scheduledjob SET next_run_at = ?", [due.strftime("%Y-%m-%d %H:%M:%S.%f")]
    )

    def finished() -> int:
        try:
            row = database.execute(
                "SELECT COUNT(*) FROM core_scheduledjob WHERE last_finished_at IS NOT NULL"
            ).fetchone()
        except sqlite3.OperationalError:  # locked by a writer for a moment
            return 0
        return int(row[0])

    began = datetime.now(UTC)
    logs = [tmp_path / "scheduler-1.log", tmp_path / "scheduler-2.log"]
    args = [sys.executable, "-m", "renda", "scheduler"]
    with (
        process_group(args, env=env, log=logs[0]) as first,
        process_group(args, env=env, log=logs[1]) as second,
    ):
        wait_for(
            lambda: all("scheduler_started" in log.read_text() for log in logs),
            timeout=60,
            what="both schedulers to start",
        )
        wait_for(lambda: finished() >= 5, timeout=60, what="the jobs' first runs")
        time.sleep(3)  # time for the other scheduler to run anything twice, if it could
        codes = [stop_group(first), stop_group(second)]
    ended = datetime.now(UTC)
    outputs = [log.read_text() for log in logs]
    assert codes == [0, 0], outputs  # SIGTERM stops a scheduler cleanly
    assert all("scheduler_stopped" in output for output in outputs), outputs

    def runs_logged(key: str) -> int:
        return len(re.findall(rf"scheduled_job_done .*\bjob={key}\b", "".join(outputs)))

    done = runs_logged("case_deadlines")
    [(runs,)] = database.execute(
        "SELECT runs FROM core_scheduledjob WHERE key = 'case_deadlines'"
    ).fetchall()
    assert done == runs
    if began.hour == ended.hour:  # one hourly slot: one run, by one of the two
        assert runs == 1
    for key in ("case_deadlines", "clearsessions", "purge_deputy_imports"):
        assert runs_logged(key) == 1 or began.hour != ended.hour, (key, outputs)

    lines = [json.loads(line) for line in sms.read_text(encoding="utf-8").splitlines()]
    overdue = [line for line in lines if line["kind"] == "case_overdue"]
    assert overdue  # the seed has overdue cases
    references = [line["reference"] for line in lines]
    assert len(references) == len(set(references))  # no delivery sent twice
    [(sent,)] = database.execute(
        "SELECT COUNT(*) FROM notifications_delivery WHERE channel = 'sms'"
    ).fetchall()
    assert sent == len(lines)
    assert "reminders 0" in renda("case_deadlines", env=env)  # every rule already reminded
    database.close()
