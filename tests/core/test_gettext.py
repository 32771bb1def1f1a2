"""Messages in Python go through gettext: a Chinese literal that a user reads as a message
(messages.*, ValidationError, a form's error, a refusal: PermissionDenied, Http404, the API's
HttpError) is written inside `_()` / `gettext_lazy()` and the like, so that the English catalogue
can translate it.

A Chinese literal found in such a place outside a gettext call is reported by file and line.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import xiangzhi

ROOT = Path(xiangzhi.__file__).resolve().parent
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
}
MESSAGE_CALLS = {"debug", "info", "success", "warning", "error", "add_message"}
REFUSALS = {"ValidationError", "PermissionDenied", "Http404", "add_error", "HttpError"}
# The refusals whose message is their second argument: form.add_error(field, message), the API's
# HttpError(status, message).
SECOND_ARGUMENT = {"add_error", "HttpError"}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _owner(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id
    return ""


def _chinese_literals(node: ast.AST, wrapped: set[int]) -> list[ast.AST]:
    """The Chinese str constants and f-strings under `node` that no gettext call encloses."""
    found = []
    inner: set[int] = set()  # the parts of an f-string already found
    for sub in ast.walk(node):
        if id(sub) in wrapped or id(sub) in inner:
            continue
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and CJK.search(sub.value):
            found.append(sub)
        elif isinstance(sub, ast.JoinedStr):
            text = "".join(
                v.value
                for v in sub.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            )
            if CJK.search(text):
                found.append(sub)
                inner.update(id(part) for part in ast.walk(sub))
    return found


def _inside_gettext(tree: ast.AST) -> set[int]:
    wrapped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in GETTEXT:
            wrapped.update(id(sub) for sub in ast.walk(node))
    return wrapped


def _message_parts(tree: ast.AST) -> list[ast.AST]:
    """The expressions a user reads as a message."""
    parts: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name in MESSAGE_CALLS and _owner(node.func) == "messages":
                parts += node.args[1:2] + [k.value for k in node.keywords if k.arg == "message"]
            parts += [k.value for k in node.keywords if k.arg == "success_message"]
            if name in REFUSALS:
                args = node.args[1:2] if name in SECOND_ARGUMENT else node.args[:1]
                parts += args + [k.value for k in node.keywords if k.arg in ("message", "error")]
        # errors["field"] = "…" / errors.append("…"): a service's errors, raised together.
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and _name(target.value) == "errors":
                    parts.append(node.value)
        if isinstance(node, ast.Call) and _name(node.func) == "append":
            if _owner(node.func) == "errors":
                parts += node.args
    return parts


def unwrapped() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        wrapped = _inside_gettext(tree)
        for part in _message_parts(tree):
            for literal in _chinese_literals(part, wrapped):
                found.append(f"{path.relative_to(ROOT.parent)}:{literal.lineno}")
    return sorted(set(found))


def test_user_messages_in_python_go_through_gettext():
    found = unwrapped()
    assert not found, f"{len(found)} messages not wrapped in gettext:\n" + "\n".join(found)


def test_the_finder_sees_a_bare_message_and_accepts_a_wrapped_one():
    source = (
        "from django.contrib import messages\n"
        "messages.success(request, '已保存')\n"
        "messages.success(request, _('已保存'))\n"
        "raise ValidationError({'name': '请填写姓名'})\n"
        "raise ValidationError({'name': _('请填写姓名')})\n"
        "errors['x'] = f'第{n}行有误'\n"
        "raise HttpError(422, f'走访内容有误：{fields}')\n"
        "raise HttpError(422, gettext('走访内容有误：%(f)s') % {'f': fields})\n"
    )
    tree = ast.parse(source)
    wrapped = _inside_gettext(tree)
    lines = sorted(
        lit.lineno for part in _message_parts(tree) for lit in _chinese_literals(part, wrapped)
    )
    assert lines == [2, 4, 6, 7]
