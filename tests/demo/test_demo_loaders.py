"""seed_demo knows no app: it runs what each app registered, lower apps first."""

from __future__ import annotations

import ast
import importlib.util
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from xiangzhi.core import demo as core_demo
from xiangzhi.core.demo import DemoContext, Scale
from xiangzhi.core.models import AuditEvent
from xiangzhi.core.registry import DEMO_LOADERS, demo_loaders
from xiangzhi.demo.actions import DemoAction
from xiangzhi.party.models import PartyMember
from xiangzhi.people.models import Household

TINY = Scale(
    towns=1,
    villages_per_town=2,
    branches_per_village=2,
    groups_per_branch=2,
    central_per_group=2,
    households_per_town=40,
    party_members_per_town=6,
)


def _labels() -> list[str]:
    return [config.label for config in apps.get_app_configs()]


def test_every_app_with_demo_data_registered_the_loader_of_its_demo_module():
    synthetic = {
        model._meta.app_label
        for model in apps.get_models()
        if any(f.name == "is_synthetic" for f in model._meta.fields)
    }
    assert synthetic == {"grid", "people", "party", "points", "appeals"}
    assert set(DEMO_LOADERS) == synthetic | {"accounts"}
    for config in apps.get_app_configs():
        if config.label == "core" or importlib.util.find_spec(f"{config.name}.demo") is None:
            continue
        module = importlib.import_module(f"{config.name}.demo")
        assert DEMO_LOADERS.get(config.label) is module.load, config.label


def test_the_loaders_run_in_the_order_of_installed_apps_whatever_the_order_of_registration(
    monkeypatch,
):
    assert [label for label, _ in demo_loaders()] == [
        "accounts",
        "grid",
        "people",
        "party",
        "points",
        "appeals",
    ]
    backwards = dict(reversed(list(DEMO_LOADERS.items())))
    monkeypatch.setattr("xiangzhi.core.registry.DEMO_LOADERS", backwards)
    order = [label for label, _ in demo_loaders()]
    assert order == [label for label in _labels() if label in backwards]


def test_no_demo_module_imports_an_app_above_its_own():
    order = _labels()
    root = Path(__file__).resolve().parents[2] / "xiangzhi"
    checked = 0
    for path in root.glob("*/demo.py"):
        own = order.index(path.parent.name)
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "xiangzhi" and len(parts) > 1 and parts[1] in order:
                    assert order.index(parts[1]) <= own, f"{path.parent.name}/demo.py: {name}"
        checked += 1
    assert checked >= 5


@pytest.mark.django_db
def test_seed_demo_runs_a_loader_registered_by_a_higher_app_after_the_lower_ones(monkeypatch):
    seen: list[DemoContext] = []

    def loader(context: DemoContext) -> dict[str, int]:
        # Everything below has been made, in the same transaction, and left what it shares.
        assert Household.objects.count() == 40 and PartyMember.objects.count() == 6
        assert {"grid.towns", "grid.village", "grid.village_cadre"} <= set(context.shared)
        seen.append(context)
        return {"demo_things": 3}

    monkeypatch.setitem(DEMO_LOADERS, "demo", loader)
    monkeypatch.setitem(core_demo.SCALES, "town", TINY)
    out = StringIO()
    call_command("seed_demo", "--seed", "5", stdout=out)

    assert len(seen) == 1 and seen[0].seed == 5 and seen[0].scale is TINY
    assert "demo_things 3" in out.getvalue()
    event = AuditEvent.objects.get(action=DemoAction.SEED_LOAD)
    assert event.changes["demo_things"] == 3 and event.changes["households"] == 40
    # A second run finds the demo and calls nobody.
    call_command("seed_demo", "--seed", "5", stdout=StringIO())
    assert len(seen) == 1
