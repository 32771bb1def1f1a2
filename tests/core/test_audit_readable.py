"""The audit log as a 纪检 auditor reads it: Chinese words, links, masks, choosers, no codes."""

from __future__ import annotations

import io
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from xiangzhi.core.audit import audit_record
from xiangzhi.core.xlsx import HEADER_ROW
from xiangzhi.people.models import Resident

ID_NUMBER = "430521197003040011"
PHONE = "13800001111"


def _table(client, **params) -> str:
    body = client.get("/core/audit/", params).content.decode()
    assert "<tbody>" in body, body[-600:]
    return body.split("<tbody>")[1].split("</tbody>")[0]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _resident_edit(world, resident: Resident, **changes):
    return audit_record(
        actor=world.a.cadre, action="people.resident_update", obj=resident, changes=changes
    )


def test_an_auditor_reads_actions_fields_and_old_and_new_values_in_plain_words(client, world):
    _resident_edit(
        world,
        world.a.child,
        relation=["child", "head"],
        birth_date=["2015-06-01", "2015-07-02"],
        household=[world.a.household.pk, world.a.other_household.pk],
        is_synthetic=[False, True],
    )
    client.force_login(world.a.auditor)
    text = _text(_table(client, action="people.resident_update"))
    assert "修改居民信息" in text or "修改" in text
    assert "与户主关系：子女 → 户主" in text  # a choice by its label
    assert "出生日期：2015年6月1日 → 2015年7月2日" in text  # a date in words
    assert f"户：{world.a.household.number} → {world.a.other_household.number}" in text  # by name
    assert "演示数据：否 → 是" in text  # a yes/no
    party = _text(_table(client, action="party.party_member_register"))
    assert "所在党组织：甲村枫树屋场党小组" in party  # a service's foreign key, by name
    assert "入党时间：1995年7月1日" in party
    roles = _text(_table(client, action="accounts.role_assign"))
    assert "角色：审计/纪检" in roles and "网格长：否" in roles  # a non-field key with choices
    for code in ("people.", "resident_update", "{'", "relation", "True", "None", "[", "child"):
        assert code not in text, code


def test_personal_data_is_never_shown_whole(client, world):
    audit_record(
        actor=world.a.cadre,
        action="people.resident_update",
        obj=world.a.head,
        changes={"id_number": ID_NUMBER, "phone": PHONE, "note": f"电话{PHONE}，证件{ID_NUMBER}"},
        object_repr=f"甲村某人 {ID_NUMBER}",
    )
    client.force_login(world.chief)
    body = client.get("/core/audit/").content.decode()
    assert ID_NUMBER not in body and PHONE not in body
    text = _text(_table(client))
    assert "身份证号：（已隐藏）" in text and "联系电话：（已隐藏）" in text
    assert "138****1111" in text and "4305*************1" in text  # free text masked
    export = client.get("/core/audit/export/")
    content = b"".join(export.streaming_content)
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert ID_NUMBER not in str(rows) and PHONE not in str(rows)


def test_the_record_is_a_link_only_where_the_viewer_may_open_it(client, world):
    # Filed under village A's node, about village B's household: A's auditor reads the event
    # but may not open the household.
    audit_record(
        actor=world.admin,
        action="people.household_update",
        obj=world.b.household,
        node=world.a.node,
        changes={"address": ["旧址", "新址"]},
    )
    b_url = f'href="/people/households/{world.b.household.pk}/"'
    a_url = f'href="/people/households/{world.a.household.pk}/"'
    client.force_login(world.a.auditor)
    table = _table(client, action="people.household_update")
    assert "旧址 → 新址" in _text(table)
    assert b_url not in table
    assert a_url in _table(client, action="people.household_register")
    assert f'href="/people/residents/{world.a.child.pk}/"' in _table(client, action="people.")
    assert b_url not in _table(client)  # nor on the newest page of everything
    client.force_login(world.chief)
    assert b_url in _table(client, action="people.household_update")
    assert a_url in _table(client, action="people.household_register")
    assert client.get(f"/people/households/{world.b.household.pk}/").status_code == 200


