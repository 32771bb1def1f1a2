"""The grid page's hand-written reads (grid/selectors.py) give the same nodes as the ORM."""

from __future__ import annotations

from django.forms.models import model_to_dict

from xiangzhi.grid.models import GridNode
from xiangzhi.grid.selectors import node_by_pk, node_children


def test_a_node_read_by_hand_equals_the_orms_and_saves_back_unchanged(world):
    for node in GridNode.objects.all():
        ours, theirs = node_by_pk(node.pk), GridNode.objects.get(pk=node.pk)
        assert model_to_dict(ours) == model_to_dict(theirs)
        assert ours.created_at == theirs.created_at and ours.created_at.tzinfo is not None
        kids = node_children(node=node)
        assert [model_to_dict(k) for k in kids] == [
            model_to_dict(k) for k in GridNode.objects.filter(parent=node).order_by("path")
        ]
    node = node_by_pk(world.a.node.pk)
    before = GridNode.objects.get(pk=node.pk).created_at
    node.name = "甲村（改）"
    node.save()
    assert GridNode.objects.get(pk=node.pk).created_at == before
    assert node_by_pk(10**12) is None
