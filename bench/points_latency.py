"""The points pages at county scale (two million ledger entries) against "a trivial logged-in
page + the SQL floor", as latency.py measures the registry's pages (issue 14, point 7):

* the village ranking: the board of the demo cadre's village for this month;
* a household's balance and history: the villager's own page (我的积分);
* the township's monthly totals: the township's board (its ranking and each village's totals).

Each floor is hand-written SQL returning the same numbers from the maintained period totals
(and, for the history, the entries' index on (account, id)). The goal: p95 within 2x of
trivial + floor. `python bench/points_latency.py DATABASE_URL [REPEAT]`.

A second reference shows why that goal cannot hold for a page of this site: the site's layout
alone (bench_urls.layout: base.html with an empty content block, for the page's own user) next to
"trivial + floor", and each page against "layout alone + floor" (`p95_ratio_layout_plus_sql`):
what the page costs beyond the layout every page must render.
"""

from __future__ import annotations

import json
import sys

from common import client_for, page, percentiles, setup, sql, timed

REPEAT = 200


def main(database_url: str, repeat: int = REPEAT) -> dict:
    setup(database_url)
    from django.conf import settings

    settings.ROOT_URLCONF = "bench_urls"  # adds /bench/trivial/

    from xiangzhi.accounts.models import User
    from xiangzhi.core.paths import next_prefix
    from xiangzhi.points.models import PointAccount
    from xiangzhi.points.selectors.board import current_periods

    cadre = User.objects.get(username="demo_cun_ganbu")
    chief = User.objects.get(username="demo_shuji")
    villager = User.objects.get(username="demo_cunmin")
    village = cadre.role_assignments.get().node
    township = chief.role_assignments.get(role="chief_grid_leader").node
    household_id = villager.resident.household_id
    account = PointAccount.objects.get(household_id=household_id, resident__isnull=True)
    month = current_periods()["month"]

    under = "(n.path >= %s AND n.path < %s)"

    def rng(node):
        return [node.path, next_prefix(node.path)]

    def ranking_sql(node):
        return (
            "SELECT t.score, t.household_id, h.number, r.name, n.path FROM points_pointperiodtotal t "
            "JOIN grid_gridnode n ON n.id = t.node_id JOIN points_pointaccount a ON a.id = t.account_id "
            "JOIN people_household h ON h.id = t.household_id LEFT JOIN people_resident r ON r.id = h.head_id "
            f"WHERE {under} AND t.period = %s AND a.resident_id IS NULL "
            "ORDER BY t.score DESC, t.household_id LIMIT 50",
            [*rng(node), month],
        )

    width = len(township.path) + 5
    cases = {  # name: (user, page, floor)
        "points_village_ranking": (
            cadre,
            page(client_for(cadre), f"/points/board/{village.pk}/"),
            sql([ranking_sql(village)]),
        ),
        "points_household_balance_history": (
            villager,
            page(client_for(villager), "/points/mine/"),
            sql(
                [
                    ("SELECT balance FROM points_pointaccount WHERE id = %s", [account.pk]),
                    (
                        "SELECT occurred_on, amount, reason, balance_after FROM points_pointentry "
                        "WHERE account_id = %s ORDER BY id DESC LIMIT 21",
                        [account.pk],
                    ),
                ]
            ),
        ),
        "points_township_monthly_totals": (
            chief,
            page(client_for(chief), f"/points/board/{township.pk}/"),
            sql(
                [
                    ranking_sql(township),
                    (
                        "SELECT SUBSTR(n.path, 1, %s), SUM(t.earned), SUM(t.deducted), SUM(t.redeemed), "
                        "COUNT(*) FROM points_pointperiodtotal t JOIN grid_gridnode n ON n.id = t.node_id "
                        f"WHERE {under} AND t.period = %s GROUP BY SUBSTR(n.path, 1, %s)",
                        [width, *rng(township), month, width],
                    ),
                ]
            ),
        ),
    }
    out = {
        "logged_in_trivial_page": percentiles(
            timed(page(client_for(cadre), "/bench/trivial/"), repeat)
        )
    }
    fixed = out["logged_in_trivial_page"]["p95_ms"]
    layouts: dict = {}  # the layout alone, per user (the navigation differs by role)
    for name, (user, ours, floor) in cases.items():
        if user.username not in layouts:
            layouts[user.username] = percentiles(
                timed(page(client_for(user), "/bench/layout/"), repeat)
            )
        layout = layouts[user.username]["p95_ms"]
        a = percentiles(timed(ours, repeat))
        b = percentiles(timed(floor, repeat))
        out[name] = {
            "ours": a,
            "floor": b,
            "p95_ratio_fixed_plus_sql": round(a["p95_ms"] / max(b["p95_ms"] + fixed, 0.001), 2),
            "layout_only": layouts[user.username],
            # The bound no page in the layout can beat: it renders the layout and runs its SQL at
            # least, so (layout + floor) against trivial + floor.
            "layout_ratio_fixed_plus_sql": round(
                (layout + b["p95_ms"]) / max(b["p95_ms"] + fixed, 0.001), 2
            ),
            "p95_ratio_layout_plus_sql": round(a["p95_ms"] / max(b["p95_ms"] + layout, 0.001), 2),
        }
    return out


if __name__ == "__main__":
    count = int(sys.argv[2]) if len(sys.argv) > 2 else REPEAT
    print(json.dumps(main(sys.argv[1], count)))
