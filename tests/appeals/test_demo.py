"""The demo's year of appeals reads like villagers' messages, labelled as a cadre would."""

from __future__ import annotations

import pytest

from xiangzhi.appeals.demo_corpus import department_codes
from xiangzhi.appeals.models import Appeal
from xiangzhi.appeals.services.routing import routing_history


@pytest.mark.django_db
def test_the_demo_files_corpus_messages_with_their_kind_and_department(tiny_demo):
    texts = list(Appeal.objects.values_list("text", flat=True))
    assert len(texts) >= 40 and len(set(texts)) > len(texts) * 0.9  # composed, not 16 repeated
    history = routing_history()
    departments = {s.department for s in history}
    assert departments <= set(department_codes())
    assert len(departments) >= 5 and "village" in departments
    assert len({s.kind for s in history}) == 5
