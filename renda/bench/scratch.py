"""A throwaway database for benchmarks, so they never read or write the user's data.

``scratch_database`` points the default connection at a freshly created and migrated
database (Django's own test-database machinery, which works for SQLite and PostgreSQL) and
drops it afterwards. ``isolated`` turns off everything that could reach outside that
database while a benchmark runs: background tasks, the shared cache, e-mail. ``settle``
gives a freshly seeded database what a production one has some time after a bulk load.

On PostgreSQL the scratch database is a separate database on the same server, named after
the configured one with ``_bench_<pid>`` appended (``renda`` -> ``renda_bench_4242``),
created with CREATE DATABASE and dropped with DROP DATABASE by Django's test-database
machinery: the database DATABASE_URL names, which in production holds the real data, is
never read or written. On SQLite it is a file in a temporary directory, removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.sqlite3.creation import DatabaseCreation as SQLiteCreation
from django.test.utils import override_settings

from renda.bench.registry import BenchmarkError

# PostgreSQL truncates identifiers beyond 63 bytes; keep the pid suffix intact.
_PG_NAME_LIMIT = 63


def _scratch_name(vendor: str, old_name: str, tmpdir: str | None) -> str:
    if vendor == "sqlite":
        # A file, not ":memory:": the seed and the requests then use one ordinary database
        # the way a small deployment does, through the benchmark's own connection.
        assert tmpdir is not None
        return os.path.join(tmpdir, "bench.sqlite3")
    suffix = f"_bench_{os.getpid()}"
    return f"{str(old_name)[: _PG_NAME_LIMIT - len(suffix)]}{suffix}"


@contextmanager
def scratch_database(
    log: Callable[[str], None] = lambda _: None, alias: str = DEFAULT_DB_ALIAS
) -> Iterator[str]:
    """Create, migrate and yield the name of an empty database; destroy it on exit."""
    connection = connections[alias]
    if connection.in_atomic_block:
        raise BenchmarkError("a scratch database cannot be created inside a transaction")
    old_name = connection.settings_dict["NAME"]
    old_test = dict(connection.settings_dict.get("TEST") or {})
    tmpdir = tempfile.mkdtemp(prefix="renda-bench-") if connection.vendor == "sqlite" else None
    name = _scratch_name(connection.vendor, str(old_name), tmpdir)
    # An in-memory SQLite database (as under pytest) disappears when its last connection
    # closes, and Django refuses to close it; set the open connection aside so a new one
    # is opened to the scratch file, and put it back afterwards.
    stashed: Any = None
    if (
        connection.vendor == "sqlite"
        and SQLiteCreation.is_in_memory_db(old_name)
        and connection.connection is not None
    ):
        stashed, connection.connection = connection.connection, None
    connection.settings_dict["TEST"] = {**old_test, "NAME": name, "MIGRATE": True}
    created = False
    try:
        log(f"creating scratch database {name}")
        try:
            connection.creation.create_test_db(
                verbosity=0, autoclobber=True, serialize=False, keepdb=False
            )
        finally:
            # Django switches the connection over once the database exists: from then on it
            # must be dropped even if migrating it failed.
            created = connection.settings_dict["NAME"] == name
        yield name
    finally:
        if created:
            log(f"dropping scratch database {name}")
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        connection.settings_dict["TEST"] = old_test
        connection.settings_dict["NAME"] = old_name
        if stashed is not None:
            connection.connection = stashed
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)


def settle(*, analyze_sqlite: bool = False) -> None:
    """After a benchmark's bulk seed: on PostgreSQL, VACUUM ANALYZE, which is what
    autovacuum does to a table within a minute or so of a bulk load (PostgreSQL 13 and
    later vacuum after inserts too). Without it the planner estimates from an empty
    database's statistics and no page is marked all-visible, so every Index Only Scan
    fetches each row from the table anyway, and figures would depend on whether the
    autovacuum daemon happened to come by during the run. SQLite keeps no statistics unless
    asked: ``analyze_sqlite`` runs ANALYZE there too (the suggestions benchmark does, as a
    deployment would after its import); otherwise SQLite is left as seeded."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction; the scratch database is used in
            # autocommit mode (scratch_database refuses to start inside one).
            cursor.execute("VACUUM ANALYZE")
    elif analyze_sqlite:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@contextmanager
def isolated() -> Iterator[None]:
    """Keep a benchmark's side effects inside the process and its scratch database.

    Tasks go to the dummy backend (a notification queued on Redis would otherwise be run by
    the user's worker against the user's database), the cache is private to this process
    (a shared Redis cache could hand the user's cached pages to the benchmark and the other
    way round), and e-mail stays in memory.
    """
    with ExitStack() as stack:
        stack.enter_context(
            override_settings(
                TASKS={
                    "default": {
                        "BACKEND": "django_tasks.backends.dummy.DummyBackend",
                        "QUEUES": ["default"],
                    }
                },
                CACHES={
                    "default": {
                        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                        "LOCATION": f"renda-bench-{os.getpid()}",
                    }
                },
                EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
                SMS_BACKEND="console",
            )
        )
        yield
