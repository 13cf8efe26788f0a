"""The public deputy search form."""

from __future__ import annotations

import functools
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renda.core.forms import Form
from renda.portal import selectors
from renda.web.forms import FastSelect, SearchField


class DeputySearchForm(Form):
    q = SearchField(label=_("姓名或拼音首字母"), help_text=_("如“张三”或“zs”。"))
    congress = forms.ChoiceField(
        label=_("人大"),
        required=False,
        widget=FastSelect,
        error_messages={"invalid_choice": _("请从列表中选择人大。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["congress"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = functools.cache(
            lambda: [("", _("全部人大")), *selectors.congress_choices()]
        )

    def value(self, name: str) -> Any:
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) or None


class PublishedSearchForm(Form):
    q = SearchField(label=_("标题"))

    def value(self, name: str) -> Any:
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) or None
