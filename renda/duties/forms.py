"""Forms of the duty pages. They check the shape of what was typed; the services check the
rules, and their errors come back beside the fields with the input kept."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renda.core.forms import Form
from renda.core.models import Congress, Organization, OrganizationKind
from renda.deputies.forms import DATE_ERRORS, DATE_INPUT, OnBehalfMixin
from renda.deputies.models import Mandate, MandateStatus
from renda.duties import selectors, services
from renda.duties.models import REPORTABLE_KINDS, AttendanceStatus, RecordStatus
from renda.web.forms import FastSelect, MultipleFileField, SearchField

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_ERRORS = {
    "invalid": _("请输入有效的时间,例如 2026-03-01 09:00。"),
    "required": _("请填写时间。"),
}
KIND_CHOICES = [(k.value, k.label) for k in REPORTABLE_KINDS]


def _required(message: Any) -> dict[str, Any]:
    return {"required": message}


class ActivityForm(Form):
    organizer = forms.ChoiceField(
        label=_("组织单位"),
        widget=FastSelect,
        error_messages={"required": _("请选择组织单位。"), "invalid_choice": _("请选择组织单位。")},
    )
    kind = forms.ChoiceField(
        label=_("活动类型"),
        choices=KIND_CHOICES,
        widget=FastSelect,
        error_messages={"required": _("请选择活动类型。"), "invalid_choice": _("请选择活动类型。")},
    )
    title = forms.CharField(
        label=_("活动名称"), max_length=200, error_messages=_required(_("请填写活动名称。"))
    )
    location = forms.CharField(label=_("地点"), max_length=200, required=False)
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=DATETIME_INPUT, error_messages=DATETIME_ERRORS
    )
    ends_at = forms.DateTimeField(
        label=_("结束时间"), widget=DATETIME_INPUT, error_messages=DATETIME_ERRORS
    )
    description = forms.CharField(
        label=_("活动内容"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )
    audience = forms.ChoiceField(
        label=_("邀请代表"),
        widget=FastSelect,
        help_text=_("邀请后,代表会收到站内消息和短信。"),
        error_messages={
            "required": _("请选择邀请的代表。"),
            "invalid_choice": _("请选择邀请的代表。"),
        },
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organizers = list(selectors.organizers_for(user).order_by("region_id", "kind", "name"))
        self.organizers = {str(o.pk): o for o in organizers}
        field = self.fields["organizer"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(o.pk), o.name) for o in organizers]
        stations = [o for o in organizers if o.kind == OrganizationKind.LIAISON_STATION]
        regions = {o.region_id for o in organizers if o.kind != OrganizationKind.LIAISON_STATION}
        congresses = list(Congress.objects.filter(region_id__in=regions).order_by("region_id"))
        self.audiences: dict[str, tuple[str, int]] = {}
        choices: list[tuple[str, Any]] = []
        for station in stations:
            key = f"station:{station.pk}"
            self.audiences[key] = ("station", station.pk)
            choices.append((key, _("%(name)s联系的全部代表") % {"name": station.name}))
        for congress in congresses:
            key = f"congress:{congress.pk}"
            self.audiences[key] = ("congress", congress.pk)
            choices.append((key, _("%(name)s全体在任代表") % {"name": congress.name}))
        audience = self.fields["audience"]
        assert isinstance(audience, forms.ChoiceField)
        audience.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("结束时间必须晚于开始时间。"))
        return data

    def invitees(self) -> list[Mandate]:
        kind, pk = self.audiences[self.cleaned_data["audience"]]
        serving = Mandate.objects.filter(status=MandateStatus.SERVING)
        if kind == "station":
            return list(serving.filter(stations=pk))
        return list(serving.filter(term__congress_id=pk))

    def chosen_organizer(self) -> Organization:
        return self.organizers[self.cleaned_data["organizer"]]

    def activity_input(self) -> services.ActivityInput:
        d = self.cleaned_data
        return services.ActivityInput(
            kind=d["kind"],
            title=d["title"],
            description=d.get("description", ""),
            location=d.get("location", ""),
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
        )


class ReportForm(OnBehalfMixin):
    kind = forms.ChoiceField(
        label=_("履职类型"),
        choices=KIND_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择履职类型。"), "invalid_choice": _("请选择履职类型。")},
    )
    occurred_on = forms.DateField(
        label=_("履职日期"), widget=DATE_INPUT, error_messages=DATE_ERRORS
    )
    title = forms.CharField(
        label=_("标题(可不填)"),
        max_length=200,
        required=False,
        help_text=_("不填时以履职类型为标题。"),
    )
    content = forms.CharField(
        label=_("履职内容"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("做了什么、在哪里、有什么结果。"),
        error_messages={
            "required": _("请填写履职内容:做了什么、在哪里、有什么结果。"),
            "max_length": _("履职内容不能超过 %(limit_value)d 个字。"),
        },
    )
    photos = MultipleFileField(
        label=_("现场照片(可选,最多 6 张)"),
        required=False,
        accept="image/jpeg,image/png,image/webp",
    )
    is_public = forms.BooleanField(label=_("在代表主页公开标题"), required=False, initial=True)
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, mandates: list[Mandate], own: bool, **kwargs: Any) -> None:
        super().__init__(*args, mandates=mandates, own=own, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("occurred_on", timezone.localdate())
            self.initial.setdefault("submission_key", uuid.uuid4().hex)

    def record_input(self) -> services.RecordInput:
        d = self.cleaned_data
        return services.RecordInput(
            kind=d["kind"],
            title=d.get("title", ""),
            content=d["content"],
            occurred_on=d["occurred_on"],
            is_public=bool(d.get("is_public")),
        )


class ReviewForm(Form):
    decision = forms.ChoiceField(
        choices=[("confirm", _("确认")), ("return", _("退回"))],
        error_messages={
            "required": _("请选择确认或退回。"),
            "invalid_choice": _("请选择确认或退回。"),
        },
    )
    comment = forms.CharField(
        label=_("意见(退回时必填)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(Form):
    reason = forms.CharField(
        label=_("事由"), max_length=200, error_messages=_required(_("请填写事由。"))
    )


class AttendanceForm(Form):
    status = forms.ChoiceField(
        choices=[
            (AttendanceStatus.ATTENDED.value, _("出席")),
            (AttendanceStatus.LEAVE.value, _("请假")),
            (AttendanceStatus.INVITED.value, _("未到(撤销登记)")),
        ],
        error_messages={"required": _("请选择出席情况。"), "invalid_choice": _("请选择出席情况。")},
    )
    leave_reason = forms.CharField(max_length=200, required=False)


class RecordFilterForm(Form):
    q = SearchField(label=_("代表姓名或标题"))
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        widget=FastSelect,
        choices=[("", _("全部状态")), *RecordStatus.choices],
        error_messages={"invalid_choice": _("请从列表中选择。")},
    )
    kind = forms.ChoiceField(
        label=_("履职类型"),
        required=False,
        widget=FastSelect,
        choices=[("", _("全部类型")), *KIND_CHOICES],
        error_messages={"invalid_choice": _("请从列表中选择。")},
    )

    def value(self, name: str) -> Any:
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) or None
