"""The reading layer of the spreadsheet engine on the sheets cadres really keep: rows numbered as
Excel numbers them wherever the table starts, every visible sheet of people read, merged cells,
invisible characters, two columns for one thing, notes in headers, headers repeated on every
printed page, and files whose name lies about their format. No database: read_table only."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import unicodedata
import zipfile
from xml.sax.saxutils import escape

import pytest
from openpyxl import Workbook

from xiangzhi.core import xlsx
from xiangzhi.core.xlsx import Column, SheetError, layout, read_table
from xiangzhi.core.xlsx.guard import check_workbook

COLUMNS = [
    Column("seq", "序号"),
    Column("name", "姓名", ("名字",), weak_aliases=("户主姓名",)),
    Column("id_number", "身份证号", ("身份证号码",)),
    Column("phone", "联系电话", ("手机号", "电话")),
    Column("birth_date", "出生日期"),
    Column("relation", "与户主关系"),
    Column("address", "家庭住址", ("住址",)),
    Column("grid", "所属网格", ("村组",)),
    Column("note", "备注"),
]
REQUIRED = ["name", "id_number"]
ID1 = "430521199001011234"
ID2 = "430521199202022345"


def book(path, sheets):
    """A workbook from {title: build(ws)} (or rows to append), sheets in that order."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, content in sheets.items():
        ws = wb.create_sheet(title)
        if callable(content):
            content(ws)
        else:
            for row in content:
                ws.append(row)
    wb.save(path)
    return path


def rows(table):
    return [(sheet, number, values) for sheet, number, values in table.rows]


def numbers(table):
    return [(number, values.get("name")) for _, number, values in table.rows]


def read(path, columns=COLUMNS, required=REQUIRED):
    return read_table(path, columns, required=required)


# 1. Row numbers as Excel shows them.


def _blank_rows_first(ws):
    ws["A3"], ws["B3"] = "姓名", "身份证号"
    ws["A4"], ws["B4"] = "张三", ID1
    ws["A5"], ws["B5"] = "李四", ID2


def _column_c(ws):
    ws["C1"], ws["D1"] = "姓名", "身份证号"
    ws["C2"], ws["D2"] = "张三", ID1
    ws["C3"], ws["D3"] = "李四", ID2


def _blank_rows_and_column_c(ws):
    ws["C3"], ws["D3"], ws["E3"] = "姓名", "身份证号", "备注"
    ws["C4"], ws["D4"] = "张三", ID1
    ws["C5"], ws["D5"] = "李四", ID2


def _title_rows(ws):
    ws["B2"] = "甲村2024年人口花名册"
    ws.merge_cells("B2:E2")
    ws["B3"] = "填报单位:甲村村委会"
    ws["B4"], ws["C4"], ws["D4"] = "序号", "姓名", "身份证号"
    ws["B5"], ws["C5"], ws["D5"] = 1, "张三", ID1
    ws["B6"], ws["C6"], ws["D6"] = 2, "李四", ID2


def _two_row_header(ws):
    ws["B4"], ws["C4"], ws["D4"] = "姓名", "证件信息", "家庭情况"
    ws.merge_cells("B4:B5")
    ws.merge_cells("D4:E4")
    ws["C5"], ws["D5"], ws["E5"] = "身份证号", "与户主关系", "家庭住址"
    ws["B6"], ws["C6"], ws["D6"], ws["E6"] = "张三", ID1, "户主", "甲村1号"
    ws["B7"], ws["C7"], ws["D7"], ws["E7"] = "李四", ID2, "子", "甲村1号"


def _blank_row_between(ws):
    ws["B2"], ws["C2"] = "姓名", "身份证号"
    ws["B3"], ws["C3"] = "张三", ID1
    ws["B6"], ws["C6"] = "李四", ID2


