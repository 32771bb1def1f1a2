"""Materialised paths and the `under` lookup that selects a subtree with an index range.

`path LIKE 'p%'` cannot use a b-tree index on SQLite (LIKE ignores ASCII case) nor on
PostgreSQL under a non-C collation, and a whole county would be scanned. Paths are made of
[0-9a-z] only, so the subtree of p is exactly the range p <= path < next(p), where next(p) is p
read as a base-36 number plus one: an index range scan on both databases."""

from __future__ import annotations

from django.db import models
from django.db.models import Lookup

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
SEGMENT = 5  # characters of base-36 per level in a materialised path: 60 million siblings


def ancestor_of(path: str, level: int, at: int) -> str:
    """The path of the ancestor at level `at` of the node at (path, level); the node's own path
    when `at` is not above it (a county node's for its township)."""
    return path[: len(path) - (level - at) * SEGMENT]


def next_prefix(prefix: str) -> str | None:
    """The first string of the same length after every string starting with prefix."""
    chars = list(prefix)
    for i in range(len(chars) - 1, -1, -1):
        pos = ALPHABET.index(chars[i])
        if pos + 1 < len(ALPHABET):
            chars[i] = ALPHABET[pos + 1]
            return "".join(chars[: i + 1]) + ALPHABET[0] * (len(chars) - i - 1)
        chars[i] = ALPHABET[0]
    return None


class PathField(models.CharField):
    """A materialised path of [0-9a-z] characters."""


@PathField.register_lookup
class Under(Lookup):
    """path__under=p: the node at p and all its descendants."""

    lookup_name = "under"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = self.rhs
        if not prefix or any(c not in ALPHABET for c in prefix):
            return "1 = 0", []
        upper = next_prefix(prefix)
        if upper is None:
            return f"{lhs} >= %s", [*lhs_params, prefix]
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, prefix, *lhs_params, upper]


def node_named(nodes, text: str):
    """The node of this queryset whose code is `text`, else whose id it is (ASCII digits only:
    "²" or full-width digits name no id), else None. For the commands that take `--node CODE`,
    which accept the node's number too."""
    found = nodes.filter(code=text).first()
    if found is None and text.isdecimal() and text.isascii():
        found = nodes.filter(pk=int(text)).first()
    return found
