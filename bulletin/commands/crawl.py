"""Checking a site: a crawler from the home page over every link and asset.

It runs over the files of a folder (as if served under a sub-path) or over HTTP. Every page,
stylesheet, script, image and download linked must answer; no link or asset may leave the
site (an absolute path, another host, `..` above the site). `bulletin publish` runs it on the
built site before uploading and on what is live afterwards. Only the standard library.
Its messages are in bulletin/diagnostics/messages/crawl.toml.
"""

from __future__ import annotations

import posixpath
import re
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Protocol

from bulletin import __version__
from bulletin.diagnostics import reasons
from bulletin.diagnostics.errors import Message, msg

DOCS = "docs/deploy/nginx.conf"
# What the web server must send for Pagefind's files (checked by a verify over HTTP).
CONTENT_TYPES = {
    ".pf_meta": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
    ".pf_filter": "application/octet-stream",
    ".pagefind": "application/octet-stream",
    ".wasm": "application/wasm",
}

LINKS = {  # tag: attributes holding one URL
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "script": ("src",),
    "img": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "source": ("src",),
    "track": ("src",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "object": ("data",),
    "input": ("src",),
    "form": ("action",),
}
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""")
IGNORED_SCHEMES = ("mailto:", "tel:", "data:", "javascript:", "about:", "blob:")
PARSED = {"text/html", "text/css"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.found: list[tuple[str, str]] = []  # (tag, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v for k, v in attrs if v is not None}
        if tag == "base" and "href" in values and self.base is None:
            self.base = values["href"]
            return
        for name in LINKS.get(tag, ()):
            if values.get(name, "").strip():
                self.found.append((tag, values[name].strip()))
        for candidate in values.get("srcset", "").split(","):
            if candidate.strip():
                self.found.append((tag, candidate.split()[0]))


def page_links(html: str) -> tuple[str | None, list[tuple[str, str]]]:
    """The <base href> and every (tag, URL) an HTML page links to or loads."""
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.base, parser.found


def css_links(css: str) -> list[tuple[str, str]]:
    return [("css", m[2] or m[4]) for m in CSS_URL.finditer(css) if (m[2] or m[4])]


@dataclass
class Response:
    status: int  # 0: no answer at all
    content_type: str = ""
    body: bytes = b""
    url: str = ""  # after redirects
    length: int = -1
    error: Message | None = None  # why there is no answer (None: status says it)


class Fetcher(Protocol):
    def __call__(self, url: str, *, body: bool) -> Response: ...


@dataclass
class Problem:
    url: str
    reason: Message
    referrer: str | None = None

    def message(self) -> Message:
        """The problem as a line: "url: reason (linked from page)"."""
        if self.referrer:
            return msg("crawl.problem_linked", url=self.url, reason=self.reason, page=self.referrer)
        return msg("crawl.problem", url=self.url, reason=self.reason)

    def __str__(self) -> str:
        return str(self.message())


@dataclass
class CrawlReport:
    where: str
    pages: int = 0
    assets: int = 0
    external: int = 0  # links out of the site that were allowed
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> Message:
        """What was reachable, and the problems (the first 50), one a line."""
        where, pages, assets, external = self.where, self.pages, self.assets, self.external
        if not self.problems:
            if external:
                return msg(
                    "crawl.summary_external",
                    where=where, pages=pages, assets=assets, external=external,
                )  # fmt: skip
            return msg("crawl.summary", where=where, pages=pages, assets=assets)
        n = len(self.problems)
        problems = [msg("crawl.listed", problem=p.message()) for p in self.problems[:50]]
        if n > 50:
            problems.append(msg("crawl.more", n=n - 50))
        if external:
            return msg(
                "crawl.summary_external_problems",
                where=where, pages=pages, assets=assets, external=external, n=n,
                problems=problems,
            )  # fmt: skip
        return msg(
            "crawl.summary_problems",
            where=where, pages=pages, assets=assets, n=n, problems=problems,
        )  # fmt: skip


def _failure(response: Response) -> Message:
    """Why a URL did not answer with its file: no answer at all, or the HTTP status."""
    return response.error or msg("crawl.http", status=response.status)


def _wants_body(url: str) -> bool:
    path = urllib.parse.urlsplit(url).path
    last = path.rsplit("/", 1)[-1]
    return path.endswith("/") or "." not in last or last.endswith((".html", ".htm", ".css"))


def _differs(response: Response, want: bytes) -> bool:
    if response.body:
        return response.body != want
    return response.length >= 0 and response.length != len(want)  # a HEAD request


def crawl(
    fetch: Fetcher,
    start: str,
    prefix: str,
    *,
    where: str,
    allow_external_links: bool = False,
    expected: Callable[[str], bytes | None] | None = None,
) -> CrawlReport:
    """Follow every link and asset from `start`; everything must answer, within `prefix`.

    `expected(url)`: the bytes the URL should serve (a check that the host serves this
    release); None when unknown.
    """
    report = CrawlReport(where)
    queue: deque[tuple[str, str | None]] = deque([(start, None)])
    seen = {start}
    while queue:
        url, referrer = queue.popleft()
        response = fetch(url, body=_wants_body(url))
        if response.status != 200:
            report.problems.append(Problem(url, _failure(response), referrer))
            continue
        if response.url and not response.url.startswith(prefix):
            report.problems.append(
                Problem(url, msg("crawl.redirected_out", url=response.url), referrer)
            )
            continue
        want = expected(url) if expected else None
        if want is not None and _differs(response, want):
            report.problems.append(Problem(url, msg("crawl.differs")))
        if response.content_type == "text/html":
            report.pages += 1
            base, links = page_links(response.body.decode("utf-8", "replace"))
            here = response.url or url  # after a redirect, links are relative to its target
            base_url = urllib.parse.urljoin(here, base) if base else here
        elif response.content_type == "text/css":
            report.assets += 1
            base_url = response.url or url
            links = css_links(response.body.decode("utf-8", "replace"))
        else:
            report.assets += 1
            continue
        for tag, link in links:
            if link.startswith("#") or link.lower().startswith(IGNORED_SCHEMES):
                continue
            target = urllib.parse.urldefrag(urllib.parse.urljoin(base_url, link))[0]
            target = target.split("?", 1)[0]
            if target.endswith("/"):  # the same page as its index.html
                target += "index.html"
            if not target.startswith(prefix):
                if tag in {"a", "area"} and allow_external_links:
                    report.external += 1
                else:
                    report.problems.append(Problem(link, msg("crawl.leaves"), url))
                continue
            if target not in seen:
                seen.add(target)
                queue.append((target, url))
    return report


FILE_SITE = "http://bulletin.invalid/site/"  # where a crawl over files pretends the site is
FILE_TYPES = {".html": "text/html", ".htm": "text/html", ".css": "text/css"}


def file_fetcher(folder: Path) -> Fetcher:
    """Fetch URLs below FILE_SITE from the files of `folder`, as a static web server would."""

    def fetch(url: str, *, body: bool) -> Response:
        rel = urllib.parse.unquote(urllib.parse.urlsplit(url[len(FILE_SITE) :]).path)
        path = folder / rel if rel else folder
        if path.is_dir():  # a server would redirect to the folder's index page
            path, url = path / "index.html", url.rstrip("/") + "/index.html"
        if not path.is_file() or ".." in rel.split("/"):
            return Response(404, error=msg("crawl.no_such_file"))
        ctype = FILE_TYPES.get(path.suffix.lower(), "application/octet-stream")
        data = path.read_bytes() if ctype in PARSED else b""
        return Response(200, ctype, data, url, path.stat().st_size)

    return fetch


def crawl_folder(folder: Path, *, allow_external_links: bool = False) -> CrawlReport:
    """Crawl a site on disk from its index.html, as if served under a sub-path. Problems
    name files by their path in the site."""
    report = crawl(
        file_fetcher(folder),
        FILE_SITE + "index.html",
        FILE_SITE,
        where=str(folder),
        allow_external_links=allow_external_links,
    )
    for problem in report.problems:
        problem.url = problem.url.removeprefix(FILE_SITE)
        if problem.referrer:
            problem.referrer = problem.referrer.removeprefix(FILE_SITE)
    return report


def http_fetch(url: str, *, body: bool) -> Response:
    headers = {"User-Agent": f"bulletin/{__version__} (publish verify)"}
    url = urllib.parse.quote(url, safe=":/?#[]@!$&'()*+,;=%")  # a Chinese file name, say
    request = urllib.request.Request(url, method="GET" if body else "HEAD", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            data = r.read() if body else b""
            length = int(r.headers.get("Content-Length") or -1)
            return Response(r.status, r.headers.get_content_type(), data, r.geturl(), length)
    except urllib.error.HTTPError as e:
        if e.code in (405, 501) and not body:  # a server that does not answer HEAD
            return http_fetch(url, body=True)
        return Response(e.code, url=url)
    except (urllib.error.URLError, OSError) as e:
        return Response(0, url=url, error=msg("crawl.no_answer", why=_no_answer(e)))


def _no_answer(e: Exception) -> Message | str:
    """Why a server did not answer, as the system says it ("[Errno 111] Connection
    refused"), the reason in the editor's language when bulletin knows it (reasons.py)."""
    reason = getattr(e, "reason", e)
    if not isinstance(reason, OSError):
        return str(reason)
    if str(reason) == f"[Errno {reason.errno}] {reason.strerror}":
        return msg("crawl.errno", n=reason.errno, why=reasons.os_reason(reason))
    return reasons.os_reason(reason) if not reason.filename else str(reason)


def crawl_url(
    site_url: str, site: Path | None = None, *, allow_external_links: bool = False
) -> CrawlReport:
    """Crawl a published site over HTTP from its home page. With `site` (the built folder),
    every fetched file must equal it, and Pagefind's files must answer with the right types."""
    prefix = site_url if site_url.endswith("/") else site_url + "/"

    def expected(url: str) -> bytes | None:
        rel = urllib.parse.unquote(url[len(prefix) :])
        path = site / (rel + "index.html" if rel.endswith("/") or not rel else rel)
        return path.read_bytes() if site and path.is_file() else None

    report = crawl(
        http_fetch,
        prefix + "index.html",
        prefix,
        where=prefix,
        allow_external_links=allow_external_links,
        expected=expected if site else None,
    )
    bare = http_fetch(prefix, body=False)  # readers type the folder's address
    if bare.status != 200:
        report.problems.append(Problem(prefix, _failure(bare)))
    bundle = site / "pagefind" if site else None
    if bundle and bundle.is_dir():  # loaded by script, not linked: asked for one by one
        for rel in sorted(
            p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()
        ):
            url = prefix + "pagefind/" + urllib.parse.quote(rel)
            response = http_fetch(url, body=False)
            want = CONTENT_TYPES.get(posixpath.splitext(rel)[1])
            if response.status != 200:
                report.problems.append(Problem(url, _failure(response)))
            elif want and response.content_type != want:
                served = response.content_type
                report.problems.append(
                    Problem(url, msg("crawl.content_type", served=served, wanted=want, doc=DOCS))
                )
            else:
                report.assets += 1
    return report
