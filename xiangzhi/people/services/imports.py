"""Spreadsheet imports of the registry (花名册): residents (one row per person) and households
(one row per household). Rows are read streaming, validated with the same rules as the forms,
and written in batches through bulk writes that record one audit event per created or changed
record. Valid rows are imported and invalid rows reported (or, with all_or_nothing, nothing is
written when any row is wrong); a re-import of the same sheet changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from xiangzhi.core import xlsx
from xiangzhi.core.audit import audit_record, audit_record_many
from xiangzhi.core.bulk import fast_insert, insert_rows, update_column
from xiangzhi.core.crypto import blind_index, mask_id_number, mask_phone
from xiangzhi.core.dbstats import refresh_planner_statistics
from xiangzhi.core.scope import scope_for
from xiangzhi.core.validators import DIVISION_RE
from xiangzhi.core.xlsx import CellError, MonthOnly, SheetError, Table, clip, read_table
from xiangzhi.grid.models import GridNode

from ..actions import PeopleAction
from ..models import Household, HouseholdChange, Resident, Tag
from ..xlsx import (
    GENDERS,
    GRID_SPLIT,
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_REQUIRED,
    NOT_A_PERSON,
    RESIDENT_COLUMNS,
    RESIDENT_REQUIRED,
    TAG_SPLIT,
    relation_key,
)
from .resident_data import (
    RESIDENT_ROW_COLUMNS,
    ResidentData,
    resident_clean,
    resident_row,
    same_month,
)

# The columns of the history row (迁入) each imported resident gets, written as tuples.
HISTORY_COLUMNS = (
    "household_id",
    "kind",
    "occurred_on",
    "resident_id",
    "note",
    "created_by_id",
    "created_at",
)
IMPORT_ACTIONS = {
    "residents": PeopleAction.RESIDENT_IMPORT,
    "households": PeopleAction.HOUSEHOLD_IMPORT,
}
BATCH_ROWS = 500
ANALYZE_AFTER_ROWS = 1000  # an import that writes this many rows refreshes SQLite's statistics
LABELS = {c.key: c.label for c in RESIDENT_COLUMNS} | {"central": "党员中心户"}
FIELD_COLUMN = {
    "name": "name",
    "gender": "gender",
    "birth_date": "birth_date",
    "id_number": "id_number",
    "phone": "phone",
    "relation": "relation",
    "tags": "tags",
}


def hidden_rows_notice(count: int, examples: list[str]) -> str:
    more = "等" if count > len(examples) else ""
    return (
        f"注意:表格中有 {count} 行被隐藏或被筛选掉了({'、'.join(examples)}{more}),这些行没有导入。"
        "如需导入,请在 Excel 中取消筛选、取消隐藏后重新上传。"
    )


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rows: int = 0
    written: bool = False
    # Rows that name nobody (no name, ID or 系统编号: pre-numbered template rows) and rows of
    # totals or signatures (合计, 填表人): not people, so neither imported nor errors.
    skipped: int = 0
    # Other lists in the workbook (a 汇总 sheet): {"sheet": name, "missing": [column labels]}.
    skipped_sheets: list[dict] = field(default_factory=list)
    # Rows the sheet hides (a filter left on, rows hidden by hand): not imported, and said so
    # with the first of them as examples ("第 12 行", or "一组 第 12 行" with several sheets).
    hidden_rows: int = 0
    hidden_examples: list[str] = field(default_factory=list)

    def error(self, row: int, column: str, message: str, sheet: str = "") -> None:
        entry = {"row": row, "column": column, "message": message}
        if sheet:  # only when the workbook had several sheets of people
            entry["sheet"] = sheet
        self.errors.append(entry)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "ignored_columns": self.ignored_columns,
            "rows": self.rows,
            "skipped": self.skipped,
            "skipped_sheets": self.skipped_sheets,
            "hidden_rows": self.hidden_rows,
            "hidden_examples": self.hidden_examples,
            "written": self.written,
        }


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


class _Rollback(Exception):
    pass


def _registered(indexes: list[str]) -> list[str]:
    """Those of the blind indexes that are registered: a bare probe, so that a batch of new people
    (the usual case) costs one small query instead of the ORM's join with households and nodes."""
    if not indexes:
        return []
    table = Resident._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one array parameter parses faster than 500
            cursor.execute(
                f"SELECT id_number_index FROM {table} WHERE id_number_index = ANY(%s)", [indexes]
            )
        else:
            cursor.execute(
                f"SELECT id_number_index FROM {table} WHERE id_number_index IN "
                f"({', '.join(['%s'] * len(indexes))})",
                indexes,
            )
        return [i for (i,) in cursor.fetchall()]


def _given(value) -> str:
    """A cell's compact text; a formula's error (#N/A) names nobody."""
    return "" if isinstance(value, xlsx.ErrorCell) else xlsx.compact(value)


def _not_a_person(values: dict) -> bool:
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


