"""Signed checkpoints of the audit chains (architecture rule 3; docs/security.md, "Audit chains").

Anyone who can write to the database can rewrite a chain whole: change an event, recompute every
hash after it and the head, and verify_audit still passes. A checkpoint is the answer of the
trusted logs (Certificate Transparency's signed tree heads, Trillian, ledger databases): each
chain's head (key, seq, hash) signed with an Ed25519 key that is not in the database, written to a
file that leaves the server (the 纪检 auditor downloads and prints it). `verify_audit --checkpoint
FILE` then proves that each chain still extends it: the event at the signed seq still has the
signed hash and the chain verifies through it (a chain is a hash chain, so its whole prefix is
pinned).

Each chain's entry is signed on its own, so that an auditor's download holds only the chains of
their scope and still verifies. Keys: the private key comes from XIANGZHI_AUDIT_SIGNING_KEY (PEM,
or the raw 32 bytes in base64) or the file settings.XIANGZHI_AUDIT_SIGNING_KEY_FILE (created on
first use, mode 0600); every public key ever used stays in the keyring directory
settings.XIANGZHI_AUDIT_PUBLIC_KEYS_DIR as <key id>.pem, so older checkpoints still verify after a
rotation (`audit_checkpoint --new-key`). The key id is the first 16 hex digits of the SHA-256 of
the raw public key.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

from .audit import chain_labels
from .models import AuditEvent, AuditHead

log = logging.getLogger(__name__)

FORMAT = "xiangzhi-audit-checkpoint/1"
KEY_ENV = "XIANGZHI_AUDIT_SIGNING_KEY"


class CheckpointError(ValueError):
    """A checkpoint file or key that cannot be used (the message is for the user, in Chinese)."""


def _raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw_public(public)).hexdigest()[:16]


def _load_private(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        # TypeError: a PEM protected by a password, which the worker has no way to give.
        raise CheckpointError("审计签名私钥无法读取（须为不加密码的 Ed25519 私钥）") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError("审计签名私钥不是 Ed25519 密钥")
    return key


def _keyring() -> Path:
    return Path(settings.XIANGZHI_AUDIT_PUBLIC_KEYS_DIR)


def _remember_public(public: Ed25519PublicKey) -> None:
    """Keep the public key in the keyring (never removed: old checkpoints verify with it)."""
    path = _keyring() / f"{key_id(public)}.pem"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            public.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )


def _write_private(key: Ed25519PrivateKey) -> None:
    path = Path(settings.XIANGZHI_AUDIT_SIGNING_KEY_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_whole(path, pem, mode=0o600)


def _write_whole(path: Path, data: bytes, *, mode: int = 0o666) -> None:
    """Write a file whole or not at all (a temporary file beside it, synced, then renamed): a
    reader never finds half a key or half a checkpoint."""
    tmp = path.with_name(f".{path.name}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def signing_key() -> Ed25519PrivateKey:
    """The current private key: from the environment, else the key file (created when absent)."""
    if os.environ.get(KEY_ENV):
        key = _load_private(os.environ[KEY_ENV])
    else:
        path = Path(settings.XIANGZHI_AUDIT_SIGNING_KEY_FILE)
        if path.exists():
            key = _load_private(path.read_text())
        else:
            key = Ed25519PrivateKey.generate()
            _write_private(key)
    _remember_public(key.public_key())
    return key


def new_signing_key() -> str:
    """Rotate: a new key file replaces the old private key; the old public key stays trusted."""
    if os.environ.get(KEY_ENV):
        raise CheckpointError(f"签名私钥来自环境变量 {KEY_ENV}，请在那里更换")
    key = Ed25519PrivateKey.generate()
    _write_private(key)
    _remember_public(key.public_key())
    return key_id(key.public_key())


def public_keys(files: list[str] | None = None) -> dict[str, Ed25519PublicKey]:
    """The trusted public keys by id: the given files (an auditor's own copies), else the keyring."""
    paths = [Path(f) for f in files] if files else sorted(_keyring().glob("*.pem"))
    keys = {}
    for path in paths:
        try:
            public = serialization.load_pem_public_key(path.read_bytes())
        except (OSError, ValueError) as exc:
            raise CheckpointError(f"公钥文件 {path.name} 无法读取") from exc
        if isinstance(public, Ed25519PublicKey):
            keys[key_id(public)] = public
    return keys


def _signed_bytes(entry: dict) -> bytes:
    body = {k: v for k, v in entry.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _head_times(heads: list[AuditHead]) -> dict[int, dt.datetime]:
    out = {}
    for head in heads:
        if head.seq:
            event = AuditEvent.objects.filter(chain_id=head.pk, seq=head.seq).only("created_at")
            first = event.first()
            if first is not None:
                out[head.pk] = first.created_at
    return out


def build_checkpoint(*, now: dt.datetime | None = None) -> dict:
    """Sign every chain's current head."""
    now = now or timezone.now()
    key = signing_key()
    kid = key_id(key.public_key())
    heads = list(AuditHead.objects.order_by("key"))
    labels = chain_labels(heads)
    times = _head_times(heads)
    entries = []
    for head in heads:
        entry = {
            "chain": head.key,
            "label": labels[head.pk],
            "node_id": head.node_id,
            "seq": head.seq,
            "hash": head.hash,
            "head_time": times[head.pk].isoformat() if head.pk in times else None,
            "signed_at": now.isoformat(),
            "key_id": kid,
        }
        entry["signature"] = base64.b64encode(key.sign(_signed_bytes(entry))).decode()
        entries.append(entry)
    checkpoint = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "key_id": kid,
        "public_key": base64.b64encode(_raw_public(key.public_key())).decode(),
        "chains": entries,
    }
    return with_set_signature(checkpoint, key)


def entry_digest(entry: dict) -> str:
    """The digest of one signed entry (its signature included) in the file's set."""
    body = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def _set_bytes(created_at: object, digests: list[str]) -> bytes:
    body = {"created_at": created_at, "entries": sorted(digests)}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def with_set_signature(checkpoint: dict, key: Ed25519PrivateKey) -> dict:
    """The checkpoint with one more signature, made when it is built: over the digests of all
    its entries. An auditor's part of the file (checkpoint_for_actor) carries the digests of the
    entries it leaves out (`others`), so nothing is signed again when it is given, and an entry
    taken out of a file is caught unless its digest is put in `others`, which the verification
    then says (so many of the chains signed)."""
    digests = [entry_digest(e) for e in checkpoint["chains"]]
    signed = {"key_id": key_id(key.public_key())}
    signed["signature"] = base64.b64encode(
        key.sign(_set_bytes(checkpoint["created_at"], digests))
    ).decode()
    return {**checkpoint, "set": signed}


def part_of(checkpoint: dict, chains: list[dict]) -> dict:
    """The part of a checkpoint holding these of its entries: the others' digests kept."""
    kept = {id(e) for e in chains}
    others = [entry_digest(e) for e in checkpoint["chains"] if id(e) not in kept]
    return {
        **checkpoint,
        "chains": chains,
        "others": sorted([*checkpoint.get("others", []), *others]),
    }


@dataclass
class SetCheck:
    problem: str | None
    covered: int  # the file's entries
    signed: int  # the entries signed when the checkpoint was made


def check_set(checkpoint: dict, keys: dict[str, Ed25519PublicKey]) -> SetCheck:
    """Whether the file's entries are those signed together (a part's: with its `others`)."""
    covered = len(checkpoint["chains"])
    others = checkpoint.get("others", [])
    signed = checkpoint.get("set")
    if not isinstance(signed, dict):
        why = "检查点文件没有整体签名：其中的审计链可能被删去，请使用2026年12月3日以后签署的检查点文件"
        return SetCheck(why, covered, covered)
    if not isinstance(others, list) or not all(isinstance(d, str) for d in others):
        return SetCheck("检查点文件的整体签名不完整", covered, covered)
    digests = [entry_digest(e) for e in checkpoint["chains"]] + others
    try:
        public = keys.get(signed["key_id"])
        if public is None:
            why = f"整体签名的密钥 {signed['key_id']} 不在受信任的公钥中"
            return SetCheck(why, covered, len(digests))
        public.verify(
            base64.b64decode(signed["signature"]),
            _set_bytes(checkpoint.get("created_at"), digests),
        )
    except (KeyError, TypeError, ValueError):
        return SetCheck("检查点文件的整体签名不完整", covered, len(digests))
    except InvalidSignature:
        why = "检查点文件的整体签名无效：其中的审计链被删去、增加或改动"
        return SetCheck(why, covered, len(digests))
    return SetCheck(None, covered, len(digests))


def dumps(checkpoint: dict) -> str:
    return json.dumps(checkpoint, ensure_ascii=False, indent=2) + "\n"


def loads(text: str | bytes) -> dict:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested deeper than parsed
        raise CheckpointError("检查点文件不是有效的 JSON") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError("不是乡治的审计检查点文件")
    chains = data.get("chains")
    if not isinstance(chains, list) or not all(isinstance(e, dict) for e in chains):
        raise CheckpointError("检查点文件缺少审计链")
    if not chains:
        raise CheckpointError("检查点文件中没有任何审计链，无法用它证明什么")
    return data


def checkpoint_dir() -> Path:
    return Path(settings.XIANGZHI_AUDIT_CHECKPOINT_DIR)


def save_checkpoint(checkpoint: dict) -> Path:
    """Keep a checkpoint in the checkpoint directory (the audit page offers the latest)."""
    directory = checkpoint_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.fromisoformat(checkpoint["created_at"]).strftime("%Y%m%dT%H%M%S%f")
    path = directory / f"audit-checkpoint-{stamp}.json"
    _write_whole(path, dumps(checkpoint).encode())  # the audit page may read it meanwhile
    return path


def latest_checkpoint() -> dict | None:
    """The newest checkpoint that can be read (a damaged one is logged and passed over)."""
    for path in sorted(checkpoint_dir().glob("audit-checkpoint-*.json"), reverse=True):
        try:
            return loads(path.read_bytes())
        except (OSError, CheckpointError) as exc:
            log.error("audit checkpoint %s cannot be read: %s", path.name, exc)
    return None


@dataclass
class EntryCheck:
    label: str
    seq: int
    problem: str | None


def _check_entry(entry: dict, keys: dict[str, Ed25519PublicKey]) -> str | None:
    """Why a checkpoint entry does not hold any more (None when it does)."""
    try:
        public = keys.get(entry["key_id"])
        if public is None:
            return f"签名密钥 {entry['key_id']} 不在受信任的公钥中"
        public.verify(base64.b64decode(entry["signature"]), _signed_bytes(entry))
        chain, seq, signed_hash = entry["chain"], int(entry["seq"]), entry["hash"]
    except (KeyError, TypeError, ValueError):
        return "检查点条目不完整"
    except InvalidSignature:
        return "签名无效（检查点文件被改动）"
    head = AuditHead.objects.filter(key=chain).first()
    if head is None:
        return "检查点中的审计链已不存在"
    if head.seq < seq:
        return f"审计链只到 #{head.seq}，短于检查点签名的 #{seq}（事件被删除）"
    if seq == 0:
        return None
    event = AuditEvent.objects.filter(chain_id=head.pk, seq=seq).only("hash").first()
    if event is None:
        return f"检查点签名的事件 #{seq} 已不存在"
    if event.hash != signed_hash:
        return f"事件 #{seq} 的哈希与签名检查点不一致（审计链被整体改写）"
    return None


def verify_checkpoint(checkpoint: dict, keys: dict[str, Ed25519PublicKey]) -> list[EntryCheck]:
    """Check each signed head against the chains; the chains themselves are walked by
    audit.verify_chains() (which the command runs too), so together each chain is proved to
    extend the checkpoint."""
    return [
        EntryCheck(str(e.get("label", e.get("chain", ""))), e.get("seq", 0), _check_entry(e, keys))
        for e in checkpoint["chains"]
    ]


def _visible(entry: dict, scope) -> bool:
    """A township's chain to the audit roles bound inside or above it; the node-less and the
    legacy chains (every township's events before the split) to those bound at level 1 or above."""
    from .roles import AUDIT_ROLES

    if scope.superuser:
        return True
    key = str(entry.get("chain", ""))
    if key in (AuditHead.NO_NODE, AuditHead.LEGACY):
        return any(level <= 1 for role, _, level in scope.bindings if role in AUDIT_ROLES)
    return any(p.startswith(key) or key.startswith(p) for p in scope.paths(AUDIT_ROLES))


def checkpoint_for_actor(*, actor) -> dict | None:
    """The latest checkpoint with the chains of the actor's audit scope (each entry is signed on
    its own, so the part still verifies); None when none was signed yet or none is visible."""
    from .scope import scope_for

    scope = scope_for(actor)
    if not scope.can_audit:
        return None
    checkpoint = latest_checkpoint()
    if checkpoint is None:
        return None
    chains = [e for e in checkpoint["chains"] if _visible(e, scope)]
    if not chains:
        return None
    # The part the actor may see: each entry keeps its signature, the others their digests.
    return part_of(checkpoint, chains)


def _local(value: str | None) -> dt.datetime | None:
    return timezone.localtime(dt.datetime.fromisoformat(value)) if value else None


def printable(checkpoint: dict) -> dict:
    """What the printable page shows: times as local datetimes, the key's fingerprint."""
    raw = base64.b64decode(checkpoint.get("public_key", ""))
    return {
        "created_at": _local(checkpoint["created_at"]),
        "key_id": checkpoint["key_id"],
        "fingerprint": hashlib.sha256(raw).hexdigest(),
        "chains": [
            {**e, "head_time": _local(e.get("head_time")), "signed_at": _local(e["signed_at"])}
            for e in checkpoint["chains"]
        ],
    }
