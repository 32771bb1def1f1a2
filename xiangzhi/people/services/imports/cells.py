"""The cells step: one sheet row read into a Row (a person, and what it says of their household).

Cells are read leniently but never guessed (core.xlsx); a cell that cannot be read is an error
of its column, and no second error is reported for the same cell later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from xiangzhi.core import xlsx
from xiangzhi.core.xlsx import CellError, clip

from ...models import Resident, Tag
from ...xlsx import GENDERS, NOT_A_PERSON, RESIDENT_COLUMNS, TAG_SPLIT, relation_key
from ..resident_data import ResidentData

LABELS = {c.key: c.label for c in RESIDENT_COLUMNS} | {"central": "党员中心户"}
CENTRAL_YES = ("是", "1", "√", "✓", "Y", "y", "true", "True")
CENTRAL_NO = ("否", "不是", "0", "×", "✗", "X", "x", "N", "n", "false", "False")


@dataclass
class Row:
    number: int
    data: ResidentData
    labels: dict[str, str]
    present: set[str]
    pk: int | None = None
    household_number: str = ""
    address: str = ""
    grid: str = ""
    tags_given: bool = False
    central: bool | None = None
    id_masked: bool = False
    phone_masked: bool = False
    id_index: str = ""  # the blind index of the ID number, computed once per row
    kind: str = "residents"
    sheet: str = ""  # set when the workbook has several sheets of people
    # The relation could not be read: the row may be a head, so it may start a household.
    relation_unknown: bool = False
    errors: list[tuple[str, str]] = field(default_factory=list)

    def fail(self, key: str, message: str) -> None:
        if key == "relation" and key not in self.present:
            key = "name"  # a households sheet (one head a row) has no 与户主关系 column
        self.errors.append((self.labels.get(key, LABELS.get(key, key)), message))

    def failed_on(self, key: str) -> bool:
        """Whether the cell of `key` already has its error (it could not be read)."""
        column = self.labels.get(key, LABELS.get(key, key))
        return any(c == column for c, _ in self.errors)


def _given(value: object) -> str:
    """A cell's compact text; a formula's error (#N/A) names nobody."""
    return "" if isinstance(value, xlsx.ErrorCell) else xlsx.compact(value)


def not_a_person(values: dict) -> bool:
    """A row that names nobody (no name, ID or 系统编号) or holds totals or signatures. A row
    whose name or ID shows a formula's error (#N/A) is a person when anything else but its 序号
    is typed: the import then reports the error, rather than skip a household member."""
    name = _given(values.get("name"))
    if not name and not _given(values.get("id_number")) and not _given(values.get("pk")):
        unnamed = (values.get("name"), values.get("id_number"))
        if any(type(v) is xlsx.ErrorCell for v in unnamed):
            return not any(
                xlsx.compact(v)
                for k, v in values.items()
                if k not in ("seq", "name", "id_number", "pk") and type(v) is not xlsx.ErrorCell
            )
        return True
    if name.startswith(NOT_A_PERSON):
        return True
    seq = values.get("seq")  # 合计 is often written in the 序号 column; numbers never are
    return isinstance(seq, str) and _given(seq).startswith(NOT_A_PERSON)


class _Cells:
    """Reads the cells of one row; a cell that cannot be read fails its column and is None."""

    def __init__(self, row: Row, values: dict) -> None:
        self.row = row
        self.values = values

    def __call__(self, key: str, reader: Callable = xlsx.text) -> object:
        try:
            return reader(self.values.get(key, ""))
        except CellError as exc:
            self.row.fail(key, str(exc))
            return None


def _person(row: Row, cell: _Cells) -> None:
    """Name, gender, birth date, ID and phone (masked ones noted), ethnicity and note."""
    d = row.data
    d.name = cell("name", xlsx.compact) or ""
    gender = (cell("gender", xlsx.compact) or "").lower()
    if gender:
        d.gender = GENDERS.get(gender, "")
        if not d.gender:
            row.fail("gender", f"性别“{clip(gender)}”无法识别，请填写男或女")
    d.birth_date = cell("birth_date", xlsx.date)
    raw_id = cell("id_number", xlsx.id_number) or ""
    if "*" in raw_id:
        row.id_masked = True
    d.id_number = raw_id
    # As text, spaces kept: two numbers on two lines must not run together into one.
    raw_phone = cell("phone") or ""
    if "*" in raw_phone:
        row.phone_masked = True
    d.phone = raw_phone
    d.ethnicity = cell("ethnicity") or ("汉族" if "ethnicity" not in row.present else "")
    d.note = cell("note") or ""  # too long is an error (resident_clean), never cut


def _relation(row: Row, cell: _Cells) -> None:
    """与户主关系; a row whose relation cannot be read may start a household (relation_unknown)."""
    d = row.data
    if row.kind == "households":
        d.relation = Resident.Relation.HEAD
        return
    rel = cell("relation", xlsx.compact)
    d.relation = relation_key(rel or "")
    if "relation" not in row.present:
        # Known people keep theirs; a new person is refused in the plan step.
        d.relation = Resident.Relation.OTHER
    elif rel is None:  # the cell could not be read (a formula's #N/A): that is its error
        d.relation = Resident.Relation.OTHER
        row.relation_unknown = True
    elif not rel:
        row.fail("relation", "请填写与户主关系（户主、配偶、子、女、父、母等）")
        d.relation = Resident.Relation.OTHER  # the row is refused; no second error
        row.relation_unknown = True
    elif not d.relation:
        row.fail(
            "relation",
            f"无法识别的与户主关系“{clip(rel)}”，可写：户主、配偶、子、女、父、母、孙子、孙女、兄弟姐妹、儿媳、女婿、其他等",
        )
        d.relation = Resident.Relation.OTHER  # the row is refused; no second error
        row.relation_unknown = True


def _household(row: Row, cell: _Cells) -> None:
    """户编号, 家庭住址, 所属网格 and the 系统编号 of an exported sheet."""
    row.household_number = cell("household_number", xlsx.compact) or ""
    if len(row.household_number) > 40:
        row.fail("household_number", "户编号不能超过40个字符")
    row.address = cell("address") or ""
    if len(row.address) > 200:
        row.fail("address", "家庭住址不能超过200个字")
    row.grid = cell("grid") or ""
    pk = cell("pk", xlsx.compact)
    if pk:
        if pk.isdigit():
            row.pk = int(pk)
        else:
            row.fail("pk", "系统编号应为数字（由本系统导出时生成，新登记的人请留空）")


def _tags(row: Row, cell: _Cells, tags: dict[str, Tag]) -> None:
    """标签 by name or code; a column that is there replaces the tags, an unknown word fails."""
    tags_text = cell("tags") or ""
    if "tags" not in row.present:
        return
    row.tags_given = True
    codes = []
    for word in filter(None, TAG_SPLIT.split(tags_text)):
        tag = tags.get(word)
        if tag is None:
            row.fail(
                "tags",
                f"未知的标签“{clip(word)}”，可用："
                + "、".join(sorted({t.name for t in tags.values()})),
            )
        else:
            codes.append(tag.code)
    row.data.tags = sorted(set(codes))


def parse_row(
    values: dict,
    *,
    number: int,
    sheet: str,
    labels: dict[str, str],
    present: set[str],
    kind: str,
    tags: dict[str, Tag],
) -> Row:
    """The Row of one sheet row (`sheet` is "" unless the workbook has several sheets read)."""
    row = Row(
        number=number,
        sheet=sheet,
        data=ResidentData(name=""),
        labels=labels,
        present=present,
        kind=kind,
    )
    cell = _Cells(row, values)
    _person(row, cell)
    _relation(row, cell)
    _household(row, cell)
    _tags(row, cell, tags)
    if kind == "households" and "central" in present:
        _central(row, cell)
    return row


def _central(row: Row, cell: _Cells) -> None:
    """党员中心户: yes or no; a blank cell says nothing (it never unsets a registered flag), and a
    word that is neither is an error, never a "no"."""
    word = cell("central", xlsx.compact) or ""
    if word in CENTRAL_YES:
        row.central = True
    elif word in CENTRAL_NO:
        row.central = False
    elif word:
        row.fail("central", f"党员中心户请填写“是”或“否”，而不是“{clip(word)}”")
