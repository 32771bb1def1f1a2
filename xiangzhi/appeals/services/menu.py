"""The service menu (菜单式服务): a village publishes offerings, a villager requests one."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from xiangzhi.core.audit import audit_record, diff, snapshot
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode

from ..actions_extra import AppealServiceAction as Action
from ..models import Appeal, Kind, Source
from ..models.menu import ServiceOffering, ServiceRequest

FIELDS = ["name", "category", "description", "provider", "days", "active"]


def _validate(*, node: GridNode | None, values: dict, instance: ServiceOffering | None) -> None:
    errors = {}
    if node is None:
        errors["node"] = gettext("请选择发布服务的网格。")
    name = values["name"]
    if not name:
        errors["name"] = gettext("请填写服务名称。")
    elif (
        node is not None
        and ServiceOffering.objects.filter(node=node, name=name)
        .exclude(pk=getattr(instance, "pk", None))
        .exists()
    ):
        errors["name"] = gettext("该网格已有同名的服务。")
    if values["category"] not in ServiceOffering.Category.values:
        errors["category"] = gettext("请选择服务类别。")
    if not 1 <= (values["days"] or 0) <= 30:
        errors["days"] = gettext("办理时限应为1至30个工作日。")
    if errors:
        raise ValidationError(errors)


def _clean(values: dict) -> dict:
    return {
        "name": (values.get("name") or "").strip(),
        "category": values.get("category") or "",
        "description": (values.get("description") or "").strip(),
        "provider": (values.get("provider") or "").strip(),
        "days": values.get("days") or 3,
        "active": bool(values.get("active", True)),
    }


@transaction.atomic
def service_offering_publish(
    *, actor: Actor, node: GridNode | None, **values: object
) -> ServiceOffering:
    """Publish an offering on a node's menu: a village's, the township's, or a grid's own (a
    party member's central household that shops for its neighbours)."""
    if node is not None and not scope_for(actor).can_write_path(node.path):
        raise PermissionDenied(gettext("您不能在该网格发布服务。"))
    data = _clean(values)
    _validate(node=node, values=data, instance=None)
    offering = ServiceOffering.objects.create(node=node, **data)
    audit_record(
        actor=actor,
        action=Action.SERVICE_OFFERING_PUBLISH,
        obj=offering,
        changes={k: data[k] for k in ("name", "category", "days")},
    )
    return offering


@transaction.atomic
def service_offering_update(
    *, actor: Actor, offering: ServiceOffering, **values: object
) -> ServiceOffering:
    """Change an offering, or take it off the menu (active=False)."""
    if not scope_for(actor).can_write_path(offering.node.path):
        raise PermissionDenied(gettext("您对该服务只有查看权限。"))
    data = _clean(values)
    _validate(node=offering.node, values=data, instance=offering)
    before = snapshot(offering, FIELDS)
    for key, value in data.items():
        setattr(offering, key, value)
    offering.save()
    audit_record(
        actor=actor,
        action=Action.SERVICE_OFFERING_UPDATE,
        obj=offering,
        changes=diff(offering, before, FIELDS),
    )
    return offering


@transaction.atomic
def service_request_submit(
    *,
    actor: Actor,
    offering: ServiceOffering,
    text: str = "",
    household: object = None,
    resident: object = None,
    node: GridNode | None = None,
    source: str = Source.SERVICE_MENU,
) -> Appeal:
    """Request an offering: an appeal of source 菜单式服务 (a villager's own, or one a cadre
    records for them), linked to the offering; its reply counts as a practical deed (办实事)."""
    from .submit import appeal_submit, own_resident

    staff = scope_for(actor).can_write_path(offering.node.path)
    if not staff and (
        household is not None or resident is not None or own_resident(actor=actor) is None
    ):
        # A villager asks for their own household; anyone else records only where they write.
        raise PermissionDenied(gettext("您不能申请这项服务。"))
    if not offering.active:
        raise ValidationError({"offering": gettext("该服务已下架。")})
    words = (text or "").strip()
    body = f"【{offering.name}】{words}" if words else f"【{offering.name}】"
    appeal = appeal_submit(
        actor=actor,
        text=body,
        kind=Kind.HELP,
        source=source,
        household=household,
        resident=resident,
        node=node,
        reply_days=offering.days,
    )
    # A villager may only ask for what their own village (or the township above it) offers.
    if not appeal.node.path.startswith(offering.node.path):
        raise ValidationError({"offering": gettext("该服务不在您所在村的服务菜单上。")})
    link = ServiceRequest.objects.create(appeal=appeal, offering=offering, note=words[:1000])
    audit_record(
        actor=actor,
        action=Action.SERVICE_REQUEST_SUBMIT,
        obj=link,
        changes={"offering": offering.pk, "appeal": appeal.pk},
    )
    return appeal