def test_the_filters_are_choosers_within_the_viewers_scope(client, world):
    client.force_login(world.a.auditor)
    body = client.get("/core/audit/").content.decode()
    form = body.split('class="card filters"')[1].split("</form>")[0]
    assert 'name="node"' in form and "<select" in form
    options = _text(form)
    assert "甲村" in options and "乙村" not in options  # the node chooser: A's subtree only
    assert "甲村书记" in options and "乙村书记" not in options  # the person chooser
    assert "人口：全部操作" in options or "：全部操作" in options  # the action kind by app
    assert "登记新户" in options and "people." not in options
    assert 'type="date"' in form
    assert 'name="actor"' not in form or 'type="hidden" name="actor"' in form
    # A node of the other village is refused, never widened to the whole trail.
    other = client.get("/core/audit/", {"node": world.b.node.pk})
    assert world.b.marker_address not in other.content.decode()
    assert world.a.marker_address not in other.content.decode()


def test_the_person_and_date_choosers_filter_the_events(client, world):
    audit_record(
        actor=world.a.secretary,
        action="people.household_update",
        obj=world.a.household,
        changes={"address": ["书记改前", "书记改后"]},
    )
    client.force_login(world.chief)
    mine = _text(_table(client, person=world.a.secretary.pk))
    assert "书记改后" in mine and "登记新户" not in mine
    assert "甲村书记（a_secretary）" in mine
    empty = client.get("/core/audit/", {"date_to": "2000-01-01"}).content.decode()
    assert "没有符合条件的审计事件" in empty


def test_the_audit_page_costs_the_same_queries_for_ten_or_fifty_rows(client, world):
    client.force_login(world.chief)

    def count() -> tuple[int, int]:
        params = {"action": "people."}
        with CaptureQueriesContext(connection) as ctx:
            r = client.get("/core/audit/", params)
        assert r.status_code == 200
        return len(ctx.captured_queries), r.content.decode().count("<tr><td")

    def add(n: int) -> None:
        for i in range(n):
            target = [world.a.head, world.a.child, world.b.head][i % 3]
            _resident_edit(
                world,
                target,
                relation=["child", "spouse"],
                household=[world.a.household.pk, world.b.household.pk],
            )
            audit_record(
                actor=world.b.cadre,
                action="people.household_update",
                obj=[world.a.household, world.b.other_household][i % 2],
                changes={"address": [f"旧{i}", f"新{i}"]},
            )

    add(1)
    count()  # the first request of a session writes it
    few, shown_few = count()
    add(20)
    many, shown_many = count()
    assert shown_many > shown_few
    assert many == few, (few, many)


def test_the_export_uses_the_same_words(client, world):
    _resident_edit(world, world.a.child, relation=["child", "head"])
    client.force_login(world.chief)
    r = client.get("/core/audit/export/", {"node": world.a.node.pk})
    rows = list(
        load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.iter_rows(values_only=True)
    )
    header = rows[HEADER_ROW - 1]  # under the printable ledger's title lines
    assert "对象类型" in header and "变更内容" in header
    text = str(rows[HEADER_ROW:])
    assert "与户主关系：子女 → 户主" in text and "登记新户" in text and "居民" in text
    assert "people." not in text and "{'" not in text


def test_only_roles_that_audit_see_the_audit_button_and_menu(client, world):
    node_page = f"/grid/nodes/{world.a.node.pk}/"
    audit_href = 'href="/core/audit/'
    client.force_login(world.a.secretary)
    body = client.get(node_page).content.decode()
    assert client.get(node_page).status_code == 200
    assert audit_href not in body and "审计日志" not in body
    refused = client.get("/core/audit/")
    assert refused.status_code == 403 and "Forbidden" not in refused.content.decode()
    for reader in (world.chief, world.a.auditor):
        client.force_login(reader)
        body = client.get(node_page).content.decode()
        assert audit_href in body and "审计日志" in body


