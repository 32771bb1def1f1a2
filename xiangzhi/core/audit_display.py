"""The audit trail in plain words: what the audit page and its export show for each event.

An event stores codes (`people.household_update`, `people.household`, `{"relation": ["son",
"head"]}`); a reader sees 修改户信息, 户, 与户主关系：子 → 户主. Everything a page of events needs
is fetched in one UNION query: the actors' names, which records the viewer may open (for the
links), and the names of the records that changes refer to.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .crypto import mask_id_number, mask_phone
from .models import AuditEvent
from .registry import AUDIT_KEYS, ENTITIES, FIGURES, SHEET_KINDS, AuditKey, action_label
from .roles import Role
from .scope import scope_q

EMPTY = "（空）"
HIDDEN = "（已隐藏）"

# Keys that events write besides model fields (counts, import reports, logins, reveals).
EXTRA_LABELS = {
    "rows": "行数",
    "chains": "审计链（条）",
    "key_id": "签名密钥编号",
    "format": "格式",
    "kind": "表格类型",
    "file": "文件",
    "dry_run": "仅试导入",
    "all_or_nothing": "有错误时整表不导入",
    "checked_job": "试导入记录",
    "created": "新增",
    "updated": "更新",
    "unchanged": "未变",
    "skipped": "跳过",
    "skipped_sheets": "跳过的工作表",
    "ignored_columns": "未识别的列",
    "hidden_rows": "隐藏的行",
    "hidden_examples": "隐藏行示例",
    "written": "写入",
    "errors": "错误",
    "user": "账号",
    "username": "账号",
    "role": "角色",
    "grid_leader": "网格长",
    "tokens_revoked": "注销的接口令牌",
    "kept_current": "保留当前会话",
    "field": "查看的字段",
    "purpose": "用途",
    "seed": "随机种子",
    "scale": "规模",
    "reindex": "重建查找索引",
    "name": "名称",
    "code": "代码",
    "level": "层级",
    "parent": "上级网格",
    "reason": "原因",
    "note": "备注",
    "count": "数量",
    "id_number": "身份证号",
    "phone": "联系电话",
    "password": "密码",
}
EXTRA_CHOICES = {
    "role": dict(Role.choices),
    "scale": {"town": "乡镇", "county": "县"},
}
# Numbers as people type them in a note: with spaces or dashes between the digits too
# ("138 0000 1111", "430521 19700304 051X"; hostile review).
_SEP = r"[ \-\u3000]?"
_ID_NUMBER = re.compile(
    rf"(?<![0-9A-Za-z])(?:\d{_SEP}){{17}}[\dXx](?![0-9A-Za-z])|(?<!\d)(?:\d{_SEP}){{14}}\d(?!\d)"
)
_PHONE = re.compile(rf"(?<!\d)1{_SEP}[3-9](?:{_SEP}\d){{9}}(?!\d)")
_SEPARATORS = re.compile(r"[ \-\u3000]")


@dataclass
class Change:
    label: str
    new: str
    old: str | None = None  # None for a value set once (a creation, a count)

    def __str__(self) -> str:
        if self.old is None:
            return f"{self.label}：{self.new}"
        return f"{self.label}：{self.old} → {self.new}"


@dataclass
class AuditRow:
    event: AuditEvent
    time: str
    actor: str
    action: str
    object_type: str
    object_repr: str
    object_url: str = ""
    node: str = ""
    changes: list[Change] = field(default_factory=list)

    @property
    def changes_text(self) -> str:
        return "；".join(str(c) for c in self.changes)


def mask_personal(text: str) -> str:
    """Mask anything in free text that looks like an ID number or a mobile phone number."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(_SEPARATORS.sub("", m.group(0))), text)
    return _PHONE.sub(lambda m: mask_phone(_SEPARATORS.sub("", m.group(0))), text)


def _model_of(object_type: str):
    try:
        return apps.get_model(object_type) if "." in (object_type or "") else None
    except (LookupError, ValueError):
        return None


def type_label(object_type: str) -> str:
    """The model's Chinese name for a stored `app.model` label ("" when unknown)."""
    model = _model_of(object_type)
    return str(model._meta.verbose_name) if model else ""


def detail_url_name(model) -> str | None:
    """The URL that opens one record of a registered entity: `<app>:<entity>_detail` taking
    `<entity>_id` (the convention every app's detail page follows), or None."""
    for entity in ENTITIES.values():
        if entity.model_label.lower() == model._meta.label_lower:
            name = f"{model._meta.app_label}:{entity.name}_detail"
            try:
                reverse(name, kwargs={f"{entity.name}_id": 1})
            except NoReverseMatch:
                continue
            return f"{name}|{entity.name}_id"
    return None


def _fields(model) -> dict[str, models.Field]:
    if model is None:
        return {}
    return {f.name: f for f in model._meta.get_fields() if isinstance(f, models.Field)}


