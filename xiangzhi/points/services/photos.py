"""Photos a claim carries: checked by their first bytes (never by the name a phone gave)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from xiangzhi.core.files import image_type

MAX_PHOTOS = 6
MAX_BYTES = 10 * 1024 * 1024


def photo_suffix(head: bytes) -> str | None:
    """The file suffix of a JPEG, PNG or WebP image by its magic bytes; None otherwise."""
    kind = image_type(head)
    return f".{kind[1]}" if kind else None


def photos_read(photos: list | tuple) -> list[ContentFile]:
    """The uploaded photos as files to store, or a ValidationError naming the photos field."""
    photos = [p for p in photos if p]
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("最多上传%(n)d张照片") % {"n": MAX_PHOTOS}})
    out = []
    for photo in photos:
        if photo.size > MAX_BYTES:
            raise ValidationError({"photos": _("照片不能超过10MB")})
        data = photo.read()
        suffix = photo_suffix(data[:16])
        if suffix is None:
            raise ValidationError({"photos": _("只能上传JPG、PNG或WebP格式的照片")})
        out.append(ContentFile(data, name=f"photo{suffix}"))
    return out
