"""Training the routing model from the deployment's own past dispatches."""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.db.models import Q

from xiangzhi.core.audit import audit_record
from xiangzhi.core.types import Actor

from ..actions_extra import AppealServiceAction as Action
from ..models import Appeal, State
from ..models.routing import RoutingModelRecord
from ..routing.learn import RoutingModel, Sample, split

# Below this many handled appeals the keyword rules decide (a model of a few dozen would guess).
MIN_HISTORY = 200
# The newest appeals a model learns from: enough for a township's year, bounded for the worker.
MAX_HISTORY = 50_000
KEEP_MODELS = 3
VILLAGE_PATH = 10  # a level-2 node's path: two 5-character segments (grid.GridNode.path)


def routing_history() -> list[Sample]:
    """The handled appeals (accepted and assigned or dispatched), oldest first, as samples."""
    rows = (
        Appeal.objects.filter(accepted_at__isnull=False)
        .exclude(state=State.MERGED)
        .filter(Q(assignee__isnull=False) | Q(department__isnull=False))
    )
    rows = rows.order_by("-created_at", "-id").values_list(
        "text", "node__path", "kind", "department__code", "assignee_id"
    )[:MAX_HISTORY]
    samples = [
        Sample(
            text=text,
            node=path[:VILLAGE_PATH],
            kind=kind,
            department=code or "village",
            assignee="" if code else str(assignee or ""),
        )
        for text, path, kind, code, assignee in rows
    ]
    samples.reverse()
    return samples


def _data_key(samples: list[Sample]) -> str:
    digest = hashlib.sha256()
    for s in samples:
        digest.update(
            f"{s.text}\x1f{s.node}\x1f{s.kind}\x1f{s.department}\x1f{s.assignee}\x1e".encode()
        )
    return digest.hexdigest()


def routing_model_train(*, actor: Actor = None) -> RoutingModelRecord | None:
    """Train on the history when it changed since the last model; idempotent (None: too little
    history, the keyword rules go on deciding). The accuracy is measured on the newest fifth,
    held out, before the model is fitted again on everything."""
    samples = routing_history()
    if len(samples) < MIN_HISTORY:
        return None
    key = _data_key(samples)
    found = RoutingModelRecord.objects.filter(data_key=key).first()
    if found is not None:
        return found
    train, held_out = split(samples)
    accuracy = RoutingModel.fit(train).accuracy(held_out)
    blob = RoutingModel.fit(samples).dumps()
    try:
        with transaction.atomic():
            record = RoutingModelRecord.objects.create(
                samples=len(samples), data_key=key, accuracy=accuracy, blob=blob, size=len(blob)
            )
            audit_record(
                actor=actor,
                action=Action.ROUTING_MODEL_TRAIN,
                obj=record,
                changes={"samples": len(samples), "accuracy": accuracy},
            )
    except IntegrityError:  # a second worker trained on the same history at the same time
        return RoutingModelRecord.objects.get(data_key=key)
    stale = RoutingModelRecord.objects.order_by("-trained_at", "-id").values("pk")[KEEP_MODELS:]
    RoutingModelRecord.objects.filter(pk__in=list(stale)).delete()
    return record
