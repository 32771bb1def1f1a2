"""`make demo` ends with a short summary: where to open it (from a phone too), the accounts and
where the logs are; seed_demo --brief prints one line; the settings read XIANGZHI_ALLOWED_HOSTS."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from xiangzhi.demo.management.commands import demo_summary

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_seed_demo_brief_prints_one_line_and_no_accounts(tiny_demo):
    lines = tiny_demo.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("已载入演示数据")
    again = StringIO()
    call_command("seed_demo", "--seed", "3", "--brief", stdout=again)
    assert len(again.getvalue().strip().splitlines()) == 1


@pytest.mark.django_db
def test_the_summary_is_a_few_lines_with_url_accounts_and_logs(tiny_demo, monkeypatch):
    monkeypatch.setattr(demo_summary, "lan_address", lambda: None)
    out = StringIO()
    call_command("demo_summary", "--host", "127.0.0.1:8000", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000" in text and "xiangzhi-demo" in text
    assert "demo_shuji" in text and "demo_cunmin" in text and "var/server.log" in text
    assert "var/setup.log" in text and "HOST=0.0.0.0:8000" in text
    assert len(text.strip().splitlines()) <= 10


@pytest.mark.django_db
def test_on_every_interface_it_names_the_phone_address_and_the_missing_host(
    tiny_demo, monkeypatch, settings
):
    monkeypatch.setattr(demo_summary, "lan_address", lambda: "192.168.1.23")
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    out = StringIO()
    call_command("demo_summary", "--host", "0.0.0.0:8000", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000" in text and "http://192.168.1.23:8000" in text
    assert "XIANGZHI_ALLOWED_HOSTS=127.0.0.1,localhost,192.168.1.23" in text
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "192.168.1.23"]
    out = StringIO()
    call_command("demo_summary", "--host", "0.0.0.0:8000", stdout=out)
    assert "http://192.168.1.23:8000" in out.getvalue()
    assert "XIANGZHI_ALLOWED_HOSTS" not in out.getvalue()


def test_the_lan_address_is_never_the_loopback():
    address = demo_summary.lan_address()
    assert address is None or not address.startswith("127.")


def test_the_settings_read_the_allowed_hosts_from_the_environment():
    env = {k: v for k, v in os.environ.items() if k not in ("XIANGZHI_DEBUG", "XIANGZHI_TESTING")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "xiangzhi.settings",
        "XIANGZHI_ALLOWED_HOSTS": "127.0.0.1,localhost,192.168.1.23",
    }
    code = "import django; django.setup(); from django.conf import settings; print(settings.ALLOWED_HOSTS)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "'192.168.1.23'" in out


def test_make_demo_sends_each_setup_step_to_a_log():
    """The demo target runs migrate, collectstatic and seed_demo through the logging step."""
    dry = subprocess.run(
        ["make", "-n", "demo", "HOST=127.0.0.1:8000"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for step in ("manage.py migrate", "manage.py collectstatic", "manage.py seed_demo"):
        line = next(x for x in dry.splitlines() if step in x)
        assert ">> var/setup.log 2>&1" in line
    assert "manage.py demo_summary --host 127.0.0.1:8000" in dry
    assert "runserver 127.0.0.1:8000 --noreload > var/server.log" in dry
