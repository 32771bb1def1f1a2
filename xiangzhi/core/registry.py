"""The app contract: what each app brings to core, registered from its AppConfig.ready().

Core and the lower apps never import a higher app; they learn about it from these registries:
- entities: the URL parameter stem (`household` for `<household_id>`) and the model behind it,
  which the scope walk and the system check read;
- figures: counts rolled up the grid (households, party members ...);
- sheet kinds: what can be imported and exported as a spreadsheet (core.sheets serves them);
- audit actions: the declared names that audit_record accepts, with their Chinese labels;
- audit keys: the Chinese names of what an app's events write besides model fields;
- demo loaders: what seed_demo runs, app by app, in the order of INSTALLED_APPS;
- list filters: a select a higher app adds to a lower app's list (党员 on the resident list);
- the scope's household lookup: which households a villager or party member belongs to.

docs/architecture.md ("How to add an app") walks through a real registration.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps

if TYPE_CHECKING:
    from .sheets.kinds import SheetKind


def _add_once(items: list, item: Any, *, same: tuple[str, ...], what: str) -> None:
    """Append `item` unless one with its key is there. The same declaration again (a second
    ready(), as isolate_apps makes) is ignored; another under the same key is refused."""
    known = next((i for i in items if i.key == item.key), None)
    if known is None:
        items.append(item)
    elif any(getattr(known, name) != getattr(item, name) for name in same):
        raise ValueError(f"{what} {item.key!r} is registered twice")


# --- entities -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    name: str  # the stem of URL parameters: "household" for <household_id>
    model_label: str  # "people.Household"

    @property
    def model(self):
        return apps.get_model(self.model_label)


ENTITIES: dict[str, Entity] = {}


def register_entity(name: str, model: type | str) -> None:
    """Declare that URLs name records of `model` as `<name>_id`."""
    label = model if isinstance(model, str) else model._meta.label
    known = ENTITIES.get(name)
    if known is not None and known.model_label.lower() != label.lower():
        raise ValueError(f"entity {name!r} is already registered for {known.model_label}")
    ENTITIES[name] = Entity(name, label)


def entity_models() -> set[str]:
    """The lower-case labels of every registered model."""
    return {e.model_label.lower() for e in ENTITIES.values()}


# --- figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A count rolled up the grid: the counted rows and the lookup from a row to its node's path.

    core.figures keeps it in maintained rows (core.FigureCount). Optional parts:
    - date_lookup: a figure per month (births this month): rows counted by the month of that date;
      a page shows the current month;
    - daily: the count depends on the date as well as on the records (residents aged 60 and over):
      the worker recounts it every day (core.figures.refresh_daily), and verify_figures knows it;
    - split_by: a lookup whose value splits the count into one key per value ("grid_nodes:3");
    - internal: kept and verified, but not a column of the pages (the grid's own node counts);
    - sum_of: a field of the counted rows whose values are added up instead of counting rows
      (points issued: the sum of the entries' amounts).
    """

    key: str
    label: str
    queryset: Callable  # () -> QuerySet of the counted rows
    path_lookup: str
    date_lookup: str = ""
    daily: bool = False
    split_by: str = ""
    internal: bool = False
    sum_of: str = ""

    def measure(self):
        """The aggregate a group of the figure's rows is worth: their count, or a field's sum."""
        from django.db.models import Count, Sum

        return Sum(self.sum_of) if self.sum_of else Count("pk")

    @property
    def level_lookup(self) -> str:
        """The lookup of the counted row's node level, beside its path ("node__level")."""
        head, _, _ = self.path_lookup.rpartition("path")
        return head + "level"

    @property
    def per_period(self) -> bool:
        return bool(self.date_lookup)


FIGURES: list[Figure] = []  # the figures pages show, in the order of registration
INTERNAL_FIGURES: list[Figure] = []  # kept and verified like the others, not shown as columns


def register_figure(
    key: str,
    label: str,
    queryset: Callable,
    path_lookup: str,
    *,
    date_lookup: str = "",
    daily: bool = False,
    split_by: str = "",
    internal: bool = False,
    sum_of: str = "",
) -> None:
    """Declare a count rolled up the grid; another figure under a taken key is refused (the same
    declaration again, as a second ready() makes it, is ignored). See Figure for the options."""
    if not path_lookup.endswith("path"):
        raise ValueError(f"figure {key!r}: path_lookup must end with the node's path")
    figure = Figure(
        key, label, queryset, path_lookup, date_lookup, daily, split_by, internal, sum_of
    )
    same = ("label", "path_lookup", "date_lookup", "daily", "split_by", "sum_of")
    _add_once(INTERNAL_FIGURES if internal else FIGURES, figure, same=same, what="figure")


