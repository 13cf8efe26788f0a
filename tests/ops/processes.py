"""What the operations tests share: a free port, a fake SMS gateway, the environment of a
fresh installation, and starting and stopping the shipped commands as an operator would."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / ".venv" / "bin"
GATEWAY_KEY = "fake-gateway-key"

# What the test run itself sets and an operator's shell would not have.
_TEST_ONLY = (
    "DATABASE_URL",
    "REDIS_URL",
    "TASK_BACKEND",
    "RENDA_ENV",
    "RENDA_DEBUG",
    "RENDA_HTTPS",
    "RENDA_TESTING",
    "RENDA_VAR_DIR",
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEY",
    "BLIND_INDEX_KEY",
    "SITE_URL",
    "ALLOWED_HOSTS",
    "HOST",
    "PORT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "MAKEFLAGS",
    "MAKELEVEL",
    "MFLAGS",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def operator_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of an operator's shell on a fresh installation in ``var_dir``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _TEST_ONLY and not key.startswith(("PYTEST_", "COV_"))
    }
    env["RENDA_VAR_DIR"] = str(var_dir)
    env.update(extra)
    return env


class FakeSmsGateway:
    """An HTTP SMS gateway on a free port that answers OK and keeps what it was sent."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with gateway._lock:
                    gateway.received.append(json.loads(body))
                    number = len(gateway.received)
                answer = json.dumps({"code": "OK", "message_id": f"fake-{number}"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeSmsGateway:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.received)

    def env(self, templates: dict[str, str]) -> dict[str, str]:
        return {
            "SMS_BACKEND": "http",
            "SMS_GATEWAY_URL": self.url,
            "SMS_GATEWAY_KEY": GATEWAY_KEY,
            "SMS_TEMPLATE_IDS": json.dumps(templates),
        }


def wait_for(check: Callable[[], Any], *, timeout: float, what: str, every: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@contextmanager
def process_group(
    args: list[str], *, env: dict[str, str], log: Path, cwd: Path = REPO
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``args`` in a process group of its own (output to ``log``); at the end TERM
    the whole group, then KILL whatever is left, so nothing outlives the test."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            stop_group(process)


def stop_group(process: subprocess.Popen[bytes], *, timeout: float = 30) -> int | None:
    if process.poll() is None:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # anything the leader left behind
    return process.wait(timeout=10)
