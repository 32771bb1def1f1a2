"""How big a workbook may be before calamine is let near it (settings, docs/security.md)."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The bounds a workbook must stay within; the defaults fit a 100,000-row roster."""

    file_bytes: int = 50 * MB  # the file as uploaded
    unzipped_bytes: int = 512 * MB  # all parts of a zip (.xlsx, .ods) together
    part_bytes: int = 256 * MB  # one part
    ratio: int = 200  # unzipped / zipped, for a part past RATIO_FROM bytes
    rows: int = 200_000  # the last row that holds anything
    columns: int = 256  # the last column that holds anything (IV)
    cells: int = 8_000_000  # rows x columns: what calamine allocates for a sheet
    shared_strings_bytes: int = 128 * MB  # the shared-strings part, unzipped
    string_bytes: int = 256 * 1024  # one shared string, or one text in a sheet

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        def get(name: str, default: int) -> int:
            return int(getattr(settings, name, default))

        d = cls()
        return cls(
            file_bytes=get("XIANGZHI_UPLOAD_MAX_BYTES", d.file_bytes),
            unzipped_bytes=get("XIANGZHI_SHEET_MAX_UNZIPPED_BYTES", d.unzipped_bytes),
            part_bytes=get("XIANGZHI_SHEET_MAX_PART_BYTES", d.part_bytes),
            ratio=get("XIANGZHI_SHEET_MAX_RATIO", d.ratio),
            rows=get("XIANGZHI_SHEET_MAX_ROWS", d.rows),
            columns=get("XIANGZHI_SHEET_MAX_COLUMNS", d.columns),
            cells=get("XIANGZHI_SHEET_MAX_CELLS", d.cells),
            shared_strings_bytes=get(
                "XIANGZHI_SHEET_MAX_SHARED_STRINGS_BYTES", d.shared_strings_bytes
            ),
            string_bytes=get("XIANGZHI_SHEET_MAX_STRING_BYTES", d.string_bytes),
        )


def megabytes(n: int) -> str:
    return f"{n / MB:,.0f} MB" if n >= MB else f"{n / 1024:,.0f} KB"
