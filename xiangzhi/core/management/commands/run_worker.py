"""Keep a background worker running: `manage.py run_worker [--restart-delay S]` runs the import
jobs' housekeeping, starts `manage.py db_worker` and starts it again whenever it dies (make demo
and make serve use it). SIGTERM or Ctrl+C stops the worker gracefully (it finishes the import it
is running) and then this command; a second one stops it at once."""

import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand
from django.db import connections


class Command(BaseCommand):
    help = "运行后台任务进程（db_worker），它意外退出时自动重启"

    def add_arguments(self, parser):
        parser.add_argument(
            "--restart-delay", type=float, default=2.0, help="重启前等待的秒数（默认 2）"
        )

    def handle(self, *args, restart_delay, **options):
        self.stopping = 0
        self.child = None
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._stop)
        while not self.stopping:
            self._housekeeping()
            # Its own session: a Ctrl+C at the terminal reaches this command, which passes it on
            # once as a graceful stop, not the worker directly (twice would stop it at once).
            self.child = subprocess.Popen(  # noqa: S603 - Django's own entry point
                [sys.executable, "-m", "django", "db_worker", "--no-reload"],
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            self.stdout.write(f"后台任务进程已启动（pid {self.child.pid}）")
            self.stdout.flush()
            code = self.child.wait()
            if self.stopping:
                break
            self.stderr.write(f"后台任务进程意外退出（退出码 {code}），{restart_delay:g} 秒后重启")
            self.stderr.flush()
            time.sleep(restart_delay)
        self.stdout.write("后台任务进程已停止")

    def _housekeeping(self) -> None:
        """Fail the jobs of a worker that died, before a new one starts (and queue the periodic
        housekeeping and the daily audit checkpoint); the connection is closed again while the
        worker runs."""
        from xiangzhi.core.sheets.tasks import import_housekeeping

        try:
            failed = import_housekeeping()
        except Exception as exc:  # noqa: BLE001 - the database may be down: start the worker anyway
            self.stderr.write(f"导入任务清理失败：{exc}")
        else:
            if failed:
                self.stdout.write(f"已把 {failed} 个中断的导入任务标记为失败")
        try:
            from xiangzhi.core.checkpoint_tasks import checkpoint_schedule

            checkpoint_schedule()  # the daily signed audit checkpoint queues its own next run
        except Exception as exc:  # noqa: BLE001 - as above
            self.stderr.write(f"每日审计检查点排程失败：{exc}")
        try:
            from xiangzhi.core.figures_tasks import schedule_daily_figures

            schedule_daily_figures()  # the daily recount of date-dependent figures
        except Exception as exc:  # noqa: BLE001 - as above: start the worker anyway
            self.stderr.write(f"每日统计任务排队失败：{exc}")
        from xiangzhi.core.registry import WORKER_STARTS

        for hook in WORKER_STARTS:  # the apps' own periodic tasks (appeals' deadline sweep)
            try:
                hook()
            except Exception as exc:  # noqa: BLE001 - as above: start the worker anyway
                self.stderr.write(f"后台任务排队失败：{exc}")
        connections.close_all()

    def _stop(self, signum, frame) -> None:
        self.stopping += 1
        if self.child is not None and self.child.poll() is None:
            self.child.send_signal(signal.SIGTERM)
