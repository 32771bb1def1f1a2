"""Rule 1, one scope: the single place that decides what a user may see and change.

A user's scope is the union of the grid subtrees of the nodes their roles are bound to; a
villager or party member sees their own household; department staff see what is dispatched
to their department, and in the subtree they are bound to, the records their department serves
(the residents and households carrying one of the tags the department declares: SCOPE_SERVED_BY).
Every selector starts from `Model.objects.for_actor(actor)`, and every single object is loaded
through `access_object()` (or an app's `access_<entity>` wrapper): outside the scope it is a 404,
exactly like a missing row; in scope but read-only a 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext

from .paths import ancestor_of
from .registry import households_of
from .roles import (
    ACCOUNT_ADMIN_ROLES,
    AUDIT_ROLES,
    GRID_ADMIN_ROLES,
    NODE_ROLES,
    REVEAL_ROLES,
    ROLE_RANK,
    WRITE_ROLES,
    Role,
)


@dataclass(frozen=True)
class Scope:
    superuser: bool = False
    bindings: tuple[tuple[str, str, int], ...] = ()  # (role, node path, node level)
    household_ids: frozenset[int] = field(default_factory=frozenset)
    # (department id, node path) of each department role bound to a node: the subtree in which
    # the department's staff see the records their department serves (SCOPE_SERVED_BY).
    served: tuple[tuple[int, str], ...] = ()
    # (department id, area path) of each department role: the township (level-1 ancestor) of
    # the node it is bound to, "" for one bound to no node (a one-township deployment's). A
    # department's records sent to it are its staff's in their own township only: two
    # townships' 民政 never see each other's.
    department_areas: tuple[tuple[int, str], ...] = ()

    @cached_property
    def department_ids(self) -> frozenset[int]:
        return frozenset(d for d, _area in self.department_areas)

    def in_department(self, department_id: int | None, path: str | None) -> bool:
        """Whether a record sent to this department, on this node path, is the actor's to
        handle as its staff."""
        return department_id is not None and any(
            d == department_id and (path or "").startswith(area)
            for d, area in self.department_areas
        )

    def paths(self, roles) -> tuple[str, ...]:
        found = sorted({path for role, path, _ in self.bindings if role in roles})
        # Drop paths inside another path of the set: they add nothing to a prefix filter.
        out: list[str] = []
        for p in found:
            if not any(p.startswith(q) for q in out):
                out.append(p)
        return tuple(out)

    @property
    def read_paths(self) -> tuple[str, ...]:
        return self.paths(NODE_ROLES)

    def allows(self, roles, path: str | None) -> bool:
        if self.superuser:
            return True
        if not path:
            return False
        return any(path.startswith(p) for p in self.paths(roles))

    def can_read_path(self, path: str | None) -> bool:
        return self.allows(NODE_ROLES, path)

    def can_write_path(self, path: str | None) -> bool:
        return self.allows(WRITE_ROLES, path)

    def can_admin_grid(self, path: str | None) -> bool:
        return self.allows(GRID_ADMIN_ROLES, path)

    def can_reveal_path(self, path: str | None) -> bool:
        return self.allows(REVEAL_ROLES, path)

    @property
    def account_paths(self) -> tuple[str, ...]:
        """The subtrees whose accounts the user runs (ACCOUNT_ADMIN_ROLES)."""
        return self.paths(ACCOUNT_ADMIN_ROLES)

    def can_manage_accounts(self, path: str | None) -> bool:
        return self.allows(ACCOUNT_ADMIN_ROLES, path)

    def account_rank_at(self, path: str | None) -> int:
        """The highest rank (ROLE_RANK) of the user's account-running roles on a node covering
        `path`; 0 where they run no accounts. A read-only role (an auditor) never lends its rank."""
        if self.superuser:
            return max(ROLE_RANK.values())
        if not path:
            return 0
        return max(
            (
                ROLE_RANK[role]
                for role, p, _ in self.bindings
                if role in ACCOUNT_ADMIN_ROLES and path.startswith(p)
            ),
            default=0,
        )

    @cached_property
    def department_staff_paths(self) -> tuple[str, ...]:
        """Where the user may run 部门人员 accounts: the subtrees of their account-running roles
        bound at the township level or above. A department role reads its department's cases in
        the whole township above its node (department_area), so a leader who runs the accounts of
        one village does not grant it, nor run an account that holds it (whether their rank
        suffices is account_rank_at's). The administrator: everywhere ("")."""
        if self.superuser:
            return ("",)
        found = sorted(
            {p for role, p, level in self.bindings if role in ACCOUNT_ADMIN_ROLES and level <= 1}
        )
        return tuple(p for p in found if not any(p != q and p.startswith(q) for q in found))

    def runs_department_staff_at(self, path: str | None) -> bool:
        """Whether a 部门人员 role whose area (department_area) is this path is the user's to
        grant and run."""
        return self.superuser or (
            bool(path) and any(path.startswith(p) for p in self.department_staff_paths)
        )

    @property
    def audit_paths(self) -> tuple[str, ...]:
        """Where the user reads the audit trail: the nodes of their audit roles only (a village's
        auditor who is also a worker elsewhere reads nothing of that elsewhere)."""
        return self.paths(AUDIT_ROLES)

    @property
    def audits_township_wide(self) -> bool:
        """True when an audit role is bound at the township level or above (node-less events)."""
        return self.superuser or any(
            level <= 1 for role, _, level in self.bindings if role in AUDIT_ROLES
        )

    @property
    def can_audit(self) -> bool:
        return self.superuser or any(role in AUDIT_ROLES for role, _, _ in self.bindings)

    @property
    def writes_anywhere(self) -> bool:
        """True when some node is writable (import pages and buttons depend on it)."""
        return bool(self.paths(WRITE_ROLES))


def _role_rows(user_id: int) -> list[tuple]:
    """(role, node id, node path, node level, department id) of each role of a user.

    Every logged-in request reads these; as plain SQL they cost a tenth of the ORM query with
    model instances (which was a tenth of a small page's time).
    """
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    GridNode = apps.get_model("grid", "GridNode")
    ra, node = RoleAssignment._meta.db_table, GridNode._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ra.role, ra.node_id, n.path, n.level, ra.department_id FROM {ra} ra "
            f"LEFT JOIN {node} n ON n.id = ra.node_id WHERE ra.user_id = %s",
            [user_id],
        )
        return cursor.fetchall()


