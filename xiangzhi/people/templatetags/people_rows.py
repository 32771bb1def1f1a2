"""Rows of the resident list built in Python: the list is the most used page at county scale, and
the template engine (and even format_html) spent most of the page's time on these 50 rows. The
rows are plain values (selectors.RESIDENT_ROW_FIELDS), not models: building 100 model instances per page cost more
than the query itself."""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ..models import Resident

register = template.Library()


@register.simple_tag
def resident_rows(rows):
    labels = [
        escape(x)
        for x in (
            _("姓名"),
            _("性别"),
            _("出生日期"),
            _("身份证号"),
            _("联系电话"),
            _("与户主关系"),
            _("所属网格"),
        )
    ]
    genders = {k: escape(str(v)) for k, v in Resident.Gender.choices}
    relations = {k: escape(str(v)) for k, v in Resident.Relation.choices}
    statuses = {k: escape(str(v)) for k, v in Resident.Status.choices}
    base = reverse("people:resident_detail", args=[0])[: -len("0/")]
    head = f'<tr><td data-label="{labels[0]}"><a href="{base}'
    cell = [f'<td data-label="{label}">' for label in labels[1:]]
    out = []
    for r in rows:
        status = r["status"]
        tag = f' <span class="tag">{statuses.get(status, "")}</span>' if status != "active" else ""
        birth = r["birth_date"]
        out.append(
            f'{head}{r["pk"]}/">{escape(r["name"])}</a>{tag}</td>'
            f"{cell[0]}{genders.get(r['gender'], '')}</td>"
            f"{cell[1]}{birth.strftime('%Y-%m-%d') if birth else '—'}</td>"
            f"{cell[2]}{escape(r['id_number_mask']) or '—'}</td>"
            f"{cell[3]}{escape(r['phone_mask']) or '—'}</td>"
            f"{cell[4]}{relations.get(r['relation'], '')}</td>"
            f"{cell[5]}{escape(r['node__name'])}</td></tr>"
        )
    return mark_safe("\n".join(out))  # every value above is escaped
