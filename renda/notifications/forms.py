"""The per-kind preference form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renda.core.forms import Form
from renda.notifications.kinds import Kind
from renda.notifications.selectors import Channels


class PreferenceForm(Form):
    in_app = forms.BooleanField(label=_("站内消息"), required=False)
    email = forms.BooleanField(label=_("电子邮件"), required=False)
    sms = forms.BooleanField(label=_("短信"), required=False)

    def __init__(self, *args: Any, kind: Kind, channels: Channels, **kwargs: Any) -> None:
        # The prefix keeps the field ids unique when every kind's form is on one page.
        kwargs.setdefault("prefix", kind.code)
        kwargs.setdefault(
            "initial", {"in_app": channels.in_app, "email": channels.email, "sms": channels.sms}
        )
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind.mandatory:
            self.fields["in_app"].disabled = True
            self.fields["in_app"].help_text = _("账号安全类消息始终在站内提醒,不能关闭。")
