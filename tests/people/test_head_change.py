"""户主变更: a new head, and every member's relation to them (by hand, or when a head leaves)."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from xiangzhi.core.models import AuditEvent
from xiangzhi.people.models import Household, HouseholdChange, Resident
from xiangzhi.people.relations import relations_after_head_change
from xiangzhi.people.services import (
    ResidentData,
    household_change_head,
    household_split,
    resident_add,
)

from ..factories import make_id

R = Resident.Relation


def _person(pk, relation, gender="M"):
    return Resident(pk=pk, name=f"人{pk}", relation=relation, gender=gender)


def test_a_son_taking_over_makes_his_parents_parents_and_his_wife_his_spouse():
    father, mother = _person(1, R.HEAD), _person(2, R.SPOUSE, "F")
    son, wife, grandson = (
        _person(3, R.CHILD),
        _person(4, R.CHILD_IN_LAW, "F"),
        _person(5, R.GRANDCHILD),
    )
    grandma = _person(6, R.PARENT, "F")
    got = relations_after_head_change(son, [father, mother, son, wife, grandson, grandma])
    assert got == {
        1: R.PARENT,
        2: R.PARENT,
        4: R.SPOUSE,
        5: R.CHILD,
        6: R.GRANDPARENT,
    }


def test_what_the_relations_cannot_tell_is_suggested_as_other():
    father, son = _person(1, R.HEAD), _person(3, R.CHILD)
    brother, grandson = _person(7, R.CHILD), _person(5, R.GRANDCHILD)
    wives = [_person(4, R.CHILD_IN_LAW, "F"), _person(8, R.CHILD_IN_LAW, "F")]
    got = relations_after_head_change(son, [father, son, brother, grandson, *wives])
    # Two sons live here: whose wife and whose child is not known from the relations.
    assert got == {1: R.PARENT, 7: R.SIBLING, 5: R.OTHER, 4: R.OTHER, 8: R.OTHER}


def test_a_spouse_or_a_parent_taking_over():
    husband, wife, child = _person(1, R.HEAD), _person(2, R.SPOUSE, "F"), _person(3, R.CHILD)
    mother = _person(4, R.PARENT, "F")
    assert relations_after_head_change(wife, [husband, wife, child, mother]) == {
        1: R.SPOUSE,
        3: R.CHILD,
        4: R.PARENT,  # her mother-in-law: 婆婆 is 父母, as the import reads it
    }
    assert relations_after_head_change(mother, [husband, wife, child, mother]) == {
        1: R.CHILD,
        2: R.CHILD_IN_LAW,
        3: R.GRANDCHILD,
    }


def test_a_brothers_wife_is_never_suggested_as_the_new_heads_spouse():
    father, son, brother = _person(1, R.HEAD), _person(3, R.CHILD), _person(7, R.CHILD)
    wife_of_brother, grandson = _person(4, R.CHILD_IN_LAW, "F"), _person(5, R.GRANDCHILD)
    got = relations_after_head_change(son, [father, son, brother, wife_of_brother, grandson])
    assert got == {1: R.PARENT, 7: R.SIBLING, 4: R.OTHER, 5: R.OTHER}
    # A sister does not stand in the way: she would not be married to a daughter-in-law.
    sister = _person(8, R.CHILD, "F")
    got = relations_after_head_change(son, [father, son, sister, wife_of_brother])
    assert got == {1: R.PARENT, 8: R.SIBLING, 4: R.SPOUSE}


def test_a_parent_taking_over_gets_one_spouse_at_most():
    head, grandpa = _person(1, R.HEAD), _person(2, R.PARENT)
    grandma, her_mother = _person(3, R.PARENT, "F"), _person(4, R.PARENT, "F")
    assert relations_after_head_change(grandpa, [head, grandpa, grandma])[3] == R.SPOUSE
    got = relations_after_head_change(grandpa, [head, grandpa, grandma, her_mother])
    assert got[3] == got[4] == R.OTHER  # which of them is his wife is not known
    father_in_law = _person(5, R.PARENT)
    assert relations_after_head_change(grandpa, [head, grandpa, father_in_law])[5] == R.OTHER


def test_a_daughter_in_law_taking_over():
    grandpa, grandma = _person(1, R.HEAD), _person(2, R.SPOUSE, "F")
    widow, sister_in_law, child = (
        _person(3, R.CHILD_IN_LAW, "F"),
        _person(4, R.CHILD, "F"),
        _person(5, R.GRANDCHILD),
    )
    got = relations_after_head_change(widow, [grandpa, grandma, widow, sister_in_law, child])
    assert got == {1: R.PARENT, 2: R.PARENT, 4: R.OTHER, 5: R.CHILD}


def _family(world):
    """甲村's first household: head, child (from the fixture), and a wife and a daughter-in-law."""
    a = world.a
    add = lambda name, born, gender, relation: resident_add(  # noqa: E731
        actor=a.cadre,
        household=a.household,
        kind="move_in",
        data=ResidentData(name=name, id_number=make_id(born, gender), relation=relation),
    )
    wife = add("甲老伴", dt.date(1972, 1, 1), "F", R.SPOUSE)
    son = add("甲长子", dt.date(1994, 3, 3), "M", R.CHILD)
    in_law = add("甲儿媳", dt.date(1995, 4, 4), "F", R.CHILD_IN_LAW)
    return a.head, wife, son, in_law, a.child


