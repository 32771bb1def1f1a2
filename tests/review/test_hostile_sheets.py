"""Hostile review of the sheet imports and exports: what a user types never becomes a formula
in an exported sheet, crafted cells are errors of their row and column (never a failed job),
numbers shared by two villages are never guessed, and an export reads back unchanged."""

from __future__ import annotations

import io
from io import StringIO

from django.core.management import call_command
from openpyxl import load_workbook

from xiangzhi.grid.services import node_update

FORMULA = '=HYPERLINK("http://example.invalid/x","点此")'


def _export(tmp_path, kind, user, *extra):
    out = tmp_path / f"{kind}-{user.username}.xlsx"
    call_command(
        "export_xlsx", kind, "-o", str(out), "--user", user.username, *extra, stdout=StringIO()
    )
    return out


def test_a_grid_name_that_looks_like_a_formula_is_text_in_every_exports_title(world, tmp_path):
    a = world.a
    node_update(actor=world.admin, node=a.node, name=f"{FORMULA}村\x0b一", code=None)
    a.node.refresh_from_db()
    for kind in ("residents", "points_ledger", "appeals", "visits"):
        title = load_workbook(_export(tmp_path, kind, a.cadre)).active["A1"]
        assert title.data_type == "s", (kind, title.value)
        assert title.value.startswith(f"{FORMULA}村一"), title.value
    # The grid page's own summary sheet and the roster template's list of grids, too.
    from tests.conftest import Client

    client = Client()
    client.force_login(a.cadre)
    body = b"".join(client.get(f"/grid/nodes/{a.node.pk}/export/").streaming_content)
    assert load_workbook(io.BytesIO(body)).active["A1"].data_type == "s"
    body = b"".join(client.get("/sheets/import/template/residents/").streaming_content)
    grids = [c for c in load_workbook(io.BytesIO(body))["可填写的网格"]["A"][1:]]
    assert grids and all(c.data_type == "s" and c.value.startswith(FORMULA) for c in grids)
