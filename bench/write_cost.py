"""The cost of keeping the figures on a write: p50 and p95 of a single birth registered through
the service (resident_add, as the page does: scope check, validation, encryption, history row,
audit event, commit) in a village of the county, with the maintained figures on and switched off
(XIANGZHI_FIGURES_MAINTAINED), in the same process, alternating blocks so that the machine's
drift falls on both alike. Goal (issue 11): the p50 rises by at most 20%.

The births stay in the database (a few hundred among the county's residents); the village's
figure rows (both tiers: the nodes' fine rows and the village's), stale after the blocks with the
figures off, are recounted at the end."""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time

from common import percentiles, setup

BLOCKS = 10  # blocks per mode
BLOCK = 20  # births per block


def main(database_url: str) -> dict:
    setup(database_url)
    from django.conf import settings
    from django.core.exceptions import ValidationError

    from xiangzhi.accounts.models import User
    from xiangzhi.core import figures
    from xiangzhi.core.validators import id_check_char
    from xiangzhi.people.models import Household, Resident
    from xiangzhi.people.services import ResidentData, resident_add

    cadre = User.objects.get(username="demo_cun_ganbu")
    village = cadre.role_assignments.get().node
    households = list(
        Household.objects.filter(node__path__under=village.path, status="active")
        .select_related("node")
        .order_by("pk")[:50]
    )
    rng = random.Random()
    today = dt.date.today()

    def birth() -> float | None:
        day = today - dt.timedelta(days=rng.randrange(1, 3000))
        body = f"430521{day:%Y%m%d}{rng.randrange(1000):03d}"
        data = ResidentData(
            name="测试新生",
            id_number=body + id_check_char(body),
            relation=Resident.Relation.CHILD,
        )
        t = time.perf_counter()
        try:
            resident_add(
                actor=cadre,
                household=rng.choice(households),
                kind="birth",
                occurred_on=day,
                data=data,
            )
        except ValidationError:  # the random ID number is taken: draw again, untimed
            return None
        return time.perf_counter() - t

    samples: dict[str, list[float]] = {"on": [], "off": []}
    for _ in range(3):  # warm-up
        birth()
    for i in range(BLOCKS * 2):
        mode = "on" if i % 2 == 0 else "off"
        settings.XIANGZHI_FIGURES_MAINTAINED = mode == "on"
        while len(samples[mode]) < (i // 2 + 1) * BLOCK:
            s = birth()
            if s is not None:
                samples[mode].append(s)
    settings.XIANGZHI_FIGURES_MAINTAINED = True
    fixed = figures.verify(path=village.path, level=village.level, fix=True)
    on, off = percentiles(samples["on"]), percentiles(samples["off"])
    return {
        "figures_on": on,
        "figures_off": off,
        "p50_rise": round(on["p50_ms"] / max(off["p50_ms"], 0.001) - 1, 3),
        "rows_recounted_after": len(fixed),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