@pytest.mark.parametrize(
    "build, header_row, name_column, expected",
    [
        (_blank_rows_first, 3, 0, [(4, "张三"), (5, "李四")]),
        (_column_c, 1, 2, [(2, "张三"), (3, "李四")]),
        (_blank_rows_and_column_c, 3, 2, [(4, "张三"), (5, "李四")]),
        (_title_rows, 4, 2, [(5, "张三"), (6, "李四")]),
        (_two_row_header, 5, 1, [(6, "张三"), (7, "李四")]),
        (_blank_row_between, 2, 1, [(3, "张三"), (6, "李四")]),
    ],
)
def test_rows_are_numbered_as_excel_numbers_them(
    tmp_path, build, header_row, name_column, expected
):
    table = read(book(tmp_path / "x.xlsx", {"花名册": build}))
    assert table.header_row == header_row
    assert table.columns["name"] == name_column  # 0 is column A
    assert numbers(table) == expected


def test_the_header_is_found_after_many_blank_rows(tmp_path):
    def build(ws):
        ws["A30"], ws["B30"] = "姓名", "身份证号"
        ws["A31"], ws["B31"] = "张三", ID1

    table = read(book(tmp_path / "x.xlsx", {"花名册": build}))
    assert (table.header_row, numbers(table)) == (30, [(31, "张三")])


# 2. Which sheets are read.


def test_a_hidden_stale_sheet_is_not_read(tmp_path):
    def stale(ws):
        ws.append(["姓名", "身份证号"])
        ws.append(["旧人", ID2])
        ws.sheet_state = "hidden"

    def very_hidden(ws):
        stale(ws)
        ws.sheet_state = "veryHidden"

    path = book(
        tmp_path / "x.xlsx",
        {
            "旧数据": stale,
            "代码表": very_hidden,
            "花名册": [["姓名", "身份证号"], ["张三", ID1]],
        },
    )
    table = read(path)
    assert table.sheets == ["花名册"]
    assert rows(table) == [("花名册", 2, {"name": "张三", "id_number": ID1})]


def test_an_instructions_sheet_before_the_roster_is_skipped(tmp_path):
    path = book(
        tmp_path / "x.xlsx",
        {
            "填表说明": [
                ["填表说明"],
                ["1. 姓名必须与身份证一致"],
                ["2. 身份证号请设为文本格式"],
                ["列名", "说明"],
                ["姓名", "必填"],
                ["身份证号", "必填,18位"],
            ],
            "花名册": [["甲村花名册"], ["姓名", "身份证号"], ["张三", ID1]],
        },
    )
    table = read(path)
    assert table.sheets == ["花名册"] and table.header_row == 2
    assert numbers(table) == [(3, "张三")]


def test_one_sheet_per_group_is_read_in_turn_each_with_its_own_columns(tmp_path):
    path = book(
        tmp_path / "x.xlsx",
        {
            "一组": [["姓名", "身份证号", "民族"], ["张一", ID1, "汉族"], ["李一", ID2, "瑶族"]],
            "汇总": [["村民小组", "户数", "人数"], ["一组", 1, 2], ["二组", 1, 1]],
            "二组": [
                ["二组花名册"],
                ["身份证号码", "联系电话", "名字", "职业"],
                [ID2, "13912345678", "王二", "务农"],
            ],
        },
    )
    table = read(path)
    assert table.sheets == ["一组", "二组"]
    assert rows(table) == [
        ("一组", 2, {"name": "张一", "id_number": ID1}),
        ("一组", 3, {"name": "李一", "id_number": ID2}),
        ("二组", 3, {"id_number": ID2, "phone": "13912345678", "name": "王二"}),
    ]
    # The first sheet's header describes the table; every sheet's is in headers.
    assert (table.header_row, table.columns, table.labels["id_number"]) == (
        1,
        {"name": 0, "id_number": 1},
        "身份证号",
    )
    second = table.headers[1]
    assert (second.sheet, second.row, second.columns) == (
        "二组",
        2,
        {"id_number": 0, "phone": 1, "name": 2},
    )
    assert second.labels["id_number"] == "身份证号码"
    assert table.unknown == ["民族", "职业"]


