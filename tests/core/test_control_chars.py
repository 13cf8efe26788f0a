"""One rule for control characters in every form (``renda.core.forms.Form`` with the rule of
``renda.core.validators``): this walks every form class of ``renda``, so a new form or a new
text field cannot forget it, and sends control characters to some pages."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from django import forms
from django.test import Client

import renda
from renda.core.forms import Form, line_rule, text_rule

CONTROLS = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ufffe"]


def _form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(renda.__path__, "renda."):
        skipped = (".migrations", "__main__")
        if any(part in module.name for part in skipped) or module.name.startswith(
            ("renda.bench", "renda.seed")
        ):
            continue
        importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    todo: list[type[Any]] = [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("renda.") and sub not in found:
                found.append(sub)
    return found


def test_the_walk_finds_the_forms() -> None:
    names = {cls.__name__ for cls in _form_classes()}
    assert {"LoginForm", "ReportForm", "SuggestionForm", "ReplyForm", "PublishForm"} <= names


def test_every_form_builds_on_the_kit_form() -> None:
    assert [c for c in _form_classes() if not issubclass(c, Form)] == []


def _no_argument_forms() -> list[type[forms.BaseForm]]:
    result = []
    for cls in _form_classes():
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
        needed = [
            p
            for p in params
            if p.default is inspect.Parameter.empty
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        if not needed:
            result.append(cls)
    return result


@pytest.mark.django_db
@pytest.mark.parametrize("char", CONTROLS, ids=repr)
def test_every_text_field_refuses_control_characters(char: str) -> None:
    checked = 0
    for cls in _no_argument_forms():
        probe = cls()
        texts = [n for n, f in probe.fields.items() if isinstance(f, forms.CharField)]
        form = cls(data=dict.fromkeys(texts, f"甲{char}乙"))
        form.is_valid()
        for name in texts:
            assert any("控制字符" in m for m in form.errors.get(name, [])), (cls, name)
            checked += 1
    assert checked >= 20


def test_single_line_fields_refuse_breaks_and_text_areas_keep_them() -> None:
    class Sample(Form):
        title = forms.CharField()
        body = forms.CharField(widget=forms.Textarea)
        json = forms.JSONField(required=False)

    form = Sample(data={"title": "甲\n乙", "body": "第一段\r\n\t第二段"})
    assert not form.is_valid()
    assert form.errors["title"] == ["此项只能填写一行，不能包含换行符或制表符。"]
    assert "body" not in form.errors
    guarded = {n: f.validators[-1] for n, f in form.fields.items()}
    assert guarded == {"title": line_rule, "body": text_rule, "json": text_rule}


def test_fields_added_after_init_are_covered() -> None:
    class Late(Form):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.fields["name"] = forms.CharField()

    form = Late(data={"name": "甲\x00"})
    assert not form.is_valid()
    assert form.errors["name"] == ["不能包含控制字符或无法识别的字符（U+0000）。"]


@pytest.mark.django_db
@pytest.mark.parametrize("char", ["\x00", "\x1b"], ids=repr)
def test_the_login_page_refuses_control_characters(client: Client, char: str) -> None:
    response = client.post("/accounts/login/", {"username": f"office{char}", "password": "x"})
    assert response.status_code == 200
    assert "不能包含控制字符" in response.content.decode()


@pytest.mark.django_db
def test_a_search_page_refuses_control_characters(client: Client) -> None:
    response = client.get("/portal/deputies/", {"q": "张\x1b"})
    assert response.status_code == 200
    assert "不能包含控制字符或无法识别的字符（U+001B）" in response.content.decode()
