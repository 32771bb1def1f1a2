"""Property: for any tree and any bindings, for_actor returns exactly the union of the bound
subtrees, nothing more and nothing less."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiangzhi.accounts.models import RoleAssignment
from xiangzhi.core.roles import Role
from xiangzhi.core.scope import scope_for
from xiangzhi.grid.models import GridNode, path_segment

from ..factories import UserFactory

ROLES = [Role.VILLAGE_CADRE, Role.GRID_WORKER, Role.AUDITOR, Role.TOWNSHIP_STAFF, Role.VILLAGER]


def _tree(shape):
    """Build a tree from a list of parent indexes (parent index < own index)."""
    nodes = []
    for i, parent_ix in enumerate(shape):
        parent = nodes[parent_ix] if i and parent_ix is not None else None
        level = parent.level + 1 if parent else 1
        n = GridNode.objects.create(parent=parent, level=level, name=f"n{i}", path="")
        n.path = (parent.path if parent else "") + path_segment(n.pk)
        n.save(update_fields=["path"])
        nodes.append(n)
    return nodes


shapes = st.integers(min_value=1, max_value=14).flatmap(
    lambda n: st.tuples(*[st.just(None)] + [st.integers(0, i - 1) for i in range(1, n)])
)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(shape=shapes, data=st.data())
def test_for_actor_is_exactly_the_union_of_bound_subtrees(shape, data):
    RoleAssignment.objects.all().delete()
    for level in sorted(set(GridNode.objects.values_list("level", flat=True)), reverse=True):
        GridNode.objects.filter(level=level).delete()
    nodes = _tree(shape)
    user = UserFactory()
    picks = data.draw(
        st.lists(st.tuples(st.integers(0, len(nodes) - 1), st.sampled_from(ROLES)), max_size=4)
    )
    for ix, role in picks:
        RoleAssignment.objects.get_or_create(user=user, role=role, node=nodes[ix])
    bound = [nodes[ix] for ix, role in picks if role != Role.VILLAGER]
    expected = {n.pk for n in nodes if any(_under(n, b, nodes) for b in bound)}
    got = set(GridNode.objects.for_actor(user).values_list("pk", flat=True))
    assert got == expected
    scope = scope_for(user)
    for n in nodes:
        assert scope.can_read_path(n.path) == (n.pk in expected)
    RoleAssignment.objects.filter(user=user).delete()


def _under(node, ancestor, nodes):
    """Walk parent links (not paths) so the oracle is independent of the implementation."""
    by_pk = {n.pk: n for n in nodes}
    cur = node
    while cur is not None:
        if cur.pk == ancestor.pk:
            return True
        cur = by_pk.get(cur.parent_id)
    return False