def test_the_unknown_headers_of_all_sheets_are_listed_once(tmp_path):
    path = book(
        tmp_path / "x.xlsx",
        {
            "一组": [["姓名", "身份证号", "民族", "职业"], ["张一", ID1]],
            "二组": [["姓名", "职业", "身份证号", "学历"], ["王二", "", ID2]],
        },
    )
    assert read(path).unknown == ["民族", "职业", "学历"]


def test_beside_a_complete_sheet_another_list_is_skipped_and_named(tmp_path):
    path = book(
        tmp_path / "x.xlsx",
        {
            "一组": [["姓名", "身份证号"], ["张一", ID1]],
            "汇总": [["序号", "村民小组", "户数", "人数"], [1, "一组", 1, 1]],
            "党员": [["姓名", "联系电话", "家庭住址"], ["王二", "13912345678", "甲村2号"]],
        },
    )
    table = read(path)
    assert table.sheets == ["一组"]
    assert [v["name"] for _, _, v in table.rows] == ["张一"]
    # 汇总 names no column of these (it is skipped as having no header); 党员 names two.
    assert [(h.sheet, h.missing, sorted(h.columns)) for h in table.skipped_sheets] == [
        ("党员", ["身份证号"], ["address", "name", "phone"])
    ]


def test_when_no_sheet_is_complete_the_error_names_the_sheet(tmp_path):
    path = book(
        tmp_path / "x.xlsx",
        {
            "一组": [["姓名", "联系电话"], ["张一", "13912345678"]],
            "二组": [["姓名", "联系电话", "家庭住址"], ["王二", "13912345678", "甲村2号"]],
        },
    )
    with pytest.raises(SheetError) as exc:
        read(path)
    assert str(exc.value) == "工作表“一组”的表头缺少必需的列：身份证号。"


def test_a_single_sheet_missing_a_column_keeps_the_short_message(tmp_path):
    path = book(tmp_path / "x.xlsx", {"花名册": [["姓名", "联系电话"], ["王二", "139"]]})
    with pytest.raises(SheetError, match="^表头缺少必需的列：身份证号。$"):
        read(path)


def test_no_sheet_with_a_header_is_the_header_error(tmp_path):
    path = book(
        tmp_path / "x.xlsx",
        {"填表说明": [["请按模板填写"]], "Sheet2": [["张三", ID1], ["李四", ID2]]},
    )
    with pytest.raises(SheetError, match="没有找到表头"):
        read(path)


def test_a_workbook_whose_visible_sheets_are_empty_is_empty(tmp_path):
    def hidden(ws):
        ws.append(["姓名", "身份证号"])
        ws.sheet_state = "hidden"

    path = book(tmp_path / "x.xlsx", {"旧数据": hidden, "Sheet1": []})
    with pytest.raises(SheetError, match="表格是空的"):
        read(path)


# 3. Merged cells over data rows.


def test_a_cell_merged_over_a_household_belongs_to_each_of_its_rows(tmp_path):
    def build(ws):
        ws["A1"] = "甲村花名册"
        ws.merge_cells("A1:E1")  # a title over the columns: not data
        ws.append(["姓名", "身份证号", "与户主关系", "家庭住址", "所属网格"])
        ws.append(["张三", ID1, "户主", "甲村1号", "甲村/一组"])
        ws.append(["张小三", ID2, "子", None, None])
        ws.append(["张小四", "430521201503031234", "女", None, None])
        ws.append(["李四", "430521196804041234", "户主", "甲村2号", None])
        ws.merge_cells("D3:D5")  # 家庭住址 over the first household
        ws.merge_cells("E3:E6")  # 所属网格 over both households

    table = read(book(tmp_path / "x.xlsx", {"花名册": build}))
    got = [(n, v["name"], v["address"], v["grid"]) for _, n, v in table.rows]
    assert got == [
        (3, "张三", "甲村1号", "甲村/一组"),
        (4, "张小三", "甲村1号", "甲村/一组"),
        (5, "张小四", "甲村1号", "甲村/一组"),
        (6, "李四", "甲村2号", "甲村/一组"),
    ]


