"""The cached pinyin of names must equal pypinyin's own conversion of the whole name."""

from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import lazy_pinyin

from xiangzhi.people.models import name_pinyin

# Common surname and given-name characters, with polyphonic ones (长 重 乐 柏 单 曾 解 行) and
# characters that begin dictionary phrases, so that both paths of the conversion are taken.
CHARS = "张王李赵刘陈杨黄周吴徐孙朱马胡郭林何高罗郑梁谢宋唐长重乐柏单曾解行春庆国华明军红英"


def reference(name: str) -> tuple[str, str]:
    syllables = [p for p in lazy_pinyin(name, errors="ignore") if p]
    return "".join(syllables).lower(), "".join(p[0] for p in syllables).lower()


@settings(max_examples=400)
@given(st.text(alphabet=CHARS + "Ab ·", min_size=1, max_size=5))
def test_name_pinyin_equals_pypinyin_for_any_name(name):
    assert name_pinyin(name) == reference(name)


def test_phrases_keep_their_reading():
    assert name_pinyin("长春") == ("changchun", "cc")
    assert name_pinyin("周长") == reference("周长")
