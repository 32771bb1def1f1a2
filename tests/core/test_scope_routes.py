"""Rule 1 over every route: discover every URL pattern and API route, and prove that a user of
one village (and a grid worker of a sibling grid, and a villager of another household) can
neither read nor change the other's records: a 404 (or 405 for a POST-only route), no marker
of the other's data in the body, and nothing changed. Routes added later are covered without
editing this test; a route whose parameter this test does not know makes it fail."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from xiangzhi.accounts.models import ApiToken, RoleAssignment
from xiangzhi.accounts.services import api_token_create
from xiangzhi.core.models import AuditEvent, ImportJob
from xiangzhi.core.registry import ENTITIES
from xiangzhi.grid.models import GridNode
from xiangzhi.party.models import PartyMember
from xiangzhi.people.models import Household, HouseholdChange, Resident

from ..factories import make_id

# Configuration tables that are the same for every village (no scope by design).
GLOBAL_MODELS = {
    "people.tag",
    "accounts.department",
    "auth.group",
    "auth.permission",
    # login-throttling logs: superusers only (test_axes_logs_are_for_superusers_only)
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    # background task results: superusers only (same test)
    "django_tasks_database.dbtaskresult",
}
# Parameters that name no record: a fixed value serves (the route is then checked like the others).
PLAIN_KWARGS = {"app_label": "people", "kind": "residents"}


@dataclass
class Route:
    pattern: str
    name: str | None
    kwargs: tuple[str, ...]

    @property
    def is_admin(self) -> bool:
        return self.pattern.startswith("admin/")

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")


def _kwargs_of(pattern) -> list[str]:
    return list(pattern.regex.groupindex)


def discover_routes() -> list[Route]:
    out: list[Route] = []

    def walk(patterns, prefix: str, namespaces: list[str], kwargs: list[str]):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespaces + ([p.namespace] if p.namespace else [])
                walk(p.url_patterns, prefix + str(p.pattern), ns, kwargs + _kwargs_of(p.pattern))
            elif isinstance(p, URLPattern):
                name = ":".join(namespaces + [p.name]) if p.name else None
                out.append(
                    Route(prefix + str(p.pattern), name, tuple(kwargs + _kwargs_of(p.pattern)))
                )

    walk(get_resolver().url_patterns, "", [], [])
    return out


def _admin_model(route: Route) -> str | None:
    """admin/people/household/... -> people.household (None when it is no model route)."""
    if not route.is_admin:
        return None
    parts = route.pattern.split("/")
    if len(parts) > 3:
        label = f"{parts[1]}.{parts[2]}"
        if label in {m._meta.label_lower for m in apps.get_models()}:
            return label
    return None


@dataclass
class Target:
    """The records an attacker must not reach, and the markers that would betray a leak."""

    label: str
    path: str
    node: GridNode
    household: Household
    resident: Resident
    child: Resident | None
    party_member: PartyMember
    group: GridNode
    owner: object  # a user of the target whose token and account must stay untouched
    markers: tuple[str, ...]

    def objects(self) -> dict[str, object]:
        return {
            "node": self.node,
            "household": self.household,
            "resident": self.resident,
            "party_member": self.party_member,
            "token": ApiToken.objects.filter(user=self.owner).first(),
            "import_job": ImportJob.objects.filter(created_by=self.owner).first(),
            "grid.gridnode": self.node,
            "people.household": self.household,
            "people.resident": self.resident,
            "party.partymember": self.party_member,
            "accounts.user": self.owner,
            "accounts.roleassignment": RoleAssignment.objects.filter(user=self.owner).first(),
            "core.auditevent": AuditEvent.objects.filter(node__path__startswith=self.path).first(),
            "people.householdchange": HouseholdChange.objects.filter(
                household=self.household
            ).first(),
        }

    def snapshot(self) -> dict:
        """Everything under the target's subtree, so that any write into it shows."""
        p = self.path
        return {
            "nodes": list(
                GridNode.objects.filter(path__startswith=p).values_list(
                    "id", "name", "code", "path", "parent_id"
                )
            ),
            "households": list(
                Household.objects.filter(node__path__startswith=p).values_list(
                    "id",
                    "address",
                    "number",
                    "status",
                    "head_id",
                    "node_id",
                    "note",
                    "is_central_household",
                    "updated_at",
                )
            ),
            "residents": list(
                Resident.objects.filter(node__path__startswith=p).values_list(
                    "id",
                    "name",
                    "status",
                    "relation",
                    "household_id",
                    "node_id",
                    "phone_index",
                    "updated_at",
                )
            ),
            "members": list(
                PartyMember.objects.filter(resident__node__path__startswith=p).values_list(
                    "id", "category", "joined_on", "organisation_id"
                )
            ),
            "changes": HouseholdChange.objects.filter(household__node__path__startswith=p).count(),
            "roles": list(
                RoleAssignment.objects.filter(node__path__startswith=p).values_list(
                    "id", "user_id", "role", "is_grid_leader"
                )
            ),
            "tokens": list(
                ApiToken.objects.filter(user=self.owner).values_list("id", "revoked_at")
            ),
            "owner": list(
                type(self.owner)
                .objects.filter(pk=self.owner.pk)
                .values_list("username", "elder_mode", "is_active")
            ),
            "audit_in_target": AuditEvent.objects.filter(node__path__startswith=p).count(),
            "reveals": AuditEvent.objects.filter(action="people.resident_reveal").count(),
        }


