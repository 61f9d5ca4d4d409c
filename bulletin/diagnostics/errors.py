"""Diagnostics: what bulletin tells an editor, as values. Every one carries a message id with
its parameters (the text is in the catalogues, diagnostics/messages/, once per language) and
where it happened: file, line or row, field.

A `Diagnostic` is an error or a warning; a `BulletinError` is the exception that carries an
error diagnostic out of the stage that met it. This module knows nothing of the command
line: the CLI turns a diagnostic into a line and an exit code (bulletin/diagnostics/report.py).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from bulletin.diagnostics import i18n

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Message:
    """A message id (`area.name`, an entry of bulletin/diagnostics/messages/<area>.toml) and its
    parameters. A parameter is a value shown as it is (a name, a number), a Message (shown
    in the same language), or a list of either (joined: see bulletin/diagnostics/i18n.py)."""

    id: str
    params: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        return i18n.render(self, "en")

    def show(self, lang: str | None = None) -> str:
        """The text in `lang` (default: the current language)."""
        return i18n.render(self, lang)


def _encode(value: Any) -> Any:
    if isinstance(value, Message):
        return {"id": value.id, "params": [[k, _encode(v)] for k, v in value.params]}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        return Message(value["id"], tuple((k, _decode(v)) for k, v in value["params"]))
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def msg(id: str, /, **params: Any) -> Message:
    """The message `id` with its parameters: ``msg("config.unknown_field", f="titel")``."""
    return Message(id, tuple(params.items()))


Text = Message | str  # (str: text that is not bulletin's own, shown as it is)


def as_message(text: Text | None) -> Message | None:
    """A Message as it is; another program's own words (a str) as a message showing them
    unchanged in every language."""
    if text is None or isinstance(text, Message):
        return text
    return msg("common.text", text=text)


@dataclass(frozen=True)
class Diagnostic:
    """One error, warning or note: a message, where it happened, how bad, how to fix it."""

    message: Message
    file: str | None = None
    line: int | None = None
    field: str | None = None
    severity: Severity = "warning"
    hint: Message | None = None
    column: int | None = None  # 1-based, in characters; shown as file:line:column

    @property
    def level(self) -> Severity:
        return self.severity

    def __str__(self) -> str:
        """In English, as every command shows it: "file:line: warning: 'field': …" (with a
        column: "file:line:column: …")."""
        return i18n.diagnostic(self, "en")

    def show(self) -> str:
        """As every command shows it, in the current language (and its hint below)."""
        return i18n.diagnostic(self)

    def text(self, lang: str | None = None) -> str:
        """The message alone, in `lang` (default: the current language)."""
        return self.message.show(lang)

    def to_json(self) -> dict[str, Any]:
        """As plain JSON values (the build's caches keep diagnostics so)."""
        return {
            "message": _encode(self.message),
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "severity": self.severity,
            "hint": _encode(self.hint),
            "column": self.column,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Diagnostic:
        return cls(
            _decode(data["message"]),
            data["file"],
            data["line"],
            data["field"],
            data["severity"],
            _decode(data["hint"]),
            data.get("column"),
        )


def Finding(
    message: Text,
    file: str | Path | None = None,
    line: int | None = None,
    field: str | None = None,
    level: Severity = "warning",
    hint: Text | None = None,
    column: int | None = None,
) -> Diagnostic:
    """A warning (or, under --strict, an error) that does not stop the build by itself."""
    found = as_message(message)
    assert found is not None
    return Diagnostic(found, str(file) if file is not None else None, line, field, level,
                      as_message(hint), column)  # fmt: skip


def suggest(name: str, candidates: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """The nearest valid name to a misspelt one, for 'did you mean …' hints."""
    match = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return match[0] if match else None


class BulletinError(Exception):
    """An error that stops the command: one clean line, no traceback, exit code 1."""

    exit_code = 1

    def __init__(
        self,
        message: Text,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: Text | None = None,
        more: tuple[Diagnostic, ...] | list[Diagnostic] = (),
    ) -> None:
        found = as_message(message)
        assert found is not None
        self.diagnostic = Diagnostic(
            found, str(file) if file is not None else None, line, field, "error", as_message(hint)
        )
        self.more = tuple(more)  # further problems found with it (shown a line each, below)
        super().__init__(self.message)

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """The error and the further problems found with it."""
        return (self.diagnostic, *self.more)

    # -- the diagnostic's parts, by their old names --------------------------------------
    @property
    def file(self) -> str | None:
        return self.diagnostic.file

    @property
    def line(self) -> int | None:
        return self.diagnostic.line

    @property
    def field(self) -> str | None:
        return self.diagnostic.field

    @property
    def hint(self) -> str | None:
        """The hint in English (None: none)."""
        hint = self.diagnostic.hint
        return i18n.render(hint, "en") if hint is not None else None

    @property
    def bare_message(self) -> str:
        """The message in English, without where and hint."""
        return i18n.render(self.diagnostic.message, "en")

    @property
    def message(self) -> str:
        """In English, a diagnostic each (str(exc), for logs and tests)."""
        return "\n".join(i18n.diagnostic(d, "en") for d in self.diagnostics)

    def at(self, **where: Any) -> BulletinError:
        """The same error at another place (file, line, field)."""
        made = type(self).__new__(type(self))
        made.diagnostic, made.more = replace(self.diagnostic, **where), self.more
        Exception.__init__(made, made.message)
        return made

    def with_hint(self, hint: Text | None) -> BulletinError:
        made = type(self).__new__(type(self))
        made.diagnostic, made.more = replace(self.diagnostic, hint=as_message(hint)), self.more
        Exception.__init__(made, made.message)
        return made

    def with_more(self, more: list[Diagnostic] | tuple[Diagnostic, ...]) -> BulletinError:
        """The same error with further problems after its own."""
        made = type(self).__new__(type(self))
        made.diagnostic, made.more = self.diagnostic, (*self.more, *more)
        Exception.__init__(made, made.message)
        return made

    def format_message(self) -> str:
        """The error as the editor reads it, in the current language: a diagnostic each."""
        return "\n".join(i18n.diagnostic(d) for d in self.diagnostics)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled whole, so that a worker process's error reads as one raised here."""
        return (_rebuild, (type(self), self.diagnostic, self.more))


def _rebuild(
    cls: type[BulletinError], diagnostic: Diagnostic, more: tuple[Diagnostic, ...] = ()
) -> BulletinError:
    made = cls.__new__(cls)
    made.diagnostic, made.more = diagnostic, more
    Exception.__init__(made, made.message)
    return made


class ConfigError(BulletinError):
    """bulletin.toml, edition.toml or front matter is invalid."""


class ContentError(BulletinError):
    """An article, image or directive is wrong."""


class DataError(BulletinError):
    """A data file or table spec is wrong."""
