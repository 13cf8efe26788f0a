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
