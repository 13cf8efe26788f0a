"""Background steps of a deputies' import (Django Tasks API). Both are idempotent: each
claims its import in the state it expects and does nothing when it is not there."""

from __future__ import annotations

from django_tasks import task

from renda.deputies import services


@task()
def check_deputy_import(import_id: int) -> None:
    services.check_import(import_id=import_id)


@task()
def run_deputy_import(import_id: int) -> None:
    services.run_import(import_id=import_id)
