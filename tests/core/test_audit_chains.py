"""Audit chains per township (issue 11, point 6): each township's events, and the events without
a node, have their own chain and head; verify_audit checks each and names the broken one; the
events written before the split stay verifiable in a frozen legacy chain."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from xiangzhi.core.audit import (
    _chain,
    _lock_head,
    audit_record,
    audit_record_many,
    compute_hash,
    verify_chain,
    verify_chains,
)
from xiangzhi.core.models import AuditEvent, AuditHead
from xiangzhi.grid.services import node_create, node_move


def run_verify(*args):
    out = StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def two_townships(world):
    """The world's township and a second one with a village of its own."""
    other = node_create(actor=world.admin, parent=None, name="邻镇", code="430521101000")
    village = node_create(actor=world.admin, parent=other, name="丙村", code="430521101201")
    return world, other, village


def _head(node) -> AuditHead:
    return AuditHead.objects.get(key=node.path)


def test_each_township_writes_to_its_own_chain_and_node_less_events_to_theirs(two_townships):
    world, other, village = two_townships
    mine = audit_record(actor=world.admin, action="grid.node_update", obj=world.a.grid)
    theirs = audit_record(actor=world.admin, action="grid.node_update", obj=village)
    by_id = audit_record(actor=world.admin, action="grid.node_update", node=village.pk)
    loose = audit_record(actor=world.admin, action="accounts.user_login")
    assert mine.chain_id == _head(world.township).pk
    assert theirs.chain_id == by_id.chain_id == _head(other).pk != mine.chain_id
    assert loose.chain_id == AuditHead.objects.get(key=AuditHead.NO_NODE).pk
    # Each chain counts on its own, from 1.
    assert theirs.seq == AuditEvent.objects.filter(chain_id=theirs.chain_id).count() - 1
    assert _head(other).node_id == other.pk and _head(world.township).node_id == world.township.pk
    assert verify_chain() == (AuditEvent.objects.count(), None)


def test_a_batch_across_townships_goes_to_each_chain(two_townships):
    world, other, village = two_townships
    before = {h.key: h.seq for h in AuditHead.objects.all()}
    entries = [
        {"action": "people.household_update", "obj": world.a.household, "changes": {"i": i}}
        for i in range(30)
    ] + [{"action": "grid.node_update", "node": village.pk, "changes": {"i": i}} for i in range(20)]
    assert audit_record_many(actor=world.admin, entries=entries) == 50
    assert _head(world.township).seq == before[world.township.path] + 30
    assert _head(other).seq == before[other.path] + 20
    assert verify_chain()[1] is None


def test_an_event_copied_into_another_chain_does_not_verify_there(two_townships):
    world, other, _ = two_townships
    # Same content, hashed as if in the other township's chain: the chain key is in the hash.
    event = AuditEvent.objects.filter(chain=_head(world.township)).order_by("seq").last()
    assert compute_hash(event, world.township.path) == event.hash
    assert compute_hash(event, other.path) != event.hash


def _raw(sql, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)


def test_verify_names_the_broken_chain_and_passes_the_others(two_townships):
    world, other, village = two_townships
    target = AuditEvent.objects.filter(chain=_head(other)).order_by("seq").first()
    _raw("UPDATE core_auditevent SET object_repr = %s WHERE id = %s", ["篡改", target.pk])
    code, out = run_verify()
    assert code == 1
    assert f"审计链已被破坏：邻镇审计链：事件 #{target.seq} 的内容已被修改" in out
    assert "测试镇审计链：完整" in out
    broken = [r for r in verify_chains() if r.problem]
    assert [r.label for r in broken] == ["邻镇审计链"]


def test_an_event_moved_to_no_chain_is_noticed(world):
    event = AuditEvent.objects.order_by("pk").last()
    _raw("UPDATE core_auditevent SET chain_id = %s WHERE id = %s", [999999, event.pk])
    code, out = run_verify()
    assert code == 1 and "末尾" in out


def test_a_subtree_moved_between_townships_keeps_its_past_where_it_was_written(two_townships):
    world, other, village = two_townships
    before = audit_record(actor=world.admin, action="grid.node_update", obj=world.a.node)
    node_move(actor=world.admin, node=world.a.node, new_parent=other)
    world.a.node.refresh_from_db()
    moved = AuditEvent.objects.filter(action="grid.node_move").latest("pk")
    after = audit_record(actor=world.admin, action="grid.node_update", obj=world.a.node)
    assert before.chain_id == _head(world.township).pk
    assert moved.chain_id == after.chain_id == _head(other).pk
    assert AuditEvent.objects.get(pk=before.pk).chain_id == _head(world.township).pk
    assert verify_chain()[1] is None


