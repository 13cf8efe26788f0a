"""Congress listeners: apps that keep per-congress defaults (suggestion categories ...) write
them when a congress is created, never on first read.

``core.services.create_congress`` and the demo seed's bulk load announce new congresses here;
apps register a listener in their ``AppConfig.ready``. Listeners run inside the creating
transaction and write only their own defaults, idempotently (a second announcement of the same
congress changes nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Listener = Callable[[list[int]], None]

_listeners: dict[str, Listener] = {}


def listen(key: str, listener: Listener) -> None:
    """Register ``listener(congress_ids)`` under ``key`` (registering again replaces)."""
    _listeners[key] = listener


def created(congress_ids: Iterable[int]) -> None:
    """Announce new congresses: every listener writes its defaults for them."""
    ids = sorted({int(pk) for pk in congress_ids})
    if not ids:
        return
    for key in sorted(_listeners):
        _listeners[key](ids)
