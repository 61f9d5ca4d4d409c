"""`bulletin serve`: a local preview that rebuilds on every change and reloads the browser.

The preview is an ordinary build (drafts included, no PDFs and no search index unless asked)
into `.cache/preview/`, never into `site/`, and it never writes `bulletin.lock`. A watcher
(watchdog) on content/, data/, templates/ and bulletin.toml triggers a rebuild after the files
settle; every build, good or bad, raises the version number that the pages poll
(`/__bulletin/version`, asked by a small script added to preview pages only). While a build is
failing, every page is an error page naming the file and line, and it turns back into the
site as soon as the file is fixed. 127.0.0.1 is served unless --host names another address
(then every request needs the access token printed). The workbench (bulletin/studio) is at
/_studio/. The messages are in bulletin/diagnostics/messages/serve.toml.
"""

from __future__ import annotations

import functools
import html
import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from bulletin.diagnostics import i18n
from bulletin.diagnostics.errors import BulletinError, msg

if TYPE_CHECKING:
    from bulletin.studio.app import Workbench

HOST = "127.0.0.1"
PREVIEW = Path(".cache") / "preview"
WATCHED = ("content", "data", "templates")  # folders below the project; and bulletin.toml
SETTLE = 0.12  # seconds without a change before rebuilding (editors save in several writes)
ASSETS = resources.files("bulletin") / "theme" / "preview"
ENDPOINT = "/__bulletin/"
STUDIO = "/_studio/"
STUDIO_ASSETS = resources.files("bulletin") / "theme" / "studio"


def _now() -> str:
    return time.strftime("%H:%M:%S")


class Preview:
    """The preview build and its state: the version pages poll, and the current error."""

    def __init__(
        self,
        root: Path,
        *,
        out: Path | None = None,
        drafts: bool = True,
        pdf: bool = False,
        search: bool = False,
        echo: Callable[[str], None] = print,
    ) -> None:
        self.root = root.resolve()
        self.out = out or self.root / PREVIEW
        self.options = {"drafts": drafts, "pdf": pdf, "search": search}
        self.echo = echo
        self.lang = i18n.language()  # the builds run in threads, which start without it
        self.version = 0
        self.error: dict[str, Any] | None = None
        self.lock = threading.Lock()
        self.changed = threading.Event()
        self._fingerprint: tuple[Any, ...] | None = None
        self._findings: list[str] = []

    def excerpt(self, file: str | None, line: int | None, around: int = 2) -> str | None:
        """The lines around `line` of a project file, the line itself marked, for the page."""
        if not file or not line:
            return None
        path = (self.root / file).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return None
        first, last = max(1, line - around), min(len(lines), line + around)
        return (
            "\n".join(
                f"{'→' if n == line else ' '} {n:4d} | {lines[n - 1]}"
                for n in range(first, last + 1)
            )
            or None
        )

    def fingerprint(self) -> tuple[Any, ...]:
        """(path, size, mtime) of every watched file: a rebuild only when one changed."""
        entries = []
        paths = [self.root / "bulletin.toml"]
        for name in WATCHED:
            folder = self.root / name
            if folder.is_dir():
                paths += sorted(folder.rglob("*"))
        for path in paths:
            try:
                st = path.stat()
            except OSError:
                continue
            if path.is_file():
                entries.append((str(path), st.st_size, st.st_mtime_ns))
        return tuple(entries)

    def build(self) -> None:
        """One build into the preview folder; any failure becomes the error page."""
        with i18n.using(self.lang):
            self._build()

    def _build(self) -> None:
        from bulletin.build import build

        self._fingerprint = self.fingerprint()
        started = time.perf_counter()
        try:
            result = build(self.root, out=self.out, update_lock=False, **self.options)
        except BulletinError as exc:
            message, hint = i18n.error_parts(exc)
            error = {
                "where": f"{exc.file}:{exc.line}" if exc.file and exc.line else exc.file,
                "message": message,
                "hint": hint,
                "details": self.excerpt(exc.file, exc.line),
            }
            self.echo(msg("serve.failed", time=_now()).show() + "\n" + exc.format_message())
        except Exception as exc:  # a bug: still show it in the browser, keep serving
            error = {
                "where": None,
                "message": msg("serve.bug", error=str(exc)).show(),
                "hint": msg("serve.bug_hint").show(),
                "details": traceback.format_exc(),
            }
            self.echo(msg("serve.failed", time=_now()).show() + "\n" + traceback.format_exc())
        else:
            error = None
            seconds = time.perf_counter() - started
            self.echo(msg("serve.built", time=_now(), seconds=seconds).show())
            findings = [f.show() for f in result.findings]
            if findings and findings == self._findings:
                self.echo(msg("serve.same_warnings", n=len(findings)).show())
            else:
                for finding in findings:
                    self.echo(f"[{_now()}] {finding}")
            self._findings = findings
        with self.lock:
            self.error = error
            self.version += 1

    def rebuild_loop(self, stop: threading.Event) -> None:
        """Wait for changes; rebuild once the files have settled."""
        while not stop.is_set():
            if not self.changed.wait(0.5):
                continue
            while self.changed.is_set() and not stop.is_set():  # settle
                self.changed.clear()
                time.sleep(SETTLE)
            if not stop.is_set() and self.fingerprint() != self._fingerprint:
                self.build()

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {"version": self.version, "error": self.error is not None}

    def error_page(self) -> bytes:
        import jinja2

        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(ASSETS)), autoescape=True, keep_trailing_newline=True
        )
        with self.lock:
            error, version = dict(self.error or {}), self.version
        with i18n.using(self.lang):
            text = {
                "lang": "en" if self.lang == "en" else "zh-CN",
                "title": msg("serve.page_title").show(),
                "hint_line": msg("serve.page_fix", hint=error["hint"]).show()
                if error.get("hint")
                else None,
                "note": msg("serve.page_note").show(),
            }
        page = env.get_template("error.html").render(version=version, **error, **text)
        return page.encode("utf-8")


