"""Forms of the deputies' registry pages. Filters validate what was typed and give it back
unchanged when something is wrong; the other forms feed the services."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from renda.core.forms import Form
from renda.core.models import RegionLevel
from renda.deputies import selectors
from renda.deputies.models import DeputyCategory, ImportMode, Mandate, MandateStatus
from renda.deputies.selectors import ALL_STATUSES, MandateFilters
from renda.web.forms import FastSelect, SearchField, region_choices

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {
    "invalid": _("请输入有效的日期,例如 2026-01-31。"),
    "required": _("请填写日期。"),
}


class OnBehalfMixin(Form):
    """The deputy a form writes for (a duty record, a suggestion ...): a deputy picks which
    of their own mandates (the level they act at); a station or an office entering on a
    deputy's behalf (代录) picks the deputy among those it may enter for. Forms that write
    for a deputy inherit it; the views pass the mandates from
    ``deputies.selectors.entry_mandates`` (or the deputy's own) and whether they are own."""

    mandate = forms.ChoiceField(
        label=_("代表"),
        widget=FastSelect,
        error_messages={"required": _("请选择代表。"), "invalid_choice": _("请选择代表。")},
    )

    def __init__(self, *args: Any, mandates: list[Mandate], own: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mandates = {str(m.pk): m for m in mandates}
        self.own = own
        field = self.fields["mandate"]
        assert isinstance(field, forms.ChoiceField)
        if own:
            field.label = _("以哪一级代表身份")
            field.choices = [(str(m.pk), m.term.congress.name) for m in mandates]
        else:
            field.label = _("代哪位代表录入")
            field.choices = [
                (str(m.pk), f"{m.person.name}({m.term.congress.name})") for m in mandates
            ]
        if not self.is_bound and mandates:
            self.initial.setdefault("mandate", str(mandates[0].pk))

    def chosen_mandate(self) -> Mandate:
        return self.mandates[self.cleaned_data["mandate"]]


def _choice(label: Any, choices: Any = (), invalid: Any = None) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        widget=FastSelect,
        choices=choices,
        error_messages={"invalid_choice": invalid or _("请从列表中选择。")},
    )


class MandateFilterForm(Form):
    q = SearchField(
        label=_("姓名或拼音首字母"),
        help_text=_("如“张三”或“zs”;手机号码和身份证号码须完整输入。"),
    )
    level = _choice(
        _("层级"),
        [("", _("全部层级"))]
        + [(v, label) for v, label in RegionLevel.choices if v != RegionLevel.VILLAGE],
        _("请选择有效的层级。"),
    )
    region = _choice(_("区划"), invalid=_("请选择您管辖范围内的区划。"))
    term = _choice(_("届次"), invalid=_("请选择您可查看的届次。"))
    # A city has over a thousand deputy groups: too many for a list, so the name is typed.
    group_name = SearchField(label=_("代表小组"), help_text=_("输入小组名称中的字,如“西渡”。"))
    station = _choice(_("联络站"), invalid=_("请选择您可查看的联络站。"))
    category = _choice(
        _("代表构成"), [("", _("全部构成")), *DeputyCategory.choices], _("请选择有效的代表构成。")
    )
    # Serving deputies by default: the first choice, so a form without it shows 在任.
    status = _choice(
        _("状态"), [*MandateStatus.choices, (ALL_STATUSES, _("全部状态"))], _("请选择有效的状态。")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Loaded only when needed: to draw the form, or to check a value that was given. A
        # live-filter request that only changes the search box runs none of these queries.
        self._set("region", lambda: region_choices(user))
        self._set("term", lambda: [("", _("全部届次")), *selectors.term_choices(user)])
        self._set("station", lambda: [("", _("全部联络站")), *selectors.station_choices(user)])

    def _set(self, name: str, load: Callable[[], list[tuple[str, Any]]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = functools.cache(load)

    def value(self, name: str) -> Any:
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) or None

    def filters(self) -> MandateFilters:
        """The valid filters; a missing or invalid one is left out (status: serving)."""
        if not self.is_bound:
            return MandateFilters()

        def number(name: str) -> int | None:
            value = self.value(name)
            return int(value) if value else None

        return MandateFilters(
            q=self.value("q") or "",
            level=self.value("level"),
            region=self.value("region"),
            term=number("term"),
            group_name=self.value("group_name") or "",
            station=number("station"),
            category=self.value("category"),
            status=self.value("status") or MandateStatus.SERVING,
        )

    def query(self) -> dict[str, str]:
        """The valid filters as they were submitted, for the export form's hidden fields."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: str(self.data.get(name, ""))
            for name in self.fields
            if name not in self.errors and self.data.get(name)
        }


class StatusChangeForm(Form):
    to_status = forms.ChoiceField(
        label=_("变动为"),
        choices=[(v, label) for v, label in MandateStatus.choices if v != MandateStatus.SERVING],
        widget=FastSelect,
        error_messages={
            "required": _("请选择变动后的状态。"),
            "invalid_choice": _("请选择有效的状态。"),
        },
    )
    effective_on = forms.DateField(
        label=_("生效日期"), widget=DATE_INPUT, error_messages=DATE_ERRORS
    )
    reason = forms.CharField(
        label=_("原因"),
        max_length=200,
        error_messages={
            "required": _("请填写变动原因。"),
            "max_length": _("原因不能超过 %(limit_value)d 个字。"),
        },
    )


class ImportUploadForm(Form):
    file = forms.FileField(
        label=_("代表名册文件"),
        help_text=_("Excel 工作簿(.xlsx),按导入模板的列填写,不超过 20 MB。"),
        error_messages={
            "required": _("请选择要上传的文件。"),
            "empty": _("上传的文件是空的。"),
            "invalid": _("没有收到文件,请重新选择。"),
        },
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    create_missing = forms.BooleanField(
        label=_("新建尚未登记的代表团、代表小组和选区"),
        help_text=_(
            "不勾选时,文件中写了但尚未登记的代表团、代表小组和选区按错误报告(可避免错别字建出新小组)。"
        ),
        required=False,
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if name.endswith(".xls"):
            raise forms.ValidationError(
                _("这是旧版 Excel(.xls)文件。请在 Excel 中“另存为”Excel 工作簿(.xlsx)后再上传。")
            )
        if not name.endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 Excel 工作簿(.xlsx)文件。"))
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件超过 20 MB,请分成几个文件分批导入。"))
        return upload


class RecheckForm(Form):
    create_missing = forms.BooleanField(
        label=_("新建尚未登记的代表团、代表小组和选区"), required=False
    )


class ConfirmForm(Form):
    mode = forms.ChoiceField(
        choices=ImportMode.choices,
        error_messages={"required": _("请选择导入方式。"), "invalid_choice": _("请选择导入方式。")},
    )
