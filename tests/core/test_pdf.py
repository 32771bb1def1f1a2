"""The printable PDF helper: Chinese text that a reader extracts again, a long table that breaks
across pages with its header on each, numbered pages with the print date, and a QR code that
links to its URL."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from xiangzhi.core.pdf import QRCode, Table, Text, render_pdf

URL = "https://xz.example.cn/points/board/42/"


def _read(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def test_the_chinese_title_and_text_are_read_back_from_the_pdf():
    data = render_pdf(title="甲村十一月积分公示", blocks=[Text("以下农户积分经审核无异议。")])
    text = _read(data).pages[0].extract_text()
    assert "甲村十一月积分公示" in text
    assert "以下农户积分经审核无异议。" in text


def test_a_long_table_breaks_across_pages_and_repeats_its_header_on_each():
    rows = [[i, f"张{i}号户", i * 10] for i in range(1, 151)]
    data = render_pdf(title="排行", blocks=[Table(["名次", "户名", "积分"], rows, (0.2, 0.5, 0.3))])
    pages = _read(data).pages
    assert len(pages) >= 3
    for page in pages:
        assert "户名" in page.extract_text()
    everything = "".join(page.extract_text() for page in pages)
    assert "张1号户" in everything and "张150号户" in everything


def test_every_page_has_its_number_the_page_count_and_the_print_date():
    rows = [[i, "李四", 1] for i in range(120)]
    data = render_pdf(
        title="公示",
        blocks=[Table(["序号", "姓名", "积分"], rows)],
        printed_on=dt.date(2026, 11, 30),
        footer="甲村村民委员会",
    )
    pages = _read(data).pages
    total = len(pages)
    assert total >= 2
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert f"第 {number} 页，共 {total} 页" in text
        assert "打印日期：2026年11月30日" in text
        assert "甲村村民委员会" in text


def test_the_qr_code_links_to_the_online_board():
    data = render_pdf(title="公示", blocks=[QRCode(URL, caption="扫码查看在线公示栏")])
    page = _read(data).pages[0]
    links = [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", [])]
    assert links == [URL]
    assert "扫码查看在线公示栏" in page.extract_text()


def test_markup_characters_in_text_are_printed_as_they_are():
    data = render_pdf(title="<b>标题</b> & 说明", blocks=[Text("a < b & c")])
    text = _read(data).pages[0].extract_text()
    assert "<b>标题</b> & 说明" in text and "a < b & c" in text


def test_an_unknown_block_is_refused():
    with pytest.raises(TypeError):
        render_pdf(title="x", blocks=["not a block"])
