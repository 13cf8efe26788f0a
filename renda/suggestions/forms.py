"""Forms of the suggestion pages. They check the shape of what was typed; the services check
the rules, and their errors come back beside the fields with the input kept."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renda.core.forms import Form
from renda.deputies.forms import DATE_ERRORS, DATE_INPUT, OnBehalfMixin
from renda.deputies.models import Mandate
from renda.suggestions import selectors, services
from renda.suggestions.models import (
    BETWEEN_SESSIONS,
    PresidiumDecision,
    SuggestionKind,
    SuggestionStatus,
)
from renda.web.forms import FastSelect, MultipleFileField, SearchField

CHOOSE = {"invalid_choice": _("请从列表中选择。")}
SESSION_CHOICES = [
    (str(BETWEEN_SESSIONS), _("闭会期间")),
    *[(str(n), _("第%(n)d次会议") % {"n": n}) for n in range(1, 8)],
]


class SuggestionForm(OnBehalfMixin):
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=SuggestionKind.choices,
        widget=forms.RadioSelect,
        initial=SuggestionKind.SUGGESTION,
        error_messages={
            "required": _("请选择建议或议案。"),
            "invalid_choice": _("请选择建议或议案。"),
        },
    )
    session = forms.ChoiceField(
        label=_("提出时间"),
        choices=SESSION_CHOICES,
        widget=FastSelect,
        initial="0",
        error_messages={"required": _("请选择第几次会议或闭会期间。"), **CHOOSE},
    )
    title = forms.CharField(
        label=_("标题"),
        max_length=200,
        help_text=_("例如:关于……的建议"),
        error_messages={
            "required": _("请填写标题。"),
            "max_length": _("标题不能超过 %(limit_value)d 个字。"),
        },
    )
    content = forms.CharField(
        label=_("内容"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20000,
        required=False,
        help_text=_("反映的问题、原因分析和具体建议。"),
        error_messages={"max_length": _("内容不能超过 %(limit_value)d 个字。")},
    )
    category = forms.ChoiceField(
        label=_("分类"), widget=FastSelect, required=False, error_messages=CHOOSE
    )
    delegation = forms.BooleanField(label=_("以代表团名义提出(仅议案)"), required=False)
    attachments = MultipleFileField(
        label=_("附件(照片或 PDF,最多 5 个,每个不超过 10 MB)"),
        required=False,
        accept="image/jpeg,image/png,image/webp,application/pdf",
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, mandates: list[Mandate], own: bool, **kwargs: Any) -> None:
        super().__init__(*args, mandates=mandates, own=own, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        congresses = list({m.term.congress_id: m.term.congress for m in mandates}.values())
        if len(congresses) == 1:
            options: list[Any] = [(str(c.pk), c.name) for c in selectors.categories(congresses[0])]
        else:
            # Each congress keeps its own list: grouped, so switching the deputy's level
            # above needs no reload; the service checks the pair.
            options = [
                (congress.name, [(str(c.pk), c.name) for c in selectors.categories(congress)])
                for congress in congresses
            ]
        category.choices = [("", _("请选择分类")), *options]
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4().hex)

    def suggestion_input(self) -> services.SuggestionInput:
        d = self.cleaned_data
        mandate = self.chosen_mandate()
        delegation = mandate.delegation_id if d.get("delegation") else None
        return services.SuggestionInput(
            kind=d["kind"],
            title=d["title"],
            content=d.get("content", ""),
            category_id=int(d["category"]) if d.get("category") else None,
            session=int(d["session"]),
            delegation_id=delegation,
        )


class ReviewForm(Form):
    decision = forms.ChoiceField(
        choices=[("accept", _("立案")), ("return", _("退回修改")), ("convert", _("转为建议"))],
        error_messages={
            "required": _("请选择立案、退回修改或转为建议。"),
            "invalid_choice": _("请选择立案、退回修改或转为建议。"),
        },
    )
    reason = forms.CharField(
        label=_("意见(退回时必填)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    category = forms.ChoiceField(
        label=_("分类"), required=False, widget=FastSelect, error_messages=CHOOSE
    )

    def __init__(self, *args: Any, item: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = [
            ("", _("不修改")),
            *[(str(c.pk), c.name) for c in selectors.categories(item.congress)],
        ]
        self.initial.setdefault("category", str(item.category_id or ""))

    def category_id(self) -> int | None:
        value = self.cleaned_data.get("category")
        return int(value) if value else None


class MergeForm(Form):
    into = forms.IntegerField(
        label=_("并入的议案建议编号(系统编号)"),
        min_value=1,
        error_messages={
            "required": _("请填写要并入的议案建议。"),
            "invalid": _("请填写数字编号。"),
            "min_value": _("请填写数字编号。"),
        },
    )
    comment = forms.CharField(label=_("说明"), max_length=1000, required=False)


class PresidiumForm(Form):
    decision = forms.ChoiceField(
        label=_("主席团决定"),
        choices=PresidiumDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择主席团的决定。"), **CHOOSE},
    )
    decided_on = forms.DateField(label=_("决定日期"), widget=DATE_INPUT, error_messages=DATE_ERRORS)
    note = forms.CharField(
        label=_("说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FilterForm(Form):
    q = SearchField(label=_("标题或代表姓名"))
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        widget=FastSelect,
        error_messages=CHOOSE,
        choices=[("", _("全部状态")), *SuggestionStatus.choices],
    )
    kind = forms.ChoiceField(
        label=_("类型"),
        required=False,
        widget=FastSelect,
        error_messages=CHOOSE,
        choices=[("", _("建议和议案")), *SuggestionKind.choices],
    )

    def value(self, name: str) -> Any:
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) or None


class AssignForm(Form):
    lead_unit = forms.ChoiceField(
        label=_("主办单位"),
        widget=FastSelect,
        error_messages={"required": _("请选择主办单位。"), **CHOOSE},
    )
    co_units = forms.MultipleChoiceField(
        label=_("协办单位(可多选)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("请从列表中选择协办单位。")},
    )
    is_complex = forms.BooleanField(label=_("复杂事项(答复期限按复杂事项计算)"), required=False)
    is_key = forms.BooleanField(label=_("重点建议(领导领衔督办)"), required=False)
    supervisor = forms.ChoiceField(
        label=_("领衔督办领导"), required=False, widget=FastSelect, error_messages=CHOOSE
    )

    def __init__(self, *args: Any, units: list[Any], leaders: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in units}
        self.leaders = {str(u.pk): u for u in leaders}
        choices = [(str(u.pk), u.name) for u in units]
        lead = self.fields["lead_unit"]
        co = self.fields["co_units"]
        supervisor = self.fields["supervisor"]
        assert isinstance(lead, forms.ChoiceField)
        assert isinstance(co, forms.MultipleChoiceField)
        assert isinstance(supervisor, forms.ChoiceField)
        lead.choices = [("", _("请选择主办单位")), *choices]
        co.choices = choices
        supervisor.choices = [("", _("不指定")), *[(str(u.pk), u.display_name) for u in leaders]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("is_key") and not data.get("supervisor"):
            self.add_error("supervisor", _("重点建议请选择领衔督办的领导。"))
        return data


class BatchAssignForm(AssignForm):
    """The same units for several suggestions; key suggestions are assigned one by one."""

    items = forms.MultipleChoiceField(
        label=_("要交办的议案建议"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("请勾选要交办的议案建议。"),
            "invalid_choice": _("所选议案建议已不在待交办列表中,请刷新页面。"),
        },
    )

    def __init__(self, *args: Any, suggestions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["is_key"]
        del self.fields["supervisor"]
        self.suggestions = {str(s.pk): s for s in suggestions}
        items = self.fields["items"]
        assert isinstance(items, forms.MultipleChoiceField)
        items.choices = [
            (str(s.pk), f"{s.number_label} {s.title}({s.mandate.person.name})") for s in suggestions
        ]
