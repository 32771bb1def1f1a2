"""The walkthrough of docs/architecture.md ("How to add an app") is enough: this app, which lives
only in the test suite and names nothing in core, is covered by the scope walk, the audit
declarations, the roll-ups and the sheet machinery because of what its AppConfig.ready()
registers."""

from __future__ import annotations

import dataclasses
import json
from io import StringIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from tests.core import test_scope_routes as walk
from xiangzhi.core.audit import UndeclaredAction, audit_record
from xiangzhi.core.forms import action_choices
from xiangzhi.core.models import AuditEvent
from xiangzhi.core.registry import ACTIONS, ENTITIES, FIGURES, SHEET_KINDS
from xiangzhi.core.xlsx import HEADER_ROW

from ..xlsx_helpers import make_sheet
from . import selectors, services, views
from .models import Notice
from .sheets import NOTICES


def test_what_the_app_registered_reached_core():
    assert ENTITIES["notice"].model is Notice
    assert "contract.notice_update" in ACTIONS and "notices" in SHEET_KINDS
    assert any(f.key == "notices" for f in FIGURES)
    groups = [label for label, _ in action_choices()[1:]]
    assert "村务便签(测试应用)" in groups  # the audit page's filter offers its actions
    with pytest.raises(UndeclaredAction):
        audit_record(actor=None, action="contract.notice_burn")


def test_the_scope_walk_aims_at_its_route_and_watches_its_table(world):
    routes = {r.name for r in walk.discover_routes()}
    assert "contract:notice_detail" in routes
    target = walk.village_target(world.b)
    assert target.objects()["notice"].node.path.startswith(world.b.node.path)
    assert "contract.notice" in target.snapshot()


def _app_routes(*extra: str) -> list:
    """The walk over this app's routes (and the core routes named): the full walk over every
    route is tests/core/test_scope_routes.py's; these tests prove it catches a hole here."""
    return [
        r
        for r in walk.discover_routes()
        if r.name and (r.name.startswith("contract:") or r.name in extra)
    ]


def _open_hole(monkeypatch):
    """A version of the app that forgot its scope: the view loads any notice, the service writes."""
    monkeypatch.setattr(
        views, "access_object", lambda model, actor, pk, write=False: model.objects.get(pk=pk)
    )

    class Anyone:
        def can_write_path(self, path):
            return True

    monkeypatch.setattr(services, "scope_for", lambda actor: Anyone())


