"""The workbench (工作台) registry: each app contributes to-do panels for the roles it serves.

Core keeps only the registry so that it depends on no domain app; apps register in ready().
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    roles: frozenset[str]
    # Returns the context for the panel template, or None to hide it for this user.
    build: Callable[[Any], dict[str, Any] | None]
    template: str
    order: int = 100
    extra: dict[str, Any] = field(default_factory=dict)


_panels: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    _panels[panel.key] = panel


def panels_for(roles: set[str]) -> list[Panel]:
    return sorted((p for p in _panels.values() if p.roles & roles), key=lambda p: (p.order, p.key))
