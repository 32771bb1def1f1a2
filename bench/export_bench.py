"""Export of N residents as a county-level user (scope, masks, labels) against the floor: openpyxl
write-only of the very same values, already in memory."""

from __future__ import annotations

import json
import sys
import tempfile
import time

from common import peak_rss_mb, setup


def main(database_url: str, rows: int) -> dict:
    setup(database_url)
    from openpyxl import Workbook

    from xiangzhi.accounts.models import User
    from xiangzhi.people import selectors
    from xiangzhi.people.exports import export_list

    user = User.objects.get(username="demo_admin")
    # The first N residents by id: a filter the list would apply, without a huge IN list.
    last = selectors.resident_list(actor=user).order_by("pk").values_list("pk", flat=True)[rows - 1]
    qs = selectors.resident_list(actor=user).filter(pk__lte=last)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        t = time.perf_counter()
        count = export_list(actor=user, kind="residents", queryset=qs, target=tmp.name)
        ours = time.perf_counter() - t
    values = list(selectors.resident_export_rows(actor=user, queryset=qs))
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        t = time.perf_counter()
        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        for row in values:
            ws.append(row)
        wb.save(tmp.name)
        floor = time.perf_counter() - t
    return {
        "rows": count,
        "seconds": ours,
        "floor_seconds": floor,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
