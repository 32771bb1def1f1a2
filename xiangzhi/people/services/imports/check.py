"""The check step: each row against the rules the forms apply (resident_clean), against the rows
before it in the file (an ID given twice), and, for a masked export, against the registered ID."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from xiangzhi.core.validators import parse_citizen_id
from xiangzhi.core.xlsx import MonthOnly

from ..resident_data import resident_clean, same_month
from .cells import LABELS, Row


def _field_rules(row: Row, *, today: dt.date, unreadable: set[str]) -> None:
    """resident_clean's messages, but none for a cell that already has its error."""
    d = row.data
    for key, message in resident_clean(d, today=today).items():
        if key == "gender" and not d.gender and row.id_masked:
            continue  # a masked export keeps the gender of the record it names
        if key == "gender" and not d.gender and row.labels["id_number"] in unreadable:
            continue  # the ID that would give it could not be read: that is the one error
        if key == "birth_date" and row.id_masked and isinstance(d.birth_date, MonthOnly):
            continue  # the registered ID gives the day (check_against_id)
        # resident_clean names its fields as the row's columns are keyed.
        if row.labels.get(key, LABELS.get(key)) not in unreadable:
            row.fail(key, message)


def _seen(seen: dict[str, tuple[str, int]], key: str, row: Row) -> str:
    """Where an earlier row of the file gave this key ("第 3 行"), or "" for its first row."""
    sheet, number = seen.setdefault(key, (row.sheet, row.number))
    if (sheet, number) == (row.sheet, row.number):
        return ""
    return (f"工作表“{sheet}”" if sheet != row.sheet else "") + f"第 {number} 行"


def clean_row(row: Row, *, today: dt.date, seen_ids: dict[str, tuple[str, int]]) -> None:
    """Field rules shared with the forms, and the file-level duplicate checks (`seen_ids`: an ID,
    or "pk:" and a 系统编号 -> (sheet, row) of its first row)."""
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
    _field_rules(row, today=today, unreadable=unreadable)
    d.id_number = masked_id or d.id_number
    d.phone = masked_phone or d.phone
    if (
        d.id_number
        and not row.id_masked
        and not any(c == row.labels["id_number"] for c, _ in row.errors)
    ):
        if earlier := _seen(seen_ids, d.id_number, row):
            row.fail("id_number", f"与{earlier}的身份证号重复")
    if row.pk and (earlier := _seen(seen_ids, f"pk:{row.pk}", row)):
        # A row copied to add a newcomer with its 系统编号 left in would rename the person the
        # number names and give them the newcomer's ID.
        row.fail("pk", f"与{earlier}的系统编号重复：新登记的人请把系统编号留空")
    if row.id_masked and not row.pk:
        row.fail(
            "id_number",
            "身份证号是脱敏的（带*号），只有本系统导出且带“系统编号”的表格才能这样导入",
        )


def check_against_id(row: Row, id_number: str) -> None:
    """A row of a masked export: its gender and birth date are checked against the ID
    registered for the person, as a full ID in the sheet would be (the form does the same)."""
    d = row.data
    try:
        cid = parse_citizen_id(id_number)
    except ValidationError:
        return
    if d.gender and d.gender != cid.gender:
        row.fail("gender", "性别与该居民登记的身份证号不一致（第17位奇数为男，偶数为女）")
    if d.birth_date and d.birth_date != cid.birth_date:
        if same_month(d.birth_date, cid.birth_date):
            d.birth_date = cid.birth_date
        else:
            row.fail(
                "birth_date",
                f"出生日期与该居民登记的身份证号中的 {cid.birth_date:%Y-%m-%d} 不一致",
            )
