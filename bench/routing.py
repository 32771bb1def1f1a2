"""Accuracy of the appeals' routing suggestion on a held-out part of the demo's history.

`python bench/routing.py DATABASE_URL`: the handled appeals of a seeded demo (the newest fifth
held out, as `routing_model_train` measures it), the learned model against the keyword rules
the deployment starts with, on the same held-out appeals. `python bench/routing.py --corpus N`:
the same on N messages of the demo's generator alone, without a database (a quick run).
`python bench/routing.py` alone: the demo's history in $DATABASE_URL, else in the demo's own
database (var/xiangzhi.sqlite3, what `make demo` seeds) when present, else 5,000 corpus messages.
Prints one JSON line; accuracy is not a time, so it may run while others work.
"""

from __future__ import annotations

import json
import os
import sys
import time


def _rules_accuracy(held_out, rules) -> dict:
    from xiangzhi.appeals.routing.rules import rule_match

    right = {"kind": 0, "department": 0}
    for s in held_out:
        rule = rule_match(s.text, rules)
        if rule is None:
            continue
        right["kind"] += rule.kind == s.kind
        code = rule.department.code if rule.department else "village"
        right["department"] += code == s.department
    return {k: v / len(held_out) for k, v in right.items()}


def measure(samples, rules=None) -> dict:
    from xiangzhi.appeals.routing.learn import RoutingModel, split

    train, held_out = split(samples)
    started = time.perf_counter()
    model = RoutingModel.fit(train)
    seconds = time.perf_counter() - started
    out = {
        "samples": len(samples),
        "train": len(train),
        "held_out": len(held_out),
        "fit_seconds": round(seconds, 1),
        "model_bytes": len(model.dumps()),
        "model": {k: round(v, 3) for k, v in model.accuracy(held_out).items()},
    }
    if rules is not None:
        out["rules"] = {k: round(v, 3) for k, v in _rules_accuracy(held_out, rules).items()}
    return out


def from_corpus(count: int) -> dict:
    import random

    from xiangzhi.appeals.demo_corpus import messages
    from xiangzhi.appeals.routing.learn import Sample

    rnd = random.Random(1)
    samples = [
        Sample(m.text, f"v{rnd.randrange(20)}", m.kind, m.department) for m in messages(count)
    ]
    return {"source": "corpus", **measure(samples)}


def from_database(url: str) -> dict:
    from common import setup

    setup(url)
    from xiangzhi.appeals.models import RoutingRule
    from xiangzhi.appeals.services.routing import MIN_HISTORY, routing_history

    samples = routing_history()
    if len(samples) < MIN_HISTORY:
        return {"source": "demo", "samples": len(samples), "note": "too little history"}
    rules = list(RoutingRule.objects.filter(active=True).select_related("department"))
    return {"source": "demo", **measure(samples, rules)}


def _demo_database() -> str | None:
    """The demo's database when one is there: $DATABASE_URL, or the default SQLite file."""
    from common import ROOT

    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    path = ROOT / "var" / "xiangzhi.sqlite3"
    return f"sqlite:///{path}" if path.exists() else None


def _corpus(count: int) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiangzhi.settings")
    django.setup()
    return from_corpus(count)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--corpus":
        print(json.dumps(_corpus(int(sys.argv[2]))))
    elif len(sys.argv) > 1:
        print(json.dumps(from_database(sys.argv[1])))
    elif url := _demo_database():
        print(json.dumps(from_database(url)))
    else:
        print(json.dumps(_corpus(5000)))
