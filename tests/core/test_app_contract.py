"""The contract between an app and core: registrations, declared audit actions, the system check."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test.utils import isolate_apps

from xiangzhi.core.audit import UndeclaredAction, audit_record
from xiangzhi.core.checks import contract_errors
from xiangzhi.core.registry import ACTIONS, ENTITIES, LEGACY_ACTIONS, action_label
from xiangzhi.core.scope import ScopedModel

NAME_RULE = re.compile(r"^(?P<app>[a-z]+)\.[a-z]+(?:_[a-z]+)+$")


def _resolve(dotted: str):
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def test_every_declared_action_follows_the_naming_rule_and_names_a_real_service():
    labels = {c.label for c in apps.get_app_configs()}
    assert len(ACTIONS) >= 30
    for name, action in ACTIONS.items():
        match = NAME_RULE.match(name)
        assert match, f"{name} is not app.entity_action"
        assert match["app"] in labels, f"{name}: no app {match['app']}"
        assert re.search(r"[\u4e00-\u9fff]", action.label), f"{name} has no Chinese label"
        assert callable(_resolve(action.service)), f"{name}: {action.service} is not callable"


def test_every_legacy_name_reads_as_its_successor():
    assert LEGACY_ACTIONS["resident.reveal"] == "people.resident_reveal"
    for old, new in LEGACY_ACTIONS.items():
        assert new in ACTIONS, f"{old} maps to undeclared {new}"
        assert action_label(old) == ACTIONS[new].label
    assert action_label("user.create") == "创建账号"


def test_audit_record_refuses_an_undeclared_action(db):
    from xiangzhi.core.models import AuditEvent

    with pytest.raises(UndeclaredAction, match="not declared"):
        audit_record(actor=None, action="people.household_vanish")
    with pytest.raises(UndeclaredAction):
        audit_record(actor=None, action="household.register")  # a legacy name is not writable
    assert not AuditEvent.objects.exists()


def test_no_source_file_writes_an_action_as_a_bare_string():
    """Every audit_record call passes a member of an actions enum, so a rename is one place."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "xiangzhi"
    bare = re.compile(r"""action\s*=\s*f?["']|["']action["']\s*:\s*f?["']""")
    offenders = [
        f"{p.relative_to(root)}:{n}"
        for p in root.rglob("*.py")
        if "migrations" not in p.parts
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if bare.search(line) and 'action="store' not in line
    ]
    assert offenders == []


def test_every_scoped_model_is_a_registered_entity():
    scoped = [m for m in apps.get_models() if issubclass(m, ScopedModel)]
    assert len(scoped) >= 7
    registered = {e.model_label.lower() for e in ENTITIES.values()}
    assert {m._meta.label_lower for m in scoped} <= registered
    call_command("check")  # raises SystemCheckError on any contract error


@isolate_apps("xiangzhi.people")
def test_the_system_check_fails_on_a_scoped_model_nobody_registered():
    class Stray(ScopedModel):  # noqa: DJ008
        node = models.ForeignKey("grid.GridNode", on_delete=models.CASCADE)
        SCOPE_PATH = "node__path"

        class Meta:
            app_label = "people"

    class Unbased(models.Model):  # noqa: DJ008
        SCOPE_PATH = "path"

        class Meta:
            app_label = "people"

    errors = contract_errors([Stray, Unbased])
    assert [e.id for e in errors] == ["xiangzhi.E001", "xiangzhi.E002"]
    assert "people.Stray" in errors[0].msg


def test_scope_methods_come_from_the_declared_lookups(world):
    from xiangzhi.accounts.models import RoleAssignment

    pm = world.a.party_member
    assert pm.scope_path() == world.a.sibling_grid.path
    assert pm.audit_node() == world.a.sibling_grid
    assert (
        world.a.node.scope_path() == world.a.node.path and world.a.node.audit_node() == world.a.node
    )
    villager_role = RoleAssignment.objects.get(user=world.a.villager)
    assert villager_role.scope_path() is None and villager_role.audit_node() is None


