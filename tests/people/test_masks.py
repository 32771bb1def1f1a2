"""Lists, exports and the API show stored masks and never decrypt an ID or phone number; the
stored masks are those of the numbers, after every kind of write and after the migration."""

import importlib
import io

import pytest
from django.apps import apps
from django.db import connection

from xiangzhi.core import crypto
from xiangzhi.core.crypto import mask_id_number, mask_phone
from xiangzhi.people.models import Resident


@pytest.fixture
def decrypts(monkeypatch):
    """Count the decryptions (a spy: the real decrypt still runs)."""
    calls = []
    real = crypto.decrypt

    def spy(token):
        calls.append(token)
        return real(token)

    monkeypatch.setattr(crypto, "decrypt", spy)
    return calls


@pytest.mark.parametrize(
    "url",
    ["/people/residents/", "/people/residents/?q=jia", "/people/households/?q=jia"],
)
def test_lists_show_masks_without_decrypting(client, world, decrypts, url):
    client.force_login(world.a.cadre)
    r = client.get(url)
    page = r.content.decode()
    assert r.status_code == 200 and world.a.head.name in page
    if "residents" in url:
        assert world.a.head.id_number_masked in page and world.a.head.id_number not in page
    assert decrypts == []


@pytest.mark.parametrize("kind", ["residents", "households"])
def test_exports_show_masks_without_decrypting(client, world, decrypts, kind):
    from openpyxl import load_workbook

    client.force_login(world.a.cadre)
    r = client.get(f"/people/{kind}/export/")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))
    cells = {str(c.value) for row in sheet.active.iter_rows() for c in row}
    assert world.a.head.id_number_masked in cells and world.a.head.id_number not in cells
    assert decrypts == []


def test_the_api_list_shows_masks_without_decrypting(client, world, decrypts):
    r = client.get("/api/v1/residents", headers={"Authorization": f"Bearer {world.a.token}"})
    assert r.status_code == 200, r.content
    items = r.json()["items"]
    assert items and all("*" in i["id_number_masked"] for i in items if i["id_number_masked"])
    assert decrypts == []


def test_a_detail_page_still_decrypts_for_its_own_resident(client, world, decrypts):
    client.force_login(world.a.cadre)
    r = client.get(f"/people/residents/{world.a.head.pk}/")
    assert r.status_code == 200 and world.a.head.id_number_masked in r.content.decode()


def test_stored_masks_match_the_numbers(world):
    for r in Resident.objects.all():
        assert r.id_number_mask == mask_id_number(r.id_number)
        assert r.phone_mask == mask_phone(r.phone)


def test_the_migration_fills_the_masks_of_existing_rows(world):
    with connection.cursor() as cur:
        cur.execute("UPDATE people_resident SET id_number_mask = '', phone_mask = ''")
    migration = importlib.import_module("xiangzhi.people.migrations.0005_resident_masks")
    migration.fill_masks(apps, connection.schema_editor())
    for r in Resident.objects.all():
        assert r.id_number_mask == mask_id_number(r.id_number)
        assert r.phone_mask == mask_phone(r.phone)
    assert Resident.objects.exclude(id_number="").exclude(id_number_mask="").exists()


def test_the_migration_hides_the_sequence_digits_of_stored_masks(world):
    from xiangzhi.core.crypto import legacy_mask_id_number

    for r in Resident.objects.exclude(id_number_index=None):
        Resident.objects.filter(pk=r.pk).update(id_number_mask=legacy_mask_id_number(r.id_number))
    migration = importlib.import_module(
        "xiangzhi.people.migrations.0013_resident_id_mask_without_sequence"
    )
    migration.remask(apps, connection.schema_editor())
    residents = list(Resident.objects.exclude(id_number_index=None))
    assert residents and all(r.id_number_mask == mask_id_number(r.id_number) for r in residents)
    assert all(r.id_number_mask[-4:-1] == "***" for r in residents)
