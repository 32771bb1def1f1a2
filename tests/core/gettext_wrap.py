"""Wrap the Chinese messages that tests/core/test_gettext.py finds in gettext, file by file.

    .venv/bin/python tests/core/gettext_wrap.py xiangzhi/people/services/registry.py ...

A plain literal becomes `gettext("…")` (not `_`, which code uses as a throwaway name); an
f-string becomes `gettext("…%(name)s…") % {"name": …}` (one
msgid a translator can read whole); a literal at module level uses gettext_lazy. The import is
added when the module lacks it; run `ruff format` afterwards.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from test_gettext import _chinese_literals, _inside_gettext, _message_parts  # noqa: E402


def _key(expr: ast.expr, taken: dict[str, str], source: str) -> str:
    text = ast.get_source_segment(source, expr) or ""
    if isinstance(expr, ast.Name):
        base = expr.id
    elif isinstance(expr, ast.Attribute):
        base = expr.attr
    else:
        base = "value"
    key, n = base, 1
    while key in taken and taken[key] != text:
        n += 1
        key = f"{base}{n}"
    taken[key] = text
    return key


def _fstring(node: ast.JoinedStr, source: str, func: str) -> str:
    parts, values = [], {}
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value).replace("%", "%%"))
            continue
        expr = ast.get_source_segment(source, value.value)
        if value.conversion == ord("r"):
            expr = f"repr({expr})"
        elif value.conversion == ord("s"):
            expr = f"str({expr})"
        if value.format_spec is not None:
            spec = "".join(
                str(v.value) for v in value.format_spec.values if isinstance(v, ast.Constant)
            )
            expr = f"format({expr}, {json.dumps(spec)})"
        key = _key(value.value, values, source)
        values[key] = expr
        parts.append(f"%({key})s")
    mapping = ", ".join(f"{json.dumps(k)}: {v}" for k, v in values.items())
    return f"{func}({json.dumps(''.join(parts), ensure_ascii=False)}) % {{{mapping}}}"


def _function_spans(tree: ast.AST) -> list[tuple[int, int]]:
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            spans.append((node.lineno, node.end_lineno))
    return spans


def wrap(source: str) -> str:
    tree = ast.parse(source)
    wrapped = _inside_gettext(tree)
    literals = {
        id(lit): lit for part in _message_parts(tree) for lit in _chinese_literals(part, wrapped)
    }
    if not literals:
        return source
    spans = _function_spans(tree)
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    edits, lazy_used, eager_used = [], False, False
    for lit in literals.values():
        in_function = any(a <= lit.lineno <= b for a, b in spans)
        func = "gettext" if in_function else "gettext_lazy"
        lazy_used |= not in_function
        eager_used |= in_function
        segment = ast.get_source_segment(source, lit)
        if isinstance(lit, ast.JoinedStr):
            new = _fstring(lit, source, func)
        else:
            new = f"{func}({segment})"
        start = offsets[lit.lineno - 1] + len(
            lines[lit.lineno - 1].encode()[: lit.col_offset].decode()
        )
        end = offsets[lit.end_lineno - 1] + len(
            lines[lit.end_lineno - 1].encode()[: lit.end_col_offset].decode()
        )
        edits.append((start, end, new))
    for start, end, new in sorted(edits, reverse=True):
        source = source[:start] + new + source[end:]
    return _add_imports(source, eager_used, lazy_used)


def _add_imports(source: str, eager: bool, lazy: bool) -> str:
    tree = ast.parse(source)
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            names |= {a.asname or a.name for a in node.names}
    wanted = []
    if eager and "gettext" not in names:
        wanted.append("from django.utils.translation import gettext\n")
    if lazy and "gettext_lazy" not in names:
        wanted.append("from django.utils.translation import gettext_lazy\n")
    if not wanted:
        return source
    imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    after = imports[-1].end_lineno if imports else 0
    lines = source.splitlines(keepends=True)
    return "".join(lines[:after] + wanted + lines[after:])


if __name__ == "__main__":
    for name in sys.argv[1:]:
        path = Path(name)
        text = path.read_text(encoding="utf-8")
        new = wrap(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print("wrapped", name)
