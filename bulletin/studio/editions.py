"""The workbench's requests about editions: the list, a new one, one edition's form."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from bulletin.diagnostics.errors import BulletinError, msg
from bulletin.studio.answers import Answer, Request
from bulletin.studio.base import StudioBase
from bulletin.studio.edits import set_text, with_correction
from bulletin.studio.files import Refused, check_name


class EditionRequests(StudioBase):
    """GET/POST editions, GET/PUT editions/<id>."""

    def editions(self, request: Request) -> Answer:
        listed = []
        for info in reversed(self._editions()):
            c = info.config
            listed.append({
                "id": info.id, "number": c.number, "total": c.total, "year": c.date.year,
                "date": c.date.isoformat(), "status": c.status, "sample": c.sample,
                "problems": self._counts(info.id) if self.problems is not None else None,
            })
        return Answer(200, {"editions": listed, "checked": self.checked_at})

    def new_edition(self, request: Request) -> Answer:
        from bulletin.commands.new import new_edition

        day = request.json().get("date")
        try:
            when = dt.date.fromisoformat(day) if day else self.today()
        except ValueError:
            raise Refused(msg("studio.bad_date", date=str(day)[:20]), field="date") from None
        created = new_edition(self.root, when)
        return Answer(201, {"id": created.path.name, "files": created.files})

    def edition(self, request: Request, eid: str) -> Answer:
        from bulletin.load.config import split_front_matter

        info = self._info(eid)
        read = self.files.read(f"content/{eid}/edition.toml")
        articles = {}
        for path in sorted(info.path.glob("*.md")):
            entry: dict[str, Any] = {"slug": path.stem}
            try:
                meta, _, _ = split_front_matter(path.read_text(encoding="utf-8"), path.name)
                entry.update(title=meta.title, kicker=meta.kicker, page=meta.page)
            except (BulletinError, OSError, UnicodeDecodeError):
                entry.update(title=None, broken=True)
            articles[path.stem] = entry
        pages = []
        for i, page in enumerate(info.config.pages, start=1):
            if page.articles is not None:
                slugs = list(page.articles)
            else:
                slugs = [s for s, a in articles.items() if a.get("page", 1) == i]
            pages.append({"banner": page.banner or "", "credit": page.credit or "",
                          "listed": page.articles is not None, "articles": slugs,
                          "tables": list(page.tables)})
        placed = {s for p in pages for s in p["articles"]}
        data = self.root / "data" / eid
        tables = sorted(p.stem for p in data.glob("*.toml")) if data.is_dir() else []
        c = info.config
        return Answer(200, {
            "id": eid, "version": read.version, "number": c.number, "total": c.total,
            "date": c.date.isoformat(), "status": c.status, "pages": pages,
            "articles": articles, "unplaced": [s for s in articles if s not in placed],
            "tables": tables, "corrections": [
                {"date": k.date.isoformat(), "text": k.text} for k in c.corrections],
            "problems": None if self.problems is None else [
                p for p in self.problems
                if (p.get("file") or "").startswith((f"content/{eid}/", f"data/{eid}/"))],
        })

    def save_edition(self, request: Request, eid: str) -> Answer:
        """The form's fields into edition.toml, its comments and layout kept (tomlkit)."""
        import tomlkit

        from bulletin.load.config import load_edition_config

        body = request.json()
        info = self._info(eid)
        shown_path = f"content/{eid}/edition.toml"
        read = self.files.read(shown_path)
        doc = tomlkit.parse(read.text)
        for key in ("number", "date", "status"):
            if key in body and body[key] is not None:
                value = body[key]
                if key == "date":
                    try:
                        value = dt.date.fromisoformat(value)
                    except (TypeError, ValueError):
                        raise Refused(msg("studio.bad_date", date=str(value)[:20]),
                                      file=shown_path, field="date") from None
                if doc.get(key) != value:
                    doc[key] = value
        pages = doc.get("pages")
        for i, page in enumerate(body.get("pages") or []):
            if pages is None or i >= len(pages):
                break
            table = pages[i]
            for key in ("banner", "credit"):
                if key in page:
                    set_text(table, key, page[key])
            if "tables" in page:
                wanted = [check_name(n, "table") for n in page["tables"]]
                if list(table.get("tables") or []) != wanted:
                    if wanted:
                        table["tables"] = wanted
                    elif "tables" in table:
                        del table["tables"]
            if "articles" in page and table.get("articles") is not None:
                wanted = [check_name(s, "article") for s in page["articles"]]
                if list(table["articles"]) != wanted:
                    items = table["articles"]
                    items.clear()
                    items.extend(wanted)
        text = tomlkit.dumps(doc)
        if text == read.text:
            return Answer(200, {"version": read.version})
        data = with_correction(info, text.encode("utf-8"), body,
                          required=info.config.status == "published")
        with tempfile.TemporaryDirectory() as tmp:  # read back by the build's loader
            probe = Path(tmp) / "edition.toml"
            probe.write_bytes(data)
            load_edition_config(probe, shown_path)
        version = self.files.write(shown_path, data, body.get("version", ""))
        return Answer(200, {"version": version})
