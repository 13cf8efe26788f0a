"""Reading and checking an uploaded deputies' spreadsheet. Nothing here writes: ``check``
turns a file into a ``Plan`` (every row parsed and resolved, every problem found), and the
services write a plan's rows once the user confirms.

Every row is checked before anything is written, with a fixed handful of queries whatever
the file's size: the congresses, terms, groups and stations named in the file are loaded
once, and existing people and mandates are matched by ID number in chunks.
"""

from __future__ import annotations

import datetime
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from renda.core import crypto, policies
from renda.core.models import (
    Congress,
    Organization,
    OrganizationKind,
    Person,
    Term,
    User,
    code_bounds,
)
from renda.core.policies import Action
from renda.core.validators import validate_id_number, validate_mobile
from renda.deputies import spreadsheet
from renda.deputies.models import (
    Constituency,
    Delegation,
    DeputyCategory,
    DeputyGroup,
    Mandate,
)
from renda.deputies.policies import mandates as mandate_policy
from renda.deputies.spreadsheet import BY_KEY, COLUMNS, BadDate

MAX_ROWS = 50_000
# Enough to show what is wrong with any file; a file wrong in every cell stores no more.
MAX_STORED_PROBLEMS = 5_000
# IN lists stay under SQLite's and PostgreSQL's parameter limits.
CHUNK = 900
HEADER_SEARCH_ROWS = 10
PROGRESS_EVERY = 500
ADULT_YEARS = 18

LIMITS = {
    "name": 50,
    "ethnicity": 20,
    "party": 30,
    "education": 30,
    "employer": 100,
    "post": 100,
    "delegation": 100,
    "group": 100,
    "constituency": 100,
}
PERSON_KEYS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "party",
    "education",
    "employer",
    "post",
    "phone",
    "id_number",
)
LINK_KEYS = ("delegation", "group", "constituency")
LINK_MODELS: dict[str, type[Delegation] | type[DeputyGroup] | type[Constituency]] = {
    "delegation": Delegation,
    "group": DeputyGroup,
    "constituency": Constituency,
}


def _link_label(key: str) -> str:
    return {"delegation": _("代表团"), "group": _("代表小组"), "constituency": _("选区")}[key]


@dataclass
class Problem:
    row: int  # the row number as the spreadsheet shows it; 0 for the whole file
    column: str
    message: str
    name: str = ""
    file: bool = False  # a problem with the file or its header: blocks any import

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"row": self.row, "column": self.column, "message": self.message}
        if self.name:
            data["name"] = self.name
        if self.file:
            data["file"] = True
        return data


@dataclass
class Row:
    number: int
    name: str = ""
    gender: str = ""
    ethnicity: str = ""
    birth_date: datetime.date | None = None
    id_number: str = ""
    phone: str = ""
    party: str = ""
    education: str = ""
    employer: str = ""
    post: str = ""
    congress_text: str = ""
    term_number: int | None = None
    delegation: str = ""
    group: str = ""
    constituency: str = ""
    station_names: list[str] = field(default_factory=list)
    category: str = DeputyCategory.OTHER
    full_time: bool = False
    elected_on: datetime.date | None = None
    # Person fields that had a value in the file: only these update an existing person.
    given: set[str] = field(default_factory=set)
    bidx: str = ""
    congress: Congress | None = None
    term: Term | None = None
    stations: list[Organization] = field(default_factory=list)
    person: Person | None = None

    def person_data(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in PERSON_KEYS if key in self.given}


