"""Pinyin of names: pypinyin's reading of the text, except that surnames read as surnames."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import lazy_pinyin

from xiangzhi.people.models import Resident
from xiangzhi.people.pinyin import SURNAME_READINGS, name_pinyin, text_syllables

# Common surname and given-name characters, with polyphonic ones (长 重 乐 柏 单 曾 解 行) and
# characters that begin dictionary phrases, so that both paths of the conversion are taken.
CHARS = "张王李赵刘陈杨黄周吴徐孙朱马胡郭林何高罗郑梁谢宋唐长重乐柏单曾解行春庆国华明军红英"


@settings(max_examples=400)
@given(st.text(alphabet=CHARS + "Ab ·", min_size=1, max_size=5))
def test_the_cached_conversion_equals_pypinyin_for_any_text(text):
    assert text_syllables(text) == [p for p in lazy_pinyin(text, errors="ignore") if p]


@settings(max_examples=400)
@given(st.text(alphabet=CHARS, min_size=2, max_size=4))
def test_a_name_is_its_surname_reading_then_the_given_name(name):
    full, initials = name_pinyin(name)
    if len(name) > 2 and name[:2] in SURNAME_READINGS:
        syllables = [*SURNAME_READINGS[name[:2]], *text_syllables(name[2:])]
    elif name[0] in SURNAME_READINGS:
        syllables = [*SURNAME_READINGS[name[0]], *text_syllables(name[1:])]
    else:  # no surname of its own reading: the whole name as pypinyin reads it
        syllables = text_syllables(name)
    assert (full, initials) == ("".join(syllables), "".join(s[0] for s in syllables))


@pytest.mark.parametrize(
    "name, full, initials",
    [
        ("单田芳", "shantianfang", "stf"),  # pypinyin alone: dantianfang
        ("曾国藩", "zengguofan", "zgf"),
        ("解放", "xiefang", "xf"),  # as a person's name
        ("区小红", "ouxiaohong", "oxh"),
        ("尉迟恭", "yuchigong", "ycg"),
        ("张单", "zhangdan", "zd"),  # a given name keeps the ordinary reading
        ("长春", "changchun", "cc"),  # 长 is no surname with its own reading: phrase reading
        ("单", "dan", "d"),  # one character is no surname plus given name
    ],
)
def test_surnames_read_as_surnames(name, full, initials):
    assert name_pinyin(name) == (full, initials)


def test_a_resident_is_found_by_the_surname_reading(client, world):
    from xiangzhi.people.services import ResidentData, resident_add

    from ..factories import make_id

    resident_add(
        actor=world.a.cadre,
        household=world.a.household,
        data=ResidentData(name="单小明", id_number=make_id(), relation=Resident.Relation.CHILD),
        kind="move_in",
    )
    client.force_login(world.a.cadre)
    for query in ("shan", "shanxiao", "sxm"):
        assert "单小明" in client.get(f"/people/residents/?q={query}").content.decode(), query
    assert "单小明" not in client.get("/people/residents/?q=dan").content.decode()


def test_the_migration_gives_existing_residents_their_surname_reading(world):
    import importlib

    from django.apps import apps
    from django.db import connection

    head = world.a.head
    Resident.objects.filter(pk=head.pk).update(name="曾大山", name_pinyin="cengdashan")
    migration = importlib.import_module("xiangzhi.people.migrations.0007_resident_surname_pinyin")
    migration.recompute(apps, connection.schema_editor())
    head.refresh_from_db()
    assert (head.name_pinyin, head.name_initials) == ("zengdashan", "zds")


def test_the_columns_hold_the_pinyin_of_any_name_of_the_50_characters_allowed():
    """Six letters a character at most (庄 zhuang, 双 shuang); PostgreSQL refuses a longer value."""
    name_field = Resident._meta.get_field("name")
    full, initials = name_pinyin("庄双" * (name_field.max_length // 2))
    assert len(full) == 6 * name_field.max_length
    assert len(full) <= Resident._meta.get_field("name_pinyin").max_length
    assert len(initials) <= Resident._meta.get_field("name_initials").max_length


# A transliterated Uyghur name of 33 characters: 33 initials and 94 letters of pinyin.
LONG_NAME = "阿卜杜热合曼买买提明艾则孜吐尔逊托合提阿不都克热木热依拉木艾合买提江"


def test_a_long_name_is_registered_and_found_by_its_pinyin_and_initials(client, world):
    from xiangzhi.people.services import ResidentData, resident_add

    from ..factories import make_id

    full, initials = name_pinyin(LONG_NAME)
    resident_add(
        actor=world.a.cadre,
        household=world.a.household,
        data=ResidentData(name=LONG_NAME, id_number=make_id(), relation=Resident.Relation.OTHER),
        kind="move_in",
    )
    assert Resident.objects.get(name=LONG_NAME).name_initials == initials
    client.force_login(world.a.cadre)
    for query in (full, initials):
        assert LONG_NAME in client.get(f"/people/residents/?q={query}").content.decode(), query
