"""The 纪检 auditor's copy of the signed audit checkpoint: a printable page and the file itself.

Only the audit roles see them, each with the chains of their scope (core/checkpoint.py); every
view or download is audited."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from .access import access_audit_trail
from .actions import CoreAction
from .audit import audit_record
from .checkpoint import checkpoint_for_actor, dumps, printable


def _audited(request, checkpoint: dict, form: str) -> None:
    audit_record(
        actor=request.user,
        action=CoreAction.AUDIT_CHECKPOINT_DOWNLOAD,
        object_type="core.audithead",
        object_repr=checkpoint["created_at"][:19],
        changes={"format": form, "chains": len(checkpoint["chains"])},
    )


@require_GET
def audit_checkpoint_print(request):
    access_audit_trail(request.user)
    checkpoint = checkpoint_for_actor(actor=request.user)
    if checkpoint is not None:
        _audited(request, checkpoint, "print")
    return render(
        request,
        "core/audit_checkpoint.html",
        {"checkpoint": printable(checkpoint) if checkpoint else None, "nav": "audit"},
    )


@require_GET
def audit_checkpoint_download(request):
    access_audit_trail(request.user)
    checkpoint = checkpoint_for_actor(actor=request.user)
    if checkpoint is None:
        raise Http404(gettext("尚未签署审计检查点"))
    _audited(request, checkpoint, "json")
    stamp = checkpoint["created_at"][:10].replace("-", "")
    response = HttpResponse(dumps(checkpoint), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-checkpoint-{stamp}.json"'
    return response
