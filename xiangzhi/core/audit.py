"""The tamper-evident audit trail: append with audit_record(), check with verify_chain()."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from .bulk import insert_rows
from .middleware import current_ip
from .models import AuditEvent, AuditHead
from .registry import ACTIONS

GENESIS = "0" * 64
SECRET_FIELDS = {"password", "id_number", "phone", "key_hash", "token"}


_PLAIN = frozenset([str, int, bool, float, type(None)])


def _jsonable(value):
    # Most events (an import writes 100,000) carry a flat dict of plain values: as it is.
    if type(value) is dict and all(type(k) is str and type(v) in _PLAIN for k, v in value.items()):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _redact(changes: dict) -> dict:
    return {k: ("***" if k in SECRET_FIELDS else v) for k, v in changes.items()}


def compute_hash(event: AuditEvent) -> str:
    payload = [
        event.seq,
        event.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        event.actor_id,
        event.actor_label,
        event.action,
        event.object_type,
        event.object_id,
        event.object_repr,
        event.node_id,
        event.changes,
        event.ip,
        event.prev_hash,
    ]
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _lock_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head = AuditHead.objects.create(pk=1, seq=0, hash=GENESIS)
    return head


class UndeclaredAction(ValueError):
    """An audit event whose action no app declared (core.registry.register_actions)."""


def _declared(action: str) -> str:
    if action not in ACTIONS:
        raise UndeclaredAction(
            f"audit action {action!r} is not declared: add it to the app's actions enum"
        )
    return str(action)


def _values(
    *,
    actor,
    action: str,
    obj=None,
    node=None,
    changes=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    created_at=None,
    ip: str | None = None,
) -> dict:
    """The column values of an event, before it is chained."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        if node is None and hasattr(obj, "audit_node"):
            node = obj.audit_node()
    user_id = getattr(actor, "pk", None)
    return {
        "created_at": created_at or timezone.now(),
        "actor_id": user_id,
        "actor_label": (getattr(actor, "username", "") or "")[:150] if user_id else "",
        "action": _declared(action),
        "object_type": object_type,
        "object_id": str(object_id),
        "object_repr": object_repr[:200],
        "node_id": getattr(node, "pk", node),
        "changes": _jsonable(_redact(changes or {})),
        "ip": (current_ip() or "") if ip is None else ip,
    }


def _event(**kwargs) -> AuditEvent:
    """Build an unsaved, unchained event."""
    return AuditEvent(**_values(**kwargs))


def _chain(head: AuditHead, events: list[AuditEvent]) -> None:
    for event in events:
        event.seq = head.seq + 1
        event.prev_hash = head.hash
        event.hash = compute_hash(event)
        head.seq, head.hash = event.seq, event.hash


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    node=None,
    changes: dict | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction."""
    event = _event(
        actor=actor,
        action=action,
        obj=obj,
        node=node,
        changes=changes,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
    )
    with transaction.atomic():
        head = _lock_head()
        _chain(head, [event])
        event.save()
        head.save(update_fields=["seq", "hash"])
    return event


class _Row:
    """An event of a batch, with the attributes compute_hash reads; cheaper than a model."""

    __slots__ = (
        "seq",
        "created_at",
        "actor_id",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "node_id",
        "changes",
        "ip",
        "prev_hash",
        "hash",
    )

    def __init__(self, values: dict):
        for name, value in values.items():
            setattr(self, name, value)


_ROW_COLUMNS = _Row.__slots__


def audit_record_many(*, actor, entries: list[dict]) -> int:
    """Append many events at once (imports): each entry holds audit_record's keyword arguments."""
    if not entries:
        return 0
    now = timezone.now()
    ip = current_ip() or ""
    rows = [_Row(_values(actor=actor, created_at=now, ip=ip, **entry)) for entry in entries]
    with transaction.atomic():
        head = _lock_head()
        _chain(head, rows)
        insert_rows(
            AuditEvent,
            _ROW_COLUMNS,
            [tuple(getattr(r, c) for c in _ROW_COLUMNS) for r in rows],
        )
        head.save(update_fields=["seq", "hash"])
    return len(rows)


def diff(instance: models.Model, before: dict, fields: list[str]) -> dict:
    """Return {field: [old, new]} for the fields whose value changed."""
    out = {}
    for name in fields:
        new = getattr(instance, name)
        if before.get(name) != new:
            out[name] = [_jsonable(before.get(name)), _jsonable(new)]
    return out


def snapshot(instance: models.Model, fields: list[str]) -> dict:
    return {name: getattr(instance, name) for name in fields}


@dataclass
class ChainProblem:
    seq: int
    pk: int | None
    message: str


def verify_chain() -> tuple[int, ChainProblem | None]:
    """Walk the chain in order; return how many events are intact and the first problem."""
    expected_seq = 1
    prev = GENESIS
    checked = 0
    rows = AuditEvent.objects.order_by("pk").iterator(chunk_size=2000)
    for event in rows:
        if event.seq != expected_seq:
            return checked, ChainProblem(
                expected_seq,
                event.pk,
                f"事件 #{expected_seq} 缺失或顺序被改动(在该位置发现的是 #{event.seq},id={event.pk})",
            )
        if event.prev_hash != prev:
            return checked, ChainProblem(
                event.seq,
                event.pk,
                f"事件 #{event.seq} 的前序哈希与上一事件不一致(顺序被改动或上一事件被删除)",
            )
        if compute_hash(event) != event.hash:
            return checked, ChainProblem(event.seq, event.pk, f"事件 #{event.seq} 的内容已被修改")
        prev = event.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    head_seq = head.seq if head else 0
    if head_seq != checked or (head and head.hash != prev):
        return checked, ChainProblem(
            checked + 1,
            None,
            f"审计链头记录到 #{head_seq},但只找到 {checked} 条完整事件(末尾事件被删除)",
        )
    return checked, None
