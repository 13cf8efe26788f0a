"""Structured logging: JSON lines in production, readable key=value lines in development.

Every line logged while a request is handled carries its ``request_id`` (the one the response
returns in ``X-Request-ID``) and, once the user is known, the ``user_id``; lines logged inside
a background task carry the ``task_id``. Records from the standard ``logging`` module (Django's
``django.request`` 500s, libraries) go through the same processors, so in JSON their
traceback is one ``exception`` string, not the repr of an ``exc_info`` tuple.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from django.http import HttpRequest, HttpResponse

from renda.core import context

_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]
# Standard-library records: the same fields, plus what Django and our own code pass in
# ``extra`` that is worth a column (a WSGIRequest object in ``extra`` is not).
_FOREIGN: list[Any] = [*_SHARED, structlog.stdlib.ExtraAdder(allow=("status_code", "path"))]

structlog.configure(
    processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)

# Bound for one request; kept until its response is closed (``request_finished``), because
# Django logs a 4xx response ("Not Found: /x") after the last middleware has returned.
_REQUEST_KEYS = ("request_id", "user_id")
# An incoming X-Request-ID (from a proxy in front) is kept only when it looks like an id.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def formatter(fmt: str = "console") -> logging.Formatter:
    processors: list[Any] = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if fmt == "json":
        # The traceback as one string field ("exception"); without this the JSON renderer
        # writes the exc_info tuple's repr and the traceback is lost.
        processors += [
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ]
    else:
        # The console renderer prints the traceback itself, below the line.
        processors.append(structlog.dev.ConsoleRenderer(colors=False))
    return structlog.stdlib.ProcessorFormatter(foreign_pre_chain=_FOREIGN, processors=processors)


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)


def bind_user(user: Any) -> None:
    """Put the acting user's id on every further line of this request (or unbind it)."""
    pk = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    if pk is None:
        structlog.contextvars.unbind_contextvars("user_id")
    else:
        structlog.contextvars.bind_contextvars(user_id=pk)


def _logged_in(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    bind_user(user)


def _logged_out(sender: Any, **kwargs: Any) -> None:
    structlog.contextvars.unbind_contextvars("user_id")


def _task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    structlog.contextvars.bind_contextvars(task_id=str(task_result.id))


def _task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    structlog.contextvars.unbind_contextvars("task_id")


def _request_finished(sender: Any, **kwargs: Any) -> None:
    structlog.contextvars.unbind_contextvars(*_REQUEST_KEYS)


def connect_signals() -> None:
    """Called from ``CoreConfig.ready``: bind the user on login (page and API token), the
    task id while a background task runs (database worker, RQ worker, immediate backend), and
    forget the request's ids once its response is closed."""
    from django.contrib.auth.signals import user_logged_in, user_logged_out
    from django.core.signals import request_finished
    from django_tasks.signals import task_finished, task_started

    request_finished.connect(_request_finished, dispatch_uid="renda_log_request_finished")
    user_logged_in.connect(_logged_in, dispatch_uid="renda_log_user_in")
    user_logged_out.connect(_logged_out, dispatch_uid="renda_log_user_out")
    task_started.connect(_task_started, dispatch_uid="renda_log_task_started")
    task_finished.connect(_task_finished, dispatch_uid="renda_log_task_finished")


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address: REMOTE_ADDR, or behind ``PROXY_COUNT`` reverse proxies the
    address the outermost of them saw (that many entries from the right of
    X-Forwarded-For; every entry further left was written by the client and proves nothing).
    Audit events, logs and the sign-in lockout (``AXES_CLIENT_IP_CALLABLE``) all use it."""
    from django.conf import settings

    remote = request.META.get("REMOTE_ADDR") or None
    proxies = int(getattr(settings, "PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        return remote  # not through every proxy: the address we see is all we know
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def request_id_of(request: HttpRequest) -> str:
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]


class RequestContextMiddleware:
    """Binds a request id and the client address for logs and audit events. The user id is
    bound where the user becomes known (``bind_user``: the session by the account middleware,
    a bearer token by the API's authentication, a login by the login signal)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_of(request)
        ctx = context.RequestContext(ip=client_ip(request), request_id=request_id)
        # A thread serves one request after another: nothing of the last one may leak in.
        structlog.contextvars.unbind_contextvars(*_REQUEST_KEYS)
        structlog.contextvars.bind_contextvars(request_id=request_id)
        with context.bind(ctx):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
