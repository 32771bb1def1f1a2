"""The child process of an import, started by core/sheets/sandbox.py as `python -m
xiangzhi.core.sheet_child JOB_ID MEMORY_BYTES` (outside core.sheets, whose package imports the
models before Django is set up). It limits its own address space before it loads anything, so
that a workbook that makes calamine (or anything else) allocate past the limit ends this
process, not the worker; it writes no core file (a workbook holds people's ID numbers); it dies
with its parent; and it opens its own database connection (nothing is inherited across exec)."""

from __future__ import annotations

import os
import resource
import signal
import sys

EXIT_MEMORY = 3  # the exit status after a MemoryError


def _limit(memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Ctrl+C at a terminal reaches the whole process group: the worker decides (it lets the
    # import finish), so the child does not stop half-way on its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        # PR_SET_PDEATHSIG: the kernel kills this process when the worker dies.
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


def main(argv: list[str]) -> int:
    job_id, memory_bytes = int(argv[1]), int(argv[2])
    parent = os.getppid()
    _limit(memory_bytes)
    if os.getppid() != parent:  # the worker died before the line above
        return 1
    try:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiangzhi.settings")
        import django

        django.setup()
        from xiangzhi.core.models import ImportJob
        from xiangzhi.core.sheets.runner import import_job_execute

        job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
        if job is not None and job.status == ImportJob.Status.RUNNING:
            import_job_execute(job)
    except MemoryError:
        # Nothing more is safe to do with the memory gone: the transaction dies with the process,
        # and the worker tells the uploader.
        os._exit(EXIT_MEMORY)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