@dataclass
class Plan:
    problems: list[Problem] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    total: int = 0
    missing_optional: list[str] = field(default_factory=list)
    create_missing: bool = False
    # kind -> congress id -> names the import creates (delegation, group, constituency).
    new_links: dict[str, dict[int, set[str]]] = field(
        default_factory=lambda: {key: defaultdict(set) for key in LINK_KEYS}
    )
    # kind -> (congress id, name) -> the registered object.
    links: dict[str, dict[tuple[int, str], Any]] = field(
        default_factory=lambda: {key: {} for key in LINK_KEYS}
    )
    # Existing people the user may change (the others are matched but left as they are).
    updatable: set[int] = field(default_factory=set)

    def add(self, row: Row | None, column: str, message: str) -> None:
        self.problems.append(
            Problem(row.number if row else 0, column, message, row.name if row else "")
        )

    def add_file(self, row: int, column: str, message: str) -> None:
        self.problems.append(Problem(row, column, message, file=True))

    @property
    def file_ok(self) -> bool:
        return not any(p.file for p in self.problems)

    @property
    def bad_rows(self) -> set[int]:
        return {p.row for p in self.problems if not p.file}

    def good_rows(self) -> list[Row]:
        bad = self.bad_rows
        return [r for r in self.rows if r.number not in bad]

    def sorted_problems(self) -> list[Problem]:
        order = {c.header: i for i, c in enumerate(COLUMNS)}
        return sorted(self.problems, key=lambda p: (not p.file, p.row, order.get(p.column, 99)))

    def summary(self, rows: Sequence[Row]) -> dict[str, Any]:
        """What importing ``rows`` does: people created, updated or left, mandates, and the
        delegations, groups and constituencies created."""
        people: dict[str, Row] = {}
        for row in rows:
            people.setdefault(row.bidx, row)
        new = sum(1 for r in people.values() if r.person is None)
        updated = sum(1 for r in people.values() if r.person and r.person.pk in self.updatable)
        used: dict[str, set[tuple[int, str]]] = {key: set() for key in LINK_KEYS}
        congress_names: dict[int, str] = {}
        per_congress: dict[int, int] = defaultdict(int)
        for row in rows:
            assert row.congress is not None
            congress_names[row.congress.pk] = row.congress.name
            per_congress[row.congress.pk] += 1
            for key in LINK_KEYS:
                name = getattr(row, key)
                if name and name in self.new_links[key].get(row.congress.pk, set()):
                    used[key].add((row.congress.pk, name))
        return {
            "mandates": len(rows),
            "persons_new": new,
            "persons_updated": updated,
            "persons_kept": len(people) - new - updated,
            "new": {
                key: [
                    {"congress": congress_names[cid], "name": name}
                    for cid, name in sorted(used[key])
                ]
                for key in LINK_KEYS
            },
            "congresses": [
                {"name": congress_names[cid], "rows": n} for cid, n in sorted(per_congress.items())
            ],
            "missing_columns": self.missing_optional,
        }


# Reading -------------------------------------------------------------------------------------


def _open(source: IO[bytes], plan: Plan) -> Any:
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        plan.add_file(
            0,
            "",
            _(
                "无法读取该文件。请上传 Excel 工作簿(.xlsx);旧版 .xls 文件请先在 Excel 中“另存为”.xlsx。"
            ),
        )
        return None
    if spreadsheet.SHEET_TITLE in workbook.sheetnames:
        return workbook[spreadsheet.SHEET_TITLE]
    return workbook.worksheets[0] if workbook.worksheets else None


def _header(sheet: Any, plan: Plan) -> tuple[int, dict[int, str]] | None:
    """The header row's number and column index -> key; problems for unknown, repeated and
    missing columns."""
    found: tuple[int, tuple[Any, ...]] | None = None
    for number, cells in enumerate(
        sheet.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True), start=1
    ):
        names = [spreadsheet.normalize_header(c) for c in cells]
        if sum(1 for n in names if n in spreadsheet.HEADER_KEYS) >= 3:
            found = number, cells
            break
    if found is None:
        plan.add_file(
            1,
            "",
            _("没有找到表头。第一行应为列名:%(columns)s(可下载导入模板对照)。")
            % {"columns": "、".join(c.header for c in COLUMNS)},
        )
        return None
    number, cells = found
    mapping: dict[int, str] = {}
    seen: dict[str, str] = {}
    for index, cell in enumerate(cells):
        name = spreadsheet.normalize_header(cell)
        if not name or name in spreadsheet.IGNORED_HEADERS:
            continue
        key = spreadsheet.HEADER_KEYS.get(name)
        shown = spreadsheet.text(cell)
        if key is None:
            plan.add_file(
                number,
                shown,
                _("“%(name)s”不是模板中的列。请改成模板中的列名,或删除该列。") % {"name": shown},
            )
        elif key in seen:
            plan.add_file(
                number,
                shown,
                _("列“%(name)s”出现了两次(另一处为“%(other)s”),请只保留一列。")
                % {"name": BY_KEY[key].header, "other": seen[key]},
            )
        else:
            seen[key] = shown
            mapping[index] = key
    for column in COLUMNS:
        if column.key in seen:
            continue
        if column.required:
            plan.add_file(
                number,
                column.header,
                _("缺少必填列“%(name)s”。请按导入模板补上该列。") % {"name": column.header},
            )
        else:
            plan.missing_optional.append(column.header)
    return number, mapping