def test_a_merge_across_columns_is_layout_and_a_header_merge_is_never_filled(tmp_path):
    def build(ws):
        ws.append(["姓名", "身份证号", "家庭住址", "所属网格", "备注"])
        ws.merge_cells("D1:D2")  # a header cell merged down over a data row
        ws.append(["张三", ID1, "甲村1号", None, "五保"])
        ws.append(["李四", ID2, "甲村2号", None, None])
        ws.merge_cells("C3:E3")  # a long 家庭住址 merged over the columns to its right: layout

    table = read(book(tmp_path / "x.xlsx", {"花名册": build}))
    assert [v for _, _, v in table.rows] == [
        {"name": "张三", "id_number": ID1, "address": "甲村1号", "grid": "", "note": "五保"},
        {
            "name": "李四",
            "id_number": ID2,
            "address": "甲村2号",
            "grid": "",
            "note": "",
        },
    ]


def test_a_merge_over_blank_rows_below_the_table_adds_no_rows(tmp_path):
    def build(ws):
        ws.append(["姓名", "身份证号", "所属网格"])
        ws.append(["张三", ID1, "一组"])
        ws.merge_cells("C2:C6")  # the template's block, longer than the rows filled in

    table = read(book(tmp_path / "x.xlsx", {"花名册": build}))
    assert numbers(table) == [(2, "张三")]


# 4. Invisible characters.


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("'430521199001011234", "430521199001011234"),
        ("‘430521199001011234", "430521199001011234"),
        ("’430521199001011234", "430521199001011234"),
        ("\u200b430521199001011234", "430521199001011234"),
        ("430521199001011234\u200b", "430521199001011234"),
        ("\ufeff4305211990\u200c0101\u200d1234\u2060", "430521199001011234"),
        ("43052119900101123\u00ad4", "430521199001011234"),
        ("\u202d430521199001011234\u202c", "430521199001011234"),
        (" ' 430521199001011234 ", "430521199001011234"),
        ("'４３０５２１１９９００１０１１２３４", "430521199001011234"),
    ],
)
def test_an_id_number_loses_quotes_and_invisible_characters(raw, expected):
    assert xlsx.id_number(raw) == expected
    assert xlsx.compact(raw) == expected
    assert xlsx.text(raw) == expected


@pytest.mark.parametrize(
    "raw, text, compact",
    [
        ("甲村\u200b/一组", "甲村/一组", "甲村/一组"),
        ("\ufeff张三", "张三", "张三"),
        ("张\u00ad三 丰", "张三 丰", "张三丰"),
        ("'张三", "张三", "张三"),
        ("‘五保户’", "‘五保户’", "‘五保户’"),  # a quotation keeps its quotes
        ("'", "", ""),
        ("\u200b", "", ""),
        ("O'Brien", "O'Brien", "O'Brien"),
        ("plain text", "plain text", "plaintext"),
        ("甲村 31号", "甲村 31号", "甲村31号"),
    ],
)
def test_text_and_compact_lose_quotes_and_invisible_characters(raw, text, compact):
    assert (xlsx.text(raw), xlsx.compact(raw)) == (text, compact)


def test_phone_and_date_lose_them_too():
    # Phone cells are read as text (two numbers on two lines must stay apart), then normalised.
    from xiangzhi.core.validators import normalize_phone

    assert normalize_phone(xlsx.text("'139\u200b1234\ufeff5678")) == "13912345678"
    assert xlsx.date("\ufeff'1990-01-02") == dt.date(1990, 1, 2)


