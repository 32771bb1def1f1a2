"""Hostile Open311 clients: crafted query parameters and coordinates answer a GeoReport error
(400), never a server error (500), and a refused request files nothing."""

import pytest

from xiangzhi.appeals.models import Appeal
from xiangzhi.appeals.services.open311 import open311_key_issue

BASE = "/open311/v2"


@pytest.fixture
def key(world):
    _, raw = open311_key_issue(actor=world.admin, name="甲村小程序", user=world.a.cadre)
    return raw


@pytest.fixture
def quiet(client):
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    "query",
    [
        "service_request_id=%C2%B2",  # "²".isdigit() is True, int("²") raises
        "service_request_id=99999999999999999999999",  # past SQLite's 64-bit INTEGER
        "service_code=menu-%C2%B2",
        "start_date=2026-13-45T00:00:00",  # matches the ISO pattern, is no date
    ],
)
def test_a_keyed_client_with_a_crafted_query_gets_an_error_answer_not_a_server_error(
    quiet, world, key, query
):
    answer = quiet.get(f"{BASE}/requests.json?api_key={key}&{query}")
    assert answer.status_code in (200, 400), answer.status_code


def test_a_keyed_client_posting_a_nan_latitude_gets_a_400_and_files_nothing(quiet, world, key):
    before = Appeal.objects.count()
    answer = quiet.post(
        f"{BASE}/requests.json",
        {
            "api_key": key,
            "service_code": "report",
            "description": "村口路灯坏了",
            "lat": "NaN",
            "long": "112.5",
        },
    )
    assert answer.status_code == 400, answer.status_code
    assert Appeal.objects.count() == before
