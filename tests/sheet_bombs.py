"""Build the crafted workbooks of issue 10 (each a few KB to a few hundred KB on disk), written
part by part so that the test never holds what they unzip to."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MB = 1024 * 1024

_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    b'"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    b'"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType='
    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    b'.org/package/2006/relationships"><Relationship Id="rId1" Type="' + REL + b'/officeDocument"'
    b' Target="xl/workbook.xml"/></Relationships>'
)
_BOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    b'.org/package/2006/relationships"><Relationship Id="rId1" Type="' + REL + b'/worksheet" '
    b'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="' + REL + b'/sharedStrings"'
    b' Target="sharedStrings.xml"/></Relationships>'
)


def workbook_xml(doctype: bytes = b"", name: bytes = b"Sheet1") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>' + doctype + b'<workbook xmlns="' + MAIN + b'" '
        b'xmlns:r="' + REL + b'"><sheets><sheet name="' + name + b'" sheetId="1" r:id="rId1"/>'
        b"</sheets></workbook>"
    )


def sheet_xml(cells: bytes, dimension: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="'
        + MAIN
        + b'">'
        + dimension
        + b"<sheetData>"
        + cells
        + b"</sheetData></worksheet>"
    )


def _strings(*texts: bytes) -> bytes:
    items = b"".join(b"<si><t>" + t + b"</t></si>" for t in texts)
    return b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="' + MAIN + b'">' + items + b"</sst>"


def build(path: Path, parts: dict[str, object], level: int = 9) -> Path:
    """A workbook of the usual parts, with `parts` added or replacing them. A part is bytes, or
    a callable that writes it in pieces (for the parts that unzip to hundreds of MB)."""
    base: dict[str, object] = {
        "[Content_Types].xml": _TYPES,
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": workbook_xml(),
        "xl/_rels/workbook.xml.rels": _BOOK_RELS,
        "xl/sharedStrings.xml": _strings(b"\xe5\xa7\x93\xe5\x90\x8d"),
        "xl/worksheets/sheet1.xml": sheet_xml(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
    }
    base.update(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in base.items():
            if callable(data):
                with zf.open(name, "w") as fh:
                    data(fh)
            else:
                zf.writestr(name, data)
    return path


def far_cells(path: Path) -> Path:
    """Two cells, A1 and XFD1048576, and no <dimension>: calamine allocates 17 billion cells
    (512 GiB) and aborts the process."""
    cells = (
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>y</t></is></c></row>'
    )
    return build(path, {"xl/worksheets/sheet1.xml": sheet_xml(cells)})


def huge_shared_string(path: Path, megabytes: int = 150) -> Path:
    """One shared string of `megabytes` MB, compressed to about a thousandth of that."""

    def write(fh) -> None:
        fh.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="' + MAIN + b'"><si><t>')
        block = b"x" * MB
        for _ in range(megabytes):
            fh.write(block)
        fh.write(b"</t></si></sst>")

    return build(path, {"xl/sharedStrings.xml": write})


def long_shared_string(path: Path, size: int) -> Path:
    """One shared string of `size` bytes that compresses badly (digits), under every part limit."""
    digits = b"".join(str(i * 7919 % 1000003).encode() for i in range(size // 5 + 1))[:size]
    return build(path, {"xl/sharedStrings.xml": _strings(digits)})


def many_cells(path: Path, rows: int = 2_500_000, width: int = 4) -> Path:
    """A sheet that declares A1:D2 and holds `rows` x `width` cells without references (calamine
    places each after the previous one): 10 million cells in a file of a few hundred KB."""
    row = b"<row>" + b"<c><v>1</v></c>" * width + b"</row>"

    def write(fh) -> None:
        fh.write(
            b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="' + MAIN + b'">'
            b'<dimension ref="A1:D2"/><sheetData>'
        )
        block = row * 10_000
        for _ in range(rows // 10_000):
            fh.write(block)
        fh.write(b"</sheetData></worksheet>")

    return build(path, {"xl/worksheets/sheet1.xml": write})


def declared_small_reaching_far(path: Path) -> Path:
    """A sheet that declares A1:D2 but has a cell at I1000000: a 9-million-cell used range."""
    cells = (
        b'<row r="1"><c r="A1"><v>1</v></c><c r="D2"><v>1</v></c></row>'
        b'<row r="1000000"><c r="I1000000"><v>1</v></c></row>'
    )
    dimension = b'<dimension ref="A1:D2"/>'
    return build(path, {"xl/worksheets/sheet1.xml": sheet_xml(cells, dimension)})


def billion_laughs(path: Path) -> Path:
    """Entities that expand to a thousand million "lol"s, in the workbook part."""
    entities = b'<!ENTITY lol0 "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)
    )
    doctype = b"<!DOCTYPE workbook [" + entities + b"]>"
    book = workbook_xml(doctype, name=b"&lol9;")
    return build(path, {"xl/workbook.xml": book})


def lying_header(path: Path, megabytes: int = 150) -> Path:
    """The huge shared string again, its zip entry declaring 1,000 bytes with the CRC of the first
    1,000: a reader that trusts the header stops there and finds nothing wrong; one that inflates
    to the end of the data gets 150 MB."""
    huge_shared_string(path, megabytes)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/sharedStrings.xml")
        with zf.open(info) as fh:
            head = fh.read(1000)
    crc = zlib.crc32(head)
    # The local header (CRC at +14, sizes at +18 and +22) and the central directory's entry
    # (CRC at +16, sizes at +20 and +24).
    local = info.header_offset
    struct.pack_into("<L", data, local + 14, crc)
    struct.pack_into("<LL", data, local + 18, info.compress_size, 1000)
    central = _central_entry(data, b"xl/sharedStrings.xml")
    struct.pack_into("<L", data, central + 16, crc)
    struct.pack_into("<LL", data, central + 20, info.compress_size, 1000)
    path.write_bytes(bytes(data))
    return path


def _central_entry(data: bytearray, name: bytes) -> int:
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + length] == name:
            return at
        at = data.find(b"PK\x01\x02", at + 4)
    raise LookupError(name)


def roster(path: Path, rows: int = 100_000) -> Path:
    """A residents roster as Excel saves it (text in shared strings, cells with references): the
    largest real sheet the limits must let through."""
    header = ["序号", "姓名", "性别", "出生日期", "身份证号", "联系电话", "与户主关系", "户编号"]
    header += ["家庭住址", "所属网格", "备注"]
    strings: list[bytes] = [h.encode() for h in header]

    def text(value: str) -> bytes:
        strings.append(value.encode())
        return b'" t="s"><v>%d</v></c>' % (len(strings) - 1)

    out = [b'<row r="1">']
    out += [b'<c r="%s1" t="s"><v>%d</v></c>' % (bytes([65 + i]), i) for i in range(11)]
    out.append(b"</row>")
    for n in range(2, rows + 2):
        values = [
            f"张{n}",
            "男女"[n % 2],
            f"4305221980{n % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}X",
            f"138{n:08d}",
            "户主",
            f"H{n // 4:06d}",
            f"湖南省邵阳市某某县某某镇某某村{n % 40}组{n}号",
            f"430522100{n % 300:03d}/某某村第一党支部/某某屋场党小组/某某中心户",
        ]
        cells = [b'<c r="A%d"><v>%d</v></c>' % (n, n - 1)]
        cells += [b'<c r="%s%d' % (bytes([66 + i]), n) + text(v) for i, v in enumerate(values[:2])]
        cells.append(b'<c r="D%d" s="1"><v>%d</v></c>' % (n, 30000 + n % 20000))
        cells += [b'<c r="%s%d' % (bytes([69 + i]), n) + text(v) for i, v in enumerate(values[2:])]
        out.append(b'<row r="%d">' % n + b"".join(cells) + b"</row>")
    return build(
        path,
        {
            "xl/worksheets/sheet1.xml": sheet_xml(b"".join(out)),
            "xl/sharedStrings.xml": _strings(*strings),
        },
        level=1,
    )
