"""The rows of docs/performance.md for issue 11's figures: the grid pages side by side at three
levels (latency.py's `grid_pages`) and the write cost of keeping figures (write_cost.py)."""

from __future__ import annotations


def figure_rows(backend: str, r: dict) -> list[str]:
    lines = []
    g = r.get("latency", {}).get("grid_pages")
    if g:
        ok = g["county_over_village_p95"] <= 1.5 and g["county_over_floor_p95"] <= 2
        lines.append(
            f"| grid page village / township / county | {backend} | "
            f"p50 {g['village']['p50_ms']} / {g['township']['p50_ms']} / {g['county']['p50_ms']} ms, "
            f"p95 {g['village']['p95_ms']} / {g['township']['p95_ms']} / {g['county']['p95_ms']} ms | "
            f"county floor (trivial logged-in page + rows' SQL) p95 {g['county_floor_p95_ms']} ms | "
            f"county/village {g['county_over_village_p95']}x, county/floor {g['county_over_floor_p95']}x (p95) | "
            f"≤ 1.5x and ≤ 2x {'✓' if ok else '✗'} |"
        )
        off = g["county_figures_off"]
        lines.append(
            f"| grid page county, figures switched off (previous design) | {backend} | "
            f"p50 {off['p50_ms']} ms, p95 {off['p95_ms']} ms (n={off['n']}) | — | — | — |"
        )
    w = r.get("write_cost")
    if w:
        rise = w["p50_rise"] * 100
        lines.append(
            f"| a birth through the service, figures on | {backend} | "
            f"p50 {w['figures_on']['p50_ms']} ms, p95 {w['figures_on']['p95_ms']} ms | "
            f"figures off: p50 {w['figures_off']['p50_ms']} ms, p95 {w['figures_off']['p95_ms']} ms | "
            f"p50 {rise:+.1f}% | ≤ +20% {'✓' if rise <= 20 else '✗'} |"
        )
        spread = w.get("rise_by_round")
        if spread:  # the robust measure: interleaved pairs, the spread, and counts without noise
            calls, statements = w["function_calls"], w["statements"]
            lines.append(
                f"| the same, spread and counts | {backend} | "
                f"{w['pairs']} interleaved pairs: on − off p50 {w['paired_difference_p50_ms']} ms; "
                f"figures.refresh p50 {w['refresh']['p50_ms']} ms | "
                f"rise of {spread['rounds']} slices: min {spread['min'] * 100:+.1f}%, "
                f"median {spread['median'] * 100:+.1f}%, max {spread['max'] * 100:+.1f}% | "
                f"SQL statements {statements['on']} / {statements['off']}, Python calls "
                f"{calls['on']} / {calls['off']} ({(calls['on'] / calls['off'] - 1) * 100:+.1f}%) | — |"
            )
    return lines
