"""Open311 GeoReport v2: a client files an appeal and follows it, with the spec's own requests.

The requests are those of the GeoReport v2 specification's examples (wiki.open311.org,
GeoReport_v2): the same paths, suffixes and form fields (api_key, service_code, lat, long,
address_string, email, first_name, last_name, phone, description, media_url), answered in the
spec's fields, never with a phone or ID number."""

import json
import xml.etree.ElementTree as ET

import pytest

from xiangzhi.appeals.models import Appeal, ServiceOffering
from xiangzhi.appeals.services import appeal_accept, appeal_assign, appeal_reply, appeal_start
from xiangzhi.appeals.services.open311 import open311_key_issue, open311_key_revoke

BASE = "/open311/v2"


@pytest.fixture
def key(world):
    _, raw = open311_key_issue(actor=world.admin, name="甲村小程序", user=world.a.cadre)
    return raw


def _file(client, key, **extra):
    """The spec's POST Service Request example, as a form."""
    data = {
        "api_key": key,
        "service_code": "report",
        "lat": "37.76524078",
        "long": "-122.4212043",
        "address_string": "1234 5th street",
        "email": "smit333@sfgov.edu",
        "device_id": "tt222111",
        "account_id": "123456",
        "first_name": "john",
        "last_name": "smith",
        "phone": "13912345678",
        "description": "村口路灯坏了，联系电话13912345678",
        "media_url": "http://example.com/a.jpg",
    }
    data.update(extra)
    return client.post(f"{BASE}/requests.json", data)


def test_a_client_lists_the_services_without_a_key_in_json_and_xml(client, world):
    answer = client.get(f"{BASE}/services.json")
    assert answer.status_code == 200
    codes = [s["service_code"] for s in answer.json()]
    assert codes[:5] == ["inquiry", "help", "complaint", "suggestion", "report"]
    xml = ET.fromstring(client.get(f"{BASE}/services.xml").content)
    assert xml.tag == "services"
    assert [s.findtext("service_code") for s in xml.findall("service")][:2] == ["inquiry", "help"]
    assert client.get(f"{BASE}/services/report.xml").status_code == 200
    assert client.get(f"{BASE}/services/help.json").json() == {
        "service_code": "help",
        "attributes": [],
    }


def test_with_a_key_the_villages_menu_is_among_the_services(client, world, key):
    offering = ServiceOffering.objects.get(name="甲村代办医保")
    codes = [s["service_code"] for s in client.get(f"{BASE}/services.json?api_key={key}").json()]
    assert f"menu-{offering.pk}" in codes
    other = ServiceOffering.objects.get(name="乙村代办医保")
    assert f"menu-{other.pk}" not in codes
    assert client.get(f"{BASE}/services/menu-{other.pk}.json?api_key={key}").status_code == 404


def test_a_client_files_an_appeal_and_follows_it_to_the_reply(client, world, key):
    answer = _file(client, key)
    assert answer.status_code == 201, answer.content
    [filed] = answer.json()
    appeal = Appeal.objects.get(pk=int(filed["service_request_id"]))
    assert filed["service_notice"] == f"已收到，诉求编号{appeal.number}。"
    assert (appeal.kind, appeal.node, appeal.created_by) == ("report", world.a.node, world.a.cadre)
    assert str(appeal.latitude) == "37.765241"

    one = client.get(f"{BASE}/requests/{appeal.pk}.json?api_key={key}").json()[0]
    assert one["status"] == "open"
    assert one["service_code"] == "report"
    assert "13912345678" not in json.dumps(one, ensure_ascii=False)
    assert "139****5678" in one["description"]
    assert one["expected_datetime"]

    appeal_accept(actor=world.a.cadre, appeal=appeal)
    appeal_assign(actor=world.a.cadre, appeal=appeal, assignee=world.a.worker)
    appeal_start(actor=world.a.worker, appeal=appeal)
    appeal_reply(actor=world.a.worker, appeal=appeal, note="路灯已换新，有事再打13912345678")
    xml = ET.fromstring(
        client.get(f"{BASE}/requests.xml?api_key={key}&service_request_id={appeal.pk}").content
    )
    assert xml.tag == "service_requests"
    [request] = xml.findall("request")
    assert request.findtext("status") == "closed"
    assert request.findtext("status_notes").startswith("路灯已换新")
    assert b"13912345678" not in ET.tostring(xml)


