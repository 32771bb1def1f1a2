import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiangzhi.core.models import AuditEvent
from xiangzhi.people.models import Household, HouseholdChange, Resident
from xiangzhi.people.services import (
    ResidentData,
    household_register,
    household_split,
    resident_add,
    resident_move_out,
    resident_record_death,
    resident_reveal,
    resident_update,
)

from ..factories import make_id


def test_birth_date_and_gender_are_derived_from_the_id(world):
    r = resident_add(
        actor=world.a.cadre,
        household=world.a.household,
        kind="move_in",
        data=ResidentData(
            name="甲三", id_number=make_id(dt.date(1988, 2, 29), "F"), relation="spouse"
        ),
    )
    assert r.birth_date == dt.date(1988, 2, 29) and r.gender == "F"


def test_it_rejects_a_birth_date_or_gender_that_contradicts_the_id(world):
    with pytest.raises(ValidationError) as exc:
        resident_add(
            actor=world.a.cadre,
            household=world.a.household,
            kind="move_in",
            data=ResidentData(
                name="甲四",
                id_number=make_id(dt.date(1988, 2, 1), "F"),
                birth_date=dt.date(1988, 2, 2),
                gender="M",
            ),
        )
    errors = exc.value.message_dict
    assert "不一致" in errors["birth_date"][0] and "性别" in errors["gender"][0]
    assert not Resident.objects.filter(name="甲四").exists()


def test_a_legacy_id_is_stored_as_18_digits_and_duplicates_are_refused(world):
    r = resident_add(
        actor=world.a.cadre,
        household=world.a.household,
        kind="move_in",
        data=ResidentData(name="甲五", id_number="430521650102001"),
    )
    assert r.id_number == "430521196501020018"[:17] + r.id_number[17] and len(r.id_number) == 18
    with pytest.raises(ValidationError) as exc:
        resident_add(
            actor=world.a.cadre,
            household=world.a.household,
            kind="move_in",
            data=ResidentData(name="甲六", id_number=r.id_number),
        )
    assert "已登记" in exc.value.message_dict["id_number"][0]


def test_a_birth_is_recorded_in_the_household_history_and_the_audit(world):
    before = AuditEvent.objects.count()
    baby = resident_add(
        actor=world.a.worker,
        household=world.a.household,
        kind="birth",
        occurred_on=dt.date(2024, 3, 1),
        data=ResidentData(
            name="甲宝", birth_date=dt.date(2024, 3, 1), gender="M", relation="grandchild"
        ),
    )
    change = HouseholdChange.objects.get(resident=baby)
    assert change.kind == "birth" and change.occurred_on == dt.date(2024, 3, 1)
    assert change.created_by == world.a.worker
    event = AuditEvent.objects.order_by("-pk").first()
    assert AuditEvent.objects.count() == before + 1
    assert event.action == "people.resident_birth" and event.node_id == world.a.grid.pk


def test_a_head_who_moves_out_hands_over_to_a_new_head(world):
    head, child = world.a.head, world.a.child
    with pytest.raises(ValidationError) as exc:
        resident_move_out(actor=world.a.cadre, resident=head, occurred_on=dt.date(2024, 5, 1))
    assert "新户主" in exc.value.message_dict["new_head"][0]
    resident_move_out(
        actor=world.a.cadre,
        resident=head,
        occurred_on=dt.date(2024, 5, 1),
        note="迁往县城",
        new_head=child,
    )
    hh = Household.objects.get(pk=world.a.household.pk)
    assert hh.head_id == child.pk and hh.status == "active"
    head.refresh_from_db()
    assert head.status == "moved_out"
    assert Resident.objects.get(pk=child.pk).relation == "head"


def test_the_last_member_dying_dissolves_the_household(world):
    other = world.a.other_household
    resident_record_death(actor=world.a.cadre, resident=other.head, occurred_on=dt.date(2024, 1, 9))
    other.refresh_from_db()
    assert other.status == "dissolved"
    kinds = list(HouseholdChange.objects.filter(household=other).values_list("kind", flat=True))
    assert "death" in kinds and "move_in" in kinds


