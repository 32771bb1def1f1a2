"""The signed audit checkpoint's printable page, on a phone and on a desk, in a real browser."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from xiangzhi.core.models import AuditHead

from .support import BROWSER, axe_check, log_in, no_horizontal_scroll

pytestmark = BROWSER


@pytest.fixture
def signed(settings, tmp_path, world):
    settings.XIANGZHI_AUDIT_SIGNING_KEY_FILE = tmp_path / "audit_signing_key"
    settings.XIANGZHI_AUDIT_PUBLIC_KEYS_DIR = tmp_path / "public"
    settings.XIANGZHI_AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    call_command("audit_checkpoint", stdout=StringIO())
    return world


def test_the_auditor_reaches_prints_and_downloads_the_checkpoint(page, live_server, signed):
    world = signed
    # The head as signed: the chief's login below goes to the township's chain after it.
    signed_hash = AuditHead.objects.get(key=world.township.path).hash
    log_in(page, live_server, world.chief.username)
    page.goto(f"{live_server.url}/core/audit/")
    page.click("#audit-checkpoint-links a >> nth=0")
    page.wait_for_url("**/core/audit/checkpoint/")
    assert signed_hash in page.inner_text("main")
    no_horizontal_scroll(page)
    axe_check(page)
    with page.expect_download() as download:
        page.click("text=下载检查点文件")
    assert download.value.suggested_filename.startswith("audit-checkpoint-")
    # Printed, the page keeps the heads and drops the navigation and the buttons.
    page.emulate_media(media="print")
    assert not page.is_visible("header.top") and not page.is_visible(".no-print")
    assert page.is_visible("table")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.emulate_media(media="screen")
    no_horizontal_scroll(page, 1280)
    axe_check(page)
