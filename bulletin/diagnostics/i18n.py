"""The messages editors read, in Chinese (the default) or in English.

Every message bulletin shows has an id, `area.name`, and its texts in the catalogue
`bulletin/diagnostics/messages/<area>.toml` (the entry `[name]`, with `en` and `zh`): code says
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
        text = (Path(root) / "bulletin.toml").read_bytes().decode("utf-8-sig")
        value = tomllib.loads(text).get("messages")
    except (OSError, ValueError, RecursionError):
        return
    if value in LANGUAGES:
        _LANG.set(value)


# -- showing messages --------------------------------------------------------------------------


def level(word: str, lang: str | None = None) -> str:
    """The level word with its colon: "warning: " / "警告："."""
    if (lang or language()) == "en":
        return f"{word}: "
    return {"warning": "警告：", "error": "错误：", "info": "提示："}.get(word, f"{word}: ")


HINT = {"en": "  → fix: ", "zh": "  → 修改建议："}


def diagnostic(d: Any, lang: str | None = None) -> str:
    """A Diagnostic as every command shows it: "file:line: level: 'field': message" (with a
    column, "file:line:column: …", as compilers and editors read it), and its hint on a line
    below ("  → fix: …" / "  → 修改建议：…")."""
    lang = lang or language()
    at = f"{d.file}:{d.line}" if d.file and d.line else (d.file or "")
    if d.file and d.line and getattr(d, "column", None):
        at += f":{d.column}"
    text = (f"{at}: " if at else "") + level(d.severity, lang)
    text += (f"'{d.field}': " if d.field else "") + render(d.message, lang)
    if d.hint is not None:
        text += "\n" + HINT[lang] + render(d.hint, lang)
    return text


def error_parts(exc: Any) -> tuple[str, str | None]:
    """(message, hint) of a BulletinError in the current language, without file and line;
    the message ends with a line for each further problem found with it."""
    d = exc.diagnostic
    hint = render(d.hint) if d.hint is not None else None
    more = "".join("\n" + diagnostic(m) for m in exc.more)
    return render(d.message) + more, hint


# -- messages by id: the catalogues ------------------------------------------------------------

CATALOGUES = Path(__file__).parent / "messages"


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    """{id: {"en": template, "zh": template}} of every diagnostics/messages/<area>.toml: the
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
    `{x:semi}` with "; " (Chinese "；"), `{x:lines}` one per line. A Diagnostic (or the
    diagnostics of a BulletinError) is shown as every command shows one (`diagnostic`)."""

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
        if hasattr(value, "severity"):  # a Diagnostic
            return diagnostic(value, self.lang)
        if hasattr(value, "diagnostics"):  # a BulletinError
            return "\n".join(diagnostic(d, self.lang) for d in value.diagnostics)
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