class RegistryImport:
    """One run of an import; `run()` returns the report."""

    def __init__(
        self,
        *,
        actor,
        kind: str,
        dry_run: bool = False,
        all_or_nothing: bool = False,
        progress: Callable[[int], None] | None = None,
        batch_rows: int = BATCH_ROWS,
        source_name: str = "",
    ):
        if kind not in ("residents", "households"):
            raise ValueError(kind)
        self.actor = actor
        self.kind = kind
        self.dry_run = dry_run
        self.all_or_nothing = all_or_nothing
        self.progress = progress
        self.batch_rows = batch_rows
        self.source_name = source_name
        self.report = ImportReport()
        self.scope = scope_for(actor)
        tags = list(Tag.objects.all())
        self.tags = {t.name: t for t in tags} | {t.code: t for t in tags}
        self.nodes: dict[str, GridNode | str] = {}
        self._tree_cache: dict | None = None
        # ID -> (sheet, row) of its first row; 户编号 -> node paths of households in any scope.
        self.seen_ids: dict[str, tuple[str, int]] = {}
        self.taken_numbers: dict[str, list[str]] = {}
        self.numbered: dict[tuple[str, str], Household] = {}
        self.audit: list[dict] = []
        self.today = timezone.localdate()

    # Reading.

    def _roster_like(self, keys: set[str]) -> bool:
        """Whether a sheet's columns make it a list of people to register (a roster), rather than
        another list kept beside it (a 汇总, a list of 低保户 or party members)."""
        if self.kind == "households":
            return "name" in keys and bool({"household_number", "address"} & keys)
        return "name" in keys and bool({"household_number", "relation"} & keys)

    def _roster_columns(self) -> list[str]:
        """The columns of which a roster has one at least (besides the name)."""
        if self.kind == "households":
            return ["户编号", "家庭住址"]
        return ["户编号", "与户主关系"]

    def _other_lists(self, table: Table) -> list[str]:
        """The complete sheets to skip as other lists; a SheetError when a sheet is a roster
        with a broken header (it would otherwise be skipped, and its people silently missing)."""
        for h in table.skipped_sheets:
            if self._roster_like(set(h.columns)):
                raise SheetError(
                    f"工作表“{h.sheet}”像是花名册,但表头缺少必需的列:{'、'.join(h.missing)}。"
                    "请改正表头后重新上传(例如“身分证号”应写作“身份证号”)。"
                )
        rosters = [h for h in table.headers if self._roster_like(set(h.columns))]
        if self.kind == "residents" and not rosters:
            where = f"工作表“{table.headers[0].sheet}”的" if len(table.headers) > 1 else ""
            raise SheetError(f"{where}表头缺少“户编号”或“与户主关系”列,无法确定每个人属于哪一户。")
        return [h.sheet for h in table.headers if rosters and h not in rosters]

    def run(self, path) -> ImportReport:
        columns = RESIDENT_COLUMNS if self.kind == "residents" else HOUSEHOLD_COLUMNS
        required = RESIDENT_REQUIRED if self.kind == "residents" else HOUSEHOLD_REQUIRED
        try:
            table = read_table(path, columns, required=required)
            skip = self._other_lists(table)
        except SheetError as exc:
            self.report.error(0, "", str(exc))
            return self.report
        self.report.ignored_columns = table.unknown
        self.report.skipped_sheets = [
            {"sheet": h.sheet, "missing": h.missing} for h in table.skipped_sheets
        ] + [{"sheet": name, "missing": self._roster_columns()} for name in skip]
        self.skip = set(skip)
        # Each sheet's header, the same for all its rows: labels (for error reports) and columns.
        self.headers = {
            h.sheet: ({k: h.labels.get(k, LABELS.get(k, k)) for k in LABELS}, set(h.columns))
            for h in table.headers
        }
        # Several sheets of people (one per 村民小组) are read in turn; errors then name the sheet.
        self.sheets = table.sheets if len(table.sheets) > 1 else []
        # The rows reader fills table.hidden as it goes; the report takes it at the end.
        self.hidden = table.hidden
        try:
            with transaction.atomic():
                batch: list[list[Row]] = []
                size = 0
                for group in self._groups(table):
                    batch.append(group)
                    size += len(group)
                    if size >= self.batch_rows:
                        self._process(batch)
                        batch, size = [], 0
                self._process(batch)
                self._report_hidden()
                if self.dry_run or (self.all_or_nothing and self.report.errors):
                    raise _Rollback
        except _Rollback:
            # A dry run tells what would be written, which is nothing when all-or-nothing meets
            # an error.
            if not self.dry_run or (self.all_or_nothing and self.report.errors):
                self.report.created = self.report.updated = self.report.unchanged = 0
        else:
            self.report.written = True
            audit_record(
                actor=self.actor,
                action=IMPORT_ACTIONS[self.kind],
                object_type="people.import",
                object_repr=(self.source_name or Path(str(path)).name)[-200:],
                changes={k: v for k, v in self.report.as_dict().items() if k != "errors"}
                | {"error_rows": len(self.report.errors)},
            )
            if self.report.created + self.report.updated >= ANALYZE_AFTER_ROWS:
                refresh_planner_statistics()
        order = {name: i for i, name in enumerate(self.sheets)}
        self.report.errors.sort(key=lambda e: (order.get(e.get("sheet", ""), 0), e["row"]))
        return self.report

    def _report_hidden(self) -> None:
        hidden = [(sheet, n) for sheet, n in self.hidden if sheet not in self.skip]
        self.report.hidden_rows = len(hidden)
        self.report.hidden_examples = [
            f"{sheet} 第 {n} 行" if self.sheets else f"第 {n} 行" for sheet, n in hidden[:10]
        ]

    def _parse(self, sheet: str, number: int, values: dict) -> Row:
        labels, present = self.headers[sheet]
        row = Row(
            number=number,
            sheet=sheet if self.sheets else "",
            data=ResidentData(name=""),
            labels=labels,
            present=present,
            kind=self.kind,
        )
        d = row.data

        def cell(key, reader=xlsx.text):
            try:
                return reader(values.get(key, ""))
            except CellError as exc:
                row.fail(key, str(exc))
                return None

        d.name = cell("name", xlsx.compact) or ""
        gender = (cell("gender", xlsx.compact) or "").lower()
        if gender:
            d.gender = GENDERS.get(gender, "")
            if not d.gender:
                row.fail("gender", f"性别“{clip(gender)}”无法识别,请填写男或女")
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
        d.ethnicity = cell("ethnicity") or ("汉族" if "ethnicity" not in present else "")
        d.note = cell("note") or ""  # too long is an error (resident_clean), never cut
        if self.kind == "households":
            d.relation = Resident.Relation.HEAD
        else:
            rel = cell("relation", xlsx.compact)
            d.relation = relation_key(rel or "")
            if "relation" not in present:
                # Known people keep theirs; a new person is refused in _plan_group.
                d.relation = Resident.Relation.OTHER
            elif rel is None:  # the cell could not be read (a formula's #N/A): that is its error
                d.relation = Resident.Relation.OTHER
                row.relation_unknown = True
            elif not rel:
                row.fail("relation", "请填写与户主关系(户主、配偶、子、女、父、母等)")
                d.relation = Resident.Relation.OTHER  # the row is refused; no second error
                row.relation_unknown = True
            elif not d.relation:
                row.fail(
                    "relation",
                    f"无法识别的与户主关系“{clip(rel)}”,可写:户主、配偶、子、女、父、母、孙子、孙女、兄弟姐妹、儿媳、女婿、其他等",
                )
                d.relation = Resident.Relation.OTHER  # the row is refused; no second error
                row.relation_unknown = True
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
                row.fail("pk", "系统编号应为数字(由本系统导出时生成,新登记的人请留空)")
        tags_text = cell("tags") or ""
        if "tags" in present:
            row.tags_given = True
            codes = []
            for word in filter(None, TAG_SPLIT.split(tags_text)):
                tag = self.tags.get(word)
                if tag is None:
                    row.fail(
                        "tags",
                        f"未知的标签“{clip(word)}”,可用:"
                        + "、".join(sorted({t.name for t in self.tags.values()})),
                    )
                else:
                    codes.append(tag.code)
            d.tags = sorted(set(codes))
        if self.kind == "households" and "central" in present:
            flag = cell("central", xlsx.compact) or ""
            row.central = flag in ("是", "1", "√", "✓", "Y", "y", "true", "True")
        return row

    def _groups(self, table: Table) -> Iterator[list[Row]]:
        current: list[Row] | None = None
        current_number = None
        current_grid = ""
        current_sheet = None
        for sheet, number, values in table.rows:
            if sheet in self.skip:
                continue
            self.report.rows += 1
            if _not_a_person(values):
                self.report.skipped += 1
                continue
            row = self._parse(sheet, number, values)
            if sheet != current_sheet:  # a household never runs on into the next sheet
                if current:
                    yield current
                current, current_number, current_grid, current_sheet = None, None, "", sheet
            if self.kind == "households":
                yield [row]
                continue
            if row.household_number:
                # The same 户编号 in another grid is another household (numbers repeat across
                # villages).
                same_grid = not row.grid or not current_grid or row.grid == current_grid
                if current is not None and current_number == row.household_number and same_grid:
                    current.append(row)
                    current_grid = current_grid or row.grid
                else:
                    if current:
                        yield current
                    current, current_number, current_grid = [row], row.household_number, row.grid
            elif row.data.relation == Resident.Relation.HEAD or row.relation_unknown:
                # A row whose relation cannot be read may be the next family's head: the rows
                # after it must not run on into the previous household.
                if current:
                    yield current
                current, current_number, current_grid = [row], None, row.grid
            elif current is not None:
                current.append(row)
            else:
                row.fail(
                    "relation", "无法确定该行属于哪一户:前面没有“与户主关系”为户主的行,也没有户编号"
                )
                yield [row]
        if current:
            yield current

    # Resolving.

    def _tree(self) -> dict:
        """The nodes in the actor's scope, loaded once: by code, by name, by (parent, name)."""
        if self._tree_cache is None:
            nodes = list(GridNode.objects.for_actor(self.actor).order_by("level", "path"))
            # With the ancestors of the scope, so that a grid worker may write the full path
            # from the village (青山村/…/吴家中心户); writing is still checked on the node found.
            known = {n.path for n in nodes}
            above = {p for n in nodes for p in n.ancestor_paths()} - known
            if above:
                nodes = list(GridNode.objects.filter(path__in=above)) + nodes
                nodes.sort(key=lambda n: (n.level, n.path))
            by_name: dict[str, list[GridNode]] = {}
            for n in nodes:
                by_name.setdefault(n.name, []).append(n)
            self._tree_cache = {
                "code": {n.code: n for n in nodes if n.code},
                "name": by_name,
                "child": {(n.parent_id, n.name): n for n in nodes},
                "path": {n.path: n for n in nodes},
            }
        return self._tree_cache

    def _node(self, text: str) -> GridNode | str:
        """The grid node named by a code or a path of names; a Chinese message when it is none."""
        if text in self.nodes:
            return self.nodes[text]
        node: GridNode | str
        names = [n for n in GRID_SPLIT.split(text) if n]
        node = self._node_by_names(names) if names else f"无法识别的所属网格:{clip(text)}"
        if isinstance(node, GridNode) and not self.scope.can_write_path(node.path):
            node = f"网格“{clip(text)}”不在您的管辖范围内(或您只有查看权限)"
        self.nodes[text] = node
        return node

    def _node_by_names(self, names: list[str]) -> GridNode | str:
        tree = self._tree()
        if DIVISION_RE.match(names[0]):
            # A division code (exports write the village's first): unambiguous across a county.
            start = tree["code"].get(names[0])
            if start is None:
                return f"找不到区划代码为 {names[0]} 的网格,或不在您的管辖范围内"
        else:
            candidates = tree["name"].get(names[0], [])
            if len(candidates) > 1:
                # Where each one is: its village, or for a village its town.
                villages = [
                    tree["path"].get(c.ancestor_path_at(2 if c.level > 2 else c.level - 1))
                    for c in candidates
                ]
                where = "、".join(dict.fromkeys(v.name for v in villages if v is not None))
                example = f"“{villages[0].name}/{names[0]}”" if villages[0] is not None else ""
                return (
                    f"有多个网格叫“{names[0]}”(在 {where}),请在前面写上它所在的村或镇"
                    f"{'(如' + example + ')' if example else ''}或使用区划代码"
                )
            if not candidates:
                return f"找不到网格“{clip(names[0])}”(所属网格应写作 村/支部/屋场/中心户,用“/”或“-”分隔)"
            start = candidates[0]
        node = start
        for name in names[1:]:
            child = tree["child"].get((node.pk, name))  # names are unique among siblings
            if child is None:
                # A path may skip levels (青山镇/吴家中心户): a name found once below is the one.
                below = [n for n in tree["name"].get(name, []) if n.path.startswith(node.path)]
                if len(below) > 1:
                    return f"“{node.name}”下有多个网格叫“{name}”,请把中间各级写全或使用区划代码"
                if not below:
                    return f"在“{node.name}”下找不到网格“{clip(name)}”"
                child = below[0]
            node = child
        return node

    def _clean(self, row: Row) -> None:
        """Field rules shared with the forms, and the file-level duplicate check."""
        d = row.data
        masked_id = d.id_number if row.id_masked else ""
        masked_phone = d.phone if row.phone_masked else ""
        if row.id_masked:
            d.id_number = ""
        if row.phone_masked:
            d.phone = ""
        # A cell that could not be read already has its error; no second one for the same cell.
        unreadable = {column for column, _ in row.errors}
        if not row.id_masked and not d.id_number and not row.pk:
            if row.labels["id_number"] not in unreadable:
                row.fail("id_number", "身份证号不能为空")
        for key, message in resident_clean(d, today=self.today).items():
            if key == "gender" and not d.gender and row.id_masked:
                continue  # a masked export keeps the gender of the record it names
            if key == "gender" and not d.gender and row.labels["id_number"] in unreadable:
                continue  # the ID that would give it could not be read: that is the one error
            if key == "birth_date" and row.id_masked and isinstance(d.birth_date, MonthOnly):
                continue  # the registered ID gives the day (_check_against_id)
            column = FIELD_COLUMN.get(key, key)
            if row.labels.get(column, LABELS.get(column)) not in unreadable:
                row.fail(column, message)
        d.id_number = masked_id or d.id_number
        d.phone = masked_phone or d.phone
        if (
            d.id_number
            and not row.id_masked
            and not any(c == row.labels["id_number"] for c, _ in row.errors)
        ):
            sheet, number = self.seen_ids.setdefault(d.id_number, (row.sheet, row.number))
            if (sheet, number) != (row.sheet, row.number):
                where = f"工作表“{sheet}”" if sheet != row.sheet else ""
                row.fail("id_number", f"与{where}第 {number} 行的身份证号重复")
        if row.id_masked and not row.pk:
            row.fail(
                "id_number",
                "身份证号是脱敏的(带*号),只有本系统导出且带“系统编号”的表格才能这样导入",
            )

    # Writing.

    def _process(self, groups: list[list[Row]]) -> None:
        if not groups:
            return
        rows = [r for g in groups for r in g]
        for r in rows:
            self._clean(r)
        for r in rows:
            if r.data.id_number and not r.id_masked:
                r.id_index = blind_index(r.data.id_number, "id")
        by_index = {
            r.id_number_index: r
            for r in Resident.objects.filter(
                id_number_index__in=_registered([r.id_index for r in rows if r.id_index])
            )
            .select_related("household", "node")
            .prefetch_related("tags")
        }
        pks = [r.pk for r in rows if r.pk]
        by_pk: dict[int, object] = {}
        if pks:
            model = Resident if self.kind == "residents" else Household
            qs = model.objects.for_actor(self.actor).filter(pk__in=pks)
            if model is Resident:
                qs = qs.select_related("household", "node").prefetch_related("tags")
            else:
                qs = qs.select_related("head", "node").prefetch_related("tags")
            by_pk = {o.pk: o for o in qs}
        numbers = {r.household_number for r in rows if r.household_number}
        households_by_number: dict[str, list[Household]] = {}
        if numbers:
            for h in (
                Household.objects.for_actor(self.actor)
                .filter(number__in=numbers)
                .select_related("node")
            ):
                households_by_number.setdefault(h.number, []).append(h)
            # Numbers in use outside the actor's scope too: a new family must not take one (the
            # registration page refuses it the same way).
            self.taken_numbers = {}
            for number, path in Household.objects.filter(number__in=numbers).values_list(
                "number", "node__path"
            ):
                self.taken_numbers.setdefault(number, []).append(path)
        plan = _Plan()
        for group in groups:
            self._plan_group(group, by_index, by_pk, households_by_number, plan)
        plan.write(self)
        # Audit each batch as it is written, so that memory holds one batch, not the whole file.
        audit_record_many(actor=self.actor, entries=self.audit)
        self.audit = []
        if self.progress:
            self.progress(self.report.rows)

    @staticmethod
    def _check_against_id(row: Row, id_number: str) -> None:
        """A row of a masked export: its gender and birth date are checked against the ID
        registered for the person, as a full ID in the sheet would be (the form does the same)."""
        from xiangzhi.core.validators import parse_citizen_id

        d = row.data
        try:
            cid = parse_citizen_id(id_number)
        except ValidationError:
            return
        if d.gender and d.gender != cid.gender:
            row.fail("gender", "性别与该居民登记的身份证号不一致(第17位奇数为男,偶数为女)")
        if d.birth_date and d.birth_date != cid.birth_date:
            if same_month(d.birth_date, cid.birth_date):
                d.birth_date = cid.birth_date
            else:
                row.fail(
                    "birth_date",
                    f"出生日期与该居民登记的身份证号中的 {cid.birth_date:%Y-%m-%d} 不一致",
                )

    def _existing(self, row: Row, by_index, by_pk) -> Resident | None:
        """The resident a row names (by 系统编号 or ID number), checked against the row."""
        d = row.data
        found = None
        if row.pk:
            obj = by_pk.get(row.pk)
            if obj is None:
                what = "户" if self.kind == "households" else "居民"
                row.fail("pk", f"系统编号对应的{what}不存在或不在您的管辖范围内")
                return None
            found = obj.head if self.kind == "households" else obj
            if found is None:
                row.fail("pk", "系统编号对应的户没有户主,请在户籍页面先指定户主")
                return None
            if row.id_masked and mask_id_number(found.id_number) != d.id_number:
                row.fail("id_number", "脱敏身份证号与系统编号对应的记录不一致")
            elif row.id_masked:
                self._check_against_id(row, found.id_number)
            elif not row.id_masked and d.id_number:
                other = by_index.get(row.id_index)
                if other is not None and other.pk != found.pk:
                    row.fail("id_number", "该身份证号已登记在其他居民名下")
        elif d.id_number and not row.id_masked:
            found = by_index.get(row.id_index)
        if found is None:
            return None
        if not self.scope.can_write_path(found.node.path):
            row.fail("id_number", "该居民不在您的管辖范围内,或您对其只有查看权限")
            return None
        if row.phone_masked and mask_phone(found.phone) != d.phone:
            row.fail("phone", "脱敏电话与系统中的不一致")
        return found

    def _report_errors(self, group: list[Row]) -> None:
        for r in group:
            for column, message in r.errors:
                self.report.error(r.number, column, message, r.sheet)

    @staticmethod
    def _other_head(household, head_row: Row, head_existing, plan) -> str:
        """The name of the household's head when it is not the person of this head row (户编号
        that restart in each group's sheet would otherwise merge two families), else ""."""
        if household.pk and household.head_id:
            if head_existing is not None and head_existing.pk == household.head_id:
                return ""
            return household.head.name
        first = plan.head_rows.get(id(household))
        if first is not None and first is not head_row:
            return first.data.name
        return ""

    def _plan_group(self, group: list[Row], by_index, by_pk, households_by_number, plan) -> None:
        unknown = next((r for r in group if r.relation_unknown), None)
        if unknown is not None:
            # Whose family the rows are cannot be known: none of them is written.
            for r in group:
                if r is not unknown:
                    r.fail(
                        "relation",
                        f"第 {unknown.number} 行的与户主关系无法识别,"
                        "不能确定这一户有哪些人,整户未导入",
                    )
            self._report_errors(group)
            return
        head_row = next((r for r in group if r.data.relation == Resident.Relation.HEAD), None)
        grid_row = head_row or group[0]
        grid_text = grid_row.grid or next((r.grid for r in group if r.grid), "")
        existing = {id(r): self._existing(r, by_index, by_pk) for r in group}
        if not grid_text:
            unreadable = next((r for r in group if r.failed_on("grid")), None)
            for r in group:
                if not r.failed_on("grid"):
                    r.fail(
                        "grid",
                        f"第 {unreadable.number} 行的所属网格无法读取,该户无法导入"
                        if unreadable
                        else "缺少所属网格,该户无法导入",
                    )
        node = self._node(grid_text) if grid_text else None
        if isinstance(node, str):
            for r in group:
                r.fail("grid", node)
            node = None
        for extra in [r for r in group if r.data.relation == Resident.Relation.HEAD][1:]:
            extra.fail("relation", f"同一户已有户主(第 {head_row.number} 行),一户只能有一个户主")
        household: Household | None = None
        number = grid_row.household_number
        head_existing = existing[id(head_row)] if head_row is not None else None
        if number and node is not None:
            village = node.ancestor_path_at(2)
            # The household the group's registered people belong to, when it has this number:
            # a 户编号 that is duplicated in the village still finds the family's own.
            own = {
                ex.household_id: ex.household
                for r in group
                if (ex := existing[id(r)]) is not None
                and ex.household_id
                and ex.household.number == number
            }
            household = (
                next(iter(own.values())) if len(own) == 1 else self.numbered.get((village, number))
            )
            if household is None:
                same = [
                    h
                    for h in households_by_number.get(number, [])
                    if h.node.path.startswith(village)
                ]
                if same and not self.scope.can_write_path(same[0].node.path):
                    for r in group:
                        r.fail("household_number", f"户编号 {number} 对应的户您只有查看权限")
                    same = []
                household = same[0] if same else None
            if household is not None and head_row is not None:
                other = self._other_head(household, head_row, head_existing, plan)
                if (
                    other
                    and head_existing is not None
                    and head_existing.household_id == household.pk
                ):
                    message = (
                        f"该户在系统中的户主是 {other},与本行不同;"
                        "更换户主请在该户页面点“户主变更”办理,不能通过导入更换"
                    )
                elif other:
                    village_node = self._tree()["path"].get(village)
                    where = village_node.name if village_node is not None else ""
                    group_name = head_row.sheet or "一组"
                    message = (
                        f"户编号 {number} 在{where}已是另一户(户主 {other})的编号。如果是同一户,"
                        f"请核对户主的身份证号;如果不是,请换一个户编号(例如加上组名:{group_name}-{number})"
                    )
                if other:
                    for r in group:
                        r.fail("household_number", message)
                    self._report_errors(group)
                    return
        if household is None and head_existing is not None and head_existing.household_id:
            if head_existing.household.head_id == head_existing.pk:
                household = head_existing.household
            else:
                head_row.fail(
                    "relation",
                    "该居民已是另一户的成员(不是户主):如需改由此人当户主,请在该户页面点“户主变更”;"
                    "如需分出去另立一户,请用“分户”",
                )
        if household is None and head_row is None:
            # Rows that continue a household without its head row: the household of its members.
            homes = {existing[id(r)].household_id for r in group if existing[id(r)] is not None}
            if len(homes) == 1 and None not in homes:
                household = next(
                    existing[id(r)] for r in group if existing[id(r)] is not None
                ).household
        if household is None and node is not None:
            if head_row is None or head_row.errors:
                why = (
                    "该户没有“与户主关系”为户主的行"
                    if head_row is None
                    else f"该户的户主行(第 {head_row.number} 行)有错误"
                )
                for r in group:
                    if not r.errors:
                        r.fail("relation", f"{why},整户未导入")
            elif not (head_row.address or any(r.address for r in group)):
                for r in group:
                    r.fail("address", "新登记的户需要填写家庭住址")
            elif number and any(
                p.startswith(node.ancestor_path_at(2)) for p in self.taken_numbers.get(number, [])
            ):
                for r in group:
                    r.fail(
                        "household_number", f"户编号 {number} 在本村已被另一户使用,请换一个户编号"
                    )
            else:
                household = plan.new_household(
                    node=node,
                    number=number,
                    address=head_row.address or next(r.address for r in group if r.address),
                    row=head_row,
                )
                if number:
                    self.numbered[(node.ancestor_path_at(2), number)] = household
        elif (
            household is not None
            and household.pk
            and node is not None
            and not any(r.errors for r in group)
        ):
            # A household changes (grid, address, number) only from a group without errors, and
            # its grid only from its head's row: a member's row elsewhere in the sheet (a baby
            # added at the bottom) must not move the family.
            if head_row is None and node.pk != household.node_id:
                for r in group:
                    r.fail(
                        "grid",
                        f"该户登记在“{household.node.name}”,与本行的所属网格不一致;"
                        "户的所属网格请在户主那一行修改",
                    )
            else:
                plan.household_changes(household, head_row, node, number, self)
        for r in group:
            if r.errors:
                self._report_errors([r])
                continue
            ex = existing[id(r)]
            if ex is None:
                if household is None:
                    continue
                if self.kind == "residents" and "relation" not in r.present:
                    self.report.error(
                        r.number,
                        LABELS["relation"],
                        "表格没有“与户主关系”列:新登记的居民需要写明与户主的关系",
                        r.sheet,
                    )
                    continue
                plan.new_resident(household, r)
                self.report.created += 1
            elif household is not None and ex.household_id and ex.household_id != household.pk:
                self.report.error(
                    r.number,
                    r.labels["id_number"],
                    f"该居民已登记在其他户(户编号 {ex.household.number or ex.household_id}),"
                    "如需迁移请使用迁出/迁入或分户功能",
                    r.sheet,
                )
            else:
                changed = plan.resident_changes(ex, r)
                if self.kind == "households":
                    changed = plan.household_row_changes(household, r) or changed
                if changed or (r is head_row and plan.household_touched(household)):
                    self.report.updated += 1
                else:
                    self.report.unchanged += 1


