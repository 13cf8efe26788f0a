"""Duty-fact listeners: who wants to know when the counted duty facts of some deputies change.

A duty record confirmed, a module's record written, an activity closed into attendance and
absences: each changes what counts for these mandates in year Y. ``duties`` announces it here
and knows nothing about who listens; apps above it (points recomputes the totals) register a
listener in their ``AppConfig.ready``. Listeners run inside the caller's transaction and must
only schedule work (``enqueue_on_commit``), never do it, so a rolled-back change announces
nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Listener = Callable[[list[int], int], None]

_listeners: dict[str, Listener] = {}


def listen(key: str, listener: Listener) -> None:
    """Register ``listener(mandate_ids, year)`` under ``key`` (registering again replaces)."""
    _listeners[key] = listener


def changed(*, mandate_ids: Iterable[int], year: int) -> None:
    """Announce that the counted duty facts of ``mandate_ids`` in ``year`` changed."""
    ids = sorted({int(pk) for pk in mandate_ids})
    if not ids:
        return
    for key in sorted(_listeners):
        _listeners[key](ids, int(year))
