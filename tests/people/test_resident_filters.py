"""The resident list's filters (party membership, age band, gender, tag, grid), the 尾号 search
through keyed last-four indexes, and people who died or moved away found with their status."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiangzhi.core.crypto import last4_index
from xiangzhi.people.models import Resident
from xiangzhi.people.services import ResidentData, household_register, resident_update
from xiangzhi.people.services.imports import registry_import
from xiangzhi.people.services.registry import resident_record_death

from ..factories import make_id
from ..xlsx_helpers import make_sheet

LIST = "/people/residents/"


def _names(client, **params) -> set[str]:
    r = client.get(LIST, params)
    assert r.status_code == 200
    body = r.content.decode()
    return {
        r.name
        for r in Resident.objects.all()
        if f">{r.name}</a>" in body  # a row's name is its link
    }


def _stored_last4(pk: int) -> tuple[str | None, str | None]:
    with connection.cursor() as cur:
        cur.execute("SELECT id_number_last4, phone_last4 FROM people_resident WHERE id = %s", [pk])
        return cur.fetchone()


# --- the keyed last-four indexes ------------------------------------------------------------


def test_the_last_four_columns_hold_keyed_hashes_never_the_digits(world, settings):
    residents = list(Resident.objects.exclude(phone=""))
    assert residents
    for r in residents:
        id4, phone4 = _stored_last4(r.pk)
        assert r.id_number[-4:] not in id4 and r.phone[-4:] not in phone4
        assert (id4, phone4) == (last4_index(r.id_number, "id"), last4_index(r.phone, "phone"))
    # Keyed: another index key gives other values, so the column is no lookup table of 0000-9999.
    before = last4_index("13800001111", "phone")
    settings.XIANGZHI_INDEX_KEY = "b3RoZXIta2V5LW9mLXRoaXJ0eS10d28tYnl0ZXMhIQ=="
    assert last4_index("13800001111", "phone") != before
    # An ID's and a phone's digits are kept apart: the same four digits hash differently.
    assert last4_index("x1111", "id") != last4_index("x1111", "phone")


def test_a_person_without_numbers_has_no_last_four_index(world):
    hh = household_register(
        actor=world.a.cadre,
        node=world.a.grid,
        address="甲村无号巷1号",
        head=ResidentData("甲无号", gender="M"),
    )
    assert _stored_last4(hh.head_id) == (None, None)


def test_an_edit_through_the_service_keeps_the_index_current(client, world):
    head = world.a.head
    data = ResidentData(
        name=head.name,
        gender=head.gender,
        birth_date=head.birth_date,
        id_number=head.id_number,
        phone="13955556789",
        relation=head.relation,
    )
    resident_update(actor=world.a.cadre, resident=head, data=data)
    assert _stored_last4(head.pk)[1] == last4_index("13955556789", "phone")
    client.force_login(world.a.cadre)
    assert world.a.marker_name in _names(client, q="6789")
    assert world.a.marker_name not in _names(client, q="1111")


def test_an_import_fills_and_updates_the_index(client, world, tmp_path):
    grid = "甲村/甲村第一党支部/甲村枫树屋场党小组/甲家中心户"
    header = ["姓名", "性别", "身份证号码", "联系电话", "与户主关系", "家庭住址", "所属网格"]
    number = make_id(dt.date(1980, 2, 3), "M")
    row = ["甲导入", "男", number, "13712340987", "户主", "甲村导入路1号", grid]
    path = make_sheet(tmp_path / "r.xlsx", [header, row])
    registry_import(actor=world.a.cadre, kind="residents", path=path)
    r = Resident.objects.get(name="甲导入")
    assert _stored_last4(r.pk) == (last4_index(number, "id"), last4_index("13712340987", "phone"))
    row[3] = "13712345555"  # the bulk update path
    registry_import(actor=world.a.cadre, kind="residents", path=make_sheet(path, [header, row]))
    assert _stored_last4(r.pk)[1] == last4_index("13712345555", "phone")
    client.force_login(world.a.cadre)
    assert "甲导入" in _names(client, q="5555") and "甲导入" not in _names(client, q="0987")


def test_the_migration_fills_the_index_of_existing_rows(world):
    with connection.cursor() as cur:
        cur.execute("UPDATE people_resident SET id_number_last4 = NULL, phone_last4 = NULL")
    migration = importlib.import_module(
        "xiangzhi.people.migrations.0014_resident_last_four_indexes"
    )
    migration.fill(apps, connection.schema_editor())
    residents = list(Resident.objects.all())
    assert any(r.phone for r in residents)
    for r in residents:
        assert _stored_last4(r.pk) == (
            last4_index(r.id_number, "id"),
            last4_index(r.phone, "phone"),
        )


# --- 尾号 search ----------------------------------------------------------------------------


def test_a_phone_last_four_finds_the_person_only_within_scope(client, world):
    client.force_login(world.a.cadre)
    assert _names(client, q="1111") == {world.a.marker_name}
    client.force_login(world.b.cadre)  # 乙村's head has 13800002222
    assert _names(client, q="1111") == set()
    assert _names(client, q="2222") == {world.b.marker_name}
    client.force_login(world.chief)
    assert _names(client, q="1111") == {world.a.marker_name}


def test_an_id_last_four_finds_the_person_where_numbers_may_be_revealed(client, world):
    last4 = world.a.head.id_number[-4:]
    client.force_login(world.a.cadre)
    assert world.a.marker_name in _names(client, q=last4)
    assert world.a.marker_name in _names(client, q=last4.lower())  # an x typed for X
    client.force_login(world.b.cadre)
    assert world.a.marker_name not in _names(client, q=last4)
    # The mask hides these digits from a group leader: a match would confirm them.
    client.force_login(world.a.group_leader)
    assert world.a.marker_name not in _names(client, q=last4)


def test_a_last_four_search_costs_the_same_queries_whatever_the_rows(client, world):
    client.force_login(world.a.cadre)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST, {"q": "1111"}).status_code == 200
        return len(ctx.captured_queries)

    queries()  # the first request of a session refreshes it
    small = queries()
    for i in range(30):
        household_register(
            actor=world.a.cadre,
            node=world.a.grid,
            address=f"甲村加户巷{i}号",
            head=ResidentData(f"甲加户{i}", id_number=make_id(), phone=f"137{i:04d}1111"),
        )
    assert queries() == small  # now 31 people match
    assert len(_names(client, q="1111")) == 31


# --- dead or moved away ---------------------------------------------------------------------


def test_a_dead_person_found_by_search_shows_the_status(client, world):
    resident_record_death(
        actor=world.a.cadre, resident=world.a.child, occurred_on=dt.date(2025, 1, 1)
    )
    client.force_login(world.a.cadre)
    body = client.get(LIST, {"q": world.a.child.name}).content.decode()
    assert f">{world.a.child.name}</a>" in body and "已死亡" in body
    assert "没有找到" not in body
    # The bare list shows those registered here; 状态 全部 and a search find the others.
    assert world.a.child.name not in _names(client)
    assert world.a.child.name in _names(client, status="all")
    assert world.a.child.name in _names(client, status="deceased")
    assert world.a.child.name not in _names(client, q=world.a.child.name, status="active")


# --- filters --------------------------------------------------------------------------------


@pytest.fixture
def ages(world):
    """Residents of 甲村 aged 85, 70 and 30 today, a woman of 62 among them."""
    today = dt.date.today()
    made = {}
    for name, years, gender in [("甲八五", 85, "M"), ("甲七十", 70, "M"), ("甲三十", 30, "F")]:
        birth = dt.date(today.year - years, 1, 1) if today >= dt.date(today.year, 1, 1) else None
        hh = household_register(
            actor=world.a.cadre,
            node=world.a.grid,
            address=f"{name}巷",
            head=ResidentData(
                name, gender=gender, birth_date=birth, id_number=make_id(birth, gender)
            ),
        )
        made[name] = hh.head
    return made


def test_age_filters_take_a_minimum_and_bands(client, world, ages):
    client.force_login(world.a.cadre)
    sixty = _names(client, age="60")
    assert {"甲八五", "甲七十"} <= sixty and "甲三十" not in sixty
    assert world.a.other_head.name in sixty  # born 1965
    assert world.a.marker_name not in sixty  # born 1970
    eighty = _names(client, age="80")
    assert "甲八五" in eighty and "甲七十" not in eighty
    band = _names(client, age="18-59")
    assert "甲三十" in band and world.a.marker_name in band and "甲七十" not in band
    assert _names(client, age="0-17") == {world.a.child.name}


def test_gender_tag_party_and_grid_filters(client, world, ages):
    from xiangzhi.people.services import household_update

    household_update(
        actor=world.a.cadre,
        household=world.a.household,
        address=world.a.marker_address,
        number=world.a.household.number,
    )
    head = world.a.head
    resident_update(
        actor=world.a.cadre,
        resident=head,
        data=ResidentData(
            name=head.name,
            gender=head.gender,
            birth_date=head.birth_date,
            id_number=head.id_number,
            phone=head.phone,
            relation=head.relation,
            tags=["disabled"],
        ),
    )
    client.force_login(world.a.cadre)
    women = _names(client, gender="F")
    assert "甲三十" in women and world.a.other_head.name in women and "甲七十" not in women
    assert _names(client, tag="disabled") == {head.name}
    assert _names(client, party="member") == {world.a.other_head.name}
    assert _names(client, party="full") == {world.a.other_head.name}
    assert _names(client, party="probationary") == set()
    assert world.a.other_head.name not in _names(client, party="none")
    assert head.name in _names(client, party="none")
    assert _names(client, node=world.a.sibling_grid.pk) == {world.a.other_head.name}
    assert _names(client, age="60", gender="F") == {world.a.other_head.name}


def test_a_grid_outside_scope_is_not_found(client, world):
    client.force_login(world.a.cadre)
    assert client.get(LIST, {"node": world.b.node.pk}).status_code == 404


def test_the_filtered_list_page_costs_the_same_queries_whatever_the_rows(client, world, ages):
    client.force_login(world.a.cadre)
    params = {"age": "60", "party": "none", "gender": "M"}

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST, params).status_code == 200
        return len(ctx.captured_queries)

    def add(start: int, n: int) -> None:
        for i in range(start, start + n):
            household_register(
                actor=world.a.cadre,
                node=world.a.grid,
                address=f"甲村老人巷{i}号",
                head=ResidentData(f"甲老{i}", id_number=make_id(dt.date(1940, 1, 1), "M")),
            )

    add(0, 55)  # more than a page: the page links need their count from now on
    queries()
    small = queries()
    add(55, 80)
    assert queries() == small


def test_the_grid_select_offers_the_bound_nodes_and_one_level_below(client, world):
    client.force_login(world.a.cadre)
    body = client.get(LIST).content.decode()
    assert f'<option value="{world.a.node.pk}" >' in body
    assert f'<option value="{world.a.branch.pk}" >' in body
    assert f'value="{world.a.group.pk}"' not in body and f'value="{world.b.node.pk}"' not in body
    client.force_login(world.chief)
    body = client.get(LIST).content.decode()
    assert f'value="{world.b.node.pk}"' in body and f'value="{world.a.branch.pk}"' not in body
    # A deeper node chosen by a link stays selected.
    body = client.get(LIST, {"node": world.a.grid.pk}).content.decode()
    assert f'<option value="{world.a.grid.pk}" selected>' in body


def test_a_search_by_a_number_leaves_a_trace_for_the_auditors(client, world):
    """Hostile review: a thousand 尾号 searches rebuilt the digits the ID mask hides, and no
    search was in the audit trail. Now each search by a number is, masked but for its last mark;
    a search by name is not."""
    from xiangzhi.core.models import AuditEvent

    client.force_login(world.a.worker)
    before = AuditEvent.objects.filter(action="people.resident_number_search").count()
    for path in ("/people/residents/", "/people/households/", "/party/members/"):
        client.get(path, {"q": "051X"})
    client.get("/people/residents/", {"q": "zs"})
    events = AuditEvent.objects.filter(action="people.resident_number_search")
    assert events.count() == before + 3
    assert events.order_by("-pk").first().changes == {"query": "***X"}


def test_a_search_by_a_whole_phone_number_is_audited_as_one_by_an_id(client, world):
    """A full mobile or landline finds its owner (name, household, ID mask) for a reveal role;
    it left no trace while an ID search did."""
    from xiangzhi.core.models import AuditEvent

    client.force_login(world.a.cadre)
    searches = AuditEvent.objects.filter(action="people.resident_number_search")
    before = searches.count()
    page = client.get("/people/residents/", {"q": "13800001111"}).content.decode()
    assert world.a.marker_name in page
    client.get("/people/residents/", {"q": "0731-1234567"})
    assert searches.count() == before + 2
    assert searches.order_by("-pk").first().changes == {"query": "***********7"}
