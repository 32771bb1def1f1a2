import datetime as dt

from xiangzhi.party.models import PartyMember
from xiangzhi.people.models import Household, Resident

from ..factories import make_id


def test_a_move_out_from_the_page_needs_a_new_head_then_records_it(client, world):
    client.force_login(world.a.cadre)
    url = f"/people/residents/{world.a.head.pk}/move-out/"
    r = client.post(url, {"occurred_on": "2024-05-01", "note": "迁往县城"})
    assert "新户主" in r.content.decode()
    assert Resident.objects.get(pk=world.a.head.pk).status == "active"
    r = client.post(
        url, {"occurred_on": "2024-05-01", "note": "迁往县城", "new_head": world.a.child.pk}
    )
    assert r.status_code == 302
    assert Household.objects.get(pk=world.a.household.pk).head_id == world.a.child.pk


def test_a_split_from_the_page(client, world):
    client.force_login(world.a.worker)
    r = client.post(
        f"/people/households/{world.a.household.pk}/split/",
        {
            "members": [world.a.child.pk],
            "new_head": world.a.child.pk,
            "address": "甲村新街3号",
            "occurred_on": "2025-02-02",
        },
    )
    assert r.status_code == 302
    new = Household.objects.get(address="甲村新街3号")
    assert r["Location"] == f"/people/households/{new.pk}/"


def test_a_birth_from_the_page(client, world):
    client.force_login(world.a.cadre)
    r = client.post(
        f"/people/households/{world.a.household.pk}/members/new/",
        {
            "kind": "birth",
            "name": "甲新生",
            "birth_date": "2025-03-03",
            "gender": "F",
            "relation": "grandchild",
            "ethnicity": "汉族",
        },
    )
    assert r.status_code == 302
    assert Resident.objects.get(name="甲新生").household_id == world.a.household.pk


def test_editing_a_resident_keeps_the_id_and_checks_the_phone(client, world):
    client.force_login(world.a.cadre)
    head = world.a.head
    data = {
        "name": head.name,
        "id_number": head.id_number,
        "gender": "",
        "birth_date": "",
        "phone": "12345",
        "relation": "head",
        "ethnicity": "汉族",
    }
    r = client.post(f"/people/residents/{head.pk}/edit/", data)
    assert "电话应为11位手机号，或带区号的固定电话" in r.content.decode()
    data["phone"] = "13900001234"
    assert client.post(f"/people/residents/{head.pk}/edit/", data).status_code == 302
    assert Resident.objects.get(pk=head.pk).phone == "13900001234"


def test_the_household_edit_page_sets_tags_and_the_central_flag(client, world):
    client.force_login(world.a.cadre)
    r = client.post(
        f"/people/households/{world.a.household.pk}/edit/",
        {
            "address": world.a.marker_address,
            "number": "a-001",
            "tags": ["poverty_alleviated"],
            "is_central_household": "on",
        },
    )
    assert r.status_code == 302
    hh = Household.objects.get(pk=world.a.household.pk)
    assert hh.is_central_household and [t.code for t in hh.tags.all()] == ["poverty_alleviated"]


def test_a_party_member_is_registered_from_the_resident_page(client, world):
    client.force_login(world.a.cadre)
    adult = world.a.head
    url = f"/party/residents/{adult.pk}/member/new/"
    r = client.post(
        url,
        {"category": "probationary", "joined_on": "1980-01-01", "organisation": world.a.group.pk},
    )
    assert "年满18周岁" in r.content.decode()
    r = client.post(
        url,
        {"category": "probationary", "joined_on": "2020-07-01", "organisation": world.a.group.pk},
    )
    assert r.status_code == 302
    member = PartyMember.objects.get(resident=adult)
    assert member.category == "probationary"
    r = client.post(
        f"/party/members/{member.pk}/edit/",
        {"category": "full", "joined_on": "2020-07-01", "organisation": world.a.branch.pk},
    )
    assert r.status_code == 302
    assert PartyMember.objects.get(pk=member.pk).organisation_id == world.a.branch.pk
    body = client.get(f"/people/residents/{adult.pk}/").content.decode()
    assert "正式党员" in body


def test_lists_have_empty_states_and_pages(client, world):
    client.force_login(world.a.cadre)
    assert (
        "没有找到符合条件的户"
        in client.get("/people/households/", {"q": "无此人"}).content.decode()
    )
    hh = world.a.household
    from xiangzhi.people.services import ResidentData, resident_add

    for i in range(55):
        resident_add(
            actor=world.admin,
            household=hh,
            kind="move_in",
            data=ResidentData(name=f"甲批{i}", id_number=make_id(dt.date(1990, 1, 1), "M")),
        )
    body = client.get("/people/residents/").content.decode()
    assert "第 1 / 2 页" in body and "下一页" in body
    assert "第 2 / 2 页" in client.get("/people/residents/", {"page": 2}).content.decode()


def test_the_resident_list_escapes_what_it_shows(client, world):
    from xiangzhi.people.models import Resident

    Resident.objects.filter(pk=world.a.child.pk).update(name="<b>甲</b>")
    client.force_login(world.a.cadre)
    body = client.get("/people/residents/").content.decode()
    assert "&lt;b&gt;甲&lt;/b&gt;" in body and "<b>甲</b>" not in body


def test_the_edit_form_shows_masks_and_keeps_the_numbers_unless_retyped(client, world):
    from xiangzhi.core.models import AuditEvent
    from xiangzhi.people.models import Resident

    head = world.a.head
    full_id, full_phone = head.id_number, head.phone
    client.force_login(world.a.cadre)
    url = f"/people/residents/{head.pk}/edit/"
    body = client.get(url).content.decode()
    assert full_id not in body and full_phone not in body
    assert head.id_number_masked in body and head.phone_masked in body
    reveals = AuditEvent.objects.filter(action="people.resident_reveal").count()
    form = {
        "name": head.name,
        "id_number": head.id_number_masked,
        "phone": head.phone_masked,
        "relation": "head",
        "ethnicity": "汉族",
        "note": "只改备注",
    }
    assert client.post(url, form).status_code == 302
    head = Resident.objects.get(pk=head.pk)
    assert (head.id_number, head.phone, head.note) == (full_id, full_phone, "只改备注")
    assert client.post(url, {**form, "phone": "13912345678"}).status_code == 302
    assert Resident.objects.get(pk=head.pk).phone == "13912345678"
    assert AuditEvent.objects.filter(action="people.resident_reveal").count() == reveals
