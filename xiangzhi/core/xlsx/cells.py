"""Cell readers: each turns a raw cell, as calamine gives it, into clean text or refuses it with
a CellError whose message the user reads. Dates have their own module, dates.py."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# Unicode's format characters (category Cf, as of Unicode 15.1): zero-width spaces and joiners,
# the BOM, the soft hyphen, direction marks. Excel shows nothing, but an ID then has 19 "digits"
# and a grid name matches no grid.
FORMAT_CHARS = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
# Control characters (category Cc) that are not white space: a cell holds them when Excel wrote
# one escaped (_x0000_) or text was pasted from elsewhere. They are invisible, and PostgreSQL
# refuses a NUL in a text column.
CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x9f]")
# A quote typed before a number to keep it text ('4305..., or ‘ / ’ from a Chinese input method).
_QUOTES = frozenset("'‘’")
_AFTER_QUOTES = "\u201a"  # a text that sorts after this does not start with a quote
_DATES = (dt.datetime, dt.date)
_is_normalized = unicodedata.is_normalized  # a C check that most cells pass


class CellError(ValueError):
    """One cell cannot be read; the message is for the user, in Chinese."""


class ErrorCell(str):
    """A cell that shows a formula's error (#N/A from a lookup that found nothing, #REF!, ...).
    calamine reads it as an empty cell, which would import a person without the looked-up ID;
    the sheet's XML tells it, and every cell reader refuses it (CellError)."""

    def message(self) -> str:
        return f"单元格是公式的错误结果 {self}，不是实际的内容。请把公式改为实际的值（复制后“选择性粘贴为数值”）"


def present(value) -> bool:
    """Whether a cell holds anything: spaces, invisible characters or a lone quote do not count."""
    if value is None:
        return False
    if isinstance(value, str):
        if value.isprintable() and value[:1] not in _QUOTES and value.strip():
            return True
        return text(value) != ""
    return True


def _unquote(value: str) -> str:
    """Without the quote typed before a number to keep it text; a quotation (‘五保户’) keeps
    its quotes."""
    if value[:1] not in _QUOTES:
        return value
    rest = value[1:]
    if any(q in rest for q in _QUOTES):
        return value
    return rest.lstrip()


def clip(value: str, limit: int = 20) -> str:
    """A cell's text as quoted in a message: a cell of 30,000 characters is not echoed whole."""
    return value if len(value) <= limit else value[:limit] + "…"


def text(value) -> str:
    """Cell text with full-width characters folded, invisible characters and a leading quote
    (typed to keep a number text) removed, and runs of spaces made one."""
    if type(value) is not str:
        if value is None:
            return ""
        if isinstance(value, ErrorCell):
            raise CellError(value.message())
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, _DATES):
            return value.isoformat()
        value = str(value)
    if value.isascii():  # most cells (IDs, phones, codes): nothing to fold or remove
        if not value.isprintable():
            value = CONTROL_CHARS.sub("", value)
        value = " ".join(value.split())
        return _unquote(value) if "'" in value else value
    if not value.isprintable():  # a C check: format and control characters are not printable
        value = CONTROL_CHARS.sub("", FORMAT_CHARS.sub("", value))
    if not _is_normalized("NFKC", value):
        value = unicodedata.normalize("NFKC", value)
    value = " ".join(value.split())
    return _unquote(value) if value < _AFTER_QUOTES else value


def compact(value) -> str:
    """Text with every space removed (codes, numbers, names)."""
    if type(value) is not str:
        return compact(text(value))
    # As normalize_text, inlined: this runs for most cells of an import.
    if value.isascii():
        if not value.isprintable():
            value = CONTROL_CHARS.sub("", value)
        value = "".join(value.split())
        return _unquote(value) if "'" in value else value
    if not value.isprintable():
        value = CONTROL_CHARS.sub("", FORMAT_CHARS.sub("", value))
    if not _is_normalized("NFKC", value):
        value = unicodedata.normalize("NFKC", value)
    value = "".join(value.split())
    return _unquote(value) if value < _AFTER_QUOTES else value


def id_number(value) -> str:
    """An ID number as text; a number that Excel rounded is refused, never guessed."""
    if isinstance(value, bool):
        raise CellError("身份证号格式不正确")
    if isinstance(value, int | float):
        if value >= 1e15 or (isinstance(value, float) and not value.is_integer()):
            raise CellError(
                "身份证号被 Excel 存成了数字（如 4.30521199001011E+17），后几位已经丢失。"
                "请把该列设为“文本”格式，重新填写身份证号后再导入。"
            )
        return str(int(value))
    return compact(value).upper()
