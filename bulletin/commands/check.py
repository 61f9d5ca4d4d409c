"""`bulletin check`: every problem the build would meet, found without building or writing.

It is the build's own pipeline run in a collecting mode: the load stage
(content.load_site) and the compute stage (compute.compute) hand each error to the checker
and go on with the rest, so one broken file does not hide the problems of the others. Then
every article's Markdown is parsed with the build's parser and Context (directives, raw
HTML, unsafe links, images, cited values), and the rules only a check can apply run:
links between pages, headline lengths, the lock of published editions, fonts, and whether
every 版 fits its sheet. Nothing is rendered to files; nothing is written.

Each problem is a Diagnostic, printed as every command prints one (report.py).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote

from bulletin.compute import EditionTables
from bulletin.diagnostics.errors import BulletinError, Diagnostic, Message, Severity, msg, suggest
from bulletin.diagnostics.report import Reporter
from bulletin.load.config import SiteConfig, load_site_config
from bulletin.load.content import Article, Edition, Site, attempt, load_site

if TYPE_CHECKING:
    from bulletin.compute.tableview import ComputedTable
    from bulletin.render.markdown import Context

TITLE_MAX = 24  # characters of a headline (主题) before it is too long for a column
KICKER_MAX = 40  # characters of a kicker (引题)
SUBTITLE_MAX = 40  # characters of a subtitle (副题)

_WHAT = {
    "title": msg("check.what_title"),
    "kicker": msg("check.what_kicker"),
    "subtitle": msg("check.what_subtitle"),
}
_LIMITS = {"title": TITLE_MAX, "kicker": KICKER_MAX, "subtitle": SUBTITLE_MAX}
_T = TypeVar("_T")


class Report(Reporter):
    """What a check found: each problem once, by file."""

    def __init__(self, found: list[Diagnostic]) -> None:
        super().__init__()
        self.report_all(found)

    @property
    def issues(self) -> list[Diagnostic]:
        return self.diagnostics

    def summary(self, strict: bool = False) -> Message:
        if not (self.errors or self.warnings):  # (information alone is no problem)
            return msg("check.summary_clean")
        errors, warnings = len(self.errors), len(self.warnings)
        if strict and self.warnings:
            return msg("check.summary_strict", errors=errors, warnings=warnings)
        return msg("check.summary", errors=errors, warnings=warnings)


def headline_notes(**fields: str | None) -> list[Message]:
    """Warnings for over-long headline fields (used by `new article` and the importers)."""
    notes = []
    for key, value in fields.items():
        if value and len(value) > _LIMITS[key]:
            notes.append(msg("check.long", what=_WHAT[key], n=len(value), limit=_LIMITS[key]))
    return notes


class Checker:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.issues: list[Diagnostic] = []

    # -- collecting ---------------------------------------------------------------------------

    def collect(self, error: BulletinError) -> None:
        """An error a stage met: it and the further problems found with it."""
        self.issues.extend(error.diagnostics)

    def guard(self, fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T | None:
        """Run one step; a BulletinError is collected instead of stopping the check."""
        return attempt(self.collect, fn, *args, **kwargs)

    def add(
        self,
        severity: Severity,
        message: Message,
        file: str | None,
        line: int | None,
        hint: Message | None = None,
    ) -> None:
        self.issues.append(Diagnostic(message, file, line, None, severity, hint))

    def report(self) -> Report:
        """The problems, each once, by file (in the order found within one)."""
        first: dict[tuple[Any, ...], Diagnostic] = {}
        for found in self.issues:  # (the same text at the same place is one problem)
            key = (found.severity, str(found.message), found.file, found.line, found.column,
                   str(found.hint))  # fmt: skip
            first.setdefault(key, found)
        unique = list(first.values())
        unique.sort(key=lambda i: i.file or "")  # by file; in the order found within one
        return Report(unique)

    # -- the run ------------------------------------------------------------------------------

    def run(self) -> Report:
        from bulletin.build import lock
        from bulletin.compute import NONE, compute

        site = load_site(self.root, drafts=True, cache=False, collect=self.collect)
        self.issues += site.findings
        if not site.content_dir.is_dir():
            return self.report()
        self.orphan_data(site)
        computed = compute(
            site, {e.id for e in site.editions}, strict=False, collect=self.collect
        )
        for edition in site.editions:
            self.issues += computed[edition.id].findings
        articles = [(e.id, a) for e in site.editions for a in e.articles] + site.loose
        for eid, article in articles:
            self.article(article, eid, computed.get(eid, NONE), site.editions)
        self.punctuation(site)
        self.guard(lock.check, site)
        if self.guard(load_site_config, self.root) is not None:
            self.fonts(site.config, any(t.charts for t in computed.values()))
            self.print_fit(site, computed)
        return self.report()

    def punctuation(self, site: Site) -> None:
        """Half-width punctuation in Chinese text, as the build reports it (and `bulletin
        fix` changes it): each edition's (a published one's as a note), and the articles
        of editions that did not load."""
        from bulletin.punctuation import article_findings, edition_findings

        for edition in site.editions:
            self.issues += edition_findings(edition, published=True)
        for _, article in site.loose:
            self.issues += article_findings(article)

    def orphan_data(self, site: Site) -> None:
        data = site.data_dir
        if not data.is_dir():
            return
        editions = {p.name for p in site.content_dir.iterdir() if p.is_dir()}
        for folder in sorted(data.iterdir()):
            if folder.is_dir() and not folder.name.startswith(".") and folder.name not in editions:
                self.add(
                    "warning",
                    msg("check.orphan_data", id=folder.name),
                    f"data/{folder.name}",
                    None,
                    msg("check.orphan_data_fix"),
                )

    def names(self, eid: str, computed: EditionTables) -> tuple[list[str], list[str]]:
        """The edition's table and chart names by its specs, those that failed included (an
        article placing one is not wrong: the table is, and that is reported)."""
        from bulletin.compute.tablespec import load_spec

        specs = sorted((self.root / "data" / eid).glob("*.toml"))
        charts = set(computed.charts)
        for path in specs:
            if path.stem not in computed.tables:
                try:
                    charts |= {c.name for c in load_spec(path, path.name).spec.charts}
                except BulletinError:
                    continue  # (reported by the compute stage)
        return [p.stem for p in specs], sorted(charts)

    def print_fit(self, site: Site, computed: Mapping[str, EditionTables]) -> None:
        """Whether every 版 fits its sheet in the print edition (laid out as the build lays it
        out, not typeset). Only for a project without errors: the makeup needs all of it.
        A published edition whose files are as bulletin.lock has them is left out: it was laid
        out, and what did not fit was reported, when it was built (its PDF is history, and
        laying out a large archive's every sheet would take the check most of a minute)."""
        if any(i.severity == "error" for i in self.issues):
            return
        from bulletin.build import lock
        from bulletin.printing.pdf import print_findings

        try:
            locked = lock.read_lock(site.root, site.inputs)
        except BulletinError:
            locked = {}  # (reported by the lock's check)
        for edition in site.editions:
            was = locked.get(edition.id)
            if edition.published and was is not None and was.files == lock.file_hashes(
                site, edition
            ):
                continue
            tables = computed[edition.id]
            found = self.guard(print_findings, site, edition, tables.tables, tables.charts)
            self.issues.extend(found or ())

    def fonts(self, config: SiteConfig, charts: bool) -> None:
        from bulletin.printing.pdf import check_fonts

        self.guard(check_fonts, config)
        if charts:
            from bulletin.charts import find_font

            self.guard(find_font, config.fonts.sans)

    # -- one article ----------------------------------------------------------------------------

    def article(
        self, article: Article, eid: str, computed: EditionTables, editions: Sequence[Edition]
    ) -> None:
        """One article's Markdown through the build's parser and Context (collecting: each
        cited value and link is checked, not only the first that fails)."""
        from bulletin.render.markdown import Context, make_parser

        self.headlines(article)
        tables, charts = self.names(eid, computed)
        ctx = Context(
            file=article.shown, first_line=article.body_line, tables=tables, charts=charts
        )
        tokens = self.guard(make_parser().parse, article.body, {"ctx": ctx})
        self.issues.extend(ctx.findings)
        if tokens is None:
            return
        self.images(article, ctx.images)
        source = article.body.splitlines()
        inline = [(b, t) for b in tokens if b.type == "inline" for t in b.children or []]
        for block, tok in inline:
            if tok.type == "myst_role" and "cite" in tok.meta:
                line = _line_of(source, block, f"`{tok.content}`", article.body_line)
                self.cite(ctx, tok, computed.tables, line)
            elif tok.type == "link_open" and not tok.meta.get("dropped"):
                href = str(tok.attrGet("href") or "")
                line = _line_of(source, block, f"]({href}", article.body_line)
                self.link(article, href, line, eid, editions)

    def headlines(self, article: Any) -> None:
        meta = article.meta
        for key, limit in _LIMITS.items():
            value = getattr(meta, key)
            if value and len(value) > limit:
                what = _WHAT[key]
                self.add(
                    "warning",
                    msg("check.long", what=what, n=len(value), limit=limit),
                    article.shown,
                    _front_matter_line(article.path, key),
                    msg("check.long_fix", what=what, limit=limit),
                )

    def images(self, article: Any, images: Sequence[tuple[str, int]]) -> None:
        from bulletin.render.images import ImageStore

        store = ImageStore(article.path.parent, self.root)
        for src, line in images:
            path = self.guard(store.locate, src, article.path, article.shown, line)
            if path is None:
                continue
            from PIL import Image, UnidentifiedImageError

            try:
                with Image.open(path) as probe:
                    probe.verify()
            except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
                self.add(
                "error",
                    msg("check.image_unreadable", src=src, reason=str(exc)),
                    article.shown,
                    line,
                    msg("check.image_fix"),
                )

    def cite(
        self, ctx: Context, tok: Any, tables: Mapping[str, ComputedTable], line: int | None
    ) -> None:
        """A cited value ({value}`table/row/column`), as the render stage looks it up."""
        table_name, row, column = tok.meta["cite"]
        table = tables.get(table_name)
        if table is None:
            return  # the table itself failed, and that is reported
        try:
            table.cite(row, column)
        except KeyError as exc:
            self.collect(ctx.cite_error(tok, exc).at(line=line))

    def link(
        self, article: Any, href: str, line: int | None, eid: str, editions: Sequence[Any]
    ) -> None:
        """A link to this site: relative, inside it, to a page the site will have."""
        problem = self.link_problem(href, eid, editions)
        if problem is not None:
            self.add("error", problem[0], article.shown, line, problem[1])

    def link_problem(
        self, href: str, eid: str, editions: Sequence[Any]
    ) -> tuple[Message, Message] | None:
        """(what is wrong, the fix) with a link from edition `eid`'s article, or None."""
        from bulletin.render.markdown import SCHEME

        if not href or href.startswith("#") or SCHEME.match(href) or href.startswith("//"):
            return None
        path = unquote(re.split(r"[#?]", href, maxsplit=1)[0])
        if not path:
            return None
        here = f"editions/{eid}"
        target = posixpath.normpath(posixpath.join(here, path))
        if path.startswith("/") or target.startswith(".."):
            return None  # the parser warns of it (markdown.leaves_site), as the build does
        published = next((e.published for e in editions if e.id == eid), False)
        every = _site_paths(self.root, editions, drafts=True)
        pages = _site_paths(self.root, editions, drafts=not published)
        if target in every and target not in pages:
            draft = msg("check.link_draft", href=href, id=target.split("/")[1])
            return draft, msg("markdown.link_fix")
        if target in pages or f"{target}/index.html" in pages:
            return None
        if target.endswith(".md") and target[:-3] + ".html" in pages:
            good = posixpath.relpath(target[:-3] + ".html", here)
            fix = msg("check.link_fix_html", good=good)
        else:
            folder, name = posixpath.split(target)
            stems = {
                posixpath.splitext(posixpath.basename(p))[0]: p
                for p in pages
                if posixpath.dirname(p) == folder
            }
            near = suggest(posixpath.splitext(name)[0], list(stems))
            fix = (
                msg("check.link_fix_near", good=posixpath.relpath(stems[near], here))
                if near
                else msg("check.link_fix_other")
            )
        return msg("check.link_missing", href=href, target=target), fix


def _site_paths(root: Path, editions: Sequence[Any], *, drafts: bool) -> set[str]:
    """The pages and files a build will have, as far as links between pages are concerned."""
    paths = {
        "index.html",
        "archive/index.html",
        "search/index.html",
        "404.html",
        "feed.xml",
        "sitemap.xml",
        "static/bulletin.css",
    }
    for edition in editions:
        if not (edition.published or drafts):
            continue
        base = f"editions/{edition.id}"
        paths |= {f"{base}/index.html", f"{base}/{edition.id}.pdf", f"{base}/page-1.png"}
        paths |= {f"{base}/{a.slug}.html" for a in edition.articles}
        data = root / "data" / edition.id
        paths |= {f"{base}/{p.stem}.csv" for p in data.glob("*.toml")} if data.is_dir() else set()
    return paths


def _line_of(source: list[str], block: Any, needle: str, first_line: int) -> int | None:
    """The file line of `needle` inside a paragraph (tokens know only the paragraph's start)."""
    if not block.map:
        return None
    start, end = block.map
    for i in range(start, min(end, len(source))):
        if needle in source[i]:
            return first_line + i
    return first_line + start


def _front_matter_line(path: Path, key: str) -> int | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, text in enumerate(lines[1:], start=2):
        if text.strip() in ("---", "..."):
            break
        if re.match(rf"^{key}\s*:", text):
            return number
    return None


def check(root: Path) -> Report:
    """Every problem found in the project at `root`; nothing is built or written."""
    return Checker(root).run()
