"""Deterministic synthetic people for demos and benchmarks: plausible names, valid IDs, phones."""

from __future__ import annotations

import datetime as dt
import random

from .validators import id_check_char

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅文斌丹萍鹏辉玲燕宇浩凯"
    "婷雪琴云莲春生海林波福荣德金山水清松柏菊兰翠凤花香梦晨欣怡佳俊豪博睿泽轩涵宁安乐和顺"
)
HAMLET_WORDS = "枫树 樟树 竹山 荷塘 石桥 杨柳 桃花 新屋 老屋 塘边 山下 岭上 茶园 龙井 水口 长冲 大湾 上屋 下屋 田心".split()
REGION = "430521"  # a county-level region code used for synthetic IDs only


class Synth:
    def __init__(self, seed: int, region: str = REGION):
        self.rng = random.Random(seed)
        self.region = region
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()

    def surname(self) -> str:
        return self.rng.choice(SURNAMES)

    def given(self) -> str:
        n = 1 if self.rng.random() < 0.3 else 2
        return "".join(self.rng.choice(GIVEN) for _ in range(n))

    def birth_date(self, min_age: int, max_age: int, today: dt.date) -> dt.date:
        days = self.rng.randint(min_age * 365 + 1, max_age * 365 + 300)
        return today - dt.timedelta(days=days)

    def id_number(self, birth: dt.date, gender: str) -> str:
        while True:
            seq = self.rng.randint(0, 99)
            sex_digit = self.rng.choice("13579" if gender == "M" else "02468")
            body = f"{self.region}{birth:%Y%m%d}{seq:02d}{sex_digit}"
            number = body + id_check_char(body)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = self.rng.choice(
                ["138", "139", "150", "151", "158", "177", "186", "199"]
            ) + "".join(self.rng.choice("0123456789") for _ in range(8))
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number
