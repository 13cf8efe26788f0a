"""The benchmark registry and the one-line-per-metric result format.

A benchmark is a function that takes the run's options and yields ``Metric``s as it measures
them. Every metric carries a baseline measured in the same run on the same machine, because
a shared 2-core machine is too noisy for absolute figures to mean much from one run to the
next: the ratio value / baseline is what to compare across runs.

Each line also names the database engine it was measured on (``sqlite`` or ``postgresql``,
Django's vendor name): the command fills it in from the connection the benchmark ran on, so
a benchmark never has to, and ``make bench`` runs every benchmark once per engine.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class BenchmarkError(RuntimeError):
    """A benchmark could not measure what it is for (e.g. the page did not answer 200)."""


@dataclass(frozen=True)
class Options:
    scale: str = "city"
    requests: int = 200
    warmup: int = 20
    # Progress messages; never stdout, which carries only results.
    log: Callable[[str], None] = field(default=_stderr)


@dataclass(frozen=True)
class Metric:
    bench: str
    metric: str
    value: float
    unit: str
    baseline: float
    # Extra lines for the human-readable report (not part of the JSON line).
    notes: tuple[str, ...] = ()
    # The database engine measured on; None until the command sets it (see with_database).
    database: str | None = None

    def __post_init__(self) -> None:
        # A ratio to nothing means nothing (and would not even be valid JSON).
        if not (math.isfinite(self.baseline) and self.baseline > 0 and math.isfinite(self.value)):
            raise BenchmarkError(
                f"{self.bench}.{self.metric}: need a finite value and a positive baseline, "
                f"got {self.value} and {self.baseline}"
            )

    @property
    def ratio(self) -> float:
        return self.value / self.baseline

    def with_database(self, vendor: str) -> Metric:
        """This metric, labelled with the engine it was measured on unless it already is."""
        return self if self.database else replace(self, database=vendor)

    def as_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "bench": self.bench,
            "metric": self.metric,
            "value": _significant(self.value),
            "unit": self.unit,
            "baseline": _significant(self.baseline),
            "ratio": _significant(self.ratio),
        }
        if self.database:
            row["database"] = self.database
        return row

    def json_line(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False)

    def human_line(self) -> str:
        value, baseline = _significant(self.value), _significant(self.baseline)
        database = f"{self.database:<10} " if self.database else ""
        return (
            f"{database}{self.bench:<10} {self.metric:<8} {value:>10} {self.unit:<3} "
            f"(baseline {baseline} {self.unit}, ratio {self.ratio:.2f})"
        )


def _significant(x: float, digits: int = 5) -> float | int:
    """Five significant digits: far below the noise, and a baseline of 0.0335 s keeps its
    precision where rounding to decimals would not. Whole numbers (query counts) stay int."""
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        return int(x)
    return float(f"{x:.{digits}g}")


Benchmark = Callable[[Options], Iterator[Metric]]


@dataclass(frozen=True)
class Entry:
    name: str
    run: Benchmark
    description: str


BENCHMARKS: dict[str, Entry] = {}


def register(name: str, description: str) -> Callable[[Benchmark], Benchmark]:
    def decorate(run: Benchmark) -> Benchmark:
        BENCHMARKS[name] = Entry(name=name, run=run, description=description)
        return run

    return decorate
