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
import hashlib
import html
import json
import math
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bulletin.diagnostics.errors import BulletinError, ConfigError, ContentError, Finding, msg
from bulletin.load.content import Article, Edition, Site
from bulletin.printing import makeup
from bulletin.printing.typst import (
    TypstMarkup,
    computed_table,
    content,
    make_environment,
    make_renderer,
    render_parts,
    string,
    svg_figure,
)
from bulletin.render.images import ImageStore
from bulletin.render.markdown import Context

if TYPE_CHECKING:
    from bulletin.charts import Chart
    from bulletin.compute.tableview import ComputedTable

PDF_STANDARD = "a-3b"
MM = 72 / 25.4
PAPER_SIZE = {"A3": (297 * MM, 420 * MM), "A4": (210 * MM, 297 * MM)}
# The makeup's bounds when bulletin.toml's [print] does not set them: body 六号 (7.5 pt) to
# 五号 (10.5 pt), line pitch 1.5–1.8 em, 6–8 base columns on A3 and 4–5 on A4.
PRINT_DEFAULTS: dict[str, dict[str, Any]] = {
    "A3": {"body": (7.5, 10.5), "pitch": (1.5, 1.8), "columns": (6, 8), "gutter": 3.5 * MM},
    "A4": {"body": (7.5, 10.5), "pitch": (1.5, 1.8), "columns": (4, 5), "gutter": 3.5 * MM},
}
MEASURE_SIZE = 10  # points: text is measured at this size, in line lengths of whole characters
BAND_WIDTHS = [30, 36, 42, 48, 56, 64, 72, 80, 90, 100]  # a table's widths measured, in em
FIT_PASSES = 3  # layouts tried when Typst finds a block's text longer than measured
GRIDS_PER_SIZE = 2  # base grids tried at each body size (those nearest 13 characters a line)
_M = TypstMarkup
PAPERS: dict[str, dict[str, TypstMarkup]] = {
    "A3": {
        "name": _M("a3"), "top": _M("14mm"), "bottom": _M("15mm"), "x": _M("15mm"),
        "body": _M("10.5pt"), "masthead": _M("46pt"),
        "masthead_gap": _M("2mm"), "issue": _M("13pt"), "meta": _M("11pt"),
        "banner": _M("17pt"), "wide_title": _M("3.4"), "wide_kicker": _M("1.6"),
        "title": _M("2.2"), "kicker": _M("1.3"),
    },
    "A4": {
        "name": _M("a4"), "top": _M("12mm"), "bottom": _M("13mm"), "x": _M("13mm"),
        "body": _M("10.5pt"), "masthead": _M("40pt"),
        "masthead_gap": _M("1.5mm"), "issue": _M("11pt"), "meta": _M("10pt"),
        "banner": _M("14pt"), "wide_title": _M("2.6"), "wide_kicker": _M("1.4"),
        "title": _M("1.9"), "kicker": _M("1.2"),
    },
}  # fmt: skip
THEME = resources.files("bulletin") / "theme" / "print"


@dataclass
class PrintArticle:
    slug: str
    meta: Any  # ArticleMeta
    chunks: list[TypstMarkup]  # its top-level blocks (paragraphs, headings …), in its columns
    wide: list[TypstMarkup]  # tables and charts in its text: across its block, after the text


@dataclass
class PrintBlock:
    """An article (or the part of one on this sheet) with its place on the grid."""

    id: str
    meta: Any
    parts: list[TypstMarkup]  # its chunks on this sheet, in its columns
    wide: list[TypstMarkup]  # its tables and charts, across the block under its text
    place: makeup.Block


@dataclass
class Band:
    table: TypstMarkup  # the page's tables, one under the other
    charts: list[TypstMarkup]  # their charts: Typst functions of the height they get


@dataclass
class Sheet:
    """One printed sheet: a 版, or the continuation sheet of one."""

    number: int
    top: TypstMarkup  # masthead, notices, banner
    foot: TypstMarkup  # credit line, report tail
    layout: makeup.Layout
    blocks: list[PrintBlock]
    band: Band | None


