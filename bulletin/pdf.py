"""The print stage: one PDF of record per edition, typeset by Typst (PDF/A-3b).

The layout is the Jinja2 template ``theme/print/edition.typ`` (a site's
``templates/print/edition.typ`` replaces it); articles are the same markdown-it tokens as
the web page, rendered to Typst by :mod:`bulletin.typst`. Typst reads files only below the
project folder (``root``) and only the images the articles name; fonts are found by family
name, and a missing one is an error, never a silent fallback. Output is deterministic: the
PDF's dates are the edition's date, never the build time.

Typst is imported only when a PDF is made: ``bulletin --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .content import Article, Edition, Site
from .errors import BulletinError, ConfigError, ContentError
from .images import ImageStore
from .markdown import Context
from .typst import (
    TypstMarkup,
    computed_table,
    make_environment,
    make_renderer,
    render_parts,
    string,
    svg_figure,
)

PDF_STANDARD = "a-3b"
DRIVEN_PASSES = 6
DEFAULT_COLUMNS = {"A3": 3, "A4": 2}
_M = TypstMarkup
PAPERS: dict[str, dict[str, TypstMarkup]] = {
    "A3": {
        "name": _M("a3"), "top": _M("17mm"), "bottom": _M("18mm"), "x": _M("18mm"),
        "gutter": _M("6mm"), "body": _M("10.5pt"), "masthead": _M("66pt"),
        "masthead_gap": _M("3mm"), "issue": _M("15pt"), "meta": _M("13pt"),
        "banner": _M("20pt"), "wide_title": _M("28pt"), "wide_kicker": _M("14pt"),
        "title": _M("17pt"), "kicker": _M("10.5pt"),
    },
    "A4": {
        "name": _M("a4"), "top": _M("15mm"), "bottom": _M("16mm"), "x": _M("16mm"),
        "gutter": _M("5mm"), "body": _M("10.5pt"), "masthead": _M("44pt"),
        "masthead_gap": _M("2mm"), "issue": _M("12pt"), "meta": _M("11pt"),
        "banner": _M("15pt"), "wide_title": _M("21pt"), "wide_kicker": _M("12pt"),
        "title": _M("15pt"), "kicker": _M("10pt"),
    },
}  # fmt: skip
THEME = resources.files("bulletin") / "theme" / "print"


@dataclass
class PrintArticle:
    slug: str
    meta: Any  # ArticleMeta
    parts: list[tuple[str, TypstMarkup]]  # ("text", …) runs and ("wide", …) tables, charts

    @property
    def wide(self) -> bool:
        return any(kind == "wide" for kind, _ in self.parts)


@dataclass
class PrintBlock:
    kind: str  # "wide": headline across the page, text in balanced columns; "flow": articles
    articles: list[PrintArticle]  # one wide article, or the articles flowing in the columns


@dataclass
class PrintPage:
    number: int
    banner: str | None
    credit: str | None
    columns: int
    blocks: list[PrintBlock]
    tables: list[TypstMarkup]  # the page's tables (each with its charts), after the articles


@dataclass
class _Charts:
    """The edition's charts (bulletin.charts.Chart) as vector figures; their SVG text goes to
    Typst as sys.inputs."""

    charts: Mapping[str, Any]
    inputs: dict[str, str] = field(default_factory=dict)

    def figure(self, name: str) -> TypstMarkup:
        chart = self.charts[name]
        key = f"bl-chart-{name}"
        self.inputs[key] = chart.svg().decode("utf-8")
        return svg_figure(key, chart.caption, width=chart.size[0])

    def after(self, table: str) -> list[TypstMarkup]:
        """The charts drawn right after their table (place = "after")."""
        return [
            self.figure(name)
            for name, chart in self.charts.items()
            if chart.table == table and getattr(chart, "place", None) == "after"
        ]


# -- fonts -----------------------------------------------------------------------------------


@functools.cache
def _fonts() -> Any:
    """The installed fonts, found once per process (a search reads every font file's header,
    about 50 ms) and shared by every compiler of the process."""
    import typst

    return typst.Fonts(include_system_fonts=True, include_embedded_fonts=True)


@functools.cache
def _families() -> frozenset[str]:
    return frozenset(f.lower() for f in _fonts().families())


def check_fonts(site_config: Any) -> None:
    """Every configured font family must be installed (Typst finds it by family name)."""
    installed = _families()
    for kind in ("serif", "sans"):
        for family in getattr(site_config.fonts, kind):
            if family.lower() not in installed:
                raise ConfigError(
                    f"font '{family}' is not installed, so the PDF cannot be printed with it",
                    file="bulletin.toml",
                    field=f"fonts.{kind}",
                    hint="install fonts-noto-cjk (Debian/Ubuntu: apt install fonts-noto-cjk) "
                    "for the default Noto CJK fonts, or name an installed family "
                    "(fc-list :lang=zh family)",
                )


# -- the Typst source --------------------------------------------------------------------------


def _lang(language: str) -> tuple[str, TypstMarkup]:
    parts = language.replace("_", "-").split("-")
    region = parts[1] if len(parts) > 1 and len(parts[1]) == 2 and parts[1].isalpha() else None
    return parts[0].lower(), string(region.upper()) if region else TypstMarkup("none")


def _tail(site: Site, edition: Edition) -> dict[str, str | None] | None:
    """报/送/发 lines and print run: edition.toml's `distribution`, else bulletin.toml's."""
    tail = edition.config.distribution or site.config.distribution
    if tail is None:
        return None
    result = {"report_to": tail.report_to, "copy_to": tail.copy_to, "issue_to": tail.issue_to}
    result["copies"] = f"共印{tail.copies}份" if tail.copies else None
    return result if any(result.values()) else None


class _Images:
    """Image paths for Typst (relative to its root), checked like the web edition's."""

    def __init__(self, edition: Edition, root: Path) -> None:
        self.store = ImageStore(edition.path, root)
        self.root = root.resolve()
        self.used: dict[str, tuple[str, int]] = {}  # Typst path -> (article, line)

    def __call__(self, article: Article, src: str, line: int) -> dict[str, Any]:
        path = self.store.locate(src, article.path, article.shown, line)
        if not path.is_relative_to(self.root):
            raise ContentError(f"image '{src}' is outside the project", file=article.shown)
        typst_path = "/" + path.relative_to(self.root).as_posix()
        self.used.setdefault(typst_path, (article.shown, line))
        return {"src": typst_path}


