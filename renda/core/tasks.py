"""Helpers for the Django Tasks API shared by every app."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue only once the surrounding transaction has committed.

    A task that ran before the commit would not find the rows it was given ids for, and one
    enqueued for a rolled-back change would act on something that never happened.
    """
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs), robust=True)
