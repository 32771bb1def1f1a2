"""The audit trail in plain words: what the audit page and its export show for each event.

An event stores codes (`people.household_update`, `people.household`, `{"relation": ["son",
"head"]}`); a reader sees 修改户信息, 户, 与户主关系：子 → 户主. Everything a page of events needs
is fetched in a fixed number of queries: one for the actors' names, one per record type for the
links the viewer may open, one per referenced model for the names of foreign keys.
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
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])|(?<!\d)\d{15}(?!\d)")
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


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
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), text)


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
    """Collects what a batch of events refers to, then fetches it once per model."""

    def __init__(self, actor):
        self.actor = actor
        self.wanted: dict[type, set] = defaultdict(set)
        self.names: dict[type, dict] = {}

    def want(self, model, pk) -> None:
        if isinstance(pk, int) and not isinstance(pk, bool):
            self.wanted[model].add(pk)

    def fetch(self) -> None:
        for model, pks in self.wanted.items():
            qs = model._default_manager.filter(pk__in=pks)
            if hasattr(model, "SCOPE_PATH"):  # a scoped record is named only inside the scope
                qs = qs.filter(scope_q(self.actor, model))
            columns = _name_of(model)
            if columns == ("pk", "display_name") and hasattr(model, "USERNAME_FIELD"):
                rows = qs.values_list("pk", "display_name", model.USERNAME_FIELD)
                self.names[model] = {pk: name or login for pk, name, login in rows}
            elif columns:
                self.names[model] = dict(qs.values_list(*columns))
            else:
                self.names[model] = {pk: str(obj) for pk, obj in qs.in_bulk().items()}

    def name(self, model, pk) -> str:
        known = self.names.get(model, {})
        return known.get(pk) or "（不在管辖范围内或已删除的记录）"


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


def _declared_key(key: str, fields: dict) -> AuditKey | None:
    return AUDIT_KEYS.get(key) if key not in fields else None


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
    if isinstance(value, list) and not (len(value) == 2 and choices):
        return "、".join(one(v) for v in value) or EMPTY
    return one(value)


def _changes(event: AuditEvent, fields: dict, resolver) -> list[Change]:
    changes = event.changes if isinstance(event.changes, dict) else {}
    out = []
    for key, value in changes.items():
        fld = fields.get(key)
        spec = _declared_key(key, fields)
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
            spec = _declared_key(key, fields)
            if spec is not None and spec.model:
                model = apps.get_model(spec.model)
                items = list(value) if isinstance(value, dict | list) else [value]
                for pk in items:
                    for one in pk if isinstance(pk, list) else [pk]:
                        resolver.want(model, int(one) if str(one).isdigit() else one)
            if fld is not None and fld.is_relation and fld.many_to_one:
                for pk in value if isinstance(value, list) else [value]:
                    resolver.want(fld.related_model, pk)


def _links(events, actor) -> dict[tuple[str, str], str]:
    """The detail URL of each event's record that the viewer may open: one query per type."""
    by_type: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.object_id.isdigit():
            by_type[event.object_type].add(int(event.object_id))
    links = {}
    for object_type, pks in by_type.items():
        model = _model_of(object_type)
        route = detail_url_name(model) if model is not None else None
        if route is None or not hasattr(model, "SCOPE_PATH"):
            continue
        name, kwarg = route.split("|")
        opened = model._default_manager.filter(scope_q(actor, model), pk__in=pks)
        for pk in opened.values_list("pk", flat=True):
            links[(object_type, str(pk))] = reverse(name, kwargs={kwarg: pk})
    return links


def _actor_names(events) -> dict[int, str]:
    User = apps.get_model("accounts", "User")
    ids = {e.actor_id for e in events if e.actor_id}
    rows = User._default_manager.filter(pk__in=ids).values_list("pk", "display_name", "username")
    return {pk: f"{name}（{username}）" if name else username for pk, name, username in rows}


def audit_rows(events, *, actor) -> list[AuditRow]:
    """Each event in plain words, with a link to its record where the viewer may open it."""
    events = list(events)
    resolver = _Resolver(actor)
    _want_foreign_keys(events, resolver)
    resolver.fetch()
    links = _links(events, actor)
    names = _actor_names(events)
    rows = []
    for e in events:
        fields = _fields(_model_of(e.object_type))
        rows.append(
            AuditRow(
                event=e,
                time=_time(e.created_at),
                actor=names.get(e.actor_id) or e.actor_label or "系统",
                action=action_label(e.action),
                object_type=type_label(e.object_type),
                object_repr=mask_personal(e.object_repr),
                object_url=links.get((e.object_type, e.object_id), ""),
                node=e.node.name if e.node_id and e.node else "",
                changes=_changes(e, fields, resolver),
            )
        )
    return rows


def _time(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