def maintained_figures() -> list[Figure]:
    """Every figure core.figures keeps: the shown ones and the internal ones."""
    return [*FIGURES, *INTERNAL_FIGURES]


# --- audit actions --------------------------------------------------------------------------


class AuditAction(enum.StrEnum):
    """Base of each app's declared audit actions.

    A member is declared as `NAME = "app.entity_action", "中文标签", "module.service"`: the stored
    name, what the audit page shows, and the dotted path of the service that writes it.
    """

    def __new__(cls, value: str, label: str, service: str):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        obj.service = service
        return obj

    def __str__(self) -> str:
        return self.value


ACTIONS: dict[str, AuditAction] = {}
# Names written before actions were declared: events keep them (the chain is append-only), so
# the audit page and its filter still understand them; nothing may write them again.
LEGACY_ACTIONS: dict[str, str] = {}
RETIRED_ACTIONS: dict[str, str] = {}  # old name -> label, for actions nothing writes any more


def register_actions(
    actions: type[AuditAction],
    *,
    legacy: dict[str, str] | None = None,
    retired: dict[str, str] | None = None,
) -> None:
    """Declare an app's audit actions (and the names its events had before, mapped to new ones).

    Every name starts with the declaring app's label; a legacy name maps to one of the same
    enum's actions, is no live name and is claimed by one app only.
    """
    members = list(actions)
    _check_actions(actions, members)
    own = {a.value for a in members}
    mapped = {old: str(new) for old, new in (legacy or {}).items()}
    _check_legacy(actions, own, mapped, retired or {})
    for action in members:  # every check passed: nothing is half-registered
        ACTIONS[action.value] = action
    LEGACY_ACTIONS.update(mapped)
    RETIRED_ACTIONS.update(retired or {})


def _check_actions(actions: type[AuditAction], members: list[AuditAction]) -> None:
    prefixes = {a.value.split(".", 1)[0] for a in members}
    if len(prefixes) > 1:
        raise ValueError(f"{actions.__name__} declares actions of several apps: {sorted(prefixes)}")
    for action in members:
        known = ACTIONS.get(action.value)
        if known is not None and known is not action:
            raise ValueError(f"audit action {action.value!r} is declared twice")
        if action.value in LEGACY_ACTIONS or action.value in RETIRED_ACTIONS:
            raise ValueError(f"audit action {action.value!r} is already a legacy name")


def _check_legacy(
    actions: type[AuditAction], own: set[str], mapped: dict[str, str], retired: dict[str, str]
) -> None:
    for old, claim in {**mapped, **retired}.items():
        if old in ACTIONS or old in own:
            raise ValueError(f"legacy name {old!r} is a live action")
        known = LEGACY_ACTIONS.get(old, RETIRED_ACTIONS.get(old))
        if known is not None and known != claim:  # the same declaration again is harmless
            raise ValueError(f"legacy name {old!r} is claimed twice")
    for old, new in mapped.items():
        if new not in own:
            raise ValueError(f"legacy name {old!r} maps outside {actions.__name__}: {new!r}")


def action_label(name: str) -> str:
    """The Chinese label of a stored action name (a legacy name reads as its successor)."""
    action = ACTIONS.get(name) or ACTIONS.get(LEGACY_ACTIONS.get(name, ""))
    if action is not None:
        return action.label
    return RETIRED_ACTIONS.get(name, "其他操作")


@dataclass(frozen=True)
class AuditKey:
    """A key an app's events write in `changes` that is no field of the record's model: its
    Chinese label ("" hides it, e.g. an id shown by name under another key), the model whose
    records its values (or a dict's keys) are, and the "app.Model.field" whose choices name them.
    `many`: its list is a list of values, never an old → new pair. Declared as "action:key", it
    names the key in that action's events only (a code that one action writes under a key other
    actions fill with free text, such as reason).
    """

    label: str
    model: str = ""
    choices: str = ""
    many: bool = False


AUDIT_KEYS: dict[str, AuditKey] = {}


def register_audit_keys(keys: dict[str, AuditKey | str]) -> None:
    """Declare the Chinese names of an app's non-field audit keys (the audit page reads them)."""
    for key, spec in keys.items():
        spec = spec if isinstance(spec, AuditKey) else AuditKey(spec)
        known = AUDIT_KEYS.get(key)
        if known is not None and known != spec:
            raise ValueError(f"audit key {key!r} is declared twice")
        AUDIT_KEYS[key] = spec


