"""The blank roster (导入模板) a village can fill in when it keeps no ledger yet, or wants a clean
one: the columns the import reads, drop-down suggestions, text cells for ID and phone numbers (so
that Excel never rounds them), a sheet of instructions and a sheet of the grids the user may fill.

The instructions and grid sheets name at most one import column per row, so the import, which
reads every sheet that has a header, skips them (a test holds this)."""

from __future__ import annotations

from xiangzhi.core.scope import scope_for
from xiangzhi.core.xlsx import sheet_text
from xiangzhi.grid.labels import grid_labels
from xiangzhi.grid.models import GridNode

# The import columns a template offers, in order (系统编号 belongs to exported sheets only).
TEMPLATE_COLUMNS = {
    "residents": [
        ("序号", "选填", "可以不填，导入时不使用。"),
        ("姓名", "必填", "与身份证一致。"),
        ("性别", "选填", "男或女；不填时按身份证号第17位推算。"),
        ("民族", "选填", "如 汉族、土家族；写“汉”“土家”也可以。"),
        ("出生日期", "选填", "如 1990-01-15;不填时按身份证号推算，只写年月时日子按身份证号补全。"),
        ("身份证号", "必填", "18位（或旧版15位）；本列已设为文本格式，请不要改成数字格式。"),
        ("联系电话", "选填", "11位手机号，或带区号的固定电话（如 0731-1234567）；只填一个号码。"),
        (
            "与户主关系",
            "必填",
            "每户第一行写“户主”，其他人写 配偶、子、女、父、母 等（可从下拉中选）。",
        ),
        ("户编号", "选填", "同一户的人填相同的户编号；不填时，从“户主”行到下一个户主之前算一户。"),
        ("家庭住址", "新户必填", "写在户主那一行即可。"),
        ("所属网格", "必填", "写在户主那一行即可；从“可填写的网格”表中复制，或从下拉中选。"),
        ("标签", "选填", "如 低保户、五保户，多个用顿号分隔。"),
        ("备注", "选填", "不超过200个字。"),
    ],
    "households": [
        ("户编号", "选填", "村里的户编号。"),
        ("户主姓名", "必填", "与身份证一致。"),
        ("户主性别", "选填", "男或女；不填时按身份证号推算。"),
        ("户主身份证号", "必填", "18位（或旧版15位）；本列已设为文本格式。"),
        ("联系电话", "选填", "11位手机号，或带区号的固定电话；只填一个号码。"),
        ("家庭住址", "必填", ""),
        ("所属网格", "必填", "从“可填写的网格”表中复制，或从下拉中选。"),
        ("标签", "选填", "户的类别，如 脱贫户，多个用顿号分隔。"),
        ("党员中心户", "选填", "是党员中心户的写“是”。"),
        ("备注", "选填", "不超过200个字。"),
    ],
}
TITLES = {"residents": "居民花名册", "households": "户籍台账"}
TEXT = {"身份证号", "户主身份证号", "联系电话", "户编号"}
SUGGESTIONS = {
    "性别": ["男", "女"],
    "户主性别": ["男", "女"],
    # Everyday words, each one the import reads (a test checks them against RELATIONS).
    "与户主关系": "户主 配偶 子 女 父 母 孙子 孙女 兄弟姐妹 儿媳 女婿 祖父母 其他".split(),
    "党员中心户": ["是", "否"],
}
BLANK_ROWS = 500  # rows made ready (text format, drop-downs) below the header
MAX_GRIDS = 20_000


def writable_grids(*, actor) -> list[tuple[str, str]]:
    """(所属网格 text, level name) of each lowest node (a household's place: a 党员中心户, or the
    lowest level a village has) from the villages down that the user may write."""
    from django.conf import settings

    scope = scope_for(actor)
    labels = grid_labels(actor=actor)
    level_names = settings.XIANGZHI_GRID_LEVELS
    nodes = list(
        GridNode.objects.for_actor(actor)
        .filter(level__gte=2)
        .order_by("path")
        .values_list("path", "level")
    )
    out = []
    for i, (path, level) in enumerate(nodes):
        has_child = i + 1 < len(nodes) and nodes[i + 1][0].startswith(path)
        if not has_child and scope.can_write_path(path) and path in labels:
            out.append((labels[path], level_names.get(level, str(level))))
            if len(out) >= MAX_GRIDS:
                break
    return out


def write_import_template(*, actor, kind: str, target) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = TEMPLATE_COLUMNS[kind]
    grids = writable_grids(actor=actor)
    wb = Workbook()
    ws = wb.active
    ws.title = TITLES[kind]
    ws.append([label for label, _, _ in columns])
    ws.freeze_panes = "A2"
    for i, (label, required, _) in enumerate(columns, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="C00000" if required.endswith("必填") else None)
        ws.column_dimensions[letter].width = 22 if label in TEXT or label == "所属网格" else 12
        if label in TEXT:
            for row in range(2, BLANK_ROWS + 2):
                ws.cell(row=row, column=i).number_format = "@"
        choices = SUGGESTIONS.get(label)
        formula = None
        if choices:
            formula = '"' + ",".join(choices) + '"'
        elif label == "所属网格" and grids:
            formula = f"'可填写的网格'!$A$2:$A${len(grids) + 1}"
        if formula:
            # Suggestions, not rules: the import understands more than the list (二子, 汉, codes).
            dv = DataValidation(type="list", formula1=formula, allow_blank=True)
            dv.showErrorMessage = False
            dv.add(f"{letter}2:{letter}{BLANK_ROWS + 1}")
            ws.add_data_validation(dv)

    help_sheet = wb.create_sheet("填表说明")
    help_sheet.append(["列", "是否必填", "怎么填"])
    for label, required, how in columns:
        help_sheet.append([label, required, how])
    help_sheet.append([])
    for line in (
        "一行一个人（户籍台账一行一户）。表格上方可以加标题行，不认识的列会被忽略。",
        "可以一个村民小组一张工作表，每张都保留表头；本“填表说明”表和“可填写的网格”表不会被导入。",
        "身份证号、电话列已设为文本格式；如从别处粘贴，请用“选择性粘贴-数值”，不要让 Excel 改成数字。",
        "导入前可以先勾选“只检查，不导入”，看看哪些行需要修改。",
    ):
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 14
    help_sheet.column_dimensions["B"].width = 10
    help_sheet.column_dimensions["C"].width = 80
    for row in help_sheet.iter_rows(min_row=1, max_row=1):
        for cell in row:
            cell.font = Font(bold=True)
    for row in help_sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    grid_sheet = wb.create_sheet("可填写的网格")
    grid_sheet.append(["可填写的网格（复制到“所属网格”列）", "层级"])
    for text, level in grids:
        grid_sheet.append([sheet_text(text), level])
        # Grid names are typed by users: a label that starts with "=" is text, not a formula.
        grid_sheet.cell(row=grid_sheet.max_row, column=1).data_type = "s"
    if not grids:
        grid_sheet.append(["您没有可以登记居民的网格，请联系乡镇管理员分配。", ""])
    grid_sheet.column_dimensions["A"].width = 60
    grid_sheet.column_dimensions["B"].width = 28
    grid_sheet["A1"].font = grid_sheet["B1"].font = Font(bold=True)
    wb.active = 0
    wb.save(target)