def test_keys_an_app_declares_read_by_name_and_records_by_their_names(client, world):
    child = world.a.child
    audit_record(
        actor=world.a.cadre,
        action="people.household_split",
        obj=world.a.household,
        changes={
            "new_household": world.a.other_household.pk,
            "members": [child.pk, world.a.head.pk],
            "relations": {str(child.pk): ["child", "head"]},
        },
    )
    audit_record(
        actor=world.chief,
        action="grid.node_move",
        obj=world.a.grid,
        changes={"parent": ["甲村旧支部", "甲村新支部"], "parent_id": [1, 2]},
    )
    client.force_login(world.chief)
    text = _text(_table(client))
    assert "其他信息" not in text  # the world's own events: every key is named
    text = _text(_table(client, action="people.household_split")) + _text(
        _table(client, action="grid.node_move")
    )
    assert f"新户：{world.a.other_household.number}" in text
    assert f"分出的成员：{child.name}、{world.a.head.name}" in text
    assert f"与户主关系：{child.name}：子女 → 户主" in text
    assert "上级网格：甲村旧支部 → 甲村新支部" in text and "其他信息" not in text
    assert "[1, 2]" not in text


def test_the_audit_trail_is_read_where_one_audits_not_where_one_works(world):
    """Hostile review: an auditor of village 甲 who is also a grid worker in village 乙 read 乙's
    trail (reveals and their stated purposes included) through the worker role."""
    from tests.factories import UserFactory
    from xiangzhi.accounts.services import role_assign
    from xiangzhi.core.audit import audit_record
    from xiangzhi.core.roles import Role
    from xiangzhi.core.selectors import audit_event_list, audit_node_choices

    mixed = UserFactory(username="mixed")
    role_assign(actor=world.admin, user=mixed, role=Role.AUDITOR, node=world.a.node)
    role_assign(actor=world.admin, user=mixed, role=Role.GRID_WORKER, node=world.b.grid)
    audit_record(actor=world.b.worker, action="grid.node_update", obj=world.b.grid, changes={})
    audit_record(actor=world.a.worker, action="grid.node_update", obj=world.a.grid, changes={})
    seen = audit_event_list(actor=mixed)
    assert seen.filter(node__path__startswith=world.a.node.path).exists()
    assert not seen.filter(node__path__startswith=world.b.node.path).exists()
    assert world.b.node.pk not in dict(audit_node_choices(actor=mixed))


def test_numbers_typed_with_spaces_or_dashes_are_masked_too():
    """Hostile review: a note with "138 0000 1111" or "430521 19700304 051X" showed in full."""
    from xiangzhi.core.audit_display import mask_personal

    text = mask_personal("电话138 0000 1111，又138-0000-2222，证件430521 19700304 051X，2026-12-01")
    assert "0000" not in text and "0304" not in text and "19700304" not in text
    assert "2026-12-01" in text  # a date is no number to hide


def test_every_key_the_apps_write_reads_in_chinese(world):
    """Every key of every event the world's services wrote (people, party, points, appeals,
    accounts) has a Chinese name on the audit page: a field's verbose name or a declared key."""
    from xiangzhi.core.audit_display import _fields, _label, _model_of
    from xiangzhi.core.models import AuditEvent

    unnamed = set()
    for event in AuditEvent.objects.all():
        model = _model_of(event.object_type)
        fields = _fields(model) if model else {}
        for key in event.changes or {}:
            if _label(key, fields) == "其他信息":
                unnamed.add((event.action, key))
    assert AuditEvent.objects.filter(action__startswith="party.").exists()
    assert AuditEvent.objects.filter(action__startswith="appeals.").exists()
    assert unnamed == set()


def test_a_move_out_and_a_death_read_where_to_and_why_in_chinese(client, world):
    """They read 其他信息：other_province 原因：marriage, and 原因：illness."""
    from xiangzhi.people.services import resident_move_out, resident_record_death

    resident_move_out(
        actor=world.a.cadre,
        resident=Resident.objects.get(pk=world.a.child.pk),
        destination="other_province",
        reason="marriage",
    )
    resident_record_death(
        actor=world.b.cadre, resident=Resident.objects.get(pk=world.b.child.pk), cause="illness"
    )
    client.force_login(world.chief)
    text = _text(_table(client, action="people.resident_move_out"))
    assert "迁往：外省" in text and "迁出原因：婚嫁" in text
    assert "other_province" not in text and "marriage" not in text and "其他信息" not in text
    text = _text(_table(client, action="people.resident_death"))
    assert "死亡原因：疾病" in text and "illness" not in text
