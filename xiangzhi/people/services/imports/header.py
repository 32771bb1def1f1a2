"""The header step: which sheets of the workbook are rosters, and each roster's column labels.

A village's workbook often keeps other lists beside the roster (a 汇总 of households per group,
a list of 低保户 or party members): those are skipped and said so; a sheet that looks like a
roster but lacks a required column refuses the file, or its people would silently be missing.
"""

from __future__ import annotations

from xiangzhi.core.xlsx import Header, SheetError, Table

from .cells import LABELS


def roster_like(kind: str, keys: set[str]) -> bool:
    """Whether a sheet's columns make it a list of people to register (a roster), rather than
    another list kept beside it (a 汇总, a list of 低保户 or party members)."""
    if kind == "households":
        return "name" in keys and bool({"household_number", "address"} & keys)
    return "name" in keys and bool({"household_number", "relation"} & keys)


def roster_columns(kind: str) -> list[str]:
    """The columns of which a roster has one at least (besides the name)."""
    if kind == "households":
        return ["户编号", "家庭住址"]
    return ["户编号", "与户主关系"]


def other_lists(kind: str, table: Table) -> list[dict]:
    """The complete sheets to skip as other lists ({"sheet", "missing"}); a SheetError when a
    sheet is a roster with a broken header."""
    for h in table.skipped_sheets:
        if roster_like(kind, set(h.columns)):
            raise SheetError(
                f"工作表“{h.sheet}”像是花名册，但表头缺少必需的列：{'、'.join(h.missing)}。"
                "请改正表头后重新上传（例如“身分证号”应写作“身份证号”）。"
            )
    rosters = [h for h in table.headers if roster_like(kind, set(h.columns))]
    if kind == "residents" and not rosters:
        where = f"工作表“{table.headers[0].sheet}”的" if len(table.headers) > 1 else ""
        raise SheetError(f"{where}表头缺少“户编号”或“与户主关系”列，无法确定每个人属于哪一户。")
    return [
        {"sheet": h.sheet, "missing": roster_columns(kind)}
        for h in table.headers
        if rosters and h not in rosters
    ]


def header_labels(header: Header) -> dict[str, str]:
    """Each key's column label as the sheet writes it (for error reports), else the standard."""
    return {k: header.labels.get(k, LABELS.get(k, k)) for k in LABELS}