def _article(
    md: Any, article: Article, tables: Mapping[str, Any], images: _Images, charts: _Charts
) -> PrintArticle:
    ctx = Context(
        file=article.shown,
        first_line=article.body_line,
        tables=sorted(tables),
        table=lambda name: TypstMarkup(
            "".join([computed_table(tables[name]), *charts.after(name)])
        ),
        cite=lambda t, row, col: tables[t].cite(row, col),
        image=lambda src, alt, line: images(article, src, line),
        charts=sorted(charts.charts),
        chart=charts.figure,
    )
    parts = render_parts(md, article.body, ctx, doc_id=article.slug)
    return PrintArticle(article.slug, article.meta, parts)


def _blocks(articles: list[PrintArticle]) -> list[PrintBlock]:
    """The lead article spans the page (as on the web), and so does every article with a
    table or chart, and each of one or two; the others flow together through the columns."""
    blocks: list[PrintBlock] = []
    for i, article in enumerate(articles):
        if (i == 0 and len(articles) > 2) or len(articles) <= 2 or article.wide:
            blocks.append(PrintBlock("wide", [article]))
        elif blocks and blocks[-1].kind == "flow":
            blocks[-1].articles.append(article)
        else:
            blocks.append(PrintBlock("flow", [article]))
    return blocks


def _pages(
    site: Site, edition: Edition, tables: Mapping[str, Any], images: _Images, charts: _Charts
) -> list[PrintPage]:
    md = make_renderer()
    pages = []
    for page in edition.pages:
        articles = [_article(md, a, tables, images, charts) for a in page.articles]
        credit = page.config.credit
        printed = []
        for name in page.config.tables:
            if name not in tables:
                raise ConfigError(
                    f"page {page.number} lists table '{name}', but data/{edition.id}/ has no "
                    f"{name}.toml",
                    file=f"{edition.shown}/edition.toml",
                    field=f"pages.{page.number - 1}.tables",
                )
            table = tables[name]
            printed.append(computed_table(table, source=table.source_note != credit))
            printed.extend(charts.after(name))
        columns = page.config.columns or DEFAULT_COLUMNS[site.config.paper]
        pages.append(
            PrintPage(
                page.number, page.config.banner, credit, int(columns), _blocks(articles), printed
            )
        )
    return pages


