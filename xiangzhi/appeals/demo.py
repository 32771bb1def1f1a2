"""The demo's appeals: filled in later (a year of appeals through the services)."""

from __future__ import annotations


def load(context) -> dict:  # noqa: ANN001
    return {}
