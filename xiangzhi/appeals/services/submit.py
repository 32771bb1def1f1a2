"""Raising an appeal: a villager on the phone page, a cadre or grid worker for a villager."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.core import figures
from xiangzhi.core.audit import audit_record
from xiangzhi.core.files import IMAGE_HEAD, image_type
from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor
from xiangzhi.grid.models import GridNode
from xiangzhi.people.models import Household, Resident

from ..actions import AppealAction
from ..deadlines import deadline_for
from ..models import STEP_SUBMIT, Appeal, AppealEvent, AppealPhoto, Kind, Source, State
from .notices import notify_handlers

MAX_PHOTOS = 4
MAX_PHOTO_BYTES = 5 * 1024 * 1024
# What a villager's own page may say it came from; staff record any source.
VILLAGER_SOURCES = {Source.H5, Source.SERVICE_MENU}


def own_resident(*, actor: Actor) -> Resident | None:
    """The register's person linked to the actor's account (a villager, a party member), while
    they live here: one who moved out or died has no household to raise appeals for (an account
    kept for a cadre's role, accounts.user_leave, keeps the person linked), as the scope's
    household lookup has none."""
    if not getattr(actor, "pk", None):
        return None
    return (
        Resident.objects.select_related("household__node")
        .filter(user_id=actor.pk, status=Resident.Status.ACTIVE)
        .first()
    )


def _photo_type(upload: UploadedFile) -> tuple[str, str] | None:
    head = upload.read(IMAGE_HEAD)
    upload.seek(0)
    return image_type(head)


def _check_photos(photos: list[UploadedFile]) -> list[tuple[UploadedFile, str, str]]:
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": gettext("照片最多%(n)d张。") % {"n": MAX_PHOTOS}})
    checked = []
    for upload in photos:
        if upload.size > MAX_PHOTO_BYTES:
            raise ValidationError({"photos": gettext("每张照片不能超过5MB。")})
        kind = _photo_type(upload)
        if kind is None:
            raise ValidationError({"photos": gettext("照片只能是JPG、PNG或WebP图片。")})
        checked.append((upload, *kind))
    return checked


def _check_location(latitude: Decimal | None, longitude: Decimal | None) -> None:
    if (latitude is None) != (longitude is None):
        raise ValidationError({"latitude": gettext("位置须同时有经度和纬度。")})
    if latitude is not None and not (-90 <= Decimal(latitude) <= 90):
        raise ValidationError({"latitude": gettext("纬度应在-90到90之间。")})
    if longitude is not None and not (-180 <= Decimal(longitude) <= 180):
        raise ValidationError({"longitude": gettext("经度应在-180到180之间。")})


def _where(
    *, actor: Actor, household: Household | None, resident: Resident | None, node: GridNode | None
) -> tuple[Household | None, Resident | None, GridNode, bool]:
    """Whose appeal, on which node, and whether the actor raises it as the villager."""
    scope = scope_for(actor)
    if resident is not None and household is None:
        household = resident.household
    if resident is not None and household is not None and resident.household_id != household.pk:
        raise ValidationError({"resident": gettext("诉求人不在所选的户中。")})
    if household is not None:
        node = household.node
    if node is None:
        raise ValidationError({"node": gettext("请选择诉求所在的网格，或选择诉求人所在的户。")})
    if scope.can_write_path(node.path):
        return household, resident, node, False
    if household is not None and household.pk in scope.household_ids:
        return household, resident, node, True
    raise PermissionDenied(gettext("您不能为该户或该网格登记诉求。"))


@transaction.atomic
@figures.batched
def appeal_submit(
    *,
    actor: Actor,
    text: str,
    kind: str = Kind.HELP,
    source: str = Source.H5,
    household: Household | None = None,
    resident: Resident | None = None,
    node: GridNode | None = None,
    photos: list[UploadedFile] | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    at: dt.datetime | None = None,
    reply_days: int | None = None,
) -> Appeal:
    """Raise an appeal: the villager's own (their household from their account) or one a cadre
    or grid worker records for a villager, a patrol's finding, a hamlet talk's opinion.
    `reply_days`: working days to reply in, when not the kind's (a service offering's 办理时限)."""
    text = (text or "").strip()
    if household is None and resident is None and node is None:
        mine = own_resident(actor=actor)
        if mine is not None and mine.household_id:
            household, resident = mine.household, mine
    household, resident, node, as_villager = _where(
        actor=actor, household=household, resident=resident, node=node
    )
    errors = {}
    if not text:
        errors["text"] = gettext("请说一说您的诉求。")
    elif len(text) > 2000:
        errors["text"] = gettext("诉求内容不能超过2000字。")
    if kind not in Kind.values:
        errors["kind"] = gettext("请选择诉求类型。")
    if source not in Source.values or (as_villager and source not in VILLAGER_SOURCES):
        errors["source"] = gettext("请选择诉求来源。")
    if errors:
        raise ValidationError(errors)
    _check_location(latitude, longitude)
    checked = _check_photos(list(photos or []))
    at = at or timezone.now()
    appeal = Appeal.objects.create(
        kind=kind,
        source=source,
        text=text,
        household=household,
        resident=resident,
        node=node,
        origin_node=node,
        latitude=latitude,
        longitude=longitude,
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=at,
        deadline=deadline_for(kind, at, reply_days),
    )
    for upload, content_type, ext in checked:
        photo = AppealPhoto(appeal=appeal, token=secrets.token_hex(12), content_type=content_type)
        photo.file.save(f"photo.{ext}", upload, save=True)
    AppealEvent.objects.create(
        appeal=appeal, actor=appeal.created_by, at=at, action=STEP_SUBMIT, to_state=State.SUBMITTED
    )
    figures.touch(node)
    audit_record(
        actor=actor,
        action=AppealAction.APPEAL_SUBMIT,
        obj=appeal,
        changes={"kind": kind, "source": source, "household": household and household.pk},
    )
    notify_handlers(appeal, gettext("新诉求待受理"))
    return appeal