@dataclass
class _Charts:
    """The edition's charts (bulletin.charts.Chart) as vector figures; their SVG text goes to
    Typst as sys.inputs."""

    charts: Mapping[str, Chart]
    inputs: dict[str, str] = field(default_factory=dict)

    def figure(self, name: str) -> TypstMarkup:
        chart = self.charts[name]
        key = f"bl-chart-{name}"
        self.inputs[key] = chart.svg().decode("utf-8")
        return svg_figure(key, chart.caption, width=chart.size[0])

    def names_after(self, table: str) -> list[str]:
        return [name for name, chart in self.charts.items()
                if chart.table == table and getattr(chart, "place", None) == "after"]  # fmt: skip

    def fitted(self, name: str) -> TypstMarkup:
        """The chart as the band places it: a function of the height `h` it is given."""
        chart = self.charts[name]
        key = f"bl-chart-{name}"
        self.inputs[key] = chart.svg().decode("utf-8")
        return TypstMarkup(
            f"bl-chart(bytes(sys.inputs.at({string(key)})), caption: {content(chart.caption)}, "
            f"natural: {chart.size[0]:.2f}pt, h)"
        )

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
                    msg("pdf.font_missing", family=family),
                    file="bulletin.toml",
                    field=f"fonts.{kind}",
                    hint=msg("pdf.font_missing_hint"),
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
            raise ContentError(msg("pdf.outside_project", src=src), file=article.shown)
        typst_path = "/" + path.relative_to(self.root).as_posix()
        self.used.setdefault(typst_path, (article.shown, line))
        return {"src": typst_path}


def _article(
    md: Any, article: Article, tables: Mapping[str, ComputedTable], images: _Images, charts: _Charts
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
    parts = render_parts(md, article.body, ctx, doc_id=article.slug, chunks=True)
    chunks = [markup for kind, markup in parts if kind == "text"]
    wide = [TypstMarkup(f"#bl-wide[\n{markup}]\n") for kind, markup in parts if kind == "wide"]
    return PrintArticle(article.slug, article.meta, chunks, wide)


_KEEP = re.compile(r"^#(figure|list|enum|table|raw|quote|line|bl-|box\(image)")
_CHARS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5eA-Za-z0-9%.]")


def _chunk(markup: str, lines: dict[int, float]) -> makeup.Chunk:
    """A measured chunk: a paragraph breaks between columns; a heading keeps with what
    follows; lists, figures, tables and code move whole."""
    text = markup.lstrip()
    sticky = text.startswith("#heading(")
    split = not sticky and not _KEEP.match(text)
    rounded = {c: max(1, round(v)) if split else max(1, math.ceil(v - 0.02))
               for c, v in lines.items()}  # fmt: skip
    plain = re.sub(r"#[a-z.]+\(|#[a-z.]+\[|\\", "", markup)
    return makeup.Chunk(rounded, split, sticky, len(_CHARS.findall(plain)))


@functools.cache
def _fonts_key() -> tuple[str, ...]:
    return tuple(sorted(_families()))


