"""The deputies' spreadsheet layout that congress offices keep, shared by the import, the
template and the export, and the helpers that read its cells.

The column names are a file format, not interface text: a file must read the same whatever
language the person uploading it has chosen, so they stay Chinese and are not translated.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from renda.core.validators import id_number_check_digit
from renda.deputies.models import DeputyCategory

SHEET_TITLE = "代表名册"
NOTES_TITLE = "填写说明"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as written in the template's header row
    required: bool = False
    aliases: tuple[str, ...] = ()
    text: bool = False  # kept as text in the template (long digit strings)
    date: bool = False
    width: int = 14


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", required=True, width=10),
    Column("gender", "性别", required=True, width=6),
    Column("ethnicity", "民族", width=8),
    Column("birth_date", "出生日期", aliases=("出生年月",), date=True, width=12),
    Column(
        "id_number",
        "身份证号码",
        required=True,
        aliases=("身份证号", "公民身份号码"),
        text=True,
        width=21,
    ),
    Column("phone", "手机号码", aliases=("手机号", "手机", "联系电话"), text=True, width=14),
    Column("party", "政治面貌", width=10),
    Column("education", "学历", aliases=("文化程度",), width=10),
    Column("employer", "工作单位", width=24),
    Column("post", "职务", width=12),
    Column("congress", "人大", required=True, aliases=("所属人大",), width=22),
    Column("term", "届次", required=True, width=9),
    Column("delegation", "代表团", width=14),
    Column("group", "代表小组", width=14),
    Column("constituency", "选区", width=14),
    Column("stations", "联络站", aliases=("进站联络站",), width=24),
    Column("category", "代表构成", aliases=("代表类别",), width=14),
    Column("full_time", "专职(是/否)", aliases=("专职", "是否专职"), width=11),
    Column("elected_on", "当选日期", date=True, width=12),
)
BY_KEY = {c.key: c for c in COLUMNS}
# Columns offices often add that carry nothing to import.
IGNORED_HEADERS = frozenset({"序号", "编号", "备注"})
EXAMPLE_MARK = "(示例)"

_HINT = re.compile(r"[(（][^)）]*[)）]$")
_SPACES = re.compile(r"[\s\u3000\u200b\ufeff]+")


def normalize_header(value: Any) -> str:
    """ "专职（是/否）*" -> "专职": spaces, required-marks and a trailing hint dropped."""
    text = _SPACES.sub("", str(value or "")).replace("*", "").replace("＊", "")
    return _HINT.sub("", text)


HEADER_KEYS: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.header, *_column.aliases):
        HEADER_KEYS[normalize_header(_name)] = _column.key


def text(value: Any) -> str:
    """A cell as trimmed text; whole numbers without a trailing ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _SPACES.sub(" ", str(value)).strip()


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")


class BadDate(ValueError):
    pass


def date_value(value: Any, *, month_ok: bool = False) -> tuple[datetime.date | None, bool]:
    """A cell as a date: (date, month_only). Empty gives (None, False); anything that is not
    a real date raises BadDate. With ``month_ok``, "1980.05" means May 1980 (how birth dates
    are often written in these lists) and comes back as the first of the month."""
    if value is None or value == "":
        return None, False
    if isinstance(value, datetime.datetime):
        return value.date(), False
    if isinstance(value, datetime.date):
        return value, False
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel serial numbers up to 9999-12-31
            return from_excel(value).date(), False
        raise BadDate(str(value))
    raw = text(value)
    match = _DATE_TEXT.match(raw) or _DATE_DIGITS.match(raw)
    if match:
        year, month, day = (int(g) for g in match.groups())
        try:
            return datetime.date(year, month, day), False
        except ValueError:
            raise BadDate(raw) from None
    match = _MONTH_TEXT.match(raw) if month_ok else None
    if match:
        year, month = (int(g) for g in match.groups())
        try:
            return datetime.date(year, month, 1), True
        except ValueError:
            raise BadDate(raw) from None
    raise BadDate(raw)


_NUMERALS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def chinese_number(value: str) -> int | None:
    """十九 -> 19, 二十一 -> 21, 一百零二 -> 102; None for anything else."""
    if not value or any(ch not in _NUMERALS and ch not in "十百" for ch in value):
        return None
    total, digit = 0, None
    for ch in value:
        if ch in _NUMERALS:
            if digit is not None:
                return None  # two digits in a row, as in 一九
            digit = _NUMERALS[ch]
        else:
            unit = 10 if ch == "十" else 100
            total += (1 if digit is None else digit) * unit
            digit = None
    return total + (digit or 0)


_TERM = re.compile(r"^第?\s*([0-9]+|[零〇一二两三四五六七八九十百]+)\s*届?$")