def _relations(*people):
    return [Resident.objects.get(pk=p.pk).relation for p in people]


def test_the_page_suggests_the_relations_and_saves_the_new_head(client, world):
    head, wife, son, in_law, daughter = _family(world)
    client.force_login(world.a.cadre)
    url = reverse("people:household_head", args=[world.a.household.pk])
    page = client.get(url).content.decode()
    assert "下一步" in page and 'name="relation_' not in page  # step one only
    page = client.get(url, {"new_head": son.pk}).content.decode()
    selected = dict(
        re.findall(r'name="relation_(\d+)".*?<option value="(\w+)" selected', page, re.S)
    )
    assert selected == {
        str(head.pk): "parent",
        str(wife.pk): "parent",
        str(in_law.pk): "spouse",
        str(daughter.pk): "sibling",
    }
    assert "原来是原户主的配偶" in page
    before = AuditEvent.objects.count()
    response = client.post(
        f"{url}?new_head={son.pk}",
        {
            f"relation_{head.pk}": "parent",
            f"relation_{wife.pk}": "parent",
            f"relation_{in_law.pk}": "spouse",
            f"relation_{daughter.pk}": "sibling",
            "occurred_on": "2026-11-01",
            "note": "原户主年老,由长子接任",
        },
    )
    assert response.status_code == 302
    household = Household.objects.get(pk=world.a.household.pk)
    assert household.head_id == son.pk
    assert _relations(son, head, wife, in_law, daughter) == [
        "head",
        "parent",
        "parent",
        "spouse",
        "sibling",
    ]
    change = HouseholdChange.objects.get(household=household, kind="head_change")
    assert change.resident_id == son.pk and change.occurred_on == dt.date(2026, 11, 1)
    assert change.note == f"原户主：{head.name}；原户主年老,由长子接任"
    event = AuditEvent.objects.order_by("-pk").first()
    assert (
        AuditEvent.objects.count() == before + 1 and event.action == "people.household_head_change"
    )
    assert event.changes["head"] == [head.name, son.name]
    assert event.changes["relations"][str(wife.pk)] == ["spouse", "parent"]
    detail = client.get(reverse("people:household_detail", args=[household.pk])).content.decode()
    assert "户主变更" in detail and "原户主年老" in detail


