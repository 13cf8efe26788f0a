"""The main menu registry (renda.web.menu): entries registered by each app, the first visible
entry of a key shown, pages lit by the longest matching prefix, and each role's menu exactly what
the hand-written navigation (renda/web/navigation.py, deleted when the registry arrived) gave."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from renda.core.models import User
from renda.web import menu

PERSON = "/people/{person}/"

# What navigation.items_for gave each demo account, in order: (key, URL). "{person}" is the
# account's own person record.
EXPECTED: dict[str, list[tuple[str, str]]] = {
    "anonymous": [
        ("home", "/"),
        ("portal", "/portal/deputies/"),
        ("replies", "/portal/suggestions/"),
    ],
    "admin": [
        ("home", "/"),
        ("portal", "/portal/deputies/"),
        ("replies", "/portal/suggestions/"),
        ("workbench", "/workbench/"),
        ("organizations", "/organizations/"),
        ("deputies", "/deputies/"),
        ("duties", "/duties/"),
        ("activities", "/duties/activities/"),
        ("suggestions", "/suggestions/"),
        ("suggestion_stats", "/suggestions/dashboard/"),
        ("cases", "/cases/"),
        ("ledgers", "/ledgers/"),
        ("points", "/points/rules/"),
        ("learning", "/learning/manage/"),
        ("people", "/people/"),
        ("accounts", "/console/accounts/"),
        ("audit", "/audit/"),
        ("security", "/accounts/security/"),
    ],
    "office": [
        ("home", "/"),
        ("portal", "/portal/deputies/"),
        ("replies", "/portal/suggestions/"),
        ("workbench", "/workbench/"),
        ("organizations", "/organizations/"),
        ("deputies", "/deputies/"),
        ("duties", "/duties/"),
        ("activities", "/duties/activities/"),
        ("suggestions", "/suggestions/"),
        ("suggestion_stats", "/suggestions/dashboard/"),
        ("cases", "/cases/"),
        ("ledgers", "/ledgers/"),
        ("points", "/points/rules/"),
        ("learning", "/learning/manage/"),
        ("people", "/people/"),
        ("security", "/accounts/security/"),
    ],
    "county_office": [
        ("home", "/"),
        ("portal", "/portal/deputies/"),
        ("replies", "/portal/suggestions/"),
        ("workbench", "/workbench/"),
        ("organizations", "/organizations/"),
        ("deputies", "/deputies/"),
        ("duties", "/duties/"),
        ("activities", "/duties/activities/"),
        ("suggestions", "/suggestions/"),
        ("suggestion_stats", "/suggestions/dashboard/"),
        ("cases", "/cases/"),
        ("ledgers", "/ledgers/"),
        ("points", "/points/rules/"),
        ("learning", "/learning/manage/"),
        ("people", "/people/"),
        ("security", "/accounts/security/"),
    ],
    "township_office": [
        ("home", "/"),
        ("portal", "/portal/deputies/"),
        ("replies", "/portal/suggestions/"),
        ("workbench", "/workbench/"),
        ("organizations", "/organizations/"),
        ("deputies", "/deputies/"),
        ("duties", "/duties/"),
        ("activities", "/duties/activities/"),
        ("suggestions", "/suggestions/"),
        ("suggestion_stats", "/suggestions/dashboard/"),
        ("cases", "/cases/"),
        ("ledgers", "/ledgers/"),
        ("points", "/points/rules/"),
        ("learning", "/learning/manage/"),
        ("people", "/people/"),
        ("security", "/accounts/security/"),
    ],
    "deputy": [
        ("home", "/"),
        ("portal", "/portal/deputies/"),
        ("replies", "/portal/suggestions/"),
        ("workbench", "/workbench/"),
        ("organizations", "/organizations/"),
        ("duties", "/duties/"),
        ("activities", "/duties/activities/"),
        ("suggestions", "/suggestions/"),
        ("points", "/points/"),
        ("learning", "/learning/"),
        ("person", PERSON),
        ("security", "/accounts/security/"),
    ],
    "station": [
        ("home", "/"),
        ("portal", "/portal/deputies/"),
        ("replies", "/portal/suggestions/"),
        ("workbench", "/workbench/"),
        ("organizations", "/organizations/"),
        ("deputies", "/deputies/"),
        ("duties", "/duties/"),
        ("activities", "/duties/activities/"),
        ("suggestions", "/suggestions/"),
        ("people", "/people/"),
        ("security", "/accounts/security/"),
    ],
    "unit": [
        ("home", "/"),
        ("portal", "/portal/deputies/"),
        ("replies", "/portal/suggestions/"),
        ("workbench", "/workbench/"),
        ("organizations", "/organizations/"),
        ("suggestion_stats", "/suggestions/dashboard/"),
        ("cases", "/cases/"),
        ("person", PERSON),
        ("security", "/accounts/security/"),
    ],
    "unit_leader": [
        ("home", "/"),
        ("portal", "/portal/deputies/"),
        ("replies", "/portal/suggestions/"),
        ("workbench", "/workbench/"),
        ("organizations", "/organizations/"),
        ("suggestion_stats", "/suggestions/dashboard/"),
        ("cases", "/cases/"),
        ("person", PERSON),
        ("security", "/accounts/security/"),
    ],
    "leader": [
        ("home", "/"),
        ("portal", "/portal/deputies/"),
        ("replies", "/portal/suggestions/"),
        ("workbench", "/workbench/"),
        ("organizations", "/organizations/"),
        ("deputies", "/deputies/"),
        ("duties", "/duties/"),
        ("activities", "/duties/activities/"),
        ("suggestions", "/suggestions/"),
        ("suggestion_stats", "/suggestions/dashboard/"),
        ("cases", "/cases/"),
        ("ledgers", "/ledgers/"),
        ("points", "/points/rules/"),
        ("people", "/people/"),
        ("security", "/accounts/security/"),
    ],
    "supervision": [
        ("home", "/"),
        ("portal", "/portal/deputies/"),
        ("replies", "/portal/suggestions/"),
        ("workbench", "/workbench/"),
        ("organizations", "/organizations/"),
        ("suggestions", "/suggestions/"),
        ("suggestion_stats", "/suggestions/dashboard/"),
        ("cases", "/cases/"),
        ("person", PERSON),
        ("security", "/accounts/security/"),
    ],
    "citizen": [
        ("home", "/"),
        ("portal", "/portal/deputies/"),
        ("replies", "/portal/suggestions/"),
        ("workbench", "/workbench/"),
        ("person", PERSON),
        ("security", "/accounts/security/"),
    ],
}

# The labels the navigation showed; two keys had a second wording for some roles.
LABELS = {
    "home": "首页",
    "portal": "人大代表",
    "replies": "建议答复公开",
    "workbench": "工作台",
    "organizations": "机构名录",
    "deputies": "代表名册",
    "duties": "履职记录",
    "activities": "履职活动",
    "suggestions": "议案建议",
    "suggestion_stats": "办理统计",
    "cases": "交办事项",
    "ledgers": "统计台账",
    "points": "积分与评价",
    "learning": "学习资料",
    "people": "人员信息",
    "person": "我的资料",
    "accounts": "账号与角色",
    "audit": "审计日志",
    "security": "安全设置",
}
OTHER_LABELS = {
    ("unit", "cases"): "我的待办",
    ("unit_leader", "cases"): "我的待办",
    ("deputy", "points"): "我的积分",
}


def _account(username: str) -> Any:
    if username == "anonymous":
        return AnonymousUser()
    return User.objects.get(username=username)


@pytest.mark.django_db
@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_role_sees_the_menu_it_had(username: str) -> None:
    account = _account(username)
    person = getattr(account, "person_id", None)
    expected = [(key, url.format(person=person)) for key, url in EXPECTED[username]]
    items = menu.items_for(account)
    assert [(item.key, item.url) for item in items] == expected
    assert [item.label for item in items] == [
        OTHER_LABELS.get((username, key), LABELS[key]) for key, _url in expected
    ]
    assert not any(item.active for item in items)


# (namespace, URL name) of a page -> the key the navigation lit for it.
LIGHTS = [
    ("web", "home", "home"),
    ("web", "workbench", "workbench"),
    ("web", "organizations", "organizations"),
    ("web", "people", "people"),
    ("web", "person", "person"),
    ("web", "audit", "audit"),
    ("console", "accounts", "accounts"),
    ("console", "account", "accounts"),
    ("deputies", "list", "deputies"),
    ("deputies", "detail", "deputies"),
    ("duties", "records", "duties"),
    ("duties", "record", "duties"),
    ("duties", "activities", "activities"),
    ("duties", "activity", "activities"),
    ("suggestions", "list", "suggestions"),
    ("suggestions", "detail", "suggestions"),
    ("suggestions", "dashboard", "suggestion_stats"),
    ("suggestions", "dashboard_export", "suggestion_stats"),
    ("suggestions", "compilation", "suggestion_stats"),
    ("cases", "list", "cases"),
    ("cases", "detail", "cases"),
    ("ledgers", "ledger", "ledgers"),
    ("ledgers", "inactive", "ledgers"),
    ("points", "rules", "points"),
    ("points", "mine", "points"),
    ("learning", "list", "learning"),
    ("learning", "manage", "learning"),
    ("portal", "deputies", "portal"),
    ("portal", "deputy", "portal"),
    ("portal", "suggestions", "replies"),
    ("portal", "suggestion", "replies"),
    ("accounts", "security", "security"),
    ("accounts", "login", ""),
    ("notifications", "inbox", ""),
]


@pytest.mark.parametrize(("namespace", "url_name", "key"), LIGHTS)
def test_each_page_lights_the_entry_it_lit(namespace: str, url_name: str, key: str) -> None:
    assert menu.current_key(namespace, url_name) == key


@pytest.mark.django_db
def test_the_page_shown_is_marked_active(login: Callable[[str], Client]) -> None:
    html = login("office").get("/duties/activities/").content.decode()
    assert '<a href="/duties/activities/" aria-current="page">履职活动</a>' in html
    assert '<a href="/duties/">履职记录</a>' in html
    assert html.count('aria-current="page"') == 1
    items = menu.items_for(User.objects.get(username="office"), "activities")
    assert [item.key for item in items if item.active] == ["activities"]


# The registry's own rules, on entries of a made-up app -----------------------------------------


@pytest.fixture
def extra_entries() -> Iterator[Callable[[menu.Entry], None]]:
    added: list[tuple[str, int]] = []

    def add(entry: menu.Entry) -> None:
        menu.register(entry)
        added.append((entry.key, entry.order))

    yield add
    for key, order in added:
        menu.unregister(key, order)


def _keys(user: Any) -> list[str]:
    return [item.key for item in menu.items_for(user)]


@pytest.mark.django_db
def test_first_visible_entry_of_a_key_is_shown(
    extra_entries: Callable[[menu.Entry], None],
) -> None:
    office = User.objects.get(username="office")
    citizen = User.objects.get(username="citizen")
    extra_entries(
        menu.Entry("test_item", "甲", "web:audit", 1001, lambda user: user.username == "office")
    )
    extra_entries(menu.Entry("test_item", "乙", "web:home", 1002, menu.signed_in))
    extra_entries(menu.Entry("test_item", "丙", "web:workbench", 1003, menu.signed_in))
    shown = {
        user.username: [i for i in menu.items_for(user) if i.key == "test_item"]
        for user in (office, citizen)
    }
    assert [(i.label, i.url) for i in shown["office"]] == [("甲", "/audit/")]
    assert [(i.label, i.url) for i in shown["citizen"]] == [("乙", "/")]
    assert "test_item" not in _keys(AnonymousUser())
    # Order places the entry among the others; a hidden variant leaves no gap or duplicate.
    assert _keys(office)[-1] == "test_item"
    assert _keys(office).count("test_item") == 1


@pytest.mark.django_db
def test_entry_arguments_are_computed_for_the_user(
    extra_entries: Callable[[menu.Entry], None],
) -> None:
    extra_entries(
        menu.Entry(
            "test_own",
            "本人",
            "web:person",
            5,
            lambda user: bool(getattr(user, "person_id", None)),
            url_args=lambda user: [user.person_id],
        )
    )
    deputy = User.objects.get(username="deputy")
    items = menu.items_for(deputy)
    assert items[0].key == "test_own"
    assert items[0].url == f"/people/{deputy.person_id}/"
    assert "test_own" not in _keys(AnonymousUser())


def test_longest_matching_prefix_lights_the_entry(
    extra_entries: Callable[[menu.Entry], None],
) -> None:
    extra_entries(menu.Entry("test_all", "全部", "web:home", 1001, lights=[("testspace", "")]))
    extra_entries(
        menu.Entry("test_some", "部分", "web:home", 1002, lights=[("testspace", "report")])
    )
    extra_entries(
        menu.Entry("test_few", "少数", "web:home", 1003, lights=[("testspace", "report_year")])
    )
    assert menu.current_key("testspace", "index") == "test_all"
    assert menu.current_key("testspace", "report") == "test_some"
    assert menu.current_key("testspace", "reports") == "test_some"
    assert menu.current_key("testspace", "report_year") == "test_few"
    assert menu.current_key("testspace", "report_years") == "test_few"
    # A prefix lights only pages of its own namespace.
    assert menu.current_key("otherspace", "report") == ""
    assert menu.current_key("testspace", "repor") == "test_all"


def test_registering_again_replaces_and_unregister_removes(
    extra_entries: Callable[[menu.Entry], None],
) -> None:
    extra_entries(menu.Entry("test_once", "一", "web:home", 1001))
    extra_entries(menu.Entry("test_once", "二", "web:home", 1001))
    found = [e for e in menu.entries() if e.key == "test_once"]
    assert [e.label for e in found] == ["二"]
    menu.unregister("test_once", 1001)
    assert not [e for e in menu.entries() if e.key == "test_once"]
