"""Seed a thin county for page benchmarks on a loaded machine: the county demo's whole grid (20
towns, 300 villages, 31,521 nodes) with a tenth of its households. Above the village the grid page
reads one maintained row per village and figure whatever the population, so the county page does
the same work as on the full county, and the seed takes minutes instead of an hour.

    DATABASE_URL=sqlite:///var/bench/xz_bench_county.sqlite3 python bench/seed_thin_county.py

(docs/performance.md, "County page rows in Python"). `make bench` seeds the full county."""

from __future__ import annotations

import os
import sys

from common import setup


def main() -> None:
    setup(os.environ["DATABASE_URL"])
    from django.core.management import call_command

    from xiangzhi.core import demo

    demo.SCALES["county"] = demo.Scale(20, 15, 4, 5, 4, 750, 100)
    call_command("migrate", verbosity=0)
    call_command("seed_demo", scale="county", seed=1)


if __name__ == "__main__":
    sys.exit(main())
