"""``renda bench recovery`` at a small size: the shipped worker is SIGKILLed during the
queued deliveries and started again; nothing is lost and the line format is the bench's."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench.test_bench import KEYS, PROJECT, _still_there

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_bench_recovery_loses_nothing(tmp_path: Path) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "renda.settings"}
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp_path / 'unused.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "manage.py", "bench", "recovery", "--json", "--scale", "small"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    rows = {row["metric"]: row for row in map(json.loads, result.stdout.strip().splitlines())}
    assert list(rows) == ["lost", "duplicated", "seconds_to_recover"]
    for row in rows.values():
        assert set(row) == KEYS
        assert row["bench"] == "recovery"
    assert (rows["lost"]["value"], rows["lost"]["baseline"]) == (0, 60)
    assert rows["duplicated"]["value"] <= 1  # at most the message in flight, same reference
    assert 0 < rows["seconds_to_recover"]["value"] < 120
    assert "SIGKILLed the worker after" in result.stderr
    created = re.findall(r"creating scratch database (\S+)", result.stderr)
    assert len(created) == 1
    vendor = "postgresql" if env["DATABASE_URL"].startswith(("postgres", "pgsql")) else "sqlite"
    assert {row["database"] for row in rows.values()} == {vendor}
    assert _still_there(created, vendor) == []
