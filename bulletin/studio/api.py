"""The workbench's requests: each a small function from a request to a JSON answer.

The actions call what the commands call (`commands.new`, `commands.importers`,
`commands.check`), so a file the workbench writes is the file the CLI writes for the same
action. Edits the CLI has no command for (an edition's fields, an article's front matter and
body, a table spec) are made to the text in place, keeping its comments and layout, read back
with the build's own loaders before they are written. The requests are grouped by what they
are about: editions.py, articles.py, tables.py, publishing.py (over base.py's shared state).
"""

from __future__ import annotations

import datetime as dt
import re
import traceback
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from bulletin.diagnostics import i18n
from bulletin.diagnostics.errors import BulletinError, Diagnostic, msg
from bulletin.studio.answers import Answer, Request, failure, shown
from bulletin.studio.articles import MAX_UPLOAD, ArticleRequests
from bulletin.studio.editions import EditionRequests
from bulletin.studio.publishing import PublishRequests
from bulletin.studio.tables import TableRequests

__all__ = ["MAX_UPLOAD", "Answer", "Request", "Studio"]

Route = tuple[str, re.Pattern[str], Callable[..., Answer]]


class Studio(EditionRequests, ArticleRequests, TableRequests, PublishRequests):
    """The requests of one project's workbench. Changes are made one at a time."""

    def __init__(
        self, root: Path, *, lang: str = "zh", today: Callable[[], dt.date] = dt.date.today
    ) -> None:
        super().__init__(root, lang=lang, today=today)
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

    # -- problems ---------------------------------------------------------------------

    def last_problems(self, request: Request) -> Answer:
        return Answer(200, {"problems": self.problems, "checked": self.checked_at})

    def check(self, request: Request) -> Answer:
        from bulletin.commands.check import check

        report = check(self.root)
        self.problems = [shown(d) for d in report.issues]
        self.checked_at = dt.datetime.now().strftime("%H:%M:%S")
        return Answer(200, {"problems": self.problems, "checked": self.checked_at})
