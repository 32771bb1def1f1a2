"""The keyword fallback: the first active rule (by priority) whose keyword the text holds."""

from __future__ import annotations

from ..models.routing import RoutingRule


def rule_match(text: str, rules: list[RoutingRule]) -> RoutingRule | None:
    """The first rule any of whose keywords occurs in `text`."""
    for rule in rules:
        if any(word in text for word in rule.words()):
            return rule
    return None
