"""The county coverage page (联系户覆盖, issue 13 point 3) against "a trivial logged-in page + the
SQL floor", as points_latency.py measures the points pages.

The page is the county committee's (demo_xianwei) coverage of the county node for this month:
households, linked and overdue households, members linked, visits and households visited in the
month, members who visited a household they contact, follow-ups overdue, hamlet groups over
their quota, and the first page of the members' table (linked, overdue, visits, last visit,
most linked first) with its count. The floor is hand-written SQL returning the same numbers from
the same records by the subtree's path range. The goal: p95 within 2x of trivial + floor.
`python bench/coverage_latency.py DATABASE_URL [REPEAT]`; the county demo (`seed_demo --scale
county`) has a year of visits on every household (party/demo_contacts.py).
"""

from __future__ import annotations

import datetime as dt
import json
import sys

from common import client_for, page, percentiles, setup, sql, timed

REPEAT = 60  # the county page takes about half a second a sample on a shared machine
PAGE = 50  # core.web.PAGE_SIZE


def main(database_url: str, repeat: int = REPEAT) -> dict:
    setup(database_url)
    from django.conf import settings

    settings.ROOT_URLCONF = "bench_urls"  # adds /bench/trivial/
    from django.db import connection
    from django.utils import timezone

    from xiangzhi.accounts.models import User
    from xiangzhi.core.paths import SEGMENT, next_prefix
    from xiangzhi.grid.models import GridNode
    from xiangzhi.party.models import Visit
    from xiangzhi.party.selectors import contact_settings_of

    county_user = User.objects.get(username="demo_xianwei")
    county = GridNode.objects.get(level=0)
    rules = contact_settings_of(county)
    today = timezone.localdate()
    start = today.replace(day=1)
    cutoff = today - dt.timedelta(days=rules.visit_interval_days)
    quota = min(rules.village_group_quota, rules.community_group_quota)
    group_len = len(county.path) + SEGMENT * 4
    rng = [county.path, next_prefix(county.path)]
    under = "(n.path >= %s AND n.path < %s)"
    overdue = (
        "l.role = 'primary' AND (l.last_visit_on < %s OR "
        "(l.last_visit_on IS NULL AND l.started_on < %s))"
    )

    floor_statements = [
        (
            "SELECT COUNT(*) FROM people_household h JOIN grid_gridnode n ON n.id = h.node_id "
            f"WHERE {under} AND h.status = 'active'",
            rng,
        ),
        (
            "SELECT SUM(CASE WHEN l.role = 'primary' THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {overdue} THEN 1 ELSE 0 END), COUNT(DISTINCT l.member_id) "
            "FROM party_contactlink l JOIN people_household h ON h.id = l.household_id "
            "JOIN grid_gridnode n ON n.id = h.node_id "
            f"WHERE {under} AND h.status = 'active' AND l.ended_on IS NULL",
            [cutoff, cutoff, *rng],
        ),
        (
            "SELECT COUNT(*), COUNT(DISTINCT v.household_id), COUNT(DISTINCT CASE WHEN EXISTS ("
            "SELECT 1 FROM party_contactlink l WHERE l.household_id = v.household_id "
            "AND l.member_id = v.member_id AND l.started_on <= v.visited_on) THEN v.member_id END) "
            "FROM party_visit v JOIN people_household h ON h.id = v.household_id "
            "JOIN grid_gridnode n ON n.id = h.node_id "
            f"WHERE {under} AND v.visited_on >= %s AND v.visited_on <= %s",
            [*rng, start, today],
        ),
        (
            "SELECT COUNT(*) FROM party_followup f JOIN people_household h ON h.id = f.household_id "
            f"JOIN grid_gridnode n ON n.id = h.node_id WHERE {under} "
            "AND f.done_on IS NULL AND f.due_on < %s",
            [*rng, today],
        ),
        (
            "SELECT SUBSTR(n.path, 1, %s), COUNT(*) FROM people_household h "
            f"JOIN grid_gridnode n ON n.id = h.node_id WHERE {under} AND n.level >= 4 "
            "AND h.status = 'active' GROUP BY SUBSTR(n.path, 1, %s) HAVING COUNT(*) > %s",
            [group_len, *rng, group_len, quota],
        ),
        (
            "SELECT COUNT(*) FROM party_partymember m JOIN people_resident r ON r.id = m.resident_id "
            f"JOIN grid_gridnode n ON n.id = r.node_id WHERE {under} AND r.status = 'active'",
            rng,
        ),
        (
            "SELECT m.id, r.name, n.name, "
            "(SELECT COUNT(*) FROM party_contactlink l WHERE l.member_id = m.id "
            "AND l.ended_on IS NULL) AS linked, "
            "(SELECT COUNT(*) FROM party_contactlink l WHERE l.member_id = m.id "
            f"AND l.ended_on IS NULL AND {overdue}), "
            "(SELECT COUNT(*) FROM party_visit v WHERE v.member_id = m.id "
            "AND v.visited_on >= %s AND v.visited_on <= %s), "
            "(SELECT MAX(v.visited_on) FROM party_visit v WHERE v.member_id = m.id) "
            "FROM party_partymember m JOIN people_resident r ON r.id = m.resident_id "
            f"JOIN grid_gridnode n ON n.id = r.node_id WHERE {under} AND r.status = 'active' "
            "ORDER BY linked DESC, n.path, m.id LIMIT %s",
            [cutoff, cutoff, start, today, *rng, PAGE + 1],
        ),
    ]

    floor = sql(floor_statements)

    url = f"/party/coverage/?node={county.pk}"
    client = client_for(county_user)
    client.get(url)
    # The request clears the log as it starts (request_started): what is left is its queries.
    connection.force_debug_cursor = True
    page(client, url)()
    queries = list(connection.queries_log)
    connection.force_debug_cursor = False
    out = {
        "records": {
            "visits": Visit.objects.count(),
            "central_households": GridNode.objects.filter(level=5).count(),
        },
        "logged_in_trivial_page": percentiles(
            timed(page(client_for(county_user), "/bench/trivial/"), repeat)
        ),
    }
    fixed = out["logged_in_trivial_page"]["p95_ms"]
    ours = percentiles(timed(page(client, url), repeat))
    floor_ms = percentiles(timed(floor, repeat))
    out["coverage_county_page"] = {
        "ours": ours,
        "floor": floor_ms,
        "queries": len(queries),
        "p95_ratio_fixed_plus_sql": round(
            ours["p95_ms"] / max(floor_ms["p95_ms"] + fixed, 0.001), 2
        ),
    }
    return out


if __name__ == "__main__":
    count = int(sys.argv[2]) if len(sys.argv) > 2 else REPEAT
    print(json.dumps(main(sys.argv[1], count)))
