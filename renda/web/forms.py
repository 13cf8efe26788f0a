"""Filter forms for the list pages. They validate what the user typed and give it back
unchanged when something is wrong, so the page can show a Chinese message beside the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from renda.core import selectors
from renda.core.forms import Form
from renda.core.models import AuditAction, OrganizationKind, RegionLevel

SEARCH_MAX = 50
_INDENT: dict[str, str] = {
    RegionLevel.COUNTY: "\u3000",
    RegionLevel.TOWNSHIP: "\u3000\u3000",
    RegionLevel.VILLAGE: "\u3000\u3000\u3000",
}


class FastSelect(forms.Select):
    """A select rendered in Python. Django's default renders a template per option, which
    for a city's two hundred-odd regions cost more than the rest of the page together."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(v) for v in self.format_value(value)}
        selected = mark_safe(" selected")

        def options(choices: Any) -> SafeString:
            return format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((str(v), selected if str(v) in chosen else "", label) for v, label in choices),
            )

        # A choice whose "label" is a list is an <optgroup> (Django's grouped choices).
        parts = [
            format_html('<optgroup label="{}">{}</optgroup>', group, options(items))
            if isinstance(items, list | tuple)
            else options([(group, items)])
            for group, items in self.choices
        ]
        return format_html(
            "<select{}>{}</select>",
            flatatt(final),
            format_html_join("", "{}", ((p,) for p in parts)),
        )


def region_choices(user: Any) -> list[tuple[str, str]]:
    """The regions inside the user's jurisdiction, indented by level, for a filter select.

    National and provincial rows are left out: local offices never filter by them.
    """
    rows = (
        selectors.regions(user)
        .exclude(level__in=[RegionLevel.NATIONAL, RegionLevel.PROVINCE, RegionLevel.VILLAGE])
        .values_list("code", "name", "level")
    )
    return [("", str(_("全部区划")))] + [
        (code, f"{_INDENT.get(level, '')}{name}") for code, name, level in rows
    ]


class SearchField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", SEARCH_MAX)
        kwargs.setdefault("strip", True)
        kwargs.setdefault("widget", forms.SearchInput)
        kwargs.setdefault(
            "error_messages",
            {"max_length": _("搜索内容不能超过 %(limit_value)d 个字。")},
        )
        super().__init__(**kwargs)


class _RegionFilterForm(Form):
    region = forms.ChoiceField(
        label=_("区划"),
        required=False,
        widget=FastSelect,
        error_messages={"invalid_choice": _("请选择您管辖范围内的区划。")},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.ChoiceField)
        region_field.choices = region_choices(user)

    def value(self, name: str) -> Any:
        """A cleaned value, or empty when the field is missing or invalid."""
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) or None


class OrganizationFilterForm(_RegionFilterForm):
    q = SearchField(label=_("名称"))
    kind = forms.ChoiceField(
        label=_("类型"),
        required=False,
        widget=FastSelect,
        choices=[("", _("全部类型")), *OrganizationKind.choices],
        error_messages={"invalid_choice": _("请选择有效的机构类型。")},
    )
    field_order = ["q", "kind", "region"]


class PersonFilterForm(_RegionFilterForm):
    q = SearchField(
        label=_("姓名、拼音首字母或手机号码"),
        help_text=_("手机号码和身份证号码须完整输入。"),
    )
    field_order = ["q", "region"]


def _object_type_label(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


class AuditFilterForm(Form):
    action = forms.ChoiceField(
        label=_("操作"),
        required=False,
        widget=FastSelect,
        choices=[("", _("全部操作")), *AuditAction.choices],
        error_messages={"invalid_choice": _("请选择有效的操作类型。")},
    )
    actor = SearchField(label=_("操作人"))
    object_type = forms.ChoiceField(
        label=_("对象类型"),
        required=False,
        widget=FastSelect,
        error_messages={"invalid_choice": _("请选择有效的对象类型。")},
    )
    since = forms.DateField(
        label=_("开始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("请输入有效的日期,例如 2026-01-31。")},
    )
    until = forms.DateField(
        label=_("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("请输入有效的日期,例如 2026-01-31。")},
    )

    def __init__(self, *args: Any, object_types: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        type_field = self.fields["object_type"]
        assert isinstance(type_field, forms.ChoiceField)
        type_field.choices = [
            ("", _("全部对象")),
            *sorted(((t, _object_type_label(t)) for t in object_types), key=lambda c: c[1]),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("结束日期不能早于开始日期。"))
        return data

    def filters(self) -> dict[str, Any]:
        """The valid filters, for the selector; invalid fields are left out."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        return {
            "action": data.get("action") or None,
            "actor": data.get("actor") or "",
            "object_type": data.get("object_type") or "",
            "since": data.get("since"),
            "until": data.get("until") if "until" not in self.errors else None,
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one file input (a phone's camera or gallery); the services check
    what the files really are."""

    def __init__(self, *args: Any, accept: str, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        # super() with arguments: inside a comprehension the zero-argument form has no self.
        return [super(MultipleFileField, self).clean(f, initial) for f in files]