def _service_modules():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "xiangzhi"
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        dirs = set(rel.parts[:-1])
        if rel.name in {"services.py", "selectors.py"} or dirs & {"services", "selectors"}:
            yield rel, path
        elif "sheets" in dirs and rel.name not in {"views.py", "forms.py", "urls.py", "access.py"}:
            yield rel, path  # core's sheet services (jobs, export, engine)


# Callables another API calls positionally: a SheetKind's may_import(actor).
POSITIONAL_ACTOR = {"writes_anywhere"}


def test_services_and_selectors_take_the_actor_by_keyword():
    """`actor` is keyword-only wherever a service or selector takes it (ruff checks the types)."""
    import ast

    checked, offenders = 0, []
    for rel, path in _service_modules():
        for node in ast.parse(path.read_text()).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            if node.name in POSITIONAL_ACTOR:
                continue
            positional = [a.arg for a in node.args.posonlyargs + node.args.args]
            if "actor" in positional:
                offenders.append(f"{rel}:{node.name}")
            checked += any(a.arg == "actor" for a in node.args.kwonlyargs)
    assert offenders == [] and checked >= 20


def test_the_layers_contract_holds():
    """import-linter's layers contract (make lint runs it too): no app imports a higher one."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is a dev dependency"
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([exe], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    assert "1 kept, 0 broken" in done.stdout


def test_views_read_through_selectors_and_loaders_only():
    """A view never queries a model itself (`.objects.`): selectors read, access_* load."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "xiangzhi"
    views = [
        p
        for p in root.rglob("*.py")
        if p.name.endswith(("views.py", "api.py")) or {"views", "api"} & set(p.parts)
    ]
    assert len(views) >= 6
    offenders = [
        f"{p.relative_to(root)}:{n}"
        for p in views
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if ".objects." in line or "get_object_or_404" in line
    ]
    assert offenders == []


MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


def test_no_module_past_600_lines_and_no_function_past_80():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "xiangzhi"
    too_long = []
    for path in sorted(root.rglob("*.py")):
        rel = str(path.relative_to(root))
        if "migrations" in path.parts:
            continue
        source = path.read_text()
        if len(source.splitlines()) > MAX_MODULE_LINES:
            too_long.append(f"{rel}: {len(source.splitlines())} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{rel}:{node.lineno} {node.name}: {length} lines")
    assert too_long == []


def test_the_suite_runs_with_its_own_keys_and_var_directory():
    """pytest-django loads settings before any conftest.py: settings_test sets them first."""
    from pathlib import Path

    from django.conf import settings

    repo = Path(__file__).resolve().parents[2]
    assert not Path(settings.VAR_DIR).resolve().is_relative_to(repo)
    assert Path(settings.VAR_DIR).name.startswith("xiangzhi-test-")


