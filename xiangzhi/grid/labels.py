"""The grid label of a spreadsheet (所属网格): how a node is written in sheets and read back.

A label is written as the village's division code (or, for a node above villages, its name)
followed by the names below it: 430521100201/第一党支部/枫树屋场. It is read from a division code
or a path of names separated by “/” or “-” (村/支部/屋场/中心户), which may start at any level and
skip levels: sibling names are unique (a constraint), so a path leads to one node. Exports write
labels with grid_labels(); imports read them with GridLabelReader; so an exported sheet imports
back unchanged.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from xiangzhi.core.validators import DIVISION_RE
from xiangzhi.core.xlsx import clip

from .models import SEGMENT, GridNode

if TYPE_CHECKING:
    from xiangzhi.accounts.models import User

GRID_SPLIT = re.compile(r"\s*[/\-—>]\s*")


def grid_labels(*, actor: User) -> dict[str, str]:
    """The 所属网格 text of every node in scope: the village's division code (or the name of a
    node above villages) followed by the names below it, e.g. 430521100201/第一党支部/枫树屋场."""
    nodes = dict(GridNode.objects.for_actor(actor).values_list("path", "name"))
    codes = dict(GridNode.objects.for_actor(actor).exclude(code=None).values_list("path", "code"))
    out = {}
    for path in nodes:
        parts = []
        for end in range(SEGMENT, len(path) + 1, SEGMENT):
            prefix = path[:end]
            if prefix in codes:
                parts = [codes[prefix]]
            elif prefix in nodes:
                parts.append(nodes[prefix])
        out[path] = "/".join(parts)
    return out


class GridLabelReader:
    """Reads labels against the nodes in the actor's scope, loaded once on the first label.

    The ancestors of the scope are loaded too, so that a grid worker may write the full path
    from the village (青山村/…/吴家中心户); whether the actor may write on the node found is for
    the caller to check.
    """

    def __init__(self, *, actor: User) -> None:
        self.actor = actor
        self._tree: dict | None = None

    def tree(self) -> dict:
        """The nodes by code, by name, by (parent, name) and by path."""
        if self._tree is None:
            nodes = list(GridNode.objects.for_actor(self.actor).order_by("level", "path"))
            known = {n.path for n in nodes}
            above = {p for n in nodes for p in n.ancestor_paths()} - known
            if above:
                nodes = list(GridNode.objects.filter(path__in=above)) + nodes
                nodes.sort(key=lambda n: (n.level, n.path))
            by_name: dict[str, list[GridNode]] = {}
            for n in nodes:
                by_name.setdefault(n.name, []).append(n)
            self._tree = {
                "code": {n.code: n for n in nodes if n.code},
                "name": by_name,
                "child": {(n.parent_id, n.name): n for n in nodes},
                "path": {n.path: n for n in nodes},
            }
        return self._tree

    def node_at(self, path: str) -> GridNode | None:
        """A loaded node by its path (a village found above a household's node)."""
        return self.tree()["path"].get(path)

    def node(self, text: str) -> GridNode | str:
        """The node a label names, or a Chinese message saying why there is none."""
        names = [n for n in GRID_SPLIT.split(text) if n]
        if not names:
            return f"无法识别的所属网格：{clip(text)}"
        start = self._start(names[0])
        if isinstance(start, str):
            return start
        return self._walk(start, names[1:])

    def _start(self, first: str) -> GridNode | str:
        """The node the label's first part names: a division code or a name found once."""
        tree = self.tree()
        if DIVISION_RE.match(first):
            # A division code (exports write the village's first): unambiguous across a county.
            start = tree["code"].get(first)
            if start is None:
                return f"找不到区划代码为 {first} 的网格，或不在您的管辖范围内"
            return start
        candidates = tree["name"].get(first, [])
        if len(candidates) > 1:
            # Where each one is: its village, or for a village its town.
            villages = [
                tree["path"].get(c.ancestor_path_at(2 if c.level > 2 else c.level - 1))
                for c in candidates
            ]
            where = "、".join(dict.fromkeys(v.name for v in villages if v is not None))
            example = f"“{villages[0].name}/{first}”" if villages[0] is not None else ""
            return (
                f"有多个网格叫“{first}”（在 {where}），请在前面写上它所在的村或镇"
                f"{'(如' + example + ')' if example else ''}或使用区划代码"
            )
        if not candidates:
            return (
                f"找不到网格“{clip(first)}”（所属网格应写作 村/支部/屋场/中心户，用“/”或“-”分隔）"
            )
        return candidates[0]

    def _walk(self, node: GridNode, names: list[str]) -> GridNode | str:
        """Down from `node` by the names that follow it in the label."""
        tree = self.tree()
        for name in names:
            child = tree["child"].get((node.pk, name))  # names are unique among siblings
            if child is None:
                # A path may skip levels (青山镇/吴家中心户): a name found once below is the one.
                below = [n for n in tree["name"].get(name, []) if n.path.startswith(node.path)]
                if len(below) > 1:
                    return f"“{node.name}”下有多个网格叫“{name}”，请把中间各级写全或使用区划代码"
                if not below:
                    return f"在“{node.name}”下找不到网格“{clip(name)}”"
                child = below[0]
            node = child
        return node