def scope_for(user) -> Scope:
    """Build (once per request) the scope of a user from their role assignments."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, "_xiangzhi_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(superuser=True)
    else:
        bindings = []
        areas = set()
        served = set()
        household_roles = False
        for role, node_id, path, level, department_id in _role_rows(user.pk):
            if node_id is not None and role in NODE_ROLES:
                bindings.append((role, path, level))
            elif role in (Role.VILLAGER, Role.PARTY_MEMBER):
                household_roles = True
                bindings.append((role, "", 99))
            elif role == Role.DEPARTMENT_STAFF and department_id:
                bindings.append((role, "", 99))
                areas.add((department_id, department_area(path, level)))
                if path:
                    served.add((department_id, path))
        households = households_of(user) if household_roles else set()
        scope = Scope(
            bindings=tuple(bindings),
            household_ids=frozenset(households),
            served=tuple(sorted(served)),
            department_areas=tuple(sorted(areas)),
        )
    user._xiangzhi_scope = scope
    return scope


def home_node(user) -> models.Model | None:
    """Return the topmost grid node a role of the user is bound to, or None.

    Events about the account (logins, failed logins, its API tokens, "log out everywhere", its
    password and preferences) and the user's exports of their whole scope are filed under it: they
    go to that township's audit chain, not the one node-less chain every login of a county would
    queue on, and the auditors of that node read them. A user bound to no node (an administrator,
    a villager whose role names no node) has none, and their events stay node-less."""
    if getattr(user, "pk", None) is None:
        return None
    GridNode = apps.get_model("grid", "GridNode")
    return GridNode.objects.filter(role_assignments__user_id=user.pk).order_by("path").first()


def path_q(paths, lookup: str) -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{lookup}__under": p})
    return q


def department_area(path: str | None, level: int | None) -> str:
    """The area of a department role bound at (path, level): its township (level-1 ancestor),
    "" (everywhere) when it is bound to no node."""
    return ancestor_of(path, level, 1) if path else ""


def department_q(scope: Scope, department_lookup: str, path_lookup: str | None) -> Q:
    """The rows sent to one of the actor's departments inside its area (Scope.department_areas)."""
    q = Q(pk__in=[])
    for department_id, area in scope.department_areas:
        sent = Q(**{department_lookup: department_id})
        if area:
            # A model without a path has no area to keep to: its department's rows are not given.
            sent &= Q(**{f"{path_lookup}__under": area}) if path_lookup else Q(pk__in=[])
        q |= sent
    return q


def scope_q(actor, model: type[models.Model]) -> Q:
    """The filter that keeps the rows of `model` that `actor` may read."""
    scope = scope_for(actor)
    if scope.superuser:
        return Q()
    q = Q(pk__in=[])
    path_lookup = getattr(model, "SCOPE_PATH", None)
    if path_lookup:
        q |= path_q(scope.read_paths, path_lookup)
    household_lookup = getattr(model, "SCOPE_HOUSEHOLD", None)
    if household_lookup and scope.household_ids:
        q |= Q(**{f"{household_lookup}__in": sorted(scope.household_ids)})
    owner_lookup = getattr(model, "SCOPE_OWNER", None)
    if owner_lookup and getattr(actor, "pk", None):
        q |= Q(**{owner_lookup: actor.pk})
    department_lookup = getattr(model, "SCOPE_DEPARTMENT", None)
    if department_lookup and scope.department_ids:
        q |= department_q(scope, department_lookup, path_lookup)
    served_lookups = getattr(model, "SCOPE_SERVED_BY", None)
    if served_lookups and scope.served and path_lookup:
        q |= served_q(model, scope.served)
    return q


