"""Fault tests with the real processes: the shipped ``renda worker`` is SIGKILLed in the
middle of a task (with every process it started, as when a machine goes down) and started
again; Redis is stopped while notifications are created and started again. Nothing is lost
and nothing is sent twice: each message reaches a phone once. A message in flight when its
worker is killed may be offered to the gateway again under the same reference, which the
gateway protocol (notifications/sms.py) lets the gateway drop; the fake gateway does.

The database-backend test runs everywhere (a scratch SQLite file, or a scratch PostgreSQL
database); the RQ ones need PostgreSQL and Redis (CI's second run). They use short leases
(renda.bench.recovery.FAST_LEASE) so that each takes well under a minute or two."""

from __future__ import annotations

import datetime
import json
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from renda.bench import recovery
from renda.bench.scratch import scratch_database
from renda.notifications.models import FINAL_STATUSES, Delivery, DeliveryStatus
from renda.notifications.tasks import deliver
from tests.notifications.conftest import GATEWAY_KEY, OwnRedis

pytestmark = pytest.mark.slow

DB_TASKS = recovery.DB_TASKS
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
ON_PRODUCTION_SETUP = connection.vendor == "postgresql" and bool(settings.REDIS_URL)
needs_redis = pytest.mark.skipif(
    not (ON_PRODUCTION_SETUP and shutil.which("redis-server")),
    reason="the RQ fault tests need PostgreSQL, Redis and redis-server",
)


@dataclass
class SlowGateway:
    """The HTTP gateway protocol of sms.py, slow to answer (so a kill lands mid-send), and
    dropping a message whose reference it has already accepted, as the protocol allows."""

    delay: float = 0.8
    url: str = ""
    received: list[str] = field(default_factory=list)  # every request, in order
    delivered: list[str] = field(default_factory=list)  # what went out to a phone
    dropped: list[str] = field(default_factory=list)  # repeats of a delivered reference
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, body: bytes) -> None:
        reference = json.loads(body)["reference"]
        with self.lock:
            self.received.append(reference)
        time.sleep(self.delay)
        with self.lock:
            if reference in self.delivered:
                self.dropped.append(reference)
            else:
                self.delivered.append(reference)


