"""Rule 1 over every route, with no list of models or routes to keep up to date.

Every URL pattern and API route is discovered, and walked once for every value of a parameter
that names no record (every registered sheet kind, every admin app); the records each route names
are found from the entity registry and each model's declared scope (SCOPE_PATH, SCOPE_HOUSEHOLD,
SCOPE_OWNER; SCOPE_SERVED_BY only narrows SCOPE_PATH); the markers of a leak are the text of the target's rows of every ScopedModel that no
other row holds; the "nothing changed" check snapshots every ScopedModel there is; and the data
posted to a form is read from that form as the target's cadre is shown it. A new app's routes,
tables and forms are therefore covered without editing this file, and a route whose parameter it
does not know, or an entity the world fixture gives no record, makes it fail.

Two passes:
- neighbours (a user of the sibling village, a grid worker of the sibling grid, a villager of
  another household) can neither read nor change another's records: every route fetched under
  the target's node, bare and (a list, search or export) with a search for the target's records,
  and posted the target's form data: 404 (or 405) where it names a record, no marker of the
  target in any answer (a page, a downloaded sheet, an API answer), nothing changed;
- the village's own read-only users (the auditor, the hamlet group leader, the party member, the
  villager) POST valid data to every route, aimed at records they may read, and get 403 or 404
  (or 405) with nothing changed in either village; a route that names no record refuses them
  too, or answers as it answers a GET, unless it is the user's own account (OWN_ACCOUNT_ROUTES:
  a token, elder mode, a session), where whatever changes must be the user's own.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Q, QuerySet
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from xiangzhi.accounts.models import ApiToken
from xiangzhi.accounts.services import api_token_create
from xiangzhi.core.models import AuditEvent, ImportJob
from xiangzhi.core.paths import PathField
from xiangzhi.core.registry import ENTITIES, SHEET_KINDS
from xiangzhi.core.roles import REVEAL_ROLES, WRITE_ROLES
from xiangzhi.core.scope import ScopedModel, scope_for
from xiangzhi.grid.models import GridNode
from xiangzhi.people.actions import PeopleAction
from xiangzhi.people.models import Household, Resident

from ..conftest import Client
from ..factories import make_id

# Configuration tables that are the same for every village (no scope by design): their admin
# pages are walked, but they hold no record of a village to aim at.
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
    # the working-day calendar (core.workdays): one for the whole deployment
    "core.workdayoverride",
    "core.workdayyear",
    # the default deadlines per kind of appeal: one table for the whole deployment
    "appeals.appealdeadlinerule",
    # webhook endpoints: the deployment's, system administrators only
    "core.webhookendpoint",
    # routing rules and trained models, Open311 keys: the deployment's, superusers only
    "appeals.routingrule",
    "appeals.routingmodelrecord",
    "appeals.open311key",
}
# Parameters that name no record, and every value they take: each is walked (every sheet kind's
# template and export, every admin app's index), and checked like the other routes.
PLAIN_KWARGS: dict[str, Callable[[], list[str]]] = {
    "app_label": lambda: sorted({m._meta.app_label for m in admin.site._registry}),
    "kind": lambda: sorted(SHEET_KINDS),
}


def scoped_models() -> list[type[ScopedModel]]:
    """Every installed model whose rows a user's scope limits."""
    return [m for m in apps.get_models() if issubclass(m, ScopedModel)]


