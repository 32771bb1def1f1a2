"""The registry's lists as .xlsx from their pages (the filters as the page shows them); core's
sheet_export writes and audits them, as it does for `manage.py export_xlsx`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xiangzhi.core.sheets import sheet_export

from .sheets import SHEET_KINDS

if TYPE_CHECKING:
    from xiangzhi.accounts.models import User

# kind -> (columns, rows, title), as the list pages name their exports.
KINDS = {k.key: (k.columns, k.exports.rows, k.label) for k in SHEET_KINDS}


def export_list(*, actor: User, kind: str, queryset, target, node=None, period: str = "") -> int:
    """Write the list to `target` (a path or a binary file) and audit the export."""
    return sheet_export(
        actor=actor, kind=kind, queryset=queryset, target=target, node=node, period=period
    )
