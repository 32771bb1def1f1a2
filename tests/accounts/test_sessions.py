"""Sessions are read with one plain query; they must behave exactly like Django's database store."""

import datetime as dt

from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xiangzhi.accounts.sessions import SessionStore


def test_a_session_loads_the_same_data_as_djangos_store_in_one_query(db):
    store = SessionStore()
    store["answer"] = 42
    store["who"] = "甲村"
    store.create()
    with CaptureQueriesContext(connection) as queries:
        data = SessionStore(store.session_key).load()
    assert data == DjangoStore(store.session_key).load() == {"answer": 42, "who": "甲村"}
    assert len(queries) == 1


def test_an_expired_or_unknown_session_is_empty(db):
    store = SessionStore()
    store["answer"] = 42
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {} and expired.session_key is None
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None


def test_an_expired_login_goes_back_to_the_login_page(client, world):
    client.force_login(world.a.cadre)
    assert client.get("/people/residents/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    r = client.get("/people/residents/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
