"""Forms of the case pages. They check the shape of what was typed; the services check the
rules, and their errors come back beside the fields with the input kept. Also the case block
that an owning module's page (e.g. the suggestion page) shows with its rating form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renda.cases import selectors
from renda.cases.models import CaseStatus, ContactMethod, Rating, ResultClass
from renda.cases.workflows import workflow
from renda.core.forms import Form
from renda.core.models import HANDLING_UNIT_KINDS, Congress, Organization, in_subtree_q

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("", _("全部")), ("yes", _("是")), ("no", _("否"))]


def _text(
    label: Any, message: Any, *, rows: int = 4, required: bool = True, max_length: int = 20000
) -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": rows}),
        required=required,
        max_length=max_length,
        error_messages={"required": message},
    )


class CaseFilterForm(Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        widget=forms.Select,
        choices=[("", _("全部状态")), *CaseStatus.choices],
    )
    overdue = forms.ChoiceField(
        label=_("逾期"), required=False, widget=forms.Select, choices=YES_NO
    )
    key = forms.ChoiceField(
        label=_("重点督办"), required=False, widget=forms.Select, choices=YES_NO
    )
    unit = forms.ChoiceField(label=_("承办单位"), required=False, widget=forms.Select)

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("全部单位")), *[(str(pk), name) for pk, name in units]]

    def value(self, name: str) -> Any:
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) or None

    def flag(self, name: str) -> bool | None:
        value = self.value(name)
        return None if value is None else value == "yes"


class ReasonForm(Form):
    reason = _text(_("申请调整的理由"), _("请填写申请调整的理由。"), max_length=2000)


class ContactForm(Form):
    method = forms.ChoiceField(
        label=_("沟通方式"),
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择沟通方式。"), "invalid_choice": _("请选择沟通方式。")},
    )
    happened_on = forms.DateField(
        label=_("沟通日期"),
        widget=DATE_INPUT,
        error_messages={
            "invalid": _("请输入有效的日期,例如 2026-03-01。"),
            "required": _("请填写沟通日期。"),
        },
    )
    note = _text(_("沟通情况"), _("请填写沟通情况。"))


class OpinionForm(Form):
    opinion = _text(_("协办意见"), _("请填写协办意见。"), rows=6)


class ReplyForm(Form):
    """Nothing required here: the service checks the reply as a whole (B-class measures too),
    so every missing part is reported at once."""

    result_class = forms.ChoiceField(
        label=_("办理结果"),
        choices=ResultClass.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={
            "required": _("请选择办理结果(A、B 或 C 类)。"),
            "invalid_choice": _("请选择办理结果(A、B 或 C 类)。"),
        },
    )
    content = _text(_("答复内容(答复函)"), "", rows=14, required=False)
    measures = _text(_("承诺措施和完成时限"), "", rows=4, required=False)
    approved_by_name = forms.CharField(label=_("签发人"), max_length=50, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measures"].help_text = _("B 类答复必填。")


class SignOffForm(Form):
    """The leader signs off the draft (签发) or returns it (退回修改): one form, two buttons.
    The service requires the reason of a return."""

    decision = forms.ChoiceField(
        choices=[("approve", _("签发")), ("return", _("退回修改"))],
        error_messages={
            "required": _("请选择签发或退回修改。"),
            "invalid_choice": _("请选择签发或退回修改。"),
        },
    )
    comment = _text(_("签发意见或退回理由"), "", rows=3, required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["comment"].help_text = _("退回修改时必填,经办人将看到。")


class PromiseForm(Form):
    report = _text(_("承诺事项完成情况"), _("请填写承诺事项的完成情况。"))


class DecideForm(Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("同意调整")), ("refuse", _("不同意调整"))],
        error_messages={"required": _("请选择同意或不同意。")},
    )
    new_lead_unit = forms.ChoiceField(label=_("新的主办单位"), required=False, widget=forms.Select)
    comment = _text(_("说明"), "", rows=3, required=False, max_length=2000)

    def __init__(self, *args: Any, congress: Congress, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = (
            Organization.objects.filter(kind__in=HANDLING_UNIT_KINDS, is_active=True)
            .filter(in_subtree_q("region_id", congress.region_id, congress.region.level))
            .order_by("region_id", "name")
        )
        self.units = {str(u.pk): u for u in units}
        field = self.fields["new_lead_unit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("请选择")), *[(k, u.name) for k, u in self.units.items()]]

    def chosen_unit(self) -> Organization | None:
        return self.units.get(self.cleaned_data.get("new_lead_unit") or "")


class CommentForm(Form):
    comment = _text(_("督办意见"), _("请填写督办意见。"), rows=3, max_length=2000)


class RateForm(Form):
    rating = forms.ChoiceField(
        label=_("您对答复的评价"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择满意、基本满意或不满意。"),
            "invalid_choice": _("请选择满意、基本满意或不满意。"),
        },
    )
    comment = _text(_("评价意见"), "", rows=3, required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["comment"].help_text = _("不满意时请写明理由。")


def case_panel(user: Any, subject_type: str, subject_id: str) -> dict[str, Any] | None:
    """The context of ``cases/_case_panel.html``, the case block of an owning module's page
    (e.g. the suggestion page): status, the latest reply and, when the workflow lets the
    author rate now, the rating form. None when there is no case the user may see."""
    panel = selectors.case_panel(user, subject_type, subject_id)
    if panel is None:
        return None
    can_rate = "rate" in workflow.available_actions(user, panel.case)
    return {
        "case": panel.case,
        "status": panel.status,
        "status_label": panel.status_label,
        "latest": panel.latest,
        "can_rate": can_rate,
        "rate_form": RateForm() if can_rate else None,
        "ratings": panel.ratings,
    }