def test_a_client_asks_for_a_menu_service(client, world, key):
    offering = ServiceOffering.objects.get(name="甲村代办医保")
    answer = _file(
        client,
        key,
        service_code=f"menu-{offering.pk}",
        address_id=str(world.a.sibling_grid.pk),
        description="帮我屋老人交医保",
    )
    assert answer.status_code == 201, answer.content
    appeal = Appeal.objects.get(pk=int(answer.json()[0]["service_request_id"]))
    assert appeal.source == "service_menu"
    assert appeal.menu_request.offering == offering
    listed = client.get(f"{BASE}/requests.json?api_key={key}&service_code=menu-{offering.pk}")
    assert str(appeal.pk) in [r["service_request_id"] for r in listed.json()]


def test_bad_requests_answer_in_the_spec_error_format(client, world, key):
    before = Appeal.objects.count()
    answer = _file(client, "o311_wrong")
    assert answer.status_code == 403
    assert answer.json()[0]["code"] == 403
    answer = _file(client, key, description="")
    assert answer.status_code == 400
    assert "请说一说您的诉求" in answer.json()[0]["description"]
    answer = client.post(f"{BASE}/requests.xml", {"api_key": key, "service_code": "nothing"})
    assert answer.status_code == 400
    assert ET.fromstring(answer.content).tag == "errors"
    assert Appeal.objects.count() == before


def test_another_villages_key_neither_sees_nor_finds_the_appeal(client, world, key):
    appeal = Appeal.objects.get(pk=int(_file(client, key).json()[0]["service_request_id"]))
    _, other = open311_key_issue(actor=world.admin, name="乙村小程序", user=world.b.cadre)
    assert client.get(f"{BASE}/requests/{appeal.pk}.json?api_key={other}").status_code == 404
    listed = client.get(f"{BASE}/requests.json?api_key={other}").json()
    assert str(appeal.pk) not in [r["service_request_id"] for r in listed]
    assert "甲村" not in json.dumps(listed, ensure_ascii=False)


def test_reading_requests_needs_a_key_or_a_login(client, world, key):
    assert client.get(f"{BASE}/requests.json").status_code == 401
    assert client.get(f"{BASE}/requests/{world.a.appeal.pk}.json").status_code == 404


def test_a_revoked_key_files_nothing(client, world):
    issued, raw = open311_key_issue(actor=world.admin, name="临时", user=world.a.cadre)
    open311_key_revoke(actor=world.admin, key=issued)
    before = Appeal.objects.count()
    assert _file(client, raw).status_code == 403
    assert Appeal.objects.count() == before


def test_only_a_superuser_issues_keys_and_only_the_hash_is_kept(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        open311_key_issue(actor=world.a.cadre, name="自己发", user=world.a.cadre)
    issued, raw = open311_key_issue(actor=world.admin, name="甲村", user=world.a.cadre)
    assert raw not in (issued.key_hash, issued.prefix) and raw.startswith("o311_")


def test_an_appeal_text_with_a_control_character_keeps_the_xml_list_readable(client, world, key):
    """Hostile review of the API: an appeal raised through the JSON API (or pasted into the page)
    with a vertical tab made every XML list of the key's scope unparseable."""
    from xiangzhi.appeals.services import appeal_submit

    appeal = appeal_submit(
        actor=world.a.cadre, household=world.a.household, text="路灯\x0b坏了\x01"
    )
    one = ET.fromstring(client.get(f"{BASE}/requests/{appeal.pk}.xml?api_key={key}").content)
    assert one.find("request").findtext("description") == "路灯坏了"
    listed = ET.fromstring(client.get(f"{BASE}/requests.xml?api_key={key}").content)
    assert str(appeal.pk) in [r.findtext("service_request_id") for r in listed.findall("request")]
    assert client.get(f"{BASE}/requests/{appeal.pk}.json?api_key={key}").json()[0]["description"]
