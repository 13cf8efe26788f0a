from __future__ import annotations

import traceback
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from renda.bench import benchmarks  # noqa: F401 - registers the benchmarks
from renda.bench.registry import BENCHMARKS, Options
from renda.seed.world import PLANS


class Command(BaseCommand):
    help = (
        "Run a benchmark (or 'all') in a scratch database on the configured database engine "
        "and print its metrics; with --json one JSON line per metric: bench, metric, value, "
        "unit, baseline, ratio, database (sqlite or postgresql). `make bench` runs it once "
        "on SQLite and once more on PostgreSQL when DATABASE_URL names one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=[*sorted(BENCHMARKS), "all"])
        parser.add_argument("--json", action="store_true", help="JSON lines on stdout")
        parser.add_argument("--scale", choices=sorted(PLANS), default="city")
        parser.add_argument(
            "--requests", type=int, default=200, help="measured requests per page (workbench)"
        )
        parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests first")

    def handle(
        self,
        *args: Any,
        name: str,
        json: bool,
        scale: str,
        requests: int,
        warmup: int,
        **options: Any,
    ) -> None:
        if requests < 1 or warmup < 0:
            raise CommandError("--requests must be at least 1 and --warmup not negative")
        verbose = int(options.get("verbosity", 1)) > 0

        def log(line: str) -> None:
            # Progress goes to stderr so that stdout carries nothing but results.
            if verbose:
                self.stderr.write(f"[bench] {line}")

        run_options = Options(scale=scale, requests=requests, warmup=warmup, log=log)
        names = sorted(BENCHMARKS) if name == "all" else [name]
        failed: list[str] = []
        log(f"database engine: {connection.vendor} (each benchmark in a scratch database)")
        for bench_name in names:
            log(f"{bench_name}: {BENCHMARKS[bench_name].description}")
            try:
                for measured in BENCHMARKS[bench_name].run(run_options):
                    # The scratch database is gone by now, but it was on this engine.
                    metric = measured.with_database(connection.vendor)
                    if json:
                        self.stdout.write(metric.json_line())
                    else:
                        self.stdout.write(metric.human_line())
                        for note in metric.notes:
                            self.stdout.write(f"    {note}")
                    self.stdout.flush()
            except Exception as exc:  # report it and go on with the next benchmark
                failed.append(bench_name)
                self.stderr.write(f"[bench] {bench_name} failed: {exc}")
                if verbose:
                    self.stderr.write(traceback.format_exc())
        if failed:
            raise CommandError(f"benchmark failed: {', '.join(failed)}")
