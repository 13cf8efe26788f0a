"""The registry of notification kinds.

A kind is a category code with a Chinese label and the channels a user gets by default. Later
apps register their own kinds at import time (in their AppConfig.ready or a module they import),
e.g. ``register("suggestion_assigned", _("建议交办"), sms=True)``; nothing about kinds lives in
the database except each user's choices in ``Preference``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from renda.core.errors import InvalidInput


@dataclass(frozen=True)
class Kind:
    code: str
    label: Any  # a lazy translation
    description: Any = ""
    in_app: bool = True
    email: bool = False
    # Urgent kinds default to SMS on: many township deputies read text messages, not web pages.
    sms: bool = False
    # Mandatory kinds (account security) always reach the inbox whatever the user chose.
    mandatory: bool = False


_REGISTRY: dict[str, Kind] = {}

CODE_MAX_LENGTH = 32


def register(
    code: str,
    label: Any,
    *,
    description: Any = "",
    in_app: bool = True,
    email: bool = False,
    sms: bool = False,
    mandatory: bool = False,
) -> Kind:
    """Add a kind (idempotent for the same definition, so module reloads are harmless)."""
    if not code or len(code) > CODE_MAX_LENGTH or not code.replace("_", "").isalnum():
        raise ValueError(f"invalid notification kind code {code!r}")
    kind = Kind(
        code=code,
        label=label,
        description=description,
        in_app=in_app or mandatory,
        email=email,
        sms=sms,
        mandatory=mandatory,
    )
    existing = _REGISTRY.get(code)
    if existing is not None and existing != kind:
        raise ValueError(f"notification kind {code!r} is already registered differently")
    _REGISTRY[code] = kind
    return kind


def get(code: str) -> Kind:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise InvalidInput(
            _("未知的消息类型“%(kind)s”。"),
            field_errors={"kind": [str(_("消息类型不正确。"))]},
            kind=code,
        ) from None


def label_for(code: str) -> Any:
    """The kind's label, or the bare code for a kind whose app was removed."""
    kind = _REGISTRY.get(code)
    return kind.label if kind is not None else code


def all_kinds() -> list[Kind]:
    return list(_REGISTRY.values())


SYSTEM = register("system", _("系统消息"), description=_("平台公告、功能变更等一般通知。"))
SECURITY = register(
    "security",
    _("账号安全"),
    description=_("密码修改、异常登录、权限变更等安全提醒。"),
    email=True,
    sms=True,
    mandatory=True,
)
REMINDER = register(
    "reminder",
    _("活动提醒"),
    description=_("即将开始的会议、视察、接待选民等活动提醒。"),
    sms=True,
)
OVERDUE = register(
    "overdue",
    _("逾期督办"),
    description=_("办理期限将到或已经逾期的事项。"),
    sms=True,
)
