"""The project's files as the workbench reads and writes them.

A file is read with its version (the SHA-256 of its bytes); a save names the version it was
made from and is refused when the file has changed since (another editor, a text editor, the
CLI): never merged silently. Writes are atomic (a temporary file beside it, then rename), and
only paths inside the project, below the folders the workbench edits, are allowed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from bulletin.commands import atomic_write
from bulletin.diagnostics.errors import BulletinError, msg

ABSENT = "absent"  # the version of a file that does not exist
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")  # edition ids, slugs, table names


class Stale(BulletinError):
    """The file changed on disk since the page read it."""


class Refused(BulletinError):
    """A request the workbench will not do (a path outside the project, a bad name…)."""


def version_of(data: bytes | None) -> str:
    return ABSENT if data is None else hashlib.sha256(data).hexdigest()


@dataclass
class Read:
    path: Path
    shown: str
    data: bytes | None

    @property
    def version(self) -> str:
        return version_of(self.data)

    @property
    def text(self) -> str:
        return (self.data or b"").decode("utf-8-sig")


class ProjectFiles:
    """Reads and atomic writes of files below `root`, by their project path (content/…)."""

    EDITABLE = ("content", "data", "bulletin.toml")

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path(self, shown: str) -> Path:
        """The file at project path `shown`, refused unless it is inside the project below
        content/ or data/ (or bulletin.toml), with no link leading out."""
        parts = shown.split("/")
        if (
            not shown
            or shown.startswith("/")
            or "\\" in shown
            or any(p in ("", ".", "..") for p in parts)
            or parts[0] not in self.EDITABLE
        ):
            raise Refused(msg("studio.bad_path", path=shown))
        path = self.root.joinpath(*parts)
        if not path.resolve().is_relative_to(self.root):
            raise Refused(msg("studio.bad_path", path=shown))
        return path

    def read(self, shown: str) -> Read:
        path = self.path(shown)
        try:
            data: bytes | None = path.read_bytes()
        except FileNotFoundError:
            data = None
        return Read(path, shown, data)

    def write(self, shown: str, data: bytes, base: str) -> str:
        """Write `data` to `shown` if it is still at version `base`; the new version."""
        path = self.path(shown)
        current = self.read(shown).version
        if current != base:
            raise Stale(msg("studio.stale", file=shown), file=shown,
                        hint=msg("studio.stale_hint"))
        atomic_write(path, data)
        return version_of(data)


def check_name(name: str, what: str) -> str:
    if not NAME.match(name):
        raise Refused(msg("studio.bad_name", name=name[:80]), field=what)
    return name
