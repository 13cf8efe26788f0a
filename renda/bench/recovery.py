"""``renda bench recovery``: SIGKILL the shipped worker while it delivers 1,000 queued SMS,
start it again, and measure what was lost and how long the queue took to recover.

It runs in a scratch database (scratch.py) on the database task backend, with the real
``renda worker`` command in a subprocess (its own session, so the kill takes the whole
process group, as a machine or container going down would) and the file SMS backend.

- ``lost``: deliveries not sent once the restarted worker is done (baseline: how many
  were queued, so the ratio is the share lost: 0).
- ``duplicated``: messages handed to the gateway a second time, under the same reference,
  because the worker died between sending and recording it (a gateway drops those by
  reference, see notifications/sms.py); baseline again the number queued.
- ``seconds_to_recover``: from the SIGKILL until every delivery is final, against the
  baseline of delivering as many in an undisturbed run of the same worker on the same
  machine (the difference is the lease a dead worker's task waits out, plus the restart).

The process helpers here are also what the fault tests use (tests/notifications/
test_task_faults.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from django.db import connection
from django.test.utils import override_settings

from renda.bench.registry import BenchmarkError, Metric, Options, register
from renda.bench.scratch import scratch_database
from renda.core.models import Person, Region, RegionLevel, User
from renda.notifications import services
from renda.notifications.models import FINAL_STATUSES, Delivery, DeliveryStatus

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Short leases so that a benchmark (or a test) waits seconds, not minutes, for a dead
# worker's task; production keeps the defaults in settings.py.
FAST_LEASE = {
    "TASK_HEARTBEAT_SECONDS": "0.5",
    "TASK_LEASE_SECONDS": "4",
    "TASK_RECOVER_SECONDS": "1",
    "SMS_TIMEOUT": "1",
}
SIZES = {"small": 60}
DEFAULT_SIZE = 1000


def database_url() -> str:
    """The URL of the default connection's database, for a process started beside this one."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor != "postgresql":
        raise BenchmarkError(f"no worker URL for a {connection.vendor} database")
    auth = str(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return (
        f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


def worker_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a ``renda worker`` on the default connection's database."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.pop("REDIS_URL", None)
    env.update(
        {
            "DATABASE_URL": database_url(),
            "TASK_BACKEND": "database",
            "RENDA_VAR_DIR": str(var_dir),
            "SMS_BACKEND": "file",
            "SMS_FILE_PATH": str(var_dir / "sms.jsonl"),
            "SMS_TEMPLATE_IDS": '{"default": "SMS_BENCH"}',
            **FAST_LEASE,
        }
    )
    env.update(extra)
    return env


class WorkerProcess:
    """``python -m renda worker`` in its own process group, its output in a file."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log: IO[str] = log_path.open("a", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "renda", "worker"],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL the worker and every process it started, as a machine going down would:
        nothing gets to clean up. rq's work horse runs in a process group of its own, so
        the descendants are collected first and killed with the group."""
        if self.process.poll() is None:
            descendants = _descendants(self.process.pid)
            os.killpg(self.process.pid, signal.SIGKILL)
            for pid in descendants:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self._log.close()

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _descendants(root: int) -> list[int]:
    """Every process below ``root`` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def wait_for(predicate: Callable[[], bool], *, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def recipients(count: int) -> list[User]:
    """``count`` accounts with a mobile number (any region: notifications need none)."""
    region, _ = Region.objects.get_or_create(
        code="439900000000", defaults={"name": "基准测试市", "level": RegionLevel.CITY}
    )
    users = []
    for i in range(count):
        person = Person.objects.create(name=f"测试{i}", region=region, phone=f"1390000{i:04d}")
        users.append(User.objects.create(username=f"bench-recovery-{i}", person=person))
    return users


def queue_deliveries(users: list[User], count: int) -> list[int]:
    """``count`` SMS deliveries, spread over the users, each enqueued as its own task."""
    notes = []
    for i in range(count):
        user = users[i % len(users)]
        notes += services.notify(
            recipients=[user], kind="overdue", title=f"督办件已逾期 {i}", body=""
        )
    return list(Delivery.objects.filter(notification__in=notes).values_list("pk", flat=True))


def unfinished(ids: list[int]) -> int:
    return Delivery.objects.filter(pk__in=ids).exclude(status__in=FINAL_STATUSES).count()


def sent(ids: list[int]) -> int:
    return Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENT).count()


def references(sms_file: Path) -> list[str]:
    if not sms_file.exists():
        return []
    return [json.loads(line)["reference"] for line in sms_file.read_text("utf-8").splitlines()]


def _run(
    users: list[User],
    count: int,
    var_dir: Path,
    *,
    kill_after: int | None,
    log: Callable[[str], None],
) -> dict[str, float]:
    sms_file = var_dir / "sms.jsonl"
    sms_file.unlink(missing_ok=True)
    ids = queue_deliveries(users, count)
    env = worker_env(var_dir)
    worker = WorkerProcess(env, var_dir / "worker.log")
    started = time.monotonic()
    killed_at = started
    try:
        if kill_after is not None:
            if not wait_for(lambda: sent(ids) >= kill_after, timeout=300):
                raise BenchmarkError(f"the worker sent nothing: {worker.output()[-2000:]}")
            worker.kill()
            killed_at = time.monotonic()
            log(f"SIGKILLed the worker after {sent(ids)} of {count} deliveries; starting it again")
            worker = WorkerProcess(env, var_dir / "worker.log")
        if not wait_for(lambda: unfinished(ids) == 0, timeout=600, interval=0.2):
            raise BenchmarkError(
                f"{unfinished(ids)} deliveries never finished: {worker.output()[-2000:]}"
            )
        finished = time.monotonic()
    finally:
        worker.stop()
    refs = references(sms_file)
    return {
        "seconds": finished - started,
        "seconds_after_kill": finished - killed_at,
        "lost": count - sent(ids),
        "duplicated": len(refs) - len(set(refs)),
    }


@register(
    "recovery", "SIGKILL the worker during 1,000 queued deliveries: lost and seconds to recover"
)
def recovery(options: Options) -> Iterator[Metric]:
    count = SIZES.get(options.scale, DEFAULT_SIZE)
    log = options.log
    var_dir = Path(tempfile.mkdtemp(prefix="renda-bench-recovery-"))
    with (
        scratch_database(log),
        override_settings(
            TASKS=DB_TASKS,
            TASK_BACKEND="database",
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ),
    ):
        users = recipients(min(count, 50))
        log(f"baseline: {count} deliveries, undisturbed")
        clean = _run(users, count, var_dir, kill_after=None, log=log)
        log(f"fault: {count} deliveries, SIGKILL after a quarter")
        faulty = _run(users, count, var_dir, kill_after=max(1, count // 4), log=log)
    shutil.rmtree(var_dir, ignore_errors=True)
    notes = (
        f"undisturbed run {clean['seconds']:.1f} s; lease {FAST_LEASE['TASK_LEASE_SECONDS']} s",
    )
    yield Metric("recovery", "lost", faulty["lost"], "n", count, notes=notes)
    yield Metric("recovery", "duplicated", faulty["duplicated"], "n", count)
    yield Metric(
        "recovery", "seconds_to_recover", faulty["seconds_after_kill"], "s", clean["seconds"]
    )
