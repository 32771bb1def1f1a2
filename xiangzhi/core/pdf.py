"""Printable PDF documents with Chinese text: notices (公示), receipts, posters.

ReportLab draws them with its built-in CID font STSong-Light (Adobe's Simplified Chinese
font, named in the PDF and not embedded: every PDF reader carries it, and ReportLab needs no
font file and no network). A document is a title and a list of blocks (text, a table that
breaks across pages with its header repeated, a QR code linking to a URL); every page carries
a footer with its number, the page count and the print date.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext

FONT = "STSong-Light"


@dataclass(frozen=True)
class Text:
    """A paragraph; `size` in points."""

    text: str
    size: float = 11


@dataclass(frozen=True)
class Table:
    """A table whose header row is repeated on every page it runs over.

    `widths` are fractions of the text width (one per column); equal columns when empty.
    """

    header: Sequence[str]
    rows: Sequence[Sequence[object]]
    widths: Sequence[float] = field(default_factory=tuple)


@dataclass(frozen=True)
class QRCode:
    """A QR code of `url`, also a clickable link to it, with a caption beside it."""

    url: str
    caption: str = ""
    size_mm: float = 32


Block = Text | Table | QRCode


@cache
def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _styles() -> dict:
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("xz", fontName=FONT, fontSize=11, leading=16, wordWrap="CJK")
    return {
        "title": ParagraphStyle(
            "xz-title", parent=base, fontSize=18, leading=26, alignment=1, spaceAfter=8
        ),
        "text": base,
        "cell": ParagraphStyle("xz-cell", parent=base, fontSize=10, leading=13),
        "head": ParagraphStyle("xz-head", parent=base, fontSize=10, leading=13),
    }


def _paragraph(text: object, style):
    from reportlab.platypus import Paragraph

    return Paragraph(escape("" if text is None else str(text)), style)


def _table(block: Table, width: float, styles: dict):
    from reportlab.lib import colors
    from reportlab.platypus import Table as RLTable
    from reportlab.platypus import TableStyle

    columns = len(block.header)
    fractions = list(block.widths) or [1 / columns] * columns
    data = [[_paragraph(h, styles["head"]) for h in block.header]]
    data += [[_paragraph(cell, styles["cell"]) for cell in row] for row in block.rows]
    table = RLTable(data, colWidths=[width * f for f in fractions], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _qr(block: QRCode, styles: dict):
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.units import mm
    from reportlab.platypus import Flowable
    from reportlab.platypus import Table as RLTable

    side = block.size_mm * mm

    class LinkedQR(Flowable):
        """The code drawn as vectors, with a link annotation over it."""

        def wrap(self, *args):
            return side, side

        def draw(self):
            widget = QrCodeWidget(block.url, barLevel="M")
            x0, y0, x1, y1 = widget.getBounds()
            drawing = Drawing(
                side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0]
            )
            drawing.add(widget)
            drawing.drawOn(self.canv, 0, 0)
            self.canv.linkURL(block.url, (0, 0, side, side), relative=1)

    caption = _paragraph(block.caption, styles["text"])
    return RLTable([[LinkedQR(), caption]], colWidths=[side + 4 * mm, None], hAlign="LEFT")


def _numbered_canvas(footer_left: str):
    """A canvas class that writes the footer once the page count is known."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                width, _ = self._pagesize
                self.setFont(FONT, 9)
                self.drawString(20 * mm, 10 * mm, footer_left)
                pages = gettext("第 %(page)d 页，共 %(total)d 页") % {
                    "page": number,
                    "total": total,
                }
                self.drawRightString(width - 20 * mm, 10 * mm, pages)
                super().showPage()
            super().save()

    return NumberedCanvas


def render_pdf(
    *,
    title: str,
    blocks: Sequence[Block],
    printed_on: dt.date | None = None,
    footer: str = "",
    landscape: bool = False,
) -> bytes:
    """Render a printable A4 document: its title, its blocks and a footer on every page."""
    from reportlab.lib import pagesizes
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    _register_font()
    styles = _styles()
    pagesize = pagesizes.landscape(pagesizes.A4) if landscape else pagesizes.A4
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        title=title,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
    )
    story = [_paragraph(title, styles["title"])]
    for block in blocks:
        if isinstance(block, Text):
            style = styles["text"]
            if block.size != style.fontSize:
                style = style.clone("xz-sized", fontSize=block.size, leading=block.size * 1.45)
            story.append(_paragraph(block.text, style))
        elif isinstance(block, Table):
            story.append(_table(block, document.width, styles))
        elif isinstance(block, QRCode):
            story.append(_qr(block, styles))
        else:
            raise TypeError(f"not a PDF block: {block!r}")
        story.append(Spacer(1, 4 * mm))
    printed_on = printed_on or timezone.localdate()
    footer_left = gettext("打印日期：%(date)s") % {
        "date": gettext("%(year)d年%(month)d月%(day)d日")
        % {"year": printed_on.year, "month": printed_on.month, "day": printed_on.day}
    }
    if footer:
        footer_left = f"{footer}　{footer_left}"
    document.build(story, canvasmaker=_numbered_canvas(footer_left))
    return buffer.getvalue()
