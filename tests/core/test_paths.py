from hypothesis import given
from hypothesis import strategies as st

from xiangzhi.core.paths import ALPHABET, next_prefix

paths = st.text(alphabet=ALPHABET, min_size=1, max_size=12)


@given(paths, paths)
def test_the_range_holds_exactly_the_strings_with_the_prefix(prefix, other):
    upper = next_prefix(prefix)
    inside = other >= prefix and (upper is None or other < upper)
    assert inside == other.startswith(prefix)
    assert (prefix + other >= prefix) and (upper is None or prefix + other < upper)


def test_next_prefix_carries():
    assert next_prefix("0000z") == "00010"
    assert next_prefix("zz") is None
    assert next_prefix("a") == "b"
