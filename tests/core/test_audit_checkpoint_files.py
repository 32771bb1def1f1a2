"""A checkpoint file that proves nothing, one an entry was taken out of, a crafted one, a
password-protected signing key, a damaged newest file: each refused or passed over with a
message, never a pass by mistake nor a traceback (review of 2026-12-03)."""

import json
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command

from xiangzhi.core.checkpoint import CheckpointError, signing_key
from xiangzhi.core.models import AuditHead

from .test_audit_checkpoint import _own_dirs, _sign, nodeless_chain, run  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_an_empty_checkpoint_proves_nothing_and_fails(world, tmp_path):
    path = tmp_path / "empty.json"
    path.write_text(json.dumps({"format": "xiangzhi-audit-checkpoint/1", "chains": []}))
    code, out = run("verify_audit", "--checkpoint", str(path))
    assert code == 1 and "没有任何审计链" in out


@pytest.mark.usefixtures("nodeless_chain")
def test_a_chain_taken_out_of_a_checkpoint_is_caught(world, tmp_path):
    path = tmp_path / "cp.json"
    assert run("audit_checkpoint", "-o", str(path))[0] == 0
    code, out = run("verify_audit", "--checkpoint", str(path))
    assert code == 0 and "检查点覆盖 2 条审计链；数据库中另有 0 条" in out
    Path(str(path) + ".orig").write_text(path.read_text())
    data = json.loads(path.read_text())
    data["chains"] = [e for e in data["chains"] if e["chain"] != world.township.path]
    path.write_text(json.dumps(data))
    code, out = run("verify_audit", "--checkpoint", str(path))
    assert code == 1 and "整体签名无效" in out
    assert "数据库中另有 1 条不在此文件中（测试镇审计链）" in out
    # Taken out and its digest put among the others: the file passes as a part, and says so.
    from xiangzhi.core.checkpoint import entry_digest

    data = json.loads(Path(str(path) + ".orig").read_text())
    dropped = next(e for e in data["chains"] if e["chain"] == world.township.path)
    data["chains"].remove(dropped)
    data["others"] = [entry_digest(dropped)]
    path.write_text(json.dumps(data))
    code, out = run("verify_audit", "--checkpoint", str(path))
    assert code == 0 and "签署时共 2 条审计链，本文件含其中 1 条" in out
    del data["set"]  # an old file, or one its whole signature was taken from
    path.write_text(json.dumps(data))
    code, out = run("verify_audit", "--checkpoint", str(path))
    assert code == 1 and "没有整体签名" in out


def test_an_auditors_part_of_the_checkpoint_is_signed_whole_again(client, world, tmp_path):
    _sign(1, world.admin)
    client.force_login(world.a.auditor)
    part = client.get("/core/audit/checkpoint/download/").content
    path = tmp_path / "part.json"
    path.write_bytes(part)
    code, out = run("verify_audit", "--checkpoint", str(path))
    assert code == 0, out
    assert "检查点覆盖 1 条审计链" in out and "本文件含其中 1 条" in out


def test_a_part_given_after_the_key_rotated_verifies_with_the_old_public_key(
    client, world, tmp_path, settings
):
    _sign(1, world.admin)
    old_keys = sorted(Path(settings.XIANGZHI_AUDIT_PUBLIC_KEYS_DIR).glob("*.pem"))
    assert len(old_keys) == 1
    saved = tmp_path / "old.pem"
    saved.write_bytes(old_keys[0].read_bytes())
    # The key rotates; the newest checkpoint is still the one signed with the old key.
    from xiangzhi.core.checkpoint import new_signing_key

    new_signing_key()
    client.force_login(world.a.auditor)
    path = tmp_path / "part.json"
    path.write_bytes(client.get("/core/audit/checkpoint/download/").content)
    code, out = run("verify_audit", "--checkpoint", str(path), "--public-key", str(saved))
    assert code == 0, out


def test_a_crafted_checkpoint_is_refused_without_a_traceback(world, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000)
    code, out = run("verify_audit", "--checkpoint", str(path))
    assert code == 1 and "检查点无法使用：检查点文件不是有效的 JSON" in out


def test_a_password_protected_signing_key_is_refused_with_a_message(world, monkeypatch):
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    monkeypatch.setenv("XIANGZHI_AUDIT_SIGNING_KEY", pem.decode())
    with pytest.raises(CheckpointError, match="不加密码"):
        signing_key()


def test_a_damaged_newest_checkpoint_is_passed_over_for_the_one_before(client, world, settings):
    _sign()
    call_command("audit_checkpoint", stdout=open(os.devnull, "w"))  # noqa: SIM115
    files = sorted(Path(settings.XIANGZHI_AUDIT_CHECKPOINT_DIR).glob("audit-checkpoint-*.json"))
    assert len(files) == 2 and not list(files[0].parent.glob(".*.part"))
    files[-1].write_text(files[-1].read_text()[:200])  # a disk full, a write cut short
    client.force_login(world.chief)
    page = client.get("/core/audit/checkpoint/")
    assert page.status_code == 200 and "测试镇审计链" in page.content.decode()
    download = client.get("/core/audit/checkpoint/download/")
    assert download.status_code == 200
    assert AuditHead.objects.filter(key=json.loads(download.content)["chains"][0]["chain"]).exists()
