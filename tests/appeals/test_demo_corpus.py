"""The demo's villagers' messages read like real ones: varied, short, labelled."""

import statistics
from collections import Counter

from xiangzhi.appeals.demo_corpus import KINDS, TOPICS, messages


def test_two_thousand_messages_are_nearly_all_different():
    texts = [m.text for m in messages(2000, seed=7)]
    assert len(set(texts)) / len(texts) > 0.97


def test_messages_are_short_but_of_varied_lengths():
    lengths = [len(m.text) for m in messages(2000, seed=7)]
    assert min(lengths) < 16
    assert max(lengths) > 55
    assert 20 < statistics.mean(lengths) < 45
    assert statistics.pstdev(lengths) > 5


def test_no_opening_or_core_sentence_dominates():
    # Not a handful of templates: the most common first six characters cover few messages.
    heads = Counter(m.text[:6] for m in messages(2000, seed=7))
    assert heads.most_common(1)[0][1] < 2000 * 0.05


def test_messages_carry_dialect_and_typos():
    texts = [m.text for m in messages(2000, seed=7)]
    for word in ("冇", "么子", "啵", "晓得", "细伢子"):
        assert any(word in t for t in texts), word
    assert any("再" in t and "在" not in t for t in texts)  # 在 typed as 再 somewhere
    assert sum("，" not in t and "," not in t for t in texts) > 200  # no punctuation at all


def test_every_kind_and_every_topic_is_labelled():
    found = messages(2000, seed=7)
    assert {m.kind for m in found} == set(KINDS)
    assert {m.topic for m in found} == {t.key for t in TOPICS}
    departments = {m.department for m in found}
    assert {"public_security", "civil_affairs", "justice", "emergency", "petitions"} <= departments
    assert {"law_enforcement", "village", "social_security_office"} <= departments


def test_the_same_seed_gives_the_same_messages():
    assert messages(50, seed=3) == messages(50, seed=3)
    assert messages(50, seed=3) != messages(50, seed=4)
