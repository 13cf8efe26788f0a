"""The benchmarks themselves. Each one runs in its own scratch database (see scratch.py).

- ``seed``: seeding the demo world (``--scale``, city by default) into an empty database.
- ``workbench``: the workbench page's server time for the city office account, against a
  bare view measured with the same client, middleware and session in the same run.
"""

from __future__ import annotations

import math
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from renda.bench import reference
from renda.bench.registry import BenchmarkError, Metric, Options, register
from renda.bench.scratch import isolated, scratch_database
from renda.core.models import User
from renda.seed import world


def total_rows() -> int:
    """Rows in every table of the project's models, to size the reference workload."""
    return sum(
        model._default_manager.using(connection.alias).count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    )


def _seed(scale: str, *, trace_memory: bool) -> reference.Measured:
    if trace_memory:
        tracemalloc.start()
    try:
        started = time.perf_counter()
        world.build(scale)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace_memory else 0.0
    finally:
        if trace_memory:
            tracemalloc.stop()
    return reference.Measured(seconds=seconds, peak_mb=peak)


@register("seed", "seed the demo world into an empty database: seconds and peak memory")
def seed(options: Options) -> Iterator[Metric]:
    # Baseline: bulk-inserting as many plain rows as the seed inserted (reference.py says
    # why). Time and memory are measured in separate passes because tracemalloc slows
    # Python down severalfold; each pass gets an empty database.
    log = options.log
    with isolated(), scratch_database(log):
        before = total_rows()
        log(f"seeding {options.scale} (timed)")
        timed = _seed(options.scale, trace_memory=False)
        rows = total_rows() - before
        log(f"seeded {rows} rows in {timed.seconds:.2f}s; reference insert of {rows} rows")
        ref_timed = reference.bulk_insert_rows(rows)

        call_command("flush", interactive=False, verbosity=0)
        log(f"seeding {options.scale} again under tracemalloc")
        traced = _seed(options.scale, trace_memory=True)
        ref_traced = reference.bulk_insert_rows(rows, trace_memory=True)

    notes = (f"{rows} rows ({options.scale}); reference: bulk_create of {rows} plain rows",)
    yield Metric("seed", "seconds", timed.seconds, "s", ref_timed.seconds, notes)
    yield Metric("seed", "peak_mb", traced.peak_mb, "MB", ref_traced.peak_mb)


def bare_view(request: HttpRequest) -> HttpResponse:
    """The baseline page: all of the site's middleware, a session, no work."""
    return HttpResponse("ok")


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile: a value that was actually observed."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def _timed_get(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise BenchmarkError(f"GET {url} answered {response.status_code}, not 200")
    return elapsed * 1000


def _query_report(client: Client, url: str) -> tuple[int, list[str]]:
    """Queries one request runs, and the slowest and most repeated of them.

    Timed with an execute wrapper rather than Django's query log, which keeps only whole
    milliseconds; the SQL keeps its placeholders, so repeats of one query group together.
    """
    timings: list[tuple[float, str]] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - started, sql))

    with connection.execute_wrapper(timed):
        client.get(url)
    total = sum(t for t, _ in timings) * 1000
    lines = [f"{len(timings)} queries ({total:.2f} ms) for one request of {url}"]
    lines += [f"  {t * 1000:7.2f} ms  {sql[:150]}" for t, sql in sorted(timings, reverse=True)[:5]]
    repeated = [(sql, n) for sql, n in Counter(sql for _, sql in timings).most_common(3) if n > 1]
    lines += [f"  repeated {n}x: {sql[:150]}" for sql, n in repeated]
    return len(timings), lines


@register("workbench", "workbench page server time for the city office: p50 and p95")
def workbench(options: Options) -> Iterator[Metric]:
    log = options.log
    n = options.requests
    with (
        isolated(),
        scratch_database(log),
        override_settings(
            ROOT_URLCONF="renda.bench.urls",
            ALLOWED_HOSTS=["testserver"],
            # As in production: no query log kept in memory, no debug pages.
            DEBUG=False,
        ),
    ):
        log(f"seeding {options.scale}")
        world.build(options.scale)
        client = Client()
        # force_login: the office account needs no second factor, so this is exactly the
        # session a real office user has after logging in.
        client.force_login(User.objects.get(username="office"))
        page, bare = reverse("web:workbench"), reverse("bench_bare")
        log(f"warming up ({options.warmup} requests each)")
        for _ in range(options.warmup):
            _timed_get(client, page)
            _timed_get(client, bare)
        log(f"measuring {n} requests each, interleaved")
        page_ms: list[float] = []
        bare_ms: list[float] = []
        # Interleaved, so a burst of load from other processes hits both series alike.
        for _ in range(n):
            bare_ms.append(_timed_get(client, bare))
            page_ms.append(_timed_get(client, page))
        page_queries, report = _query_report(client, page)
        bare_queries, _ = _query_report(client, bare)

    yield Metric("workbench", "p50_ms", percentile(page_ms, 50), "ms", percentile(bare_ms, 50))
    yield Metric("workbench", "p95_ms", percentile(page_ms, 95), "ms", percentile(bare_ms, 95),
                 tuple(report))
    yield Metric("workbench", "queries", page_queries, "n", bare_queries)
