"""The modes of renda/settings.py as a freshly started process sees them: `make run`'s
server mode has DEBUG off, serves plain HTTP unless told otherwise, and generates its keys
once per installation into the data directory (never the development constants); the
environment still wins."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.ops.processes import operator_env

PROBE = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name) for name in (
    "DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEY", "BLIND_INDEX_KEY", "ALLOWED_HOSTS",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SITE_URL")}))
"""
DEV_SECRET = "renda-development-secret-key-not-for-production-use-0123456789"


def settings_of(var_dir: Path, **env: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{PROBE}"],
        env={"DJANGO_SETTINGS_MODULE": "renda.settings", **operator_env(var_dir, **env)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    values: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return values


def test_server_mode_is_debug_off_plain_http(tmp_path: Path) -> None:
    values = settings_of(tmp_path, RENDA_ENV="server", PORT="8123")
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SITE_URL"] == "http://127.0.0.1:8123"
    assert "testserver" not in values["ALLOWED_HOSTS"]
    behind_tls = settings_of(tmp_path, RENDA_ENV="server", RENDA_HTTPS="1")
    assert behind_tls["SESSION_COOKIE_SECURE"] is True
    assert behind_tls["CSRF_COOKIE_SECURE"] is True
    assert behind_tls["SECURE_SSL_REDIRECT"] is True


def test_server_mode_generates_keys_once_and_keeps_them(tmp_path: Path) -> None:
    first = settings_of(tmp_path, RENDA_ENV="server")
    keys_file = tmp_path / "secret-keys.json"
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    keys = [first["SECRET_KEY"], first["FIELD_ENCRYPTION_KEY"], first["BLIND_INDEX_KEY"]]
    assert len(set(keys)) == 3
    assert all(len(key) >= 50 for key in keys)
    assert DEV_SECRET not in "".join(keys)
    assert json.loads(keys_file.read_text()) == dict(
        zip(["SECRET_KEY", "FIELD_ENCRYPTION_KEY", "BLIND_INDEX_KEY"], keys, strict=True)
    )
    again = settings_of(tmp_path, RENDA_ENV="server")  # a restart
    assert [again["SECRET_KEY"], again["FIELD_ENCRYPTION_KEY"], again["BLIND_INDEX_KEY"]] == keys
    other = settings_of(tmp_path / "other", RENDA_ENV="server")  # another installation
    assert other["SECRET_KEY"] != first["SECRET_KEY"]


def test_processes_starting_together_share_one_set_of_keys(tmp_path: Path) -> None:
    with ThreadPoolExecutor(4) as pool:
        seen = list(pool.map(lambda _: settings_of(tmp_path, RENDA_ENV="server"), range(4)))
    assert len({values["SECRET_KEY"] for values in seen}) == 1
    assert len({values["BLIND_INDEX_KEY"] for values in seen}) == 1
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind


def test_environment_keys_win(tmp_path: Path) -> None:
    stored = settings_of(tmp_path, RENDA_ENV="server")
    given = "s" * 60
    values = settings_of(tmp_path, RENDA_ENV="server", SECRET_KEY=given)
    assert values["SECRET_KEY"] == given
    assert values["FIELD_ENCRYPTION_KEY"] == stored["FIELD_ENCRYPTION_KEY"]
    all_given = settings_of(
        tmp_path / "fresh",
        RENDA_ENV="server",
        SECRET_KEY=given,
        FIELD_ENCRYPTION_KEY="f" * 50,
        BLIND_INDEX_KEY="b" * 50,
    )
    assert (all_given["FIELD_ENCRYPTION_KEY"], all_given["BLIND_INDEX_KEY"]) == ("f" * 50, "b" * 50)
    assert not (tmp_path / "fresh" / "secret-keys.json").exists()


def test_production_still_demands_its_keys_from_the_environment(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            "DJANGO_SETTINGS_MODULE": "renda.settings",
            **operator_env(tmp_path, RENDA_ENV="production"),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "requires SECRET_KEY" in result.stderr
    assert not (tmp_path / "secret-keys.json").exists()


def test_an_unknown_mode_is_refused(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            "DJANGO_SETTINGS_MODULE": "renda.settings",
            **operator_env(tmp_path, RENDA_ENV="prod"),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "RENDA_ENV must be one of" in result.stderr
