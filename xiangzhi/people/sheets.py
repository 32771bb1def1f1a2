"""The registry's sheet kinds: residents and households import and export, the change ledger
(人口变动台账) exports only. Registered from PeopleConfig.ready(); core.sheets serves them."""

from __future__ import annotations

from xiangzhi.core.sheets import ExportSide, ImportSide, SheetKind

from . import selectors
from .actions import PeopleAction
from .import_template import write_import_template
from .services.imports import RegistryImport
from .xlsx import (
    CHANGE_COLUMNS,
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_REQUIRED,
    RESIDENT_COLUMNS,
    RESIDENT_REQUIRED,
)

TEXT_COLUMNS = ("pk", "id_number", "phone", "household_number")
UPLOAD_HELP = (
    "直接上传村里现有的 Excel 花名册即可。系统会自动识别表头（姓名、身份证号、与户主关系、户编号、"
    "家庭住址、所属网格等），忽略不认识的列；“所属网格”可以写区划代码，或写作 村/支部/屋场/中心户。"
    "同一个文件重复导入不会重复登记。隐藏或筛选掉的行不导入。"
)
REFUSED = "您没有导入户籍数据的权限"


def _imports(action: PeopleAction, required: list[str], hint: str) -> ImportSide:
    return ImportSide(
        action=action,
        required=tuple(required),
        importer=RegistryImport,
        hint=hint,
        noun="花名册",
        help=UPLOAD_HELP,
        nav="households",
        template=write_import_template,
    )


RESIDENTS = SheetKind(
    key="residents",
    label="居民花名册",
    columns=tuple(RESIDENT_COLUMNS),
    imports=_imports(PeopleAction.RESIDENT_IMPORT, RESIDENT_REQUIRED, "每人一行"),
    exports=ExportSide(
        action=PeopleAction.RESIDENT_EXPORT,
        records=selectors.resident_list,
        rows=selectors.resident_export_rows,
        text_columns=TEXT_COLUMNS,
    ),
    refused=REFUSED,
)
HOUSEHOLDS = SheetKind(
    key="households",
    label="户籍台账",
    columns=tuple(HOUSEHOLD_COLUMNS),
    imports=_imports(PeopleAction.HOUSEHOLD_IMPORT, HOUSEHOLD_REQUIRED, "每户一行"),
    exports=ExportSide(
        action=PeopleAction.HOUSEHOLD_EXPORT,
        records=selectors.household_list,
        rows=selectors.household_export_rows,
        text_columns=TEXT_COLUMNS,
    ),
    refused=REFUSED,
)
CHANGES = SheetKind(
    key="changes",
    label="人口变动台账",
    columns=tuple(CHANGE_COLUMNS),
    exports=ExportSide(
        action=PeopleAction.HOUSEHOLD_CHANGE_EXPORT,
        records=selectors.household_change_list,
        rows=selectors.household_change_export_rows,
        text_columns=TEXT_COLUMNS,
    ),
)
SHEET_KINDS = (RESIDENTS, HOUSEHOLDS, CHANGES)