def admin_models() -> list[type[models.Model]]:
    """The models with admin pages that name one record (configuration tables excepted)."""
    return [m for m in admin.site._registry if m._meta.label_lower not in GLOBAL_MODELS]


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
    """The records an attacker must not reach, and the markers that would betray a leak.

    `node` is the root of the target's subtree; `household` is the household whose records are
    aimed at first (those a villager of that household can read); `owner` is the user whose own
    records (tokens, import jobs, account) belong to the target; `search` finds `household` in a
    search (its head's name). The markers are taken from the target's rows (markers_by_table).
    """

    label: str
    node: GridNode
    household: Household
    child: Resident | None  # a member a split or a head change would name
    group: GridNode  # a party group of the village, for forms that pick a node
    owner: object
    search: str = ""
    _compiled: dict | None = field(default=None, repr=False, compare=False)
    _by_table: dict | None = field(default=None, repr=False, compare=False)
    _markers: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def path(self) -> str:
        return self.node.path

    def record(self, model) -> models.Model | None:
        """One row of `model` that belongs to the target, found from the model's declared scope."""
        if model is get_user_model():
            return self.owner
        if model is AuditEvent:  # append-only and filed under a node, not a ScopedModel
            return (
                AuditEvent.objects.filter(node__path__startswith=self.path).order_by("seq").first()
            )
        if not issubclass(model, ScopedModel):
            return None
        if model.SCOPE_PATH:
            rows = model.objects.filter(**{f"{model.SCOPE_PATH}__startswith": self.path})
            rows = rows.order_by(model.SCOPE_PATH, "pk")  # the subtree's root first
            if model.SCOPE_HOUSEHOLD:
                mine = rows.filter(**{model.SCOPE_HOUSEHOLD: self.household.pk}).first()
                if mine is not None:
                    return mine
            if (row := rows.first()) is not None:
                return row
        if model.SCOPE_HOUSEHOLD:
            row = model.objects.filter(**{model.SCOPE_HOUSEHOLD: self.household.pk}).first()
            if row is not None:
                return row
        if model.SCOPE_OWNER:
            return model.objects.filter(**{model.SCOPE_OWNER: self.owner.pk}).order_by("pk").first()
        return None

    def objects(self) -> dict[str, models.Model]:
        """A record of the target for every registered entity and every admin model page, by
        entity name and by model label; a model of which the target holds none fails the walk."""
        out: dict[str, models.Model] = {}
        wanted = [(e.name, e.model) for e in ENTITIES.values()]
        wanted += [(m._meta.label_lower, m) for m in admin_models()]
        for name, model in wanted:
            row = self.record(model)
            if row is None:
                raise AssertionError(
                    f"{self.label}: no record of {model._meta.label} ({name}) to aim the scope "
                    "walk at; give the world fixture in tests/conftest.py one under the village's "
                    "grid (SCOPE_PATH), in its household (SCOPE_HOUSEHOLD) or owned by its cadre "
                    "(SCOPE_OWNER)"
                )
            out[name] = row
            out[model._meta.label_lower] = row
        return out

    def households(self):
        """The target's households, as a subquery (a household moved in shows at once)."""
        return Household.objects.filter(node__path__startswith=self.path).values("pk")

    def rows_q(self, model: type[ScopedModel]) -> Q:
        """The rows of a scoped model that belong to the target, by each declared lookup."""
        q = Q(pk__in=[])
        if model.SCOPE_PATH:
            q |= Q(**{f"{model.SCOPE_PATH}__startswith": self.path})
        if model.SCOPE_HOUSEHOLD:
            q |= Q(**{f"{model.SCOPE_HOUSEHOLD}__in": self.households()})
        if model.SCOPE_OWNER:
            q |= Q(**{model.SCOPE_OWNER: self.owner.pk})
        return q

    def snapshot_queries(self) -> dict[str, QuerySet]:
        """What a snapshot reads: every column of every scoped row of the target and every
        many-to-many link of those rows, the owner's account, the audit events filed in the
        subtree and every reveal of personal data."""
        out: dict[str, QuerySet] = {}
        for model in scoped_models():
            label = model._meta.label_lower
            rows = model.objects.filter(self.rows_q(model)).order_by("pk")
            out[label] = rows.values_list(*[f.attname for f in model._meta.concrete_fields])
            for m2m in model._meta.many_to_many:  # tags and the like change no column
                links = rows.filter(**{f"{m2m.name}__isnull": False}).order_by("pk", m2m.name)
                out[f"{label}.{m2m.name}"] = links.values_list("pk", m2m.name)
        user = type(self.owner)
        out["owner"] = user.objects.filter(pk=self.owner.pk).values_list(
            *[f.attname for f in user._meta.concrete_fields]
        )
        events = AuditEvent.objects.order_by("seq").values_list("seq")
        # What own_session_events() needs to tell the acting user's own login or export apart.
        out["audit_in_target"] = events.filter(node__path__startswith=self.path).values_list(
            "seq", "actor_id", "action", "object_type", "object_id"
        )
        out["reveals"] = events.filter(action=str(PeopleAction.RESIDENT_REVEAL))
        return out

    def snapshot(self) -> dict[str, list[tuple]]:
        """The rows of snapshot_queries(), so that any write into the target shows.

        The SQL is compiled once per target and then only run: the walk takes a snapshot after
        each of a thousand requests, and compiling the querysets was most of its time.
        """
        if self._compiled is None:
            self._compiled = {
                key: qs.query.sql_with_params() for key, qs in self.snapshot_queries().items()
            }
        out = {}
        with connection.cursor() as cursor:
            for key, (sql, params) in self._compiled.items():
                cursor.execute(sql, params)
                out[key] = cursor.fetchall()
        return out

    def snapshot_beside(self, households) -> dict[str, list[tuple]]:
        """The snapshot without the rows of these households (SCOPE_HOUSEHOLD) and without the
        audit events and the inbox messages (a household's request tells its handlers): what a
        household's own write (HOUSEHOLD_ROUTES) must leave as it was."""
        out = {}
        for key, qs in self.snapshot_queries().items():
            if key in ("audit_in_target", "core.notification"):
                continue
            model = qs.model
            if issubclass(model, ScopedModel) and model.SCOPE_HOUSEHOLD and households:
                qs = qs.exclude(**{f"{model.SCOPE_HOUSEHOLD}__in": sorted(households)})
            out[key] = list(qs)
        return out

    def secrets(self) -> set[str]:
        """The clear ID numbers and phones of the target's people (pages show them masked)."""
        out = set()
        for r in Resident.objects.filter(node__path__startswith=self.path):
            out |= {v for v in (r.id_number, r.phone) if v}
        return out

    def markers_by_table(self) -> dict[str, list[str]]:
        """For every scoped table, the text of the target's rows that no other row holds.

        A row's text is each of its char and text columns (those with choices excepted: pages
        show their labels) and those of every row it points to (a role's user, a member's
        resident), where the value has a character outside ASCII: what a page shows of a record
        (a code, path or hash could match a page's markup by chance). A value is kept only when
        it is no part of any other row's text, nor of a configuration table's: no page of an
        attacker's own can then hold it, and a body that holds it shows a row of the target.
        """
        if self._by_table is None:
            mine: dict[str, set[str]] = {}
            others: set[str] = set()
            for model in scoped_models():
                ids = set(model.objects.filter(self.rows_q(model)).values_list("pk", flat=True))
                mine[model._meta.label_lower] = set()
                for pk, *texts in model.objects.values_list("pk", *_text_paths(model)):
                    bucket = mine[model._meta.label_lower] if pk in ids else others
                    bucket.update(t for t in texts if _shown(t))
            for label in GLOBAL_MODELS:
                model = apps.get_model(label)
                for texts in model.objects.values_list("pk", *_text_paths(model)):
                    others.update(t for t in texts if _shown(t))
            self._by_table = {
                label: sorted(v for v in texts if not any(v in other for other in others))
                for label, texts in mine.items()
            }
        return self._by_table

    @property
    def markers(self) -> tuple[str, ...]:
        """What betrays a leak: the text of the target's rows (markers_by_table) and the clear
        ID numbers and phones of its people (those no one outside shares)."""
        if self._markers is None:
            text = {v for values in self.markers_by_table().values() for v in values}
            shared = set()
            for r in Resident.objects.exclude(node__path__startswith=self.path):
                shared |= {r.id_number, r.phone}
            self._markers = (*sorted(text), *sorted(self.secrets() - shared))
        return self._markers

    def search_terms(self) -> list[str]:
        """What the walk searches for: `search`, and the longest part that every text marker of
        the target holds (in the world fixture the village's name or its people's surname), which
        a search of any of the target's tables matches. A page shows what was searched for, so a
        term holding a marker whole is cut short (乙独一鸣 is searched as 乙独一)."""
        texts = [v for values in self.markers_by_table().values() for v in values]
        terms = []
        for term in (self.search, _common_part(texts)):
            while term and any(m in term for m in self.markers):
                term = term[:-1]
            if term and term not in terms:
                terms.append(term)
        return terms


def _text_columns(model) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices
    ]


def _text_paths(model) -> list[str]:
    """The lookups of a row's text: its own columns and those of each row it points to."""
    paths = _text_columns(model)
    for f in model._meta.concrete_fields:
        if isinstance(f, models.ForeignKey):  # one-to-one fields too
            paths += [f"{f.name}__{name}" for name in _text_columns(f.related_model)]
    return paths


def _shown(value) -> bool:
    return isinstance(value, str) and not value.isascii()