def village_target(v) -> Target:
    return Target(
        f"village {v.key}",
        v.node.path,
        v.node,
        v.household,
        v.head,
        v.child,
        v.party_member,
        v.group,
        v.cadre,
        (v.marker_name, v.marker_address),
    )


def sibling_grid_target(v) -> Target:
    """The sibling grid inside the same village: what a grid worker of the other grid must not see."""
    other = v.other_household
    return Target(
        f"sibling grid of village {v.key}",
        v.sibling_grid.path,
        v.sibling_grid,
        other,
        other.head,
        None,
        v.party_member,
        v.group,
        v.cadre,
        (other.head.name, other.address),
    )


def post_payload(attacker, target: Target) -> dict:
    """Valid data for every form, pointing at the target: if a check were missing, it would write."""
    return {
        "name": "越权写入",
        "code": "",
        "new_parent": target.group.pk,
        "username": attacker.username,
        "as_leader": "on",
        "address": "越权住址1号",
        "number": "X-999",
        "id_number": make_id(dt.date(1990, 1, 1), "M"),
        "gender": "",
        "birth_date": "",
        "phone": "",
        "relation": "child",
        "ethnicity": "汉族",
        "note": "越权",
        "kind": "move_in",
        "occurred_on": "2024-01-02",
        "members": [target.child.pk] if target.child else [],
        "new_head": target.child.pk if target.child else "",
        "field": "id_number",
        "purpose": "越权查看",
        "category": "full",
        "joined_on": "2000-01-01",
        "organisation": target.group.pk,
        "enabled": "1",
        "next": "/",
        "tags": [],
        "is_central_household": "on",
    }


def build_url(route: Route, objects: dict[str, object]) -> str | None:
    """Fill the route's parameters with the target's records; None when the route is global."""
    values = {}
    admin_model = _admin_model(route)
    if admin_model in GLOBAL_MODELS:
        return None
    for kw in route.kwargs:
        if kw.endswith("_id") and kw[:-3] in ENTITIES:
            obj = objects[kw[:-3]]
        elif kw == "object_id" and admin_model:
            obj = objects.get(admin_model)
            if obj is None:
                raise AssertionError(
                    f"{route.pattern}: no target record for admin model {admin_model}"
                )
        elif kw == "content_type_id":
            obj = ContentType.objects.get_for_model(Household)
        elif kw == "object_id":  # admin view_on_site shortcut
            obj = objects["household"]
        elif kw in PLAIN_KWARGS:
            values[kw] = PLAIN_KWARGS[kw]
            continue
        elif kw == "url" and route.name is None:
            return None  # the admin's catch-all redirect: it serves no record
        else:
            raise AssertionError(
                f"route {route.pattern!r} has a parameter {kw!r} the scope test does not know: name "
                "record parameters <entity>_id and register the entity in core.scope"
            )
        values[kw] = obj.pk
    if route.name:
        return reverse(route.name, kwargs=values or None)
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route.pattern)
    return "/" + url.lstrip("^").rstrip("$")


def attackers(world):
    """(who, the user, what they must not reach) for the three kinds of neighbours."""
    return [
        ("cadre of the sibling village", world.a.cadre, village_target(world.b)),
        ("secretary of the sibling village", world.b.secretary, village_target(world.a)),
        ("auditor of the sibling village", world.a.auditor, village_target(world.b)),
        ("grid worker of the sibling grid", world.a.worker, sibling_grid_target(world.a)),
        ("villager of another household", world.a.villager, sibling_grid_target(world.a)),
    ]


def _request(client, route: Route, method: str, url: str, data: dict, token: str):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if route.is_api else {}
    if method == "GET":
        return client.get(url, data, **headers)
    if route.is_api:
        return client.post(url, json.dumps(data), content_type="application/json", **headers)
    return client.post(url, data, **headers)


DENIED_ENTITY = {404, 405}
DENIED_ADMIN = {302, 403, 404, 405}


