"""Checks the organisational-life services share."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from xiangzhi.core.scope import scope_for
from xiangzhi.core.types import Actor


def require_write(*, actor: Actor, path: str, message: str) -> None:
    """Refuse (403) a user whose roles do not write under `path`."""
    if not scope_for(actor).can_write_path(path):
        raise PermissionDenied(message)


def past_day(value: dt.date | None, field: str, label: str) -> dt.date:
    """A date that is given and not after today, or a ValidationError naming the field."""
    if value is None:
        raise ValidationError({field: gettext("请填写%(label)s") % {"label": label}})
    if value > timezone.localdate():
        raise ValidationError({field: gettext("%(label)s不能晚于今天") % {"label": label}})
    return value


def text(
    value: str | None, field: str, label: str, *, required: bool = True, limit: int = 0
) -> str:
    """Trimmed text; required text that is blank, or too long, is refused naming the field."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: gettext("请填写%(label)s") % {"label": label}})
    if limit and len(value) > limit:
        raise ValidationError(
            {field: gettext("%(label)s不能超过%(n)d个字") % {"label": label, "n": limit}}
        )
    return value