def test_every_format_character_of_this_python_is_removed():
    # The pattern lists Unicode 15.1's format characters; a newer Python must find none missing.
    missing = [
        f"U+{cp:04X}"
        for cp in range(sys.maxunicode + 1)
        if unicodedata.category(chr(cp)) == "Cf" and xlsx.text(f"a{chr(cp)}b") != "ab"
    ]
    assert missing == []


def test_invisible_characters_in_headers_and_cells_of_a_sheet(tmp_path):
    path = book(
        tmp_path / "x.xlsx",
        {
            "花名册": [
                ["\ufeff姓名", "身份\u200b证号", "'所属网格"],
                ["张三", ID1, "一组"],
                ["\u200b", "\ufeff", "'"],  # nothing visible: an empty row
                ["李四", ID2, "二组"],
            ]
        },
    )
    table = read(path)
    assert set(table.columns) == {"name", "id_number", "grid"}
    assert numbers(table) == [(2, "张三"), (4, "李四")]


# 5. Two columns for one key.


def test_of_two_columns_for_one_key_a_row_takes_the_first_that_is_not_empty(tmp_path):
    def build(ws):
        ws.append(["姓名", "身份证号", "联系电话", "手机号", "身份证号码"])
        ws.append(["张三", "", "", "13912345678", ID1])
        ws.append(["李四", ID2, "0731-1234567", "13800000000", ""])
        ws.append(["王五", " ", "\u200b", "", "430521196804041234"])
        ws.column_dimensions["B"].hidden = True  # an old, hidden, empty column

    table = read(book(tmp_path / "x.xlsx", {"花名册": build}))
    assert [(v["id_number"], xlsx.text(v["phone"])) for _, _, v in table.rows] == [
        (ID1, "13912345678"),
        (ID2, "0731-1234567"),
        ("430521196804041234", ""),
    ]
    assert (table.columns["id_number"], table.columns["phone"]) == (1, 2)
    assert table.labels["phone"] == "联系电话" and table.unknown == []


def test_a_weak_alias_gives_way_to_the_label_in_the_same_sheet(tmp_path):
    path = book(
        tmp_path / "x.xlsx",
        {
            "一组": [
                ["户主姓名", "姓名", "身份证号"],
                ["张三", "张三", ID1],
                ["张三", "张小三", ID2],
            ],
            # Here 户主姓名 is the only name column: it is the name.
            "户主名单": [["户主姓名", "身份证号"], ["李四", "430521196804041234"]],
        },
    )
    table = read(path)
    assert [(s, v["name"]) for s, _, v in table.rows] == [
        ("一组", "张三"),
        ("一组", "张小三"),
        ("户主名单", "李四"),
    ]
    assert table.columns["name"] == 1 and table.unknown == ["户主姓名"]
    assert table.headers[1].columns["name"] == 0
    assert table.headers[1].labels["name"] == "户主姓名"


def test_a_name_that_is_also_a_label_or_alias_is_not_weak():
    assert Column("name", "姓名", weak_aliases=("户主姓名", "姓名")).weak_names() == {"户主姓名"}


# 6. Notes in brackets after a header.


@pytest.mark.parametrize(
    "header, key",
    [
        ("姓名(必填)", "name"),
        ("姓名（必填）", "name"),
        ("*姓名[必填]", "name"),
        ("姓名［必填］", "name"),
        ("身份证号码(18位)", "id_number"),
        ("身份证号【18位,文本格式】", "id_number"),
        ("出生日期【格式:1990-01-01】", "birth_date"),
        ("出生日期(格式：1990-01-01)", "birth_date"),
        ("联系电话（手机）", "phone"),
        ("联系电话(手机(本人))", "phone"),
        ("(备注)", "note"),  # a header all in brackets is that header
        ("【备注】", "note"),
    ],
)
def test_a_note_in_brackets_after_a_header_is_ignored(tmp_path, header, key):
    other = "身份证号" if key != "id_number" else "姓名"
    path = book(tmp_path / "x.xlsx", {"花名册": [[header, other], ["x", "y"]]})
    table = read(path, required=[])
    assert table.columns[key] == 0
    assert table.labels[key] == unicodedata.normalize("NFKC", header)


