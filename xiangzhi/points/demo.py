"""The demo township's year of points (filled in below)."""

from __future__ import annotations


def load(context) -> dict:  # noqa: ANN001
    return {}
