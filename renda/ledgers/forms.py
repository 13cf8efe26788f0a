"""The ledger's filters: period, roll-up level, region and congress level; what a drill-down
link adds (station, group, 本级) travels as hidden fields so the live filter keeps it."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renda.core.forms import Form
from renda.core.models import RegionLevel
from renda.ledgers import selectors
from renda.ledgers.selectors import LedgerFilters
from renda.web.forms import FastSelect, region_choices

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("请输入有效的日期,例如 2026-01-31。")}
MAX_DAYS = 366 * 6


def _level_choices() -> list[tuple[str, Any]]:
    return [("", _("全部层级"))] + [
        (v, label) for v, label in RegionLevel.choices if v in selectors.CONGRESS_LEVELS
    ]


class LedgerFilterForm(Form):
    date_from = forms.DateField(
        label=_("开始日期"), required=False, widget=DATE_INPUT, error_messages=DATE_ERRORS
    )
    date_to = forms.DateField(
        label=_("结束日期"), required=False, widget=DATE_INPUT, error_messages=DATE_ERRORS
    )
    by = forms.ChoiceField(
        label=_("统计口径"),
        required=False,
        widget=FastSelect,
        error_messages={"invalid_choice": _("请选择有效的统计口径。")},
    )
    region = forms.ChoiceField(
        label=_("区划"),
        required=False,
        widget=FastSelect,
        error_messages={"invalid_choice": _("请选择您管辖范围内的区划。")},
    )
    level = forms.ChoiceField(
        label=_("人大层级"),
        required=False,
        widget=FastSelect,
        choices=_level_choices,
        error_messages={"invalid_choice": _("请选择有效的层级。")},
    )
    own = forms.BooleanField(required=False, widget=forms.HiddenInput)
    station = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    group = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        by = self.fields["by"]
        assert isinstance(by, forms.ChoiceField)
        by.choices = selectors.by_choices()
        region = self.fields["region"]
        assert isinstance(region, forms.ChoiceField)
        region.choices = lambda: region_choices(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        elif start and end and (end - start).days > MAX_DAYS:
            self.add_error("date_to", _("统计期间最长六年。"))
        return data

    def filters(self) -> LedgerFilters:
        """The valid filters; what is missing or invalid takes its default."""
        default = LedgerFilters.default(self.user)
        if not self.is_bound:
            return default
        self.is_valid()
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}

        def ok(name: str) -> Any:
            return data.get(name) if name not in self.errors else None

        start: datetime.date = ok("date_from") or default.date_from
        end: datetime.date = ok("date_to") or default.date_to
        if start > end:
            start, end = default.date_from, default.date_to
        region = ok("region") or default.region
        return LedgerFilters(
            date_from=start,
            date_to=end,
            by=ok("by") or selectors.default_by(region),
            region=region,
            own=bool(ok("own")),
            level=ok("level") or None,
            station=ok("station"),
            group=ok("group"),
        )


class InactiveFilterForm(Form):
    months = forms.IntegerField(
        label=_("连续未履职月数"),
        required=False,
        min_value=1,
        max_value=24,
        initial=selectors.DEFAULT_INACTIVE_MONTHS,
        error_messages={
            "min_value": _("请填写 1 到 24 之间的月数。"),
            "max_value": _("请填写 1 到 24 之间的月数。"),
            "invalid": _("请填写 1 到 24 之间的月数。"),
        },
    )
    region = forms.ChoiceField(
        label=_("区划"),
        required=False,
        widget=FastSelect,
        error_messages={"invalid_choice": _("请选择您管辖范围内的区划。")},
    )
    level = forms.ChoiceField(
        label=_("人大层级"),
        required=False,
        widget=FastSelect,
        choices=_level_choices,
        error_messages={"invalid_choice": _("请选择有效的层级。")},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, forms.ChoiceField)
        region.choices = lambda: region_choices(user)

    def values(self) -> dict[str, Any]:
        if not self.is_bound:
            return {"months": selectors.DEFAULT_INACTIVE_MONTHS, "region": None, "level": None}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})

        def ok(name: str) -> Any:
            return data.get(name) if name not in self.errors else None

        return {
            "months": ok("months") or selectors.DEFAULT_INACTIVE_MONTHS,
            "region": ok("region") or None,
            "level": ok("level") or None,
        }
