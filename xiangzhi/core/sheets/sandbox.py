"""Run an import where a crash or a memory blow-up cannot take the worker with it: in a child
process (`python -m xiangzhi.core.sheet_child`) with an address-space limit and a wall-clock
timeout. The worker's task (the parent) claims the job, starts the child, beats the job's
heartbeat while it waits, and when the child dies (a signal, a MemoryError, any non-zero exit,
the timeout) fails the job with a message for its uploader and returns, so that the worker takes
the next job. The child imports in one transaction that also records the job's outcome, so a
child that dies has written nothing (its database connection dies with it)."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from django.conf import settings

from xiangzhi.core.models import ImportJob
from xiangzhi.core.sheet_child import EXIT_MEMORY

from .runner import (
    MEMORY_ERROR,
    alive_path,
    heartbeat,
    import_job_claim,
    import_job_done,
    import_job_fail,
)

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 10
CRASHED = (
    "导入进程意外终止（表格可能过大或内容异常），导入没有完成，没有写入任何数据。"
    "请检查表格后重新上传；如果再次出现，请联系管理员。"
)
STOPPED = "后台任务进程被停止，导入没有完成，没有写入任何数据。请重新上传。"


def timeout_message(seconds: int) -> str:
    return (
        f"导入超过 {max(1, round(seconds / 60))} 分钟仍未完成，已停止，没有写入任何数据。"
        "请把表格拆成几个较小的文件后重新上传。"
    )


def import_job_isolated(
    *, job_id: int, on_kept: Callable[[ImportJob], None] | None = None
) -> ImportJob:
    """Run a queued job in a child process (see the module docstring)."""
    job = import_job_claim(job_id=job_id)
    if job is None:
        return ImportJob.objects.get(pk=job_id)
    stored = job.stored_as
    heartbeat(job.pk)
    child = subprocess.Popen(  # noqa: S603 - our own module, with the worker's interpreter
        [
            sys.executable,
            "-m",
            "xiangzhi.core.sheet_child",
            str(job.pk),
            str(settings.XIANGZHI_IMPORT_MEMORY_BYTES),
        ],
        stdin=subprocess.DEVNULL,
    )
    try:
        code = _wait(child, job.pk, settings.XIANGZHI_IMPORT_TIMEOUT_SECONDS)
    except BaseException:  # the worker is being stopped: the child goes with it
        _kill(child)
        import_job_fail(job_id=job.pk, message=STOPPED)
        raise
    message = _death_message(code)
    if message:
        logger.error("import job %s: the child process ended with %s", job.pk, code)
        import_job_fail(job_id=job.pk, message=message)
    job.refresh_from_db()
    if job.status == ImportJob.Status.RUNNING:  # the child ended without saying how
        import_job_fail(job_id=job.pk, message=CRASHED)
        job.refresh_from_db()
    if not job.stored_as and stored:
        # The child deletes the file after its commit; it may have died in between.
        from pathlib import Path

        Path(stored).unlink(missing_ok=True)
    alive_path(job.pk).unlink(missing_ok=True)
    import_job_done(job, on_kept=on_kept)
    return job


def _wait(child: subprocess.Popen, job_id: int, timeout: int) -> int | None:
    """Wait for the child, beating the heartbeat; its exit status, or None at the timeout (the
    child is killed)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return child.wait(timeout=min(HEARTBEAT_SECONDS, max(0.1, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                _kill(child)
                return None
            heartbeat(job_id)


def _kill(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.kill()
        child.wait()


def _death_message(code: int | None) -> str:
    """The uploader's message for how the child ended; "" when it ended normally."""
    if code is None:
        return timeout_message(settings.XIANGZHI_IMPORT_TIMEOUT_SECONDS)
    if code == 0:
        return ""
    if code == EXIT_MEMORY:
        return MEMORY_ERROR
    if code in (-signal.SIGTERM, -signal.SIGINT):
        return STOPPED
    return CRASHED
