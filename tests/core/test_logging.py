"""Logs an operator can use: a 500 in production (JSON) logs one line with the whole
traceback as a string, the request id the response gave the caller, and the user's id."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import structlog
from django.conf import settings
from django.test import Client
from django_tasks import task

from renda.api import selectors, services
from renda.core.logging import formatter, get_logger
from renda.core.models import User
from tests.api.conftest import ApiClient


class Captured:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def lines(self) -> list[dict[str, Any]]:
        # Every line must be one JSON object: a traceback printed below a line would not be.
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line]

    def text(self) -> str:
        return self.stream.getvalue()


def _capture(fmt: str) -> Iterator[Captured]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter(fmt))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield Captured(stream)
    finally:
        root.removeHandler(handler)


@pytest.fixture
def json_log() -> Iterator[Captured]:
    """The root handler as production configures it (LOG_FORMAT=json)."""
    yield from _capture("json")


@pytest.fixture
def console_log() -> Iterator[Captured]:
    yield from _capture("console")


def test_settings_use_this_formatter() -> None:
    structured = settings.LOGGING["formatters"]["structured"]
    assert structured["()"] == "renda.core.logging.formatter"
    assert settings.LOGGING["root"]["handlers"] == ["console"]


@pytest.mark.django_db
@pytest.mark.urls("tests.core.logging_urls")
def test_page_500_logs_traceback_request_id_and_user(
    login: Callable[[str], Client], json_log: Captured
) -> None:
    client = login("office")
    client.raise_request_exception = False
    response = client.get("/test-only/boom/")
    assert response.status_code == 500
    errors = [line for line in json_log.lines() if line.get("logger") == "django.request"]
    assert len(errors) == 1, json_log.text()
    line = errors[0]
    assert line["level"] == "error"
    assert "exc_info" not in line
    trace = line["exception"]
    assert isinstance(trace, str)
    assert trace.startswith("Traceback (most recent call last):")
    assert 'in boom\n    raise RuntimeError("boom' in trace
    assert trace.rstrip().endswith("RuntimeError: boom: a bug the operator must be able to find")
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == User.objects.get(username="office").pk
    assert line["status_code"] == 500


@pytest.mark.django_db
def test_api_500_logs_traceback_with_the_token_user(
    monkeypatch: pytest.MonkeyPatch, json_log: Captured
) -> None:
    def broken(user: Any) -> Any:
        raise RuntimeError("internal detail")

    monkeypatch.setattr(selectors, "own_grants", broken)
    _token, key = services.issue_token(user=User.objects.get(username="deputy"))
    response = ApiClient(token=key).api_get("/me", HTTP_X_REQUEST_ID="req-7f3a")
    assert response.status_code == 500
    assert response["X-Request-ID"] == "req-7f3a"
    errors = [line for line in json_log.lines() if line.get("logger") == "renda.api"]
    assert len(errors) == 1, json_log.text()
    line = errors[0]
    assert "Traceback (most recent call last):" in line["exception"]
    assert "in broken" in line["exception"]
    assert "RuntimeError: internal detail" in line["exception"]
    assert line["request_id"] == "req-7f3a"
    assert line["user_id"] == User.objects.get(username="deputy").pk
    assert line["path"] == "/api/v1/me"


@pytest.mark.django_db
def test_every_line_of_a_request_names_request_and_user(
    login: Callable[[str], Client], json_log: Captured
) -> None:
    """A line logged by our own code during a request, not only the error line."""
    response = login("office").get("/no-such-page/")
    assert response.status_code == 404
    lines = [line for line in json_log.lines() if line.get("logger") == "django.request"]
    assert lines, json_log.text()
    for line in lines:
        assert line["request_id"] == response["X-Request-ID"]
        assert line["user_id"] == User.objects.get(username="office").pk


@pytest.mark.django_db
def test_nothing_of_one_request_leaks_into_the_next(json_log: Captured) -> None:
    client = Client()
    client.get("/no-such-page/")
    get_logger("renda.test").info("between requests")
    between = [line for line in json_log.lines() if line["event"] == "between requests"]
    assert len(between) == 1
    assert "request_id" not in between[0]
    assert "user_id" not in between[0]


def test_a_forged_request_id_is_replaced(db: Any) -> None:
    response = Client().get("/no-such-page/", HTTP_X_REQUEST_ID='x"\n{"level": "fake"}')
    assert response["X-Request-ID"] != 'x"\n{"level": "fake"}'
    assert len(response["X-Request-ID"]) == 16


@task()
def _logs_something() -> None:
    get_logger("renda.test").info("inside a task")


@pytest.mark.django_db
def test_task_lines_carry_the_task_id(json_log: Captured, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    result = _logs_something.enqueue()
    inside = [line for line in json_log.lines() if line["event"] == "inside a task"]
    assert len(inside) == 1
    assert inside[0]["task_id"] == str(result.id)
    get_logger("renda.test").info("after the task")
    after = [line for line in json_log.lines() if line["event"] == "after the task"]
    assert "task_id" not in after[0]


def test_structlog_exception_has_the_traceback_too(json_log: Captured) -> None:
    log = get_logger("renda.test")
    try:
        {}["missing"]
    except KeyError:
        log.exception("lookup failed", key="missing")
    line = next(line for line in json_log.lines() if line["event"] == "lookup failed")
    assert "KeyError: 'missing'" in line["exception"]
    assert line["key"] == "missing"


def test_console_stays_readable(console_log: Captured) -> None:
    log = logging.getLogger("renda.test")
    try:
        raise ValueError("bad value")
    except ValueError:
        log.exception("readable")
    text = console_log.text()
    assert "readable" in text
    assert "ValueError: bad value" in text
    assert not text.lstrip().startswith("{")
    structlog.contextvars.clear_contextvars()


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "127.0.0.9"),  # no proxy: the header is the client's own text
        (1, "198.51.100.1, 203.0.113.5", "203.0.113.5"),  # the left entry is forged
        (1, "203.0.113.5", "203.0.113.5"),
        (2, "198.51.100.1, 203.0.113.5, 10.0.0.1", "203.0.113.5"),
        (1, "not-an-address", "127.0.0.9"),
        (2, "203.0.113.5", "127.0.0.9"),  # fewer hops than proxies: what we see
    ],
)
def test_client_ip_trusts_only_the_proxies(
    proxies: int, forwarded: str, expected: str, settings: Any
) -> None:
    from django.test import RequestFactory

    from renda.core.logging import client_ip

    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
