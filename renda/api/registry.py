"""The API router registry: each domain app registers the router it serves under
``/api/v1/<prefix>`` from its ``AppConfig.ready``; ``renda.api.api`` mounts them in order.

Every ``build`` has the same shape, ``build(pagination) -> Router``, and is called once when
the API is assembled (after every app is ready).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ninja import Router
from ninja.pagination import PaginationBase


@dataclass(frozen=True)
class Mount:
    prefix: str
    build: Callable[[type[PaginationBase]], Router]
    order: int = 100


_mounts: dict[str, Mount] = {}


def register(
    prefix: str, build: Callable[[type[PaginationBase]], Router], *, order: int = 100
) -> None:
    if not prefix.startswith("/"):
        raise ValueError(f"API prefix {prefix!r} must start with '/'")
    _mounts[prefix] = Mount(prefix, build, order)


def mounts() -> list[Mount]:
    return sorted(_mounts.values(), key=lambda m: (m.order, m.prefix))