def chinese_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass
class TypstSource:
    text: str  # the Typst document
    images: dict[str, tuple[str, int]]  # the image files it reads: path -> (article, line)
    inputs: dict[str, str]  # sys.inputs it needs: the charts' SVG


def typst_source(
    site: Site,
    edition: Edition,
    tables: Mapping[str, Any],
    *,
    root: Path,
    charts: Mapping[str, Any] | None = None,
) -> TypstSource:
    """The edition as a Typst document (see templates/print/edition.typ)."""
    images = _Images(edition, root)
    drawn = _Charts(charts or {})
    pages = _pages(site, edition, tables, images, drawn)
    c = edition.config
    lang, region = _lang(site.config.language)
    issue = f"{c.date.year}年第{c.number}期"
    doc = {
        "title": f"{site.config.name} {issue}",
        "keywords": [site.config.name, "简报", issue, site.config.publisher],
        "lang": lang,
        "region": region,
        "cjk_latin_spacing": TypstMarkup("auto" if site.config.cjk_latin_spacing else "none"),
    }
    folders = [site.root / "templates" / "print", THEME]
    env = _environment(tuple(str(f) for f in folders if Path(str(f)).is_dir()), str(site.root))
    source = env.get_template("edition.typ").render(
        site=site.config,
        edition=edition,
        doc=doc,
        paper=PAPERS[site.config.paper],
        pages=pages,
        tail=_tail(site, edition),
        notices={
            "sample": c.sample,
            "corrections": c.corrections,
        },
    )
    return TypstSource(source, images.used, drawn.inputs)


@functools.lru_cache(maxsize=4)
def _environment(folders: tuple[str, ...], root: str) -> Any:
    """One Jinja2 environment per template folders: the template is compiled once per build,
    not once per edition (Jinja still reloads it when the file changes), and its compiled
    form is kept in the project's .cache/ for the next build."""
    from .render import bytecode_cache

    env = make_environment([Path(f) for f in folders], {"chinese_date": chinese_date})
    env.bytecode_cache = bytecode_cache(Path(root), "typst")
    return env


# -- compiling ---------------------------------------------------------------------------------


def build_pdf(
    site: Site,
    edition: Edition,
    tables: Mapping[str, Any],
    *,
    root: Path,
    charts: Mapping[str, Any] | None = None,
) -> bytes:
    """The edition's PDF/A-3b, as bytes. `charts`: the edition's bulletin.charts.Chart by
    name. Errors are BulletinErrors naming file and line."""
    check_fonts(site.config)
    release_layouts()
    source = typst_source(site, edition, tables, root=root, charts=charts)
    return compile_typst(
        source.text,
        root=root,
        date=edition.config.date,
        images=source.images,
        shown=edition.shown,
        inputs=source.inputs,
    )


@functools.lru_cache(maxsize=4)
def _compiler(root: str) -> Any:
    import typst

    return typst.Compiler(root=root, font_paths=_fonts())


EVICT_AGE = 10  # Typst (through typst-py) keeps what the last 10 compilations used


def release_layouts() -> None:
    """Forget the previous documents' memoized layouts before typesetting another one.

    Typst memoizes layouts (comemo) and, after each compilation, forgets only what the last
    EVICT_AGE compilations did not use; typst-py offers no way to say "forget everything",
    so a process typesetting editions one after another held about 150 MB of old layouts.
    EVICT_AGE + 1 compilations of an empty document (about 1 ms each) age them out; the
    freed memory then goes back to the system (glibc's malloc_trim). A new edition shares
    next to nothing with the last one, so this costs no speed (bench/results.md)."""
    if not _compiler.cache_info().currsize:
        return  # nothing typeset in this process yet
    empty = _compiler(tempfile.gettempdir())
    for _ in range(EVICT_AGE + 1):
        empty.compile(b"", format="svg")
    _malloc_trim()


