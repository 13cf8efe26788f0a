"""The public home page, the page frame, the error pages and the front-end asset wiring."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client

from tests.web.conftest import inline_violations

ROOT = Path(__file__).resolve().parents[2]


def _build_assets() -> Any:
    spec = importlib.util.spec_from_file_location(
        "build_assets", ROOT / "scripts" / "build_assets.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_home_is_chinese_and_offers_the_citizen_entry_points(client: Client) -> None:
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in html
    for text in ("智慧人大", "找代表", "反映意见", "人大要闻", "登录", "大字模式", "跳到主要内容"):
        assert text in html, text
    assert 'href="/accounts/login/"' in html
    # Nothing personal on the public page.
    assert "退出登录" not in html


@pytest.mark.django_db
def test_home_links_to_the_workbench_once_signed_in(login: Any) -> None:
    html = login("citizen").get("/").content.decode()
    assert 'href="/workbench/"' in html
    assert "退出登录" in html
    assert 'action="/accounts/logout/"' in html


@pytest.mark.django_db
def test_frame_has_the_htmx_config_csrf_meta_and_local_assets(login: Any) -> None:
    html = login("office").get("/workbench/").content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert config is not None
    assert json.loads(config.group(1))["includeIndicatorStyles"] is False
    assert re.search(r'<meta name="csrf-token" content="[^"]{20,}">', html)
    assert 'src="/static/vendor/htmx.org/htmx.min.js"' in html
    assert 'src="/static/vendor/echarts/echarts.min.js"' in html
    assert 'src="/static/js/renda.js"' in html
    # Every script comes from our own origin: no CDN.
    assert not re.search(r'<script[^>]+src="(https?:)?//', html)
    assert 'action="/i18n/setlang/"' in html


@pytest.mark.django_db
def test_security_headers_on_pages(client: Client) -> None:
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"


PAGES = [
    ("", "/"),
    ("office", "/workbench/"),
    ("admin", "/workbench/"),
    ("deputy", "/workbench/"),
    ("station", "/workbench/"),
    ("unit", "/workbench/"),
    ("citizen", "/workbench/"),
    ("office", "/organizations/"),
    ("county_office", "/people/"),
    ("admin", "/audit/"),
    ("county_office", "/people/0/"),
    ("citizen", "/audit/"),
    ("", "/no-such-page/"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "path"), PAGES)
def test_no_inline_script_or_style_in_rendered_pages(
    client: Client, login: Any, username: str, path: str
) -> None:
    browser = login(username) if username else client
    response = browser.get(path)
    assert response.status_code in (200, 403, 404)
    assert "Content-Security-Policy" in response.headers
    assert inline_violations(response.content.decode()) == []


@pytest.mark.django_db
def test_unknown_page_is_a_chinese_404(client: Client) -> None:
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html
    assert "返回首页" in html


@pytest.mark.django_db
def test_forbidden_page_is_a_chinese_403(login: Any) -> None:
    response = login("citizen").get("/audit/")
    assert response.status_code == 403
    assert "没有访问权限" in response.content.decode()


def test_server_error_page_renders_without_any_context() -> None:
    # Django renders 500.html with an empty context when something has already gone wrong.
    html = render_to_string("500.html")
    assert "服务暂时不可用" in html
    assert inline_violations(html) == []


def test_package_json_pins_the_front_end_packages_the_build_script_copies() -> None:
    package = json.loads((ROOT / "package.json").read_text())
    deps = package["dependencies"]
    assert re.match(r"[~^]?2\.", deps["htmx.org"])
    assert re.match(r"[~^]?[56]\.", deps["echarts"])
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/htmx.org"]["version"].startswith("2.")
    build_assets = _build_assets()
    copied = {pkg for pkg, _src, _dest in build_assets.FILES}
    assert copied == set(deps)
    names = {dest for _pkg, _src, dest in build_assets.FILES}
    assert {"htmx.min.js", "echarts.min.js"} <= names


@pytest.mark.django_db
def test_language_switch_to_english_and_back(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    assert "Find a deputy" in html
    assert "Skip to main content" in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "找代表" in client.get("/").content.decode()


@pytest.mark.django_db
def test_chinese_browsers_get_chinese(client: Client) -> None:
    html = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).content.decode()
    assert '<html lang="zh-hans"' in html


@pytest.mark.django_db
def test_page_titles_name_the_page_then_the_platform(client: Client, login: Any) -> None:
    assert "<title>智慧人大 · 人民代表大会综合服务平台</title>" in client.get("/").content.decode()
    assert "<title>工作台 · 智慧人大</title>" in login("office").get("/workbench/").content.decode()


def test_fast_select_renders_like_a_select() -> None:
    from django import forms

    from renda.web.forms import FastSelect

    class Form(forms.Form):
        region = forms.ChoiceField(
            label="区划",
            required=False,
            widget=FastSelect,
            choices=[("", "全部"), ("430421000000", "衡阳县<&>")],
        )

    html = str(Form({"region": "430421000000"})["region"])
    assert html.startswith('<select id="id_region" name="region">')
    assert '<option value="430421000000" selected>衡阳县&lt;&amp;&gt;</option>' in html
    assert '<option value="">全部</option>' in html
    invalid = str(Form({"region": "bad"})["region"])
    assert 'aria-invalid="true"' in invalid


@pytest.mark.django_db
def test_english_browsers_still_get_chinese_until_they_switch(client: Client) -> None:
    headers = {"Accept-Language": "en-US,en;q=0.9"}
    html = client.get("/", headers=headers).content.decode()
    assert '<html lang="zh-hans"' in html
    assert "找代表" in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Find a deputy" in client.get("/", headers=headers).content.decode()
    # A language cookie naming no supported language falls back to Chinese.
    client.cookies["django_language"] = "xx"
    assert '<html lang="zh-hans"' in client.get("/").content.decode()


def test_template_comments_close_on_their_line() -> None:
    """Django's {# #} comments are one line only: a comment broken over lines is printed on
    the page for every user to see."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "renda"
    broken = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.html")
        if "static" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "{#" in line and "#}" not in line[line.index("{#") :]
    ]
    assert broken == []


def test_fast_select_renders_option_groups() -> None:
    from renda.web.forms import FastSelect

    widget = FastSelect(choices=[("", "请选择"), ("衡阳市", [("1", "城乡建设"), ("2", "教育")])])
    html = widget.render("category", "2")
    assert '<option value="" >' not in html
    assert '<optgroup label="衡阳市"><option value="1">城乡建设</option>' in html
    assert '<option value="2" selected>教育</option></optgroup>' in html
