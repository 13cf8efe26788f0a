"""The base of every form of ours. Its one job today: each text field (``forms.CharField``
and its kinds, whenever it was added, also in ``__init__``) refuses control characters with
the kit's rule (``renda.core.validators``): single-line fields refuse line breaks and tabs
too, a field drawn as a ``Textarea`` keeps them. ``tests/core/test_control_chars.py`` walks
every form class of ``renda`` and fails on one that does not build on it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from renda.core.validators import validate_line, validate_text


def line_rule(value: Any) -> None:
    validate_line(str(value))


def text_rule(value: Any) -> None:
    validate_text(str(value))


def _is_guard(validator: Any) -> bool:
    return validator in (line_rule, text_rule)


def guard_text(field: forms.Field) -> None:
    """Give a text field the control-character rule (once); other fields are left alone."""
    if not isinstance(field, forms.CharField) or any(_is_guard(v) for v in field.validators):
        return
    rule = text_rule if isinstance(field.widget, forms.Textarea) else line_rule
    # The rule covers NUL too, with a Chinese message naming the character.
    field.validators = [
        v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
    ] + [rule]


class Form(forms.Form):
    def full_clean(self) -> None:
        # Here rather than in __init__, so fields that subclasses add later are covered too.
        for field in self.fields.values():
            guard_text(field)
        super().full_clean()