def test_a_split_moves_members_and_both_households_remember_it(world):
    hh = world.a.household
    spouse = resident_add(
        actor=world.a.cadre,
        household=hh,
        kind="move_in",
        data=ResidentData(
            name="甲妻", id_number=make_id(dt.date(1972, 1, 1), "F"), relation="spouse"
        ),
    )
    with pytest.raises(ValidationError):
        household_split(
            actor=world.a.cadre,
            household=hh,
            members=[world.a.head],
            new_head=world.a.head,
            address="新址",
        )
    new = household_split(
        actor=world.a.cadre,
        household=hh,
        members=[world.a.child],
        new_head=world.a.child,
        address="甲村新街8号",
        occurred_on=dt.date(2025, 1, 1),
    )
    child = Resident.objects.get(pk=world.a.child.pk)
    assert child.household_id == new.pk and child.relation == "head" and new.head_id == child.pk
    assert set(hh.members.values_list("pk", flat=True)) == {world.a.head.pk, spouse.pk}
    assert HouseholdChange.objects.filter(household=hh, kind="split", other_household=new).exists()
    assert HouseholdChange.objects.filter(household=new, kind="split", other_household=hh).exists()


def test_a_read_only_role_cannot_write_even_in_scope(world):
    with pytest.raises(PermissionDenied):
        resident_add(
            actor=world.a.auditor,
            household=world.a.household,
            kind="move_in",
            data=ResidentData(name="甲七", gender="M"),
        )
    with pytest.raises(PermissionDenied):
        household_register(
            actor=world.a.cadre,
            node=world.b.grid,
            address="x",
            head=ResidentData(name="乙七", gender="M"),
        )


def test_a_reveal_needs_a_purpose_and_a_role_and_is_audited(world):
    head = world.a.head
    with pytest.raises(ValidationError):
        resident_reveal(actor=world.a.cadre, resident=head, field_name="id_number", purpose="")
    with pytest.raises(PermissionDenied):
        resident_reveal(
            actor=world.a.auditor, resident=head, field_name="id_number", purpose="核对身份"
        )
    value = resident_reveal(
        actor=world.a.cadre, resident=head, field_name="phone", purpose="联系办理低保"
    )
    assert value == "13800001111"
    event = AuditEvent.objects.order_by("-pk").first()
    assert event.action == "people.resident_reveal" and event.changes == {
        "field": "phone",
        "purpose": "联系办理低保",
    }
    assert event.actor == world.a.cadre


def test_an_update_audits_the_changed_fields_without_secrets(world):
    head = world.a.head
    data = ResidentData(
        name=head.name,
        id_number=head.id_number,
        phone="13900002222",
        relation="head",
        ethnicity="土家族",
    )
    resident_update(actor=world.a.cadre, resident=head, data=data)
    event = AuditEvent.objects.order_by("-pk").first()
    assert event.changes["ethnicity"] == ["汉族", "土家族"]
    assert "13900002222" not in str(event.changes)


def test_an_edit_neither_makes_a_second_head_nor_takes_the_head_away(client, world):
    """Who is 户主 changes only through 户主变更 (it also sets the others' relations)."""
    a = world.a
    child = Resident.objects.get(pk=a.child.pk)
    with pytest.raises(ValidationError, match="户主变更"):
        resident_update(
            actor=a.cadre,
            resident=child,
            data=ResidentData(name=child.name, id_number=child.id_number, relation="head"),
        )
    head = Resident.objects.get(pk=a.head.pk)
    with pytest.raises(ValidationError, match="户主变更"):
        resident_update(
            actor=a.cadre,
            resident=head,
            data=ResidentData(name=head.name, id_number=head.id_number, relation="child"),
        )
    assert Resident.objects.filter(household=a.household, relation="head").count() == 1
    client.force_login(a.cadre)
    page = client.get(f"/people/residents/{child.pk}/edit/").content.decode()
    assert 'value="head"' not in page
    page = client.get(f"/people/residents/{head.pk}/edit/").content.decode()
    assert 'value="child"' not in page and "户主变更" in page


def test_pages_show_ids_and_phones_masked(client, world):
    client.force_login(world.a.cadre)
    body = client.get(f"/people/households/{world.a.household.pk}/").content.decode()
    assert world.a.head.id_number not in body and "13800001111" not in body
    number = world.a.head.id_number
    assert number[:4] + "*" * 13 + number[-1] in body
    assert number[:4] + "*" * 10 + number[-4:] not in body  # the older mask showed the sequence
    assert "138****1111" in body


