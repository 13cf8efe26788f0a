"""The main menu registry. ``web`` knows no domain app: each app registers its entries from its
own ``panels.register()`` (called in its ``AppConfig.ready``), the way workbench panels are
registered in ``renda.core.workbench``.

An entry says which page it opens (a URL name, with arguments computed for the user when the
page is personal), when it is shown (a predicate over the user, so a menu item never leads to an
empty or forbidden page) and which pages it lights up (URL namespaces, optionally narrowed to URL
names starting with a prefix). Several entries may share a key: the first visible one in menu
order is shown (an office's "积分与评价" and a deputy's "我的积分" are one item).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse


def everyone(user: Any) -> bool:
    del user
    return True


def signed_in(user: Any) -> bool:
    return user is not None and bool(user.is_authenticated)


@dataclass(frozen=True)
class Entry:
    key: str
    label: Any
    url_name: str
    order: int
    visible: Callable[[Any], bool] = signed_in
    # (namespace, url-name prefix) pairs this entry lights up; "" matches every page.
    lights: Sequence[tuple[str, str]] = ()
    url_args: Callable[[Any], Sequence[Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str
    active: bool = False


_entries: dict[tuple[str, int], Entry] = {}


def register(entry: Entry) -> None:
    """Add (or replace) an entry; the key and the order identify it (two variants of one
    item have one key and two orders)."""
    _entries[(entry.key, entry.order)] = entry


def unregister(key: str, order: int) -> None:
    _entries.pop((key, order), None)


def entries() -> list[Entry]:
    return sorted(_entries.values(), key=lambda e: (e.order, e.key))


def current_key(namespace: str, url_name: str) -> str:
    """The key of the entry a page belongs to: the longest matching prefix wins."""
    best, length = "", -1
    for entry in _entries.values():
        for space, prefix in entry.lights:
            if space == namespace and url_name.startswith(prefix) and len(prefix) > length:
                best, length = entry.key, len(prefix)
    return best


def items_for(user: Any, current: str = "") -> list[NavItem]:
    """The menu for ``user``; ``current`` is the key of the entry whose page is shown."""
    items: list[NavItem] = []
    seen: set[str] = set()
    for entry in entries():
        if entry.key in seen or not entry.visible(user):
            continue
        seen.add(entry.key)
        args = list(entry.url_args(user)) if entry.url_args is not None else []
        items.append(
            NavItem(
                entry.key,
                str(entry.label),
                reverse(entry.url_name, args=args),
                active=entry.key == current,
            )
        )
    return items
