"""Pinyin of people's names, for search by full pinyin ("zhangsan") or initials ("zs").

pypinyin (the library) converts text; a name needs two things more:
* Surnames read their surname reading: 单 is shan, 曾 zeng, 解 xie, 区 ou, 朴 piao, while pypinyin
  reads them as in ordinary words (dan, ceng, jie, qu, pu) and has no surname mode
  (mozillazg/python-pinyin#120, #297). The readings below are the surnames of that proposal
  (after overtrue/pinyin's list) whose reading differs from pypinyin's, and a few compound
  surnames pypinyin misreads. Only the first character(s) of a name of two or more characters
  take them; the given name keeps the ordinary reading (张单 is zhang dan).
* Speed: pypinyin converts a name in ~20 us, mostly segmenting it into dictionary phrases. A given
  name that contains no phrase of the dictionary converts character by character to the same
  result, so those (nearly all) take one cached lookup per character (~2 us).
"""

from __future__ import annotations

from pypinyin import lazy_pinyin
from pypinyin.constants import PHRASES_DICT

SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    # Compound surnames, read whole.
    "乐正": ("yue", "zheng"),
    "子车": ("zi", "ju"),
    "万俟": ("mo", "qi"),
    "尉迟": ("yu", "chi"),
    "单于": ("chan", "yu"),
    # Single surnames whose reading differs from the ordinary one.
    **{
        ch: (reading,)
        for ch, reading in {
            "重": "chong", "秘": "bi", "种": "chong", "繁": "po", "覃": "qin", "缪": "miao",
            "曾": "zeng", "解": "xie", "折": "she", "佴": "nai", "粘": "nian", "藏": "zang",
            "扎": "za", "翟": "zhai", "都": "du", "六": "lu", "薄": "bo", "盖": "ge", "查": "zha",
            "朴": "piao", "乜": "nie", "乐": "yue", "阚": "kan", "不": "fou", "区": "ou",
            "仇": "qiu", "单": "shan", "卜": "bu", "浣": "wan", "贠": "yun", "貟": "yun",
        }.items()
    },
}  # fmt: skip

_CHAR_PINYIN: dict[str, str] = {}


def text_syllables(text: str) -> list[str]:
    """The syllables of text as pypinyin reads it (non-Chinese characters are dropped)."""
    n = len(text)
    for i in range(n - 1):
        for j in range(i + 2, n + 1):
            if text[i:j] in PHRASES_DICT:
                return [p for p in lazy_pinyin(text, errors="ignore") if p]
    out = []
    for ch in text:
        p = _CHAR_PINYIN.get(ch)
        if p is None:
            p = "".join(lazy_pinyin(ch, errors="ignore"))
            if len(_CHAR_PINYIN) < 40_000:  # bounded: odd input cannot grow a worker's memory
                _CHAR_PINYIN[ch] = p
        if p:
            out.append(p)
    return out


def name_syllables(name: str) -> list[str]:
    """The syllables of a person's name: the surname's own reading, then the given name."""
    for size in (2, 1):
        reading = SURNAME_READINGS.get(name[:size]) if len(name) > size else None
        if reading:
            return [*reading, *text_syllables(name[size:])]
    return text_syllables(name)


def name_pinyin(name: str) -> tuple[str, str]:
    """Return the full pinyin ("zhangsan") and the initials ("zs") of a Chinese name."""
    # One conversion: the initials are the first letters of the full syllables.
    syllables = name_syllables(name)
    return "".join(syllables).lower(), "".join(p[0] for p in syllables).lower()
