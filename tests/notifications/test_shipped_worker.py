"""The worker the README tells an operator to run, started exactly as documented
(``renda worker``) on the production set-up (PostgreSQL, Redis, ``TASK_BACKEND=rq``): a
notification's SMS is delivered by it. Only CI's second run has that set-up."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from renda.core.models import User
from renda.notifications import services
from renda.notifications.models import FINAL_STATUSES, Delivery, DeliveryStatus

pytestmark = pytest.mark.skipif(
    not (os.environ.get("TASK_BACKEND") == "rq" and settings.REDIS_URL),
    reason="the RQ worker needs Redis and a database another process can reach",
)


@pytest.mark.django_db(transaction=True)
def test_renda_worker_delivers_on_rq(reseed: None, tmp_path: Path, settings: Any) -> None:
    assert connection.vendor == "postgresql"
    db = connection.settings_dict
    sms_file = tmp_path / "sms.jsonl"
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(sms_file)
    settings.SMS_TEMPLATE_IDS = {"default": "SMS_TEST"}
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "TASK_BACKEND": "rq",
        "SMS_BACKEND": "file",
        "SMS_FILE_PATH": str(sms_file),
        "SMS_TEMPLATE_IDS": '{"default": "SMS_TEST"}',
        "RENDA_VAR_DIR": str(tmp_path),
    }
    deputy = User.objects.get(username="deputy")
    [note] = services.notify(recipients=[deputy], kind="overdue", title="督办件已逾期", body="")
    delivery = Delivery.objects.filter(notification=note).first()
    assert delivery is not None
    worker = subprocess.Popen(
        [sys.executable, "-m", "renda", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            delivery.refresh_from_db()
            if delivery.status in FINAL_STATUSES:
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT, output
    assert sms_file.read_text(encoding="utf-8").count("\n") == 1  # sent once
