"""The bench command and its parts. The end-to-end tests run the real command in a
subprocess at the small scale with a handful of requests, on SQLite and (when DATABASE_URL
names one) on PostgreSQL; they check the output format, the database each line names and
that the scratch databases are gone afterwards, never the timings."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from renda.bench import benchmarks
from renda.bench.registry import BENCHMARKS, BenchmarkError, Metric
from renda.bench.scratch import scratch_database, settle
from renda.core.models import Region
from renda.seed import world

PROJECT = Path(__file__).resolve().parents[2]
KEYS = {"bench", "metric", "value", "unit", "baseline", "ratio", "database"}
POSTGRES_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = (
    dj_database_url.parse(POSTGRES_URL)["ENGINE"] == "django.db.backends.postgresql"
    if POSTGRES_URL
    else False
)


def _still_there(names: list[str], vendor: str) -> list[str]:
    """Which of these scratch databases (PostgreSQL names or SQLite files) still exist."""
    if vendor == "postgresql":
        # The scratch databases live on the server DATABASE_URL names, beside this session's
        # own test database, whose connection can list them.
        with connection.cursor() as cursor:
            cursor.execute("SELECT datname FROM pg_database WHERE datname = ANY(%s)", [names])
            return [row[0] for row in cursor.fetchall()]
    return [name for name in names if Path(name).exists()]


def _run_bench(database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "renda.settings", "DATABASE_URL": database_url}
    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            "bench",
            "all",
            "--json",
            "--scale",
            "small",
            "--requests",
            "3",
            "--warmup",
            "1",
        ],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "vendor",
    [
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                not ON_POSTGRES, reason="DATABASE_URL names no PostgreSQL database"
            ),
        ),
    ],
)
def test_bench_all_prints_one_json_line_per_metric(tmp_path: Path, vendor: str) -> None:
    if vendor == "sqlite":
        # Never the developer's var/ database: the command does not touch it, but the test
        # should not even point at it.
        database_url = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    else:
        # The database DATABASE_URL names, as `make bench` runs it: the benchmarks must work
        # in scratch databases beside it and leave it alone.
        database_url = POSTGRES_URL
        assert connection.vendor == "postgresql"
    result = _run_bench(database_url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    rows = [json.loads(line) for line in lines]
    assert [(r["bench"], r["metric"]) for r in rows] == [
        ("deputy-import", "seconds"),
        ("ledger", "ledger_ms"),
        ("ledger", "deputy_list_p95_ms"),
        ("recovery", "lost"),
        ("recovery", "duplicated"),
        ("recovery", "seconds_to_recover"),
        ("seed", "seconds"),
        ("seed", "peak_mb"),
        ("suggestions", "list_p95_ms"),
        ("suggestions", "dashboard_ms"),
        ("suggestions", "overdue_scan_s"),
        ("workbench", "p50_ms"),
        ("workbench", "p95_ms"),
        ("workbench", "queries"),
    ]
    for row in rows:
        assert set(row) == KEYS
        assert row["database"] == vendor
        assert isinstance(row["unit"], str)
        assert row["unit"]
        for key in ("value", "baseline", "ratio"):
            assert isinstance(row[key], int | float), row
            # Counts of what went wrong (recovery's lost, duplicated) are 0 when all is well.
            assert row[key] > 0 or (row["unit"] == "n" and key != "baseline"), row
        assert row["ratio"] == pytest.approx(row["value"] / row["baseline"], rel=0.01, abs=0.002)
    by_metric = {r["metric"]: r for r in rows if r["bench"] == "workbench"}
    assert by_metric["p95_ms"]["value"] >= by_metric["p50_ms"]["value"]
    assert by_metric["queries"]["value"] >= by_metric["queries"]["baseline"]
    # Progress went to stderr; every scratch database was dropped again.
    assert f"database engine: {vendor}" in result.stderr
    created = re.findall(r"creating scratch database (\S+)", result.stderr)
    assert len(created) == 6
    assert "imported 75 rows" in result.stderr
    assert _still_there(created, vendor) == []
    if vendor == "postgresql":
        # Scratch databases of their own on the same server, never the configured one.
        configured = str(dj_database_url.parse(database_url)["NAME"])
        assert all(name.startswith(f"{configured}_bench_") for name in created), created
        assert "VACUUM ANALYZE" in result.stderr


def test_bench_rejects_bad_options() -> None:
    with pytest.raises(CommandError):
        call_command("bench", "workbench", "--requests", "0")
    with pytest.raises(CommandError):
        call_command("bench", "nonexistent")


def test_registry_and_metric_format() -> None:
    assert {"seed", "workbench", "ledger", "deputy-import", "suggestions", "recovery"} <= set(
        BENCHMARKS
    )
    metric = Metric("seed", "seconds", 12.34567, "s", 2.0)
    assert metric.as_dict() == {
        "bench": "seed",
        "metric": "seconds",
        "value": 12.346,
        "unit": "s",
        "baseline": 2,
        "ratio": 6.1728,
    }
    assert json.loads(metric.json_line()) == metric.as_dict()
    assert "ratio 6.17" in metric.human_line()
    tiny = Metric("seed", "seconds", 1.0, "s", 0.0335449).as_dict()
    assert tiny["baseline"] == 0.033545
    assert Metric("workbench", "queries", 9, "n", 3).as_dict()["value"] == 9
    with pytest.raises(BenchmarkError, match="positive baseline"):
        Metric("seed", "peak_mb", 1.0, "MB", 0.0)


def test_metric_names_the_database_it_was_measured_on() -> None:
    metric = Metric("seed", "seconds", 12.34567, "s", 2.0).with_database("postgresql")
    assert metric.as_dict() == {
        "bench": "seed",
        "metric": "seconds",
        "value": 12.346,
        "unit": "s",
        "baseline": 2,
        "ratio": 6.1728,
        "database": "postgresql",
    }
    assert json.loads(metric.json_line())["database"] == "postgresql"
    assert metric.human_line().startswith("postgresql ")
    # A benchmark that labels its own metric keeps its label.
    assert metric.with_database("sqlite").database == "postgresql"


def test_percentile_is_nearest_rank() -> None:
    samples = [float(i) for i in range(1, 201)]
    assert benchmarks.percentile(samples, 50) == 100.0
    assert benchmarks.percentile(samples, 95) == 190.0
    assert benchmarks.percentile([5.0, 1.0, 3.0], 50) == 3.0
    with pytest.raises(ValueError, match="no samples"):
        benchmarks.percentile([], 50)


@pytest.mark.django_db
def test_timed_get_refuses_a_page_that_does_not_answer_200() -> None:
    with pytest.raises(BenchmarkError, match="404"):
        benchmarks._timed_get(Client(), "/no-such-page/")


@pytest.mark.usefixtures("session_db")
def test_scratch_database_is_empty_and_restores_the_session_database() -> None:
    name = connection.settings_dict["NAME"]
    with scratch_database() as scratch:
        assert scratch != name
        assert connection.settings_dict["NAME"] == scratch
        assert not Region.objects.exists()
        Region.objects.create(code="000000000000", name="临时", level="national")
    assert connection.settings_dict["NAME"] == name
    assert world.is_seeded()
    assert not Region.objects.filter(name="临时").exists()


@pytest.mark.usefixtures("session_db")
def test_settle_analyzes_the_scratch_database() -> None:
    """VACUUM ANALYZE on PostgreSQL (as autovacuum after a bulk load); on SQLite ANALYZE only
    when asked, so the benchmarks that never analyzed keep their plans."""
    with scratch_database():
        Region.objects.create(code="000000000000", name="临时", level="national")
        if connection.vendor == "postgresql":
            settle()
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT last_vacuum IS NOT NULL, last_analyze IS NOT NULL "
                    "FROM pg_stat_user_tables WHERE relname = %s",
                    [Region._meta.db_table],
                )
                assert cursor.fetchone() == (True, True)
        else:
            settle()
            assert "sqlite_stat1" not in connection.introspection.table_names()
            settle(analyze_sqlite=True)
            assert "sqlite_stat1" in connection.introspection.table_names()
