"""The messages editors read, in Chinese (the default) or in English.

Every message bulletin shows has an id, `area.name`, and its texts in the catalogue
`bulletin/messages/<area>.toml` (the entry `[name]`, with `en` and `zh`): code says
``msg("config.unknown_field", field="titel")`` and `render` fills in the text of the
current language. A parameter is shown as it is (a name, a number, another program's own
words), or, when it is a Message, in the same language; a list is joined, with the
format spec choosing how: `{x}`/`{x:list}` ", " (Chinese "、"), `{x:semi}` "; " ("；"),
`{x:lines}` a line each. Nothing is translated after the fact: there is no English text to
match.

The language is a context variable: the CLI sets it from `--lang` (or BULLETIN_LANG) and
otherwise from bulletin.toml's `messages = "zh" | "en"` (`from_project`); unset, it is "zh".
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import string
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

LANGUAGES = ("zh", "en")
DEFAULT = "zh"

_LANG: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "bulletin_messages", default=None
)


def language() -> str:
    """The language messages are shown in now: "zh" or "en"."""
    return _LANG.get() or DEFAULT


def decided() -> bool:
    """Whether the language was chosen (by --lang, BULLETIN_LANG or bulletin.toml)."""
    return _LANG.get() is not None


def set_language(lang: str | None) -> contextvars.Token[str | None]:
    """Choose the language (None: not chosen, the default applies)."""
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"messages language must be one of {', '.join(LANGUAGES)}: {lang!r}")
    return _LANG.set(lang)


def reset(token: contextvars.Token[str | None]) -> None:
    _LANG.reset(token)


@contextlib.contextmanager
def using(lang: str | None) -> Iterator[None]:
    """Show messages in `lang` inside the block (for threads, which start with no context)."""
    token = set_language(lang)
    try:
        yield
    finally:
        _LANG.reset(token)


def from_project(root: Path) -> None:
    """bulletin.toml's `messages` setting, when nothing chose the language before it.

    A broken or missing bulletin.toml is left to the loaders, which report it (in the
    default language); an invalid value is reported by SiteConfig in the same way.
    """
    if decided():
        return
    try:
        with open(Path(root) / "bulletin.toml", "rb") as f:
            value = tomllib.load(f).get("messages")
    except (OSError, ValueError, RecursionError):
        return
    if value in LANGUAGES:
        _LANG.set(value)


# -- showing messages --------------------------------------------------------------------------


def level(word: str) -> str:
    """The level word with its colon: "warning: " / "警告："."""
    return _level(word, language())


def where(file: str | None, line: int | None, field: str | None = None) -> str:
    parts = []
    if file is not None:
        parts.append(f"{file}:{line}" if line else str(file))
    if field:
        parts.append(f"'{field}'")
    return ": ".join(parts)


def finding(f: Any, lang: str | None = None) -> str:
    """A diagnostic as `bulletin build` prints it: "警告：文件:行: '字段': 消息"."""
    lang = lang or language()
    at = where(f.file, f.line, f.field)
    text = render(f.message, lang)
    if lang == "en":
        return f"{f.level}: {at}: {text}" if at else f"{f.level}: {text}"
    return _level(f.level, lang) + (f"{at}: " if at else "") + text


def error(d: Any, lang: str | None = None, more: Any = ()) -> str:
    """An error as one line, "文件:行: '字段': 消息（提示）", and a line for each further problem
    found with it, "  文件:行: 消息（提示）"."""
    lang = lang or language()
    message, hint = render(d.message, lang), render(d.hint, lang) if d.hint is not None else None
    at = where(d.file, d.line, d.field)
    if lang == "en":
        text = (f"{at}: {message}" if at else message) + (f" ({hint})" if hint else "")
    else:
        first, *rest = message.split("\n")
        first = (f"{at}: " if at else "") + first + (f"（{hint}）" if hint else "")
        text = "\n".join([first, *rest])
    return text + _more(more, lang)


def _more(more: Any, lang: str) -> str:
    """The further problems found with an error, a line each: "\n  文件:行: 消息（提示）"."""
    text = ""
    for m in more:
        line = render(m.message, lang)
        if m.hint is not None:
            shown = render(m.hint, lang)
            line += f" ({shown})" if lang == "en" else f"（{shown}）"
        text += f"\n  {m.file}:{m.line or '?'}: {line}"
    return text


def error_parts(exc: Any) -> tuple[str, str | None]:
    """(message, hint) of a BulletinError in the current language, without file and line;
    the message ends with a line for each further problem found with it."""
    d = exc.diagnostic
    hint = render(d.hint) if d.hint is not None else None
    return render(d.message) + _more(exc.more, language()), hint


def error_prefix() -> str:
    """What precedes an error that stops a command (click's "Error: ")."""
    return "Error: " if language() == "en" else "错误："


def level_in(word: str, lang: str) -> str:
    """The level word with its colon in `lang`: "warning: " / "警告："."""
    return _level(word, lang)


def _level(word: str, lang: str) -> str:
    if lang == "en":
        return f"{word}: "
    return {"warning": "警告：", "error": "错误：", "info": "提示："}.get(word, f"{word}: ")


# -- messages by id: the catalogues ------------------------------------------------------------

CATALOGUES = Path(__file__).parent / "messages"


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    """{id: {"en": template, "zh": template}} of every bulletin/messages/<area>.toml: the
    entry `[name]` of area.toml is the message `area.name`."""
    found: dict[str, dict[str, str]] = {}
    for path in sorted(CATALOGUES.glob("*.toml")):
        with open(path, "rb") as f:
            for name, entry in tomllib.load(f).items():
                found[f"{path.stem}.{name}"] = entry
    return found


class _Formatter(string.Formatter):
    """str.format over a message's parameters: a Message is shown in the same language; a
    list is its items (each shown) joined — `{x}` or `{x:list}` with ", " (Chinese "、"),
    `{x:semi}` with "; " (Chinese "；"), `{x:lines}` one per line. A Diagnostic is its line
    as `bulletin build` prints a warning; a BulletinError its line(s) as `error()` gives them."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, list | tuple):
            joiners = {
                "": (", ", "、"), "list": (", ", "、"), "semi": ("; ", "；"),
                "lines": ("\n", "\n"), "space": (" ", " "),
            }  # fmt: skip
            en, zh = joiners[format_spec]
            return (en if self.lang == "en" else zh).join(self.format_field(v, "") for v in value)
        if hasattr(value, "params") and hasattr(value, "id"):
            return render(value, self.lang)
        if hasattr(value, "severity"):  # a Diagnostic: its line, as `build` prints a warning
            return finding(value, self.lang)
        if hasattr(value, "diagnostic") and hasattr(value, "more"):  # a BulletinError
            return error(value.diagnostic, self.lang, value.more)
        return format(value, format_spec)


def render(message: Any, lang: str | None = None) -> str:
    """A Message in `lang` (default: the current language)."""
    lang = lang or language()
    params = dict(message.params)
    try:
        template = catalogue()[message.id][lang]
    except KeyError:
        raise LookupError(f"no {lang} text for {message.id} in {CATALOGUES}") from None
    return _Formatter(lang).vformat(template, (), params)
