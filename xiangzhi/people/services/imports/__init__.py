"""Spreadsheet imports of the registry (花名册): residents (one row per person) and households
(one row per household), run by core's sheet engine (core.sheets) with these steps:

- header: which sheets are rosters, and their column labels;
- cells: a row read into a Row; read: rows grouped into households;
- check: field rules shared with the forms, duplicates in the file, masked exports;
- lookup: the registered people and households a batch names;
- plan: each household's rows checked as a whole, into a batch's Plan (changes);
- write: the plan written in bulk, one audit event per created or changed record.

Valid rows are imported and invalid rows reported (or, with all_or_nothing, nothing is written
when any row is wrong); a re-import of the same sheet changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from os import PathLike
from typing import TYPE_CHECKING

from xiangzhi.core.sheets import ImportReport, sheet_import

from .run import RegistryImport
from .write import HISTORY_COLUMNS

if TYPE_CHECKING:
    from xiangzhi.accounts.models import User

__all__ = ["HISTORY_COLUMNS", "RegistryImport", "registry_import"]


def registry_import(
    *,
    actor: User,
    kind: str,
    path: str | PathLike,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    progress: Callable[[int], None] | None = None,
    source_name: str = "",
) -> ImportReport:
    """Import a residents or households sheet; see the package docstring."""
    if kind not in ("residents", "households"):
        raise ValueError(kind)
    return sheet_import(
        actor=actor,
        kind=kind,
        path=path,
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
        progress=progress,
        source_name=source_name,
    )