def _data_rows(
    sheet: Any, start: int, mapping: dict[int, str]
) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, cells in enumerate(sheet.iter_rows(min_row=start, values_only=True), start=start):
        values = {key: cells[i] for i, key in mapping.items() if i < len(cells)}
        if all(spreadsheet.text(v) == "" for v in values.values()):
            continue
        yield number, values


# Checking one row ---------------------------------------------------------------------------


class _RowReader:
    def __init__(self, plan: Plan, today: datetime.date) -> None:
        self.plan = plan
        self.today = today
        self.categories = spreadsheet.category_labels()

    def problem(self, row: Row, key: str, message: str) -> None:
        self.plan.add(row, BY_KEY[key].header, message)

    def read(self, number: int, values: dict[str, Any]) -> Row:
        row = Row(number=number)
        cell = {key: spreadsheet.text(values.get(key)) for key in BY_KEY}
        row.name = cell["name"]
        for key in ("name", "gender", "id_number", "congress", "term"):
            if not cell[key]:
                self.problem(row, key, _("请填写%(column)s。") % {"column": BY_KEY[key].header})
        if row.name.endswith((spreadsheet.EXAMPLE_MARK, "（示例）")):
            self.problem(row, "name", _("这是模板中的示例行,请删除后再导入。"))
        for key, limit in LIMITS.items():
            value = cell[key]
            if len(value) > limit:
                self.problem(
                    row,
                    key,
                    _("%(column)s不能超过 %(limit)d 个字(现有 %(n)d 个)。")
                    % {"column": BY_KEY[key].header, "limit": limit, "n": len(value)},
                )
                value = value[:limit]
            setattr(row, key, value)
            if key in PERSON_KEYS and value:
                row.given.add(key)
        self._gender(row, cell["gender"])
        self._id_number(row, values.get("id_number"), cell["id_number"])
        self._birth_date(row, values.get("birth_date"))
        self._phone(row, cell["phone"])
        row.congress_text = cell["congress"]
        if cell["term"]:
            row.term_number = spreadsheet.term_number(values.get("term"))
            if row.term_number is None:
                self.problem(
                    row,
                    "term",
                    _("届次“%(value)s”无法识别,请填写如“第十九届”或 19。")
                    % {"value": cell["term"]},
                )
        row.station_names = spreadsheet.station_names(values.get("stations"))
        self._category(row, cell["category"])
        full_time = spreadsheet.yes_no(values.get("full_time"))
        if full_time is None:
            self.problem(row, "full_time", _("专职一栏请填写“是”或“否”。"))
        row.full_time = bool(full_time)
        try:
            row.elected_on, _month = spreadsheet.date_value(values.get("elected_on"))
        except BadDate as exc:
            self.problem(row, "elected_on", self._bad_date(str(exc)))
        else:
            if row.elected_on and row.elected_on > self.today:
                self.problem(row, "elected_on", _("当选日期不能晚于今天。"))
        return row

    @staticmethod
    def _bad_date(value: str) -> str:
        return _("日期“%(value)s”不存在或无法识别,请填写如 2021-10-01。") % {"value": value}

    def _gender(self, row: Row, value: str) -> None:
        genders = {"男": "M", "女": "F", "m": "M", "f": "F"}
        if value:
            row.gender = genders.get(value.lower(), "")
            if not row.gender:
                self.problem(row, "gender", _("性别请填写“男”或“女”。"))
            else:
                row.given.add("gender")

    def _id_number(self, row: Row, raw: Any, value: str) -> None:
        if not value:
            return
        try:
            row.id_number = validate_id_number(value)
        except ValidationError as exc:
            message = exc.messages[0]
            if isinstance(raw, int | float) and not isinstance(raw, bool):
                message = _(
                    "身份证号码被 Excel 存成了数字,末尾几位可能已被改掉。请把该列设为“文本”格式后重新填写。"
                )
            self.problem(row, "id_number", message)
            return
        row.given.add("id_number")
        row.bidx = crypto.blind_index(row.id_number)
        born = datetime.date(
            int(row.id_number[6:10]), int(row.id_number[10:12]), int(row.id_number[12:14])
        )
        row.birth_date = born
        row.given.add("birth_date")
        if born > self.today:
            self.problem(row, "id_number", _("身份证号码中的出生日期晚于今天,请核对。"))
        if row.gender:
            male = int(row.id_number[16]) % 2 == 1
            if male != (row.gender == "M"):
                self.problem(
                    row, "gender", _("性别与身份证号码不符(第 17 位为奇数表示男性,偶数表示女性)。")
                )

    def _birth_date(self, row: Row, raw: Any) -> None:
        try:
            given, month_only = spreadsheet.date_value(raw, month_ok=True)
        except BadDate as exc:
            self.problem(row, "birth_date", self._bad_date(str(exc)))
            return
        if given is None:
            return
        if given > self.today:
            self.problem(row, "birth_date", _("出生日期不能晚于今天。"))
        elif row.id_number and row.birth_date:
            same = (
                (given.year, given.month) == (row.birth_date.year, row.birth_date.month)
                if month_only
                else given == row.birth_date
            )
            if not same:
                self.problem(
                    row,
                    "birth_date",
                    _("出生日期与身份证号码中的出生日期(%(date)s)不一致。")
                    % {"date": row.birth_date.isoformat()},
                )
        elif not row.id_number:
            row.birth_date = given

    def _phone(self, row: Row, value: str) -> None:
        if not value:
            return
        try:
            row.phone = validate_mobile(value)
        except ValidationError as exc:
            self.problem(row, "phone", exc.messages[0])
        else:
            row.given.add("phone")

    def _category(self, row: Row, value: str) -> None:
        if not value:
            return
        category = self.categories.get(value)
        if category is None:
            self.problem(
                row,
                "category",
                _("代表构成“%(value)s”不在可选范围内,可选:%(choices)s。")
                % {"value": value, "choices": "、".join(str(c.label) for c in DeputyCategory)},
            )
        else:
            row.category = category