@functools.cache
def _libc() -> Any:
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def _malloc_trim() -> None:
    if (libc := _libc()) is not None:
        libc.malloc_trim(0)


def compile_typst(
    source: str,
    *,
    root: Path,
    date: dt.date,
    images: Mapping[str, tuple[str, int]] | None = None,
    shown: str = "the print edition",
    inputs: Mapping[str, str] | None = None,
) -> bytes:
    """Typst source → PDF/A bytes, the creation date `date` (never the build time).

    Column balancing (see the template's bl-flow) normally settles within Typst's own
    layout passes. When several pages of flowing columns need more passes than Typst makes,
    the passes are driven from here: each one is given where the previous one's columns
    ended (sys.inputs "bl-prev"), until nothing moves. Should even that not settle, the
    edition is typeset with plain, unbalanced columns: never with text overflowing.
    `inputs`: extra sys.inputs, such as chart SVGs (typst.svg_figure).
    """
    import typst

    data = source.encode("utf-8")
    folder = str(root.resolve())
    extra = dict(inputs or {})
    options: dict[str, Any] = {
        "format": "pdf",
        "pdf_standards": [PDF_STANDARD],
        "timestamp": int(dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC).timestamp()),
    }
    try:
        pdf, warnings = _compiler(folder).compile_with_warnings(
            data, sys_inputs={**extra, "bl-balance": "on"}, **options
        )
        _check(warnings)
        if _settled(warnings):
            return pdf  # type: ignore[no-any-return]
        previous: Any = None
        for _ in range(DRIVEN_PASSES):
            given = {**extra, "bl-balance": "on", "bl-prev": json.dumps(previous or {})}
            compiler = typst.Compiler(input=data, root=folder, font_paths=_fonts(),
                                      sys_inputs=given)  # fmt: skip
            report = json.loads(compiler.query("<bl-report>", field="value", one=True))
            if report == previous:
                pdf, warnings = compiler.compile_with_warnings(data, **options)
                _check(warnings)
                if _settled(warnings):
                    return pdf  # type: ignore[no-any-return]
                break
            previous = report
        pdf, warnings = _compiler(folder).compile_with_warnings(
            data, sys_inputs={**extra, "bl-balance": "off"}, **options
        )
        _check(warnings)
        return pdf  # type: ignore[no-any-return]
    except typst.TypstError as e:
        raise _error(e, images or {}, shown) from None


def _settled(warnings: list[Any]) -> bool:
    return not any("converge" in w.message or "stabilize" in w.message for w in warnings)


def _check(warnings: list[Any]) -> None:
    """A font Typst cannot find is an error: it would fall back silently, or print boxes."""
    for w in warnings:
        if "font" in w.message.lower():
            raise ConfigError(
                f"Typst: {w.message}",
                file="bulletin.toml",
                field="fonts",
                hint="install fonts-noto-cjk, or name installed families in [fonts]",
            )


def _error(e: Any, images: Mapping[str, tuple[str, int]], shown: str) -> BulletinError:
    message = str(getattr(e, "message", "") or e).strip()
    text = f"{message}\n{getattr(e, 'diagnostic', '')}"
    hints = "; ".join(getattr(e, "hints", None) or []) or None
    for path, (article, line) in images.items():
        if path in text or path.lstrip("/") in text:
            return ContentError(
                f"image '{path.rsplit('/', 1)[-1]}' cannot be printed: {message}",
                file=article,
                line=line,
                hint=hints or "save it as JPEG or PNG",
            )
    return BulletinError(f"Typst could not typeset {shown}: {message}", hint=hints)


def thumbnail_png(pdf: bytes, width: int = 360) -> bytes:
    """Page 1 of a PDF as a PNG `width` pixels wide, drawn by Typst itself."""
    import typst

    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "edition.pdf").write_bytes(pdf)
        source = (
            f"#set page(width: {int(width)}pt, height: auto, margin: 0pt)\n"
            '#image("/edition.pdf", page: 1, width: 100%)\n'
        )
        compiler = typst.Compiler(root=folder, font_paths=_fonts())
        png = compiler.compile(source.encode(), format="png", ppi=72)
    assert isinstance(png, bytes)
    return png