# 7. Headers repeated among the data.


def test_a_header_repeated_on_every_printed_page_is_skipped(tmp_path):
    header = ["序号", "姓名", "身份证号", "备注"]
    path = book(
        tmp_path / "x.xlsx",
        {
            "花名册": [
                ["甲村花名册"],
                header,
                [1, "张三", ID1, ""],
                ["甲村花名册"],  # a pasted page: its title,
                ["序号", "姓 名", "身份证号", "备注"],  # its header,
                [2, "李四", ID2, "备注"],  # and its rows (a note that reads 备注 is data)
                ["", "姓名", "身份证号", ""],  # a partial copy
                [3, "王五", "430521196804041234", ""],
            ]
        },
    )
    assert numbers(read(path)) == [(3, "张三"), (6, "李四"), (8, "王五")]


def test_a_repeated_two_row_header_is_skipped(tmp_path):
    top, bottom = ["姓名", "证件信息", "家庭情况", ""], ["", "身份证号", "与户主关系", "家庭住址"]

    def build(ws):
        ws.append(top)
        ws.append(bottom)
        ws.append(["张三", ID1, "户主", "甲村1号"])
        ws.append(top)
        ws.append(bottom)
        ws.append(["李四", ID2, "户主", "甲村2号"])
        for r in (1, 4):
            ws.merge_cells(start_row=r, start_column=1, end_row=r + 1, end_column=1)
            ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=4)

    table = read(book(tmp_path / "x.xlsx", {"花名册": build}))
    assert numbers(table) == [(3, "张三"), (6, "李四")]


def test_a_row_that_only_resembles_the_header_is_data(tmp_path):
    path = book(
        tmp_path / "x.xlsx",
        {
            "花名册": [
                ["姓名", "身份证号", "备注"],
                ["姓名", ID1, ""],  # a person called 姓名 would be odd, but has an ID
                ["张三", "", "备注"],
            ]
        },
    )
    assert numbers(read(path)) == [(2, "姓名"), (3, "张三")]


# 8. The format by content, not by extension.


def make_ods(path, sheet_rows, name="花名册"):
    """A minimal OpenDocument spreadsheet (what WPS or LibreOffice save as .ods)."""
    body = "".join(
        "<table:table-row>"
        + "".join(
            '<table:table-cell office:value-type="string">'
            f"<text:p>{escape(str(c))}</text:p></table:table-cell>"
            if c != ""
            else "<table:table-cell/>"
            for c in row
        )
        + "</table:table-row>"
        for row in sheet_rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{name}">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", content)
    return path


ROSTER = [["", ""], ["姓名", "身份证号"], ["张三", ID1]]


@pytest.mark.parametrize("name", ["x.xls", "x.ods", "x.XLSX", "x.xlsx.bak", "x"])
def test_an_xlsx_under_another_name_is_read(tmp_path, name):
    source = book(tmp_path / "source.xlsx", {"花名册": ROSTER})
    path = tmp_path / name
    shutil.copy(source, path)
    assert numbers(read(path)) == [(3, "张三")]


@pytest.mark.parametrize("name", ["x.ods", "x.xlsx", "x.xls"])
def test_an_ods_under_any_name_is_read(tmp_path, name):
    path = make_ods(tmp_path / name, ROSTER)
    table = read(path)
    assert (table.sheets, numbers(table)) == (["花名册"], [(3, "张三")])