def test_the_legacy_chain_verifies_with_its_old_hashes_and_takes_no_new_event(world):
    legacy = AuditHead.objects.create(key=AuditHead.LEGACY, frozen=True)
    old = AuditEvent(
        action="household.update", object_repr="旧事件", created_at=world.a.node.created_at
    )
    old.actor_id, old.node_id, old.changes, old.ip, old.actor_label = None, None, {}, "", ""
    old.object_type = old.object_id = ""
    old.chain_id, old.seq, old.prev_hash = legacy.pk, 1, "0" * 64
    old.hash = compute_hash(old)  # the payload of before the split: no chain key
    old.save()
    AuditHead.objects.filter(pk=legacy.pk).update(seq=1, hash=old.hash)
    assert verify_chain()[1] is None
    with pytest.raises(PermissionError):
        _chain(_lock_head(AuditHead.LEGACY), [AuditEvent()])
    code, out = run_verify()
    assert code == 0 and "分链前的审计链（已冻结）：完整，共 1 条事件" in out


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_single_chain_of_before_as_a_frozen_verifiable_chain():
    import datetime as dt
    from types import SimpleNamespace

    from django.db.migrations.executor import MigrationExecutor

    before = ("core", "0004_importjob_started_task")
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("core")
    executor.migrate([before])
    old_apps = executor.loader.project_state([before]).apps
    OldEvent, OldHead = (
        old_apps.get_model("core", "AuditEvent"),
        old_apps.get_model("core", "AuditHead"),
    )
    prev = "0" * 64
    when = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
    for seq in (1, 2, 3):
        values = dict(
            seq=seq,
            created_at=when,
            actor_id=None,
            actor_label="",
            action="people.household_update",
            object_type="people.household",
            object_id=str(seq),
            object_repr=f"旧户{seq}",
            node_id=None,
            changes={"n": seq},
            ip="",
            prev_hash=prev,
        )
        prev = compute_hash(SimpleNamespace(**values))  # the hash of before: no chain key
        OldEvent.objects.create(**values, hash=prev)
    OldHead.objects.create(pk=1, seq=3, hash=prev)

    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    legacy = AuditHead.objects.get(pk=1)
    assert legacy.key == AuditHead.LEGACY and legacy.frozen
    assert set(AuditEvent.objects.values_list("chain_id", flat=True)) == {1}
    assert verify_chain() == (3, None)
    new = audit_record(actor=None, action="accounts.user_login")
    assert new.chain_id != 1 and new.seq == 1
    assert verify_chain() == (4, None)
    _raw("UPDATE core_auditevent SET object_repr = %s WHERE seq = 2 AND chain_id = 1", ["篡改"])
    code, out = run_verify()
    assert code == 1 and "分链前的审计链（已冻结）：事件 #2 的内容已被修改" in out


def _last(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-pk").first()


def test_logins_go_to_the_chain_of_the_accounts_township_and_its_auditor_reads_them(client, world):
    """Logins and failed logins of a county all went to the one node-less chain, a head every
    login queued on, which a village's auditor could not read: they are filed under the account's
    topmost bound node now."""
    from xiangzhi.core.selectors import audit_event_list

    cadre = world.a.cadre
    client.post("/login/", {"username": cadre.username, "password": "wrong-password-1"})
    client.force_login(cadre)  # sends user_logged_in, as the login form does
    ok, failed = _last("accounts.user_login"), _last("accounts.user_login_failed")
    assert ok.node_id == failed.node_id == world.a.node.pk
    assert ok.chain_id == failed.chain_id == _head(world.township).pk
    assert failed.object_id == str(cadre.pk)
    readable = audit_event_list(actor=world.a.auditor)
    assert readable.filter(pk__in=[ok.pk, failed.pk]).count() == 2
    assert not audit_event_list(actor=world.b.auditor).filter(pk__in=[ok.pk, failed.pk]).exists()
    verify = run_verify()
    assert verify[0] == 0, verify[1]


def test_two_townships_logins_do_not_share_a_head(client, two_townships):
    from xiangzhi.accounts.services import role_assign
    from xiangzhi.core.roles import Role

    from ..factories import UserFactory

    world, other, village = two_townships
    neighbour = UserFactory(username="bing_cadre")
    role_assign(actor=world.admin, user=neighbour, role=Role.VILLAGE_CADRE, node=village)
    client.force_login(world.a.cadre)
    mine = _last("accounts.user_login")
    client.force_login(neighbour)
    theirs = _last("accounts.user_login")
    assert mine.chain_id == _head(world.township).pk
    assert theirs.chain_id == _head(other).pk != mine.chain_id
    assert AuditHead.NO_NODE not in {mine.chain.key, theirs.chain.key}


def test_an_account_bound_nowhere_and_an_unknown_name_stay_node_less(client, world):
    client.post("/login/", {"username": "nobody-here", "password": "wrong-password-1"})
    client.force_login(world.admin)
    for event in (_last("accounts.user_login"), _last("accounts.user_login_failed")):
        assert event.node_id is None and event.chain.key == AuditHead.NO_NODE


def test_a_whole_scope_export_is_filed_where_the_exporters_auditors_read_it(client, world):
    """An export without a node filter was filed under no node: a village's auditor never saw a
    cadre export the whole village."""
    from xiangzhi.core.selectors import audit_event_list

    client.force_login(world.a.cadre)
    b"".join(client.get("/people/residents/export/").streaming_content)
    event = _last("people.resident_export")
    assert event.node_id == world.a.node.pk and event.chain_id == _head(world.township).pk
    assert audit_event_list(actor=world.a.auditor).filter(pk=event.pk).exists()
    client.force_login(world.a.auditor)
    b"".join(client.get(reverse("core:audit_export")).streaming_content)
    assert _last("core.audit_export").node_id == world.a.node.pk
