"""Errors and findings. Every one carries where it happened: file, line or row, field."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import click

from . import i18n


def _where(file: str | Path | None, line: int | None, field: str | None) -> str:
    return i18n.where(str(file) if file is not None else None, line, field)


def suggest(name: str, candidates: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """The nearest valid name to a misspelt one, for 'did you mean …' hints."""
    match = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return match[0] if match else None


class BulletinError(click.ClickException):
    """A user-facing error: one clean line, no traceback, non-zero exit."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        self.hint = hint
        self.bare_message = message
        where = _where(self.file, line, field)
        text = f"{where}: {message}" if where else message
        if hint:
            text += f" ({hint})"
        super().__init__(text)  # English: str(exc) and exc.message, for logs and tests

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled whole (file, line, field, hint), so that a worker process's error reads
        the same as one raised here."""
        return (_rebuild, (type(self), self.bare_message, self.file, self.line, self.field,
                           self.hint))

    def format_message(self) -> str:
        """The message as the editor reads it, in the current language (bulletin.i18n)."""
        return i18n.error(self)

    def show(self, file: Any = None) -> None:
        """What click prints: "Error: …", or "错误：…" in Chinese."""
        if i18n.language() == "en":
            return super().show(file)
        text = i18n.error_prefix() + self.format_message()
        click.echo(text, file=file, err=file is None, color=self.show_color)
        return None


def _rebuild(
    cls: type[BulletinError],
    message: str,
    file: str | None,
    line: int | None,
    field: str | None,
    hint: str | None,
) -> BulletinError:
    return cls(message, file=file, line=line, field=field, hint=hint)


class ConfigError(BulletinError):
    """bulletin.toml, edition.toml or front matter is invalid."""


class ContentError(BulletinError):
    """An article, image or directive is wrong."""


class DataError(BulletinError):
    """A data file or table spec is wrong."""


@dataclass(frozen=True)
class Finding:
    """A warning (or, under --strict, an error) that does not stop the build by itself."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    level: Literal["warning", "error"] = "warning"

    def __str__(self) -> str:
        where = _where(self.file, self.line, self.field)
        return (
            f"{self.level}: {where}: {self.message}" if where else f"{self.level}: {self.message}"
        )

    def show(self) -> str:
        """The finding as the editor reads it, in the current language (str(): English)."""
        return i18n.finding(self)