class Handler(SimpleHTTPRequestHandler):
    """Files of the preview folder; HTML pages get the reload script; errors get a page.
    /_studio/ is the workbench (bulletin/studio); the guard checks every request."""

    preview: Preview

    def __init__(
        self, *args: Any, preview: Preview, workbench: Workbench | None = None, **kwargs: Any
    ) -> None:
        self.preview = preview
        self.workbench = workbench
        super().__init__(*args, directory=str(preview.out), **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal shows builds, not requests

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        if self._guarded("GET"):
            self._serve(body=True)

    def do_HEAD(self) -> None:
        if self._guarded("HEAD"):
            self._serve(body=False)

    def do_POST(self) -> None:
        self._change("POST")

    def do_PUT(self) -> None:
        self._change("PUT")

    def do_DELETE(self) -> None:
        self._change("DELETE")

    def _guarded(self, method: str) -> bool:
        """Whether the guard lets the request through (else it is answered 403 here)."""
        if self.workbench is None:
            return True
        token = (parse_qs(urlsplit(self.path).query).get("token") or [None])[0]
        refused = self.workbench.guard.refuse(method, self.headers, token)
        if refused is None:
            return True
        with i18n.using(self.preview.lang):
            data = json.dumps({"error": [{"level": "error", "message": refused.show()}]},
                              ensure_ascii=False).encode("utf-8")
        self._send(403, data, "application/json; charset=utf-8", method != "HEAD")
        return False

    def _change(self, method: str) -> None:
        path = urlsplit(self.path).path
        if self.workbench is None or not path.startswith(STUDIO + "api/"):
            self.send_error(405)
            return
        if not self._guarded(method):
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > self.workbench.max_body:  # read and dropped, so the page hears why
            self.close_connection = True
            if length <= 10 * self.workbench.max_body:
                while length > 0:
                    length -= len(self.rfile.read(min(length, 1 << 20)) or b"\0" * length)
            return self._studio_answer(413, self.workbench.too_large(), True)
        body = self.rfile.read(length) if length > 0 else b""
        self._studio(method, path, body)

    def _studio(self, method: str, path: str, body: bytes = b"") -> None:
        from bulletin.studio.api import Request

        assert self.workbench is not None
        answer = self.workbench.api.handle(
            Request(method, path[len(STUDIO + "api/"):], body, self.headers)
        )
        self._studio_answer(answer.status, answer.data, method != "HEAD")

    def _studio_answer(self, status: int, data: Any, body: bool) -> None:
        payload = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self._send(status, payload, "application/json; charset=utf-8", body)

    def _studio_file(self, path: str, body: bool) -> None:
        assert self.workbench is not None
        if path in (STUDIO, STUDIO + "index.html"):
            headers = {}
            if self.workbench.guard.token is not None and "token=" in (self.path or ""):
                headers["Set-Cookie"] = self.workbench.guard.cookie()
            return self._send(200, self.workbench.page(), "text/html; charset=utf-8", body,
                              headers)
        name = path[len(STUDIO):]
        if name.startswith("files/"):  # what the workbench built (its PDFs)
            made = self.workbench.api.made
            file = (made / name[len("files/"):]).resolve()
            if file.is_relative_to(made.resolve()) and file.is_file() and file.suffix == ".pdf":
                return self._send(200, file.read_bytes(), "application/pdf", body)
            return self._send(404, b"{}", "application/json", body)
        types = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".svg": "image/svg+xml"}
        kind = types.get(Path(name).suffix)
        asset = STUDIO_ASSETS.joinpath(name) if "/" not in name and kind else None
        if asset is None or not asset.is_file():
            return self._send(404, b"{}", "application/json", body)
        return self._send(200, asset.read_bytes(), kind or "", body)

    def _send(
        self,
        status: int,
        data: bytes,
        content_type: str,
        body: bool,
        headers: dict[str, str] | None = None,
    ) -> None:
        from bulletin.studio.guard import HEADERS

        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if self.workbench is not None and self.path.startswith(STUDIO):
            for name, value in {**HEADERS, **(headers or {})}.items():
                if name != "Cache-Control":  # (end_headers sends it)
                    self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _serve(self, body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        if self.workbench is not None and (path + "/").startswith(STUDIO):
            if path + "/" == STUDIO:
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", STUDIO)
                self.end_headers()
                return None
            if path.startswith(STUDIO + "api/"):
                return self._studio("GET" if body else "HEAD", path)
            return self._studio_file(path, body)
        if path == ENDPOINT + "version":
            data = json.dumps(self.preview.state()).encode()
            return self._send(200, data, "application/json", body)
        if path == ENDPOINT + "reload.js":
            data = ASSETS.joinpath("reload.js").read_bytes()
            return self._send(200, data, "text/javascript; charset=utf-8", body)
        page = path.endswith("/") or path.endswith(".html") or "." not in path.rsplit("/", 1)[-1]
        if page and self.preview.state()["error"]:
            return self._send(500, self.preview.error_page(), "text/html; charset=utf-8", body)
        if not page:
            return super().do_GET() if body else super().do_HEAD()
        file = Path(self.translate_path(path))
        if file.is_dir():
            if not path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", path + "/")
                self.end_headers()
                return None
            file = file / "index.html"
        status = 200
        if not file.is_file():
            status, file = 404, Path(self.translate_path("/404.html"))
        search = path.rstrip("/").endswith("/search") or path.endswith("/search/index.html")
        if status == 404 and search:
            with i18n.using(self.preview.lang):  # the index is off in the preview
                text = _plain_page(404, msg("serve.search_off").show())
        else:
            try:
                text = file.read_text(encoding="utf-8")
            except OSError:  # no 404 page, or swapped out by a rebuild in this instant
                text = _plain_page(404)
        data = inject(text, self.preview.state()["version"]).encode("utf-8")
        return self._send(status, data, "text/html; charset=utf-8", body)


def _plain_page(status: int, message: str | None = None) -> str:
    text = html.escape(message or f"{status}")
    return f'<!doctype html><meta charset="utf-8"><title>{status}</title><p>{text}</p></html>'


def inject(page: str, version: int) -> str:
    """The page with the reload script before </body> (at the end when there is none)."""
    tag = f'<script src="{ENDPOINT}reload.js?v={version}"></script>\n'
    at = page.lower().rfind("</body>")
    return page[:at] + tag + page[at:] if at >= 0 else page + tag


class _Watcher:
    """watchdog events below the project → `preview.changed` (writes, not reads)."""

    KINDS = ("created", "modified", "deleted", "moved")

    def __init__(self, preview: Preview) -> None:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        root = preview.root
        watcher = self

        class Events(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                if event.event_type not in _Watcher.KINDS:
                    return
                paths = [event.src_path, getattr(event, "dest_path", "")]
                if any(watcher.relevant(os.fsdecode(p)) for p in paths if p):
                    preview.changed.set()
                    if event.is_directory and event.event_type == "created":
                        watcher.watch_folders()

        self.root = root
        self.events = Events()
        self.observer = Observer()
        self.watched: set[str] = set()
        # the project folder itself, not below it: bulletin.toml, and folders made later
        self.observer.schedule(self.events, str(root), recursive=False)
        self.watch_folders()

    def watch_folders(self) -> None:
        for name in WATCHED:
            folder = self.root / name
            if folder.is_dir() and name not in self.watched:
                self.observer.schedule(self.events, str(folder), recursive=True)
                self.watched.add(name)

    def relevant(self, path: str) -> bool:
        try:
            rel = Path(path).relative_to(self.root)
        except ValueError:
            return False
        parts = rel.parts
        if not parts:
            return False
        name = parts[-1]
        if name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".tmp")) or name == "4913":
            return False  # editors' scratch and backup files
        if len(parts) == 1:
            return name == "bulletin.toml" or name in WATCHED
        return parts[0] in WATCHED

    def start(self) -> None:
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=2)


