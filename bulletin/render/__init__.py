"""The render stage: Markdown → HTML fragments, Jinja2 templates → pages, in memory.

Templates are looked up in the site's `templates/` first, then in the package's theme, file
by file. Every page gets a `url()` helper that turns a site path into a URL relative to the
page, so the site works from any sub-path and opened from disk.
"""

from __future__ import annotations

import datetime as dt
import functools
import posixpath
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from bulletin.build.cache import bytecode_cache
from bulletin.compute import EditionTables
from bulletin.diagnostics.errors import Finding
from bulletin.index.archive import by_year, newest, timestamp
from bulletin.load.content import Article, Edition, Site
from bulletin.punctuation import edition_findings
from bulletin.render.images import ImageStore
from bulletin.render.markdown import Context, make_html_renderer, render_html

WEEKDAYS = "一二三四五六日"
THEME = resources.files("bulletin") / "theme"


def chinese_date(d: dt.date, weekday: bool = False) -> str:
    text = f"{d.year}年{d.month}月{d.day}日"
    return f"{text} 星期{WEEKDAYS[d.weekday()]}" if weekday else text


QUOTED = re.compile(r"[“‘《「][^“”‘’《》「」]{1,10}[”’》」]")


def headline(text: str) -> Markup:
    """A headline, escaped, with short quoted phrases (“利剑”, 《办法》) kept on one line."""
    escaped = str(escape(text))
    return Markup(QUOTED.sub(lambda m: f'<span class="nobr">{m.group(0)}</span>', escaped))


def relative_url(target: str, page: str) -> str:
    """URL of site path `target` as seen from the page at site path `page`."""
    return _relative(target, posixpath.dirname(page) or ".")


@functools.lru_cache(maxsize=65536)
def _relative(target: str, folder: str) -> str:
    if target.endswith("/"):
        target += "index.html"
    to, here = target.split("/"), [] if folder == "." else folder.split("/")
    if any(part in ("", ".", "..") for part in to + here) or here[: len(to)] == to:
        return posixpath.relpath(target, folder)  # (not a plain file path: normalise it)
    common = 0
    while common < min(len(here), len(to) - 1) and here[common] == to[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + to[common:])


def edition_dir(edition: Edition) -> str:
    return f"editions/{edition.id}"


def _rows(layout: Any, rendered: dict[str, RenderedArticle]) -> list[dict[str, Any]]:
    """A sheet's rows of stacks (bulletin.printing.makeup.Layout.rows) with the rendered articles:
    [{"n": base columns, "stacks": [{"cols": …, "articles": […]}]}]."""
    return [
        {"n": layout.n,
         "stacks": [{"cols": cols, "articles": [rendered[s] for s in slugs if s in rendered]}
                    for cols, slugs in row]}
        for row in layout.rows
    ]  # fmt: skip


def article_path(edition: Edition, article: Article) -> str:
    return f"{edition_dir(edition)}/{article.slug}.html"


@dataclass
class RenderedArticle:
    article: Article
    html: Markup
    url: str  # site path of its permalink page
    wide: bool = False  # holds a table or chart: spans the page's columns


@dataclass
class Output:
    files: dict[str, bytes] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


# No inline script or style, no plugins, no foreign resources: content can never run code.
# Pagefind needs 'wasm-unsafe-eval' (its index is WebAssembly); its CSS uses data: icons. The
# pages carry it as a <meta>; the workbench (bulletin/studio) sends it as a header too.
CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "frame-src 'none'; base-uri 'self'; form-action 'self'"
)


