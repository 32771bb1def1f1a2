"""The tamper-evident audit trail: append with audit_record(), check with verify_chain()."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from dataclasses import dataclass

from django.apps import apps
from django.db import IntegrityError, models, transaction
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


def compute_hash(event, chain_key: str | None = None) -> str:
    """The event's hash. Events of a township's or the node-less chain hash their chain's key
    too (an event copied into another chain does not verify there); the legacy chain's events
    keep the payload they were written with (chain_key None)."""
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
    if chain_key is not None:
        payload.insert(0, chain_key)
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def payload_key(head: AuditHead) -> str | None:
    """The chain key that goes into its events' hashes (None for the legacy chain)."""
    return None if head.key == AuditHead.LEGACY else head.key


def _grid_node_model():
    return apps.get_model("grid", "GridNode")


def township_key(node) -> str:
    """The key of the chain an event about `node` goes to: the grid path of the node's level-1
    ancestor (its township; the node itself above level 1), or NO_NODE. A node given by its id
    costs one query; a node instance none."""
    if node is None:
        return AuditHead.NO_NODE
    if not hasattr(node, "ancestor_path_at"):
        node = _grid_node_model().objects.only("path", "level").filter(pk=node).first()
        if node is None:  # a node that no longer exists: its events still need a chain
            return AuditHead.NO_NODE
    return node.ancestor_path_at(1) or AuditHead.NO_NODE  # a node without its path yet


def _township_keys(node_ids: set) -> dict:
    """township_key() of many node ids in one query."""
    out = {None: AuditHead.NO_NODE}
    ids = [i for i in node_ids if i is not None]
    GridNode = _grid_node_model()
    for start in range(0, len(ids), 500):
        for node in GridNode.objects.only("path", "level").filter(pk__in=ids[start : start + 500]):
            out[node.pk] = node.ancestor_path_at(1) or AuditHead.NO_NODE
    return {i: out.get(i, AuditHead.NO_NODE) for i in node_ids}


def _lock_head(key: str = AuditHead.NO_NODE) -> AuditHead:
    """Lock the head of the chain `key`, opening the chain on its first event."""
    heads = AuditHead.objects.select_for_update()
    head = heads.filter(key=key).first()
    if head is not None:
        return head
    node_id = None
    if key not in (AuditHead.NO_NODE, AuditHead.LEGACY):
        node_id = _grid_node_model().objects.filter(path=key).values_list("pk", flat=True).first()
    try:
        with transaction.atomic():  # two first events of a township at once: one inserts
            AuditHead.objects.create(
                key=key, node_id=node_id, seq=0, hash=GENESIS, frozen=key == AuditHead.LEGACY
            )
    except IntegrityError:
        pass
    return heads.get(key=key)


def audit_lock(node) -> None:
    """Take, now, the head of the chain an event about `node` goes to (a node or its id), in the
    caller's transaction. An import holds its townships' heads from its first batch to its
    commit and locks records after taking them; a service that locks such records and audits
    after (points' accounts) takes the head first, so that the two wait in one order, never
    crosswise (a deadlock PostgreSQL breaks by aborting one of them)."""
    _lock_head(township_key(node))


def audit_lock_many(node_ids) -> None:
    """audit_lock() for events about many nodes (their ids), the heads taken in key order, as
    audit_record_many takes them: a service that fixes records of several townships in one
    transaction takes them all first, so that it never holds one township's head while it waits
    for another's that an import holds (which waits, in key order, for the first)."""
    for key in sorted(set(_township_keys(set(node_ids)).values())):
        _lock_head(key)


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


def _chain(head: AuditHead, events: list) -> None:
    if head.frozen:
        raise PermissionError(f"audit chain {head.key} is frozen")
    key = payload_key(head)
    for event in events:
        event.chain_id = head.pk
        event.seq = head.seq + 1
        event.prev_hash = head.hash
        event.hash = compute_hash(event, key)
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
    """Append one event to its township's chain inside the caller's transaction."""
    if node is None and obj is not None and hasattr(obj, "audit_node"):
        node = obj.audit_node()
    key = township_key(node)
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
        head = _lock_head(key)
        _chain(head, [event])
        event.save()
        head.save(update_fields=["seq", "hash"])
    return event


