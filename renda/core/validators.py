"""Validation of Chinese personal identifiers, with messages that say what to fix."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from renda.core.crypto import normalize

_PHONE = re.compile(r"^1[3-9][0-9]{9}$")
_ID = re.compile(r"^[0-9]{17}[0-9X]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def validate_mobile(value: str) -> str:
    phone = normalize(value)
    if phone.startswith("+86"):
        phone = phone[3:]
    if not _PHONE.match(phone):
        raise ValidationError(_("手机号码应为以 1 开头的 11 位数字,例如 13812341234。"))
    return phone


def id_number_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> str:
    number = normalize(value)
    if not _ID.match(number):
        raise ValidationError(_("身份证号码应为 18 位,最后一位可以是数字或 X。"))
    try:
        datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号码中的出生日期不存在,请核对第 7 至 14 位。")) from None
    if id_number_check_digit(number[:17]) != number[17]:
        raise ValidationError(_("身份证号码校验位不正确,请核对是否有输错的数字。"))
    return number


def validate_region_code(value: str) -> str:
    if not re.fullmatch(r"[0-9]{12}", value or ""):
        raise ValidationError(_("行政区划代码应为 12 位数字。"))
    return value


# Text that no field of ours stores ---------------------------------------------------------
#
# One rule for every text field of the API and of the forms: no C0 control characters (NUL
# breaks PostgreSQL text, the others are invisible and break exports), no DEL, no C1 controls,
# no lone surrogates (not encodable as UTF-8, so not storable either) and no noncharacters.
# Multi-line texts (contents, replies, comments) keep tab, line feed and carriage return;
# single-line texts (titles, names, keys, search words) refuse those too.
#
# The same sets written as JSON Schema (ECMA-262) patterns, so the API document says what
# the server refuses. Lone surrogates are left out of the patterns: a JSON Schema string is a
# sequence of Unicode scalar values, and validators built on Rust's regex (jsonschema-rs, which
# schemathesis uses) reject a pattern naming them; the server still refuses them.
_DOCUMENTED = (
    "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\ufdd0-\\ufdef\\ufffe\\uffff"
)
_BREAKS_CLASS = "\\u0009\\u000a\\u000d"
TEXT_PATTERN = f"^[^{_DOCUMENTED}]*$"
LINE_PATTERN = f"^[^{_BREAKS_CLASS}{_DOCUMENTED}]*$"
# The same, with at least one character that is not a space (a required text).
REQUIRED_TEXT_PATTERN = f"^[^{_DOCUMENTED}]*[^\\s{_DOCUMENTED}][^{_DOCUMENTED}]*$"
REQUIRED_LINE_PATTERN = (
    f"^[^{_BREAKS_CLASS}{_DOCUMENTED}]*[^\\s{_DOCUMENTED}][^{_BREAKS_CLASS}{_DOCUMENTED}]*$"
)
_REFUSED = _DOCUMENTED + "\\ud800-\\udfff"
_TEXT_BAD = re.compile(f"[{_REFUSED}]")
_LINE_BAD = re.compile(f"[{_BREAKS_CLASS}{_REFUSED}]")
_BREAKS = frozenset("\t\n\r")


def refused_character(value: str, *, multiline: bool) -> str | None:
    """The first character of ``value`` that a text field refuses, or None."""
    found = (_TEXT_BAD if multiline else _LINE_BAD).search(value)
    return found.group() if found else None


def control_message(char: str) -> str:
    """What to tell the person about a refused character (Chinese, names the code point)."""
    if char in _BREAKS:
        return _("此项只能填写一行，不能包含换行符或制表符。")
    return _("不能包含控制字符或无法识别的字符（U+%(code)04X）。") % {"code": ord(char)}


def validate_text(value: str) -> str:
    """A multi-line text: tab, line feed and carriage return are kept."""
    char = refused_character(value, multiline=True)
    if char is not None:
        raise ValidationError(control_message(char), code="control_characters")
    return value


def validate_line(value: str) -> str:
    """A single-line text (a title, a name, a key, a search word)."""
    char = refused_character(value, multiline=False)
    if char is not None:
        raise ValidationError(control_message(char), code="control_characters")
    return value
