"""The admin speaks Chinese: section names, model names and columns, the libraries' included."""

from __future__ import annotations

import re

import pytest

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Words that are Chinese usage as they are (IP 地址, GET 数据).
ALLOWED = {"IP", "GET", "POST", "HTTP", "Accept", "SHA"}


def _latin(text: str) -> set[str]:
    return set(LATIN_WORD.findall(text)) - ALLOWED


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_every_admin_section_and_model_has_a_chinese_name(client, world):
    client.force_login(world.admin)
    body = client.get("/admin/").content.decode()
    captions = re.findall(r"<caption>\s*<a[^>]*>([^<]+)</a>", body)
    models = re.findall(r'<th scope="row" id="[^"]+">\s*<a[^>]*>([^<]+)</a>', body)
    assert len(captions) >= 8 and len(models) >= 12, (captions, models)
    assert {"登录防护", "后台任务"} <= set(captions)
    assert {"登录尝试", "登录失败", "登录日志", "任务结果"} <= set(models)
    for name in captions + models:
        assert not _latin(name), name
    assert not _latin(
        _visible(body.split('id="content-main"')[1].split('<div id="content-related"')[0])
    )


@pytest.mark.parametrize(
    "label",
    [
        "axes.AccessAttempt",
        "axes.AccessFailureLog",
        "axes.AccessLog",
        "django_tasks_database.DBTaskResult",
    ],
)
def test_the_libraries_lists_name_their_columns_and_filters_in_chinese(rf, world, label):
    from django.apps import apps
    from django.contrib import admin
    from django.contrib.admin.utils import label_for_field

    model = apps.get_model(label)
    model_admin = admin.site._registry[model]
    request = rf.get("/admin/")
    request.user = world.admin
    names = [*model_admin.get_list_display(request), *model_admin.get_list_filter(request)]
    names = [n for n in names if isinstance(n, str)]
    names += [f for f in model_admin.get_fields(request) if isinstance(f, str)]
    assert names
    for name in names:
        shown = str(label_for_field(name, model, model_admin))
        assert not _latin(shown), (name, shown)
