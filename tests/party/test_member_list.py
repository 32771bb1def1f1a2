"""党员花名册: the party members in the viewer's scope with category, date joined, organisation
and age; search, filters, pages, and the export through core's sheet machinery."""

from __future__ import annotations

import datetime as dt
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from xiangzhi.core.models import AuditEvent
from xiangzhi.party.services import party_member_register
from xiangzhi.people.models import Resident
from xiangzhi.people.selectors import age_on
from xiangzhi.people.services import ResidentData, household_register
from xiangzhi.people.services.registry import resident_move_out

from ..factories import make_id

URL = "/party/members/"


def _names(client, **params) -> set[str]:
    r = client.get(URL, params)
    assert r.status_code == 200
    body = r.content.decode()
    return {r.name for r in Resident.objects.all() if f">{r.name}</a>" in body}


def _member(world, name: str, birth: dt.date, category: str = "full", grid=None):
    hh = household_register(
        actor=world.a.cadre,
        node=grid or world.a.grid,
        address=f"{name}巷1号",
        head=ResidentData(name, id_number=make_id(birth, "M"), phone="13600004321"),
    )
    return party_member_register(
        actor=world.a.cadre,
        resident=hh.head,
        category=category,
        joined_on=dt.date(2024, 7, 1),
        organisation=world.a.branch,
    )


def test_the_roster_shows_category_joined_organisation_and_age(client, world):
    client.force_login(world.a.cadre)
    body = client.get(URL).content.decode()
    pm = world.a.party_member
    age = age_on(pm.resident.birth_date, dt.date.today())
    for text in (pm.resident.name, "正式党员", "1995-07-01", world.a.group.name, f"{age} 岁"):
        assert text in body
    assert world.b.party_member.resident.name not in body


def test_the_roster_lists_only_the_viewers_scope(client, world):
    client.force_login(world.chief)
    assert _names(client) == {world.a.other_head.name, world.b.other_head.name}
    client.force_login(world.b.auditor)
    assert _names(client) == {world.b.other_head.name}
    client.force_login(world.a.worker)  # 甲家中心户: the member lives in the sibling grid
    assert _names(client) == set()
    client.force_login(world.a.cadre)
    assert client.get(URL, {"node": world.b.node.pk}).status_code == 404


def test_search_and_filters(client, world):
    _member(world, "甲预备", dt.date(1999, 1, 1), category="probationary")
    _member(world, "甲老党员", dt.date(1940, 1, 1))
    client.force_login(world.a.cadre)
    assert _names(client, category="probationary") == {"甲预备"}
    assert _names(client, category="full") == {world.a.other_head.name, "甲老党员"}
    assert _names(client, age="80") == {"甲老党员"}
    assert _names(client, age="18-59") == {"甲预备"}
    assert _names(client, q="甲预") == {"甲预备"}
    assert _names(client, q="4321") == {"甲预备", "甲老党员"}  # 尾号 of the phone
    assert _names(client, node=world.a.sibling_grid.pk) == {world.a.other_head.name}
    client.force_login(world.b.cadre)
    assert _names(client, q="4321") == set()


def test_a_member_who_moved_away_is_found_with_the_status(client, world):
    m = _member(world, "甲外迁", dt.date(1980, 1, 1))
    resident_move_out(actor=world.a.cadre, resident=m.resident, occurred_on=dt.date(2025, 3, 1))
    client.force_login(world.a.cadre)
    assert "甲外迁" not in _names(client)
    body = client.get(URL, {"q": "甲外迁"}).content.decode()
    assert ">甲外迁</a>" in body and "已迁出" in body


def test_the_roster_page_costs_the_same_queries_whatever_the_rows(client, world):
    client.force_login(world.a.cadre)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        _member(world, f"甲党员{i}", dt.date(1970, 1, 1))
    queries()
    small = queries()  # a few rows
    for i in range(3, 40):
        _member(world, f"甲党员{i}", dt.date(1970, 1, 1))
    assert queries() == small  # forty rows on the page: no query per row
    for i in range(40, 120):
        _member(world, f"甲党员{i}", dt.date(1970, 1, 1))
    assert queries() == small + 1  # past one page: the paginator's count, nothing per row
    page2 = client.get(URL, {"page": "2"}).content.decode()
    assert "第 2 / 3 页" in page2


def _sheet(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_the_export_is_the_roster_as_the_page_filters_it_and_is_audited(client, world):
    _member(world, "甲预备", dt.date(1999, 1, 1), category="probationary")
    client.force_login(world.a.cadre)
    r = client.get("/party/members/export/", {"category": "probationary"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    rows = _sheet(b"".join(r.streaming_content))
    header = next(i for i, row in enumerate(rows) if "姓名" in row and "入党时间" in row)
    cols = rows[header]
    data = [dict(zip(cols, row, strict=False)) for row in rows[header + 1 :] if row[1]]
    assert [d["姓名"] for d in data] == ["甲预备"]
    d = data[0]
    assert d["党员类别"] == "预备党员" and d["联系电话"] == "136****4321"
    assert "*" in d["身份证号"] and d["所在党组织"].endswith(world.a.branch.name)
    assert AuditEvent.objects.filter(action="party.party_member_export").count() == 1


def test_the_export_kind_is_registered_and_scoped(client, world):
    client.force_login(world.a.cadre)
    r = client.get("/sheets/export/party_members/")
    assert r.status_code == 200
    cells = {c for row in _sheet(b"".join(r.streaming_content)) for c in row if c}
    assert world.a.other_head.name in cells and world.b.other_head.name not in cells


def test_the_navigation_offers_the_roster_to_cadres_only(client, world):
    client.force_login(world.a.cadre)
    assert 'href="/party/members/"' in client.get("/people/residents/").content.decode()
    client.force_login(world.a.villager)
    assert 'href="/party/members/"' not in client.get("/accounts/profile/").content.decode()
