from xiangzhi.accounts.models import RoleAssignment
from xiangzhi.core.xlsx import HEADER_ROW
from xiangzhi.grid.models import GridNode


def test_a_secretary_adds_a_child_grid_from_the_page(client, world):
    client.force_login(world.a.secretary)
    r = client.post(f"/grid/nodes/{world.a.group.pk}/new/", {"name": "新中心户", "code": ""})
    assert r.status_code == 302
    node = GridNode.objects.get(name="新中心户")
    assert node.parent_id == world.a.group.pk and node.level == 5


def test_a_bad_division_code_is_explained_in_chinese(client, world):
    client.force_login(world.a.secretary)
    r = client.post(f"/grid/nodes/{world.a.node.pk}/edit/", {"name": "甲村", "code": "123"})
    assert r.status_code == 200 and "12位数字" in r.content.decode()
    world.a.node.refresh_from_db()
    assert world.a.node.code == "430521100201"


def test_a_cadre_may_not_restructure_the_grid(client, world):
    client.force_login(world.a.cadre)
    r = client.post(f"/grid/nodes/{world.a.group.pk}/new/", {"name": "不该有"})
    assert r.status_code == 403 and not GridNode.objects.filter(name="不该有").exists()


def test_the_chief_moves_a_group_from_the_page(client, world):
    client.force_login(world.chief)
    r = client.post(f"/grid/nodes/{world.a.group.pk}/move/", {"new_parent": world.b.branch.pk})
    assert r.status_code == 302
    assert GridNode.objects.get(pk=world.a.group.pk).parent_id == world.b.branch.pk


def test_the_staff_page_names_a_grid_leader(client, world):
    client.force_login(world.a.secretary)
    r = client.post(f"/grid/nodes/{world.a.sibling_grid.pk}/staff/", {"username": "nobody"})
    assert "找不到该账号" in r.content.decode()
    r = client.post(
        f"/grid/nodes/{world.a.sibling_grid.pk}/staff/",
        {"username": world.a.worker.username, "as_leader": "on"},
    )
    assert r.status_code == 302
    ra = RoleAssignment.objects.get(user=world.a.worker, node=world.a.sibling_grid)
    assert ra.is_grid_leader and ra.role == "grid_worker"
    body = client.get(f"/grid/nodes/{world.a.group.pk}/").content.decode()
    assert "网格长" in body


def test_the_grid_page_exports_its_rollup(client, world):
    import io

    from openpyxl import load_workbook

    client.force_login(world.chief)
    r = client.get(f"/grid/nodes/{world.township.pk}/export/")
    rows = list(
        load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.iter_rows(
            min_row=HEADER_ROW, values_only=True
        )
    )
    header = rows[0]
    assert header[:3] == ("网格", "层级", "区划代码") and "户数" in header
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_name["测试镇"]["户数"] == 4 and by_name["甲村"]["人数"] == 3


def test_a_writer_who_may_not_change_the_grid_gets_403_before_the_form(client, world):
    """The loader refuses (access_node admin=True), as the service would on submit."""
    client.force_login(world.a.cadre)  # writes the registry, does not run the grid
    for view in ("new", "edit", "move", "staff"):
        url = f"/grid/nodes/{world.a.group.pk}/{view}/"
        assert client.get(url).status_code == 403, url
    client.force_login(world.a.secretary)
    assert client.get(f"/grid/nodes/{world.a.group.pk}/edit/").status_code == 200


# The children's rows as the template wrote them before they were built in Python
# (grid/templatetags/grid_rows.py): users must get the very same markup.
TEMPLATE_ROWS = (
    "{% load i18n xz %}{% for r in children %}<tr>\n"
    "<td data-label=\"{% trans '网格' %}\"><a href=\"{% url 'grid:node_detail' r.node.pk %}\">"
    "{{ r.node.name }}</a></td>\n"
    "<td data-label=\"{% trans '下辖网格' %}\">{% for lvl, name, n in r.level_rows %}{{ name }} "
    "{{ n }}{% if not forloop.last %}；{% endif %}{% empty %}—{% endfor %}</td>\n"
    '{% for c in counters %}<td class="num" data-label="{{ c.label }}">'
    "{{ r.counts|get_item:c.key }}</td>{% endfor %}\n"
    "<td data-label=\"{% trans '网格长/网格员' %}\">{% for ra in staff|get_item:r.node.pk %}"
    '{{ ra.user }}{% if ra.is_grid_leader %}（{% trans "网格长" %}）{% endif %}'
    "{% if not forloop.last %}、{% endif %}{% empty %}—{% endfor %}</td>\n"
    "</tr>{% endfor %}"
)


TEMPLATE_STATS = (
    "{% load xz %}"
    '{% for lvl, name, n in total.level_rows %}<li><span class="n">{{ n }}</span>{{ name }}</li>'
    "{% endfor %}\n"
    '  {% for c in counters %}<li><span class="n">{{ total.counts|get_item:c.key }}</span>'
    "{{ c.label }}</li>{% endfor %}"
)


def test_the_nodes_totals_built_in_python_are_the_templates_markup(world):
    from django.template import Context, Template

    from xiangzhi.core.registry import FIGURES
    from xiangzhi.grid.selectors import node_overview
    from xiangzhi.grid.templatetags.grid_rows import stat_items

    for node in (world.township, world.a.node, world.a.grid):
        overview = node_overview(actor=world.admin, node=node)
        context = {**overview, "counters": FIGURES}
        built = stat_items(overview["total"], FIGURES)
        assert built == Template(TEMPLATE_STATS).render(Context(context)), node.name
        assert '<span class="n">' in built and "户数" in built


def test_the_childrens_rows_built_in_python_are_the_templates_markup(world):
    from django.template import Context, Template

    from xiangzhi.core.registry import FIGURES
    from xiangzhi.grid.selectors import node_overview
    from xiangzhi.grid.templatetags.grid_rows import child_rows

    RoleAssignment.objects.filter(user=world.a.worker).update(is_grid_leader=True)
    # a name a page must escape
    GridNode.objects.filter(pk=world.a.sibling_grid.pk).update(name="<b>甲&'\"二</b>")
    rendered = {}
    for node in (world.township, world.a.node, world.a.group, world.a.grid):
        overview = node_overview(actor=world.admin, node=node)
        context = {**overview, "counters": FIGURES}
        expected = Template(TEMPLATE_ROWS).render(Context(context))
        built = child_rows(overview["children"], FIGURES, overview["staff"])
        assert built == expected, node.name
        rendered[node.pk] = built
    assert "甲村" in rendered[world.township.pk] and "党小组" in rendered[world.township.pk]
    group = rendered[world.a.group.pk]
    assert "&lt;b&gt;甲&amp;&#x27;&quot;二&lt;/b&gt;" in group and "（网格长）" in group
    assert rendered[world.a.grid.pk] == ""  # the last level has no children
