"""`bulletin fix`: half-width punctuation in Chinese text made full-width.

Without `--write` it only shows what it would change, as a unified diff; with `--write` it
changes the files, each replaced in one step (a file is never left half written). What
changes is what the lint of `bulletin check` and `bulletin build` reports: both ask
bulletin/punctuation.py, the one place that decides what is Chinese context. Only
articles (front-matter values and body), edition.toml's text values and the texts a table
spec prints (data/<id>/*.toml: titles, headers, notes) are touched; never code, URLs,
numbers, Latin text, keys, a spec's names, data headers and formulas, or the tables' data.
Each change is one character for one character; a fixed file is read back before it is
written, and must read as it did but for its punctuation (a TOML file: but for the
punctuation of the values it may change). Running it again changes nothing.

A published edition is locked (bulletin.lock): a change to it stops the next build unless
the edition records a correction (勘误). So published editions are left as they are unless
`include_published`, and then the note `new article` and `import` give for a change to a
published edition is given too.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bulletin import punctuation
from bulletin.commands import atomic_write
from bulletin.diagnostics.errors import BulletinError, ConfigError, Diagnostic, Message, msg
from bulletin.diagnostics.reasons import os_reason
from bulletin.punctuation import Mark


@dataclass
class FileFix:
    """One file's changes."""

    path: Path
    shown: str
    old: str
    new: str
    marks: list[Mark]
    edition: str | None = None
    published: bool = False

    def diff(self) -> str:
        """The change as a unified diff (no context lines: a paragraph is a line)."""
        lines = difflib.unified_diff(
            self.old.splitlines(keepends=True),
            self.new.splitlines(keepends=True),
            f"a/{self.shown}",
            f"b/{self.shown}",
            n=0,
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


@dataclass
class Fixes:
    """What `bulletin fix` found: the files to change, the published editions left alone
    ({edition: files that would change}), notes for the editor, and problems."""

    files: list[FileFix] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    notes: list[Message] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)

    @property
    def marks(self) -> int:
        return sum(len(f.marks) for f in self.files)


def _texts(folder: Path) -> list[Path]:
    """An edition folder's files bulletin fix reads: edition.toml, the articles and, for
    content/<id>/, the edition's table specs (data/<id>/*.toml), as the lint reads them."""
    found = [folder / "edition.toml"] if (folder / "edition.toml").is_file() else []
    found += sorted(p for p in folder.glob("*.md") if not p.name.startswith("."))
    if folder.parent.name == "content":
        found += punctuation.table_specs(folder.parent.parent, folder.name)
    return found


def targets(root: Path, paths: Sequence[Path]) -> list[Path]:
    """The files to look at: those named (an article, an edition.toml, a table spec, an
    edition's folder, or a folder of editions such as content/), or every edition's under
    content/. A data file (CSV, Excel) is never one."""
    if not paths or any(p.resolve() == root.resolve() for p in paths):
        content = root / "content"
        if not content.is_dir():
            raise ConfigError(
                msg("new.no_content"), file="content", hint=msg("new.no_content_hint")
            )
        paths = [content, *(p for p in paths if p.resolve() != root.resolve())]
    found: list[Path] = []
    for path in paths:
        where = Path(os.path.abspath(path))  # (`.` and `..` named: content/<id>, data/<id>)
        if path.is_dir():
            folders = (
                [where]
                if (where / "edition.toml").is_file()
                else sorted(p for p in where.iterdir() if (p / "edition.toml").is_file())
            )
            found += [f for folder in folders for f in _texts(folder)]
        elif path.name == "edition.toml" or path.suffix == ".md" or punctuation.is_spec(where):
            found.append(path)
        else:
            raise BulletinError(
                msg("fix.not_text", file=str(path)), file=str(path), hint=msg("fix.not_text_hint")
            )
    return list(dict.fromkeys(p.resolve() for p in found))


def _edition_of(path: Path) -> tuple[str | None, bool]:
    """(edition id, published) of the folder a file is in, or of a table spec's edition
    (content/<id>/ for data/<id>/x.toml); None: not an edition's."""
    folder = path.parent
    if punctuation.is_spec(path):
        folder = path.parent.parent.parent / "content" / path.parent.name
    toml = folder / "edition.toml"
    if not toml.is_file():
        return None, False
    try:
        status = tomllib.loads(toml.read_bytes().decode("utf-8-sig")).get("status")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        status = None
    return folder.name, status == "published"


def _shown(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def plan(root: Path, paths: Sequence[Path] = (), *, include_published: bool = False) -> Fixes:
    """What `bulletin fix` would change in the project at `root` (or in `paths`)."""
    fixes = Fixes()
    noted: set[str] = set()
    for path in targets(root, paths):
        shown = _shown(root, path)
        try:
            old = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as e:
            fixes.problems.append(
                Diagnostic(
                    msg("content.not_utf8", byte=e.start),
                    shown,
                    severity="error",
                    hint=msg("content.not_utf8_hint"),
                )
            )
            continue
        except OSError as e:
            fixes.problems.append(
                Diagnostic(msg("content.unreadable", why=os_reason(e)), shown, severity="error")
            )
            continue
        marks = punctuation.file_marks(path, old)
        if not marks:
            continue
        edition, published = _edition_of(path)
        if published and not include_published:
            fixes.skipped[edition or ""] = fixes.skipped.get(edition or "", 0) + 1
            continue
        new = punctuation.apply(old, marks)
        if not _reads_the_same(path, old, new):
            fixes.problems.append(
                Diagnostic(
                    msg("fix.not_same"), shown, severity="error", hint=msg("fix.not_same_hint")
                )
            )
            continue
        fixes.files.append(FileFix(path, shown, old, new, marks, edition, published))
        if published and edition is not None and edition not in noted:
            noted.add(edition)
            fixes.notes.append(msg("new.published_note", edition=edition))
    for edition, count in fixes.skipped.items():
        fixes.notes.append(msg("fix.skipped_published", edition=edition, files=count))
    return fixes


def _reads_the_same(path: Path, old: str, new: str) -> bool:
    """Whether the fixed text is the old one but for punctuation, and reads as it did: the
    same settings, the same front matter but for the punctuation of its text; a TOML file's
    values the same to the character but for those of its text fields."""
    if not punctuation.only_punctuation_changed(old, new):
        return False
    spec = punctuation.is_spec(path)
    if spec or path.name == "edition.toml":
        fields = punctuation.SPEC_FIELDS if spec else punctuation.EDITION_FIELDS
        return punctuation.toml_unchanged(old, new, fields) or not _toml_reads(old)
    from bulletin.load.config import split_front_matter

    try:
        before = split_front_matter(old, path.name)[0].model_dump()
    except BulletinError:
        return True  # (a broken front matter is never changed: its values are not read)
    try:
        after = split_front_matter(new, path.name)[0].model_dump()
    except BulletinError:
        return False
    return punctuation.same_values(before, after)


def _toml_reads(text: str) -> bool:
    try:
        tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError:
        return False
    return True


def write(files: Iterable[FileFix]) -> None:
    """Write each fixed file in one step: a temporary file beside it, then renamed over it."""
    for fix in files:
        atomic_write(fix.path, fix.new.encode("utf-8"))