class _Plan:
    """The writes of one batch, done in bulk."""

    def __init__(self):
        self.households: list[Household] = []
        self.head_rows: dict[int, Row] = {}
        self.residents: list[tuple[Household, Row]] = []
        self.updates: dict[int, tuple[Resident, dict]] = {}
        self.household_updates: dict[int, tuple[Household, dict]] = {}
        self.tag_sets: dict[int, list[str]] = {}
        self.household_tag_sets: dict[int, list[str]] = {}

    def new_household(self, *, node, number, address, row: Row) -> Household:
        h = Household(
            node=node,
            number=number,
            address=address,
            note=row.data.note if row.kind == "households" else "",
        )
        if row.central is not None:
            h.is_central_household = row.central
        self.households.append(h)
        self.head_rows[id(h)] = row
        return h

    def new_resident(self, household: Household, row: Row) -> None:
        self.residents.append((household, row))

    def household_touched(self, household) -> bool:
        return household is not None and household.pk in self.household_updates

    def household_changes(
        self, household: Household, head_row: Row | None, node, number, run
    ) -> None:
        if household.pk in self.household_updates:
            return
        changes = {}
        if node.pk != household.node_id:
            changes["node"] = [household.node_id, node.pk]
        if head_row is not None:
            if head_row.address and head_row.address != household.address:
                changes["address"] = [household.address, head_row.address]
            if number and number != household.number:
                changes["number"] = [household.number, number]
        if changes:
            self.household_updates[household.pk] = (household, changes)

    def household_row_changes(self, household: Household, row: Row) -> bool:
        changes = dict(self.household_updates.get(household.pk, (household, {}))[1])
        if row.central is not None and row.central != household.is_central_household:
            changes["is_central_household"] = [household.is_central_household, row.central]
        if row.data.note and row.data.note != household.note:
            changes["note"] = [household.note, row.data.note]
        if row.tags_given and row.data.tags:
            old = sorted(t.code for t in household.tags.all())
            if old != row.data.tags:
                changes["tags"] = [old, row.data.tags]
                self.household_tag_sets[household.pk] = row.data.tags
        if changes:
            self.household_updates[household.pk] = (household, changes)
        return bool(changes)

    def resident_changes(self, resident: Resident, row: Row) -> bool:
        d = row.data
        changes = {}

        def compare(name, new, present=True):
            if present and getattr(resident, name) != new:
                changes[name] = [getattr(resident, name), new]

        compare("name", d.name)
        if d.gender:
            compare("gender", d.gender)
        if d.birth_date:
            compare("birth_date", d.birth_date)
        # A blank cell says nothing: it never erases what is registered (an older or partial
        # roster must not wipe numbers entered since); clearing a value is done on the page.
        compare("ethnicity", d.ethnicity, "ethnicity" in row.present and bool(d.ethnicity))
        if d.phone and not row.phone_masked:
            compare("phone", d.phone)
        if not row.id_masked and d.id_number:  # an empty ID cell changes nothing
            compare("id_number", d.id_number)
        if row.present & {"relation"} and d.relation:
            compare("relation", d.relation)
        compare("note", d.note, bool(d.note) and row.kind == "residents")
        if row.tags_given and d.tags and row.kind == "residents":
            old = sorted(t.code for t in resident.tags.all())
            if old != d.tags:
                changes["tags"] = [old, d.tags]
                self.tag_sets[resident.pk] = d.tags
        if changes:
            self.updates[resident.pk] = (resident, changes)
        return bool(changes)

    def write(self, run: RegistryImport) -> None:
        now = timezone.now()
        today = timezone.localdate()
        if self.households:
            fast_insert(Household, self.households)
            for h in self.households:
                run.audit.append(
                    {
                        "action": PeopleAction.HOUSEHOLD_IMPORT_CREATE,
                        "obj": h,
                        "changes": {"address": h.address, "number": h.number},
                    }
                )
        if self.residents:
            actor_id = run.actor.pk if getattr(run.actor, "pk", None) else None
            keys = insert_rows(
                Resident,
                RESIDENT_ROW_COLUMNS,
                [
                    resident_row(
                        household_id=h.pk,
                        node_id=h.node_id,
                        data=row.data,
                        now=now,
                        # In a households sheet the note is the household's.
                        note="" if row.kind == "households" else None,
                        id_index=row.id_index or None,
                    )
                    for h, row in self.residents
                ],
                returning=True,
            )
            heads = []
            changes = []
            for pk, (h, row) in zip(keys, self.residents, strict=True):
                if row.data.relation == Resident.Relation.HEAD and h.head_id is None:
                    h.head_id = pk
                    heads.append((pk, h.pk))
                changes.append(
                    (h.pk, HouseholdChange.Kind.IMPORT, today, pk, "表格导入", actor_id, now)
                )
                run.audit.append(
                    {
                        "action": PeopleAction.RESIDENT_IMPORT_CREATE,
                        "object_type": "people.resident",
                        "object_id": pk,
                        "object_repr": row.data.name,
                        "node": h.node_id,
                        "changes": {"name": row.data.name, "household": h.pk, "row": row.number},
                    }
                )
            update_column(Household, "head", heads)
            insert_rows(HouseholdChange, HISTORY_COLUMNS, changes)
            # In a households sheet the tags belong to the household, else to the person.
            tag_ids = {t.code: t.pk for t in run.tags.values()}
            if run.kind == "households":
                through, fk = Household.tags.through, "household_id"
                owners = [h.pk for h, _ in self.residents]
            else:
                through, fk = Resident.tags.through, "resident_id"
                owners = keys
            insert_rows(
                through,
                (fk, "tag_id"),
                [
                    (owner, tag_ids[code])
                    for owner, (_, row) in zip(owners, self.residents, strict=True)
                    for code in row.data.tags
                ],
            )
        if self.updates:
            fields = sorted({k for _, ch in self.updates.values() for k in ch if k != "tags"})
            objs = []
            for resident, changes in self.updates.values():
                for name, (_, new) in changes.items():
                    if name != "tags":
                        setattr(resident, name, new)
                resident.updated_at = now
                resident.prepare()
                objs.append(resident)
                run.audit.append(
                    {
                        "action": PeopleAction.RESIDENT_IMPORT_UPDATE,
                        "obj": resident,
                        "changes": changes,
                    }
                )
            if fields:
                Resident.objects.bulk_update(
                    objs,
                    [
                        *fields,
                        "updated_at",
                        "name_pinyin",
                        "name_initials",
                        "id_number_index",
                        "phone_index",
                        "id_number_mask",
                        "phone_mask",
                    ],
                    batch_size=1000,
                )
            self._replace_tags(Resident.tags.through, "resident_id", self.tag_sets, run)
        if self.household_updates:
            objs = []
            for household, changes in self.household_updates.values():
                for name, (_, new) in changes.items():
                    if name == "node":
                        household.node_id = new
                    elif name != "tags":
                        setattr(household, name, new)
                household.updated_at = now
                objs.append(household)
                run.audit.append(
                    {
                        "action": PeopleAction.HOUSEHOLD_IMPORT_UPDATE,
                        "obj": household,
                        "changes": changes,
                    }
                )
                if "node" in changes:
                    Resident.objects.filter(household=household).update(node_id=household.node_id)
            Household.objects.bulk_update(
                objs,
                ["node", "address", "number", "is_central_household", "note", "updated_at"],
                batch_size=1000,
            )
            self._replace_tags(Household.tags.through, "household_id", self.household_tag_sets, run)

    @staticmethod
    def _replace_tags(through, fk: str, sets: dict[int, list[str]], run) -> None:
        if not sets:
            return
        tag_ids = {t.code: t.pk for t in run.tags.values()}
        through.objects.filter(**{f"{fk}__in": list(sets)}).delete()
        through.objects.bulk_create(
            [
                through(**{fk: pk, "tag_id": tag_ids[code]})
                for pk, codes in sets.items()
                for code in codes
            ]
        )


def registry_import(
    *,
    actor,
    kind: str,
    path,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    progress=None,
    source_name: str = "",
) -> ImportReport:
    """Import a residents or households sheet; see the module docstring."""
    return RegistryImport(
        actor=actor,
        kind=kind,
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
        progress=progress,
        source_name=source_name,
    ).run(path)