def test_the_reveal_page_shows_the_number_once_and_audits_it(client, world):
    client.force_login(world.a.cadre)
    url = f"/people/residents/{world.a.head.pk}/reveal/"
    r = client.post(url, {"field": "id_number", "purpose": ""})
    assert (
        "请说明" in r.content.decode()
        or "必填" in r.content.decode()
        or "这个字段是必填项" in r.content.decode()
    )
    r = client.post(url, {"field": "id_number", "purpose": "核对低保申请"})
    assert world.a.head.id_number in r.content.decode()
    assert (
        AuditEvent.objects.filter(
            action="people.resident_reveal", object_id=str(world.a.head.pk)
        ).count()
        == 1
    )


@pytest.mark.parametrize("query", ["甲独一鸣", "jiaduyiming", "jdym", "jdy", "jia"])
def test_residents_are_found_by_name_pinyin_or_initials(client, world, query):
    client.force_login(world.a.cadre)
    body = client.get("/people/residents/", {"q": query}).content.decode()
    assert world.a.marker_name in body


def test_a_resident_is_found_by_exact_id_number(client, world):
    client.force_login(world.a.cadre)
    body = client.get("/people/residents/", {"q": world.a.head.id_number}).content.decode()
    assert world.a.marker_name in body
    body = client.get("/people/residents/", {"q": world.b.head.id_number}).content.decode()
    assert world.b.marker_name not in body


def test_the_register_form_answers_in_chinese_and_keeps_nothing(client, world):
    client.force_login(world.a.cadre)
    count = Household.objects.count()
    r = client.post(
        f"/people/nodes/{world.a.grid.pk}/households/new/",
        {"address": "甲村新街1号", "name": "甲新", "id_number": "430521199001011235"},
    )
    body = r.content.decode()
    assert r.status_code == 200 and "校验位" in body
    assert Household.objects.count() == count
    r = client.post(
        f"/people/nodes/{world.a.grid.pk}/households/new/",
        {"address": "甲村新街1号", "name": "甲新", "id_number": make_id(dt.date(1990, 1, 1), "M")},
    )
    assert r.status_code == 302 and Household.objects.count() == count + 1


def test_the_household_page_shows_members_and_history(client, world):
    client.force_login(world.a.cadre)
    body = client.get(f"/people/households/{world.a.household.pk}/").content.decode()
    assert "人口变动记录" in body and "出生" in body and "迁入" in body
    assert world.a.child.name in body


def test_an_edit_cannot_give_a_household_another_familys_number(world):
    """A 户编号 names one family in a village: a roster could not tell two apart."""
    from xiangzhi.people.services import household_update

    a = world.a
    mine = a.head.household
    other = Household.objects.filter(node__path__startswith=a.node.path).exclude(pk=mine.pk).first()
    with pytest.raises(ValidationError) as exc:
        household_update(actor=a.cadre, household=other, address=other.address, number=mine.number)
    assert exc.value.message_dict["number"] == ["该户编号在本村已存在"]
    other.refresh_from_db()
    assert other.number != mine.number
    # Its own number, unchanged, is no conflict.
    household_update(actor=a.cadre, household=other, address="新址", number=other.number)


def test_the_reveal_page_is_refused_to_a_role_that_may_not_reveal(client, world):
    client.force_login(world.a.auditor)
    url = f"/people/residents/{world.a.head.pk}/reveal/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"field": "id_number", "purpose": "核对"}).status_code == 403
    assert not AuditEvent.objects.filter(action="people.resident_reveal").exists()


def test_a_number_registered_in_another_village_is_refused_without_saying_where(client, world):
    """No existence oracle: the message for a number outside the scope names neither the village
    nor the person, and reads the same whatever the number's owner (issue 10, point 7)."""
    client.force_login(world.a.cadre)
    url = f"/people/households/{world.a.household.pk}/members/new/"
    data = {
        "name": "冒名",
        "relation": "child",
        "kind": "move_in",
        "occurred_on": "2024-01-02",
        "ethnicity": "汉族",
        "id_number": world.b.head.id_number,
    }
    body = client.post(url, data).content.decode()
    assert "不能在此登记" in body and "联系乡镇管理员" in body
    for leak in (world.b.marker_name, "乙村", "其他居民", "已登记"):
        assert leak not in body, leak
    own = client.post(url, {**data, "id_number": world.a.child.id_number}).content.decode()
    assert "已登记在其他居民名下" in own  # inside the scope the cadre may be told
    assert Resident.objects.filter(name="冒名").count() == 0