@pytest.mark.parametrize("name", ["x.xls", "x.xlsx"])
def test_a_broken_zip_under_any_name_is_called_broken(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04garbage" * 10)
    with pytest.raises(SheetError, match="损坏"):
        read(path)


def test_an_encrypted_workbook_named_xls_is_named_as_such(tmp_path):
    path = tmp_path / "secret.xls"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 500
        + "EncryptedPackage".encode("utf-16-le")
        + b"\0" * 500
    )
    with pytest.raises(SheetError, match="密码"):
        read(path)


def test_a_sheet_whose_used_range_is_huge_is_refused_before_it_is_loaded(tmp_path):
    """One stray value in column XFD: calamine would hold 16,384 cells for every row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append(["姓名", "身份证号"])
    for i in range(600):
        ws.append([f"人{i}", ID1])
    ws["XFD5"] = "多余"
    path = tmp_path / "wide.xlsx"
    wb.save(path)
    with pytest.raises(SheetError, match=r"使用区域太大（601 行 × 16384 列）"):
        read(path)
    ws["XFD5"] = None  # the same sheet without it reads
    ws.delete_cols(16384)
    wb.save(path)
    assert len(list(read(path).rows)) == 600


def test_rows_a_filter_or_the_user_hides_are_not_read_but_hidden_columns_are(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append(["姓名", "身份证号", "备注"])
    for name in ["张三", "李四", "王五", "赵六"]:
        ws.append([name, ID1, ""])
    ws.auto_filter.ref = "A1:C5"
    ws.row_dimensions[3].hidden = True  # filtered out
    ws.row_dimensions[5].hidden = True  # hidden by hand
    ws.column_dimensions["B"].hidden = True  # the ID column hidden for printing
    path = tmp_path / "filtered.xlsx"
    wb.save(path)
    table = read(path)
    assert [(r, v["name"], v["id_number"]) for _, r, v in table.rows] == [
        (2, "张三", ID1),
        (4, "王五", ID1),
    ]
    assert table.hidden == [("花名册", 3), ("花名册", 5)]


def _sheet_zip(path, xml: bytes):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", xml)
    return zipfile.ZipFile(path)


@pytest.mark.parametrize("shift", [-30, -12, -5, 0, 3, 10])
def test_a_hidden_row_tag_cut_by_the_reading_chunk_is_found(tmp_path, shift):
    tag = b'<row r="7" spans="1:3" hidden="1">'
    filler = b"<!--" + b"x" * ((1 << 20) - 20 + shift) + b"-->"
    xml = filler + tag + b'<c r="A7"/></row><row r="8" customHeight="1"><c r="A8"/></row>'
    with _sheet_zip(tmp_path / "s.zip", xml) as zf:
        assert layout._sheet_marks(zf, "xl/worksheets/sheet1.xml").hidden == {7}


def test_hidden_is_read_from_row_tags_only(tmp_path):
    xml = (
        b'<worksheet><cols><col min="2" max="2" hidden="1"/></cols><sheetData>'
        b"<x:row hidden='true' r='4'><c/></x:row><row r=\"5\"><c t=\"s\"><v>1</v></c></row>"
        b'<row r="6" hidden="0"/></sheetData></worksheet>'
    )
    with _sheet_zip(tmp_path / "s.zip", xml) as zf:
        assert layout._sheet_marks(zf, "xl/worksheets/sheet1.xml").hidden == {4}


def test_hidden_rows_of_a_strict_open_xml_workbook_are_found(tmp_path):
    """Excel's "Strict Open XML" save type names the same elements in other namespaces."""
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append(["姓名", "身份证号"])
    for name in ["张三", "李四", "王五"]:
        ws.append([name, ID1])
    ws.row_dimensions[3].hidden = True
    ws["XFD2"] = "多余"  # and the guard measures the strict workbook too
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    strict = tmp_path / "strict.xlsx"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(strict, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            data = data.replace(
                b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                b"http://purl.oclc.org/ooxml/spreadsheetml/main",
            ).replace(
                b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                b"http://purl.oclc.org/ooxml/officeDocument/relationships",
            )
            zout.writestr(item, data)
    with zipfile.ZipFile(strict) as zf:
        members = layout._sheet_members(zf)
        assert members == {"花名册": "xl/worksheets/sheet1.xml"}
        assert layout._sheet_marks(zf, members["花名册"]).hidden == {3}
    with pytest.raises(SheetError, match=r"使用区域太大（4 行 × 16384 列）"):
        check_workbook(strict, "xlsx")


def test_a_hidden_copy_of_the_header_is_not_counted_as_a_hidden_person(tmp_path):
    wb = Workbook()
    ws = wb.active
    for row in (["姓名", "身份证号"], ["张三", ID1], ["姓名", "身份证号"], ["李四", ID2]):
        ws.append(row)
    ws.row_dimensions[3].hidden = True
    ws.row_dimensions[4].hidden = True
    path = tmp_path / "h.xlsx"
    wb.save(path)
    table = read(path)
    assert [r for _, r, _ in table.rows] == [2]
    assert [r for _, r in table.hidden] == [4]


def test_a_cell_showing_a_formulas_error_is_an_error_cell_not_an_empty_one(tmp_path):
    from ..xlsx_helpers import with_error_cells

    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "联系电话"])
    ws.append(["张三", "ERR:#N/A", "13800138000"])
    ws.append(["李四", ID2, "ERR:#DIV/0!"])
    ws.append(["", "ERR:#N/A", "ERR:#N/A"])  # a lookup dragged down below the list
    ws.append(["", "ERR:#N/A", ""])
    path = tmp_path / "f.xlsx"
    wb.save(path)
    table = read(with_error_cells(path))
    got = rows(table)
    assert [(r, v["name"]) for _, r, v in got] == [(2, "张三"), (3, "李四")]
    assert type(got[0][2]["id_number"]) is xlsx.ErrorCell and got[0][2]["id_number"] == "#N/A"
    assert got[1][2]["phone"] == "#DIV/0!" and got[1][2]["id_number"] == ID2
    for reader in (xlsx.text, xlsx.compact, xlsx.id_number, xlsx.date):
        with pytest.raises(xlsx.CellError, match="公式的错误结果 #N/A"):
            reader(got[0][2]["id_number"])