@pytest.fixture
def slow_gateway() -> Iterator[SlowGateway]:
    fake = SlowGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            fake.handle(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            data = json.dumps({"code": "OK", "message_id": "slow"}).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the worker was killed while waiting

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def gateway_env(gateway: SlowGateway) -> dict[str, str]:
    return {
        "SMS_BACKEND": "http",
        "SMS_GATEWAY_URL": gateway.url,
        "SMS_GATEWAY_KEY": GATEWAY_KEY,
        "SMS_TEMPLATE_IDS": '{"default": "SMS_TEST"}',
        "SMS_TIMEOUT": "3",
    }


def references(ids: list[int]) -> set[str]:
    return {f"renda-delivery-{pk}" for pk in ids}


def all_final(ids: list[int]) -> bool:
    return not Delivery.objects.filter(pk__in=ids).exclude(status__in=FINAL_STATUSES).exists()


def assert_each_sent_once(ids: list[int], gateway: SlowGateway, worker: Any) -> None:
    statuses = set(Delivery.objects.filter(pk__in=ids).values_list("status", flat=True))
    assert statuses == {DeliveryStatus.SENT}, worker.output()[-3000:]
    # Every message reached a phone, each one once.
    assert sorted(gateway.delivered) == sorted(references(ids))


@pytest.mark.django_db(transaction=True)  # no transaction around it: a scratch database
def test_database_worker_killed_mid_send_completes_it_once(
    slow_gateway: SlowGateway, tmp_path: Path
) -> None:
    # The issue: "killed mid-task, the row stays RUNNING forever".
    with (
        scratch_database(),
        override_settings(
            TASKS=DB_TASKS,
            TASK_BACKEND="database",
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        ),
    ):
        users = recovery.recipients(3)
        ids = recovery.queue_deliveries(users, 3)
        env = recovery.worker_env(tmp_path, **gateway_env(slow_gateway))
        worker = recovery.WorkerProcess(env, tmp_path / "worker.log")
        try:
            assert recovery.wait_for(lambda: bool(slow_gateway.received), timeout=60), (
                worker.output()
            )
            worker.kill()  # mid-send: the gateway has the request and has not answered
            [in_flight] = slow_gateway.received
            [task] = [
                t
                for t in DBTaskResult.objects.filter(task_path=deliver.module_path)
                if f"renda-delivery-{t.args_kwargs['args'][0]}" == in_flight
            ]
            assert task.status == TaskResultStatus.RUNNING
            time.sleep(slow_gateway.delay + 0.5)  # the gateway answers: nobody is listening
            in_flight_row = Delivery.objects.get(pk=task.args_kwargs["args"][0])
            assert in_flight_row.status == DeliveryStatus.SENDING
            worker = recovery.WorkerProcess(env, tmp_path / "worker.log")
            assert recovery.wait_for(lambda: all_final(ids), timeout=90, interval=0.2), (
                worker.output()[-3000:]
            )
        finally:
            worker.stop()
        assert_each_sent_once(ids, slow_gateway, worker)
        # The killed task itself ran again on the second worker and succeeded there.
        task.refresh_from_db()
        assert task.status == TaskResultStatus.SUCCESSFUL
        assert len(task.worker_ids) == 2
        # Only the message in flight when the worker died was offered twice, under the same
        # reference, and the gateway dropped the repeat.
        assert set(slow_gateway.dropped) <= {in_flight}
        assert len(slow_gateway.received) <= len(ids) + 1


@pytest.mark.django_db(transaction=True)
def test_renda_worker_recovers_at_its_start(slow_gateway: SlowGateway, tmp_path: Path) -> None:
    """A worker started after the others died picks their task up at once (its periodic
    recovery is switched off here, so only the pass at its start can do it)."""
    slow_gateway.delay = 0.05
    with (
        scratch_database(),
        override_settings(
            TASKS=DB_TASKS,
            TASK_BACKEND="database",
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        ),
    ):
        [pk] = recovery.queue_deliveries(recovery.recipients(1), 1)
        long_ago = timezone.now() - datetime.timedelta(minutes=10)
        # Claimed ten minutes ago by a worker that has not been heard of since.
        DBTaskResult.objects.filter(task_path=deliver.module_path).update(
            status=TaskResultStatus.RUNNING, started_at=long_ago, worker_ids=["dead"]
        )
        Delivery.objects.filter(pk=pk).update(
            status=DeliveryStatus.SENDING, attempts=1, updated_at=long_ago
        )
        env = recovery.worker_env(
            tmp_path,
            **gateway_env(slow_gateway),
            TASK_RECOVER_SECONDS="3600",
            TASK_HEARTBEAT_SECONDS="3600",
        )
        worker = recovery.WorkerProcess(env, tmp_path / "worker.log")
        try:
            assert recovery.wait_for(lambda: all_final([pk]), timeout=60), worker.output()
        finally:
            worker.stop()
        assert_each_sent_once([pk], slow_gateway, worker)


def rq_settings(url: str) -> override_settings:
    return override_settings(
        TASKS=RQ_TASKS,
        TASK_BACKEND="rq",
        REDIS_URL=url,
        RQ_QUEUES={"default": {"URL": url, "DEFAULT_TIMEOUT": 60}},
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    )


def rq_env(tmp_path: Path, url: str, gateway: SlowGateway) -> dict[str, str]:
    return recovery.worker_env(
        tmp_path,
        TASK_BACKEND="rq",
        REDIS_URL=url,
        TASK_RETRY_BASE_SECONDS="1",
        **gateway_env(gateway),
    )


class Supervised:
    """The worker as systemd runs it (Restart=always): started again whenever it exits."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.worker = recovery.WorkerProcess(env, log)

    def keep_running(self) -> None:
        if self.worker.process.poll() is not None:
            self.worker.stop()
            self.worker = recovery.WorkerProcess(self.env, self.log)

    def output(self) -> str:
        return self.worker.output()


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_rq_worker_killed_mid_send_completes_it_once(
    reseed: None, own_redis: OwnRedis, slow_gateway: SlowGateway, tmp_path: Path
) -> None:
    with rq_settings(own_redis.url):
        users = recovery.recipients(3)
        ids = recovery.queue_deliveries(users, 3)
        env = rq_env(tmp_path, own_redis.url, slow_gateway)
        worker = recovery.WorkerProcess(env, tmp_path / "worker.log")
        try:
            assert recovery.wait_for(lambda: bool(slow_gateway.received), timeout=60), (
                worker.output()
            )
            worker.kill()  # the worker and its work horse, mid-send
            in_flight = set(slow_gateway.received)
            time.sleep(slow_gateway.delay + 0.5)  # the gateway answers: nobody is listening
            sending = Delivery.objects.filter(status=DeliveryStatus.SENDING)
            assert {f"renda-delivery-{pk}" for pk in sending.values_list("pk", flat=True)} == (
                in_flight
            )
            worker = recovery.WorkerProcess(env, tmp_path / "worker.log")
            assert recovery.wait_for(lambda: all_final(ids), timeout=120, interval=0.5), (
                worker.output()[-3000:]
            )
        finally:
            worker.stop()
        assert_each_sent_once(ids, slow_gateway, worker)
        assert set(slow_gateway.dropped) <= in_flight


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_redis_outage_loses_no_notification_and_sends_none_twice(
    reseed: None, own_redis: OwnRedis, slow_gateway: SlowGateway, tmp_path: Path
) -> None:
    slow_gateway.delay = 0.05
    with rq_settings(own_redis.url):
        users = recovery.recipients(4)
        supervised = Supervised(rq_env(tmp_path, own_redis.url, slow_gateway), tmp_path / "w.log")
        try:
            before = recovery.queue_deliveries(users, 2)
            assert recovery.wait_for(lambda: all_final(before), timeout=60), supervised.output()
            own_redis.stop()
            during = recovery.queue_deliveries(users, 6)  # each enqueue fails: Redis is down
            time.sleep(2)
            own_redis.start()  # empty: whatever was queued in it is gone as well
            back = time.monotonic()

            def delivered() -> bool:
                supervised.keep_running()
                return all_final(before + during)

            assert recovery.wait_for(delivered, timeout=60, interval=0.5), supervised.output()[
                -3000:
            ]
            assert time.monotonic() - back < 60
        finally:
            supervised.worker.stop()
        assert_each_sent_once(before + during, slow_gateway, supervised)
        # Nothing reached the gateway twice: the outage lost enqueues, not messages in flight.
        assert sorted(slow_gateway.received) == sorted(references(before + during))
