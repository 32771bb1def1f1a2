"""Files a service writes to storage inside its transaction are removed again when it fails: the
transaction rolls back and no row points at them any more.

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
