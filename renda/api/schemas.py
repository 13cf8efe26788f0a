"""Typed request and response bodies. Input types validate with Chinese messages (custom
pydantic error types prefixed ``renda_``) and document their constraints in the OpenAPI."""

from __future__ import annotations

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from renda.core.models import Organization, OrganizationKind, Region, RegionLevel, Role, RoleGrant
from renda.core.validators import validate_region_code

# Characters no form field of ours accepts: C0 controls (NUL breaks PostgreSQL text) and DEL.
_CONTROL_PATTERN = "^[^\\u0000-\\u001f\\u007f]*$"


def _region_code(value: str) -> str:
    try:
        return validate_region_code(value)
    except DjangoValidationError as exc:
        raise PydanticCustomError("renda_region_code", exc.messages[0]) from None


def _encodable(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("renda_encoding", _("含有无法识别的字符。")) from None
    return value


def _plain_text(value: str) -> str:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise PydanticCustomError("renda_control_chars", _("不能包含控制字符。"))
    return _encodable(value)


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


_PLAIN = Field(json_schema_extra={"pattern": _CONTROL_PATTERN})
# Single-line texts: trimmed, bounded, no control characters.
Username = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=150),
    AfterValidator(_plain_text),
    _PLAIN,
]
TokenName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=60),
    AfterValidator(_plain_text),
    _PLAIN,
]
SearchText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=50),
    AfterValidator(_plain_text),
    _PLAIN,
]
# Bounded so a huge body cannot make Argon2 hash megabytes per request.
Password = Annotated[
    str, StringConstraints(min_length=1, max_length=256), AfterValidator(_encodable)
]
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
