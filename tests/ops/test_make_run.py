"""`make run` exactly as the README documents it, on a fresh data directory: a real server
with DEBUG off (the Chinese 404 page, no server banner), a start banner with the address it
really listens on, and, with no cron, the overdue reminder of a seeded overdue case reaches
the SMS gateway within minutes (the scheduler runs `case_deadlines` when it starts and the
task worker delivers)."""

from __future__ import annotations

import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.ops.processes import (
    FakeSmsGateway,
    free_port,
    operator_env,
    process_group,
    stop_group,
    wait_for,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed"),
]

BUDGET = 180  # seconds for the whole test: install steps are no-ops in a built checkout


def fetch(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_make_run_serves_with_debug_off_and_sends_overdue_reminders(tmp_path: Path) -> None:
    started = time.monotonic()
    port = free_port()
    var = tmp_path / "var"
    log = tmp_path / "make-run.log"
    with FakeSmsGateway() as gateway:
        templates = {"case_overdue": "SMS_OVERDUE", "default": "SMS_OTHER"}
        # Two web workers: the machine running the tests is busy enough.
        env = operator_env(var, WEB_CONCURRENCY="2", **gateway.env(templates))
        with process_group(["make", "run", f"PORT={port}"], env=env, log=log) as make:
            base = f"http://127.0.0.1:{port}"
            output = wait_for(
                lambda: (
                    make.poll() is None
                    and f"Renda 已启动:{base}" in (text := log.read_text(errors="replace"))
                    and text
                ),
                timeout=BUDGET - 20,  # migrate, seed and collectstatic come first
                what=f"the start banner with {base}",
            )
            assert make.poll() is None, log.read_text(errors="replace")
            assert "127.0.0.1:8000" not in output  # the banner tells the real port

            status, headers, body = fetch(f"{base}/no-such-page/")
            assert status == 404
            assert "页面不存在" in body
            assert "URLconf" not in body  # Django's debug page lists the URL patterns
            assert "Server" not in headers
            status, headers, body = fetch(f"{base}/")
            assert status == 200
            assert "Server" not in headers

            # The overdue escalation of a seeded case, sent by the worker, with no cron.
            overdue = wait_for(
                lambda: [m for m in gateway.messages() if m["template_id"] == "SMS_OVERDUE"],
                timeout=max(10, BUDGET - (time.monotonic() - started)),
                what="an overdue reminder at the fake SMS gateway",
            )
            assert overdue[0]["sign_name"] == "智慧人大"
            assert overdue[0]["phone"]
        assert stop_group(make) is not None
    references = [m["reference"] for m in gateway.messages()]
    assert len(references) == len(set(references))  # each delivery sent once
    assert "Traceback" not in log.read_text(errors="replace")
