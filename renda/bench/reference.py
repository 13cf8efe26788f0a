"""Reference workloads: what the same amount of work costs when it is as plain as possible.

The seed benchmark divides its figures by these, so a slower or busier machine moves value
and baseline together and the ratio stays comparable between runs.
"""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import dataclass
from typing import ClassVar

from django.apps.registry import Apps
from django.db import connection, models, transaction

# A registry of its own: the reference table is no part of the schema, never appears in
# migrations, checks or flush, and exists only while a benchmark creates it.
_apps = Apps(installed_apps=())


class ReferenceRow(models.Model):
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=12)
    number = models.IntegerField()

    objects: ClassVar[models.Manager[ReferenceRow]] = models.Manager()

    class Meta:
        apps = _apps
        app_label = "bench"
        db_table = "renda_bench_reference_row"

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_mb: float


def bulk_insert_rows(rows: int, *, trace_memory: bool = False) -> Measured:
    """Insert ``rows`` plain rows into a fresh narrow table (no indexes beyond the primary
    key, no foreign keys, no encryption) through the same path the seed uses: model
    instances built in Python, ``bulk_create`` in batches of 2,000, one transaction.

    That is the floor for "put this many rows into this database through Django on this
    machine right now"; the seed's ratio to it is the cost of realism (random generation,
    pinyin, Fernet encryption, blind indexes, foreign keys, constraints and indexes).
    """
    with connection.schema_editor() as editor:
        editor.create_model(ReferenceRow)
    try:
        if trace_memory:
            tracemalloc.start()
        started = time.perf_counter()
        with transaction.atomic():
            ReferenceRow.objects.bulk_create(
                (ReferenceRow(name=f"参考行 {i}", code=f"{i:012d}", number=i) for i in range(rows)),
                batch_size=2000,
            )
        seconds = time.perf_counter() - started
        peak = 0.0
        if trace_memory:
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        return Measured(seconds=seconds, peak_mb=peak)
    finally:
        if tracemalloc.is_tracing():
            tracemalloc.stop()
        with connection.schema_editor() as editor:
            editor.delete_model(ReferenceRow)
