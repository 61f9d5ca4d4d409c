"""The workbench's requests that make the site: the PDF of an edition, and publish and
rollback in the background, followed by the page."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from bulletin.diagnostics import i18n
from bulletin.diagnostics.errors import BulletinError, Diagnostic, Message, msg
from bulletin.studio.answers import Answer, Request, shown
from bulletin.studio.base import StudioBase
from bulletin.studio.files import Refused


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




class PublishRequests(StudioBase):
    """POST pdf/<id>, GET/POST publish, POST publish/rollback."""

    job: Job | None = None  # the publish (or rollback) running or last run

    def pdf(self, request: Request, eid: str) -> Answer:
        from bulletin.build import build

        self._info(eid)
        build(self.root, out=self.made, drafts=True, pdf=True, search=False, update_lock=False)
        if not (self.made / "editions" / eid / f"{eid}.pdf").is_file():
            raise Refused(msg("studio.no_pdf", edition=eid))
        return Answer(200, {"url": f"files/editions/{eid}/{eid}.pdf"})

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