def served_q(model: type[models.Model], served: tuple[tuple[int, str], ...]) -> Q:
    """The rows of `model` that a department serves inside the subtree its staff is bound to.

    A row is served when one of SCOPE_SERVED_BY's lookups (a row's tags -> the departments
    serving them) reaches the department. The lookups cross many-to-many relations, so they are
    asked in a subquery of keys: a row with two served tags is still one row of a list.
    """
    lookups = model.SCOPE_SERVED_BY
    if isinstance(lookups, str):
        lookups = (lookups,)
    by_department: dict[int, list[str]] = {}
    for department_id, path in served:
        by_department.setdefault(department_id, []).append(path)
    q = Q(pk__in=[])
    for department_id, paths in sorted(by_department.items()):
        # One subquery per lookup: an OR inside one would join every path at once.
        tagged = Q(pk__in=[])
        for lookup in lookups:
            rows = model._base_manager.filter(**{lookup: department_id}).values("pk")
            tagged |= Q(pk__in=rows)
        q |= path_q(paths, model.SCOPE_PATH) & tagged
    return q


class ScopedQuerySet(models.QuerySet):
    def for_actor(self, actor):
        return self.filter(scope_q(actor, self.model))


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def _follow(obj, names: list[str]):
    for name in names:
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


class ScopedModel(models.Model):
    """Base of every record a user's scope limits; declare how a row reaches the grid.

    SCOPE_PATH is the lookup from a row to its grid node's path ("node__path"); SCOPE_HOUSEHOLD
    to the household a villager may see; SCOPE_DEPARTMENT to the department it is dispatched
    to; SCOPE_SERVED_BY to the departments that serve it through its tags (one lookup or a
    tuple, "tags__departments"), which department staff see inside their bound subtree;
    SCOPE_OWNER to the user who owns it (an import job). scope_q() reads them, and the
    instance methods below follow them, so no model writes its own.
    """

    SCOPE_PATH: str | None = None
    SCOPE_HOUSEHOLD: str | None = None
    SCOPE_DEPARTMENT: str | None = None
    SCOPE_SERVED_BY: str | tuple[str, ...] | None = None
    SCOPE_OWNER: str | None = None

    objects = ScopedManager()

    class Meta:
        abstract = True

    def scope_path(self) -> str | None:
        """The grid path this row belongs to (None when it belongs to no node)."""
        if not self.SCOPE_PATH:
            return None
        return _follow(self, self.SCOPE_PATH.split("__"))

    def audit_node(self):
        """The grid node an audit event about this row is filed under."""
        if not self.SCOPE_PATH:
            return None
        return _follow(self, self.SCOPE_PATH.split("__")[:-1])


def _pk(pk) -> int:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:  # no row has it, and a database would refuse it as out of range
        raise Http404
    return pk


def access_object(model, actor, pk, *, write: bool = False, queryset=None):
    """Load one object the actor may see: 404 outside the scope, 403 when write is refused."""
    pk = _pk(pk)
    qs = queryset if queryset is not None else model.objects.all()
    obj = qs.filter(scope_q(actor, model)).filter(pk=pk).first()
    return _checked(actor, obj, write=write)


def access_by_own_path(load, actor, pk, *, write: bool = False):
    """access_object for a model whose scope is its own `path` column and nothing else (the
    grid's nodes): load(pk) reads the row, and the scope is checked on its path in Python,
    which is what scope_q's filter does for such a model (tests/grid/test_access.py compares
    the two for every role and node)."""
    obj = load(_pk(pk))
    if obj is not None and not scope_for(actor).can_read_path(obj.path):
        obj = None
    return _checked(actor, obj, write=write)


def _checked(actor, obj, *, write: bool):
    if obj is None:
        raise Http404(gettext("记录不存在或不在您的管辖范围内"))
    if write and not may_write(actor, obj):
        raise PermissionDenied(gettext("您对该记录只有查看权限"))
    return obj


def may_write(actor, obj) -> bool:
    """Whether the actor may change a row they can see: by a write role on its grid node, or as
    its owner (SCOPE_OWNER: their own token, their own import job)."""
    if scope_for(actor).can_write_path(obj.scope_path()):
        return True
    owner = getattr(type(obj), "SCOPE_OWNER", None)
    return bool(owner and getattr(actor, "pk", None) and getattr(obj, owner) == actor.pk)
