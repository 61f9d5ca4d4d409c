"""Other programs' reasons as bulletin's messages: the operating system's (an OSError's
strerror), tomllib's (why a TOML file cannot be read) and pydantic's (why a value is
wrong), each known one as a message by id (bulletin/diagnostics/messages/reasons.toml), so that it
shows in the editor's language. An unknown reason is shown as the program gave it.

Shared by the readers of TOML files: the table specs (bulletin/compute/tablespec.py) and, in the
same way, bulletin.toml, edition.toml and front matter (bulletin/load/config.py).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bulletin.diagnostics.errors import Message, msg

# -- the operating system ----------------------------------------------------------------------

_OS = {
    "No such file or directory": msg("reasons.no_such_file"),
    "Permission denied": msg("reasons.permission_denied"),
    "Is a directory": msg("reasons.is_a_directory"),
    "Not a directory": msg("reasons.not_a_directory"),
    "No space left on device": msg("reasons.disk_full"),
    "Read-only file system": msg("reasons.read_only"),
    "Connection refused": msg("reasons.connection_refused"),
}


def os_reason(exc: OSError) -> Message | str:
    """Why `exc` happened: its strerror as a message, or as the system said it."""
    text = exc.strerror or str(exc)
    return _OS.get(text, text)


# -- tomllib -----------------------------------------------------------------------------------

_TOML = {
    "Invalid value": msg("reasons.toml_invalid_value"),
    "Invalid hex value": msg("reasons.toml_invalid_hex"),
    "Unescaped '\\' in a string": msg("reasons.toml_unescaped_backslash"),
    "Escaped character is not a Unicode scalar value": msg("reasons.toml_invalid_hex"),
    "Invalid statement": msg("reasons.toml_invalid_statement"),
    "Expected '=' after a key in a key/value pair": msg("reasons.toml_expected_equals"),
    "Unclosed array": msg("reasons.toml_unclosed_array"),
    "Unclosed inline table": msg("reasons.toml_unclosed_table"),
    "Unterminated string": msg("reasons.toml_unterminated_string"),
    "Cannot overwrite a value": msg("reasons.toml_twice"),
    "Invalid date or datetime": msg("reasons.toml_invalid_date"),
    "Invalid initial character for a key part": msg("reasons.toml_invalid_key"),
    "Expected newline or end of document after a statement": msg("reasons.toml_one_per_line"),
    "Expected ']' at the end of a table declaration": msg("reasons.toml_table_header"),
    "Expected ']]' at the end of an array declaration": msg("reasons.toml_array_header"),
}
_AT_END = " (at end of document)"


Patterns = Sequence[tuple[str, Callable[[re.Match[str]], Message]]]


def known(text: str, exact: Mapping[str, Message], patterns: Patterns) -> Message | str:
    """Another program's reason as a message: one of its fixed texts (`exact`), or a text
    a pattern matches whole (its groups are the message's parameters); else as it is."""
    if text in exact:
        return exact[text]
    for pattern, make in patterns:
        if m := re.fullmatch(pattern, text, re.S):
            return make(m)
    return text


def _toml_key(text: str) -> str:
    """tomllib names a table by its key parts, ('print',) or ('a', 'b'): as written, a.b."""
    try:
        parts = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return ".".join(map(str, parts)) if isinstance(parts, tuple) else str(parts)


_TOML_PATTERNS: Patterns = (
    (r"Cannot declare (.+?) twice",
     lambda m: msg("reasons.toml_declared_twice", key=_toml_key(m[1]))),
    (r"Cannot mutate immutable namespace (.+)",
     lambda m: msg("reasons.toml_closed_table", key=_toml_key(m[1]))),
    (r"Cannot redefine namespace (.+)",
     lambda m: msg("reasons.toml_closed_table", key=_toml_key(m[1]))),
    (r"Duplicate inline table key (.+)",
     lambda m: msg("reasons.toml_inline_twice", key=_toml_key(m[1]))),
    (r"Illegal character (.+?)", lambda m: msg("reasons.toml_illegal_character", char=m[1])),
    (r"Found invalid character (.+?)",
     lambda m: msg("reasons.toml_invalid_character", char=m[1])),
)  # fmt: skip


def toml_reason(text: str) -> Message | str:
    """tomllib's reason (without "(at line …, column …)") as a message, or as it is."""
    if text.endswith(_AT_END):  # (Python < 3.14 gives where only in the text)
        head = toml_reason(text[: -len(_AT_END)])
        return msg("reasons.toml_at_end", why=head) if isinstance(head, Message) else text
    return known(text, _TOML, _TOML_PATTERNS)


# -- pydantic ----------------------------------------------------------------------------------

_PYDANTIC = {  # pydantic's error type -> its description (those with no parameters)
    "int_type": msg("reasons.int_type"),
    "int_parsing": msg("reasons.int_parsing"),
    "int_from_float": msg("reasons.int_from_float"),
    "int_parsing_size": msg("reasons.int_parsing_size"),
    "float_type": msg("reasons.float_type"),
    "float_parsing": msg("reasons.float_parsing"),
    "finite_number": msg("reasons.finite_number"),
    "string_type": msg("reasons.string_type"),
    "bool_type": msg("reasons.bool_type"),
    "bool_parsing": msg("reasons.bool_parsing"),
    "list_type": msg("reasons.list_type"),
    "dict_type": msg("reasons.dict_type"),
    "date_type": msg("reasons.date_type"),
    "date_from_datetime_inexact": msg("reasons.date_inexact"),
    "missing": msg("reasons.missing"),
    "extra_forbidden": msg("reasons.extra_forbidden"),
}
_DATE = {  # the reasons inside "Input should be a valid date or datetime, …"
    "input is too short": msg("reasons.date_too_short"),
    "input is too long": msg("reasons.date_too_long"),
    "month value is outside expected range of 1-12": msg("reasons.date_month"),
    "day value is outside expected range": msg("reasons.date_day"),
    "invalid date separator, expected `-`": msg("reasons.date_separator"),
    "invalid character in year": msg("reasons.date_year_character"),
    "invalid character in month": msg("reasons.date_month_character"),
    "invalid character in day": msg("reasons.date_day_character"),
}


def pydantic_reason(err: Mapping[str, Any]) -> Message:
    """pydantic's description of one wrong value (an item of ValidationError.errors()),
    chosen by its type and context. A ValueError a validator raised says its own message
    (raise ValueError(msg(…))). A description not known here is pydantic's English."""
    found = _pydantic(err["type"], err.get("ctx") or {})
    if found is None or str(found) != err["msg"]:
        return msg("reasons.pydantic", text=err["msg"])  # (unknown, or worded otherwise)
    return found


def _pydantic(kind: str, ctx: Mapping[str, Any]) -> Message | None:
    if kind in _PYDANTIC:
        return _PYDANTIC[kind]
    if kind == "value_error":
        error = ctx.get("error")
        why = error.args[0] if isinstance(error, Exception) and error.args else str(error)
        return msg("reasons.value_error", why=why if isinstance(why, Message) else str(why))
    if kind == "literal_error":
        two = re.fullmatch(r"'(.+?)' or '(.+?)'", str(ctx.get("expected")), re.S)
        return msg("reasons.literal", a=two[1], b=two[2]) if two else None
    if kind == "model_type":
        return msg("reasons.model_type", name=ctx.get("class_name"))
    if kind == "date_from_datetime_parsing":
        why = str(ctx.get("error"))
        return msg("reasons.date_parsing", why=_DATE.get(why, why))
    if kind == "greater_than_equal":
        return msg("reasons.greater_equal", n=_number(ctx.get("ge")))
    if kind == "greater_than":
        return msg("reasons.greater", n=_number(ctx.get("gt")))
    if kind == "less_than_equal":
        return msg("reasons.less_equal", n=_number(ctx.get("le")))
    if kind == "less_than":
        return msg("reasons.less", n=_number(ctx.get("lt")))
    if kind == "string_too_short":
        n = ctx.get("min_length")
        return msg("reasons.short_string_1", n=n) if n == 1 else msg("reasons.short_string", n=n)
    if kind == "string_too_long":
        return msg("reasons.long_string", n=ctx.get("max_length"))
    if kind == "string_pattern_mismatch":
        return msg("reasons.pattern", pattern=ctx.get("pattern"))
    if kind == "too_short" and ctx.get("field_type") == "List":
        n, m = ctx.get("min_length"), ctx.get("actual_length")
        return msg("reasons.short_list_1", n=n, m=m) if n == 1 else msg("reasons.short_list",
                                                                        n=n, m=m)  # fmt: skip
    return None


def _number(value: Any) -> Any:
    """A bound as pydantic words it: a whole float without its ".0" (le=16.0: "16")."""
    return int(value) if isinstance(value, float) and value.is_integer() else value