# --- sheet kinds ----------------------------------------------------------------------------

SHEET_KINDS: dict[str, SheetKind] = {}  # key -> its kind, in the order apps registered them
SHEET_KIND_KEY_LENGTH = 20  # core.ImportJob.kind holds it


def register_sheet_kind(kind: SheetKind) -> None:
    """Declare a kind of sheet that imports, exports or both (core.sheets.kinds.SheetKind)."""
    known = SHEET_KINDS.get(kind.key)
    if known is not None and known is not kind:
        raise ValueError(f"sheet kind {kind.key!r} is registered twice")
    if not kind.key.isidentifier() or len(kind.key) > SHEET_KIND_KEY_LENGTH:
        raise ValueError(
            f"sheet kind {kind.key!r}: a key is a name of at most {SHEET_KIND_KEY_LENGTH} letters"
        )
    for side in (kind.imports, kind.exports):
        if side is not None and str(side.action) not in ACTIONS:
            raise ValueError(f"sheet kind {kind.key!r} names an undeclared action {side.action!r}")
    SHEET_KINDS[kind.key] = kind


# --- demo loaders ---------------------------------------------------------------------------

DEMO_LOADERS: dict[str, Callable] = {}  # app label -> loader(context) -> {figure: count}


def register_demo_loader(app_label: str, loader: Callable) -> None:
    """Declare the app's demo: loader(core.demo.DemoContext) -> {figure: count}, one per app."""
    if app_label not in {c.label for c in apps.get_app_configs()}:
        raise ValueError(f"no installed app {app_label!r} to register a demo loader for")
    known = DEMO_LOADERS.get(app_label)
    if known is not None and known is not loader:
        raise ValueError(f"app {app_label!r} already registered a demo loader")
    DEMO_LOADERS[app_label] = loader


def demo_loaders() -> list[tuple[str, Callable]]:
    """The registered loaders in the order of INSTALLED_APPS (lower apps first)."""
    order = [config.label for config in apps.get_app_configs()]
    return sorted(DEMO_LOADERS.items(), key=lambda item: order.index(item[0]))


# --- worker start ---------------------------------------------------------------------------

WORKER_STARTS: list[Callable] = []  # () -> object: run when the task worker starts


def register_worker_start(hook: Callable) -> None:
    """Run `hook()` whenever `manage.py run_worker` starts (before its first task): an app queues
    the first run of a task that then queues its own next run (django-tasks has no schedule)."""
    if hook not in WORKER_STARTS:
        WORKER_STARTS.append(hook)


# --- navigation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NavItem:
    """An entry of the main navigation: its key (a page's `nav`), label, URL name and place."""

    key: str
    label: str
    url_name: str
    order: int
    visible: Callable | None = None  # (user) -> bool; every logged-in user when None


NAV: list[NavItem] = []


def register_nav(
    key: str, label: str, url_name: str, *, order: int, visible: Callable | None = None
) -> None:
    """Declare a main navigation entry (the base template lists them by order)."""
    item = NavItem(key, label, url_name, order, visible)
    _add_once(NAV, item, same=("label", "url_name"), what="navigation entry")
    NAV.sort(key=lambda n: n.order)


# --- panels -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    """A piece a higher app adds to a lower app's page (a place such as "people.resident"):
    its template, rendered with context(actor=..., obj=..., can_write=...) -> dict, or left out
    when that returns None."""

    place: str
    key: str
    template: str
    context: Callable
    order: int = 50


PANELS: dict[str, list[Panel]] = {}


def register_panel(place: str, key: str, template: str, context: Callable, order: int = 50) -> None:
    """Add a panel to a page of a lower app (its template names the place with {% panels %})."""
    panels = PANELS.setdefault(place, [])
    _add_once(panels, Panel(place, key, template, context, order), same=("template",), what="panel")
    panels.sort(key=lambda p: p.order)


# --- list filters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilter:
    """A filter a higher app adds to a lower app's list (a place such as "people.resident"):
    the query parameter, its Chinese label, its choices (value, label), and q(value) -> the Q
    on the list's model that keeps the matching rows (a 党员 filter on the resident list)."""

    place: str
    key: str
    label: str
    choices: tuple[tuple[str, str], ...]
    q: Callable


LIST_FILTERS: dict[str, list[ListFilter]] = {}


