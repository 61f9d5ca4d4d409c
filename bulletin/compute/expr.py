"""A small, safe arithmetic evaluator for derived table columns.

An expression is parsed with :mod:`ast` (mode ``"eval"``) and only a whitelist of nodes is
accepted: numbers, column names, ``+ - * /``, unary ``-``/``+``, parentheses and the
functions ``round(x, n)``, ``abs(x)``, ``min(a, b, …)``, ``max(a, b, …)``. Anything else —
attribute access, subscripts, other calls, keyword arguments, comprehensions, lambdas,
strings, ``**``, ``//``, ``%``, comparisons, names containing ``__`` — is rejected with a
:class:`DataError`. Nothing is ever passed to ``eval`` or ``pandas.eval``.

Column names are Python identifiers, which includes Chinese ones (``当年新增户数``). A column
whose name is not an identifier (``县(市、区)``, ``2021年``) is written in backticks:
```` `县(市、区)` ````. Inside backticks any character except a backtick is allowed.

Values are exact: numbers are :class:`fractions.Fraction`, so ``7 / 2882`` is exact and
rounding happens only for display. ``round`` rounds half away from zero like Excel's ROUND
(Python's built-in ``round`` rounds half to even).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from bulletin.compute.sheets import round_half_up
from bulletin.diagnostics import reasons
from bulletin.diagnostics.errors import DataError, Message, msg, suggest

MAX_LENGTH = 500
FUNCTIONS: dict[str, tuple[int, int]] = {"round": (1, 2), "abs": (1, 1), "min": (2, 50),
                                         "max": (2, 50)}
_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
_OPERATORS = {ast.Pow: "**", ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@",
              ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&",
              ast.BitXor: "^", ast.Invert: "~", ast.Not: "not"}


class ZeroDenominator(ArithmeticError):
    """A denominator is zero in row ``key``; ``denominator`` is its text in the expression."""

    def __init__(self, key: Any, denominator: str) -> None:
        super().__init__(f"{denominator} is 0 for {key}")
        self.key = key
        self.denominator = denominator


class _Problem(Exception):
    def __init__(self, message: Message, position: int, hint: Message | None = None) -> None:
        super().__init__(message)
        self.message, self.position, self.hint = message, position, hint


@dataclass(frozen=True)
class Expr:
    """A checked expression. ``names`` are the column names it reads."""

    text: str
    names: frozenset[str]
    _tree: ast.Expression = field(repr=False)
    _source: str = field(repr=False)  # text with `quoted names` replaced by placeholders
    _quoted: dict[str, str] = field(repr=False)

    def evaluate(self, env: Mapping[str, list[Any]], keys: Sequence[Any]) -> list[Any]:
        """Evaluate over columns of exact values (Fraction), each a list with one value per
        row of ``keys``; the result is such a list too.

        Raises :class:`ZeroDenominator` naming the first row whose denominator is zero.
        """
        result = self._eval(self._tree.body, env, keys)
        return result if isinstance(result, list) else [result] * len(keys)

    def _eval(self, node: ast.AST, env: Mapping[str, list[Any]], keys: Sequence[Any]) -> Any:
        """A Fraction (a constant, or computed from constants) or a column (a list)."""
        if isinstance(node, ast.Constant):
            return _number(node.value)
        if isinstance(node, ast.Name):
            return env[self._quoted.get(node.id, node.id)]
        if isinstance(node, ast.UnaryOp):
            value = self._eval(node.operand, env, keys)
            if not isinstance(node.op, ast.USub):
                return value
            return [-v for v in value] if isinstance(value, list) else -value
        if isinstance(node, ast.BinOp):
            left = self._eval(node.left, env, keys)
            right = self._eval(node.right, env, keys)
            if isinstance(node.op, ast.Div):
                if isinstance(right, list):
                    zeros = [k for k, v in zip(keys, right, strict=True) if v == 0]
                else:
                    zeros = [keys[0] if keys else None] if right == 0 else []
                if zeros:
                    raise ZeroDenominator(zeros[0], self._segment(node.right))
            return _rowwise(_BINOPS[type(node.op)], [left, right], keys)
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        args = [self._eval(a, env, keys) for a in node.args]
        return _call(node.func.id, args, keys)

    def _segment(self, node: ast.AST) -> str:
        text = ast.get_source_segment(self._source, node) or "the denominator"
        for holder, name in self._quoted.items():
            text = text.replace(holder, f"`{name}`")
        return text


def _number(value: object) -> Fraction:
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(repr(value))  # a float literal: exactly the decimal that was written


def _rowwise(fn: Callable[..., Any], args: list[Any], keys: Sequence[Any]) -> Any:
    """`fn` row by row over columns (lists) and constants; a constant if all are."""
    if not any(isinstance(a, list) for a in args):
        return fn(*args)
    columns = [a if isinstance(a, list) else [a] * len(keys) for a in args]
    return [fn(*row) for row in zip(*columns, strict=True)]


def _call(name: str, args: list[Any], keys: Sequence[Any]) -> Any:
    if name == "round":
        digits = int(args[1]) if len(args) > 1 else 0
        return _rowwise(lambda v: round_half_up(Fraction(v), digits), args[:1], keys)
    if name == "abs":
        return _rowwise(abs, args, keys)
    return _rowwise(min if name == "min" else max, args, keys)


def parse(
    text: str,
    *,
    columns: Collection[str] | None = None,
    file: str | Path | None = None,
    line: int | None = None,
    field: str | None = None,
) -> Expr:
    """Parse and check ``text``; ``columns`` (if given) are the names it may read.

    Errors are :class:`DataError` at ``file``/``line``/``field`` whose message quotes the
    expression and the 1-based character position of the problem in it.
    """
    try:
        return _parse(text, columns)
    except _Problem as exc:
        raise DataError(
            msg("expr.at", text=text, n=exc.position + 1, why=exc.message),
            file=file, line=line, field=field, hint=exc.hint,
        ) from None


def _unquote(text: str) -> tuple[str, dict[str, str], list[tuple[int, int, int, int]]]:
    """Replace `quoted names` by placeholder identifiers.

    Returns the new text, {placeholder: name} and (new_start, new_end, old_start, old_end)
    spans, so that positions in the new text can be mapped back to what the editor wrote.
    """
    out: list[str] = []
    quoted: dict[str, str] = {}
    spans: list[tuple[int, int, int, int]] = []
    i = pos = 0
    while i < len(text):
        if text[i] != "`":
            out.append(text[i])
            i, pos = i + 1, pos + 1
            continue
        end = text.find("`", i + 1)
        if end < 0:
            raise _Problem(msg("expr.unclosed_backtick"), i)
        name = text[i + 1 : end].strip()
        if not name:
            raise _Problem(msg("expr.empty_backticks"), i)
        holder = next(h for n in range(len(text) + 1) if (h := f"_q{n}_") not in text
                      and h not in quoted)
        quoted[holder] = name
        spans.append((pos, pos + len(holder), i, end + 1))
        out.append(holder)
        pos += len(holder)
        i = end + 1
    return "".join(out), quoted, spans


def _parse(text: str, columns: Collection[str] | None) -> Expr:
    if not isinstance(text, str) or not text.strip():
        raise _Problem(msg("expr.empty"), 0)
    if len(text) > MAX_LENGTH:
        raise _Problem(msg("expr.too_long", n=MAX_LENGTH), MAX_LENGTH)
    source, quoted, spans = _unquote(text)
    lead = len(source) - len(source.lstrip())
    source = source.strip()

    def back(pos: int) -> int:
        pos += lead
        for new_start, new_end, old_start, old_end in reversed(spans):
            if pos >= new_end:
                return old_end + (pos - new_end)
            if pos >= new_start:
                return old_start
        return pos

    def where(lineno: int, col: int, *, in_bytes: bool = True) -> int:
        lines = source.splitlines(keepends=True) or [""]
        lineno = max(1, min(lineno, len(lines)))
        if in_bytes:  # ast node offsets count UTF-8 bytes, SyntaxError offsets characters
            col = len(lines[lineno - 1].encode()[:col].decode(errors="ignore"))
        return back(sum(len(x) for x in lines[: lineno - 1]) + col)

    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        pos = where(exc.lineno or 1, max(0, (exc.offset or 1) - 1), in_bytes=False)
        raise _Problem(msg("expr.syntax", why=_syntax(exc.msg)), pos) from None
    except (RecursionError, MemoryError, ValueError):
        raise _Problem(msg("expr.too_complex"), 0) from None
    names: set[str] = set()
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        problem = _check(node, quoted, columns, names, id(node) in called)
        if problem:
            message, hint = problem
            raise _Problem(message, where(getattr(node, "lineno", 1),
                                          getattr(node, "col_offset", 0)), hint)
    return Expr(text=text, names=frozenset(names), _tree=tree, _source=source, _quoted=quoted)


_SYNTAX = {  # Python's reasons an expression cannot be parsed, as far as they are known
    "invalid syntax": msg("expr.invalid_syntax"),
    "invalid syntax. Perhaps you forgot a comma?": msg("expr.forgot_operator"),
}


_SYNTAX_PATTERNS: reasons.Patterns = (
    (r"'(.+?)' was never closed", lambda m: msg("expr.never_closed", c=m[1])),
    (r"unmatched '(.+?)'", lambda m: msg("expr.unmatched", c=m[1])),
    (r"invalid character '(.+?)' \(U\+(.+?)\)",
     lambda m: msg("expr.invalid_character", c=m[1], code=m[2])),
)  # fmt: skip


def _syntax(reason: str) -> Message | str:
    """Python's reason (a SyntaxError's msg) as a message, or as Python said it."""
    return reasons.known(reason, _SYNTAX, _SYNTAX_PATTERNS)


_KINDS = {ast.Attribute: msg("expr.attribute"), ast.Subscript: msg("expr.subscript"),
          ast.Compare: msg("expr.comparison"), ast.JoinedStr: msg("expr.string"),
          ast.Tuple: msg("expr.tuple"), ast.List: msg("expr.list"), ast.Dict: msg("expr.dict"),
          ast.Set: msg("expr.set"), ast.ListComp: msg("expr.comprehension"),
          ast.SetComp: msg("expr.comprehension"), ast.DictComp: msg("expr.comprehension"),
          ast.GeneratorExp: msg("expr.comprehension")}
_OTHERS = {ast.Lambda: "lambda", ast.BoolOp: "and/or", ast.IfExp: "if/else",
           ast.NamedExpr: ":=", ast.Starred: "*"}  # (Python's own words)


def _check(
    node: ast.AST,
    quoted: dict[str, str],
    columns: Collection[str] | None,
    names: set[str],
    called: bool,
) -> tuple[Message, Message | None] | None:
    """Why ``node`` is not allowed (message, hint), or None if it is."""
    if isinstance(node, (ast.Expression, ast.Load, ast.Add, ast.Sub, ast.Mult, ast.Div,
                         ast.USub, ast.UAdd)):
        return None
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        op = _OPERATORS.get(type(node.op))
        return (msg("expr.operator", op=op), None) if op else None
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return (msg("expr.constant", kind=type(value).__name__), None)
        if isinstance(value, float) and not math.isfinite(value):
            return (msg("expr.number_too_large"), None)
        return None
    if isinstance(node, ast.Name):
        name = quoted.get(node.id, node.id)
        if "__" in name:
            return (msg("expr.dunder", name=name), None)
        if called:
            return None  # checked as part of its call
        if columns is not None and name not in columns:
            near = suggest(name, list(columns))
            return (msg("expr.unknown_column", name=name),
                    msg("common.did_you_mean", name=near) if near else
                    msg("expr.columns", names=", ".join(columns)))
        names.add(name)
        return None
    if isinstance(node, ast.Call):
        func = node.func
        if not isinstance(func, ast.Name) or func.id not in FUNCTIONS or func.id in quoted:
            shown = ast.unparse(func)
            for holder, name in quoted.items():  # as written: `name`, not _q0_
                shown = shown.replace(holder, f"`{name}`")
            return (msg("expr.call", name=shown), msg("expr.functions", names=", ".join(FUNCTIONS)))
        low, high = FUNCTIONS[func.id]
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            return (msg("expr.plain_arguments", f=func.id), None)
        if not low <= len(node.args) <= high:
            return (msg("expr.argument_count", f=func.id, low=low, high=high, n=len(node.args)),
                    None)
        if func.id == "round" and len(node.args) == 2:
            digits = node.args[1]
            if not (isinstance(digits, ast.Constant) and type(digits.value) is int
                    and 0 <= digits.value <= 10):
                return (msg("expr.round_digits"), None)
        return None
    kind = _KINDS.get(type(node)) or _OTHERS.get(type(node)) or type(node).__name__
    return (msg("expr.not_allowed", kind=kind), None)
