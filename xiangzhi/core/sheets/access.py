"""Loading what a sheet page acts on: the kinds an actor may import, one kind, one job."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext

from xiangzhi.core.models import ImportJob
from xiangzhi.core.registry import SHEET_KINDS
from xiangzhi.core.scope import access_object
from xiangzhi.core.types import Actor

from .kinds import SheetKind, import_kinds


def shared_text(values: list[str], default: str) -> str:
    """What every kind on a page says alike (its refusal, its title, its nav entry), else the
    default."""
    return values[0] if len(set(values)) == 1 else default


def access_import_kinds(actor: Actor) -> list[SheetKind]:
    """The kinds the actor may import; 403 when there is none."""
    kinds = [k for k in import_kinds() if k.may_import(actor)]
    if not kinds:
        raise PermissionDenied(
            shared_text([k.refused for k in import_kinds()], gettext("您没有导入表格的权限"))
        )
    return kinds


def access_import_kind(actor: Actor, key: str) -> SheetKind:
    """One importable kind: 404 when no such kind imports, 403 when the actor may not import it."""
    sheet_kind = SHEET_KINDS.get(key)
    if sheet_kind is None or sheet_kind.imports is None:
        raise Http404
    if not sheet_kind.may_import(actor):
        raise PermissionDenied(sheet_kind.refused)
    return sheet_kind


def access_import_job(actor: Actor, pk: int | str) -> ImportJob:
    """One of the actor's own import jobs (404 for anyone else's)."""
    return access_object(ImportJob, actor, pk)
