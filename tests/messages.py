"""The messages bulletin's source gives editors, found with `ast`: for the handbook's test
(every message is documented in docs/errors.md) and the translation's (every message has a
Chinese entry in bulletin/diagnostics/i18n.py).

A message is the first argument of BulletinError / ConfigError / ContentError / DataError /
Finding (and the few other ways a message reaches an editor, listed in `message_arguments`).
Its parts are its literal text, with None for each value filled in at run time.
"""

from __future__ import annotations

import ast
import itertools
import string
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ERROR_CLASSES = {"BulletinError", "ConfigError", "ContentError", "DataError", "Finding"}
ERROR_CLASSES |= {"_Problem", "KeyError"}  # expr's problems; tableview's look-ups ({value})
ERROR_CLASSES |= {"DestinationBusy"}  # publish: another publish holds the lock
METHODS = {("ctx", "error"), ("ctx", "warn"), ("self", "error")}  # markdown.Context, check
MIN_FRAGMENT = 6


def _module_dicts(tree: ast.Module) -> dict[str, dict[str, str]]:
    """Module-level `NAME = {"key": "text", …}` dicts of strings (the MSG tables)."""
    found: dict[str, dict[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            pairs = {
                k.value: v.value
                for k, v in zip(node.value.keys, node.value.values, strict=True)
                if isinstance(k, ast.Constant) and isinstance(k.value, str)
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            }
            for target in node.targets:
                if isinstance(target, ast.Name) and pairs:
                    found[target.id] = pairs
    return found


def _template_parts(text: str) -> list[str | None]:
    """A str.format template as literal parts, None for each {placeholder}."""
    parts: list[str | None] = []
    for literal, field, _, _ in string.Formatter().parse(text):
        parts.append(literal)
        if field is not None:
            parts.append(None)
    return parts


def is_msg(node: ast.AST) -> bool:
    """Whether `node` is `msg("area.name", …)`: a message by id, in the catalogues."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "msg"
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
    )


def message_parts(node: ast.AST, tables: dict[str, dict[str, str]]) -> list[str | None] | None:
    """The literal parts of a message expression (None for what is filled in at run time),
    or None when the expression is not a message (a variable passed on). A message by id
    gives its English template's parts."""
    if is_msg(node):
        from bulletin.diagnostics import i18n

        entry = i18n.catalogue().get(node.args[0].value)  # type: ignore[attr-defined]
        return _template_parts(entry["en"]) if entry else [str(node.args[0].value)]  # type: ignore[attr-defined]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value if isinstance(v, ast.Constant) else None for v in node.values]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = message_parts(node.left, tables), message_parts(node.right, tables)
        if left is None and right is None:
            return None
        return (left or [None]) + (right or [None])
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id in tables
        and isinstance(node.slice, ast.Constant)
    ):
        return _template_parts(tables[node.value.id][node.slice.value])
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        inner = message_parts(node.func.value, tables)
        if inner is not None and len(inner) == 1 and inner[0] is not None:
            return _template_parts(inner[0])
        return inner
    return None


def message_arguments(tree: ast.Module) -> Iterator[ast.AST]:
    """Every expression that becomes a message an editor reads."""
    for fn in ast.walk(tree):  # ValueError in a pydantic validator: pydantic shows its text
        if isinstance(fn, ast.FunctionDef) and any(
            isinstance(d, ast.Call) and getattr(d.func, "id", "") == "field_validator"
            for d in fn.decorator_list
        ):
            for node in ast.walk(fn):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ValueError":
                    yield from node.args[:1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else None
            method = (
                (func.value.id, func.attr)
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                else None
            )
            if name in ERROR_CLASSES or method in METHODS:
                yield from node.args[:1]
            elif name in ("Issue", "Problem"):  # check.Issue(level, message), crawl.Problem
                yield from node.args[1:2]
        elif isinstance(node, ast.Return) and node.value is not None:
            # (message, hint) from expr._check and config._describe, also `(…) if … else None`
            values = [node.value]
            if isinstance(node.value, ast.IfExp):
                values = [node.value.body, node.value.orelse]
            for value in values:
                if isinstance(value, ast.Tuple) and len(value.elts) == 2:
                    yield value.elts[0]


def fragments(parts: list[str | None]) -> list[str]:
    runs, current = [], ""
    for part in parts:
        if part is None:
            runs.append(current)
            current = ""
        else:
            current += part
    runs.append(current)
    return [" ".join(r.split()) for r in runs if len(r.strip()) >= MIN_FRAGMENT]


def source_messages() -> Iterator[tuple[str, int, str, list[str]]]:
    """(file, line, source text, fragments) of every message in bulletin/."""
    for path in sorted((ROOT / "bulletin").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tables = _module_dicts(tree)
        rel = path.relative_to(ROOT).as_posix()
        seen = set()
        for node in message_arguments(tree):
            parts = message_parts(node, tables)
            if parts is None or id(node) in seen:
                continue
            seen.add(id(node))
            if not any(part and part.strip() for part in parts):
                continue  # made of run-time values only: text composed elsewhere, passed on
            yield rel, node.lineno, ast.unparse(node), fragments(parts)


# -- beyond the messages: hints, message tables, texts shown with i18n.t() ---------------------


def _module_strings(tree: ast.Module) -> dict[str, str]:
    """Module-level `NAME = "text"` constants (INSTALL_HINT)."""
    found = {}
    for node in tree.body:
        value = node.value if isinstance(node, ast.Assign) else None
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            for target in node.targets:  # type: ignore[union-attr]
                if isinstance(target, ast.Name):
                    found[target.id] = value.value
    return found


def variants(
    node: ast.AST, tables: dict[str, dict[str, str]], consts: dict[str, str]
) -> list[list[str | None]]:
    """The forms a text expression takes: `a if c else b` is two, `x + (y if c else "")`
    two more. Each form is a list of parts as `message_parts` gives them."""
    if is_msg(node):
        return []  # by id: in the catalogues, in both languages
    if isinstance(node, ast.IfExp):
        return variants(node.body, tables, consts) + variants(node.orelse, tables, consts)
    if isinstance(node, ast.Name) and node.id in consts:
        return [[consts[node.id]]]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = variants(node.left, tables, consts), variants(node.right, tables, consts)
        if not left and not right:
            return []
        return [a + b for a, b in itertools.product(left or [[None]], right or [[None]])]
    parts = message_parts(node, tables)
    return [parts] if parts is not None else []


def _hint_arguments(tree: ast.Module) -> Iterator[ast.AST]:
    """hint=… of every call, and the hint half of (message, hint) returns."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield from (k.value for k in node.keywords if k.arg == "hint")
        elif isinstance(node, ast.Return) and node.value is not None:
            values = [node.value]
            if isinstance(node.value, ast.IfExp):
                values = [node.value.body, node.value.orelse]
            for value in values:  # only where the first half is a message
                pair = isinstance(value, ast.Tuple) and len(value.elts) == 2
                if pair and message_parts(value.elts[0], {}) is not None:  # type: ignore[attr-defined]
                    yield value.elts[1]  # type: ignore[attr-defined]


def _shown_arguments(tree: ast.Module) -> Iterator[ast.AST]:
    """The text given to `t(…)` / `i18n.t(…)` (what the CLI and the preview print), and to
    the progress callbacks the CLI prints with t() (builder's `say`, publish's `report`)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            if (isinstance(func, ast.Name) and func.id in ("t", "say", "report")) or (
                isinstance(func, ast.Attribute)
                and func.attr == "t"
                and isinstance(func.value, ast.Name)
                and func.value.id == "i18n"
            ):
                yield node.args[0]


def shown_texts() -> Iterator[tuple[str, int, str, list[str | None]]]:
    """(file, line, source, parts) of every text an editor reads: the messages, their hints,
    the MSG tables and what is shown with i18n.t(), one entry per form of each."""
    for path in sorted((ROOT / "bulletin").rglob("*.py")):
        if path.name == "i18n.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tables, consts = _module_dicts(tree), _module_strings(tree)
        rel = path.relative_to(ROOT).as_posix()
        seen = set()
        nodes = [*message_arguments(tree), *_hint_arguments(tree), *_shown_arguments(tree)]
        for node in nodes:
            if id(node) in seen:
                continue
            seen.add(id(node))
            if is_msg(node):
                continue  # by id: tests/test_messages.py checks the catalogue has it in Chinese
            if message_parts(node, tables) is None and not isinstance(node, ast.IfExp | ast.Name):
                continue  # not a message: a value passed on, or text made elsewhere
            for parts in variants(node, tables, consts):
                if any(part and part.strip() for part in parts):
                    yield rel, getattr(node, "lineno", 0), ast.unparse(node), parts
        for name, table in tables.items():
            if name == "MSG":
                for key, text in table.items():
                    yield rel, 0, f"{name}[{key!r}]", _template_parts(text)
