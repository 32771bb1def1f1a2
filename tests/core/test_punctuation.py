"""Full-width punctuation after Chinese text: no half-width `:,();` right after a CJK character,
in any template or any string literal of the code (messages, errors, labels, verbose names).

Docstrings and comments are developer text (English) and are not scanned, nor raw strings
(regular expressions); migrations repeat the models' names as they were and are not scanned
either. tests/core/punctuation_fix.py rewrites the hits of the files it is given.
"""

from __future__ import annotations

import re
from pathlib import Path

import xiangzhi

from .punctuation_fix import string_tokens

ROOT = Path(xiangzhi.__file__).resolve().parent
# A Chinese character, or a Chinese mark that ends a phrase (、。）” and the like), then `:,();`.
HALF_WIDTH_AFTER_CJK = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\u3001-\u3011\uff08\uff09\u201c\u201d][:,();]"
)
FULL_WIDTH = {":": "：", ",": "，", "(": "（", ")": "）", ";": "；"}


def _templates() -> list[Path]:
    return sorted(p for p in ROOT.rglob("templates/**/*") if p.suffix in {".html", ".txt"})


# Files another helper owned while this scan was written (issue 12): the lead fixes them at
# merge and removes them from here. Nothing else may be added.
NOT_YET = {
    ROOT / "people" / "forms.py",  # helper registry
}


def _python() -> list[Path]:
    files = ROOT.rglob("*.py")
    return sorted(p for p in files if "migrations" not in p.parts and p not in NOT_YET)


def _hits_in_text(path: Path, text: str, first_line: int = 1) -> list[str]:
    hits = []
    for offset, line in enumerate(text.splitlines()):
        for match in HALF_WIDTH_AFTER_CJK.finditer(line):
            wrong = match.group(0)
            hits.append(
                f"{path.relative_to(ROOT.parent)}:{first_line + offset}: {wrong!r} "
                f"(write {wrong[0]}{FULL_WIDTH[wrong[1]]}) in {line.strip()[:80]!r}"
            )
    return hits


def half_width_hits() -> list[str]:
    hits = []
    for path in _templates():
        hits += _hits_in_text(path, path.read_text(encoding="utf-8"))
    for path in _python():
        for tok in string_tokens(path.read_text(encoding="utf-8")):
            hits += _hits_in_text(path, tok.string, tok.start[0])
    return hits


def test_no_half_width_punctuation_follows_chinese_text():
    hits = half_width_hits()
    assert not hits, f"{len(hits)} half-width marks after Chinese text:\n" + "\n".join(hits)


def test_the_scan_finds_a_half_width_mark():
    text = "<p>姓名:张三，电话(可选)</p>\n<p>好，没有问题。</p>"
    hits = _hits_in_text(ROOT / "core" / "x.html", text)
    assert len(hits) == 3 and ":1:" in hits[0] and "'名:'" in hits[0] and "'话('" in hits[1]
    assert "好，" not in "".join(hits)
