"""gunicorn settings for Renda, used by `make run` and by the README's production recipe:

    gunicorn --config python:renda.gunicorn_conf renda.wsgi:application

Everything is read from environment variables, as the Django settings are: HOST and PORT
(where to listen), WEB_CONCURRENCY (worker processes), WEB_TIMEOUT (seconds before the
worker of a stuck request is replaced), gunicorn's own FORWARDED_ALLOW_IPS (default
127.0.0.1: the proxies whose X-Forwarded-Proto gunicorn believes). Responses carry no ``Server`` header: the banner only tells an attacker which
server and version to aim at.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from gunicorn.http import wsgi as _gunicorn_wsgi  # type: ignore[import-untyped]

_host = os.environ.get("HOST", "127.0.0.1")
_port = os.environ.get("PORT", "8000")

bind = [f"[{_host}]:{_port}" if ":" in _host and not _host.startswith("[") else f"{_host}:{_port}"]
workers = int(os.environ.get("WEB_CONCURRENCY", str(min(4, 2 * (os.cpu_count() or 1) + 1))))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 20
accesslog = os.environ.get("WEB_ACCESS_LOG", "-")
errorlog = "-"
# Load the application in the master, so a broken setting stops the start at once, and the
# workers share its memory.
preload_app = True


def _without_server_header(self: Any) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


_default_headers = _gunicorn_wsgi.Response.default_headers
_gunicorn_wsgi.Response.default_headers = _without_server_header


def when_ready(server: Any) -> None:
    """The start banner: the address gunicorn really listens on, once it does."""
    for listener in server.LISTENERS:
        print(f"Renda 已启动:{listener}(Ctrl-C 停止)", file=sys.stderr, flush=True)
