"""Lists page by 50: a first page that holds the whole list is counted without a COUNT query,
a longer list is counted once and its rows are fetched once, and odd page numbers show a page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiangzhi.core.models import AuditEvent
from xiangzhi.core.web import ListPaginator


def _queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return result, [q["sql"] for q in ctx.captured_queries]


def test_a_list_that_fits_on_the_first_page_needs_no_count(world):
    events = AuditEvent.objects.order_by("seq")
    total = events.count()
    page, sql = _queries(lambda: ListPaginator(events, total).get_page(None))
    assert len(sql) == 1 and "COUNT(" not in sql[0].upper()
    assert page.paginator.count == total and len(page.object_list) == total
    assert page.paginator.num_pages == 1 and not page.has_next()


def test_a_longer_list_is_counted_once_and_fetched_once(world):
    events = AuditEvent.objects.order_by("seq")
    total = events.count()
    assert total > 10
    page, sql = _queries(lambda: ListPaginator(events, 10).get_page("1"))
    rows, more = _queries(lambda: (len(page.object_list), page.paginator.num_pages))
    assert len(sql) == 1 and len(more) == 1 and "COUNT(" in more[0].upper()
    assert rows == (10, -(-total // 10))
    assert [e.seq for e in page.object_list] == list(events.values_list("seq", flat=True)[:10])


@pytest.mark.parametrize("number, expected", [("2", 2), ("abc", 1), ("0", "last"), ("999", "last")])
def test_other_page_numbers_behave_as_django_does(world, number, expected):
    events = AuditEvent.objects.order_by("seq")
    last = -(-events.count() // 10)
    page = ListPaginator(events, 10).get_page(number)
    assert page.number == (last if expected == "last" else expected)
    assert len(page.object_list) == (10 if page.number < last else events.count() - 10 * (last - 1))


def test_the_resident_search_page_shows_the_count_of_a_short_list(client, world):
    import re

    client.force_login(world.a.cadre)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/people/residents/?q=jia").content.decode()
    shown = len(re.findall(r'<tr><td data-label="姓名"><a href="/people/residents/\d+/', body))
    assert shown >= 2 and f"共 {shown} 条" in body
    assert not any(
        q["sql"].lstrip().upper().startswith("SELECT COUNT(") for q in ctx.captured_queries
    )
