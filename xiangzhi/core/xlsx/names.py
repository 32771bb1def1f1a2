"""Names that users type (a grid node's name, a village's) made safe as a sheet title or a
download's file name: every export passes its title and file name through here."""

from __future__ import annotations

import re

# Excel refuses these in a sheet title; a title is at most 31 characters and may not start or
# end with an apostrophe.
_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
# Windows, macOS and Android refuse these in file names; quotes and semicolons would also break a
# naive Content-Disposition reader.
_FILE_FORBIDDEN = re.compile(r"[<>:\"/\\|?*;'\x00-\x1f\x7f]")
MAX_FILE_STEM = 100


def sheet_title(name: str, fallback: str = "Sheet1") -> str:
    """A sheet title Excel accepts: forbidden characters become "-", clipped to 31 characters."""
    title = _TITLE_FORBIDDEN.sub("-", str(name or "")).strip().strip("'").strip()
    title = title[:31].strip().strip("'")
    return title or fallback


def download_name(name: str, fallback: str = "导出") -> str:
    """A file name every system accepts, keeping the extension: "/" and the like become "-"."""
    name = str(name or "")
    stem, dot, ext = name.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,5}", ext):
        stem, ext = name, ""
    stem = _FILE_FORBIDDEN.sub("-", stem).strip().strip(".").strip()[:MAX_FILE_STEM].strip()
    return f"{stem or fallback}.{ext}" if ext else (stem or fallback)