def serve(
    root: Path,
    *,
    port: int = 8000,
    host: str = HOST,
    drafts: bool = True,
    pdf: bool = False,
    search: bool = False,
    echo: Callable[[str], None] | None = None,
) -> None:
    """Build, serve on host:port (0: any free port), rebuild on change; until Ctrl+C. The
    workbench is at /_studio/ (on another address than 127.0.0.1, with the access token)."""
    from bulletin.studio.app import Workbench

    def say(text: str) -> None:
        print(text, flush=True)

    echo = echo or say
    root = root.resolve()
    if not (root / "bulletin.toml").is_file():
        raise BulletinError(
            msg("serve.no_project"), file="bulletin.toml", hint=msg("serve.no_project_hint")
        )
    preview = Preview(root, drafts=drafts, pdf=pdf, search=search, echo=echo)
    workbench = None
    handler = functools.partial(Handler, preview=preview)
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError:
        raise BulletinError(
            msg("serve.port_busy", port=port), hint=msg("serve.port_busy_hint")
        ) from None
    workbench = Workbench.open(root, host, server.server_address[1], preview.lang)
    server.RequestHandlerClass = functools.partial(  # type: ignore[assignment]
        Handler, preview=preview, workbench=workbench
    )
    server.daemon_threads = True
    watcher = _Watcher(preview)
    watcher.start()
    preview.build()
    stop = threading.Event()
    rebuilder = threading.Thread(target=preview.rebuild_loop, args=(stop,), daemon=True)
    rebuilder.start()
    shown_host = host if ":" not in host else f"[{host}]"
    echo(msg("serve.serving", host=shown_host, port=server.server_address[1]).show())
    token = f"?token={workbench.guard.token}" if workbench.guard.token else ""
    echo(msg("serve.studio", url=f"http://{shown_host}:{server.server_address[1]}/_studio/{token}")
         .show())
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        echo(msg("serve.stopped").show())
    finally:
        stop.set()
        watcher.stop()
        server.server_close()
        sys.stdout.flush()
