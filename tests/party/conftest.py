"""Fixtures the party tests share."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xiangzhi.party.models import Visit


@pytest.fixture
def visited_earlier(world):
    """The world's visits of today moved a month back: a test that records today's visit to a
    household the member already visited today would be refused (one visit a household a day)."""
    today = timezone.localdate()
    Visit.objects.filter(visited_on=today).update(visited_on=today - dt.timedelta(days=30))
