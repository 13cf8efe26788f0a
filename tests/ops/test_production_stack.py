"""The README's production recipe on PostgreSQL + Redis, the real processes started as an
operator starts them: gunicorn with the repository's config, `renda worker` and
`renda scheduler`. Through the API a deputy submits a duty record and the station confirms
it; the worker recomputes the deputy's points and the SMS reaches the gateway. Only CI's
second run (DATABASE_URL on PostgreSQL, TASK_BACKEND=rq) has that set-up."""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from renda.core.models import ScheduledJob, User
from renda.deputies.models import Mandate
from renda.duties.models import DutyRecord, RecordStatus
from renda.notifications import services as notifications
from renda.points.models import PointEntry
from tests.ops.processes import BIN, FakeSmsGateway, free_port, process_group, wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (
            os.environ.get("TASK_BACKEND") == "rq"
            and settings.REDIS_URL
            and settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
        ),
        reason="the production recipe needs PostgreSQL and Redis",
    ),
]

PASSWORD = "Demo-2026!"


def call(method: str, url: str, body: dict[str, Any], token: str = "") -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json"}
        | ({"Authorization": f"Bearer {token}"} if token else {}),
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.django_db(transaction=True)
def test_production_recipe_recomputes_points_and_sends_sms(reseed: None, tmp_path: Path) -> None:
    db = connection.settings_dict
    deputy = User.objects.get(username="deputy")
    assert deputy.person is not None
    notifications.set_preference(
        user=deputy, kind="duty_review", in_app=True, email=False, sms=True
    )
    mandate = Mandate.objects.filter(person=deputy.person).order_by("-pk").first()
    assert mandate is not None
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with FakeSmsGateway() as gateway:
        env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "TASK_BACKEND": "rq",
            # DEBUG off over plain HTTP, with the keys the test database was seeded with.
            "RENDA_ENV": "server",
            "SECRET_KEY": settings.SECRET_KEY,
            "FIELD_ENCRYPTION_KEY": settings.FIELD_ENCRYPTION_KEY,
            "BLIND_INDEX_KEY": settings.BLIND_INDEX_KEY,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WEB_CONCURRENCY": "2",
            "RENDA_VAR_DIR": str(tmp_path),
            **gateway.env({"default": "SMS_DEFAULT"}),
        }
        renda = [sys.executable, "-m", "renda"]
        gunicorn = [str(BIN / "gunicorn"), "--config", "python:renda.gunicorn_conf"]
        with (
            process_group([*gunicorn, "renda.wsgi:application"], env=env, log=tmp_path / "web.log"),
            process_group([*renda, "worker"], env=env, log=tmp_path / "worker.log"),
            process_group([*renda, "scheduler"], env=env, log=tmp_path / "scheduler.log"),
        ):
            wait_for(
                lambda: f"Renda 已启动:{base}" in (tmp_path / "web.log").read_text(),
                timeout=60,
                what="gunicorn",
            )
            status, answer = call(
                "POST", f"{base}/api/v1/auth/token", {"username": "deputy", "password": PASSWORD}
            )
            assert status == 200, answer
            status, record = call(
                "POST",
                f"{base}/api/v1/duties/records",
                {
                    "mandate_id": mandate.pk,
                    "kind": "survey",
                    "content": "走访选民,了解村道修缮情况",
                    "occurred_on": "2026-03-02",
                    "submission_key": "ops-stack-1",
                },
                answer["token"],
            )
            assert status == 201, record
            status, answer = call(
                "POST", f"{base}/api/v1/auth/token", {"username": "station", "password": PASSWORD}
            )
            assert status == 200, answer
            status, reviewed = call(
                "POST",
                f"{base}/api/v1/duties/records/{record['id']}/review",
                {"decision": "confirm"},
                answer["token"],
            )
            assert status == 200, reviewed
            assert DutyRecord.objects.get(pk=record["id"]).status == RecordStatus.CONFIRMED

            wait_for(
                lambda: PointEntry.objects.filter(record_id=record["id"]).exists(),
                timeout=90,
                what="the worker to recompute the deputy's points",
            )
            sms = wait_for(
                lambda: [m for m in gateway.messages() if m["phone"]],
                timeout=90,
                what="the confirmation SMS at the fake gateway",
            )
            assert len(sms) == 1
            wait_for(
                lambda: ScheduledJob.objects.filter(key="case_deadlines", last_ok=True).exists(),
                timeout=60,
                what="the scheduler's first run of case_deadlines",
            )
