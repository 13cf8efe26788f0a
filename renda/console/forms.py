from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renda.core.forms import Form
from renda.core.models import Organization, Region, Role


class AccountFilterForm(Form):
    q = forms.CharField(label=_("登录名或姓名"), required=False, max_length=50)
    role = forms.ChoiceField(
        label=_("角色"), required=False, choices=[("", _("全部角色")), *Role.choices]
    )


class NewAccountForm(Form):
    """A new account for a new person: the administrator registers both in one step."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    username = forms.CharField(
        label=_("登录名"), max_length=150, help_text=_("字母、数字或 @.+-_,例如 zhangsan。")
    )
    region = forms.ModelChoiceField(
        label=_("所属区划"), queryset=Region.objects.none(), empty_label=_("请选择")
    )
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    id_number = forms.CharField(label=_("身份证号码"), max_length=20, required=False)
    employer = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    post = forms.CharField(label=_("职务"), max_length=100, required=False)

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]


class GrantForm(Form):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    region = forms.ModelChoiceField(
        label=_("管辖区划"), queryset=Region.objects.none(), empty_label=_("请选择")
    )
    organization = forms.ModelChoiceField(
        label=_("所属机构"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("不指定"),
        help_text=_("联络站管理员和承办单位工作人员必须指定机构。"),
    )

    def __init__(self, *args: Any, regions: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