def term_number(value: Any) -> int | None:
    """ "第十九届", "十九", "19", 19 -> 19; None when it is not a term number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() and value >= 1 else None
    match = _TERM.match(text(value))
    if not match:
        return None
    raw = match.group(1)
    number = int(raw) if raw.isdigit() else chinese_number(raw)
    return number if number and number >= 1 else None


_YES = frozenset({"是", "专职", "y", "yes", "true", "1", "√"})
_NO = frozenset({"否", "兼职", "n", "no", "false", "0", "×", ""})


def yes_no(value: Any) -> bool | None:
    raw = text(value).lower()
    if raw in _YES:
        return True
    if raw in _NO:
        return False
    return None


STATION_SEPARATORS = re.compile(r"[、,，;；/\n]+")


def station_names(value: Any) -> list[str]:
    names = [n.strip() for n in STATION_SEPARATORS.split(text(value))]
    return list(dict.fromkeys(n for n in names if n))


# The file format is Chinese whatever the interface language.
FILE_LANGUAGE = "zh-hans"


def category_labels() -> dict[str, str]:
    """Category label (and value) -> value, for reading the 代表构成 column."""
    with translation.override(FILE_LANGUAGE):
        labels = {str(c.label): str(c.value) for c in DeputyCategory}
    labels.update({str(c.value): str(c.value) for c in DeputyCategory})
    return labels


def chinese(label: Any) -> str:
    """A model choice label as the file writes it."""
    with translation.override(FILE_LANGUAGE):
        return str(label)


# Writing ------------------------------------------------------------------------------------


def _style_header(sheet: Any) -> None:
    fill = PatternFill("solid", fgColor="F3E3E3")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"


def _format_columns(sheet: Any, last_row: int) -> None:
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        if column.text:
            # Text, so Excel does not turn an 18-digit ID number into 4.30421E+17.
            for row in range(2, last_row + 1):
                sheet[f"{letter}{row}"].number_format = "@"
        elif column.date:
            for row in range(2, last_row + 1):
                sheet[f"{letter}{row}"].number_format = "yyyy-mm-dd"


def _choice_list(sheet: Any, key: str, choices: Sequence[str], last_row: int) -> None:
    index = [c.key for c in COLUMNS].index(key) + 1
    letter = get_column_letter(index)
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showErrorMessage=False,
    )
    validation.add(f"{letter}2:{letter}{last_row}")
    sheet.add_data_validation(validation)


def example_id_number() -> str:
    # A made-up number with a correct check digit: 衡阳县, born 1985-06-15.
    first17 = "43042119850615123"
    return first17 + id_number_check_digit(first17)


@dataclass(frozen=True)
class Example:
    congress: str
    term: str
    station: str = ""
    elected_on: datetime.date | None = None


def template_workbook(example: Example) -> bytes:
    """The empty layout with one example row and a sheet of notes."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    sheet.append([c.header for c in COLUMNS])
    values: dict[str, Any] = {
        "name": "张三" + EXAMPLE_MARK,
        "gender": "男",
        "ethnicity": "汉族",
        "birth_date": datetime.date(1985, 6, 15),
        "id_number": example_id_number(),
        "phone": "13800000000",
        "party": "中共党员",
        "education": "大学本科",
        "employer": "某某中心学校",
        "post": "教师",
        "congress": example.congress,
        "term": example.term,
        "delegation": "",
        "group": "第一代表小组",
        "constituency": "第一选区",
        "stations": example.station,
        "category": chinese(DeputyCategory.PROFESSIONAL.label),
        "full_time": "否",
        "elected_on": example.elected_on,
    }
    sheet.append([values[c.key] for c in COLUMNS])
    last_row = 1000
    _style_header(sheet)
    _format_columns(sheet, last_row)
    _choice_list(sheet, "gender", ["男", "女"], last_row)
    _choice_list(sheet, "full_time", ["是", "否"], last_row)
    _choice_list(sheet, "category", [chinese(c.label) for c in DeputyCategory], last_row)

    notes = workbook.create_sheet(NOTES_TITLE)
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 90
    notes.append([_("列"), _("填写要求")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for header, rule in _notes():
        notes.append([header, rule])
    for row in notes.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    notes.append([])
    for line in _general_notes():
        notes.append(["", line])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _notes() -> list[tuple[str, str]]:
    categories = "、".join(chinese(c.label) for c in DeputyCategory)
    return [
        ("姓名", _("必填,不超过 50 个字。")),
        ("性别", _("必填,填“男”或“女”,须与身份证号码一致。")),
        ("民族", _("如“汉族”“瑶族”。")),
        (
            "出生日期",
            _("可不填(按身份证号码计算);填写时须与身份证号码一致,如 1985-06-15 或 1985.06。"),
        ),
        (
            "身份证号码",
            _(
                "必填,18 位,最后一位可为 X。请将该列设为“文本”格式,否则 Excel 会改掉后几位数字。已登记的人员按身份证号码识别,并用本表中填写了的内容更新其信息;留空的内容保持不变。"
            ),
        ),
        ("手机号码", _("11 位手机号码。")),
        ("政治面貌", _("如“中共党员”“群众”“无党派人士”。")),
        ("学历", _("如“大学本科”“研究生”。")),
        ("工作单位", _("不超过 100 个字。")),
        ("职务", _("不超过 100 个字。")),
        (
            "人大",
            _(
                "必填,填人大全称(如“衡阳县人民代表大会”)或其 12 位行政区划代码;只能导入您管辖范围内的人大。"
            ),
        ),
        ("届次", _("必填,如“第十九届”或 19。")),
        (
            "代表团",
            _(
                "可不填。须为该人大已登记的代表团;上传时勾选“新建尚未登记的代表团、代表小组和选区”则自动新建。"
            ),
        ),
        ("代表小组", _("可不填。规则同代表团。")),
        ("选区", _("可不填。规则同代表团。")),
        (
            "联络站",
            _("可不填。填联络站全称,多个用顿号“、”分隔;须为该人大行政区域内已登记的联络站。"),
        ),
        ("代表构成", _("可不填(视为“其他”),可选:%(choices)s。") % {"choices": categories}),
        ("专职(是/否)", _("填“是”或“否”,不填视为“否”。")),
        ("当选日期", _("可不填(视为本届开始日期);须在本届任期之内,如 2021-10-01。")),
    ]


def _general_notes() -> list[str]:
    return [
        _("第一行为列名,请勿修改;从第二行起每行一名代表。同一人在不同人大任代表时分行填写。"),
        _("“代表名册”表中的示例行(姓名带“(示例)”)导入前请删除。"),
        _("上传后系统先逐行校验,全部无误才会导入;也可选择“只导入无误的行”。"),
    ]


def headers() -> list[str]:
    return [c.header for c in COLUMNS]
