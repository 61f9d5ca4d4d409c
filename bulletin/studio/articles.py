"""The workbench's requests about articles: new, uploaded (Word, or a table), read, saved,
previewed."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import unquote

from bulletin.diagnostics.errors import BulletinError, msg
from bulletin.studio.answers import Answer, Request, number, shown
from bulletin.studio.base import StudioBase
from bulletin.studio.edits import is_text, with_front_matter
from bulletin.studio.files import Refused, Stale, check_name

MAX_UPLOAD = 20 * 1024 * 1024  # bytes: a county's Word article with photos, or a workbook
# what each kind of upload starts with (a .docx or .xlsx is a zip); a CSV is text
UPLOADS = {".docx": b"PK\x03\x04", ".xlsx": b"PK\x03\x04", ".xlsm": b"PK\x03\x04", ".csv": b""}


class ArticleRequests(StudioBase):
    """POST editions/<id>/articles and …/upload, GET/PUT articles/<id>/<name>, POST preview."""

    def new_article(self, request: Request, eid: str) -> Answer:
        from bulletin.commands.new import new_article

        body = request.json()
        info = self._locked(eid, body)
        created = new_article(self.root, str(body.get("title") or ""), edition=eid,
                              page=number(body.get("page") or 1, "page"))
        return Answer(201, {"slug": created.path.stem, "files": created.files,
                            "notes": self._notes(info, body, created.notes)})

    def upload(self, request: Request, eid: str) -> Answer:
        """A Word article or a county workbook, imported as `bulletin import` does."""
        from bulletin.commands.importers import import_file

        self._info(eid)
        name = unquote(request.headers.get("X-Filename") or "")
        if not name or "/" in name or "\\" in name or name.startswith(".") or "\x00" in name:
            raise Refused(msg("studio.bad_upload_name", name=name[:80]))
        suffix = Path(name).suffix.lower()
        magic = UPLOADS.get(suffix)
        if magic is None:  # (a .csv's is b"": any text)
            raise Refused(msg("studio.bad_upload_type", name=name[:80]))
        if len(request.body) > MAX_UPLOAD:
            raise Refused(msg("studio.upload_too_large", name=name[:80],
                              mb=MAX_UPLOAD // (1024 * 1024)))
        if not (request.body.startswith(magic) if magic else is_text(request.body)):
            raise Refused(msg("studio.bad_upload_type", name=name[:80]))
        given = {k: unquote(request.headers.get(f"X-Correction-{k.title()}") or "")
                 for k in ("date", "text")}
        correction = {"correction": given}  # (a published edition's 勘误, in headers)
        info = self._locked(eid, correction)
        page = number(request.headers.get("X-Page") or 1, "page")
        scratch = self.root / ".cache" / "studio"
        scratch.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=scratch) as tmp:
            file = Path(tmp) / name
            file.write_bytes(request.body)
            created = import_file(file, self.root, edition=eid, page=page)
        kind = "article" if suffix == ".docx" else "table"  # (.xlsx, .csv)
        return Answer(201, {"kind": kind, "name": created.path.stem, "files": created.files,
                            "notes": self._notes(info, correction, created.notes)})

    def article(self, request: Request, eid: str, slug: str) -> Answer:
        from bulletin.load.config import split_front_matter

        info = self._info(eid)
        where = f"content/{eid}/{check_name(slug, 'article')}.md"
        read = self.files.read(where)
        if read.data is None:
            raise Refused(msg("studio.no_article", file=where))
        meta, body, body_line = split_front_matter(read.text, where)
        return Answer(200, {
            "edition": eid, "slug": slug, "file": where, "version": read.version,
            "published": info.config.status == "published", "body_line": body_line,
            "meta": {"kicker": meta.kicker or "", "title": meta.title,
                     "subtitle": meta.subtitle or "", "byline": meta.byline or "",
                     "page": meta.page},
            "body": body, "pages": len(info.config.pages),
        })

    def save_article(self, request: Request, eid: str, slug: str) -> Answer:
        from bulletin.load.config import split_front_matter

        body = request.json()
        info = self._info(eid)
        where = f"content/{eid}/{check_name(slug, 'article')}.md"
        read = self.files.read(where)
        if read.data is None:
            raise Refused(msg("studio.no_article", file=where))
        if read.version != body.get("version"):
            raise Stale(msg("studio.stale", file=where), file=where, hint=msg("studio.stale_hint"))
        text = with_front_matter(read.text, body.get("meta") or {}, str(body.get("body") or ""))
        split_front_matter(text, where)  # reads back, or the build's message
        if info.config.status == "published":
            self._record_correction(info, body)
        version = self.files.write(where, text.encode("utf-8"), body.get("version", ""))
        return Answer(200, {"version": version})

    def preview(self, request: Request) -> Answer:
        """An article's body as the page will show it (the edition's tables cited)."""
        from bulletin.render.markdown import Context, make_html_renderer, render_html

        body = request.json()
        eid = check_name(str(body.get("edition") or ""), "edition")
        made = self._computed(eid)
        tables = made[1].tables if made else {}
        ctx = Context(file=str(body.get("file") or "preview.md"),
                      first_line=number(body.get("body_line") or 1, "body_line"),
                      tables=sorted(tables),
                      table=lambda name: self._table_html(made, eid, name),
                      charts=sorted(made[1].charts) if made else (),
                      chart=lambda name: self._table_html(made, eid, name, chart=True),
                      cite=lambda t, row, col: tables[t].cite(row, col))
        try:
            html = render_html(make_html_renderer(), str(body.get("body") or ""), ctx)
        except BulletinError as exc:
            return Answer(200, {"html": "", "problems": [shown(d) for d in exc.diagnostics]})
        return Answer(200, {"html": html, "problems": [shown(f) for f in ctx.findings]})