def test_the_scope_walk_catches_this_app_reading_another_village(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    routes = _app_routes()
    assert walk.neighbour_walk(client, world, django_capture_on_commit_callbacks, routes) > 20
    _open_hole(monkeypatch)  # the app as written passed; now it forgets its scope
    with pytest.raises(AssertionError, match="contract/notices"):
        walk.neighbour_walk(client, world, django_capture_on_commit_callbacks, routes)


def test_the_scope_walk_catches_this_app_listing_another_village(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    """The list's selector forgot for_actor: asked for another village's node, the page refuses
    it, but the list without one (as the menu opens it) shows every village's notices."""
    monkeypatch.setattr(
        selectors, "notice_list", lambda *, actor, node=None: Notice.objects.order_by("pk")
    )
    with pytest.raises(
        AssertionError, match=r"GET /contract/notices/ \(contract:notice_list\) leaked"
    ):
        walk.neighbour_walk(
            client, world, django_capture_on_commit_callbacks, _app_routes("sheets:export")
        )


def test_the_scope_walk_catches_this_app_exporting_another_village(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    """The sheet's export forgot the scope: the walk fetches every registered kind's export."""
    leaky = dataclasses.replace(
        NOTICES,
        exports=dataclasses.replace(
            NOTICES.exports, records=lambda *, actor, node=None: Notice.objects.order_by("pk")
        ),
    )
    monkeypatch.setitem(SHEET_KINDS, "notices", leaky)
    with pytest.raises(
        AssertionError, match=r"GET /sheets/export/notices/ \(sheets:export\) leaked"
    ):
        walk.neighbour_walk(
            client, world, django_capture_on_commit_callbacks, _app_routes("sheets:export")
        )


def test_the_walk_posts_this_apps_create_form_with_data_it_accepts(world):
    """Read from the form the village's cadre is shown: the target's node, and a title."""
    target = walk.village_target(world.a)
    payloads = walk.form_payloads(target, _app_routes(), target.objects())
    assert payloads["/contract/notices/new/"] == {"node": str(world.a.node.pk), "title": "越权写入"}
    group = walk.group_target(world.a)  # the node aimed at is the target's, where it is offered
    payloads = walk.form_payloads(group, _app_routes(), group.objects())
    assert payloads["/contract/notices/new/"]["node"] == str(world.a.group.pk)


def test_the_read_only_pass_catches_this_app_creating_without_a_write_check(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    """notices/new/ names no record: it loads the node to read and leaves the write check to the
    service. Without that check, an auditor's POST pins a notice in their village."""

    class Anyone:
        def can_write_path(self, path):
            return True

    monkeypatch.setattr(services, "scope_for", lambda actor: Anyone())
    with pytest.raises(
        AssertionError, match=r"the auditor POST /contract/notices/new/ .*answered 302"
    ):
        walk.read_only_walk(client, world, django_capture_on_commit_callbacks, _app_routes())


def test_the_read_only_pass_catches_this_app_letting_an_auditor_write(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    """With the view's and the service's checks both gone, the auditor's POST to a notice of
    their village changes it: caught on the record's own route (notices/new/ is the test above)."""
    _open_hole(monkeypatch)
    routes = [r for r in _app_routes() if r.name != "contract:notice_create"]
    with pytest.raises(
        AssertionError,
        match=r"the auditor POST /contract/notices/\d+/ \(contract:notice_detail\)",
    ):
        walk.read_only_walk(client, world, django_capture_on_commit_callbacks, routes)


def test_its_sheet_imports_dry_runs_and_exports_through_core(world, tmp_path):
    code = world.a.node.code
    path = make_sheet(
        tmp_path / "便签.xlsx",
        [
            ["所属网格", "便签标题"],
            [f"{code}/甲村第一党支部/甲村枫树屋场党小组/甲家中心户", "修路通知"],
            [f"{world.b.node.code}", "越界便签"],
            [f"{code}/不存在的支部", "找不到网格"],
        ],
    )
    before = Notice.objects.count()
    report_file = tmp_path / "report.json"
    args = ["import_xlsx", "notices", str(path), "--user", world.a.cadre.username]
    call_command(*args, "--dry-run", "--report", str(report_file), stdout=StringIO())
    report = json.loads(report_file.read_text())
    assert report["created"] == 1 and Notice.objects.count() == before  # a dry run writes nothing
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(3, "所属网格"), (4, "所属网格")]
    assert "乙村" not in json.dumps(report, ensure_ascii=False)  # no word of the other village
    call_command(*args, stdout=StringIO())
    assert Notice.objects.filter(title="修路通知", node=world.a.grid).exists()
    assert AuditEvent.objects.filter(action="contract.notice_import").count() == 1
    out = tmp_path / "out.xlsx"
    call_command("export_xlsx", "notices", "-o", str(out), "--user", world.a.cadre.username)
    rows = list(load_workbook(out).active.iter_rows(min_row=HEADER_ROW, values_only=True))
    titles = {r[1] for r in rows[1:]}
    assert "修路通知" in titles and "乙村便签" not in titles
    assert AuditEvent.objects.filter(action="contract.notice_export").count() == 1


def test_its_figure_rolls_up_the_grid(client, world):
    client.force_login(world.chief)
    r = client.get(f"/grid/nodes/{world.township.pk}/")
    assert r.context["total"].counts["notices"] == 4
    assert "便签数" in r.content.decode()