# Checking the rows together -------------------------------------------------------------------


def chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """Slices small enough for one IN (...) on SQLite."""
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _congress_keys(value: str) -> tuple[set[str], set[str], set[str]]:
    """Names, region codes and region names a 人大 cell may refer to."""
    if len(value) == 12 and value.isdigit():
        return set(), {value}, set()
    region_names = {value}
    for suffix in ("人民代表大会", "人大"):
        if value.endswith(suffix) and len(value) > len(suffix):
            region_names.add(value[: -len(suffix)])
    return {value}, set(), region_names


class _Resolver:
    def __init__(self, plan: Plan, user: User) -> None:
        self.plan = plan
        self.user = user

    def run(self) -> None:
        rows = [r for r in self.plan.rows if r.congress_text]
        self._congresses(rows)
        rows = [r for r in rows if r.congress is not None]
        self._terms(rows)
        self._links(rows)
        self._stations(rows)
        self._people()

    def problem(self, row: Row, key: str, message: str) -> None:
        self.plan.add(row, BY_KEY[key].header, message)

    def _congresses(self, rows: list[Row]) -> None:
        texts = {r.congress_text for r in rows}
        names: set[str] = set()
        codes: set[str] = set()
        region_names: set[str] = set()
        for value in texts:
            n, c, rn = _congress_keys(value)
            names |= n
            codes |= c
            region_names |= rn
        found = list(
            Congress.objects.select_related("region").filter(
                Q(name__in=names) | Q(region_id__in=codes) | Q(region__name__in=region_names)
            )
        )
        allowed = {
            c.pk
            for c in found
            if mandate_policy.can_in_region(self.user, Action.CREATE, c.region_id)
            and policies.people.can_in_region(self.user, Action.CREATE, c.region_id)
        }
        resolved: dict[str, Congress | str] = {}
        for value in texts:
            n, c, rn = _congress_keys(value)
            # An exact full name or code wins over a region name (衡阳县 the county, not a
            # township congress of the same name elsewhere).
            matches = [x for x in found if x.name in n or x.region_id in c]
            if not matches:
                matches = [x for x in found if x.region.name in rn]
            inside = [x for x in matches if x.pk in allowed]
            if len(inside) == 1:
                resolved[value] = inside[0]
            elif len(inside) > 1:
                resolved[value] = _(
                    "有多个人大与“%(value)s”同名,请改填人大的 12 位行政区划代码。"
                ) % {"value": value}
            elif matches:
                resolved[value] = _("“%(value)s”不在您的管辖范围内,不能导入该人大的代表。") % {
                    "value": value
                }
            else:
                resolved[value] = _(
                    "找不到人大“%(value)s”。请填写人大全称(如“衡阳县人民代表大会”)或 12 位行政区划代码。"
                ) % {"value": value}
        for row in rows:
            outcome = resolved[row.congress_text]
            if isinstance(outcome, Congress):
                row.congress = outcome
            else:
                self.problem(row, "congress", outcome)

    def _terms(self, rows: list[Row]) -> None:
        congress_ids = {r.congress.pk for r in rows if r.congress}
        terms: dict[int, dict[int, Term]] = defaultdict(dict)
        for found in Term.objects.filter(congress_id__in=congress_ids).select_related(
            "congress__region"
        ):
            terms[found.congress_id][found.number] = found
        for row in rows:
            assert row.congress is not None
            if row.term_number is None:
                continue
            term = terms[row.congress.pk].get(row.term_number)
            if term is None:
                known = "、".join(
                    t.label for t in sorted(terms[row.congress.pk].values(), key=lambda t: t.number)
                )
                self.problem(
                    row,
                    "term",
                    _("%(congress)s没有第 %(n)d 届。已登记的届次:%(known)s。")
                    % {"congress": row.congress.name, "n": row.term_number, "known": known or "—"},
                )
                continue
            row.term = term
            self._elected_on(row, term)

    def _elected_on(self, row: Row, term: Term) -> None:
        if row.elected_on is None:
            row.elected_on = term.start_date
            return
        if row.elected_on < term.start_date or (term.end_date and row.elected_on > term.end_date):
            self.problem(
                row,
                "elected_on",
                _("当选日期必须在本届任期之内(%(start)s 至 %(end)s)。")
                % {
                    "start": term.start_date.isoformat(),
                    "end": term.end_date.isoformat() if term.end_date else "—",
                },
            )
        elif row.birth_date and row.elected_on < _years_after(row.birth_date, ADULT_YEARS):
            self.problem(row, "elected_on", _("当选时未满 18 周岁,请核对身份证号码或当选日期。"))

    def _links(self, rows: list[Row]) -> None:
        congress_ids = {r.congress.pk for r in rows if r.congress}
        for key in LINK_KEYS:
            names = {getattr(r, key) for r in rows if getattr(r, key)}
            if not names:
                continue
            model = LINK_MODELS[key]
            known = self.plan.links[key]
            for obj in model._default_manager.filter(congress_id__in=congress_ids, name__in=names):
                known[(obj.congress_id, obj.name)] = obj
            for row in rows:
                name = getattr(row, key)
                assert row.congress is not None
                if not name or (row.congress.pk, name) in known:
                    continue
                if self.plan.create_missing:
                    self.plan.new_links[key][row.congress.pk].add(name)
                else:
                    self.problem(
                        row,
                        key,
                        _(
                            "%(kind)s“%(name)s”在%(congress)s尚未登记。请核对名称;如需新建,请勾选“新建尚未登记的代表团、代表小组和选区”后重新校验。"
                        )
                        % {"kind": _link_label(key), "name": name, "congress": row.congress.name},
                    )

    def _stations(self, rows: list[Row]) -> None:
        names = {n for r in rows for n in r.station_names}
        if not names:
            return
        candidates = Organization.objects.filter(
            kind=OrganizationKind.LIAISON_STATION, name__in=names
        ).select_related("region")
        visible = set(
            policies.organizations.filter(self.user, candidates).values_list("pk", flat=True)
        )
        by_name: dict[str, list[Organization]] = defaultdict(list)
        for station in candidates:
            if station.pk in visible:
                by_name[station.name].append(station)
        for row in rows:
            assert row.congress is not None
            low, high = code_bounds(row.congress.region_id, row.congress.region.level)
            for name in row.station_names:
                found = by_name.get(name, [])
                inside = [s for s in found if low <= s.region_id <= high]
                if not found:
                    self.problem(
                        row,
                        "stations",
                        _("找不到联络站“%(name)s”,请填写联络站全称(多个联络站用顿号分隔)。")
                        % {"name": name},
                    )
                elif not inside:
                    self.problem(
                        row,
                        "stations",
                        _("联络站“%(name)s”不在%(congress)s的行政区域内。")
                        % {"name": name, "congress": row.congress.name},
                    )
                elif len(inside) > 1:
                    self.problem(
                        row, "stations", _("有多个联络站名为“%(name)s”。") % {"name": name}
                    )
                elif not inside[0].is_active:
                    self.problem(row, "stations", _("联络站“%(name)s”已停用。") % {"name": name})
                else:
                    row.stations.append(inside[0])

    def _people(self) -> None:
        rows = [r for r in self.plan.rows if r.bidx]
        # Within the file: one row per person and congress term; one name per ID number.
        first: dict[str, Row] = {}
        seats: dict[tuple[str, str], list[Row]] = defaultdict(list)
        for row in rows:
            seat = f"term:{row.term.pk}" if row.term else f"{row.congress_text}:{row.term_number}"
            seats[(row.bidx, seat)].append(row)
            earlier = first.setdefault(row.bidx, row)
            if earlier is row:
                continue
            if earlier.name != row.name:
                for this, other in ((row, earlier), (earlier, row)):
                    self.problem(
                        this,
                        "id_number",
                        _("身份证号码与第 %(other)d 行相同,但姓名不同(“%(name)s”),请核对。")
                        % {"other": other.number, "name": other.name},
                    )
                continue
            # One person on several rows (several congresses): their details must agree,
            # or one row's would silently win.
            for key in PERSON_KEYS:
                mine, theirs = getattr(row, key), getattr(earlier, key)
                if key in row.given and key in earlier.given and mine != theirs:
                    self.problem(
                        row,
                        key,
                        _(
                            "同一人(身份证号码相同)在第 %(other)d 行填写的%(column)s与本行不一致,请统一。"
                        )
                        % {"other": earlier.number, "column": BY_KEY[key].header},
                    )
        for same in seats.values():
            # Rows whose names differ were reported above as such.
            if len(same) > 1 and len({r.name for r in same}) == 1:
                for row in same:
                    others = "、".join(str(r.number) for r in same if r is not row)
                    self.problem(
                        row,
                        "id_number",
                        _("身份证号码与第 %(rows)s 行重复:同一人在同一届人大只能登记一次。")
                        % {"rows": others},
                    )
        bidxs = list(first)
        existing: dict[str, Person] = {}
        for chunk in chunks(bidxs):
            for found in Person.objects.filter(id_number_bidx__in=chunk):
                existing[found.id_number_bidx] = found
        person_ids = [p.pk for p in existing.values()]
        for chunk in chunks(person_ids):
            self.plan.updatable |= set(
                policies.people.filter(
                    self.user, Person.objects.filter(pk__in=chunk), Action.CHANGE
                ).values_list("pk", flat=True)
            )
        held: set[tuple[int, int]] = set()
        term_ids = {r.term.pk for r in rows if r.term}
        for chunk in chunks(person_ids):
            held |= set(
                Mandate.objects.filter(person_id__in=chunk, term_id__in=term_ids).values_list(
                    "person_id", "term_id"
                )
            )
        for row in rows:
            person = existing.get(row.bidx)
            if person is None:
                continue
            row.person = person
            if person.name != row.name and row.name:
                self.problem(
                    row, "name", _("该身份证号码已登记在另一个姓名下,请核对姓名和身份证号码。")
                )
            if row.term and (person.pk, row.term.pk) in held:
                assert row.congress is not None
                self.problem(
                    row,
                    "id_number",
                    _("%(name)s 已是%(congress)s%(term)s代表,不能重复登记。")
                    % {"name": row.name, "congress": row.congress.name, "term": row.term.label},
                )


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def check(
    source: IO[bytes],
    *,
    user: User,
    create_missing: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Plan:
    """Read and check every row of an uploaded file; no writes."""
    plan = Plan(create_missing=create_missing)
    sheet = _open(source, plan)
    if sheet is None:
        if plan.file_ok:
            plan.add_file(0, "", _("文件中没有工作表。"))
        return plan
    header = _header(sheet, plan)
    if header is None or any(p.file and p.column in _required_headers() for p in plan.problems):
        return plan
    number, mapping = header
    # The sheet's recorded size, for the progress bar; blank rows make it an upper bound.
    estimate = max(int(getattr(sheet, "max_row", 0) or 0) - number, 0)
    if progress is not None:
        progress(0, estimate)
    reader = _RowReader(plan, timezone.localdate())
    for number_, values in _data_rows(sheet, number + 1, mapping):
        plan.total += 1
        if plan.total > MAX_ROWS:
            plan.add_file(
                0, "", _("文件超过 %(limit)d 行,请分成几个文件分批导入。") % {"limit": MAX_ROWS}
            )
            plan.rows = []
            return plan
        plan.rows.append(reader.read(number_, values))
        if progress is not None and plan.total % PROGRESS_EVERY == 0:
            progress(plan.total, max(estimate, plan.total))
    if not plan.rows:
        plan.add_file(0, "", _("文件中没有代表数据:表头下面没有填写任何行。"))
        return plan
    _Resolver(plan, user).run()
    return plan


def _required_headers() -> set[str]:
    return {c.header for c in COLUMNS if c.required}