def register_list_filter(
    place: str, key: str, label: str, choices: tuple[tuple[str, str], ...], q: Callable
) -> None:
    """Add a filter (a select of choices) to a lower app's list."""
    _add_once(
        LIST_FILTERS.setdefault(place, []),
        ListFilter(place, key, label, tuple(choices), q),
        same=("label", "choices"),
        what="list filter",
    )


def list_filters(place: str) -> list[ListFilter]:
    return list(LIST_FILTERS.get(place, ()))


# --- refusals in a protocol's own format ----------------------------------------------------

_ERROR_FORMATS: dict[str, Callable] = {}


def register_error_format(prefix: str, answer: Callable) -> None:
    """Declare how a request under this path prefix is refused when it speaks a protocol with its
    own error format (Open311's list of {code, description}): answer(request, status,
    description) -> HttpResponse. core.errors' 400 and 404 answers use it before their own."""
    _ERROR_FORMATS[prefix] = answer


def error_format(path: str) -> Callable | None:
    return next((a for prefix, a in _ERROR_FORMATS.items() if path.startswith(prefix)), None)


# --- the scope's household lookup -----------------------------------------------------------

_HOUSEHOLD_LOOKUP: list[Callable] = []


def register_household_lookup(lookup: Callable) -> None:
    """Declare how to find the households a user lives in (user -> iterable of household ids);
    one app (people) owns households, so it is declared once."""
    if _HOUSEHOLD_LOOKUP and _HOUSEHOLD_LOOKUP[0] is not lookup:
        raise ValueError("the household lookup is already registered")
    _HOUSEHOLD_LOOKUP[:] = [lookup]


def households_of(user) -> set[int]:
    return set(_HOUSEHOLD_LOOKUP[0](user)) if _HOUSEHOLD_LOOKUP else set()


_HOUSEHOLDS_MOVED: list[Callable] = []


def register_households_moved(hook: Callable) -> None:
    """Declare what follows a household to another grid node: hook(moves) with moves a
    {household id: new node id}, run in the mover's transaction (an app whose records keep
    their household's node, as points' accounts do, moves them along)."""
    if hook not in _HOUSEHOLDS_MOVED:
        _HOUSEHOLDS_MOVED.append(hook)


def households_moved(moves: dict[int, int]) -> None:
    """Tell the apps that these households now live at these nodes."""
    if moves:
        for hook in _HOUSEHOLDS_MOVED:
            hook(moves)


_RESIDENTS_MOVED: list[Callable] = []


def register_residents_moved(hook: Callable) -> None:
    """Declare what follows a person to another household (分户): hook(actor=, moves=) with
    moves a {resident id: new household id}, run in the mover's transaction after the people
    moved (an app whose records are a person's own, as points' personal accounts are, moves
    them along and audits it; what the old household earned or did stays its history)."""
    if hook not in _RESIDENTS_MOVED:
        _RESIDENTS_MOVED.append(hook)


def residents_moved(*, actor: Any, moves: dict[int, int]) -> None:
    """Tell the apps that these people now belong to these households."""
    if moves:
        for hook in _RESIDENTS_MOVED:
            hook(actor=actor, moves=moves)


# --- people an account can be made for ------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A person of the registry, as the account pages show and link one."""

    pk: int
    name: str
    node: Any  # the grid node of their household
    detail: str = ""  # what tells two namesakes apart (household number, age), never an ID number
    is_party_member: bool = False  # on the party's register (在册): only they get the 党员 role


@dataclass(frozen=True)
class PersonDirectory:
    """How accounts reaches the registry's people without importing the app that keeps them.

    search(actor=, text=, paths=) -> people under `paths` named like `text` with no account yet;
    load(actor=, pk=, paths=) -> that person under `paths` with no account yet, or None;
    link(actor=, pk=, user=) -> None, within the caller's transaction; party_members(actor=,
    node=) -> the people of the node's subtree who are party members and have no account.
    """

    search: Callable
    load: Callable
    link: Callable
    party_members: Callable


_PERSON_DIRECTORY: list[PersonDirectory] = []


def register_person_directory(directory: PersonDirectory) -> None:
    """Declare the person directory (once: one app keeps the registry's people)."""
    if _PERSON_DIRECTORY and _PERSON_DIRECTORY[0] != directory:
        raise ValueError("the person directory is already registered")
    _PERSON_DIRECTORY[:] = [directory]


def person_directory() -> PersonDirectory | None:
    return _PERSON_DIRECTORY[0] if _PERSON_DIRECTORY else None
