"""The workbench's requests: each a small function from a request to a JSON answer.

The actions call what the commands call (`commands.new`, `commands.importers`,
`commands.check`), so a file the workbench writes is the file the CLI writes for the same
action. Edits the CLI has no command for (an edition's fields, an article's front matter and
body, a table spec) are made to the text in place, keeping its comments and layout, read back
with the build's own loaders before they are written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from bulletin.diagnostics import i18n
from bulletin.diagnostics.errors import BulletinError, Diagnostic, Message, msg
from bulletin.studio.edits import (
    is_text,
    set_text,
    spec_form,
    with_correction,
    with_front_matter,
    with_spec_form,
)
from bulletin.studio.files import ProjectFiles, Refused, Stale, check_name

MAX_UPLOAD = 20 * 1024 * 1024  # bytes: a county's Word article with photos, or a workbook
# what each kind of upload starts with (a .docx or .xlsx is a zip); a CSV is text
UPLOADS = {".docx": b"PK\x03\x04", ".xlsx": b"PK\x03\x04", ".xlsm": b"PK\x03\x04", ".csv": b""}


@dataclass
class Request:
    method: str
    path: str  # below /_studio/api/
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        try:
            data = json.loads(self.body or b"{}")
        except ValueError:
            raise Refused(msg("studio.bad_request")) from None
        if not isinstance(data, dict):
            raise Refused(msg("studio.bad_request"))
        return data


@dataclass
class Answer:
    status: int
    data: Any

    def body(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False).encode("utf-8")


def shown(d: Diagnostic) -> dict[str, Any]:
    """A diagnostic for the page: its words in the current language, and where it is."""
    return {
        "level": d.severity,
        "file": d.file,
        "line": d.line,
        "column": d.column,
        "field": d.field,
        "message": i18n.render(d.message),
        "hint": i18n.render(d.hint) if d.hint is not None else None,
        "text": d.show(),
    }


def failure(exc: BulletinError) -> Answer:
    status = 409 if isinstance(exc, Stale) else 403 if isinstance(exc, Refused) else 400
    return Answer(status, {"error": [shown(d) for d in exc.diagnostics]})


Route = tuple[str, re.Pattern[str], Callable[..., Answer]]


def _number(value: Any, field: str) -> int:
    """A whole number the page sent (a 版), or the request is refused."""
    try:
        return int(str(value))
    except ValueError:
        raise Refused(msg("studio.bad_request"), field=field) from None


class Job:
    """A publish or rollback running in a thread: its progress lines and its result."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.lines: list[str] = []
        self.result: dict[str, Any] | None = None
        self.error: list[dict[str, Any]] | None = None
        self.running = False
        self.lock = threading.Lock()

    def say(self, message: Message) -> None:
        with i18n.using(self.lang), self.lock:
            self.lines.append(i18n.render(message))

    def start(self, work: Callable[[Callable[[Message], None]], dict[str, Any]]) -> None:
        self.running = True

        def run() -> None:
            with i18n.using(self.lang):
                try:
                    result, error = work(self.say), None
                except BulletinError as exc:
                    result, error = None, [shown(d) for d in exc.diagnostics]
                except Exception as exc:  # a bug: said on the page and in the terminal
                    traceback.print_exc()
                    bug = msg("studio.bug", error=f"{type(exc).__name__}: {exc}")
                    result, error = None, [shown(Diagnostic(bug, severity="error"))]
            with self.lock:
                self.result, self.error, self.running = result, error, False

        threading.Thread(target=run, daemon=True).start()

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {"running": self.running, "lines": list(self.lines), "result": self.result,
                    "error": self.error}


