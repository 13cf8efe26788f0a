"""Typed request and response bodies. Input types validate with Chinese messages (custom
pydantic error types prefixed ``renda_``) and document their constraints in the OpenAPI."""

from __future__ import annotations

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Schema
from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from renda.core.models import Organization, OrganizationKind, Region, RegionLevel, Role, RoleGrant
from renda.core.validators import (
    LINE_PATTERN,
    REQUIRED_LINE_PATTERN,
    REQUIRED_TEXT_PATTERN,
    TEXT_PATTERN,
    control_message,
    refused_character,
    validate_region_code,
)


def _region_code(value: str) -> str:
    try:
        return validate_region_code(value)
    except DjangoValidationError as exc:
        raise PydanticCustomError("renda_region_code", exc.messages[0]) from None


def _refusing(*, multiline: bool) -> AfterValidator:
    """The kit's one text rule (``renda.core.validators``) as a pydantic validator."""

    def check(value: str) -> str:
        char = refused_character(value, multiline=multiline)
        if char is not None:
            raise PydanticCustomError("renda_control_chars", control_message(char))
        return value

    return AfterValidator(check)


RegionCode = Annotated[
    str,
    AfterValidator(_region_code),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[0-9]{12}$",
            "minLength": 12,
            "maxLength": 12,
            "description": "12 位行政区划代码",
            "examples": ["430400000000"],
        }
    ),
]


# The text types of the API. Every text an input schema or a query parameter takes is one of
# these (tests/api/test_input_text.py walks the OpenAPI document to keep it so): the server
# refuses control characters, and the document says so with the pattern.
#
# Line: one line (titles, names, keys, search words): no control characters, no line breaks.
# Text: several lines (contents, replies, comments): tab, line feed and carriage return kept.
# RequiredLine / RequiredText: the services refuse an empty or blank value with a message of
# their own (and together with the other faults of the same request), so the document says
# minLength 1 and a pattern asking for a non-space character, and the services enforce it
# (tests/api/test_bad_input.py and the domains' API tests send blank values).
Line = Annotated[
    str, _refusing(multiline=False), Field(json_schema_extra={"pattern": LINE_PATTERN})
]
Text = Annotated[str, _refusing(multiline=True), Field(json_schema_extra={"pattern": TEXT_PATTERN})]
RequiredLine = Annotated[
    str,
    _refusing(multiline=False),
    Field(json_schema_extra={"pattern": REQUIRED_LINE_PATTERN, "minLength": 1}),
]
RequiredText = Annotated[
    str,
    _refusing(multiline=True),
    Field(json_schema_extra={"pattern": REQUIRED_TEXT_PATTERN, "minLength": 1}),
]

# Single-line texts: trimmed, bounded.
# Refused here: an empty login name would otherwise be a failed login (401).
Username = Annotated[
    RequiredLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=150)
]
TokenName = Annotated[Line, StringConstraints(strip_whitespace=True, max_length=60)]
SearchText = Annotated[Line, StringConstraints(strip_whitespace=True, max_length=50)]
# Bounded so a huge body cannot make Argon2 hash megabytes per request; not trimmed.
Password = Annotated[Line, StringConstraints(min_length=1, max_length=256)]
OtpCode = Annotated[str, StringConstraints(pattern="^[0-9]{6,8}$")]


# Auth --------------------------------------------------------------------------------------


class TokenIn(Schema):
    username: Username = Field(description="登录名")
    password: Password = Field(description="密码")
    otp: OtpCode | None = Field(
        default=None, description="两步验证码(系统管理员必填,验证器上的 6 位数字)"
    )
    name: TokenName = Field(default="", description="令牌名称,便于区分,如“手机App”")


class TokenOut(Schema):
    token: str = Field(description="令牌,仅显示这一次;以 Authorization: Bearer <令牌> 使用")
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_at: datetime.datetime
    prefix: str = Field(description="令牌前缀,用于辨认")


# Regions and organizations -----------------------------------------------------------------


class RegionRef(Schema):
    code: str
    name: str
    level: RegionLevel


class RegionOut(Schema):
    code: str
    name: str
    level: RegionLevel
    level_display: str
    parent_code: str | None
    has_children: bool = Field(description="是否有下级区划")

    @staticmethod
    def resolve_level_display(obj: Region) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_parent_code(obj: Region) -> str | None:
        return obj.parent_id

    @staticmethod
    def resolve_has_children(obj: Region) -> bool:
        # Annotated by the selectors; a plain Region answers with a query.
        flag = getattr(obj, "has_children", None)
        return bool(flag) if flag is not None else obj.children.exists()


class RegionFilters(Schema):
    parent: RegionCode | None = Field(
        default=None, description="上级区划代码;不填时返回可见范围内最高层级的区划"
    )


class OrganizationRef(Schema):
    id: int
    name: str


class OrganizationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: OrganizationKind
    kind_display: str
    region: RegionRef
    parent_id: int | None
    address: str
    phone: str = Field(description="办公电话")
    is_active: bool

    @staticmethod
    def resolve_kind_display(obj: Organization) -> str:
        return str(obj.get_kind_display())


class OrganizationFilters(Schema):
    kind: OrganizationKind | None = Field(default=None, description="机构类型")
    region: RegionCode | None = Field(default=None, description="只列出该区划(含下级)的机构")
    q: SearchText = Field(default="", description="按名称或简称搜索")


# The caller --------------------------------------------------------------------------------


class RoleOut(Schema):
    role: Role
    role_display: str
    region: RegionRef
    organization: OrganizationRef | None

    @staticmethod
    def resolve_role_display(obj: RoleGrant) -> str:
        return str(obj.get_role_display())


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[RoleOut]
    large_text: bool = Field(description="是否开启大字号高对比模式")