def make_environment(site_templates: Path | None) -> jinja2.Environment:
    """The HTML templates: the site's templates/ first, then the theme's."""
    loaders: list[jinja2.BaseLoader] = []
    if site_templates is not None and site_templates.is_dir():
        loaders.append(jinja2.FileSystemLoader(site_templates))
    loaders.append(jinja2.FileSystemLoader(str(THEME)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode_cache(site_templates.parent, "html") if site_templates else None,
    )
    env.filters["chinese_date"] = chinese_date
    env.filters["headline"] = headline
    env.globals["csp"] = Markup(CSP)  # (its quotes as they are)
    return env


class SiteRenderer:
    """The site's templates and Markdown renderer, made once per process; each call renders
    into a fresh Output. `cache`: whether the print measures kept in .cache/ may be used
    (the builder's --no-cache: not)."""

    def __init__(self, site: Site, *, pdf: bool, cache: bool = True) -> None:
        self.site = site
        self.pdf = pdf
        self.cache = cache
        self.env = make_environment(site.root / "templates")
        self.md = make_html_renderer()
        self.out = Output()

    def page(
        self, template: str, path: str, *, url_from: str | None = None, **context: Any
    ) -> None:
        """Render a template to site path `path`; its links are relative to `url_from`."""

        def url(target: str) -> str:
            return relative_url(target, url_from or path)

        html = self.env.get_template(template).render(
            site=self.site.config, url=url, page_path=path, **context
        )
        self.out.files[path] = html.encode("utf-8")

    def table_html(self, computed: EditionTables, name: str, base: str = "") -> Markup:
        """A table and the charts placed after it. `base`: where the files beside the
        edition's page (its CSV, the charts' SVGs) are, seen from where this HTML goes."""
        table = computed.tables[name]
        html = self.env.get_template("partials/table.html").render(
            table=table, csv_href=f"{base}{name}.csv"
        )
        after = [c for c in computed.charts.values() if c.table == name and c.place == "after"]
        return Markup(html) + Markup("").join(
            self.chart_html(computed, c.name, base) for c in after
        )

    def chart_html(self, computed: EditionTables, name: str, base: str = "") -> Markup:
        chart = computed.charts[name]
        table = computed.tables[chart.table]
        html = self.env.get_template("partials/chart.html").render(
            chart=chart, src=f"{base}{name}.svg", table=table,
            table_href=f"{base}index.html#table-{table.name}",
        )
        return Markup(html)

    def article_html(
        self, edition: Edition, computed: EditionTables, article: Article, images: ImageStore
    ) -> RenderedArticle:
        tables = computed.tables
        ctx = Context(
            file=article.shown,
            first_line=article.body_line,
            tables=sorted(tables),
            table=lambda name: self.table_html(computed, name),
            charts=sorted(computed.charts),
            chart=lambda name: self.chart_html(computed, name),
            cite=lambda t, row, col: tables[t].cite(row, col),
            image=lambda src, alt, line: images.web(src, alt, article.path, article.shown, line),
        )
        html = render_html(self.md, article.body, ctx, doc_id=article.slug)
        self.out.findings.extend(ctx.findings)
        return RenderedArticle(article, Markup(html), article_path(edition, article), ctx.wide)

    def print_layouts(self, edition: Edition, computed: EditionTables) -> list[Any]:
        from bulletin.printing.pdf import web_rows

        measures = self.site.root / ".cache" / "bulletin" / "measure" if self.cache else None
        return web_rows(self.site, edition, computed.tables, computed.charts, measures)

    def edition(
        self,
        edition: Edition,
        computed: EditionTables,
        around: dict[str, Any],
        *,
        home: bool = False,
    ) -> None:
        """The edition's pages (its chart SVGs are drawn by the print stage, with its PDF)."""
        base = edition_dir(edition)
        images = ImageStore(edition.path, self.site.root)
        rendered = {
            a.slug: self.article_html(edition, computed, a, images) for a in edition.articles
        }
        self.out.findings += edition_findings(edition)  # half-width punctuation in Chinese
        # with the print edition, each 版 groups its articles as its sheet does
        layouts = self.print_layouts(edition, computed) if self.pdf else []
        pages = [
            {
                "number": p.number,
                "config": p.config,
                "articles": [rendered[a.slug] for a in p.articles],
                "tables": [self.table_html(computed, t) for t in p.config.tables],
                "rows": _rows(layouts[i], rendered) if i < len(layouts) else None,
                "band_after": layouts[i].band_after if i < len(layouts) else -1,
            }
            for i, p in enumerate(edition.pages)
        ]
        for path, data in images.files.items():
            self.out.files[f"{base}/{path}"] = data
        for name, table in computed.tables.items():
            self.out.files[f"{base}/{name}.csv"] = table.to_csv_bytes()
        context = {
            "edition": edition,
            "pages": pages,
            "pdf": self.pdf,
            **around,
        }
        self.page("edition.html", f"{base}/index.html", **context)
        if home:
            # The home page is the edition page itself, its links resolved from the edition folder.
            self.page(
                "edition.html",
                "index.html",
                url_from=f"{base}/index.html",
                home_base=f"{base}/",
                **context,
            )
        order = [rendered[a.slug] for a in edition.articles]
        for i, item in enumerate(order):
            self.page(
                "article.html",
                item.url,
                edition=edition,
                item=item,
                previous=order[i - 1] if i > 0 else None,
                next=order[i + 1] if i + 1 < len(order) else None,
            )

    def static(self) -> None:
        sources = [THEME / "static"]
        override = self.site.root / "templates" / "static"
        if override.is_dir():
            sources.append(override)  # type: ignore[arg-type]
        for source in sources:
            for rel in _walk(source):
                self.out.files[f"static/{rel}"] = source.joinpath(*rel.split("/")).read_bytes()


def _walk(folder: Any, prefix: str = "") -> list[str]:
    """File names below a folder (a Path or an importlib Traversable), sorted."""
    names: list[str] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            names += _walk(entry, f"{prefix}{entry.name}/")
        elif not entry.name.startswith("."):
            names.append(f"{prefix}{entry.name}")
    return names


def render_edition(
    renderer: SiteRenderer,
    edition: Edition,
    computed: EditionTables,
    around: dict[str, Any],
    *,
    home: bool,
) -> Output:
    """One edition's files (and the home page when it is the latest), as a fresh Output."""
    whole, renderer.out = renderer.out, Output()
    try:
        renderer.edition(edition, computed, around, home=home)
        return renderer.out
    finally:
        renderer.out = whole


def write_archive(renderer: SiteRenderer, published: list[Edition], *, pdf: bool) -> None:
    """The archive page, the 404 page, and with a base_url the Atom feed and the sitemap."""
    renderer.page("archive.html", "archive/index.html", years=by_year(published), pdf=pdf)
    renderer.page("404.html", "404.html")
    base = renderer.site.config.base_url
    if base:
        renderer.page(
            "feed.xml",
            "feed.xml",
            editions=list(reversed(published)),
            updated=timestamp(newest(published).config.date),
            timestamp=timestamp,
            base=base,
        )
        renderer.page("sitemap.xml", "sitemap.xml", editions=published, base=base)


def render_rest(renderer: SiteRenderer, published: list[Edition], *, pdf: bool) -> Output:
    """The pages that list every edition (archive, feed, sitemap, 404) and the static files."""
    whole, renderer.out = renderer.out, Output()
    try:
        if published:
            write_archive(renderer, published, pdf=pdf)
        renderer.static()
        return renderer.out
    finally:
        renderer.out = whole