def test_keeping_the_head_corrects_relations_without_a_head_change(client, world):
    head, wife, son, in_law, daughter = _family(world)
    client.force_login(world.a.cadre)
    url = reverse("people:household_head", args=[world.a.household.pk])
    page = client.get(url, {"new_head": head.pk}).content.decode()
    assert "核对成员与户主的关系" in page and 'name="occurred_on"' not in page
    response = client.post(
        f"{url}?new_head={head.pk}",
        {
            f"relation_{wife.pk}": "spouse",
            f"relation_{son.pk}": "child",
            f"relation_{in_law.pk}": "child_in_law",
            f"relation_{daughter.pk}": "grandchild",  # a granddaughter, registered as a child
        },
    )
    assert response.status_code == 302
    assert _relations(daughter, head) == ["grandchild", "head"]
    assert not HouseholdChange.objects.filter(kind="head_change").exists()
    assert AuditEvent.objects.order_by("-pk").first().action == "people.household_relations_change"


def test_the_page_refuses_two_spouses_and_keeps_everything(client, world):
    head, wife, son, in_law, daughter = _family(world)
    client.force_login(world.a.cadre)
    url = reverse("people:household_head", args=[world.a.household.pk])
    response = client.post(
        f"{url}?new_head={son.pk}",
        {
            f"relation_{head.pk}": "parent",
            f"relation_{wife.pk}": "spouse",
            f"relation_{in_law.pk}": "spouse",
            f"relation_{daughter.pk}": "sibling",
            "occurred_on": "2026-11-01",
        },
    )
    assert response.status_code == 200 and "户主的配偶只能有一位" in response.content.decode()
    assert Household.objects.get(pk=world.a.household.pk).head_id == head.pk
    assert _relations(head, wife) == ["head", "spouse"]


@pytest.mark.parametrize(
    "relations, message",
    [
        ("missing", "每位在册成员"),
        ("head", "一户只能有一个户主"),
        ("same", "都没有变化"),
    ],
)
def test_the_service_checks_the_relations(world, relations, message):
    a = world.a
    given = {
        "missing": {},
        "head": {a.child.pk: "head"},
        "same": {a.child.pk: "child"},
    }[relations]
    with pytest.raises(ValidationError) as exc:
        household_change_head(
            actor=a.cadre, household=a.household, new_head=a.head, relations=given
        )
    assert message in str(exc.value)


def test_only_a_member_may_become_head_and_only_a_writer_may_change_it(world, client):
    a = world.a
    with pytest.raises(ValidationError) as exc:
        household_change_head(
            actor=a.cadre,
            household=a.household,
            new_head=a.other_head,
            relations={a.head.pk: "other", a.child.pk: "other"},
        )
    assert "本户在册成员" in exc.value.message_dict["new_head"][0]
    with pytest.raises(PermissionDenied):
        household_change_head(
            actor=a.auditor,
            household=a.household,
            new_head=a.child,
            relations={a.head.pk: "parent"},
        )
    client.force_login(world.b.cadre)
    url = reverse("people:household_head", args=[a.household.pk])
    assert client.get(url).status_code in (403, 404)
    client.force_login(a.cadre)
    assert client.get(url, {"new_head": a.other_head.pk}).status_code == 200  # step one again
    assert "选择一个有效的选项" in client.get(url, {"new_head": a.other_head.pk}).content.decode()


def test_a_head_who_dies_leaves_relations_to_the_new_head_and_the_page_asks_to_check(client, world):
    head, wife, son, in_law, daughter = _family(world)
    client.force_login(world.a.cadre)
    response = client.post(
        reverse("people:resident_death", args=[head.pk]),
        {"occurred_on": "2026-10-01", "reason": "illness", "new_head": son.pk, "note": ""},
    )
    url = reverse("people:household_head", args=[world.a.household.pk])
    assert response.status_code == 302 and response["Location"] == f"{url}?new_head={son.pk}"
    assert _relations(son, wife, in_law, daughter) == ["head", "parent", "spouse", "sibling"]
    event = AuditEvent.objects.filter(action="people.resident_death").get()
    assert event.changes["relations"][str(wife.pk)] == ["spouse", "parent"]
    page = client.get(response["Location"]).content.decode()
    assert "核对成员与户主的关系" in page and "请核对" in page


