"""Signed audit checkpoints (issue 11, point 7): a chain rewritten whole with every hash
recomputed passes plain verify_audit but not verify_audit --checkpoint; the signing key lives
outside the database and rotates; the worker signs daily; the audit roles download and print."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from xiangzhi.core.audit import compute_hash, payload_key
from xiangzhi.core.models import AuditEvent, AuditHead


@pytest.fixture(autouse=True)
def _own_dirs(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("XIANGZHI_AUDIT_SIGNING_KEY", raising=False)
    settings.XIANGZHI_AUDIT_SIGNING_KEY_FILE = tmp_path / "keys" / "audit_signing_key"
    settings.XIANGZHI_AUDIT_PUBLIC_KEYS_DIR = tmp_path / "keys" / "public"
    settings.XIANGZHI_AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"


@pytest.fixture
def nodeless_chain(world):
    """The world files every event of its own under a node (accounts' too, since 2026-12-03);
    a deployment also has the node-less chain (an administrator's, key rotations): one event
    opens it, so that a checkpoint covers two chains."""
    from xiangzhi.core.actions import CoreAction
    from xiangzhi.core.audit import audit_record

    audit_record(
        actor=None,
        action=CoreAction.DATA_KEYS_ROTATE,
        object_type="core.crypto",
        changes={"rows": 0, "reindex": False},
    )


def run(command, *args):
    out = StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def _rewrite_whole_chain(head: AuditHead, seq: int, new_repr: str) -> None:
    """What someone with database access can do: change one event, then recompute every hash
    from it to the end and the head, with raw SQL, so that the chain is consistent again."""
    key = payload_key(head)
    events = list(AuditEvent.objects.filter(chain=head, seq__gte=seq).order_by("seq"))
    prev = events[0].prev_hash
    with connection.cursor() as cur:
        for event in events:
            if event.seq == seq:
                event.object_repr = new_repr
            event.prev_hash = prev
            event.hash = compute_hash(event, key)
            prev = event.hash
            cur.execute(
                "UPDATE core_auditevent SET object_repr = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [event.object_repr, event.prev_hash, event.hash, event.pk],
            )
        cur.execute("UPDATE core_audithead SET hash = %s WHERE id = %s", [prev, head.pk])


def test_a_chain_rewritten_whole_passes_plain_verify_but_not_the_checkpoint(
    world, nodeless_chain, tmp_path
):
    path = tmp_path / "cp.json"
    code, out = run("audit_checkpoint", "-o", str(path))
    assert code == 0 and "已签署" in out
    assert run("verify_audit", "--checkpoint", str(path))[0] == 0
    head = AuditHead.objects.get(key=world.township.path)
    _rewrite_whole_chain(head, 3, "改写后的记录")
    code, out = run("verify_audit")
    assert code == 0, out  # every hash is consistent again
    code, out = run("verify_audit", "--checkpoint", str(path))
    assert code == 1
    assert "审计链与签名检查点不符：测试镇审计链：" in out
    assert f"事件 #{head.seq} 的哈希与签名检查点不一致" in out
    assert "不属于网格的事件（登录等）：延续签名检查点" in out  # the other chain still holds


def test_the_checkpoint_file_names_each_chain_head_and_its_signature_covers_it(world, tmp_path):
    path = tmp_path / "cp.json"
    run("audit_checkpoint", "-o", str(path))
    data = json.loads(path.read_text())
    heads = {h.key: h for h in AuditHead.objects.all()}
    assert {e["chain"] for e in data["chains"]} <= set(heads)
    township = next(e for e in data["chains"] if e["chain"] == world.township.path)
    assert (
        township["hash"] == heads[world.township.path].hash and township["label"] == "测试镇审计链"
    )
    assert township["key_id"] == data["key_id"] and township["signature"]
    # A forged checkpoint (a head changed in the file) fails its signature.
    township["seq"] -= 1
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(data))
    code, out = run("verify_audit", "--checkpoint", str(forged))
    assert code == 1 and "签名无效（检查点文件被改动）" in out


def test_events_deleted_past_the_checkpoint_are_caught(world, tmp_path):
    path = tmp_path / "cp.json"
    run("audit_checkpoint", "-o", str(path))
    head = AuditHead.objects.get(key=world.township.path)
    last = AuditEvent.objects.get(chain=head, seq=head.seq)
    before = AuditEvent.objects.get(chain=head, seq=head.seq - 1)
    with connection.cursor() as cur:  # drop the tail and move the head back: consistent again
        cur.execute("DELETE FROM core_auditevent WHERE id = %s", [last.pk])
        cur.execute(
            "UPDATE core_audithead SET seq = %s, hash = %s WHERE id = %s",
            [before.seq, before.hash, head.pk],
        )
    assert run("verify_audit")[0] == 0
    code, out = run("verify_audit", "--checkpoint", str(path))
    assert code == 1 and f"审计链只到 #{before.seq}，短于检查点签名的 #{last.seq}" in out


def test_the_key_rotates_and_older_checkpoints_still_verify(world, tmp_path, settings):
    from xiangzhi.core.checkpoint import signing_key

    first, second = tmp_path / "1.json", tmp_path / "2.json"
    run("audit_checkpoint", "-o", str(first))
    key_file = settings.XIANGZHI_AUDIT_SIGNING_KEY_FILE
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    old_private = key_file.read_bytes()
    code, out = run("audit_checkpoint", "--new-key", "-o", str(second))
    assert code == 0 and "已更换签名密钥" in out and key_file.read_bytes() != old_private
    ids = [json.loads(p.read_text())["key_id"] for p in (first, second)]
    assert ids[0] != ids[1]
    assert sorted(p.stem for p in settings.XIANGZHI_AUDIT_PUBLIC_KEYS_DIR.glob("*.pem")) == sorted(
        ids
    )
    assert run("verify_audit", "--checkpoint", str(first))[0] == 0
    assert run("verify_audit", "--checkpoint", str(second))[0] == 0
    # With only the new public key (the auditor's own copy), the old checkpoint is not trusted.
    new_pub = settings.XIANGZHI_AUDIT_PUBLIC_KEYS_DIR / f"{ids[1]}.pem"
    code, out = run("verify_audit", "--checkpoint", str(first), "--public-key", str(new_pub))
    assert code == 1 and f"签名密钥 {ids[0]} 不在受信任的公钥中" in out
    assert AuditEvent.objects.filter(action="core.audit_key_rotate").count() == 1
    assert signing_key().public_key() is not None


def test_the_key_can_come_from_the_environment_and_never_from_the_database(
    world, tmp_path, settings, monkeypatch
):
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = Ed25519PrivateKey.generate().private_bytes_raw()
    monkeypatch.setenv("XIANGZHI_AUDIT_SIGNING_KEY", base64.b64encode(raw).decode())
    path = tmp_path / "cp.json"
    assert run("audit_checkpoint", "-o", str(path))[0] == 0
    assert not settings.XIANGZHI_AUDIT_SIGNING_KEY_FILE.exists()
    assert run("verify_audit", "--checkpoint", str(path))[0] == 0
    text = json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert base64.b64encode(raw).decode() not in text


def test_the_worker_signs_a_checkpoint_every_day(world, settings):
    from django_tasks_db.models import DBTaskResult

    from xiangzhi.core.checkpoint_tasks import (
        checkpoint_schedule,
        daily_audit_checkpoint,
        next_checkpoint_time,
    )

    settings.XIANGZHI_AUDIT_CHECKPOINT_HOUR = 2
    now = timezone.make_aware(dt.datetime(2026, 12, 1, 14, 0))
    assert next_checkpoint_time(now) == timezone.make_aware(dt.datetime(2026, 12, 2, 2, 0))
    early = timezone.make_aware(dt.datetime(2026, 12, 1, 1, 0))
    assert next_checkpoint_time(early) == timezone.make_aware(dt.datetime(2026, 12, 1, 2, 0))
    assert checkpoint_schedule() and not checkpoint_schedule()  # one queued run at a time
    queued = DBTaskResult.objects.filter(task_path=daily_audit_checkpoint.module_path)
    assert queued.count() == 1 and queued.get().run_after > timezone.now()
    # The night has come: the worker runs the queued task (marked running, as the worker does).
    queued.update(status="RUNNING", started_at=timezone.now())
    daily_audit_checkpoint.call()
    files = list(settings.XIANGZHI_AUDIT_CHECKPOINT_DIR.glob("audit-checkpoint-*.json"))
    assert len(files) == 1
    assert AuditEvent.objects.filter(action="core.audit_checkpoint_create").count() == 1
    assert run("verify_audit", "--checkpoint", str(files[0]))[0] == 0
    # The run queued tomorrow's.
    assert queued.filter(status="READY").count() == 1
    assert queued.get(status="READY").run_after > timezone.now()
    settings.XIANGZHI_AUDIT_CHECKPOINT_HOUR = None
    queued.filter(status="READY").delete()
    assert not checkpoint_schedule()


def _sign(extra_townships: int = 0, admin=None) -> None:
    from xiangzhi.grid.models import GridNode
    from xiangzhi.grid.services import node_create

    start = GridNode.objects.filter(level=1).count()
    for i in range(start, start + extra_townships):
        node_create(actor=admin, parent=None, name=f"另一镇{i}")
    call_command("audit_checkpoint", stdout=StringIO())


def test_the_audit_roles_print_and_download_the_checkpoint_of_their_scope(
    client, world, nodeless_chain
):
    client.force_login(world.chief)
    assert "尚未签署审计检查点" in client.get("/core/audit/checkpoint/").content.decode()
    assert client.get("/core/audit/checkpoint/download/").status_code == 404
    _sign(1, world.admin)
    township = AuditHead.objects.get(key=world.township.path)
    page = client.get("/core/audit/checkpoint/").content.decode()
    assert "测试镇审计链" in page and township.hash in page and "另一镇1审计链" not in page
    assert "不属于网格的事件（登录等）" in page  # bound at the township: the node-less chain too
    r = client.get("/core/audit/checkpoint/download/")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment;")
    data = json.loads(r.content)
    assert {e["chain"] for e in data["chains"]} == {world.township.path, AuditHead.NO_NODE}
    # The part still verifies: each chain's entry is signed on its own.
    from xiangzhi.core.checkpoint import public_keys, verify_checkpoint

    assert all(c.problem is None for c in verify_checkpoint(data, public_keys()))
    downloads = AuditEvent.objects.filter(action="core.audit_checkpoint_download")
    assert [e.changes["format"] for e in downloads.order_by("pk")] == ["print", "json"]
    assert downloads.first().actor_id == world.chief.pk
    # The audit page links to it.
    assert "/core/audit/checkpoint/download/" in client.get("/core/audit/").content.decode()


def test_a_village_auditor_gets_their_township_chain_only_and_a_cadre_nothing(client, world):
    _sign(1, world.admin)
    client.force_login(world.a.auditor)
    data = json.loads(client.get("/core/audit/checkpoint/download/").content)
    assert [e["chain"] for e in data["chains"]] == [world.township.path]
    client.force_login(world.a.cadre)
    assert client.get("/core/audit/checkpoint/").status_code == 403
    assert client.get("/core/audit/checkpoint/download/").status_code == 403
    client.logout()
    assert client.get("/core/audit/checkpoint/download/").status_code in (302, 403)


def test_the_printable_page_costs_the_same_queries_whatever_the_number_of_chains(client, world):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.admin)
    _sign(1, world.admin)
    client.get("/core/audit/checkpoint/")  # the first request of a session reads a bit more
    with CaptureQueriesContext(conn) as few:
        assert client.get("/core/audit/checkpoint/").status_code == 200
    _sign(6, world.admin)
    with CaptureQueriesContext(conn) as many:
        body = client.get("/core/audit/checkpoint/").content.decode()
    assert body.count("<tr>") > 8
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_runs_the_daily_checkpoint_and_queues_the_next(settings, tmp_path):
    from django_tasks_db.models import DBTaskResult

    from tests.core.test_import_worker import run_worker
    from tests.factories import UserFactory
    from xiangzhi.core.checkpoint_tasks import checkpoint_schedule, daily_audit_checkpoint
    from xiangzhi.grid.services import node_create

    node_create(actor=UserFactory(is_superuser=True), parent=None, name="工人镇")
    assert checkpoint_schedule()
    queued = DBTaskResult.objects.filter(task_path=daily_audit_checkpoint.module_path)
    queued.update(run_after=timezone.now() - dt.timedelta(seconds=1))
    run_worker(
        XIANGZHI_AUDIT_SIGNING_KEY_FILE=str(settings.XIANGZHI_AUDIT_SIGNING_KEY_FILE),
        XIANGZHI_AUDIT_PUBLIC_KEYS_DIR=str(settings.XIANGZHI_AUDIT_PUBLIC_KEYS_DIR),
        XIANGZHI_AUDIT_CHECKPOINT_DIR=str(settings.XIANGZHI_AUDIT_CHECKPOINT_DIR),
    )
    files = list(settings.XIANGZHI_AUDIT_CHECKPOINT_DIR.glob("audit-checkpoint-*.json"))
    assert len(files) == 1 and settings.XIANGZHI_AUDIT_SIGNING_KEY_FILE.exists()
    assert run("verify_audit", "--checkpoint", str(files[0]))[0] == 0
    assert queued.filter(status="SUCCESSFUL").count() == 1
    assert queued.get(status="READY").run_after > timezone.now()
