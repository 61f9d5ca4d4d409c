"""`bulletin import FILE`: what counties send, turned into bulletin's own files.

- ``.docx`` (Word) → a Markdown article in an edition, its images saved beside it
  (:mod:`bulletin.commands.importers.docx`);
- ``.xlsx`` (Excel) or ``.csv`` → a table spec skeleton in ``data/<edition>/`` with the
  workbook or CSV copied beside it (:mod:`bulletin.commands.importers.xlsx`).
"""

from __future__ import annotations

from pathlib import Path

from bulletin.commands.new import Created
from bulletin.diagnostics.errors import BulletinError, msg


def import_file(
    file: Path,
    root: Path,
    *,
    edition: str | None = None,
    slug: str | None = None,
    page: int = 1,
) -> Created:
    """Import `file` into the project at `root` (into the newest edition by default)."""
    if not file.is_file():
        raise BulletinError(msg("importers.missing", file=str(file)))
    suffix = file.suffix.lower()
    if suffix == ".docx":
        from bulletin.commands.importers.docx import import_docx

        return import_docx(file, root, edition=edition, slug=slug, page=page)
    if suffix in (".xlsx", ".xlsm", ".csv"):
        from bulletin.commands.importers.xlsx import import_xlsx

        return import_xlsx(file, root, edition=edition, name=slug)
    raise BulletinError(
        msg("importers.unknown", suffix=file.suffix or file.name),
        hint=msg("importers.unknown_hint"),
    )