def test_a_split_household_gets_relations_to_its_own_head(world):
    head, wife, son, in_law, daughter = _family(world)
    baby = resident_add(
        actor=world.a.cadre,
        household=world.a.household,
        kind="birth",
        data=ResidentData(
            name="甲孙", birth_date=dt.date(2024, 1, 1), gender="M", relation="grandchild"
        ),
    )
    new = household_split(
        actor=world.a.cadre,
        household=world.a.household,
        members=[son, in_law, baby],
        new_head=son,
        address="甲村新街9号",
    )
    assert new.head_id == son.pk
    assert _relations(son, in_law, baby) == ["head", "spouse", "child"]
    assert _relations(head, wife, daughter) == ["head", "spouse", "child"]


def test_after_the_head_change_the_roster_with_the_new_head_imports(world, tmp_path):
    from xiangzhi.people.services.imports import registry_import

    from ..xlsx_helpers import make_sheet

    a = world.a
    head, child = a.head, a.child
    header = ["姓名", "身份证号", "与户主关系", "户编号", "家庭住址", "所属网格"]
    grid = "甲村/甲村第一党支部/甲村枫树屋场党小组/甲家中心户"
    number = a.household.number
    rows = [
        [child.name, child.id_number, "户主", number, "", grid],
        [head.name, head.id_number, "父亲", number, "", grid],
    ]
    path = make_sheet(tmp_path / "r.xlsx", [header, *rows])
    refused = registry_import(actor=a.cadre, kind="residents", path=path)
    assert refused.errors and "户主变更" in refused.errors[0]["message"]
    household_change_head(
        actor=a.cadre, household=a.household, new_head=child, relations={head.pk: "parent"}
    )
    report = registry_import(actor=a.cadre, kind="residents", path=path)
    assert not report.errors and report.unchanged == 2


def test_a_members_page_links_to_making_them_head(client, world):
    a = world.a
    client.force_login(a.cadre)
    link = f"/people/households/{a.household.pk}/head/?new_head={a.child.pk}"
    assert link in client.get(f"/people/residents/{a.child.pk}/").content.decode()
    assert "改为户主" not in client.get(f"/people/residents/{a.head.pk}/").content.decode()
    client.force_login(a.auditor)  # reads, never writes
    assert "改为户主" not in client.get(f"/people/residents/{a.child.pk}/").content.decode()


def test_the_split_page_sends_to_the_check_of_the_new_households_relations(client, world):
    head, wife, son, in_law, daughter = _family(world)
    client.force_login(world.a.cadre)
    response = client.post(
        f"/people/households/{world.a.household.pk}/split/",
        {
            "members": [son.pk, in_law.pk],
            "new_head": son.pk,
            "address": "甲村新街10号",
            "occurred_on": "2026-11-20",
        },
    )
    new = Household.objects.get(address="甲村新街10号")
    assert response["Location"] == f"/people/households/{new.pk}/head/?new_head={son.pk}"
    assert _relations(son, in_law) == ["head", "spouse"]
    response = client.post(
        f"/people/households/{world.a.household.pk}/split/",
        {
            "members": [daughter.pk],
            "new_head": daughter.pk,
            "address": "甲村新街11号",
            "occurred_on": "2026-11-21",
        },
    )
    alone = Household.objects.get(address="甲村新街11号")
    assert response["Location"] == f"/people/households/{alone.pk}/"


def test_the_head_change_page_names_members_with_full_width_punctuation(client, world):
    a = world.a
    client.force_login(a.cadre)
    page = client.get(f"/people/households/{a.household.pk}/head/").content.decode()
    assert f"{a.head.name}（男，1970年生）（现户主）" in page
    assert f"{a.head.name}(" not in page and "年生)" not in page