def test_every_model_of_the_test_settings_has_its_migrations(db):
    """The throwaway app too: on PostgreSQL an unmigrated app cannot point at a migrated one."""
    from io import StringIO

    from django.db.migrations.loader import MigrationLoader

    with_models = {m._meta.app_label for m in apps.get_models()}
    assert with_models - MigrationLoader(None).migrated_apps == set()
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_every_test_the_threat_list_names_exists():
    """docs/security.md proves each threat line with a test: each named test must exist."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    text = (root / "docs" / "security.md").read_text()
    threats = text.split("## Threats", 1)[1]
    last_file, named = None, 0
    for ref in re.findall(r"`((?:tests/[\w/]+\.py)?(?:::\w+)?)`", threats):
        path, _, name = ref.partition("::")
        if path:
            last_file = root / path
            assert last_file.exists(), ref
        if name:
            assert last_file is not None and f"def {name}(" in last_file.read_text(), ref
            named += 1
    assert named >= 15


def test_the_registry_refuses_conflicting_registrations():
    from xiangzhi.core.registry import (
        AuditAction,
        register_actions,
        register_demo_loader,
        register_figure,
        register_household_lookup,
        register_sheet_kind,
    )
    from xiangzhi.core.sheets import ExportSide, SheetKind
    from xiangzhi.core.xlsx import Column

    class TwoApps(AuditAction):
        A = "people.thing_do", "做", "x.y"
        B = "party.thing_do", "做", "x.y"

    class Stealer(AuditAction):
        STEAL = "party.thing_steal", "偷", "x.y"

    with pytest.raises(ValueError, match="several apps"):
        register_actions(TwoApps)
    with pytest.raises(ValueError, match="claimed twice"):
        register_actions(Stealer, legacy={"household.register": Stealer.STEAL})
    with pytest.raises(ValueError, match="live action"):
        register_actions(Stealer, legacy={"people.household_update": Stealer.STEAL})
    assert "party.thing_steal" not in ACTIONS  # a refused declaration leaves nothing behind
    with pytest.raises(ValueError, match="registered twice"):
        register_figure("households", "别的户数", lambda: None, "node__path")
    with pytest.raises(ValueError, match="already registered"):
        register_demo_loader("people", lambda context: {})
    with pytest.raises(ValueError, match="no installed app"):
        register_demo_loader("nonexistent", lambda context: {})
    with pytest.raises(ValueError, match="already registered"):
        register_household_lookup(lambda user: [])
    side = ExportSide(action=ACTIONS["people.resident_export"], records=lambda **kw: [])
    with pytest.raises(ValueError, match="at most 20"):
        register_sheet_kind(
            SheetKind("party_member_transfers", "转接", (Column("a", "甲"),), exports=side)
        )
    bad = ExportSide(action=Stealer.STEAL, records=lambda **kw: [])
    with pytest.raises(ValueError, match="undeclared action"):
        register_sheet_kind(SheetKind("steals", "偷", (Column("a", "甲"),), exports=bad))


def test_an_owner_may_write_the_rows_they_own_through_access_object(world):
    """SCOPE_OWNER rows (tokens, import jobs) are writable by their owner in core/scope.py, so
    no app filters by owner on its own."""
    from django.http import Http404

    from xiangzhi.accounts.models import ApiToken
    from xiangzhi.core.scope import access_object

    token = ApiToken.objects.filter(user=world.a.cadre).first()
    assert access_object(ApiToken, world.a.cadre, token.pk, write=True) == token
    with pytest.raises(Http404):
        access_object(ApiToken, world.b.cadre, token.pk, write=True)


LAYERS = ["core", "accounts", "grid", "people", "party", "demo"]
NAMESPACE_APP = {"sheets": "core", "admin": "core", "api": "core"}


def test_no_template_links_to_a_higher_app():
    """Templates name URLs too: a lower app reaches a higher one only through what it registers
    (navigation entries, panels), never by naming its routes."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "xiangzhi"
    offenders = []
    for app in LAYERS:
        for template in (root / app).rglob("templates/**/*.html"):
            for ns in re.findall(r"\{%\s*url\s+['\"](\w+):", template.read_text()):
                target = NAMESPACE_APP.get(ns, ns)
                # Core may reach accounts and grid by label (the rule); nothing else up.
                by_label = app == "core" and target in {"accounts", "grid"}
                if target in LAYERS and LAYERS.index(target) > LAYERS.index(app) and not by_label:
                    offenders.append(f"{template.relative_to(root)} names {ns}:")
    assert offenders == []


def test_navigation_and_panels_come_from_the_registry(client, world):
    from xiangzhi.core.registry import NAV, PANELS

    assert [n.key for n in NAV][:4] == ["home", "grid", "households", "residents"]
    assert {"party_member", "party_orglife"} <= {p.key for p in PANELS["people.resident"]}
    client.force_login(world.a.cadre)
    page = client.get(f"/people/residents/{world.a.other_head.pk}/").content.decode()
    assert "党员信息" in page and "正式党员" in page  # party's panel on people's page
    node = client.get(f"/grid/nodes/{world.a.grid.pk}/").content.decode()
    assert "本网格户籍" in node and "登记迁入户" in node  # people's panel on grid's page
    nav = page.split("主导航")[1].split("</nav>")[0]
    assert "户籍" in nav and "审计日志" not in nav  # a cadre does not read the trail
