"""Forms of the points pages. They only check the shape of what was typed; the services
decide, and their errors are shown beside the fields with the input kept."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renda.core.forms import Form
from renda.points.models import Grade, PointRule
from renda.web.forms import FastSelect

NUMBER_ERRORS = {
    "invalid": _("请填写数字,如 2 或 1.5。"),
    "max_decimal_places": _("分值最多保留一位小数。"),
    "max_digits": _("数值太大。"),
    "max_whole_digits": _("数值太大。"),
    "required": _("请填写每次分值。"),
}
TEXT_ATTRS = {"rows": 5}


def _points_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=6,
        decimal_places=1,
        help_text=help_text,
        error_messages=NUMBER_ERRORS,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )


class RuleTableForm(Form):
    """The current table as editable rows: each rule's points and yearly cap."""

    note = forms.CharField(
        label=_("修订说明"),
        max_length=200,
        help_text=_("将记入版本历史,如“接待选民分值由 3 分调整为 4 分”。"),
        error_messages={
            "required": _("请填写修订说明。"),
            "max_length": _("修订说明不能超过 200 个字。"),
        },
    )

    def __init__(self, *args: Any, rules: list[PointRule], **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        super().__init__(*args, **kwargs)
        self.rules = rules
        for rule in rules:
            self.fields[f"{rule.code}_points"] = _points_field(
                _("%(rule)s 每次分值") % {"rule": rule.get_code_display()}
            )
            self.fields[f"{rule.code}_cap"] = _points_field(
                _("%(rule)s 年度上限") % {"rule": rule.get_code_display()},
                required=False,
                help_text=_("留空表示不设上限"),
            )
            initial.setdefault(f"{rule.code}_points", rule.points)
            initial.setdefault(f"{rule.code}_cap", rule.yearly_cap)
        self.initial = initial
        # The note last, after the table.
        self.order_fields([*(n for n in self.fields if n != "note"), "note"])

    def rows(self) -> list[tuple[PointRule, forms.BoundField, forms.BoundField]]:
        return [(r, self[f"{r.code}_points"], self[f"{r.code}_cap"]) for r in self.rules]

    def changes(self) -> dict[str, tuple[object, object]]:
        return {
            r.code: (
                self.cleaned_data.get(f"{r.code}_points"),
                self.cleaned_data.get(f"{r.code}_cap"),
            )
            for r in self.rules
        }


class DisputeForm(Form):
    reason = forms.CharField(
        label=_("申诉理由"),
        widget=forms.Textarea(attrs=TEXT_ATTRS),
        max_length=2000,
        help_text=_("请说明这条积分哪里不对,如“该次活动我已请假,不应扣分”。"),
        error_messages={
            "required": _("请写明申诉理由。"),
            "max_length": _("申诉理由不能超过 2000 个字。"),
        },
    )


class DecideForm(Form):
    UPHOLD, REJECT = "upheld", "rejected"
    outcome = forms.ChoiceField(
        label=_("处理结果"),
        widget=forms.RadioSelect,
        choices=[(UPHOLD, _("申诉成立,调整分值")), (REJECT, _("申诉不成立,维持原分值"))],
        error_messages={"required": _("请选择处理结果。"), "invalid_choice": _("请选择处理结果。")},
    )
    adjustment = _points_field(
        _("调整分值"),
        required=False,
        help_text=_("申诉成立时计入的分值,默认抵消所申诉的分值;扣分请填负数。"),
    )
    decision = forms.CharField(
        label=_("处理意见"),
        widget=forms.Textarea(attrs=TEXT_ATTRS),
        max_length=2000,
        help_text=_("将通知申诉的代表,请写明理由。"),
        error_messages={
            "required": _("请填写处理意见。"),
            "max_length": _("处理意见不能超过 2000 个字。"),
        },
    )

    def __init__(self, *args: Any, disputed_points: Decimal, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("adjustment", -disputed_points)
        super().__init__(*args, **kwargs)


class SelfAssessmentForm(Form):
    self_assessment = forms.CharField(
        label=_("代表自评"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("对照年度履职情况,写明参加活动、联系群众、提出建议等方面的情况和不足。"),
        error_messages={"max_length": _("自评不能超过 5000 个字。")},
    )


class AssessForm(Form):
    office_assessment = forms.CharField(
        label=_("机关评价意见"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": _("评价意见不能超过 5000 个字。")},
    )
    grade = forms.ChoiceField(
        label=_("评价等次"),
        required=False,
        choices=[("", _("请选择")), *Grade.choices],
        widget=FastSelect,
        error_messages={"invalid_choice": _("请选择评价等次。")},
    )


class RuleFilterForm(Form):
    congress = forms.TypedChoiceField(
        label=_("人大"),
        coerce=int,
        widget=FastSelect,
        error_messages={"invalid_choice": _("请选择您管辖范围内的人大。")},
    )
    year = forms.TypedChoiceField(
        label=_("年度"),
        coerce=int,
        widget=FastSelect,
        error_messages={"invalid_choice": _("请选择有效的年度。")},
    )

    def __init__(
        self, *args: Any, congresses: list[tuple[int, str]], years: list[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        congress = self.fields["congress"]
        year = self.fields["year"]
        assert isinstance(congress, forms.ChoiceField)
        assert isinstance(year, forms.ChoiceField)
        congress.choices = congresses
        year.choices = [(y, _("%(y)s 年") % {"y": y}) for y in years]
