"""Open311 GeoReport v2: the keys an administrator issues, and filing a request with one."""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from xiangzhi.accounts.models import User
from xiangzhi.core.audit import audit_record
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode

from ..actions_extra import AppealServiceAction as Action
from ..models import Appeal, Kind, Source
from ..models.menu import ServiceOffering
from ..models.open311 import Open311Key
from ..selectors.open311 import record_id

PREFIX = "o311_"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def open311_key_issue(*, actor: Actor, name: str, user: User | None) -> tuple[Open311Key, str]:
    """Issue a key filed as `user`; the raw key is returned once and only its hash is kept."""
    if not getattr(actor, "is_superuser", False):
        raise PermissionDenied(gettext("只有系统管理员可以签发密钥。"))
    errors = {}
    if not (name or "").strip():
        errors["name"] = gettext("请填写密钥用途。")
    if user is None or not user.is_active:
        errors["user"] = gettext("请选择一个有效的代表账号。")
    elif not scope_for(user).writes_anywhere:
        errors["user"] = gettext("代表账号应能登记诉求（村干部或网格员）。")
    if errors:
        raise ValidationError(errors)
    raw = PREFIX + secrets.token_urlsafe(32)
    key = Open311Key.objects.create(
        name=name.strip()[:60],
        user=user,
        prefix=raw[len(PREFIX) : len(PREFIX) + 8],
        key_hash=_hash(raw),
    )
    audit_record(
        actor=actor,
        action=Action.OPEN311_KEY_ISSUE,
        obj=key,
        changes={"name": key.name, "user": user.pk},
    )
    return key, raw


@transaction.atomic
def open311_key_revoke(*, actor: Actor, key: Open311Key) -> Open311Key:
    if not getattr(actor, "is_superuser", False):
        raise PermissionDenied(gettext("只有系统管理员可以吊销密钥。"))
    key.active = False
    key.save(update_fields=["active"])
    audit_record(actor=actor, action=Action.OPEN311_KEY_REVOKE, obj=key)
    return key


def open311_key_user(raw: str) -> User | None:
    """The active user a raw key files as, or None."""
    if not raw or not raw.startswith(PREFIX):
        return None
    key = (
        Open311Key.objects.select_related("user")
        .filter(key_hash=_hash(raw), active=True, user__is_active=True)
        .first()
    )
    return key.user if key else None


def _home_node(actor: Actor) -> GridNode | None:
    """Where a key's requests are filed without an address_id: its user's bound node."""
    paths = scope_for(actor).paths({"village_secretary", "village_cadre", "grid_worker"})
    if not paths:
        return None
    return GridNode.objects.filter(path=paths[0]).first()


def open311_request_submit(
    *,
    actor: Actor,
    service_code: str,
    description: str,
    node: GridNode | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Appeal:
    """File a GeoReport request as an appeal (a kind's code) or a menu request (menu-<id>).

    The requester's name, e-mail and phone that GeoReport allows are not taken: the appeal is
    the key holder's record for a villager, as a cadre records one from a call."""
    from .menu import service_request_submit
    from .submit import appeal_submit

    node = node or _home_node(actor)
    if node is None:
        raise ValidationError({"address_id": gettext("请提供网格编号（address_id）。")})
    code = service_code or ""
    if code.startswith("menu-"):
        pk = record_id(code[5:])
        offering = ServiceOffering.objects.for_actor(actor).filter(pk=pk).first() if pk else None
        if offering is None:
            raise ValidationError({"service_code": gettext("没有这个服务。")})
        return service_request_submit(actor=actor, offering=offering, text=description, node=node)
    if code not in Kind.values:
        raise ValidationError({"service_code": gettext("没有这个服务。")})
    return appeal_submit(
        actor=actor,
        text=description,
        kind=code,
        source=Source.H5,
        node=node,
        latitude=latitude,
        longitude=longitude,
    )