def _common_part(texts: list[str]) -> str:
    """The longest string that is part of every one of `texts` ("" when none is)."""
    if not texts:
        return ""
    shortest = min(texts, key=len)
    for size in range(len(shortest), 0, -1):
        for start in range(len(shortest) - size + 1):
            part = shortest[start : start + size]
            if all(part in t for t in texts):
                return part
    return ""


def write_count() -> int:
    """Rows this connection has inserted, updated or deleted so far, in every table (SQLite's
    total_changes; PostgreSQL's counters of the open transaction). The walks take a snapshot of
    the target only when it moved: the answer to "did this request write anything?" in one call
    instead of a query per table."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.total_changes
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
            "FROM pg_stat_xact_all_tables"
        )
        return int(cursor.fetchone()[0])


def changed(before: dict, after: dict) -> list[str]:
    """The parts of a snapshot that differ (for a failure's message)."""
    return [key for key in before if before[key] != after.get(key)]


def _row(obj) -> tuple:
    """Every column of one row, read again from the database."""
    model = type(obj)
    fields = [f.attname for f in model._meta.concrete_fields]
    return model.objects.filter(pk=obj.pk).values_list(*fields).get()


def village_target(v) -> Target:
    return Target(
        f"village {v.key}",
        v.node,
        v.household,
        v.child,
        v.group,
        v.cadre,
        v.marker_name,
    )


def sibling_grid_target(v) -> Target:
    """The sibling grid inside the same village: what a grid worker of the other grid must not see."""
    other = v.other_household
    return Target(
        f"sibling grid of village {v.key}",
        v.sibling_grid,
        other,
        None,
        v.group,
        v.cadre,
        other.head.name,
    )


def group_target(v) -> Target:
    """The hamlet party group of a village, whose subtree its group leader reads."""
    return Target(
        f"party group of village {v.key}",
        v.group,
        v.household,
        v.child,
        v.group,
        v.cadre,
        v.marker_name,
    )


def post_payload(
    attacker, target: Target, objects: dict[str, models.Model], form: dict | None = None
) -> dict:
    """Valid data for every form, pointing at the target: if a check were missing, it would write.

    `form` is what the route's own form holds, filled (form_payloads): it serves any app's form;
    the names below, which the registry's forms use, take precedence over it."""
    return {
        **(form or {}),
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
        # an admin list's bulk delete, confirmed, over the target's records (of every model: the
        # list keeps those of its own model)
        "action": "delete_selected",
        "post": "yes",
        "_selected_action": sorted({row.pk for row in objects.values()}),
    }


# What a form's field gets when the page leaves it empty, by the input's type.
SAMPLES = {
    "date": "2024-01-02",
    "datetime-local": "2024-01-02T08:00",
    "time": "08:00",
    "month": "2024-01",
    "number": "1",
    "range": "1",
    "email": "yuequan@example.com",
    "tel": "13912345678",
    "url": "https://example.com/",
    "password": "Yue-quan-2024",
}
NOT_SENT = {"submit", "button", "image", "reset", "file"}


def _text(default: str, maxlength: str | None) -> str:
    """A text that differs from the form's own: 越权写入, or 越权 before what the field holds."""
    text = "越权" + default if default else "越权写入"
    return text[: int(maxlength)] if maxlength and maxlength.isdigit() else text


class FormReader(HTMLParser):
    """The POST forms of a page, each as (its action, its fields filled with plausible values):
    a text gets 越权写入, a date, number, e-mail or phone a sample (SAMPLES), a hidden field and a
    radio button their value, every checkbox is ticked, and a select takes the target's node if
    it offers it, else its selected option, else its first option with a value."""

    def __init__(self, prefer: str):
        super().__init__(convert_charrefs=True)
        self.prefer = prefer
        self.forms: list[tuple[str, dict]] = []
        self._fields: dict | None = None  # the POST form being read
        self._select: tuple[str, bool, list[list]] | None = None  # name, multiple, options
        self._textarea: tuple[str, str | None, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form":
            self._fields = {} if (a.get("method") or "").lower() == "post" else None
            if self._fields is not None:
                self.forms.append((a.get("action") or "", self._fields))
            return
        name = a.get("name")
        if self._fields is None or (not name and tag != "option"):
            return
        if name == "csrfmiddlewaretoken":
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            value = a.get("value") or ""
            if kind in NOT_SENT:
                return
            if kind == "checkbox":
                self._fields.setdefault(name, []).append(value or "on")
            elif kind == "radio":
                if "checked" in a or name not in self._fields:
                    self._fields[name] = value
            elif kind == "hidden":
                self._fields[name] = value
            elif kind in SAMPLES:
                self._fields[name] = value or SAMPLES[kind]
            else:
                self._fields[name] = _text(value, a.get("maxlength"))
        elif tag == "select":
            self._select = (name, "multiple" in a, [])
        elif tag == "option" and self._select is not None:
            # [value, selected, value read from the text]
            self._select[2].append([a.get("value") or "", "selected" in a, "value" not in a])
        elif tag == "textarea":
            self._textarea = (name, a.get("maxlength"), [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[2].append(data)
        elif self._select is not None and self._select[2] and self._select[2][-1][2]:
            self._select[2][-1][0] += data.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "select" and self._select is not None and self._fields is not None:
            name, multiple, options = self._select
            values = [value for value, _, _ in options]
            chosen = (
                self.prefer
                if self.prefer in values
                else next((v for v, selected, _ in options if selected), None)
                or next((v for v in values if v), "")
            )
            self._fields[name] = [chosen] if multiple else chosen
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._fields is not None:
            name, maxlength, text = self._textarea
            self._fields[name] = _text("".join(text).strip(), maxlength)
            self._textarea = None


def form_payloads(target: Target, routes: list[Route], objects: dict) -> dict[str, dict]:
    """What the forms the target's cadre is shown hold, filled (FormReader), by the path they post
    to: every page the walk knows is fetched as the cadre, an owner who may write there. A new
    app's form is then posted with data it accepts, so a missing check would write. (The API
    has no forms, and the admin's are Django's own, whose names post_payload gives.)"""
    owner = Client()
    owner.force_login(target.owner)
    out: dict[str, dict] = {}
    for route in routes:
        if route.is_api or route.is_admin or route.name == "logout":
            continue
        for url in build_urls(route, objects):
            response = owner.get(url)
            kind = response.get("Content-Type", "")
            if response.status_code != 200 or response.streaming or "html" not in kind:
                continue
            reader = FormReader(str(target.node.pk))
            reader.feed(response.content.decode())
            for action, fields in reader.forms:
                out.setdefault(urlsplit(urljoin(url, action)).path, {}).update(fields)
    return out


def build_urls(route: Route, objects: dict[str, object]) -> list[str]:
    """Fill the route's parameters with the target's records, once for every value of each
    parameter that names no record (PLAIN_KWARGS); none when the route is global."""
    values: dict[str, object] = {}
    plain: dict[str, list[str]] = {}
    admin_model = _admin_model(route)
    if admin_model in GLOBAL_MODELS and route.kwargs:
        return []  # a configuration row: no village's record to aim at
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
            plain[kw] = PLAIN_KWARGS[kw]()
            continue
        elif kw == "url" and route.name is None:
            return []  # the admin's catch-all redirect: it serves no record
        else:
            raise AssertionError(
                f"route {route.pattern!r} has a parameter {kw!r} the scope test does not know: name "
                "record parameters <entity>_id and register the entity (core.registry.register_entity)"
            )
        values[kw] = obj.pk
    urls = []
    for combination in itertools.product(*plain.values()):
        kwargs = {**values, **dict(zip(plain, combination, strict=True))}
        if route.name:
            urls.append(reverse(route.name, kwargs=kwargs or None))
        else:
            url = re.sub(
                r"<(?:\w+:)?(\w+)>", lambda m, kw=kwargs: str(kw[m.group(1)]), route.pattern
            )
            urls.append("/" + url.lstrip("^").rstrip("$"))
    return urls


def build_url(route: Route, objects: dict[str, object]) -> str | None:
    """The route's first URL (build_urls), None when the route is global."""
    urls = build_urls(route, objects)
    return urls[0] if urls else None


def attackers(world):
    """(who, the user, what they must not reach) for the three kinds of neighbours."""
    return [
        ("cadre of the sibling village", world.a.cadre, village_target(world.b)),
        ("secretary of the sibling village", world.b.secretary, village_target(world.a)),
        ("auditor of the sibling village", world.a.auditor, village_target(world.b)),
        ("grid worker of the sibling grid", world.a.worker, sibling_grid_target(world.a)),
        ("villager of another household", world.a.villager, sibling_grid_target(world.a)),
        # Department staff see, in their bound subtree, only what their department serves
        # (SCOPE_SERVED_BY): neither the sibling village nor their village's untagged household.
        (
            "department staff of the sibling village",
            world.a.department_user,
            village_target(world.b),
        ),
        (
            "department staff, an untagged household",
            world.a.department_user,
            sibling_grid_target(world.a),
        ),
    ]


def _request(client, route: Route, method: str, url: str, data: dict, token: str):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if route.is_api else {}
    if method == "GET":
        return client.get(url, data, **headers)
    if route.is_api:
        return client.post(url, json.dumps(data), content_type="application/json", **headers)
    return client.post(url, data, **headers)


# A neighbour's request that names another's record: not found (or not this method). The admin
# may also send a user without staff status to its login, or refuse a staff user outright.
DENIED_ENTITY = {404, 405}
DENIED_ADMIN = {302, 403, 404, 405}
# A read-only user's write to a record they may see: forbidden (or not found, or not this method).
REFUSED = {403, 404, 405}
REFUSED_ADMIN = REFUSED | {302}
# Django's admin history page is a read that answers any method: it has no write to refuse.
ADMIN_READS = ("/history",)
# The routes naming no record that act on the user's own account or session alone: a read-only
# user's POST may be carried out there (own_rows then checks that what changed is their own).
# Every other route naming no record refuses that POST (a 4xx, or a redirect to a login page), or
# answers it exactly as a GET (a page that reads whatever the method: the home page's redirect,
# the API's schema, the admin's lists for a user who may only view them); a 2xx or 3xx there
# would be a write carried out, or a form re-shown with errors, the check never tried. The
# import upload is no exception: it refuses them (and test_no_read_only_user_can_start_an_import
# tries it with a real file).
OWN_ACCOUNT_ROUTES = {
    "logout",  # their own session
    "admin:logout",
    "accounts:elder_mode",  # their own display setting
    "accounts:profile",  # their own API tokens
    "accounts:password_change",  # their own password (the walk's payload gives no old one)
    "admin:password_change",
    "accounts:sessions_end",  # their own other sessions and tokens
    "inbox:read_all",  # their own inbox messages
    "admin:login",  # the admin's login form, which a staff user may post again
    # 我的党务: a member records what they did on their own posts (post_entry_record lets the
    # post's holder alone, or a cadre); it names no record, and refuses others' posts (see
    # tests/party/test_posts.py). The walk posts it no entry of its own form, as the cadre sees none.
    "party:my_party_work",
}
# The routes where a villager or party member acts for their own household (raise an appeal,
# rate its result, have it handled again): their POST there may write, and what it changes must
# be their own household's (Target.snapshot_beside), whatever it answers.
HOUSEHOLD_ROUTES = {
    *("appeals:submit", "appeals:rate", "appeals:reopen"),
    *("api:appeal_submit", "api:appeal_rate", "api:appeal_reopen"),
    "appeals:service_offering_request",  # ask for an offering of their village's menu
}
_CSRF_TOKEN = re.compile(r"[A-Za-z0-9]{64}")


def _to_login(response) -> bool:
    """A redirect to a login page: the user may not go there."""
    if response.status_code not in {301, 302, 303, 307, 308}:
        return False
    where = urlsplit(response["Location"]).path
    return where in {resolve_url(settings.LOGIN_URL), reverse("admin:login")}


def _answer(response, body: str) -> tuple:
    """What a user gets, to compare a POST's answer with a GET's: the status, where a redirect
    goes, and the body but for its CSRF tokens (new in every page)."""
    return response.status_code, response.get("Location"), _CSRF_TOKEN.sub("", body)


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


def names_a_record(route: Route) -> bool:
    """True when the route acts on a record; the others act on the user's own account or list."""
    return any(k not in PLAIN_KWARGS for k in route.kwargs)


def township_target(world) -> Target:
    """Both villages at once: what a read-only user's POST must leave as it was."""
    a = world.a
    return Target("the township", world.township, a.household, a.child, a.group, a.cadre)


def readers(world):
    """(who, the user, the records of their own village they can read) for its read-only users."""
    a = world.a
    return [
        ("auditor", a.auditor, village_target(a)),
        ("hamlet group leader", a.group_leader, group_target(a)),
        ("party member", a.member_user, sibling_grid_target(a)),  # their household is there
        ("villager", a.villager, village_target(a)),  # aimed at their own household first
        ("department staff", a.department_user, village_target(a)),  # a 低保户 they serve
    ]


# The actions a read-only user's own session leaves in the trail of their township, filed under
# their topmost bound node (core.scope.home_node): a login (the walk logs them in again after a
# logout route), a failed login (the password change checks the old password through the login
# machinery), what they do to their own account (elder mode, log out everywhere, a password, an
# API token), and an export of what they may read.
OWN_ACCOUNT_ACTIONS = {
    "accounts.user_login",
    "accounts.user_login_failed",
    "accounts.user_login_locked",
    "accounts.user_elder_mode",
    "accounts.user_sessions_end",
    "accounts.user_password_change",
}
OWN_TOKEN_ACTIONS = {"accounts.api_token_create", "accounts.api_token_revoke"}


def own_session_events(snapshot: dict, user) -> dict:
    """The snapshot without the events about the user's own account and their own exports: a
    read-only user's logins and reads are recorded where their auditors read them, and are no
    change to the village. Any other event in the target (a write, a reveal) still shows."""

    def own(seq, actor_id, action, object_type, object_id) -> bool:
        about_self = object_type == "accounts.user" and object_id == str(user.pk)
        if action in OWN_ACCOUNT_ACTIONS and about_self:
            return True
        if action in OWN_TOKEN_ACTIONS and object_type == "accounts.apitoken":
            return actor_id == user.pk  # a token is its owner's (api_token_revoke checks it)
        exported = object_type.endswith(".export") or action == "core.audit_export"
        return actor_id == user.pk and exported

    events = [row for row in snapshot["audit_in_target"] if not own(*row)]
    return {**snapshot, "audit_in_target": events}


# A party member records visits to the households they contact (党员联系户), and adds photos to
# the visits they recorded: the one write a read-only role makes in its village, into these
# tables only.
CONTACT_WRITES = {"party:visit_new", "api:list_visits", "api:add_visit", "api:add_visit_photos"}
CONTACT_WRITE_TABLES = {
    "party.visit",
    "party.visitphoto",
    "party.visitneed",
    "party.contactlink",
    "party.followup",
    "audit_in_target",
}
USED = "last_used_at"  # an API token's use is no write of the user's


class OwnRows:
    """own_rows(user), read again only when something was written since it was last read (a
    login, a token, a request's write): reading it around every request was a third of the
    read-only pass on PostgreSQL."""

    def __init__(self, user) -> None:
        self.user, self.mark, self.value = user, None, None

    def __call__(self) -> dict:
        mark = write_count()
        if mark != self.mark:
            self.value, self.mark = own_rows(self.user), mark
        return self.value


def own_rows(user) -> dict:
    """What belongs to the user alone: their account and every scoped row they own."""
    out: dict[str, object] = {"account": _row(user)}
    for model in scoped_models():
        if model.SCOPE_OWNER:
            # A token's last use is stamped by every API request: a read, not a write of theirs.
            fields = [f.attname for f in model._meta.concrete_fields if f.attname != USED]
            out[model._meta.label_lower] = list(
                model.objects.filter(**{model.SCOPE_OWNER: user.pk})
                .order_by("pk")
                .values_list(*fields)
            )
    return out


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


def get_queries(target: Target, route: Route) -> list[dict]:
    """The queries a neighbour fetches a route with: under the target's node, as a page filtered
    by node is asked (it must refuse the node), then bare, and for a route naming no record (a
    list, search or export page) with only a search for the target's records: a page that
    ignores the scope shows the target's rows in those. (A route naming a record must refuse it
    whatever the query.)"""
    terms = target.search_terms()
    node = {"node": target.node.pk, "node_id": target.node.pk}
    searches = [] if names_a_record(route) else [{"q": t, "search": t} for t in terms]
    return [{**node, "q": terms[0], "search": terms[0]}, {}, *searches]


def _shown_url(url: str, method: str, data: dict) -> str:
    if method != "GET" or not data:
        return url
    return url + "?" + "&".join(f"{k}={v}" for k, v in data.items())


class _Forms(dict):
    """form_payloads of each target, fetched once per walk."""

    def __init__(self, routes: list[Route]):
        super().__init__()
        self.routes = routes

    def of(self, target: Target, objects: dict) -> dict[str, dict]:
        if target.label not in self:
            self[target.label] = form_payloads(target, self.routes, objects)
        return self[target.label]


def neighbour_walk(client, world, capture, routes: list[Route] | None = None) -> int:
    """Every route (or those given), with every value of a parameter that names no record,
    fetched with each of get_queries and posted the target's form data: no marker of the target
    in any answer, a refusal where the route names a record of the target, and nothing of the
    target changed. Returns the number of requests checked."""
    routes = discover_routes() if routes is None else routes
    forms = _Forms(routes)
    checked = 0
    for who, user, target in attackers(world):
        _, token = api_token_create(actor=user, name="scope-test")
        objects = target.objects()
        payloads = forms.of(target, objects)
        markers = target.markers
        assert len(markers) >= 5, (target.label, markers)
        client.force_login(user)
        after = target.snapshot()
        for route in routes:
            has_record = names_a_record(route)
            for url in build_urls(route, objects):
                # The snapshot after the previous URL serves as this one's "before": logging the
                # attacker back in changes nothing of the target's.
                before, mark = after, write_count()
                post = post_payload(user, target, objects, payloads.get(urlsplit(url).path))
                queries = get_queries(target, route)
                for method, data in [*(("GET", q) for q in queries), ("POST", post)]:
                    with capture(execute=True):
                        response = _request(client, route, method, url, data, token)
                    body = _body(response)
                    where = f"{who} {method} {_shown_url(url, method, data)} ({route.name})"
                    for marker in markers:
                        assert marker not in body, f"{where} leaked {marker!r}"
                    if has_record:
                        allowed = DENIED_ADMIN if route.is_admin else DENIED_ENTITY
                        assert response.status_code in allowed, (
                            f"{where} answered {response.status_code}"
                        )
                    assert response.status_code < 500, f"{where} failed with {response.status_code}"
                    checked += 1
                after = target.snapshot() if write_count() != mark else before
                assert after == before, (
                    f"{who} changed {target.label} through {url}: {changed(before, after)}"
                )
                if SESSION_KEY not in client.session:  # a logout route ended the session
                    client.force_login(user)
                if not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists():
                    _, token = api_token_create(actor=user, name="scope-test")  # 退出其他所有设备
    return checked


@pytest.mark.django_db
def test_no_neighbour_can_read_or_change_anothers_records(
    client, world, django_capture_on_commit_callbacks
):
    assert neighbour_walk(client, world, django_capture_on_commit_callbacks) > 2500


@dataclass
class ReadOnlyWalk:
    """What the read-only pass saw: requests checked, each user's answers and own writes, and
    the contact's visit routes that wrote."""

    checked: int = 0
    statuses: dict[str, dict[str | None, int]] = field(default_factory=dict)
    own_writes: dict[str, set[str | None]] = field(default_factory=dict)
    contact_writes: set[str] = field(default_factory=set)


def read_only_walk(client, world, capture, routes: list[Route] | None = None) -> ReadOnlyWalk:
    """saleor's rule, every mutation tried without the permission, over every route (or those
    given): the village's auditor, hamlet group leader, party member and villager POST valid
    data aimed at records they may read (the target's cadre's form, filled), and get a refusal
    with nothing changed; a route naming no record refuses too, unless it is their own
    account's (OWN_ACCOUNT_ROUTES) or answers the POST as a GET."""
    routes = discover_routes() if routes is None else routes
    forms = _Forms(routes)
    township = township_target(world)  # their village, and its sibling for good measure
    seen = ReadOnlyWalk()
    checked = 0
    contact_writes = seen.contact_writes
    for who, user, target in readers(world):
        roles = {role for role, _, _ in scope_for(user).bindings}
        assert roles and not roles & WRITE_ROLES, f"core/roles.py lets the {who} write: {roles}"
        # Should roles.py let one of them reveal, the reveal route answers them (audited) and
        # this pass must expect it; today none of them may.
        assert not roles & REVEAL_ROLES, f"core/roles.py lets the {who} reveal: {roles}"
        _, token = api_token_create(actor=user, name="scope-test")
        objects = target.objects()
        payloads = forms.of(target, objects)
        secrets = target.secrets()
        assert secrets
        statuses: dict[str | None, int] = {}
        own_writes: set[str | None] = set()
        own = OwnRows(user)
        client.force_login(user)
        after = own_session_events(township.snapshot(), user)
        for route in routes:
            for url in build_urls(route, objects):
                before, own_before = after, own()  # as in the first pass
                mark = write_count()
                households = scope_for(user).household_ids
                for_household = route.name in HOUSEHOLD_ROUTES and bool(households)
                if for_household:
                    beside = township.snapshot_beside(households)
                post = post_payload(user, target, objects, payloads.get(urlsplit(url).path))
                if not names_a_record(route):  # what a GET answers (and a message pending shows)
                    response = _request(client, route, "GET", url, {}, token)
                    as_get = _answer(response, _body(response))
                # What a write leaves for after the commit (a queued task) happens too, and shows.
                with capture(execute=True):
                    response = _request(client, route, "POST", url, post, token)
                body = _body(response)
                status = statuses[route.name] = response.status_code
                where = f"the {who} POST {url} ({route.name})"
                assert status < 500, f"{where} failed with {status}"
                for secret in secrets:
                    assert secret not in body, f"{where} showed a full ID number or phone"
                if for_household:
                    after = own_session_events(township.snapshot(), user)
                    assert township.snapshot_beside(households) == beside, (
                        f"{where} changed more than the {who}'s own household"
                    )
                    checked += 1
                    continue
                if names_a_record(route):
                    allowed = REFUSED_ADMIN if route.is_admin else REFUSED
                    if route.is_admin and route.pattern.rstrip("/").endswith(ADMIN_READS):
                        allowed = allowed | {200}
                    if user == world.a.member_user and route.name in CONTACT_WRITES:
                        allowed = allowed | {201, 302, 422}  # their visit, checked below
                    assert status in allowed, f"{where} answered {status}"
                else:
                    assert (
                        status >= 400
                        or _to_login(response)
                        or route.name in OWN_ACCOUNT_ROUTES
                        or _answer(response, body) == as_get
                    ), (
                        f"{where} answered {status}: a route naming no record refuses a read-only "
                        "user's POST (403, 404, 405) before it reads the data, or answers it as a "
                        "GET, unless it is one of OWN_ACCOUNT_ROUTES"
                    )
                if write_count() != mark:
                    after = own_session_events(township.snapshot(), user)
                if user == world.a.member_user and route.name in CONTACT_WRITES:
                    # The member is the contact of households of the village (tests/conftest.py):
                    # recording a visit to them is theirs to do, and writes nothing else.
                    assert set(changed(before, after)) <= CONTACT_WRITE_TABLES, (
                        f"{where} changed {changed(before, after)}"
                    )
                    if after != before:
                        contact_writes.add(route.name)
                else:
                    assert after == before, (
                        f"{where} changed {township.label}: {changed(before, after)}"
                    )
                if own() != own_before:
                    own_writes.add(route.name)
                if not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists():
                    # 退出其他所有设备 revoked their tokens: a new one, so that the API's write
                    # routes after it are refused for the role, not for a dead token.
                    _, token = api_token_create(actor=user, name="scope-test")
                    after = own_session_events(township.snapshot(), user)
                checked += 1
                if SESSION_KEY not in client.session:  # a logout route ended the session
                    client.force_login(user)
        # What changed is the user's own, through routes that name no record.
        assert all(not names_a_record(r) for r in routes if r.name in own_writes), own_writes
        seen.statuses[who], seen.own_writes[who] = statuses, own_writes
    seen.checked = checked
    return seen


@pytest.mark.django_db
@pytest.mark.usefixtures("visited_earlier")  # the member's visit today is then the walk's own
def test_no_read_only_user_can_change_their_own_villages_records(
    client, world, django_capture_on_commit_callbacks
):
    seen = read_only_walk(client, world, django_capture_on_commit_callbacks)
    assert seen.checked > 400 and len(seen.statuses) == len(readers(world))
    for who, statuses in seen.statuses.items():
        # They may see the resident aimed at, so the reveal is refused by role, not hidden.
        assert statuses["people:resident_reveal"] == 403, who
        # What changed is their own (a token made on their profile, elder mode); and the payload
        # does write where writing is allowed, so the refusals are real ones.
        own = seen.own_writes[who]
        assert {"accounts:profile", "accounts:elder_mode"} <= own, (who, own)
    assert "party:visit_new" in seen.contact_writes  # the payload writes where writing is allowed


def test_no_read_only_user_can_start_an_import(client, world, settings, tmp_path):
    """The one write into the village by a route without a record whose form the walk's payload
    cannot fill (its kind is a sheet kind where the walk sends a change kind, and it needs a
    file): tried here with a real upload, which would only queue the import if it were let in."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.XIANGZHI_UPLOAD_DIR = tmp_path
    for who, user, _ in readers(world):
        client.force_login(user)
        upload = SimpleUploadedFile("越权导入.xlsx", b"PK\x03\x04 not read before the worker")
        r = client.post(reverse("sheets:import_upload"), {"kind": "residents", "file": upload})
        assert r.status_code == 403, who
        assert not ImportJob.objects.filter(created_by=user).exists(), who
    assert not any(tmp_path.iterdir())


@pytest.mark.django_db
def test_the_same_routes_do_open_for_the_owner(client, world):
    """The control: with their own records, users get the pages (so a 404 above is a real refusal)."""
    _, token = api_token_create(actor=world.a.cadre, name="own")
    objects = village_target(world.a).objects()
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


def test_the_walk_catches_a_list_that_forgets_the_scope(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    """household_list reading Household.objects.all() instead of .for_actor(actor): the page
    refuses another village's ?node=, but the list without one shows every household."""
    from xiangzhi.people import selectors

    household_list = selectors.household_list

    def household_list_without_scope(*, actor, **filters):
        return household_list(actor=world.admin, **filters)  # what .all() would give

    monkeypatch.setattr(selectors, "household_list", household_list_without_scope)
    with pytest.raises(AssertionError, match=r"GET /people/households/ .*leaked"):
        test_no_neighbour_can_read_or_change_anothers_records(
            client, world, django_capture_on_commit_callbacks
        )


def test_every_sheet_kind_and_admin_app_is_walked(db):
    routes = {r.name: r for r in discover_routes()}
    urls = build_urls(routes["sheets:export"], {})
    assert urls == [reverse("sheets:export", args=[kind]) for kind in sorted(SHEET_KINDS)]
    assert len(build_urls(routes["sheets:import_template"], {})) == len(SHEET_KINDS) >= 4
    assert reverse("admin:app_list", args=["party"]) in build_urls(routes["admin:app_list"], {})
    # the allow-list names routes that exist
    assert set(OWN_ACCOUNT_ROUTES) <= set(routes)


def test_every_scoped_table_gives_the_walk_markers(world):
    """A leak of any scoped table shows: each target's rows of it have text of their own, and
    no marker is part of any text of the world outside the target (no false alarm)."""
    for target in _targets(world):
        by_table = target.markers_by_table()
        for model in scoped_models():
            label = model._meta.label_lower
            assert by_table[label], (
                f"{target.label}: no text of its {label} rows is its own; give them strings "
                "naming the village in tests/conftest.py"
            )
    a, b = village_target(world.a), village_target(world.b)
    assert world.b.marker_name in b.markers and world.b.marker_address in b.markers
    assert not set(a.markers) & set(b.markers)
    assert not any(m in t for m in b.markers for t in a.markers)
    assert b.search_terms() == ["乙独一", "乙"]  # never a marker whole: a page shows the query
    sibling = sibling_grid_target(world.a).markers
    assert world.a.other_household.address in sibling and world.a.marker_address not in sibling


def test_the_walk_fills_a_form_it_has_never_seen():
    page = """
        <form method="get"><input name="q"></form>
        <form method="post" action="/x/new/">
          <input type="hidden" name="csrfmiddlewaretoken" value="t">
          <input type="hidden" name="step" value="2">
          <input name="title" maxlength="3"><input name="label" value="旧">
          <input type="date" name="on"><input type="number" name="n" value="7">
          <input type="checkbox" name="flag"><input type="checkbox" name="tags" value="x">
          <input type="checkbox" name="tags" value="y">
          <input type="radio" name="r" value="1"><input type="radio" name="r" value="2" checked>
          <select name="node"><option value="">---</option><option value="5">甲</option>
            <option value="9">乙</option></select>
          <select name="kind"><option value="">---</option><option>birth</option></select>
          <textarea name="note">旧的</textarea><input type="submit" name="go" value="保存">
        </form>
        <form method="post"><input name="own"></form>"""
    reader = FormReader("9")
    reader.feed(page)
    assert reader.forms == [
        (
            "/x/new/",
            {
                "step": "2",
                "title": "越权写",
                "label": "越权旧",
                "on": "2024-01-02",
                "n": "7",
                "flag": ["on"],
                "tags": ["x", "y"],
                "r": "2",
                "node": "9",  # the target's node, offered
                "kind": "birth",  # else the first option with a value
                "note": "越权旧的",
            },
        ),
        ("", {"own": "越权写入"}),
    ]


def test_axes_logs_are_for_superusers_only(client, world):
    client.force_login(world.a.cadre)
    assert client.get("/admin/axes/accessattempt/").status_code == 403
    assert client.get("/admin/django_tasks_database/dbtaskresult/").status_code == 403
    assert client.get("/admin/django_tasks_database/dbtaskresult/").status_code == 403
    client.force_login(world.admin)
    assert client.get("/admin/axes/accessattempt/").status_code == 200


# --- the generic helpers: what lets a new app's table in without editing this file ----------


def _targets(world) -> list[Target]:
    return [
        village_target(world.a),
        village_target(world.b),
        sibling_grid_target(world.a),
        group_target(world.a),
    ]


def test_the_targets_hold_a_record_of_every_registered_entity(world):
    assert {"node", "household", "resident", "party_member", "token", "import_job"} <= set(ENTITIES)
    for target in _targets(world):
        objects = target.objects()
        for entity in ENTITIES.values():
            row = objects[entity.name]
            assert isinstance(row, entity.model), (target.label, entity.name)
            if entity.model is get_user_model():  # an account: the target's owner, unscoped
                assert row == target.owner
                continue
            # ... and the row is one of the target's own, as the snapshot sees them
            mine = entity.model.objects.filter(target.rows_q(entity.model))
            assert mine.filter(pk=row.pk).exists(), (target.label, entity.name)
        for model in admin_models():
            assert objects[model._meta.label_lower] is not None


def test_the_records_aimed_at_are_the_ones_a_household_can_see_first(world):
    a = world.a
    objects = village_target(a).objects()
    assert objects["node"] == a.node and objects["household"] == a.household
    assert objects["resident"] == a.head
    sibling = sibling_grid_target(a).objects()
    assert sibling["node"] == a.sibling_grid and sibling["household"] == a.other_household
    assert sibling["resident"] == a.other_head and sibling["party_member"] == a.party_member
    assert sibling["role_assignment"].user == a.sibling_worker
    assert sibling["token"].user == a.cadre and sibling["import_job"].created_by == a.cadre


def test_an_entity_the_world_gives_no_record_fails_the_walk(world):
    ImportJob.objects.filter(created_by=world.b.cadre).delete()
    village_target(world.a).objects()  # the other village's jobs do not matter
    with pytest.raises(AssertionError, match=r"core\.ImportJob \(import_job\).*conftest"):
        village_target(world.b).objects()


def test_the_snapshot_holds_every_scoped_model(world):
    scoped = {m._meta.label_lower for m in scoped_models()}
    assert {"accounts.apitoken", "core.importjob", "grid.gridnode", "people.resident"} <= scoped
    snapshot = village_target(world.a).snapshot()
    assert scoped <= set(snapshot)
    for label in scoped:
        assert snapshot[label], f"the snapshot of village a holds no {label} row"


def _touch(row) -> str:
    """Change one column of a row behind every service's back, as a missing check would."""
    model = type(row)
    for f in model._meta.concrete_fields:
        if f.primary_key or f.unique or isinstance(f, PathField):
            continue
        if isinstance(f, models.CharField | models.FileField) and f.max_length >= 2:
            new = ("改" + str(getattr(row, f.attname) or ""))[: f.max_length]
        elif isinstance(f, models.BooleanField):
            new = not getattr(row, f.attname)
        else:
            continue
        # The base manager: an append-only ledger's own manager refuses every update.
        model._base_manager.filter(pk=row.pk).update(**{f.attname: new})
        return f.name
    for f in model._meta.concrete_fields:  # no text or flag: a number (a kept balance)
        if isinstance(f, models.IntegerField) and not (f.primary_key or f.unique):
            model._base_manager.filter(pk=row.pk).update(**{f.attname: models.F(f.attname) + 1})
            return f.name
    raise AssertionError(f"{model._meta.label} has no column this test knows how to change")


def test_a_write_into_any_scoped_table_shows_in_the_snapshot(world):
    """Whatever app a scoped table comes from, a change to one of its rows is caught."""
    for target in (village_target(world.b), sibling_grid_target(world.a)):
        objects = target.objects()
        for model in scoped_models():
            label = model._meta.label_lower
            before = target.snapshot()
            column = _touch(objects[label])
            assert target.snapshot() != before, f"{target.label}: a change of {label}.{column}"
        # a link added to a many-to-many field (a household's tags), which changes no column
        for model in scoped_models():
            for m2m in model._meta.many_to_many:
                before = target.snapshot()
                links = getattr(objects[model._meta.label_lower], m2m.name)
                links.add(m2m.related_model.objects.exclude(pk__in=links.all()).first())
                assert target.snapshot() != before, f"a link of {model._meta.label}.{m2m.name}"
        # and the owner's account, which is no scoped model
        before = target.snapshot()
        type(target.owner).objects.filter(pk=target.owner.pk).update(is_active=False)
        assert target.snapshot() != before


def test_the_write_count_moves_with_any_write_and_only_then(world):
    """The walks skip the snapshot when write_count() did not move: it must move with a write to
    any table (scoped or not, by the ORM or raw SQL, a delete too) and stay put on reads."""
    mark = write_count()
    village_target(world.a).snapshot()
    assert write_count() == mark  # a read
    for model in (*scoped_models(), ImportJob, get_user_model()):
        mark = write_count()
        row = model._base_manager.order_by("pk").first()
        model._base_manager.filter(pk=row.pk).update(**{model._meta.pk.attname: row.pk})
        assert write_count() > mark, model._meta.label
    mark = write_count()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM people_household_tags")
    assert write_count() > mark


def test_a_token_is_in_the_scope_of_its_owner_alone(world):
    a = world.a
    own = ApiToken.objects.filter(user=a.cadre)
    assert list(ApiToken.objects.for_actor(a.cadre)) == list(own)
    for other in (a.secretary, a.auditor, world.chief, world.b.cadre):
        assert not ApiToken.objects.for_actor(other).filter(user=a.cadre).exists()


def test_no_page_export_or_api_answer_shows_a_full_number(client, world):
    """Issue 10: a full ID number or phone leaves the server only through the audited reveal.
    Every route the walk knows is fetched (GET, with a search) as each role of the village,
    owners and revealers included, and no body, downloaded sheet or API answer may hold one."""
    secrets = township_target(world).secrets()
    assert len(secrets) >= 7  # six ID numbers and a phone
    objects = village_target(world.a).objects()
    users = [world.chief, world.a.cadre, world.a.secretary, world.a.worker, world.a.villager]
    fetched = 0
    for user in users:
        _, token = api_token_create(actor=user, name="scan")
        client.force_login(user)
        for route in discover_routes():
            if route.name in {"logout", "admin:logout"}:
                continue
            for url in build_urls(route, objects):  # every sheet kind's template and export
                query = {"q": world.a.marker_name, "search": world.a.marker_name}
                response = _request(client, route, "GET", url, query, token)
                body = _body(response)
                for secret in secrets:
                    assert secret not in body, f"{user} GET {url} showed a full number"
                fetched += response.status_code == 200
    assert fetched >= 100


def test_the_read_only_pass_sets_aside_only_the_users_own_logins_and_exports(world):
    """A read-only user's login (the walk logs them in again after a logout route), failed login
    and export are filed in their own village now (core.scope.home_node): no change to it. Another
    user's login there, or any other event of theirs, still shows."""
    from xiangzhi.core.audit import audit_record

    a, township = world.a, township_target(world)
    auditor = a.auditor

    def seen():
        return own_session_events(township.snapshot(), auditor)

    before = seen()
    audit_record(actor=auditor, action="accounts.user_login", obj=auditor, node=a.node)
    audit_record(
        actor=None,
        action="accounts.user_login_failed",
        node=a.node,
        object_type="accounts.user",
        object_id=str(auditor.pk),
    )
    audit_record(actor=auditor, action="people.resident_export", object_type="people.export")
    audit_record(
        actor=auditor, action="people.resident_export", node=a.node, object_type="people.export"
    )
    assert seen() == before
    audit_record(actor=a.cadre, action="accounts.user_login", obj=a.cadre, node=a.node)
    assert seen() != before
    before = seen()
    audit_record(actor=auditor, action="people.household_update", obj=a.household)
    assert seen() != before
