"""The few lines `make demo` ends with: where to open the demo (on this machine and, when it
listens on every interface, from a phone on the same network), the demo accounts and where the
logs are. Everything before it went to var/setup.log."""

from __future__ import annotations

import socket

from django.conf import settings
from django.core.management.base import BaseCommand

from xiangzhi.accounts.demo import DEMO_PASSWORD
from xiangzhi.accounts.models import User

PER_LINE = 4  # accounts per line of the summary


def lan_address() -> str | None:
    """This machine's address on its local network, or None.

    Connecting a UDP socket sends nothing: it only asks the kernel which interface would route
    there, so this works offline too."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def _allowed(host: str) -> bool:
    allowed = settings.ALLOWED_HOSTS
    return "*" in allowed or host in allowed


class Command(BaseCommand):
    help = "打印演示环境的摘要：网址、演示账号和日志位置"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1:8000", help="网站监听的 地址：端口")
        parser.add_argument("--setup-log", default="var/setup.log")

    def handle(self, *args, host: str, setup_log: str, **opts):
        address, _, port = host.rpartition(":")
        address, port = address or "127.0.0.1", port or "8000"
        out = self.stdout.write
        out(self.style.SUCCESS(f"乡治演示已就绪（安装、迁移和载入数据的详细输出在 {setup_log}）"))
        local = "127.0.0.1" if address in ("0.0.0.0", "::") else address
        out(f"  本机打开：http://{local}:{port}")
        if address in ("0.0.0.0", "::"):
            self._phone_lines(port)
        else:
            out("  手机访问：用 HOST=0.0.0.0:8000 启动（见 README“在手机上打开演示”）")
        out(f"  演示账号（密码均为 {DEMO_PASSWORD}）：")
        users = list(
            User.objects.filter(username__startswith="demo_")
            .order_by("id")
            .values_list("username", "display_name")
        )
        for i in range(0, len(users), PER_LINE):
            out("    " + "  ".join(f"{u}（{name}）" for u, name in users[i : i + PER_LINE]))
        out("  日志：网站 var/server.log，后台任务 var/worker.log。按 Ctrl+C 停止。")

    def _phone_lines(self, port: str) -> None:
        lan = lan_address()
        if lan is None:
            self.stdout.write("  手机打开：本机没有局域网地址，请先连上网络")
            return
        self.stdout.write(f"  手机打开：http://{lan}:{port}（手机与本机连在同一网络）")
        if not _allowed(lan):
            self.stdout.write(
                self.style.WARNING(
                    f"  注意：{lan} 不在 XIANGZHI_ALLOWED_HOSTS 中，手机会看到“400 错误”；请用 "
                    f"XIANGZHI_ALLOWED_HOSTS=127.0.0.1,localhost,{lan} 重新启动"
                )
            )
