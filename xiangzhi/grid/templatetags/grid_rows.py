"""The children's table of the grid page, built in Python: above the village the page reads a few
maintained rows, and the template engine's per-cell tags (a lookup filter, a translated label and
a reversed URL per cell) became most of the county page's time. The markup is the one the
template wrote (tests/grid/test_pages.py compares the two)."""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def child_rows(children, counters, staff):
    """The <tr> of each child: its link, its sub-node counts, every figure and its staff."""
    node_label, levels_label, staff_label = (
        escape(x) for x in (_("网格"), _("下辖网格"), _("网格长/网格员"))
    )
    leader = escape(_("网格长"))
    base = reverse("grid:node_detail", args=[0])[: -len("0/")]
    figure_cells = [
        (c.key, f'<td class="num" data-label="{escape(str(c.label))}">') for c in counters
    ]
    out = []
    for r in children:
        node = r.node
        levels = "；".join(f"{escape(str(name))} {n}" for _lvl, name, n in r.level_rows) or "—"
        counts = r.counts
        figures = "".join(f"{cell}{counts.get(key, 0)}</td>" for key, cell in figure_cells)
        people = (
            "、".join(
                escape(str(ra.user)) + (f"（{leader}）" if ra.is_grid_leader else "")
                for ra in staff.get(node.pk, ())
            )
            or "—"
        )
        out.append(
            f'<tr>\n<td data-label="{node_label}"><a href="{base}{node.pk}/">{escape(node.name)}'
            f'</a></td>\n<td data-label="{levels_label}">{levels}</td>\n{figures}\n'
            f'<td data-label="{staff_label}">{people}</td>\n</tr>'
        )
    return mark_safe("".join(out))  # every value above is escaped


@register.simple_tag
def stat_items(total, counters):
    """The <li> of the node's own totals: its sub-node counts per level, then every figure."""
    levels = "".join(
        f'<li><span class="n">{n}</span>{escape(str(name))}</li>'
        for _lvl, name, n in total.level_rows
    )
    counts = total.counts
    figures = "".join(
        f'<li><span class="n">{counts.get(c.key, 0)}</span>{escape(str(c.label))}</li>'
        for c in counters
    )
    return mark_safe(f"{levels}\n  {figures}")  # every value above is escaped