class _Row:
    """An event of a batch, with the attributes compute_hash reads; cheaper than a model."""

    __slots__ = (
        "chain_id",
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
        self.chain_id = None
        for name, value in values.items():
            setattr(self, name, value)


_ROW_COLUMNS = _Row.__slots__


def audit_record_many(*, actor, entries: list[dict]) -> int:
    """Append many events at once (imports): each entry holds audit_record's keyword arguments.
    The events go to their townships' chains, whose heads are locked in key order (two batches
    never wait on each other crosswise)."""
    if not entries:
        return 0
    now = timezone.now()
    ip = current_ip() or ""
    rows = [_Row(_values(actor=actor, created_at=now, ip=ip, **entry)) for entry in entries]
    keys = _township_keys({r.node_id for r in rows})
    by_chain: dict[str, list[_Row]] = {}
    for r in rows:
        by_chain.setdefault(keys[r.node_id], []).append(r)
    with transaction.atomic():
        heads = [_lock_head(key) for key in sorted(by_chain)]
        for head in heads:
            _chain(head, by_chain[head.key])
        insert_rows(
            AuditEvent,
            _ROW_COLUMNS,
            [
                tuple(getattr(r, c) for c in _ROW_COLUMNS)
                for chain in by_chain.values()
                for r in chain
            ],
        )
        for head in heads:
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
    chain: str = ""  # the label of the chain it is in


@dataclass
class ChainReport:
    head: AuditHead
    label: str
    checked: int
    problem: ChainProblem | None


def chain_labels(heads) -> dict[int, str]:
    """The Chinese name of each chain (by head pk): its township's, or what it holds."""
    ids = {h.node_id for h in heads if h.node_id}
    names = dict(_grid_node_model().objects.filter(pk__in=ids).values_list("pk", "name"))
    out = {}
    for h in heads:
        if h.key == AuditHead.LEGACY:
            out[h.pk] = "分链前的审计链（已冻结）"
        elif h.key == AuditHead.NO_NODE:
            out[h.pk] = "不属于网格的事件（登录等）"
        elif h.node_id in names:
            out[h.pk] = f"{names[h.node_id]}审计链"
        else:
            out[h.pk] = f"网格路径 {h.key} 的审计链"
    return out


def _walk(head: AuditHead) -> tuple[int, str, ChainProblem | None]:
    """Walk one chain in order: (intact events, the last hash, the first problem)."""
    key = payload_key(head)
    expected_seq = 1
    prev = GENESIS
    rows = AuditEvent.objects.filter(chain_id=head.pk).order_by("seq").iterator(chunk_size=2000)
    for event in rows:
        if event.seq != expected_seq:
            return (
                expected_seq - 1,
                prev,
                ChainProblem(
                    expected_seq,
                    event.pk,
                    f"事件 #{expected_seq} 缺失或顺序被改动（在该位置发现的是 #{event.seq}，id={event.pk}）",
                ),
            )
        if event.prev_hash != prev:
            return (
                expected_seq - 1,
                prev,
                ChainProblem(
                    event.seq,
                    event.pk,
                    f"事件 #{event.seq} 的前序哈希与上一事件不一致（顺序被改动或上一事件被删除）",
                ),
            )
        if compute_hash(event, key) != event.hash:
            return (
                expected_seq - 1,
                prev,
                ChainProblem(event.seq, event.pk, f"事件 #{event.seq} 的内容已被修改"),
            )
        prev = event.hash
        expected_seq += 1
    checked = expected_seq - 1
    if head.seq != checked or head.hash != prev:
        return (
            checked,
            prev,
            ChainProblem(
                checked + 1,
                None,
                f"审计链头记录到 #{head.seq}，但只找到 {checked} 条完整事件（末尾事件被删除）",
            ),
        )
    return checked, prev, None


def verify_chains() -> list[ChainReport]:
    """Verify every chain; a last report (without a head) names events that are in no chain."""
    heads = list(AuditHead.objects.order_by("pk"))
    labels = chain_labels(heads)
    reports = []
    for head in heads:
        checked, _, problem = _walk(head)
        if problem is not None:
            problem.chain = labels[head.pk]
        reports.append(ChainReport(head, labels[head.pk], checked, problem))
    if all(r.problem is None for r in reports):
        stray = AuditEvent.objects.count() - sum(r.checked for r in reports)
        if stray:
            problem = ChainProblem(0, None, f"有 {stray} 条事件不属于任何审计链", "")
            reports.append(ChainReport(None, "", 0, problem))
    return reports


def verify_chain() -> tuple[int, ChainProblem | None]:
    """Verify every chain: how many events are intact, and the first problem found."""
    reports = verify_chains()
    problem = next((r.problem for r in reports if r.problem is not None), None)
    return sum(r.checked for r in reports), problem
