"""The registry's rough edges (issue 12, point 6): numbering and addresses by default, the
household page's title, ages and head, the lowest grid's households, the move-out and death
questions, no household above a village, the upload page's grid paths and error rows, and the
change ledger opening on this month."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xiangzhi.core.models import ImportJob
from xiangzhi.grid.labels import full_name
from xiangzhi.people.models import Household, HouseholdChange, Resident
from xiangzhi.people.services import (
    ResidentData,
    household_register,
    household_split,
    resident_add,
    resident_move_out,
    resident_record_death,
)
from xiangzhi.people.services.imports import registry_import
from xiangzhi.people.services.numbering import next_numbers

from ..factories import make_id
from ..xlsx_helpers import make_sheet

GRID = "甲村/甲村第一党支部/甲村枫树屋场党小组/甲家中心户"


def _head(name: str, year: int = 1970) -> ResidentData:
    return ResidentData(name=name, id_number=make_id(dt.date(year, 2, 3), "M"))


def test_a_roster_without_address_or_number_imports_with_the_grid_name_and_village_numbers(
    world, tmp_path
):
    header = ["姓名", "身份证号", "与户主关系", "所属网格"]
    rows = [
        ["无址一", make_id(dt.date(1960, 1, 1), "M"), "户主", GRID],
        ["无址一妻", make_id(dt.date(1962, 1, 1), "F"), "妻子", GRID],
        ["无址二", make_id(dt.date(1961, 1, 1), "M"), "户主", GRID],
        ["无址三", make_id(dt.date(1963, 1, 1), "M"), "户主", GRID],
    ]
    report = registry_import(
        actor=world.a.cadre,
        kind="residents",
        path=make_sheet(tmp_path / "r.xlsx", [header, *rows]),
    )
    assert report.errors == [] and report.created == 4
    made = list(Household.objects.filter(head__name__startswith="无址").order_by("number"))
    assert [h.head.name for h in made] == ["无址一", "无址二", "无址三"]
    # 甲村 is the first village of its township: V01, numbered from 1 (a-001 is another form).
    assert [h.number for h in made] == ["V01-00001", "V01-00002", "V01-00003"]
    assert {h.address for h in made} == {"测试镇甲村甲村第一党支部甲村枫树屋场党小组甲家中心户"}
    assert made[0].address == full_name(world.a.grid)


def test_the_form_numbers_on_after_the_import_and_skips_a_number_taken_by_hand(client, world):
    a = world.a
    first = household_register(actor=a.cadre, node=a.grid, address="", head=_head("自动一"))
    assert first.number == "V01-00001" and first.address == full_name(a.grid)
    household_register(
        actor=a.cadre, node=a.grid, address="手写号", number="V01-00002", head=_head("手写")
    )
    second = household_register(actor=a.cadre, node=a.grid, address="某处", head=_head("自动二"))
    assert second.number == "V01-00003"  # 00002 was taken by hand
    b = household_register(actor=world.b.cadre, node=world.b.grid, address="", head=_head("乙自动"))
    assert b.number == "V02-00001"  # each village its own sequence
    client.force_login(a.cadre)
    r = client.post(
        f"/people/nodes/{a.grid.pk}/households/new/",
        {"name": "表单户主", "id_number": make_id(dt.date(1980, 1, 1), "M")},
    )
    assert r.status_code == 302
    made = Household.objects.get(head__name="表单户主")
    assert made.number == "V01-00004" and made.address == full_name(a.grid)


@pytest.mark.django_db(transaction=True)
def test_two_registrations_at_once_never_share_a_number(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time anyway")
    got: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def take():
        try:
            barrier.wait()
            got.extend(next_numbers(world.a.node, 5))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(got) == [f"V01-{n:05d}" for n in range(1, 21)]


def test_no_household_is_registered_above_a_village(client, world):
    with pytest.raises(ValidationError) as exc:
        household_register(
            actor=world.admin, node=world.township, address="镇上", head=_head("镇户")
        )
    assert "户只能登记在村（社区）或其下级网格" in str(exc.value)
    client.force_login(world.chief)
    r = client.post(
        f"/people/nodes/{world.township.pk}/households/new/",
        {"name": "镇户", "id_number": make_id(dt.date(1980, 1, 1), "M")},
    )
    assert r.status_code == 200 and "户只能登记在村（社区）或其下级网格" in r.content.decode()
    assert not Household.objects.filter(head__name="镇户").exists()
    page = client.get(f"/grid/nodes/{world.township.pk}/").content.decode()
    assert "甲村" in page  # the township's page, which offers no registration
    assert f"/people/nodes/{world.township.pk}/households/new/" not in page


def test_the_household_page_titles_itself_by_head_and_number_with_ages(client, world):
    a = world.a
    client.force_login(a.cadre)
    page = client.get(f"/people/households/{a.household.pk}/").content.decode()
    assert f"<h1>{a.marker_name}户 a-001" in page
    today = timezone.localdate()
    age = today.year - 1970 - ((today.month, today.day) < (3, 4))
    assert f"{age}岁" in page and "年龄" in page


def test_a_dead_or_departed_member_is_never_shown_as_head(client, world):
    a = world.a
    client.force_login(a.cadre)
    other = a.other_household
    resident_record_death(actor=a.cadre, resident=a.other_head, cause="old_age")
    page = client.get(f"/people/households/{other.pk}/").content.decode()
    assert f"{a.other_head.name}户" not in page
    assert "原户主" in page
    listing = client.get(f"/people/households/?q={other.number}").content.decode()
    assert f'<td data-label="户主">{a.other_head.name}</td>' not in listing


def test_the_lowest_grid_lists_its_households_at_a_constant_query_count(client, world):
    a = world.a
    client.force_login(a.cadre)
    url = f"/grid/nodes/{a.grid.pk}/"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(url).content.decode()
        assert "本网格的户" in page
        return len(ctx.captured_queries)

    count()  # the first request of a session writes it
    assert a.marker_name in client.get(url).content.decode()
    for i in range(55):
        household_register(actor=a.cadre, node=a.grid, address=f"甲村{i}号", head=_head(f"甲多{i}"))
    few = count()
    Household.objects.bulk_create(
        Household(node=a.grid, address=f"甲村后{i}号", number=f"V01-9{i:04d}") for i in range(200)
    )
    assert count() == few
    second = client.get(url + "?page=2").content.decode()
    assert "第 2 / 6 页" in second


def test_move_out_and_death_ask_where_why_and_the_cause(client, world):
    a = world.a
    client.force_login(a.cadre)
    form = client.get(f"/people/residents/{a.child.pk}/move-out/").content.decode()
    assert "迁往" in form and "本省其他县（市、区）" in form and "务工经商" in form
    r = client.post(
        f"/people/residents/{a.child.pk}/move-out/",
        {"occurred_on": "2026-11-02", "destination": "same_province", "reason": "study"},
    )
    assert r.status_code == 302
    change = HouseholdChange.objects.get(resident=a.child, kind="move_out")
    assert (change.destination, change.reason) == ("same_province", "study")
    death = client.get(f"/people/residents/{a.other_head.pk}/death/").content.decode()
    assert "死亡原因" in death and "迁往" not in death and "疾病" in death
    with pytest.raises(ValidationError):  # a move-out reason is no cause of death
        resident_record_death(actor=a.cadre, resident=a.other_head, cause="work")
    resident_record_death(actor=a.cadre, resident=a.other_head, cause="illness", note="肺病")
    ledger = client.get("/people/changes/?since=").content.decode()
    assert "迁往本省其他县（市、区）" in ledger and "疾病；肺病" in ledger


def test_a_newborn_is_never_offered_or_taken_as_the_new_head(client, world):
    a = world.a
    today = timezone.localdate()
    baby = resident_add(
        actor=a.cadre,
        household=a.household,
        kind="birth",
        occurred_on=today,
        data=ResidentData(name="甲新生", birth_date=today, gender="F", relation="child"),
    )
    client.force_login(a.cadre)
    form = client.get(f"/people/residents/{a.head.pk}/move-out/").content.decode()
    assert a.child.name in form and "甲新生" not in form
    choose = client.get(f"/people/households/{a.household.pk}/head/").content.decode()
    assert "甲新生" not in choose
    with pytest.raises(ValidationError) as exc:
        resident_move_out(actor=a.cadre, resident=a.head, new_head=baby)
    assert "新生儿不能当户主" in str(exc.value)


def test_a_head_whose_only_housemate_is_a_newborn_may_still_die_or_move_out(client, world):
    """Nobody in the household may be head yet: it stays registered without a living head, and
    the page says what to do next (it answered with an error for every post)."""
    a = world.a
    home = a.other_household  # its head alone
    today = timezone.localdate()
    resident_add(
        actor=a.cadre,
        household=home,
        kind="birth",
        data=ResidentData(
            name="乙宝宝", birth_date=today - dt.timedelta(days=20), gender="F", relation="child"
        ),
    )
    client.force_login(a.cadre)
    url = f"/people/residents/{home.head_id}/death/"
    r = client.post(url, {"occurred_on": today.isoformat(), "reason": "illness"}, follow=True)
    assert r.redirect_chain, r.content.decode()[:2000]
    assert "暂无户主" in r.content.decode()
    home.refresh_from_db()
    assert home.status == Household.Status.ACTIVE and home.head_id is None
    assert home.members.filter(status=Resident.Status.DECEASED).count() == 1
    assert home.members.filter(status=Resident.Status.ACTIVE).count() == 1
    # No page names the dead as the head (the 户主变更 page said 现在的户主：<the dead>), and a
    # relative who moves in to look after the baby is registered as 户主.
    dead = home.members.get(status=Resident.Status.DECEASED).name
    page = client.get(f"/people/households/{home.pk}/head/").content.decode()
    assert "现在的户主：—" in page and f"现在的户主：{dead}" not in page
    with pytest.raises(ValidationError, match="新生儿不能当户主"):
        resident_add(
            actor=a.cadre,
            household=home,
            kind="birth",
            data=ResidentData(name="乙双胞", birth_date=today, gender="M", relation="head"),
        )
    aunt = resident_add(
        actor=a.cadre,
        household=home,
        kind="move_in",
        data=ResidentData(
            name="乙姑姑", id_number=make_id(dt.date(1980, 2, 3), "F"), relation="head"
        ),
    )
    home.refresh_from_db()
    assert home.head_id == aunt.pk and home.living_head == aunt


def test_a_departure_is_not_recorded_twice_from_two_pages_open_at_once(world):
    """Each request loaded the resident before the other saved."""
    first = Resident.objects.get(pk=world.a.child.pk)
    second = Resident.objects.get(pk=world.a.child.pk)
    resident_move_out(actor=world.a.cadre, resident=first, destination="same_town", reason="work")
    with pytest.raises(ValidationError, match="已不在册"):
        resident_record_death(actor=world.a.secretary, resident=second, cause="illness")
    left = HouseholdChange.objects.filter(
        resident_id=world.a.child.pk, kind__in=["move_out", "death"]
    )
    assert left.count() == 1
    assert Resident.objects.get(pk=world.a.child.pk).status == Resident.Status.MOVED_OUT


def test_a_split_neither_offers_nor_takes_a_newborn_as_the_new_head(client, world):
    a = world.a
    today = timezone.localdate()
    baby = resident_add(
        actor=a.cadre,
        household=a.household,
        kind="birth",
        data=ResidentData(
            name="甲新宝", birth_date=today - dt.timedelta(days=10), gender="M", relation="child"
        ),
    )
    with pytest.raises(ValidationError) as exc:
        household_split(
            actor=a.cadre, household=a.household, members=[baby], new_head=baby, address="新巷1号"
        )
    assert exc.value.message_dict == {"new_head": ["新生儿不能当户主，请指定其他成员"]}
    assert Resident.objects.get(pk=baby.pk).household_id == a.household.pk
    client.force_login(a.cadre)
    url = f"/people/households/{a.household.pk}/split/"
    page = client.get(url).content.decode()
    heads = page[page.index('name="new_head"') :]
    heads = heads[: heads.index("</select>")]
    assert a.child.name in heads and "甲新宝" not in heads
    r = client.post(
        url, {"members": [baby.pk], "new_head": baby.pk, "address": "新巷1号", "occurred_on": today}
    )
    assert r.status_code == 200 and not Household.objects.filter(address="新巷1号").exists()
    # The baby still leaves with a member of age who heads the new household.
    new = household_split(
        actor=a.cadre,
        household=a.household,
        members=[a.child, baby],
        new_head=a.child,
        address="新巷2号",
    )
    assert set(new.members.values_list("pk", flat=True)) == {a.child.pk, baby.pk}


def test_the_upload_page_shows_grid_paths_and_counts_rows_with_errors(client, world):
    client.force_login(world.a.cadre)
    page = client.get("/sheets/import/").content.decode()
    assert f"<code>{GRID}</code>" in page and "乙村" not in page
    job = ImportJob.objects.create(
        created_by=world.a.cadre,
        kind="residents",
        file_name="错.xlsx",
        status="done",
        report={
            "created": 0,
            "updated": 0,
            "unchanged": 0,
            "errors": [
                {"row": 3, "column": "身份证号", "message": "校验位不正确"},
                {"row": 3, "column": "性别", "message": "无法识别"},
                {"row": 5, "column": "姓名", "message": "缺少姓名"},
            ],
        },
    )
    body = client.get(f"/sheets/import/jobs/{job.pk}/").content.decode()
    assert '<span class="n" id="n-errors">2</span>行有错误' in body


def test_the_change_ledger_opens_on_this_month(client, world):
    a = world.a
    today = timezone.localdate()
    old = today.replace(day=1) - dt.timedelta(days=40)
    resident_move_out(actor=a.cadre, resident=a.child, occurred_on=old)
    resident_record_death(actor=a.cadre, resident=a.other_head, occurred_on=today)
    client.force_login(a.cadre)
    page = client.get("/people/changes/").content.decode()
    first = today.replace(day=1)
    assert f'name="since" value="{first:%Y-%m-%d}"' in page
    assert a.other_head.name in page and a.child.name not in page
    everything = client.get("/people/changes/?since=").content.decode()
    assert a.child.name in everything
    assert Resident.objects.get(pk=a.child.pk).status == "moved_out"


def test_a_change_dated_in_the_future_or_before_the_birth_is_refused(client, world):
    a = world.a
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        resident_record_death(
            actor=a.cadre, resident=a.child, cause="illness", occurred_on=tomorrow
        )
    before_birth = a.child.birth_date - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="出生日期"):
        resident_move_out(
            actor=a.cadre,
            resident=a.child,
            destination="same_town",
            reason="work",
            occurred_on=before_birth,
        )
    assert Resident.objects.get(pk=a.child.pk).status == Resident.Status.ACTIVE
    client.force_login(a.cadre)
    r = client.post(
        f"/people/residents/{a.child.pk}/death/",
        {"occurred_on": tomorrow.isoformat(), "reason": "illness"},
    )
    assert r.status_code == 200 and "变动日期不能晚于今天" in r.content.decode()


def test_a_child_is_a_newborn_until_the_day_before_the_first_birthday():
    """The day was clamped to the 28th every month: a child of one year and up to three days
    was still kept from heading a household near a month's end."""
    from xiangzhi.people.selectors import year_ago
    from xiangzhi.people.services.registry import is_newborn

    def child(born):
        return Resident(birth_date=born)

    assert not is_newborn(child(dt.date(2025, 12, 31)), today=dt.date(2026, 12, 31))
    assert is_newborn(child(dt.date(2026, 1, 1)), today=dt.date(2026, 12, 31))
    assert not is_newborn(child(dt.date(2025, 3, 30)), today=dt.date(2026, 3, 31))
    assert year_ago(dt.date(2028, 2, 29)) == dt.date(2027, 2, 28)