def _cached(folder: Path | None, key: str) -> Any:
    if folder is None:
        return None
    try:
        return json.loads((folder / key[:2] / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _store(folder: Path | None, key: str, value: Any) -> None:
    """An article's measures, kept for the next build (written whole or not at all)."""
    if folder is None:
        return
    path = folder / key[:2] / f"{key}.json"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False,
                                         encoding="utf-8", suffix=".tmp") as f:  # fmt: skip
            json.dump(value, f)
        os.replace(f.name, path)
    except OSError:
        pass  # a cache: not keeping it costs time, never correctness


def _with_end(markup: str, block_id: str) -> TypstMarkup:
    """A block's last chunk with the mark of its end inside its last line (bl-end)."""
    return TypstMarkup(f"{markup.rstrip()}#bl-end({string(block_id)})\n\n")


def _head_lines(found: Mapping[str, Any]) -> makeup.HeadLines:
    parts = tuple((float(w), float(h), float(lead)) for w, h, lead in found["parts"])
    return makeup.HeadLines(parts, float(found["extra"]))


def _mm(value: str) -> float:
    return float(value.removesuffix("mm")) * MM


def chinese_number(n: int) -> str:
    """第N版 as printed: 一 … 九十九."""
    digits = "〇一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def chinese_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass
class TypstSource:
    text: str  # the Typst document
    images: dict[str, tuple[str, int]]  # the image files it reads: path -> (article, line)
    inputs: dict[str, str]  # sys.inputs it needs: the charts' SVG
    findings: list[Finding] = field(default_factory=list)  # what did not fit
    sheets: list[Sheet] = field(default_factory=list)


UNDER_FULL = 0.06  # a 版 whose content leaves more of its lines empty is reported


def under_full(layout: makeup.Layout) -> bool:
    """Whether a 版's content leaves a noticeable part of its sheet empty: the white space is
    spread (around headlines, between rows), but a makeup editor would add to the page."""
    return layout.spare >= 3 and layout.spare > UNDER_FULL * layout.lines


def bounds(site_config: Any) -> makeup.Bounds:
    """The makeup's bounds: bulletin.toml's [print], else the paper's defaults."""
    paper = site_config.paper
    given = site_config.print
    d = PRINT_DEFAULTS[paper]
    body = (given.body_min or d["body"][0], given.body_max or d["body"][1])
    pitch = (given.pitch_min or d["pitch"][0], given.pitch_max or d["pitch"][1])
    columns = (given.columns_min or d["columns"][0], given.columns_max or d["columns"][1])
    return makeup.Bounds(body, pitch, columns, gutter=d["gutter"])


class _Print:
    """The print edition of one edition: measured, laid out, as Typst source."""

    def __init__(
        self, site: Site, edition: Edition, tables: Mapping[str, ComputedTable], root: Path,
        charts: Mapping[str, Chart] | None, *, write: bool = True,
    ) -> None:  # fmt: skip
        """`write`: keep compiled templates in .cache/ (not for `check`)."""
        self.site, self.edition, self.tables, self.root = site, edition, tables, root
        self.images = _Images(edition, root)
        self.drawn = _Charts(charts or {})
        self.bounds = bounds(site.config)
        c = edition.config
        lang, region = _lang(site.config.language)
        issue = f"{c.date.year}年第{c.number}期"
        self.doc = {
            "title": f"{site.config.name} {issue}",
            "keywords": [site.config.name, "简报", issue, site.config.publisher],
            "lang": lang,
            "region": region,
            "cjk_latin_spacing": TypstMarkup("auto" if site.config.cjk_latin_spacing else "none"),
        }
        folders = [site.root / "templates" / "print", THEME]
        self.env = _environment(tuple(str(f) for f in folders if Path(str(f)).is_dir()),
                                str(site.root) if write else None)  # fmt: skip
        self.paper = PAPERS[site.config.paper]
        md = make_renderer()
        self.pages = []
        for page in edition.pages:
            articles = [_article(md, a, tables, self.images, self.drawn) for a in page.articles]
            self.pages.append((page, articles, self._band(page)))
        self.tail = _tail(site, edition)
        self.kept: dict[str, Any] = {}  # its measures and layout (_laid_out)

    def _band(self, page: Any) -> Band | None:
        credit = page.config.credit
        tables, charts = [], []
        for name in page.config.tables:
            if name not in self.tables:
                raise ConfigError(
                    msg("pdf.no_table", page=page.number, name=name, id=self.edition.id),
                    file=f"{self.edition.shown}/edition.toml",
                    field=f"pages.{page.number - 1}.tables",
                )
            table = self.tables[name]
            tables.append(computed_table(table, source=table.source_note != credit))
            charts += [self.drawn.fitted(chart) for chart in self.drawn.names_after(name)]
        if not tables:
            return None
        return Band(TypstMarkup("#v(0.8em)\n".join(tables)), charts)

    def digest(self) -> str:
        """What the layout depends on: the settings, each 版's configuration, every article's
        markup and headline, the tables' markup and the charts."""
        h = hashlib.sha256(self.site.config.model_dump_json().encode())
        h.update(self.edition.config.model_dump_json().encode())
        for page, arts, band in self.pages:
            h.update(page.config.model_dump_json().encode())
            for a in arts:
                h.update(json.dumps([a.slug, a.chunks, a.wide, a.meta.model_dump_json()]).encode())
            h.update(json.dumps([band.table, band.charts] if band else None).encode())
        h.update(json.dumps(sorted(self.drawn.inputs.items())).encode())
        h.update(str(self.root).encode())
        return h.hexdigest()

    # -- the parts of a sheet --

    def _render(self, name: str, **context: Any) -> str:
        return str(self.env.get_template(name).render(
            site=self.site.config, edition=self.edition, doc=self.doc, paper=self.paper,
            notices={"sample": self.edition.config.sample,
                     "corrections": self.edition.config.corrections},
            tail=self.tail, **context))  # fmt: skip

    def top(self, page: Any | None, first: bool) -> TypstMarkup:
        return TypstMarkup(self._render("top.typ", page=page, first=first))

    def foot(self, page: Any | None, last: bool) -> TypstMarkup:
        return TypstMarkup(self._render("foot.typ", page=page, last=last))

    # -- measuring --

    def widths(self) -> tuple[list[list[makeup.Grid]], list[int]]:
        """For each 版, the base grids worth trying, and the line lengths (characters) they
        all need: grids whose rough fill (characters counted, not measured) is near the
        sheet's, one body size either side, and the smallest size (a jump is laid out at it).
        A page's `columns` in edition.toml pins its grid."""
        paper_w, paper_h = PAPER_SIZE[self.site.config.paper]
        width = paper_w - 2 * _mm(self.paper["x"])
        height = paper_h - _mm(self.paper["top"]) - _mm(self.paper["bottom"])
        lo = self.bounds.pitch[0]
        step = self.bounds.step
        chosen: list[list[makeup.Grid]] = []
        widths: set[int] = set()
        for index, (page, arts, band) in enumerate(self.pages):
            pin = page.config.columns
            bounds = self.bounds if pin is None else replace(self.bounds, columns=(pin, pin))
            grids = makeup.grids(width, bounds)
            chars = [_chunk(m, {}).chars for a in arts for m in a.chunks]
            area = height * (0.82 if index == 0 else 0.95)

            def fits(g: makeup.Grid, chars: list[int] = chars, area: float = area,
                     articles: int = len(arts), band: bool = band is not None) -> bool:  # fmt: skip
                lines = sum((c + 2) // g.c + 1 for c in chars) / g.n
                lines += 1.6 * articles + 3 + (15 if band else 0)
                return lines <= area / (lo * g.size)

            best = max((g.size for g in grids if fits(g)), default=None)
            smallest = min((g.size for g in grids), default=None)
            keep = [g for g in grids if g.size == smallest or (
                best is not None and abs(g.size - best) <= step + 1e-9)]  # fmt: skip
            # at each size the two grids whose columns read best (nearest 13 characters):
            # measuring costs in proportion to the line lengths measured
            if pin is None:
                keep = [g for g in keep
                        if sorted((abs(x.c - 13.5), x.n) for x in keep if x.size == g.size
                                  ).index((abs(g.c - 13.5), g.n)) < GRIDS_PER_SIZE]  # fmt: skip
            keep.sort(key=lambda g: (-g.size, g.n))
            chosen.append(keep)
            for g in keep:
                widths |= makeup.text_widths(g, bounds)
        return chosen, sorted(widths)

    def measure(self, widths: list[int], cache: Path | None = None) -> dict[str, Any]:
        """What the makeup needs, measured by Typst in one compilation: each page's top and
        foot, every article's chunks in lines at each of `widths`, its headline and wide
        parts, each band's table. An article measured before (same markup, line lengths,
        styles and fonts) is taken from `cache` (a folder), when given."""
        last = len(self.pages) - 1
        pages = [
            {"top": self.top(page, i == 0), "foot": self.foot(page, i == last)}
            for i, (page, _, _) in enumerate(self.pages)
        ]
        pages.append({"top": self.top(None, False), "foot": self.foot(None, True)})
        bands = [{"table": band.table} for _, _, band in self.pages if band is not None]
        request = {
            "size": TypstMarkup(f"{MEASURE_SIZE}pt"),
            "widths": TypstMarkup("(" + ", ".join(str(int(w)) for w in widths) + ",)"),
            "band_widths": TypstMarkup("(" + ", ".join(str(f) for f in BAND_WIDTHS) + ",)"),
            "pages": pages,
            "articles": [],
            "bands": bands,
        }
        # the key of an article's measures: its markup, the line lengths, and the styles
        # (the measuring document without any article), the fonts and the chart inputs
        style = hashlib.sha256(self._render("measure.typ", measure=request).encode())
        style.update(json.dumps(sorted(self.drawn.inputs.items())).encode())
        style.update(json.dumps(sorted(_fonts_key())).encode())
        keys, known = {}, {}
        for _, arts, _ in self.pages:
            for a in arts:
                h = style.copy()
                h.update(json.dumps([a.chunks, a.wide, a.meta.title, a.meta.kicker,
                                     a.meta.subtitle, a.meta.byline]).encode())  # fmt: skip
                keys[a.slug] = h.hexdigest()
                hit = _cached(cache, keys[a.slug])
                if hit is not None:
                    known[a.slug] = hit
                else:
                    request["articles"].append({  # type: ignore[attr-defined]
                        "slug": a.slug, "chunks": a.chunks, "wide": a.wide,
                        "title": a.meta.title, "kicker": a.meta.kicker,
                        "subtitle": a.meta.subtitle, "byline": a.meta.byline,
                    })  # fmt: skip
        rest_key = style.hexdigest()
        rest = _cached(cache, rest_key)
        if rest is not None and not request["articles"]:
            return {**rest, "articles": known}
        source = self._render("measure.typ", measure=request)
        # HTML export: measure() works there, and the answer comes back as text from the
        # process's compiler, which remembers what it laid out before
        try:
            out = _compiler(str(self.root.resolve())).compile(
                source.encode("utf-8"), format="html", sys_inputs=self.drawn.inputs
            )
        except RuntimeError as e:
            raise _diagnosed(e, source, self.root, self.drawn.inputs, self.images.used,
                             self.edition.shown) from None  # fmt: skip
        found = re.search(rb"<code>(.*?)</code>", out, re.S)
        assert found is not None, "the measuring document printed no measures"
        result: dict[str, Any] = json.loads(html.unescape(found[1].decode("utf-8")))
        for slug, measured in result["articles"].items():
            _store(cache, keys[slug], measured)
        _store(cache, rest_key, {"pages": result["pages"], "bands": result["bands"]})
        result["articles"].update(known)
        return result

    # -- laying out --

    def lay_out(self) -> TypstSource:
        """Measured (nothing kept) and laid out, not typeset."""
        page_grids, widths = self.widths()
        found = self.measure(widths)
        return self._sheets(found, page_grids, widths, {})

    def _sheets(self, found: dict[str, Any], page_grids: list[list[makeup.Grid]],
                widths: list[int], extra: Mapping[str, int]) -> TypstSource:  # fmt: skip
        paper_w, paper_h = PAPER_SIZE[self.site.config.paper]
        width = paper_w - 2 * _mm(self.paper["x"])
        body_h = paper_h - _mm(self.paper["top"]) - _mm(self.paper["bottom"])
        bands = iter(found["bands"])
        sheets: list[Sheet] = []
        # (from page, what goes on, on which grids)
        pending: list[tuple[int, list[makeup.Item], list[makeup.Grid]]] = []
        findings: list[Finding] = []
        articles_of: dict[str, PrintArticle] = {}
        last_index = len(self.pages) - 1
        for index, (page, arts, band) in enumerate(self.pages):
            measured_band = None
            if band is not None:
                b = next(bands)
                measured_band = makeup.Band(
                    dict(zip(BAND_WIDTHS, b["heights"], strict=True)),
                    tuple((c.size[1] / c.size[0], c.size[0]) for c in band_charts(self, page)),
                    float(b["caption"]),
                    page.config.table_at,
                )
            stories = []
            for a in arts:
                articles_of[a.slug] = a
                stories.append(self._story(a, found["articles"][a.slug], widths, extra,
                                           page.config.spans.get(a.slug)))  # fmt: skip
            geometry = found["pages"][index]
            height = body_h - geometry["top"] - geometry["foot"]
            hint = page.config.columns
            grids = page_grids[index]
            items = [makeup.Item(st, 0, len(st.chunks)) for st in stories]
            layout = makeup.solve(
                items, measured_band, width=width, height=height, bounds=self.bounds,
                grid_list=grids, columns=hint,
            )  # fmt: skip
            if layout is not None and under_full(layout):
                findings.append(self._under_full(page.number, layout))
            if layout is None:
                next_number = len(self.pages) + 1 + len(pending)
                layout, rest, over = makeup.split(
                    items, measured_band, width=width, height=height, bounds=self.bounds,
                    grid_list=grids, columns=hint, page=page.number, next_page=next_number,
                )  # fmt: skip
                findings.append(self._overflow(page.number, over, next_number))
                pending.append((page.number, rest, grids))
            sheets.append(self._sheet(page.number, self.top(page, index == 0),
                                      self.foot(page, index == last_index and not pending),
                                      layout, articles_of, band))  # fmt: skip
        cont = found["pages"][-1]
        number = len(self.pages)
        while pending:
            _, items, grids = pending.pop(0)
            number += 1
            height = body_h - cont["top"] - cont["foot"]
            layout = makeup.solve(items, None, width=width, height=height, bounds=self.bounds,
                                  grid_list=grids)  # fmt: skip
            if layout is None:  # it goes on after the sheets already promised
                next_number = number + len(pending) + 1
                layout, rest, over = makeup.split(
                    items, None, width=width, height=height, bounds=self.bounds,
                    grid_list=grids, page=number, next_page=next_number)  # fmt: skip
                pending.append((number, rest, grids))
            sheets.append(self._sheet(number, self.top(None, False),
                                      self.foot(None, not pending), layout,
                                      articles_of, None))  # fmt: skip
        source = self._render("edition.typ", sheets=sheets)
        return TypstSource(source, self.images.used, self.drawn.inputs, findings, sheets)

    def _under_full(self, page: int, layout: makeup.Layout) -> Finding:
        share = round(100 * layout.spare / layout.lines)
        return Finding(
            msg("pdf.under_full", page=page, id=self.edition.id, lines=layout.spare, share=share),
            file=f"{self.edition.shown}/edition.toml",
            hint=msg("pdf.under_full_fix", size=f"{layout.size:g}"),
            level="info",  # the page is right, only short: said, never failing a build
        )

    def _overflow(self, page: int, over: makeup.Overflow, to: int) -> Finding:
        article = next(a for p in self.edition.pages for a in p.articles if a.slug == over.slug)
        return Finding(
            msg(
                "pdf.overflow",
                page=page,
                id=self.edition.id,
                slug=over.slug,
                lines=over.lines,
                chars=over.chars,
                to=to,
            ),
            file=article.shown,
            hint=msg("pdf.overflow_fix"),
        )

    def _story(self, a: PrintArticle, m: Mapping[str, Any], widths: list[int],
               extra: Mapping[str, int], span: int | None = None) -> makeup.Story:  # fmt: skip
        chunks = []
        for markup, heights in zip(a.chunks, m["chunks"], strict=True):
            chunks.append(_chunk(markup, dict(zip(widths, heights, strict=True))))
        if extra.get(a.slug) and chunks:  # a line more than measured (Typst said so)
            last = chunks[-1]
            chunks[-1] = makeup.Chunk({c: v + extra[a.slug] for c, v in last.lines.items()},
                                      last.split, last.sticky, last.chars)  # fmt: skip
        head = makeup.Head(_head_lines(m["head"]), _head_lines(m["lead"]))
        return makeup.Story(a.slug, tuple(chunks), head,
                            tuple(float(h) for h in m["wide"]), span,
                            extra.get(a.slug + "/head", 0))  # fmt: skip

    def _sheet(self, number: int, top: TypstMarkup, foot: TypstMarkup, layout: makeup.Layout,
               articles: Mapping[str, PrintArticle], band: Band | None) -> Sheet:  # fmt: skip
        blocks = []
        for b in layout.blocks:
            a = articles[b.slug]
            wide = a.wide if b.last == len(a.chunks) else []
            parts = list(a.chunks[b.first : b.last])
            shift = 1 if b.jump_from is not None else 0  # (its 上接 line is chunk 0)
            for i, lines in b.spread.items():  # whole blank lines: the grid holds
                if 0 <= i - shift < len(parts):
                    parts[i - shift] = TypstMarkup(
                        f"#v({lines * layout.pitch:.4f}em)\n{parts[i - shift]}"
                    )
            blocks.append(PrintBlock(f"{number}-{b.slug}", a.meta, parts, wide, b))
        return Sheet(number, top, foot, layout, blocks, band)


def band_charts(p: _Print, page: Any) -> list[Any]:
    return [p.drawn.charts[name] for table in page.config.tables
            for name in p.drawn.names_after(table)]  # fmt: skip


def typst_source(
    site: Site,
    edition: Edition,
    tables: Mapping[str, ComputedTable],
    *,
    root: Path,
    charts: Mapping[str, Chart] | None = None,
) -> TypstSource:
    """The edition as a Typst document (see templates/print/edition.typ): measured, laid out
    by bulletin.printing.makeup, each 版 on one sheet."""
    return _Print(site, edition, tables, root, charts).lay_out()


@functools.lru_cache(maxsize=4)
def _environment(folders: tuple[str, ...], root: str | None) -> Any:
    """One Jinja2 environment per template folders: the template is compiled once per build,
    not once per edition (Jinja still reloads it when the file changes), and its compiled
    form is kept in the project's .cache/ for the next build (not with `root` None: `check`
    writes nothing)."""
    from bulletin.build.cache import bytecode_cache

    env = make_environment(
        [Path(f) for f in folders],
        {"chinese_date": chinese_date, "chinese_number": chinese_number, "with_end": _with_end},
    )
    if root is not None:
        env.bytecode_cache = bytecode_cache(Path(root), "typst")
    return env


# -- compiling ---------------------------------------------------------------------------------


def print_findings(
    site: Site,
    edition: Edition,
    tables: Mapping[str, ComputedTable],
    charts: Mapping[str, Chart] | None,
) -> list[Finding]:
    """What the print edition would report (a 版 that does not fit its sheet), from the
    makeup alone: measured and laid out, not typeset (`bulletin check`)."""
    check_fonts(site.config)
    return _Print(site, edition, tables, site.root, charts, write=False).lay_out().findings


@dataclass
class Printed:
    pdf: bytes
    findings: list[Finding]  # a 版 that did not fit on its sheet
    sheets: list[Sheet]
    frames: list[dict[str, Any]]  # every block's text columns on its page (Typst's word)


_LAID_OUT: dict[str, dict[str, Any]] = {}
# editions whose layouts this process keeps: a page and its PDF are made one after the other,
# except in a small build, whose pages all come first (builder.POOL_MIN editions at most)
LAID_OUT_KEEP = 8


def _laid_out(
    site: Site, edition: Edition, tables: Mapping[str, ComputedTable], root: Path,
    charts: Mapping[str, Chart] | None, measures: Path | None,
) -> tuple[_Print, TypstSource]:  # fmt: skip
    """The edition's print job, measured and laid out, made once per process for the same
    inputs: the web page (web_rows) and the PDF (build_print) of one build share it."""
    job = _Print(site, edition, tables, root, charts)
    key = job.digest()
    kept = _LAID_OUT.get(key)
    if kept is None:
        grids, widths = job.widths()
        found = job.measure(widths, measures)
        kept = {"grids": grids, "widths": widths, "found": found,
                "source": job._sheets(found, grids, widths, {})}  # fmt: skip
        while len(_LAID_OUT) >= LAID_OUT_KEEP:
            _LAID_OUT.pop(next(iter(_LAID_OUT)))
        _LAID_OUT[key] = kept
    job.kept = kept
    return job, kept["source"]


def web_rows(
    site: Site,
    edition: Edition,
    tables: Mapping[str, ComputedTable],
    charts: Mapping[str, Chart] | None,
    measures: Path | None = None,
) -> list[makeup.Layout]:
    """Each 版's layout on its sheet, for the web page to group its articles the same way:
    the same lead, the same rows of stacks (the first sheet of a 版 that jumps)."""
    check_fonts(site.config)
    job, source = _laid_out(site, edition, tables, site.root, charts, measures)
    return [s.layout for s in source.sheets[: len(job.pages)]]


def build_print(
    site: Site,
    edition: Edition,
    tables: Mapping[str, ComputedTable],
    *,
    root: Path,
    charts: Mapping[str, Chart] | None = None,
    measures: Path | None = None,
) -> Printed:
    """The edition's PDF/A-3b, laid out by the makeup, with what did not fit. `measures`: a
    folder keeping articles' measures between builds. Should Typst find a block's text
    longer than measured (it never has), that article is given a line more and the edition
    laid out again."""
    check_fonts(site.config)
    release_layouts()
    job, source = _laid_out(site, edition, tables, root, charts, measures)
    kept = job.kept
    extra: dict[str, int] = {}
    for attempt in range(FIT_PASSES):
        if attempt:
            source = job._sheets(kept["found"], kept["grids"], kept["widths"], extra)
        pdf, misfits, frames = compile_checked(source, root=root, date=edition.config.date,
                                               shown=edition.shown)  # fmt: skip
        if not misfits:
            break
        for block_id in misfits:  # "<sheet>-<slug>" (its text) or "<sheet>-<slug>/head"
            key = block_id.split("-", 1)[1]
            extra[key] = extra.get(key, 0) + 1
    return Printed(pdf, source.findings, source.sheets, frames)


def build_pdf(
    site: Site,
    edition: Edition,
    tables: Mapping[str, ComputedTable],
    *,
    root: Path,
    charts: Mapping[str, Chart] | None = None,
) -> bytes:
    """The edition's PDF/A-3b, as bytes. `charts`: the edition's bulletin.charts.Chart by
    name. Errors are BulletinErrors naming file and line."""
    return build_print(site, edition, tables, root=root, charts=charts).pdf


def compile_checked(
    source: TypstSource, *, root: Path, date: dt.date, shown: str
) -> tuple[bytes, list[str], list[dict[str, Any]]]:
    """The PDF of a laid-out edition, the blocks whose text or headline did not fit their
    frame (Typst's own word, <bl-fit>), and where every block's text columns are."""
    import typst

    data = source.text.encode("utf-8")
    try:
        compiler = typst.Compiler(input=data, root=str(root.resolve()), font_paths=_fonts(),
                                  sys_inputs=source.inputs)  # fmt: skip
        # (one query: typst-py answers a second one on the same compiler with an error)
        found = json.loads(compiler.query("<bl-fit>", field="value"))
        pdf, warnings = compiler.compile_with_warnings(data, **_options(date))
    except RuntimeError as e:
        raise _diagnosed(e, source.text, root, source.inputs, source.images, shown) from None
    _check(warnings)
    frames = [f for f in found if f.get("frame")]
    where = {f["id"]: f for f in frames}
    misfits = {f["id"] for f in found if not f["ok"]}
    for end in (f for f in found if f.get("end")):
        frame = where.get(end["id"])
        if frame is None or end["page"] != frame["page"] or end["y"] > frame["bottom"] + 0.5 \
                or end["x"] > frame["columns"][-1][1] + 0.5:  # fmt: skip
            misfits.add(end["id"])
    return pdf, sorted(misfits), frames


def _options(date: dt.date) -> dict[str, Any]:
    return {
        "format": "pdf",
        "pdf_standards": [PDF_STANDARD],
        "timestamp": int(dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC).timestamp()),
    }


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
    `inputs`: extra sys.inputs, such as chart SVGs (typst.svg_figure)."""
    import typst

    try:
        pdf, warnings = _compiler(str(root.resolve())).compile_with_warnings(
            source.encode("utf-8"), sys_inputs=dict(inputs or {}), **_options(date)
        )
    except typst.TypstError as e:
        raise _error(e, images or {}, shown) from None
    _check(warnings)
    return pdf  # type: ignore[no-any-return]


def _diagnosed(
    e: RuntimeError, source: str, root: Path, inputs: Mapping[str, str],
    images: Mapping[str, tuple[str, int]], shown: str,
) -> BulletinError:  # fmt: skip
    """The error of a failed query, as a BulletinError naming the file: typst-py's query
    raises a plain RuntimeError, so the document is compiled once more for the diagnostic."""
    import typst

    if not isinstance(e, typst.TypstError):
        try:
            _compiler(str(root.resolve())).compile(source.encode("utf-8"), format="svg",
                                                   sys_inputs=dict(inputs))  # fmt: skip
        except typst.TypstError as again:
            e = again
    return _error(e, images, shown)


def _check(warnings: list[Any]) -> None:
    """A font Typst cannot find is an error: it would fall back silently, or print boxes."""
    for w in warnings:
        if "font" in w.message.lower():
            raise ConfigError(
                msg("pdf.typst_font", why=w.message),
                file="bulletin.toml",
                field="fonts",
                hint=msg("pdf.typst_font_hint"),
            )


def _error(e: Any, images: Mapping[str, tuple[str, int]], shown: str) -> BulletinError:
    message = str(getattr(e, "message", "") or e).strip()
    text = f"{message}\n{getattr(e, 'diagnostic', '')}"
    hints = "; ".join(getattr(e, "hints", None) or []) or None
    for path, (article, line) in images.items():
        if path in text or path.lstrip("/") in text:
            return ContentError(
                msg("pdf.image_unprintable", src=path.rsplit("/", 1)[-1], why=message),
                file=article,
                line=line,
                hint=hints or msg("pdf.image_unprintable_hint"),  # (Typst's hints, as they are)
            )
    return BulletinError(msg("pdf.typst_failed", shown=shown, why=message), hint=hints)


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
