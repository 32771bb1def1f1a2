"""Uploaded files: what an image is (image_type), and files a service writes to storage inside its
transaction removed again when it fails (the transaction rolls back and no row points at them).

    @files_undone_on_failure          # outside @transaction.atomic
    @transaction.atomic
    def visit_record(...):
        ...
        photo.file.save(name, upload, save=False)
        stored(photo.file)            # removed if the service raises from here on
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db.models.fields.files import FieldFile

# An image is told by its first bytes, never by its name or the browser's word.
IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"RIFF", "image/webp", "webp"),  # and "WEBP" at bytes 8 to 12
)
IMAGE_HEAD = 12  # the bytes image_type needs


def image_type(head: bytes) -> tuple[str, str] | None:
    """The content type and extension of a JPEG, PNG or WebP image by its first IMAGE_HEAD
    bytes; None for anything else."""
    for magic, content_type, ext in IMAGE_MAGIC:
        if head.startswith(magic) and (ext != "webp" or head[8:12] == b"WEBP"):
            return content_type, ext
    return None


P = ParamSpec("P")
R = TypeVar("R")
_local = threading.local()


def stored(file: FieldFile) -> None:
    """Note a file just written to its storage by the running service (nothing outside one)."""
    written = getattr(_local, "written", None)
    if written is not None:
        written.append((file.storage, file.name))


def files_undone_on_failure(service: Callable[P, R]) -> Callable[P, R]:
    """Remove the files the service noted with stored() when it raises; a nested service removes
    only its own."""

    @functools.wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        outer = getattr(_local, "written", None)
        written = _local.written = [] if outer is None else outer
        start = len(written)
        try:
            return service(*args, **kwargs)
        except BaseException:
            for storage, name in written[start:]:
                storage.delete(name)
            del written[start:]
            raise
        finally:
            if outer is None:
                _local.written = None

    return wrapper
