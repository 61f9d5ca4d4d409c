"""What every group of the workbench's requests shares: the project, its files, the last
check, and the look-ups they make (an edition, its tables, a correction to record)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bulletin.diagnostics import i18n
from bulletin.diagnostics.errors import BulletinError, Message, msg
from bulletin.studio.edits import with_correction
from bulletin.studio.files import ProjectFiles, Refused, check_name


class StudioBase:
    """The workbench's state and the look-ups its requests share."""

    def __init__(
        self, root: Path, *, lang: str = "zh", today: Callable[[], dt.date] = dt.date.today
    ) -> None:
        self.root = root.resolve()
        self.files = ProjectFiles(self.root)
        self.lang = lang
        self.today = today
        self.lock = threading.Lock()  # changes one at a time
        self.problems: list[dict[str, Any]] | None = None  # the last check's
        self.checked_at: str | None = None

    def _editions(self) -> list[Any]:
        from bulletin.commands.new import read_editions

        return read_editions(self.root)

    def _info(self, eid: str) -> Any:
        check_name(eid, "edition")
        for info in self._editions():
            if info.id == eid:
                return info
        raise Refused(msg("studio.no_edition", edition=eid))

    def _counts(self, eid: str) -> dict[str, int]:
        counts = {"error": 0, "warning": 0}
        for p in self.problems or []:
            file = p.get("file") or ""
            if file.startswith((f"content/{eid}/", f"data/{eid}/")) and p["level"] in counts:
                counts[p["level"]] += 1
        return counts

    def _locked(self, eid: str, body: Mapping[str, Any]) -> Any:
        """The edition; a published one only with the change's 勘误 (checked before anything
        is written, recorded after the change by `_notes`)."""
        info = self._info(eid)
        if info.config.status == "published":
            shown_path = f"content/{eid}/edition.toml"
            with_correction(info, self.files.read(shown_path).data or b"", body, required=True)
        return info

    def _notes(self, info: Any, body: Mapping[str, Any], notes: list[Message]) -> list[str]:
        """What the CLI would print after the change; in a published edition the 勘误 is
        recorded instead of the CLI's note that one is needed."""
        if info.config.status == "published":
            self._record_correction(self._info(info.id), body)
            notes = [n for n in notes if n.id != "new.published_note"]
        return [i18n.render(n) for n in notes]

    def _record_correction(self, info: Any, body: Mapping[str, Any]) -> None:
        """A change to a published edition needs its 勘误, recorded in edition.toml first
        (the bytes `bulletin new correction` writes)."""
        shown_path = f"content/{info.id}/edition.toml"
        read = self.files.read(shown_path)
        self.files.write(shown_path, with_correction(info, read.data or b"", body, required=True),
                         read.version)

    def _computed(self, eid: str) -> tuple[Any, Any] | None:
        """(the site, edition `eid`'s EditionTables), or None when they cannot be made now
        (the problem is the check's to report)."""
        from bulletin.compute import compute
        from bulletin.load.content import load_site

        try:
            site = load_site(self.root, drafts=True)
            computed = compute(site, {eid}, strict=False)
        except BulletinError:
            return None
        return (site, computed[eid]) if eid in computed else None

    def _table_html(
        self, made: tuple[Any, Any] | None, eid: str, name: str, chart: bool = False
    ) -> str:
        """A table (and its charts), or a chart, as the page shows it; its CSV and the
        charts' images are the preview's (served at /editions/<id>/)."""
        from bulletin.render import SiteRenderer

        if made is None or name not in (made[1].charts if chart else made[1].tables):
            return ""
        renderer = SiteRenderer(made[0], pdf=False)
        made_html = renderer.chart_html if chart else renderer.table_html
        return str(made_html(made[1], name, f"../editions/{eid}/"))

    @property
    def made(self) -> Path:
        """Where the workbench builds PDFs (served at /_studio/files/): not site/, never
        bulletin.lock (the preview's rule)."""
        return self.root / ".cache" / "studio" / "site"
