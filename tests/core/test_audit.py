import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from xiangzhi.core.audit import audit_record, verify_chain
from xiangzhi.core.models import AuditEvent, AuditHead
from xiangzhi.core.xlsx import HEADER_ROW


def run_verify():
    out = StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_every_service_write_is_in_an_intact_chain(world):
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "grid.node_create",
        "people.household_register",
        "people.resident_birth",
        "party.party_member_register",
        "accounts.role_assign",
        "accounts.api_token_create",
    } <= actions
    checked, problem = verify_chain()
    assert problem is None and checked == AuditEvent.objects.count()
    code, out = run_verify()
    assert code == 0 and "完整" in out


def _one_chain():
    """The events of the longest chain, in order (the world's township's)."""
    longest = AuditHead.objects.order_by("-seq").first()
    return AuditEvent.objects.filter(chain=longest).order_by("seq")


def _raw(sql, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)


def test_it_names_the_event_whose_content_was_changed(world):
    target = _one_chain()[4]
    _raw("UPDATE core_auditevent SET object_repr = %s WHERE id = %s", ["篡改", target.pk])
    code, out = run_verify()
    assert code != 0
    assert f"#{target.seq}" in out and "修改" in out


def test_it_names_the_gap_when_an_event_is_deleted(world):
    target = _one_chain()[3]
    _raw("DELETE FROM core_auditevent WHERE id = %s", [target.pk])
    code, out = run_verify()
    assert code != 0 and f"#{target.seq}" in out


def test_it_notices_the_last_event_deleted(world):
    last = _one_chain().last()
    _raw("DELETE FROM core_auditevent WHERE id = %s", [last.pk])
    code, out = run_verify()
    assert code != 0 and "末尾" in out


def test_it_notices_two_events_swapped(world):
    e1, e2 = _one_chain()[2:4]
    # Swap the two rows' contents while keeping each one's own hash: a reordering.
    _raw("UPDATE core_auditevent SET seq = -1 WHERE id = %s", [e1.pk])
    _raw("UPDATE core_auditevent SET seq = %s WHERE id = %s", [e1.seq, e2.pk])
    _raw("UPDATE core_auditevent SET seq = %s WHERE id = %s", [e2.seq, e1.pk])
    code, out = run_verify()
    assert code != 0 and f"#{e1.seq}" in out


def test_the_orm_cannot_change_or_delete_events(world):
    event = AuditEvent.objects.first()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    event.action = "x"
    with pytest.raises(PermissionError):
        event.save()
    assert verify_chain()[1] is None


def test_secrets_are_not_written_into_the_trail(db):
    event = audit_record(
        actor=None,
        action="people.household_update",
        changes={"id_number": "430521197003040011", "phone": "13800001111", "name": "甲"},
    )
    assert event.changes == {"id_number": "***", "phone": "***", "name": "甲"}


def test_the_audit_page_filters_by_node_actor_and_object(client, world):
    client.force_login(world.chief)
    hh = world.a.household
    r = client.get("/core/audit/", {"object_type": "people.household", "object_id": hh.pk})
    assert r.status_code == 200
    assert world.a.marker_address in r.content.decode()
    assert world.b.marker_address not in r.content.decode()
    r = client.get("/core/audit/", {"node": world.b.node.pk, "action": "people.household_register"})
    body = r.content.decode()
    assert world.b.marker_address in body and world.a.marker_address not in body
    r = client.get("/core/audit/", {"person": world.a.villager.pk})  # not offered: no match
    assert "没有符合条件的审计事件" in r.content.decode()


def test_an_auditor_sees_only_their_village_and_a_cadre_not_at_all(client, world):
    client.force_login(world.a.auditor)
    body = client.get("/core/audit/", {"action": "people.household_register"}).content.decode()
    assert world.a.marker_address in body and world.b.marker_address not in body
    body = client.get("/core/audit/").content.decode()  # the newest events: village B's too
    assert "乙村" not in body.split("<tbody>")[1]
    client.force_login(world.a.cadre)
    assert client.get("/core/audit/").status_code == 403


def test_many_events_appended_at_once_keep_the_chain(world):
    from xiangzhi.core.audit import audit_record_many

    before = AuditEvent.objects.count()
    n = audit_record_many(
        actor=world.admin,
        entries=[
            {"action": "people.household_update", "obj": world.a.household, "changes": {"i": i}}
            for i in range(50)
        ],
    )
    assert n == 50 and AuditEvent.objects.count() == before + 50
    assert verify_chain() == (before + 50, None)
    audit_record(actor=world.admin, action="people.household_update")
    assert verify_chain()[1] is None


def test_the_audit_export_has_the_filtered_events(client, world):
    import io

    from openpyxl import load_workbook

    client.force_login(world.chief)
    r = client.get("/core/audit/export/", {"node": world.b.node.pk})
    rows = list(
        load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.iter_rows(
            min_row=HEADER_ROW, values_only=True
        )
    )
    assert rows[0][:4] == ("序号", "时间", "操作人", "操作")
    text = str(rows)
    assert world.b.marker_address in text and world.a.marker_address not in text
    assert AuditEvent.objects.filter(action="core.audit_export").count() == 1


def test_changes_are_stored_as_json_whatever_their_values():
    import datetime as dt
    import decimal

    from xiangzhi.core.audit import _jsonable

    flat = {"name": "张三", "household": 7, "row": 3, "dead": False, "note": None}
    assert _jsonable(flat) == flat
    nested = {"birth_date": [dt.date(1990, 1, 2), dt.date(1991, 3, 4)], 5: decimal.Decimal("1.5")}
    assert _jsonable(nested) == {"birth_date": ["1990-01-02", "1991-03-04"], "5": "1.5"}
    assert _jsonable({"when": dt.date(2020, 1, 1)}) == {"when": "2020-01-01"}


def test_the_audit_page_shows_labels_and_filters_by_app_with_legacy_names(client, world):
    from xiangzhi.core.audit import _chain, _lock_head, _values

    # An event written before actions were declared keeps its old name in the chain.
    old = AuditEvent(
        **_values(actor=world.admin, action="people.household_update", obj=world.a.household)
    )
    old.action = "household.update"
    head = _lock_head()
    _chain(head, [old])
    old.save()
    head.save()
    assert verify_chain()[1] is None
    client.force_login(world.chief)
    table = client.get("/core/audit/", {"action": "people."}).content.decode()
    table = re.sub(r'href="[^"]*"', "", table.split("<tbody>")[1])  # links name their URLs
    assert "登记新户" in table and "people." not in table and "household" not in table
    assert "地址" not in table or "家庭住址" in table  # field names read in Chinese
    by_app = client.get("/core/audit/", {"action": "people."}).content.decode()
    by_app = by_app.split("<tbody>")[1]
    assert "修改户信息" in by_app and "新建网格" not in by_app
    one = client.get("/core/audit/", {"action": "people.household_update"}).content.decode()
    rows = one.split("<tbody>")[1]
    assert "修改户信息" in rows and "登记新户" not in rows  # the legacy event is found


def test_a_filter_that_cannot_be_read_exports_nothing_and_old_names_still_filter(client, world):
    import io

    from openpyxl import load_workbook

    client.force_login(world.chief)
    r = client.get("/core/audit/export/", {"action": "no.such_thing"})
    rows = list(
        load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.iter_rows(
            min_row=HEADER_ROW, values_only=True
        )
    )
    assert len(rows) == 1  # the header only
    body = client.get("/core/audit/", {"action": "household.register"}).content.decode()
    table = body.split("<tbody>")[1]
    assert "登记新户" in table and "新建网格" not in table
