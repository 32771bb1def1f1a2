"""Sheets cannot hurt the reader (issue 10): each crafted workbook is refused with one clear
Chinese error before calamine sees it (where a walk counts rows, the message shows it stopped
at the first row past the limit: no timed assertion, which a loaded machine would fail), and a 100,000-row roster as Excel
saves it stays within the default limits with room to spare. The same files go through the
real worker in test_import_worker.py."""

from __future__ import annotations

import dataclasses
import zipfile

import pytest

from xiangzhi.core.xlsx import SheetError, read_table
from xiangzhi.core.xlsx.guard import check_workbook
from xiangzhi.core.xlsx.header import Column
from xiangzhi.core.xlsx.limits import Limits

from .. import sheet_bombs as bombs

LIMITS = Limits()
# Each layer on its own: the layers in front of it let everything through.
NO_RATIO = dataclasses.replace(LIMITS, ratio=10**9)
NO_SIZE = dataclasses.replace(NO_RATIO, part_bytes=10**12, unzipped_bytes=10**12)


def refused(path, limits=LIMITS) -> str:
    with pytest.raises(SheetError) as caught:
        check_workbook(path, path.suffix.lstrip(".") or "xlsx", limits)
    return str(caught.value)


def test_the_limits_are_the_settings():
    assert Limits.from_settings() == LIMITS


def test_two_cells_far_apart_without_a_dimension_are_refused_by_their_references(tmp_path):
    message = refused(bombs.far_cells(tmp_path / "far.xlsx"))
    assert "工作表“Sheet1”的使用区域太大（1048576 行 × 16384 列）" in message
    assert "XFD1048576" in message


def test_a_declared_dimension_is_not_trusted(tmp_path):
    message = refused(bombs.declared_small_reaching_far(tmp_path / "reach.xlsx"))
    assert "使用区域太大（1000000 行 × 9 列）" in message


def test_millions_of_cells_without_references_are_counted_as_calamine_places_them(tmp_path):
    path = bombs.many_cells(tmp_path / "many.xlsx")
    assert path.stat().st_size < 1024 * 1024
    assert "压缩比超过 200 倍" in refused(path)
    # Past the ratio, the walk counts them, and stops at the first row past the limit.
    assert "使用区域太大（200001 行 × 4 列）" in refused(path, NO_RATIO)


def test_a_huge_shared_string_is_refused_by_each_layer(tmp_path):
    path = bombs.huge_shared_string(tmp_path / "sst.xlsx")
    assert path.stat().st_size < 200 * 1024
    assert "文件解压后太大" in refused(path)
    assert "文件中的文字总量太大（超过 128 MB）" in refused(path, NO_SIZE)
    longest = dataclasses.replace(NO_SIZE, shared_strings_bytes=10**12)
    assert "文件中有一段文字超过 256 KB" in refused(path, longest)


def test_one_long_string_under_every_size_limit_is_refused(tmp_path):
    message = refused(bombs.long_shared_string(tmp_path / "long.xlsx", 400_000))
    assert "文件中有一段文字超过 256 KB（Excel 一个格子最多 32,767 个字）" in message


def test_entities_are_refused_before_any_parser_sees_them(tmp_path):
    message = refused(bombs.billion_laughs(tmp_path / "laughs.xlsx"))
    assert "DOCTYPE 或实体定义" in message
    # In a part that only calamine reads, and however the declaration is spelt.
    doctype = b'<!doctype sst [<!ENTITY a "aaaa">]>'
    sst = b'<?xml version="1.0"?>' + doctype + b'<sst xmlns="' + bombs.MAIN + b'"></sst>'
    path = bombs.build(tmp_path / "sst.xlsx", {"xl/sharedStrings.xml": sst})
    assert "DOCTYPE" in refused(path)


def test_xml_in_another_encoding_is_refused(tmp_path):
    book = bombs.workbook_xml().replace(b'encoding="UTF-8"', b'encoding="UTF-7"')
    path = bombs.build(tmp_path / "utf7.xlsx", {"xl/workbook.xml": book})
    assert "不是 UTF-8 编码" in refused(path)
    utf16 = "\ufeff" + bombs.workbook_xml().decode()
    path = bombs.build(tmp_path / "utf16.xlsx", {"xl/workbook.xml": utf16.encode("utf-16-le")})
    assert "不是 UTF-8 编码" in refused(path)


def test_a_lying_zip_header_is_a_broken_file(tmp_path):
    path = bombs.lying_header(tmp_path / "lying.xlsx")
    with zipfile.ZipFile(path) as zf:  # zipfile alone believes the header and the CRC
        assert len(zf.read("xl/sharedStrings.xml")) == 1000
    assert "文件已损坏（压缩包中的数据与它记录的大小或校验码不符）" in refused(path)


def test_a_zip_of_too_many_members_is_refused_before_its_directory_is_read(tmp_path):
    path = tmp_path / "members.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(10_001):
            zf.writestr(f"x/{i}", b"")
    assert "10001 个部分" in refused(path)


def test_an_xlsb_is_refused_and_an_ods_gets_the_zip_checks(tmp_path):
    xlsb = tmp_path / "b.xlsx"
    with zipfile.ZipFile(xlsb, "w") as zf:
        zf.writestr("xl/workbook.bin", b"\x83\x01\x00")
    with pytest.raises(SheetError, match=r"\.xlsb"):
        read_table(xlsb, [Column("name", "姓名")], required=["name"])
    ods = tmp_path / "o.ods"
    with zipfile.ZipFile(ods, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>')
    with pytest.raises(SheetError, match="DOCTYPE"):
        read_table(ods, [Column("name", "姓名")], required=["name"])


def test_an_xls_is_measured_by_the_cells_it_holds(tmp_path):
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("花名册")
    sheet.write(0, 0, "姓名")
    sheet.write(65535, 255, "远处")
    path = tmp_path / "far.xls"
    book.save(str(path))
    with pytest.raises(SheetError, match=r"使用区域太大（65536 行 × 256 列）"):
        read_table(path, [Column("name", "姓名")], required=["name"])


def test_cells_that_hold_nothing_far_away_do_not_count(tmp_path):
    """calamine skips an empty <c/> (formatting only), and so does the measure."""
    cells = b'<row r="1"><c r="A1"><v>1</v></c><c r="XFD1" s="1"/></row>'
    path = bombs.build(
        tmp_path / "styled.xlsx", {"xl/worksheets/sheet1.xml": bombs.sheet_xml(cells)}
    )
    check_workbook(path, "xlsx", LIMITS)


def test_a_100000_row_roster_stays_well_within_the_default_limits(tmp_path):
    path = bombs.roster(tmp_path / "roster.xlsx", 100_000)
    with zipfile.ZipFile(path) as zf:
        sizes = {i.filename: i.file_size for i in zf.infolist()}
        ratios = [i.file_size / i.compress_size for i in zf.infolist() if i.file_size > 1 << 20]
    assert sizes["xl/worksheets/sheet1.xml"] < LIMITS.part_bytes / 4
    assert sizes["xl/sharedStrings.xml"] < LIMITS.shared_strings_bytes / 3
    assert sum(sizes.values()) < LIMITS.unzipped_bytes / 4
    assert max(ratios) < LIMITS.ratio / 4
    assert 100_001 * 11 < LIMITS.cells / 4 and 100_001 < LIMITS.rows / 1.5
    check_workbook(path, "xlsx", LIMITS)  # its time, about 0.9 s, is in docs/performance.md