class _AnyRecord(dict):
    """Stands for any record (pk 1), to check that every route's parameters are understood."""

    def __missing__(self, key):
        return type("Record", (), {"pk": 1})()

    def get(self, key, default=None):
        return self[key]


def test_routes_are_discovered_and_every_parameter_is_understood(db):
    routes = discover_routes()
    names = {r.name for r in routes}
    assert {
        "people:household_detail",
        "grid:node_detail",
        "api:get_household",
        "api:get_resident",
        "api:get_node",
        "admin:people_household_change",
    } <= names
    assert len(routes) > 40
    for r in routes:
        build_url(r, _AnyRecord())  # raises on a parameter it does not understand


@pytest.mark.django_db
def test_no_neighbour_can_read_or_change_anothers_records(client, world):
    routes = discover_routes()
    checked = 0
    for who, user, target in attackers(world):
        _, token = api_token_create(actor=user, name="scope-test")
        objects = target.objects()
        client.force_login(user)
        for route in routes:
            url = build_url(route, objects)
            if url is None:
                continue
            before = target.snapshot()
            has_record = any(k for k in route.kwargs if k not in PLAIN_KWARGS)
            for method in ("GET", "POST"):
                if method == "GET":
                    data = {
                        "node": target.node.pk,
                        "node_id": target.node.pk,
                        "q": target.markers[0],
                        "search": target.markers[0],
                    }
                else:
                    data = post_payload(user, target)
                response = _request(client, route, method, url, data, token)
                body = _body(response)
                where = f"{who} {method} {url} ({route.name})"
                for marker in target.markers:
                    assert marker not in body, f"{where} leaked {marker!r}"
                if has_record:
                    allowed = DENIED_ADMIN if route.is_admin else DENIED_ENTITY
                    assert response.status_code in allowed, (
                        f"{where} answered {response.status_code}"
                    )
                assert response.status_code < 500, f"{where} failed with {response.status_code}"
                checked += 1
            assert target.snapshot() == before, f"{who} changed {target.label} through {url}"
            client.force_login(user)  # a logout route ends the session; log back in
            if not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists():
                _, token = api_token_create(actor=user, name="scope-test")  # 退出所有设备
    assert checked > 300


def _body(response) -> str:
    """The text a user gets: a page, or every cell of a downloaded sheet."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw.startswith(b"PK"):
        import io

        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(
            str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v
        )
    return raw.decode(errors="replace")


@pytest.mark.django_db
def test_the_same_routes_do_open_for_the_owner(client, world):
    """The control: with their own records, users get the pages (so a 404 above is a real refusal)."""
    _, token = api_token_create(actor=world.a.cadre, name="own")
    objects = village_target(world.a).objects()
    objects["token"] = ApiToken.objects.filter(user=world.a.cadre).first()
    client.force_login(world.a.cadre)
    opened = 0
    for route in discover_routes():
        url = build_url(route, objects)
        if url is None or not any(k.endswith("_id") for k in route.kwargs):
            continue
        if route.name == "admin:view_on_site":
            continue
        response = _request(client, route, "GET", url, {}, token)
        assert response.status_code in {200, 302, 403, 405}, (
            f"{url} answered {response.status_code}"
        )
        opened += response.status_code == 200
    assert opened >= 20


def test_the_worker_sees_only_their_own_grids(client, world):
    client.force_login(world.a.worker)
    body = client.get("/people/households/").content.decode()
    assert world.a.marker_address in body
    assert world.a.other_household.address not in body
    assert client.get(f"/grid/nodes/{world.a.grid.pk}/").status_code == 200
    assert client.get(f"/grid/nodes/{world.a.group.pk}/").status_code == 404


def test_a_read_only_auditor_gets_403_on_a_write_in_scope(client, world):
    client.force_login(world.a.auditor)
    url = f"/people/households/{world.a.household.pk}/edit/"
    assert client.get(url).status_code == 403
    r = client.post(url, {"address": "改了"})
    assert r.status_code == 403
    world.a.household.refresh_from_db()
    assert world.a.household.address == world.a.marker_address


def test_unknown_route_parameters_fail_the_walk():
    route = Route("x/<int:widget_id>/", None, ("widget_id",))
    with pytest.raises(AssertionError, match="widget_id"):
        build_url(route, {})


def test_axes_logs_are_for_superusers_only(client, world):
    client.force_login(world.a.cadre)
    assert client.get("/admin/axes/accessattempt/").status_code == 403
    assert client.get("/admin/django_tasks_database/dbtaskresult/").status_code == 403
    assert client.get("/admin/django_tasks_database/dbtaskresult/").status_code == 403
    client.force_login(world.admin)
    assert client.get("/admin/axes/accessattempt/").status_code == 200
