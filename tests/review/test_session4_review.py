"""Review of session 4's changes (hostile and maintainer): the points API's JSON bodies and
list pages never answer a server error, the API's visit ignores the service-only options
(`member`, `recorded_on`), and a follow-up's deadline from the change's date cannot be made
overdue at birth by a move-in left undated, put off by a change dated ahead, or opened for a
household already visited since the change."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.factories import make_id
from xiangzhi.accounts.services import api_token_create
from xiangzhi.core import figures
from xiangzhi.party.models import FollowUp, Visit
from xiangzhi.party.selectors import coverage_of
from xiangzhi.people.models import Resident
from xiangzhi.people.services import ResidentData, resident_add
from xiangzhi.points.models import PointClaim

TODAY = timezone.localdate()
NESTED = "[" * 100_000 + "]" * 100_000  # deeper than Python's recursion limit, 200 KB
HUGE_PAGE = "99999999999999999999"


@pytest.fixture
def quiet(client):
    client.raise_request_exception = False
    return client


def _post(client, token: str, url: str, body: str):
    return client.post(
        url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


# --- points API: crafted bodies and pages ---------------------------------------------------


@pytest.mark.parametrize("route", ["claims", "review", "redemptions"])
def test_a_deeply_nested_json_body_is_a_chinese_400_not_a_server_error(quiet, world, route):
    if route == "review":
        claim = PointClaim.objects.filter(household=world.a.household).first()
        url = f"/api/v1/points/claims/{claim.pk}/review"
    else:
        url = f"/api/v1/points/{route}"
    answer = _post(quiet, world.a.token, url, NESTED)
    assert answer.status_code == 400, answer.status_code
    assert "JSON" in answer.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/points/redemptions",  # paged in the database since this session
        "/api/v1/points/claims",
        "/api/v1/households",
        "/api/v1/residents",
        "/api/v1/party/contact-links",
        "/api/v1/appeals",
        "/api/v1/party/meetings",
    ],
)
def test_a_page_number_past_a_64_bit_integer_is_refused_not_a_server_error(quiet, world, url):
    # Every app pages through core.api.Page: page past 10**9 is refused as page=0 is.
    auth = {"HTTP_AUTHORIZATION": f"Bearer {world.a.token}"}
    assert quiet.get(url, **auth).status_code == 200
    assert quiet.get(f"{url}?page={HUGE_PAGE}", **auth).status_code == 422
    assert quiet.get(f"{url}?page=0", **auth).status_code == 422


# --- party API: the service-only options are not the caller's ---------------------------------


@pytest.mark.usefixtures("visited_earlier")
def test_the_visit_api_ignores_member_and_recorded_on_in_the_body(quiet, world):
    a, b = world.a, world.b
    token = api_token_create(actor=a.member_user, name="走访接口")[1]
    url = f"/api/v1/party/households/{a.household.pk}/visits"
    old = (TODAY - dt.timedelta(days=400)).isoformat()
    body = {"visited_on": old, "met": "户主", "learned": "情况", "recorded_on": "2027-12-31"}
    answer = _post(quiet, token, url, json.dumps(body))
    assert answer.status_code == 422  # the two-month rule runs from today, not recorded_on
    body = {
        "visited_on": TODAY.isoformat(),
        "met": "户主",
        "learned": "情况",
        "member": b.party_member.pk,
        "member_id": b.party_member.pk,
    }
    answer = _post(quiet, token, url, json.dumps(body))
    assert answer.status_code == 201, answer.content
    visit = Visit.objects.get(pk=answer.json()["id"])
    assert visit.member == a.party_member  # the token's own member, not the one in the body


# --- the follow-up's deadline ------------------------------------------------------------------


def _add(world, *, kind: str, born: dt.date, occurred_on: dt.date | None, name: str):
    a = world.a
    return resident_add(
        actor=a.cadre,
        household=a.household,
        kind=kind,
        occurred_on=occurred_on,
        data=ResidentData(
            name=name, id_number=make_id(born, "M"), relation=Resident.Relation.CHILD
        ),
    )


def _visited_long_ago(world) -> None:
    """The world's visits to the household are today's: moved out of the way of the change."""
    Visit.objects.filter(household=world.a.household).update(visited_on=dt.date(1980, 1, 1))
    figures.touch(world.a.household.node)  # written directly: its figures are recounted


def _overdue(world) -> int:
    a = world.a
    return coverage_of(
        actor=a.cadre, node=a.node, start=TODAY.replace(day=1), end=TODAY
    ).follow_ups_overdue


def test_a_move_in_left_undated_is_due_from_today_not_from_the_newcomers_birth(world):
    _visited_long_ago(world)
    before = _overdue(world)
    born = dt.date(1990, 5, 1)
    child = _add(world, kind="move_in", born=born, occurred_on=None, name="甲迁入")
    follow_up = FollowUp.objects.get(change__resident=child)
    assert follow_up.change.occurred_on == TODAY
    assert follow_up.due_on >= TODAY
    assert _overdue(world) == before


def test_a_change_dated_ahead_is_refused_so_no_follow_up_is_put_off(world):
    """A change dated a year ahead put its follow-up off by a year; the registry now refuses a
    change dated after today, and records nothing of it."""
    from django.core.exceptions import ValidationError

    _visited_long_ago(world)
    ahead = TODAY + dt.timedelta(days=365)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        _add(world, kind="move_in", born=dt.date(2001, 1, 1), occurred_on=ahead, name="甲后")
    assert not FollowUp.objects.filter(change__resident__name="甲后").exists()


def test_a_household_visited_since_the_change_gets_no_open_follow_up(world):
    a = world.a
    _visited_long_ago(world)
    from xiangzhi.party.services import visit_record

    visit = visit_record(
        actor=a.member_user,
        household=a.household,
        visited_on=TODAY - dt.timedelta(days=3),
        met="户主本人",
        learned="新生儿满月",
    )
    before = _overdue(world)
    born = TODAY - dt.timedelta(days=40)  # a birth entered late, visited after it
    child = _add(world, kind="birth", born=born, occurred_on=born, name="甲满月")
    follow_up = FollowUp.objects.get(change__resident=child)
    assert (follow_up.done_on, follow_up.visit_id) == (visit.visited_on, visit.pk)
    assert _overdue(world) == before
