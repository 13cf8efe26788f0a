"""Background recomputation (Django Tasks API). Both tasks take ids and replace what they
compute, so running one twice, or after a later one, leaves the same result."""

from __future__ import annotations

from django_tasks import task

from renda.points import services


@task()
def recompute_mandates(mandate_ids: list[int], year: int) -> None:
    services.recompute_mandates(mandate_ids=mandate_ids, year=year)


@task()
def recompute_congress_year(congress_id: int, year: int) -> None:
    services.recompute_year(congress_id=congress_id, year=year)
