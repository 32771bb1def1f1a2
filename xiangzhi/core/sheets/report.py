"""The report of an import: counts, and each error with its Excel row number and column label.

`as_dict()` is the JSON that `import_xlsx --report` writes and the job pages read:
{"created": n, "updated": n, "unchanged": n, "errors": [{"row": r, "column": "...", "message":
"..."}], ...}, rows numbered as Excel shows them (0 for the file as a whole).
"""

from __future__ import annotations

from dataclasses import dataclass, field


def hidden_rows_notice(count: int, examples: list[str]) -> str:
    more = "等" if count > len(examples) else ""
    return (
        f"注意：表格中有 {count} 行被隐藏或被筛选掉了（{'、'.join(examples)}{more}），这些行没有导入。"
        "如需导入，请在 Excel 中取消筛选、取消隐藏后重新上传。"
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
