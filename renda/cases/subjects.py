"""What cases know about the items they handle: only what the owning module registers.

Case handling never imports the modules that use it; a module (suggestions, opinions,
petitions) registers its subject type with a Chinese label and how to link to an item, and
notifications and timelines use that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class SubjectType:
    code: str
    label: Any  # a lazy translation, e.g. 建议
    url: Callable[[str], str] | None = None


_REGISTRY: dict[str, SubjectType] = {}
DEFAULT_LABEL = _("事项")


def register(code: str, label: Any, *, url: Callable[[str], str] | None = None) -> SubjectType:
    """Register a subject type, e.g. ``register("suggestions.suggestion", _("建议"),
    url=lambda pk: reverse("suggestions:detail", args=[pk]))``."""
    subject = SubjectType(code=code, label=label, url=url)
    _REGISTRY[code] = subject
    return subject


def label(code: str) -> Any:
    subject = _REGISTRY.get(code)
    return subject.label if subject is not None else DEFAULT_LABEL


def url(code: str, subject_id: str) -> str:
    subject = _REGISTRY.get(code)
    if subject is None or subject.url is None:
        return ""
    return subject.url(subject_id)
