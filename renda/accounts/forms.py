"""Sign-in forms. Validation of the password rules themselves lives in the service."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from renda.core.forms import Form

_TOKEN = re.compile(r"^\d{6}$")


class AccessibleForm(Form):
    """Points each invalid control at its error list, so screen readers announce the error
    when the control gets focus (Django itself only links the help text)."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            ids = [f"{bound.auto_id}_errors"]
            if self.fields[name].help_text:
                ids.append(f"{bound.auto_id}_helptext")
            self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)


class LoginForm(AccessibleForm):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        error_messages={
            "required": _("请输入用户名。"),
            "max_length": _("用户名不能超过 %(limit_value)d 个字符。"),
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        max_length=4096,
        error_messages={
            "required": _("请输入密码。"),
            "max_length": _("密码过长。"),
        },
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(AccessibleForm):
    token = forms.CharField(
        label=_("6 位动态验证码"),
        max_length=12,
        error_messages={
            "required": _("请输入验证器上显示的 6 位数字。"),
            "max_length": _("验证码是 6 位数字。"),
        },
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "class": "otp-input",
                "autofocus": True,
            }
        ),
    )

    def clean_token(self) -> str:
        # Authenticator apps show the code as "123 456"; accept it as typed.
        token = re.sub(r"\s+", "", self.cleaned_data["token"])
        if not _TOKEN.match(token):
            raise forms.ValidationError(_("验证码是 6 位数字。"), code="invalid")
        return token


class PasswordChangeForm(AccessibleForm):
    old_password = forms.CharField(
        label=_("原密码"),
        strip=False,
        max_length=4096,
        error_messages={"required": _("请输入原密码。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        max_length=4096,
        error_messages={"required": _("请输入新密码。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        max_length=4096,
        error_messages={"required": _("请再次输入新密码。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "new_password1"
        ].help_text = password_validation.password_validators_help_text_html()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return cleaned


class ConfirmPasswordForm(AccessibleForm):
    password = forms.CharField(
        label=_("登录密码"),
        strip=False,
        max_length=4096,
        error_messages={"required": _("请输入登录密码以确认。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
