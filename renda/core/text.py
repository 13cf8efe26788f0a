"""Chinese text helpers shared by every app."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

_DIGITS = "零一二三四五六七八九"


def chinese_ordinal(number: int) -> str:
    """15 -> 十五, 21 -> 二十一, 100 -> 一百: how terms (届) and sessions (次) are numbered."""
    if number < 0:
        raise ValueError("number must not be negative")
    if number < 10:
        return _DIGITS[number]
    if number < 20:
        return "十" + (_DIGITS[number % 10] if number % 10 else "")
    if number < 100:
        tens, ones = divmod(number, 10)
        return _DIGITS[tens] + "十" + (_DIGITS[ones] if ones else "")
    hundreds, rest = divmod(number, 100)
    if rest == 0:
        return _DIGITS[hundreds] + "百"
    middle = "零" if rest < 10 else ""
    tail = chinese_ordinal(rest) if rest >= 20 or rest < 10 else "一" + chinese_ordinal(rest)
    return _DIGITS[hundreds] + "百" + middle + tail


# Surnames read differently from the character's everyday reading (曾 is Zeng, not ceng).
_SURNAME_INITIALS = {
    "曾": "z",
    "单": "s",
    "解": "x",
    "仇": "q",
    "朴": "p",
    "区": "o",
    "查": "z",
    "乐": "y",
    "覃": "q",
    "盖": "g",
    "缪": "m",
    "翟": "z",
    "种": "c",
    "繁": "p",
    "尉": "y",
    "秘": "b",
    "员": "y",
    "万俟": "mq",
    "尉迟": "yc",
}


def pinyin_initials(name: str, *, surname: bool = True) -> str:
    """张三丰 -> zsf, for searching names by initials on a phone keyboard. With ``surname``,
    the leading characters are read as a family name."""
    head = ""
    if surname:
        for length in (2, 1):
            if name[:length] in _SURNAME_INITIALS:
                head, name = _SURNAME_INITIALS[name[:length]], name[length:]
                break
    rest = "".join(s[0] for s in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore") if s)
    return (head + rest).lower()[:20]
