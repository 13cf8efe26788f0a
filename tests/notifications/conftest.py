"""Fixtures for notification tests: task backends per test and a fake SMS gateway on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
GATEWAY_KEY = "test-gateway-key-0123456789"


@dataclass
class FakeGateway:
    """Records every request; answers from a script, then with success."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    script: list[tuple[int, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_response(self) -> tuple[int, Any]:
        with self.lock:
            if self.script:
                return self.script.pop(0)
            return 200, {"code": "OK", "message_id": f"fake-{len(self.requests)}"}

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    fake = FakeGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with fake.lock:
                fake.requests.append(
                    {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                )
            status, payload = fake.next_response()
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = IMMEDIATE


@pytest.fixture
def http_sms(settings: Any, gateway: FakeGateway) -> FakeGateway:
    settings.SMS_BACKEND = "http"
    settings.SMS_GATEWAY_URL = gateway.url
    settings.SMS_GATEWAY_KEY = GATEWAY_KEY
    settings.SMS_SIGN_NAME = "衡阳人大"
    settings.SMS_TEMPLATE_IDS = {"reminder": "SMS_REMIND_1", "default": "SMS_GENERIC"}
    settings.SMS_TIMEOUT = 5
    return gateway