class Studio:
    """The requests of one project's workbench. Changes are made one at a time."""

    def __init__(
        self,
        root: Path,
        *,
        lang: str = "zh",
        today: Callable[[], dt.date] = dt.date.today,
        built: Callable[[], int] = lambda: 0,
    ) -> None:
        self.root = root.resolve()
        self.files = ProjectFiles(self.root)
        self.lang = lang
        self.today = today
        self.built = built  # the preview's build number (the page waits for a newer one)
        self.lock = threading.Lock()
        self.problems: list[dict[str, Any]] | None = None
        self.job: Job | None = None  # the publish (or rollback) running or last run
        self.checked_at: str | None = None
        e, s, t = r"(?P<eid>[^/]+)", r"(?P<slug>[^/]+)", r"(?P<name>[^/]+)"
        self.routes: list[Route] = [
            ("GET", re.compile(r"editions"), self.editions),
            ("POST", re.compile(r"editions"), self.new_edition),
            ("GET", re.compile(rf"editions/{e}"), self.edition),
            ("PUT", re.compile(rf"editions/{e}"), self.save_edition),
            ("POST", re.compile(rf"editions/{e}/articles"), self.new_article),
            ("POST", re.compile(rf"editions/{e}/upload"), self.upload),
            ("GET", re.compile(rf"articles/{e}/{s}"), self.article),
            ("PUT", re.compile(rf"articles/{e}/{s}"), self.save_article),
            ("POST", re.compile(r"preview"), self.preview),
            ("GET", re.compile(rf"tables/{e}/{t}"), self.table),
            ("PUT", re.compile(rf"tables/{e}/{t}"), self.save_table),
            ("GET", re.compile(r"problems"), self.last_problems),
            ("POST", re.compile(rf"pdf/{e}"), self.pdf),
            ("GET", re.compile(r"publish"), self.publish_state),
            ("POST", re.compile(r"publish"), self.publish),
            ("POST", re.compile(r"publish/rollback"), self.rollback),
            ("POST", re.compile(r"check"), self.check),
        ]

    def handle(self, request: Request) -> Answer:
        path = unquote(request.path.strip("/"))
        with i18n.using(self.lang):
            for method, pattern, fn in self.routes:
                m = pattern.fullmatch(path)
                if m and method == request.method:
                    try:
                        if method == "GET":
                            return fn(request, **m.groupdict())
                        with self.lock:
                            return fn(request, **m.groupdict())
                    except BulletinError as exc:
                        return failure(exc)
                    except Exception as exc:  # a bug: said, and the workbench goes on
                        traceback.print_exc()
                        bug = Diagnostic(msg("studio.bug", error=f"{type(exc).__name__}: {exc}"),
                                         severity="error")
                        return Answer(500, {"error": [shown(bug)]})
            return Answer(404, {"error": [shown(Diagnostic(msg("studio.not_found", path=path[:80]),
                                                           severity="error"))]})

    # -- editions ------------------------------------------------------------------------

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

    # -- articles ------------------------------------------------------------------------

    def new_article(self, request: Request, eid: str) -> Answer:
        from bulletin.commands.new import new_article

        body = request.json()
        info = self._locked(eid, body)
        created = new_article(self.root, str(body.get("title") or ""), edition=eid,
                              page=_number(body.get("page") or 1, "page"))
        return Answer(201, {"slug": created.path.stem, "files": created.files,
                            "notes": self._notes(info, body, created.notes)})

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
        page = _number(request.headers.get("X-Page") or 1, "page")
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

    def _record_correction(self, info: Any, body: Mapping[str, Any]) -> None:
        """A change to a published edition needs its 勘误, recorded in edition.toml first
        (the bytes `bulletin new correction` writes)."""
        shown_path = f"content/{info.id}/edition.toml"
        read = self.files.read(shown_path)
        self.files.write(shown_path, with_correction(info, read.data or b"", body, required=True),
                         read.version)

    def preview(self, request: Request) -> Answer:
        """An article's body as the page will show it (the edition's tables cited)."""
        from bulletin.render.markdown import Context, make_html_renderer, render_html

        body = request.json()
        eid = check_name(str(body.get("edition") or ""), "edition")
        made = self._computed(eid)
        tables = made[1].tables if made else {}
        ctx = Context(file=str(body.get("file") or "preview.md"),
                      first_line=_number(body.get("body_line") or 1, "body_line"),
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
        """A table (and its charts), or a chart, as the page shows it; the charts' images
        are the preview's (served at /editions/<id>/)."""
        from bulletin.render import SiteRenderer

        if made is None or name not in (made[1].charts if chart else made[1].tables):
            return ""
        renderer = SiteRenderer(made[0], pdf=False)
        html = str((renderer.chart_html if chart else renderer.table_html)(made[1], name))
        return re.sub(r'(<(?:img|object)[^>]+(?:src|data)=")([\w-]+\.svg")',
                      rf"\1../editions/{eid}/\2", html)

    # -- tables --------------------------------------------------------------------------

    def table(self, request: Request, eid: str, name: str) -> Answer:
        from bulletin.compute import compute
        from bulletin.load.content import load_site

        self._info(eid)
        where = f"data/{eid}/{check_name(name, 'table')}.toml"
        read = self.files.read(where)
        if read.data is None:
            raise Refused(msg("studio.no_table", file=where))
        answer: dict[str, Any] = {"edition": eid, "name": name, "file": where,
                                  "version": read.version, "spec": read.text,
                                  "form": spec_form(read.text)}
        try:
            site = load_site(self.root, drafts=True)
            computed = compute(site, {eid}, strict=False)[eid]
            table = computed.tables[name]
        except BulletinError as exc:
            answer.update(html="", problems=[shown(d) for d in exc.diagnostics])
            return Answer(200, answer)
        html = self._table_html((site, computed), eid, name)
        answer.update(html=html, problems=[shown(f) for f in table.findings])
        return Answer(200, answer)

    def save_table(self, request: Request, eid: str, name: str) -> Answer:
        from bulletin.compute.tables import load_table

        body = request.json()
        info = self._info(eid)
        where = f"data/{eid}/{check_name(name, 'table')}.toml"
        current = self.files.read(where)
        if isinstance(body.get("form"), dict):  # the common settings, into the text as it is
            text = with_spec_form(current.text, body["form"])
        else:
            text = str(body.get("spec") or "")
        if current.version != body.get("version"):
            raise Stale(msg("studio.stale", file=where), file=where, hint=msg("studio.stale_hint"))
        probe = self.root / "data" / eid / f".{name}.check"  # beside its CSV, as the spec is
        probe.write_text(text, encoding="utf-8")
        try:
            load_table(probe, root=self.root)
        except BulletinError as exc:
            raise exc.at(file=where) from None
        finally:
            probe.unlink(missing_ok=True)
        if info.config.status == "published":
            self._record_correction(info, body)
        version = self.files.write(where, text.encode("utf-8"), body.get("version", ""))
        return Answer(200, {"version": version})

    # -- the print edition ---------------------------------------------------------------

    @property
    def made(self) -> Path:
        """Where the workbench builds PDFs (served at /_studio/files/): not site/, never
        bulletin.lock (the preview's rule)."""
        return self.root / ".cache" / "studio" / "site"

    def pdf(self, request: Request, eid: str) -> Answer:
        from bulletin.build import build

        self._info(eid)
        build(self.root, out=self.made, drafts=True, pdf=True, search=False, update_lock=False)
        if not (self.made / "editions" / eid / f"{eid}.pdf").is_file():
            raise Refused(msg("studio.no_pdf", edition=eid))
        return Answer(200, {"url": f"files/editions/{eid}/{eid}.pdf"})

    # -- publish -------------------------------------------------------------------------

    def publish_state(self, request: Request) -> Answer:
        from bulletin.commands.publish import publish_settings

        try:
            where = str(publish_settings(self.root).host)
        except BulletinError as exc:
            return Answer(200, {"dest": None, "why": [shown(d) for d in exc.diagnostics],
                                "job": self.job.state() if self.job else None})
        return Answer(200, {"dest": where, "job": self.job.state() if self.job else None})

    def publish(self, request: Request) -> Answer:
        """Build the site (as bulletin build does) and publish it to [publish]'s destination,
        in the background; the page follows its lines (GET publish)."""
        from bulletin.build import build
        from bulletin.commands.publish import default_site, publish_settings

        settings = publish_settings(self.root)  # (no destination: said now, not in a thread)

        def work(say: Callable[[Message], None]) -> dict[str, Any]:
            build(self.root, report=say)
            done = settings.publish(default_site(self.root), report=say)
            words = (msg("studio.published_same", release=done.release) if done.unchanged
                     else msg("studio.published", release=done.release, files=done.files))
            return {"release": done.release, "previous": done.previous,
                    "message": i18n.render(words)}

        return self._start(work)

    def rollback(self, request: Request) -> Answer:
        from bulletin.commands.publish import publish_settings

        settings = publish_settings(self.root)

        def work(say: Callable[[Message], None]) -> dict[str, Any]:
            back = settings.rollback(report=say)
            words = msg("studio.rolled_back", release=back.release, old=back.left)
            return {"release": back.release, "message": i18n.render(words)}

        return self._start(work)

    def _start(self, work: Callable[[Callable[[Message], None]], dict[str, Any]]) -> Answer:
        if self.job is not None and self.job.running:
            raise Refused(msg("studio.publish_running"))
        self.job = Job(self.lang)
        self.job.start(work)
        return Answer(202, {"job": self.job.state()})

    # -- problems ------------------------------------------------------------------------

    def last_problems(self, request: Request) -> Answer:
        return Answer(200, {"problems": self.problems, "checked": self.checked_at})

    def check(self, request: Request) -> Answer:
        from bulletin.commands.check import check

        report = check(self.root)
        self.problems = [shown(d) for d in report.issues]
        self.checked_at = dt.datetime.now().strftime("%H:%M:%S")
        return Answer(200, {"problems": self.problems, "checked": self.checked_at})
