"""grid.access.access_node loads a node by its id and checks its path in Python; it must answer
exactly as the scope's own filter (core.scope.access_object) does, for every role and node."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tests.factories import UserFactory
from xiangzhi.core.scope import access_object
from xiangzhi.grid.access import access_node
from xiangzhi.grid.models import GridNode


def outcome(fn, *args, **kwargs) -> str:
    try:
        return f"ok {fn(*args, **kwargs).pk}"
    except Http404:
        return "404"
    except PermissionDenied:
        return "403"


def test_every_role_gets_the_same_answer_as_the_scopes_filter_for_every_node(world):
    departed = UserFactory(username="departed_cadre", is_active=False)
    users = [world.admin, world.chief, departed]
    for v in (world.a, world.b):
        users += [v.cadre, v.secretary, v.worker, v.sibling_worker, v.group_leader]
        users += [v.villager, v.member_user, v.auditor, v.department_user]
    pks = [*GridNode.objects.values_list("pk", flat=True), 0, -3, 2**63, 10**9, "x", None]
    answers = {"ok": 0, "404": 0, "403": 0}
    for user in users:
        for pk in pks:
            for write in (False, True):
                ours = outcome(access_node, user, pk, write=write)
                theirs = outcome(access_object, GridNode, user, pk, write=write)
                assert ours == theirs, (user.username, pk, write)
                answers[ours.split()[0]] += 1
    assert all(answers.values())  # each outcome was met, so each branch was compared


@pytest.mark.parametrize("pk", ["", "1.5", "99999999999999999999", "-1"])
def test_an_id_no_row_can_have_is_a_404_not_an_error(world, pk):
    with pytest.raises(Http404):
        access_node(world.admin, pk)
