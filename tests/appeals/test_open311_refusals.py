"""A request that the site's own handlers refuse under /open311/ (a NUL in the query, which
core.middleware.NulRefused answers before any Open311 view runs; an address no route has) is
answered in Open311's own error format, JSON or XML as the address asks, not the site's HTML
page."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_nul_in_an_open311_query_is_an_open311_json_error(world):
    response = Client(raise_request_exception=False).get(
        "/open311/v2/requests.json?service_code=a%00"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    [error] = response.json()
    assert error["code"] == 400 and "空字符" in error["description"]


def test_a_nul_in_an_open311_xml_query_is_an_open311_xml_error(world):
    response = Client(raise_request_exception=False).get(
        "/open311/v2/requests.xml?service_code=a%00"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "errors" and root.find("./error/code").text == "400"


def test_an_open311_address_no_route_has_is_an_open311_404(world):
    response = Client(raise_request_exception=False).get("/open311/v2/nothing.json")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404