def test_error_cells_are_found_whatever_their_formula(tmp_path):
    xml = (
        b'<worksheet><sheetData><row r="2"><c r="A2" t="s"><v>0</v></c>'
        b'<c r="B2" s="3" t="e"><f t="shared" si="0"/><v>#REF!</v></c>'
        b"<c r='C2' t='e'><f>IF(A2&lt;1,NA(),1)</f><v>#N/A</v></c>"
        b'<c r="D2" t="e"><v>#VALUE!</v></c><c r="E2" t="str"><f>"e"</f><v>e</v></c></row>'
        b"</sheetData></worksheet>"
    )
    with _sheet_zip(tmp_path / "s.zip", xml) as zf:
        marks = layout._sheet_marks(zf, "xl/worksheets/sheet1.xml")
    assert marks.errors == {2: {1: "#REF!", 2: "#N/A", 3: "#VALUE!"}}


def test_an_xls_tells_its_hidden_rows_and_error_cells_too(tmp_path):
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("花名册")
    for r, row in enumerate([["姓名", "身份证号"], ["张三", ID1], ["李四", ID2], ["王五"]]):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    ws.row(2).hidden = True  # Excel's row 3: 李四
    ws.row(3).set_cell_error(1, 42)  # 王五's looked-up ID: #N/A (its BIFF code)
    path = tmp_path / "old.xls"
    book.save(str(path))
    table = read(path)
    got = rows(table)
    assert [(r, v["name"]) for _, r, v in got] == [(2, "张三"), (4, "王五")]
    assert table.hidden == [("花名册", 3)]
    assert type(got[1][2]["id_number"]) is xlsx.ErrorCell and got[1][2]["id_number"] == "#N/A"
