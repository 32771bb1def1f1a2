from __future__ import annotations

import time

from django.conf import settings

from xiangzhi.core import xlsx
from xiangzhi.core.registry import AuditAction
from xiangzhi.core.sheets import ImportSide, SheetKind
from xiangzhi.people.models import Tag


class WorkerAction(AuditAction):
    TAG_IMPORT = "people.worker_tag_import", "导入标签(测试)", "tests.core.worker_app.kinds.tag"


def tag(*, actor, values: dict) -> str:
    """Write a tag (a row of a normal import)."""
    Tag.objects.create(code=values["code"], name=values["name"])
    return "created"


def hog(*, actor, values: dict) -> str:
    """Write a tag, then allocate twice the child's memory limit (a MemoryError there)."""
    tag(actor=actor, values=values)
    hoard = bytearray(2 * settings.XIANGZHI_IMPORT_MEMORY_BYTES)
    return "created" if hoard else "unchanged"


def crash(*, actor, values: dict) -> str:
    """Write a tag, then hand the workbook named in the row to calamine past the guard: calamine
    aborts the process when it cannot allocate the sheet's used range."""
    from python_calamine import CalamineWorkbook

    tag(actor=actor, values={"code": values["code"], "name": "崩溃"})  # a path is too long a name
    CalamineWorkbook.from_path(values["name"]).get_sheet_by_index(0)
    return "created"


def sleepy(*, actor, values: dict) -> str:
    """Write a tag, then take longer than any test's timeout."""
    tag(actor=actor, values=values)
    time.sleep(600)
    return "created"


def _kind(key: str, write) -> SheetKind:
    return SheetKind(
        key=key,
        label=f"测试{key}",
        columns=(xlsx.Column("code", "代码"), xlsx.Column("name", "名称")),
        imports=ImportSide(
            action=WorkerAction.TAG_IMPORT, required=("code", "name"), write_row=write
        ),
    )


KINDS = [
    _kind("w_tags", tag),
    _kind("w_hog", hog),
    _kind("w_crash", crash),
    _kind("w_sleepy", sleepy),
]
