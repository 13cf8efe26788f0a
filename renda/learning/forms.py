"""Forms of the study-material pages. They check what a form can check (filled in, a valid
choice); the service checks the rest (jurisdiction, the attachment's content, the audience)
and its errors are shown beside the fields with what was typed kept."""

from __future__ import annotations

import functools
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renda.core.forms import Form
from renda.learning import attachments, selectors
from renda.learning.models import Audience
from renda.learning.services import BODY_MAX, TITLE_MAX
from renda.web.forms import FastSelect, SearchField


class PublishForm(Form):
    congress = forms.ChoiceField(
        label=_("发布人大"),
        widget=FastSelect,
        error_messages={
            "required": _("请选择以哪一级人大的名义发布。"),
            "invalid_choice": _("请选择您管辖范围内的人大。"),
        },
    )
    title = forms.CharField(
        label=_("标题"),
        max_length=TITLE_MAX,
        error_messages={
            "required": _("请填写标题。"),
            "max_length": _("标题不能超过 %(limit_value)d 个字。"),
        },
    )
    body = forms.CharField(
        label=_("正文"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={
            "required": _("请填写正文。"),
            "max_length": _("正文不能超过 %(limit_value)d 个字;更长的内容请作为附件上传。"),
        },
    )
    attachment = forms.FileField(
        label=_("附件(可不选)"),
        required=False,
        help_text=_("PDF、Word 文档或图片,不超过 20 MB。出错时须重新选择附件。"),
        widget=forms.ClearableFileInput(attrs={"accept": attachments.ACCEPT}),
        error_messages={
            "empty": _("上传的附件是空文件,请重新选择。"),
            "invalid": _("没有收到附件,请重新选择。"),
        },
    )
    audience = forms.ChoiceField(
        label=_("发送范围"),
        choices=Audience.choices,
        initial=Audience.CONGRESS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择发送范围。"),
            "invalid_choice": _("请选择发送范围。"),
        },
    )
    group = forms.ChoiceField(
        label=_("代表小组"),
        required=False,
        widget=FastSelect,
        help_text=_("仅在发送给一个代表小组时选择。"),
        error_messages={"invalid_choice": _("请选择您管辖范围内的代表小组。")},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        congress = self.fields["congress"]
        group = self.fields["group"]
        assert isinstance(congress, forms.ChoiceField)
        assert isinstance(group, forms.ChoiceField)
        congress.choices = functools.cache(
            lambda: [(str(c.pk), c.name) for c in selectors.congresses(user)]
        )
        group.choices = functools.cache(
            lambda: (
                [("", _("(不发送给代表小组)"))]
                + [(str(g.pk), f"{g.congress.name} · {g.name}") for g in selectors.groups(user)]
            )
        )


class ManageFilterForm(Form):
    q = SearchField(label=_("标题"))