def _name_of(model) -> tuple[str, ...]:
    names = {f.name for f in model._meta.get_fields()}
    for candidate in ("display_name", "name", "title", "number"):
        if candidate in names:
            return ("pk", candidate)
    return ()


class _Resolver:
    """Collects what a page of events names (actors, records to link, records to name), then
    fetches it all in one UNION query: the page's cost does not depend on what it shows."""

    def __init__(self, actor):
        self.actor = actor
        self.wanted: dict[type, set] = defaultdict(set)
        self.openable: dict[type, set] = defaultdict(set)
        self.actors: set[int] = set()
        self.names: dict[type, dict] = defaultdict(dict)
        self.opened: dict[type, set] = defaultdict(set)
        self.actor_names: dict[int, str] = {}

    def want(self, model, pk) -> None:
        if isinstance(pk, int) and not isinstance(pk, bool):
            self.wanted[model].add(pk)

    def _part(self, kind: str, model, pks, name: str = "", extra: str = ""):
        qs = model._default_manager.filter(pk__in=sorted(pks) or [0])
        if hasattr(model, "SCOPE_PATH") and kind != "actor":
            qs = qs.filter(scope_q(self.actor, model))  # named or linked only inside the scope
        text = models.CharField()
        return (
            qs.annotate(
                xz_kind=models.Value(kind, output_field=text),
                xz_pk=models.F("pk"),
                xz_name=models.F(name) if name else models.Value("", output_field=text),
                xz_extra=models.F(extra) if extra else models.Value("", output_field=text),
            )
            .order_by()
            .values_list("xz_kind", "xz_pk", "xz_name", "xz_extra")
        )

    def fetch(self) -> None:
        User = apps.get_model("accounts", "User")
        by_label = {}
        parts = [self._part("actor", User, self.actors, "display_name", User.USERNAME_FIELD)]
        for model, pks in self.wanted.items():
            columns = _name_of(model)
            if not columns:
                continue
            extra = model.USERNAME_FIELD if model is User else ""
            parts.append(self._part(f"name:{model._meta.label}", model, pks, columns[1], extra))
            by_label[f"name:{model._meta.label}"] = model
        for model, pks in self.openable.items():
            parts.append(self._part(f"link:{model._meta.label}", model, pks))
            by_label[f"link:{model._meta.label}"] = model
        for kind, pk, name, extra in parts[0].union(*parts[1:], all=True):
            if kind == "actor":
                self.actor_names[pk] = f"{name}（{extra}）" if name else extra
            elif kind.startswith("name:"):
                self.names[by_label[kind]][pk] = name or extra
            else:
                self.opened[by_label[kind]].add(pk)

    def name(self, model, pk) -> str:
        return self.names[model].get(pk) or "（不在管辖范围内或已删除的记录）"


def _plain(value, *, key: str = "", fld: models.Field | None = None, resolver=None) -> str:
    if value == "***":
        return HIDDEN
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if fld is not None and fld.choices:
        return str(dict(fld.flatchoices).get(value, value))
    if key == "level" and isinstance(value, int):
        return str(settings.XIANGZHI_GRID_LEVELS.get(value, value))
    if key in EXTRA_CHOICES:
        return str(EXTRA_CHOICES[key].get(value, value))
    if key == "kind" and value in SHEET_KINDS:
        return str(SHEET_KINDS[value].label)
    if fld is not None and fld.is_relation and fld.many_to_one and resolver is not None:
        if isinstance(value, int):
            return resolver.name(fld.related_model, value)
    if isinstance(value, list):
        return "、".join(_plain(v, key=key, fld=fld, resolver=resolver) for v in value) or EMPTY
    if isinstance(value, dict):
        return "，".join(
            f"{_label(k, {})}：{_plain(v, key=k, resolver=resolver)}" for k, v in value.items()
        )
    if isinstance(value, str):
        return _date_words(value) or mask_personal(value)
    return str(value)


def _date_words(text: str) -> str:
    if len(text) == 10:
        try:
            day = parse_date(text) if text[4] == "-" else None
        except ValueError:
            return ""
        return f"{day.year}年{day.month}月{day.day}日" if day else ""
    if len(text) > 10 and text[4] == "-" and text[10] == "T":
        try:
            moment = parse_datetime(text)
        except ValueError:
            return ""
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"
    return ""


def _label(key: str, fields: dict) -> str:
    fld = fields.get(key)
    if fld is not None and getattr(fld, "verbose_name", None) and str(fld.verbose_name) != key:
        return str(fld.verbose_name)
    if key in AUDIT_KEYS:
        return AUDIT_KEYS[key].label
    figure = next((f.label for f in FIGURES if f.key == key), None)
    return str(figure or EXTRA_LABELS.get(key, "其他信息"))


