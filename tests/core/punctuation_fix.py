"""Rewrite half-width `:,();` after Chinese text as full-width, in templates and in the string
literals of Python files (docstrings and comments left alone); a bracket pair changes together.

    .venv/bin/python tests/core/punctuation_fix.py xiangzhi/people/views.py xiangzhi/.../x.html

The scan that finds them is tests/core/test_punctuation.py; this is its helper for the fixes.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from pathlib import Path

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3001-\u3011\uff08\uff09\u201c\u201d]")
FULL = {":": "：", ",": "，", "(": "（", ")": "）", ";": "；"}


def fix_text(text: str) -> str:
    """Full-width marks after CJK characters; a bracket is changed with its partner."""
    chars = list(text)
    flagged = {i for i in range(1, len(chars)) if chars[i] in FULL and CJK.match(chars[i - 1])}
    stack: list[int] = []
    pairs: dict[int, int] = {}
    for i, ch in enumerate(chars):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            j = stack.pop()
            pairs[i], pairs[j] = j, i
    for i in list(flagged):
        if chars[i] in "()" and i in pairs:
            flagged.add(pairs[i])
    for i in flagged:
        chars[i] = FULL[chars[i]]
    return "".join(chars)


def _docstring_starts(source: str) -> set[tuple[int, int]]:
    starts = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                starts.add((body[0].value.lineno, body[0].value.col_offset))
    return starts


def string_tokens(source: str):
    """The string literals of a module that may reach a user: not docstrings, not raw strings
    (regular expressions, whose `[、,;]` is a character class, not punctuation)."""
    skip = _docstring_starts(source)
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type != tokenize.STRING or tok.start in skip:
            continue
        prefix = tok.string[
            : min(i for i in (tok.string.find('"'), tok.string.find("'")) if i >= 0)
        ]
        if "r" in prefix.lower():
            continue
        yield tok


def fix_python(source: str) -> str:
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    out, last = [], 0
    for tok in string_tokens(source):
        start = offsets[tok.start[0] - 1] + tok.start[1]
        end = offsets[tok.end[0] - 1] + tok.end[1]
        out.append(source[last:start])
        out.append(fix_text(tok.string))
        last = end
    out.append(source[last:])
    return "".join(out)


def fix_file(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    fixed = fix_python(text) if path.suffix == ".py" else fix_text(text)
    if fixed != text:
        path.write_text(fixed, encoding="utf-8")
    return fixed != text


if __name__ == "__main__":
    for name in sys.argv[1:]:
        if fix_file(Path(name)):
            print("fixed", name)
