"""Check a workbook before calamine opens it, so that a crafted file gets one clear error instead
of taking the process with it (issue 10): calamine aborts the process when an allocation fails,
and loads a sheet's whole used range and every shared string into memory.

For a zip (.xlsx, .ods): the file's size, the number of members, each member's declared size and
compression ratio (from the zip's directory), then every member streamed through a decompression
that stops at the declared size and checks the CRC (a lying header is a broken file), every XML
part searched for a DOCTYPE (entities, the billion laughs) and for an encoding other than UTF-8,
each visible worksheet's real extent measured from its cells' references (never from the declared
<dimension>), and the shared strings bounded in total and one by one. An .xlsb (binary parts this
cannot read) is refused; an .xls is bounded by its size here and by its real extent in layout.py.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import SheetError
from .extent import SharedStrings, SheetExtent, refuse_extent, walk, within
from .limits import Limits, megabytes

CHUNK = 1 << 20
ZIP_DEFLATED = zipfile.ZIP_DEFLATED
MAX_MEMBERS = 10_000  # a workbook of 300 sheets has about 1,000
RATIO_FROM = 1 << 20  # a smaller part may compress as well as it likes
_RESAVE = "请用 Excel 打开后另存为 .xlsx 再上传。"
_SPLIT = "请删除多余的内容或把表格拆成几个文件，用 Excel 另存为 .xlsx 后再上传。"
# A markup declaration: <!DOCTYPE, <!ENTITY, <!ELEMENT... (comments and CDATA are allowed).
_DECLARATION = re.compile(rb"<!(?!--|\[CDATA\[)")
_WORKBOOK_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")


def check_workbook(path: Path, fmt: str, limits: Limits | None = None) -> None:
    """Raise a SheetError when the workbook at path is past the limits or crafted."""
    limits = limits or Limits.from_settings()
    if path.stat().st_size > limits.file_bytes:
        raise SheetError(f"文件太大，最大 {megabytes(limits.file_bytes)}。")
    if fmt == "xlsb":
        raise SheetError("文件是 Excel 二进制工作簿（.xlsb），无法读取。" + _RESAVE)
    if fmt in ("xlsx", "ods"):
        try:
            with path.open("rb") as fh, zipfile.ZipFile(path) as zf:
                _Package(zf, fh, fmt, limits).check()
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as exc:
            raise SheetError(
                "文件已损坏（压缩包中的数据与它记录的大小或校验码不符）。" + _RESAVE
            ) from exc


def check_directory_size(path: Path) -> None:
    """Refuse a zip whose directory lists more than MAX_MEMBERS members, before zipfile reads
    that directory into memory (from the end-of-directory record, the last bytes of the file)."""
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 65_557))
        tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return  # zipfile says it is broken
    entries = struct.unpack("<H", tail[at + 10 : at + 12])[0]
    if entries > MAX_MEMBERS:
        raise SheetError(f"文件由 {entries} 个部分组成，不像正常的 Excel 表格。" + _RESAVE)


def _too_big(limits: Limits) -> SheetError:
    return SheetError(
        f"文件解压后太大（超过 {megabytes(limits.unzipped_bytes)}，或其中一部分超过 "
        f"{megabytes(limits.part_bytes)}、压缩比超过 {limits.ratio} 倍），不像正常的 Excel 表格。"
        + _SPLIT
    )


class _Package:
    """One zip's members, checked as the module docstring says."""

    def __init__(self, zf: zipfile.ZipFile, fh: BinaryIO, fmt: str, limits: Limits):
        self.zf, self.fh, self.fmt, self.limits = zf, fh, fmt, limits
        self.names: dict[str, str] = {}  # member -> name of each worksheet
        self.hidden: set[str] = set()  # the members of hidden sheets, which are never loaded
        self.shared: set[str] = set()  # the shared-strings part

    def check(self) -> None:
        infos = self.zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise SheetError(f"文件由 {len(infos)} 个部分组成，不像正常的 Excel 表格。" + _RESAVE)
        self._check_declared(infos)
        # The workbook and its relationships first: they name the sheets and shared strings.
        first = [i for i in infos if i.filename in _WORKBOOK_PARTS]
        for info in first:
            self._stream(info)
        if self.fmt == "xlsx" and len(first) == len(_WORKBOOK_PARTS):
            from .layout import workbook_parts

            self.names, self.hidden, self.shared = workbook_parts(self.zf)
        for info in infos:
            if info.filename not in _WORKBOOK_PARTS and not info.is_dir():
                self._stream(info)

    def _check_declared(self, infos: list[zipfile.ZipInfo]) -> None:
        total = 0
        for info in infos:
            total += info.file_size
            big = info.file_size > self.limits.part_bytes or total > self.limits.unzipped_bytes
            ratio = info.file_size / max(info.compress_size, 1)
            if big or (info.file_size > RATIO_FROM and ratio > self.limits.ratio):
                raise _too_big(self.limits)
            if self._is_shared_strings(info.filename) and (
                info.file_size > self.limits.shared_strings_bytes
            ):
                raise self._too_many_strings()

    def _is_shared_strings(self, member: str) -> bool:
        return member in self.shared or member.lower().endswith("sharedstrings.xml")

    def _too_many_strings(self) -> SheetError:
        return SheetError(
            f"文件中的文字总量太大（超过 {megabytes(self.limits.shared_strings_bytes)}），"
            "不像正常的表格。" + _SPLIT
        )

    def _chunks(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """The member's bytes, inflated here rather than by zipfile, which would stop at the
        declared size without noticing that the data goes on (a lying header whose CRC is that
        of the declared bytes): more bytes than declared, a stream that ends early or a wrong
        CRC is a broken file."""
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, ZIP_DEFLATED):
            raise zipfile.BadZipFile(f"{info.filename}: encrypted or method {info.compress_type}")
        inflate = zlib.decompressobj(-15) if info.compress_type == ZIP_DEFLATED else None
        total = crc = 0
        for raw in self._raw(info):
            pending = raw
            while pending:
                data = inflate.decompress(pending, CHUNK) if inflate else pending
                pending = inflate.unconsumed_tail if inflate else b""
                total += len(data)
                if total > info.file_size:
                    raise zipfile.BadZipFile(f"{info.filename}: more data than declared")
                crc = zlib.crc32(data, crc)
                yield data
        if (inflate and not inflate.eof) or total != info.file_size or crc != info.CRC:
            raise zipfile.BadZipFile(f"{info.filename}: size or CRC does not match")

    def _raw(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """The member's compressed bytes, after its local header."""
        fh = self.fh
        fh.seek(info.header_offset)
        header = fh.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"{info.filename}: no local header")
        name, extra = struct.unpack("<HH", header[26:30])
        fh.seek(info.header_offset + 30 + name + extra)
        left = info.compress_size
        while left > 0:
            raw = fh.read(min(CHUNK, left))
            if not raw:
                raise EOFError(info.filename)
            left -= len(raw)
            yield raw

    def _stream(self, info: zipfile.ZipInfo) -> None:
        """Read the member through; search an XML part for declarations and measure it: the
        shared strings by their longest string, a visible worksheet by its cells."""
        member = info.filename
        strings = SharedStrings(self.limits) if self._is_shared_strings(member) else None
        measured = member in self.names and member not in self.hidden
        extent = SheetExtent(self.limits) if measured else None
        xml: bool | None = None
        tail = b""
        for chunk in self._chunks(info):
            if xml is None:
                xml = _looks_like_xml(chunk)
            if not xml:
                continue
            if _DECLARATION.search(tail + chunk):
                raise SheetError(
                    "文件中含有 Excel 不会写入的 XML 声明（DOCTYPE 或实体定义），为安全起见不予读取。"
                    + _RESAVE
                )
            tail = chunk[-16:]
            for scanner in (extent, strings):
                if scanner is not None:
                    scanner.feed(chunk)
        if extent is not None and xml:
            rows, cols = extent.size
            if not extent.exact or not within(self.limits, rows, cols):
                # Only the walk tells empty cells and cells without a reference; it stops at
                # the first cell past the limits, where the fast pass saw further.
                walked = walk(lambda: self._chunks(info), self.limits)
                if within(self.limits, *walked):
                    rows, cols = walked
                else:
                    rows, cols = max(rows, walked[0]), max(cols, walked[1])
            refuse_extent(self.names.get(member, member), rows, cols, self.limits)


def _looks_like_xml(head: bytes) -> bool:
    """Whether a part is XML (by its first bytes, whatever its name); refuse an XML part in an
    encoding other than UTF-8, whose declarations a byte search would not see."""
    if head.startswith((b"\xfe\xff", b"\xff\xfe")) or head[:4].count(b"\x00") >= 1:
        if b"<\x00" in head[:8] or b"\x00<" in head[:8]:
            raise SheetError("文件中的 XML 不是 UTF-8 编码，不像 Excel 写的文件。" + _RESAVE)
        return False
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not start.startswith(b"<"):
        return False
    m = _ENCODING.match(start)
    if m and m.group(1).lower().replace(b"-", b"").replace(b"_", b"") != b"utf8":
        raise SheetError("文件中的 XML 不是 UTF-8 编码，不像 Excel 写的文件。" + _RESAVE)
    return True