def _declared_key(key: str, fields: dict, action: str) -> AuditKey | None:
    """The declaration of a key that is no field of the record: the action's own, else the key's."""
    if key in fields:
        return None
    return AUDIT_KEYS.get(f"{action}:{key}") or AUDIT_KEYS.get(key)


def _model_choices(spec: AuditKey) -> dict:
    if not spec.choices:
        return {}
    app_label, model_name, field_name = spec.choices.split(".")
    return dict(apps.get_model(app_label, model_name)._meta.get_field(field_name).flatchoices)


def _declared_value(value, spec: AuditKey, resolver) -> str:
    """A declared key's value: records by name, a {record: value} dict as name：value."""
    choices = _model_choices(spec)
    model = apps.get_model(spec.model) if spec.model else None

    def one(item) -> str:
        if isinstance(item, list) and len(item) == 2:
            return f"{one(item[0])} → {one(item[1])}"
        if model is not None and isinstance(item, int) and not isinstance(item, bool):
            return resolver.name(model, item)
        return str(choices.get(item, item)) if choices else _plain(item, resolver=resolver)

    if isinstance(value, dict) and model is not None:
        return "；".join(
            f"{resolver.name(model, int(k)) if str(k).isdigit() else k}：{one(v)}"
            for k, v in value.items()
        )
    if isinstance(value, list) and (spec.many or not (len(value) == 2 and choices)):
        return "、".join(one(v) for v in value) or EMPTY
    return one(value)


def _changes(event: AuditEvent, fields: dict, resolver) -> list[Change]:
    changes = event.changes if isinstance(event.changes, dict) else {}
    out = []
    for key, value in changes.items():
        fld = fields.get(key)
        spec = _declared_key(key, fields, event.action)
        if spec is not None:
            if spec.label:
                out.append(Change(spec.label, _declared_value(value, spec, resolver)))
            continue
        if key == "field" and value in fields:  # a reveal names the field it showed
            out.append(Change(_label(key, fields), _label(value, fields)))
            continue
        shown = [value] if not (isinstance(value, list) and len(value) == 2) else value
        plain = [_plain(v, key=key, fld=fld, resolver=resolver) for v in shown]
        if len(plain) == 2:
            out.append(Change(_label(key, fields), plain[1], plain[0]))
        else:
            out.append(Change(_label(key, fields), plain[0]))
    return out


def _want_foreign_keys(events, resolver) -> None:
    for event in events:
        fields = _fields(_model_of(event.object_type))
        if not isinstance(event.changes, dict):
            continue
        for key, value in event.changes.items():
            fld = fields.get(key)
            spec = _declared_key(key, fields, event.action)
            if spec is not None and spec.model:
                model = apps.get_model(spec.model)
                items = list(value) if isinstance(value, dict | list) else [value]
                for pk in items:
                    for one in pk if isinstance(pk, list) else [pk]:
                        resolver.want(model, int(one) if str(one).isdigit() else one)
            if fld is not None and fld.is_relation and fld.many_to_one:
                for pk in value if isinstance(value, list) else [value]:
                    resolver.want(fld.related_model, pk)


def _want_links(events, resolver) -> dict[str, tuple[type, str, str]]:
    """Ask for the records each event is about whose type has a detail page."""
    routes = {}
    for event in events:
        if not event.object_id.isdigit():
            continue
        if event.object_type not in routes:
            model = _model_of(event.object_type)
            route = detail_url_name(model) if model is not None else None
            routes[event.object_type] = (model, *route.split("|")) if route else None
        if routes[event.object_type] is not None:
            resolver.openable[routes[event.object_type][0]].add(int(event.object_id))
    return {k: v for k, v in routes.items() if v is not None}


def _link(event, routes, resolver) -> str:
    route = routes.get(event.object_type)
    if route is None or not event.object_id.isdigit():
        return ""
    model, name, kwarg = route
    pk = int(event.object_id)
    return reverse(name, kwargs={kwarg: pk}) if pk in resolver.opened[model] else ""


def audit_rows(events, *, actor) -> list[AuditRow]:
    """Each event in plain words, with a link to its record where the viewer may open it."""
    events = list(events)
    if not events:
        return []
    resolver = _Resolver(actor)
    _want_foreign_keys(events, resolver)
    routes = _want_links(events, resolver)
    resolver.actors = {e.actor_id for e in events if e.actor_id}
    resolver.fetch()
    rows = []
    for e in events:
        fields = _fields(_model_of(e.object_type))
        rows.append(
            AuditRow(
                event=e,
                time=_time(e.created_at),
                actor=resolver.actor_names.get(e.actor_id) or e.actor_label or "系统",
                action=action_label(e.action),
                object_type=type_label(e.object_type),
                object_repr=mask_personal(e.object_repr),
                object_url=_link(e, routes, resolver),
                node=e.node.name if e.node_id and e.node else "",
                changes=_changes(e, fields, resolver),
            )
        )
    return rows


def _time(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
