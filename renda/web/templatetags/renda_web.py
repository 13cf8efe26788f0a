from __future__ import annotations

import json
from typing import Any

from django import template

register = template.Library()


@register.filter
def pretty_json(value: Any) -> str:
    """Audit before/after values as readable JSON, Chinese left as it is."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)
