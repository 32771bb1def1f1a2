"""What seed_demo hands to every app's demo loader: the scale, one random source, a shared dict.

An app's loader is `loader(context: DemoContext) -> dict[str, int]` (what it made, by figure),
registered with `core.registry.register_demo_loader(app_label, loader)` from its
AppConfig.ready(). seed_demo calls the loaders in the order of INSTALLED_APPS inside one
transaction, so a loader may read what the lower apps' loaders made, and leaves in
`context.shared` what the higher ones need (under keys prefixed with its app label).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.utils import timezone

from .synthetic import Synth


@dataclass(frozen=True)
class Scale:
    """The size of the demo; each app reads its own figures from it."""

    towns: int
    villages_per_town: int
    branches_per_village: int
    groups_per_branch: int
    central_per_group: int
    households_per_town: int
    party_members_per_town: int


SCALES = {
    "town": Scale(1, 12, 4, 5, 4, 5000, 600),
    "county": Scale(20, 15, 4, 5, 4, 7500, 1000),
}


@dataclass
class DemoContext:
    seed: int
    scale: Scale
    county: bool = False  # a county root above the towns (--scale county)
    verbose: TextIO | None = None  # where loaders report progress on long runs
    today: dt.date = field(default_factory=timezone.localdate)
    # What a loader leaves for higher apps' loaders, e.g. "grid.villages".
    shared: dict[str, Any] = field(default_factory=dict)
    synth: Synth = field(init=False)

    def __post_init__(self) -> None:
        # One stream, drawn from in app order, so that a seed always gives the same demo.
        self.synth = Synth(self.seed)

    @property
    def rng(self) -> random.Random:
        return self.synth.rng

    def say(self, message: str) -> None:
        """Report progress, when the run is verbose."""
        if self.verbose is not None:
            self.verbose.write(message)

    @contextmanager
    def timed(self, what: str, counts: dict[str, int]) -> Iterator[None]:
        """Report how long a step took and the loader's counts so far, when verbose."""
        started = time.monotonic()
        yield
        self.say(f"  {what}: {time.monotonic() - started:.1f} 秒，累计 {counts}")
