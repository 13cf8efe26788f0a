from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from renda.core import services
from renda.core.errors import InvalidInput
from renda.core.models import Congress, Organization, OrganizationKind, Region, code_bounds
from renda.core.text import chinese_ordinal, pinyin_initials


def test_code_bounds_per_level() -> None:
    assert code_bounds("430421100000", "township") == ("430421100000", "430421100999")
    assert code_bounds("430421000000", "county") == ("430421000000", "430421999999")
    assert code_bounds("430000000000", "province") == ("430000000000", "439999999999")
    assert code_bounds("000000000000", "national") == ("000000000000", "999999999999")


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (10, "十"),
        (15, "十五"),
        (20, "二十"),
        (21, "二十一"),
        (100, "一百"),
        (105, "一百零五"),
        (115, "一百一十五"),
    ],
)
def test_chinese_ordinal(n: int, text: str) -> None:
    assert chinese_ordinal(n) == text


def test_pinyin_initials() -> None:
    assert pinyin_initials("张三丰") == "zsf"
    assert pinyin_initials("曾国藩") == "zgf"
    assert pinyin_initials("单雄信") == "sxx"
    assert pinyin_initials("曾", surname=False) == "c"


@pytest.mark.django_db
def test_region_must_nest_inside_parent() -> None:
    county = Region.objects.get(code="430421000000")
    with pytest.raises(InvalidInput) as exc:
        services.create_region(
            actor=None, code="430422101000", name="错位镇", level="township", parent=county
        )
    assert "不属于上级区划" in exc.value.field_errors["code"][0]
    with pytest.raises(InvalidInput) as exc:
        services.create_region(
            actor=None, code="43042110100", name="短码", level="township", parent=county
        )
    assert "12 位数字" in exc.value.field_errors["code"][0]


@pytest.mark.django_db
def test_subtree_query_is_one_range_scan() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    county = Region.objects.get(code="430421000000")
    with CaptureQueriesContext(connection) as ctx:
        list(
            Organization.objects.filter(county.subtree_q("region_id")).values_list("id", flat=True)
        )
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"]
    assert "JOIN" not in sql.upper()
    assert ">=" in sql
    assert "<=" in sql


@pytest.mark.django_db
def test_township_congress_has_presidium_not_standing_committee() -> None:
    township = Region.objects.filter(level="township").first()
    assert township is not None
    congress = Congress.objects.get(region=township)
    assert not congress.has_standing_committee
    with pytest.raises(InvalidInput) as exc:
        services.create_organization(
            actor=None,
            name="X 常委会",
            kind=OrganizationKind.STANDING_COMMITTEE,
            region=township,
            congress=congress,
        )
    assert "主席团" in exc.value.field_errors["kind"][0]


@pytest.mark.django_db
def test_term_label() -> None:
    term = Congress.objects.get(region_id="430400000000").terms.get()
    assert term.label == "第十六届"


def test_check_deploy_is_clean_in_production_mode(tmp_path: Any) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "RENDA_ENV": "production",
        "SECRET_KEY": "x" * 20 + "production-secret-key-for-the-deploy-check-0123456789",
        "FIELD_ENCRYPTION_KEY": "field-key-for-test",
        "BLIND_INDEX_KEY": "bidx-key-for-test",
        "ALLOWED_HOSTS": "renda.example.cn",
        "RENDA_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "renda", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_default_secret(tmp_path: Any) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "RENDA_ENV": "production",
        "SECRET_KEY": "",
        "RENDA_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "renda", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_term_label_in_english() -> None:
    from django.utils import translation

    term = Congress.objects.get(region_id="430400000000").terms.get()
    with translation.override("en"):
        assert term.label == "Term 16"


def test_error_summary_says_what_to_fix() -> None:
    from renda.core.errors import InvalidInput

    generic = InvalidInput(field_errors={"category": ["请选择分类。"], "title": ["请填写标题。"]})
    assert generic.summary == "请选择分类。 请填写标题。"
    specific = InvalidInput("未知的消息类型。", field_errors={"kind": ["消息类型不正确。"]})
    assert specific.summary == "未知的消息类型。"
