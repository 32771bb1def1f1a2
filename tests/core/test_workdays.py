"""The working-day calendar (core.workdays): chinese_calendar, the override table that beats it,
weekends past the library's data, and the workbench asking administrators for a year's holidays."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from xiangzhi.core import workdays
from xiangzhi.core.actions import CoreAction
from xiangzhi.core.models import AuditEvent, WorkdayOverride, WorkdayYear
from xiangzhi.core.workdays import (
    add_workdays,
    calendar_known,
    is_workday,
    workday_deadline,
    workdays_between,
    years_needing_holidays,
)

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    workdays.clear_cache()
    yield
    workdays.clear_cache()


# --- the library's years ----------------------------------------------------------------------


def test_the_2026_national_day_week_is_a_holiday_with_its_make_up_days_worked():
    # 2026: 国庆节 10月1日至7日放假, 9月20日（周日）、10月10日（周六）上班.
    assert [is_workday(D(2026, 10, d)) for d in range(1, 8)] == [False] * 7
    assert is_workday(D(2026, 10, 10))  # a Saturday worked
    assert is_workday(D(2026, 9, 20))  # a Sunday worked
    assert not is_workday(D(2026, 10, 11))  # the Sunday after stays a rest day
    assert is_workday(D(2026, 10, 8)) and is_workday(D(2026, 10, 9))


def test_deadlines_run_over_the_national_day_week():
    # Received on Wednesday 30 September: the 1st working day after is Thursday 8 October.
    assert add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    # 5 working days of public notice: 8, 9, 10 (Saturday worked), 12, 13 October.
    assert add_workdays(D(2026, 9, 30), 5) == D(2026, 10, 13)
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 13)) == 5
    assert workdays_between(D(2026, 10, 13), D(2026, 9, 30)) == -5


def test_zero_working_days_is_the_day_itself_or_the_next_working_day():
    assert add_workdays(D(2026, 9, 30), 0) == D(2026, 9, 30)
    assert add_workdays(D(2026, 10, 1), 0) == D(2026, 10, 8)
    with pytest.raises(ValueError):
        add_workdays(D(2026, 9, 30), -1)


def test_a_deadline_ends_at_midnight_in_shanghai_of_the_day_in_china():
    # 17:00 UTC on 7 October (a holiday) is already 01:00 on Thursday 8 October in China.
    start = dt.datetime(2026, 10, 7, 17, 0, tzinfo=dt.UTC)
    deadline = workday_deadline(start, 1)
    assert deadline == dt.datetime(2026, 10, 9, 23, 59, 59, tzinfo=SHANGHAI)
    assert workday_deadline(dt.datetime(2026, 9, 30, 9, 0), 1).date() == D(2026, 10, 8)


# --- the override table -------------------------------------------------------------------------


def test_an_override_beats_the_library(db):
    WorkdayOverride.objects.create(day=D(2026, 10, 10), is_workday=False, note="本地不调休")
    WorkdayOverride.objects.create(day=D(2026, 10, 5), is_workday=True, note="防汛值守")
    assert not is_workday(D(2026, 10, 10))
    assert is_workday(D(2026, 10, 5))
    assert add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 5)


def test_deleting_an_override_gives_the_library_its_say_again(db):
    row = WorkdayOverride.objects.create(day=D(2026, 10, 10), is_workday=False)
    assert not is_workday(D(2026, 10, 10))
    row.delete()
    assert is_workday(D(2026, 10, 10))


def test_past_the_library_weekdays_are_worked_and_weekends_rested(db):
    assert not calendar_known(2027)
    # 2027-01-01 is a Friday, the 2nd and 3rd a weekend.
    assert [is_workday(D(2027, 1, d)) for d in range(1, 5)] == [True, False, False, True]
    WorkdayOverride.objects.create(day=D(2027, 1, 1), is_workday=False, note="元旦")
    WorkdayOverride.objects.create(day=D(2027, 1, 2), is_workday=True, note="元旦调休上班")
    assert not is_workday(D(2027, 1, 1))
    assert is_workday(D(2027, 1, 2))
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 2)
    assert workdays_between(D(2026, 12, 31), D(2027, 1, 8)) == 6


def test_a_computation_reads_the_table_once_and_then_not_at_all(db):
    WorkdayOverride.objects.create(day=D(2027, 3, 1), is_workday=False)
    workdays.clear_cache()  # as after the save's commit
    with CaptureQueriesContext(connection) as first:
        add_workdays(D(2027, 1, 1), 60)
    with CaptureQueriesContext(connection) as second:
        assert workdays_between(D(2027, 1, 1), D(2027, 12, 31)) > 200
        add_workdays(D(2027, 1, 1), 120)
    assert len(first.captured_queries) == 2  # the overrides and the entered years
    assert len(second.captured_queries) == 0


def test_a_saved_override_is_seen_at_once_by_the_process_that_cached_the_table(db):
    assert is_workday(D(2027, 5, 3))  # cached
    WorkdayOverride.objects.create(day=D(2027, 5, 3), is_workday=False, note="劳动节")
    assert not is_workday(D(2027, 5, 3))


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=D(2025, 1, 1), max_value=D(2027, 12, 31)),
    n=st.integers(min_value=0, max_value=80),
)
def test_add_workdays_and_workdays_between_agree(start, n):
    end = add_workdays(start, n)
    assert is_workday(end)
    if n > 0:
        assert workdays_between(start, end) == n
        # No earlier day reaches n working days.
        assert workdays_between(start, end - dt.timedelta(days=1)) == n - 1
    else:
        assert workdays_between(start, end) == (0 if end == start else 1)


# --- which years need entering -------------------------------------------------------------------


def test_admins_are_asked_for_next_year_only_from_november(db):
    assert years_needing_holidays(D(2026, 10, 31)) == []
    assert years_needing_holidays(D(2026, 11, 1)) == [2027]
    assert years_needing_holidays(D(2027, 2, 1)) == [2027]
    assert years_needing_holidays(D(2027, 11, 1)) == [2027, 2028]


def test_a_year_marked_entered_is_known(db, world):
    WorkdayYear.objects.create(year=2027, entered_by=world.admin)
    assert calendar_known(2027)
    assert years_needing_holidays(D(2026, 12, 1)) == []
    assert calendar_known(2026) and not calendar_known(2028)


# --- the workbench panel --------------------------------------------------------------------------


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def december(monkeypatch):
    """Today is 1 December 2026: the library knows 2026, not 2027."""
    from xiangzhi.core import workbench

    monkeypatch.setattr(workbench.timezone, "localdate", lambda *a, **k: D(2026, 12, 1))


def test_the_workbench_asks_a_superuser_for_next_years_holidays(client, world, december):
    body = _home(client, world.admin)
    assert "请录入2027年的法定节假日和调休安排" in body
    assert "/admin/core/workdayoverride/" in body


def test_the_workbench_asks_the_township_leader_who_is_sent_to_the_administrator(
    client, world, december
):
    body = _home(client, world.chief)
    assert "请录入2027年的法定节假日和调休安排" in body
    assert "/admin/core/workdayoverride/" not in body
    assert "请联系系统管理员" in body


@pytest.mark.parametrize("who", ["cadre", "secretary", "worker", "villager", "auditor"])
def test_the_workbench_does_not_ask_village_users(client, world, december, who):
    body = _home(client, getattr(world.a, who))
    assert "法定节假日" not in body


def test_the_panel_goes_once_the_year_is_marked_entered(client, world, december):
    WorkdayYear.objects.create(year=2027, entered_by=world.admin)
    assert "法定节假日" not in _home(client, world.admin)


# --- the admin tables ------------------------------------------------------------------------------


def test_an_override_saved_in_the_admin_is_audited_and_applies(client, world):
    client.force_login(world.admin)
    response = client.post(
        "/admin/core/workdayoverride/add/",
        {"day": "2027-02-08", "is_workday": "", "note": "春节"},
    )
    assert response.status_code == 302
    row = WorkdayOverride.objects.get(day=D(2027, 2, 8))
    event = AuditEvent.objects.filter(action=CoreAction.CONFIG_CREATE).first()
    assert event.object_type == "core.workdayoverride" and event.object_id == str(row.pk)
    assert not is_workday(D(2027, 2, 8))

    response = client.post(f"/admin/core/workdayoverride/{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not WorkdayOverride.objects.exists()
    assert AuditEvent.objects.filter(
        action=CoreAction.CONFIG_DELETE, object_id=str(row.pk)
    ).exists()
    assert is_workday(D(2027, 2, 8))


def test_marking_a_year_entered_in_the_admin_records_who_and_is_audited(client, world):
    client.force_login(world.admin)
    response = client.post("/admin/core/workdayyear/add/", {"year": "2027"})
    assert response.status_code == 302
    year = WorkdayYear.objects.get(year=2027)
    assert year.entered_by == world.admin
    assert AuditEvent.objects.filter(
        action=CoreAction.CONFIG_CREATE, object_type="core.workdayyear"
    ).exists()


def test_a_staff_cadre_cannot_change_the_calendar(client, world):
    client.force_login(world.a.cadre)  # is_staff, not a superuser
    response = client.post(
        "/admin/core/workdayoverride/add/", {"day": "2027-02-08", "is_workday": "", "note": "x"}
    )
    assert response.status_code == 403
    assert not WorkdayOverride.objects.exists()
