"""Charts drawn from computed tables: matplotlib ``Figure`` objects → standalone SVG.

A table spec lists its charts as ``[[charts]]`` entries (see :mod:`bulletin.tablespec`)::

    [[charts]]
    name = "microcredit-rate"       # the file editions/<id>/microcredit-rate.svg
    type = "rank_bar"               # rank_bar | bar | grouped_bar | line
    columns = ["余额获贷率"]
    reference = "total"             # the 合计 row; or a number (0.15) or "15%"
    highlight = { top = 3, bottom = 1 }
    title = "各县（市、区）脱贫人口小额信贷余额获贷率"
    place = "after"                 # also drawn right after its table

- ``rank_bar``: horizontal bars, rank 1 at the top (largest first when the table does not
  rank this column); ``bar``: vertical bars; ``grouped_bar``: horizontal bars, one per
  column, grouped by row; ``line``: the rows' values across the archive's editions (the
  reference "total" draws the 合计 row as a dashed line).
- Every value comes from the computed table: bars plot ``table.value()`` as floats, labels
  are ``table.cite()`` (the table's own number format). :attr:`Chart.data` holds exactly
  what is drawn, in drawing order, so tests need no pixels.
- Text is drawn in the CJK fonts named in bulletin.toml (``fonts.sans``), found by family
  name; a missing font, or a character the fonts lack, stops the build — never tofu.
- SVG text is converted to paths (readers need no Chinese font); output is deterministic:
  a fixed ``svg.hashsalt``, no date, no creator. rcParams are only ever set inside
  ``matplotlib.rc_context``; pyplot is never imported. matplotlib loads on the first chart.

Drawing is in :mod:`bulletin.chartdraw`; this module builds the data model, the caption
and the alt text, and checks the fonts.
"""

from __future__ import annotations

import functools
import io
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, DataError, msg
from .sheets import parse_number

if TYPE_CHECKING:
    from .content import Site
    from .tablespec import ChartSpec, SpecFile
    from .tableview import ComputedTable

__all__ = ["Chart", "ChartData", "Series", "compute_charts", "find_font", "make_charts"]

DEFAULT_FONTS = ("Noto Sans CJK SC",)
KINDS = {"rank_bar": "条形图", "bar": "柱状图", "grouped_bar": "分组条形图", "line": "折线图"}

# -- fonts -----------------------------------------------------------------------------------


@functools.cache
def _installed(families: tuple[str, ...]) -> tuple[tuple[str, Any], ...]:
    """(family, font path) of each named family that is installed, in the given order."""
    from matplotlib import font_manager

    found: dict[str, Any] = {}
    for entry in font_manager.fontManager.ttflist:
        name = entry.name.casefold()
        if name not in found and entry.style == "normal" and entry.weight in (400, "normal"):
            found[name] = (entry.name, _font_path(entry))
    return tuple(found[f.casefold()] for f in families if f.casefold() in found)


def _font_path(entry: Any) -> Any:
    from matplotlib import font_manager

    index = getattr(entry, "index", 0)
    if index and hasattr(font_manager, "FontPath"):  # a face inside a .ttc (matplotlib ≥ 3.11)
        return font_manager.FontPath(entry.fname, index)
    return entry.fname


def _families(families: Sequence[str]) -> tuple[str, ...]:
    """The installed families among ``families`` (all of them, for per-glyph fallback)."""
    installed = _installed(tuple(families))
    if not installed:
        named = ", ".join(f"'{f}'" for f in families) or "(none)"
        raise ConfigError(
            msg("charts.no_font", fonts=named),
            file="bulletin.toml",
            field="fonts.sans",
            hint=msg("charts.no_font_hint"),
        )
    return tuple(name for name, _ in installed)


def find_font(families: Sequence[str]) -> str:
    """The file of the first installed family (a ``FontPath`` with the face index for a .ttc).

    Raises :class:`ConfigError` naming the families when none is installed.
    """
    _families(families)
    return _installed(tuple(families))[0][1]


def _check_glyphs(texts: Sequence[str], families: tuple[str, ...], where: dict[str, Any]) -> None:
    """Every character has a glyph in one of the fonts: a missing one is an error, not tofu."""
    from matplotlib import font_manager

    fonts = [font_manager.get_font(path) for _, path in _installed(families)]
    for text in texts:
        for ch in set(text) - {"\n"}:
            if not any(font.get_char_index(ord(ch)) for font in fonts):
                raise DataError(
                    msg(
                        "charts.no_glyph",
                        fonts=", ".join(families),
                        char=ch,
                        code=f"{ord(ch):04X}",
                        text=text,
                    ),
                    **where,
                    hint=msg("charts.no_glyph_hint"),
                )


# -- the data model --------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One set of values drawn: a column (bars) or a row across editions (line)."""

    name: str
    values: tuple[float | None, ...]  # table.value() as floats; None where there is none
    texts: tuple[str, ...]  # the same values in the table's number format ("" for None)
    reference: bool = False  # the 合计 row of a line chart, drawn dashed


@dataclass(frozen=True)
class ChartData:
    """Exactly what is drawn, in drawing order (top to bottom, or left to right)."""

    type: str
    labels: tuple[str, ...]  # bars: the rows (counties); line: the editions
    series: tuple[Series, ...]
    reference: float | None = None  # the reference line's value
    reference_text: str = ""  # …in the table's number format ("14.40%")
    reference_label: str = ""  # "合计", "目标", or the spec's reference_label
    highlight: Mapping[str, str] = field(default_factory=dict)  # label -> top|bottom|named
    kind: str = "number"  # the column's type: int | number | percent
    decimals: int | None = None
    thousands: bool = False

    @property
    def values(self) -> tuple[float | None, ...]:
        return self.series[0].values

    @property
    def texts(self) -> tuple[str, ...]:
        return self.series[0].texts


@dataclass(eq=False)
class Chart:
    name: str
    table: str  # the table's name (its anchor on the page: #table-<table>)
    spec: ChartSpec
    title: str
    caption: str  # one sentence from the data: highest, lowest, the reference
    alt: str  # the chart in words: every value, in order
    data: ChartData
    source_note: str | None
    fonts: tuple[str, ...]  # the installed families drawn with
    _svg: bytes | None = field(default=None, repr=False)

    @property
    def place(self) -> str | None:
        return self.spec.place

    @property
    def size(self) -> tuple[float, float]:
        """Width and height in points (as the SVG's width/height attributes say)."""
        from .chartdraw import layout

        w, h = layout(self).size
        return w * 72, h * 72

    @property
    def pixels(self) -> tuple[int, int]:
        """Width and height in CSS pixels, for <img width height>."""
        w, h = self.size
        return round(w * 4 / 3), round(h * 4 / 3)

    def svg(self) -> bytes:
        """The chart as a standalone SVG with width/height, text as paths; deterministic."""
        if self._svg is None:
            self._svg = self._save("svg", metadata={"Date": None, "Creator": None})
        return self._svg

    def png(self, dpi: int = 144) -> bytes:
        """The same figure as PNG (Agg), for previews and checks."""
        return self._save("png", dpi=dpi, metadata={"Software": None})

    def _save(self, fmt: str, **kwargs: Any) -> bytes:
        import matplotlib

        from .chartdraw import draw, rc_params

        with matplotlib.rc_context(rc_params(self.fonts)):
            buffer = io.BytesIO()
            draw(self).savefig(buffer, format=fmt, **kwargs)
        return buffer.getvalue()


# -- building charts from tables -------------------------------------------------------------

History = Sequence[tuple[str, str, Mapping[str, "ComputedTable"]]]


def make_charts(
    tables: Mapping[str, ComputedTable],
    history: History = (),
    fonts: Sequence[str] = DEFAULT_FONTS,
    *,
    label: str = "本期",
) -> dict[str, Chart]:
    """Every chart the tables' specs ask for. ``history``: the earlier editions, oldest first,
    as (edition id, label such as "第11期", tables), for line charts; ``label`` is this
    edition's. Nothing is drawn yet (see :meth:`Chart.svg`); fonts are checked here."""
    charts: dict[str, Chart] = {}
    owner: dict[str, str] = {}
    for table in tables.values():
        sf = table.spec
        if sf is None:
            continue
        for i, spec in enumerate(sf.spec.charts):
            where = {"file": sf.shown, "line": sf.line_of("charts", i, "name"), "field": "name"}
            if spec.name in charts:
                raise DataError(
                    msg("charts.defined_twice", chart=spec.name, table=owner[spec.name]),
                    **where,
                    hint=msg("charts.defined_twice_hint"),
                )
            families = _families(fonts)
            chart = _make(table, sf, i, spec, history, label, families)
            _check_glyphs(_texts(chart), families, where)
            charts[spec.name] = chart
            owner[spec.name] = table.name
    return charts


def compute_charts(
    site: Site,
    tables: Mapping[str, Mapping[str, ComputedTable]],
    *,
    only: set[str] | None = None,
) -> dict[str, dict[str, Chart]]:
    """The build stage: every edition's charts (line charts see the editions before it);
    with `only`, just those editions' charts."""
    result: dict[str, dict[str, Chart]] = {}
    history: list[tuple[str, str, Mapping[str, ComputedTable]]] = []
    years = {e.year for e in site.editions}
    for edition in site.editions:
        number = f"第{edition.config.number}期"
        label = f"{edition.year}年{number}" if len(years) > 1 else number
        own = tables.get(edition.id, {})
        wanted = only is None or edition.id in only
        result[edition.id] = (
            make_charts(own, tuple(history), site.config.fonts.sans, label=label)
            if own and wanted
            else {}
        )
        history.append((edition.id, label, own))
    return result


def _column_format(sf: SpecFile, column: str) -> tuple[str, int | None, bool]:
    for c in sf.spec.columns:
        if c.key == column:
            return c.kind, c.decimals, c.thousands
    return "int", None, False  # the rank


def _make(
    table: ComputedTable,
    sf: SpecFile,
    index: int,
    spec: ChartSpec,
    history: History,
    label: str,
    families: tuple[str, ...],
) -> Chart:
    from .tableview import format_value

    def at(key: str) -> dict[str, Any]:
        return {"file": sf.shown, "line": sf.line_of("charts", index, key), "field": key}

    kind, decimals, thousands = _column_format(sf, spec.columns[0])
    counties = [r.key for r in table.body if not r.is_total]
    has_total = any(r.is_total for r in table.body)
    for name in spec.highlight.names if spec.highlight else []:
        if name not in counties:
            raise DataError(
                msg("charts.highlight_row", chart=spec.name, row=name),
                **at("highlight"),
                hint=msg("charts.rows", names=", ".join(counties)),
            )
    reference, ref_text, ref_label = None, "", spec.reference_label or ""
    if spec.reference == "total" and spec.type != "line":
        total = table.value(table.total_label, spec.columns[0]) if has_total else None
        if total is None:
            raise DataError(
                msg("charts.no_total", chart=spec.name, column=spec.columns[0]),
                **at("reference"),
                hint=msg("charts.no_total_hint"),
            )
        reference, ref_text = float(total), table.cite(table.total_label, spec.columns[0])
        ref_label = ref_label or table.total_label
    elif spec.reference not in (None, "total"):
        exact = parse_number(spec.reference)
        assert exact is not None  # the spec's validator says so
        reference, ref_label = float(exact), ref_label or "目标"
        ref_text = format_value(Fraction(exact), kind, decimals, thousands)
    if spec.type == "line":
        data = _line_data(table, spec, history, label, counties, at)
    else:
        rows = _bar_order(table, spec, counties)
        series = tuple(
            Series(
                c,
                tuple(float(table.value(r, c)) for r in rows),
                tuple(table.cite(r, c) for r in rows),
            )
            for c in spec.columns
        )
        data = ChartData(spec.type, tuple(rows), series)
    data = ChartData(
        data.type,
        data.labels,
        data.series,
        reference,
        ref_text,
        ref_label,
        _highlight(spec, data),
        kind,
        decimals,
        thousands,
    )
    title = spec.title or f"{table.title}（{'、'.join(spec.columns)}）"
    caption, alt = _words(spec, data, title, table.columns[0].label)
    return Chart(
        spec.name,
        table.name,
        spec,
        title,
        caption,
        alt,
        data,
        spec.source_note if spec.source_note is not None else table.source_note,
        families,
    )


def _bar_order(table: ComputedTable, spec: ChartSpec, counties: list[str]) -> list[str]:
    column = spec.columns[0]
    rank = table.spec.spec.rank if table.spec else None
    if spec.type == "rank_bar" and rank and rank.by == column:
        return sorted(counties, key=lambda r: table.ranks[r])  # stable: ties in table order
    if spec.type == "rank_bar" or spec.sort == "desc":
        return sorted(counties, key=lambda r: table.value(r, column), reverse=True)
    if spec.sort == "asc":
        return sorted(counties, key=lambda r: table.value(r, column))
    return counties


def _line_data(
    table: ComputedTable,
    spec: ChartSpec,
    history: History,
    label: str,
    counties: list[str],
    at: Any,
) -> ChartData:
    column = spec.columns[0]
    has_total = any(r.is_total for r in table.body)
    rows = list(spec.rows) if spec.rows else list(counties)
    for r in rows:
        if r not in counties and not (has_total and r in (table.total_label, "合计")):
            raise DataError(
                msg("charts.no_row", chart=spec.name, row=r),
                **at("rows"),
                hint=msg("charts.rows", names=", ".join([*counties, table.total_label])),
            )
    rows = [table.total_label if r == "合计" and r not in counties else r for r in rows]
    if spec.reference == "total" and has_total and table.total_label not in rows:
        rows.append(table.total_label)
    editions = [(lab, t[table.name]) for _, lab, t in history if table.name in t]
    editions.append((label, table))

    def cell(t: ComputedTable, row: str) -> tuple[float | None, str]:
        try:
            v = t.value(row, column)
        except KeyError:  # the row or column is not in that edition's table
            return None, ""
        return (None, "") if v is None else (float(v), t.cite(row, column))

    series = []
    for r in rows:
        cells = [cell(t, r) for _, t in editions]
        series.append(
            Series(
                r,
                tuple(v for v, _ in cells),
                tuple(s for _, s in cells),
                reference=r == table.total_label and spec.reference == "total",
            )
        )
    return ChartData("line", tuple(lab for lab, _ in editions), tuple(series))


def _highlight(spec: ChartSpec, data: ChartData) -> dict[str, str]:
    """label -> "top" | "bottom" | "named": bars (rows) or lines (series by latest value)."""
    h = spec.highlight
    if h is None:
        return {}
    if data.type == "line":
        pairs = [(s.name, s.values[-1]) for s in data.series if not s.reference]
    else:
        pairs = list(zip(data.labels, data.values, strict=True))
    known = [(k, v) for k, v in pairs if v is not None]
    marks: dict[str, str] = {}
    if h.bottom:
        cut = sorted(v for _, v in known)[: h.bottom][-1:] or [None]
        marks.update({k: "bottom" for k, v in known if cut[0] is not None and v <= cut[0]})
    if h.top:
        cut = sorted((v for _, v in known), reverse=True)[: h.top][-1:] or [None]
        marks.update({k: "top" for k, v in known if cut[0] is not None and v >= cut[0]})
    marks.update({k: "named" for k in h.names})
    return marks


def _texts(chart: Chart) -> list[str]:
    d = chart.data
    return [
        chart.title,
        chart.source_note or "",
        d.reference_label,
        d.reference_text,
        *d.labels,
        *(s.name for s in d.series),
        *(t for s in d.series for t in s.texts),
    ]


# -- captions and alt text -------------------------------------------------------------------


def _extremes(labels: Sequence[str], values: Sequence[float | None], texts: Sequence[str]) -> str:
    known = [(lab, v, t) for lab, v, t in zip(labels, values, texts, strict=True) if v is not None]
    if not known:
        return "没有数据"
    hi, lo = max(v for _, v, _ in known), min(v for _, v, _ in known)

    def who(target: float) -> tuple[str, str]:
        names = [lab for lab, v, _ in known if v == target]
        text = next(t for _, v, t in known if v == target)
        return "、".join(names) + ("并列" if len(names) > 1 else ""), text

    (hn, ht), (ln, lt) = who(hi), who(lo)
    if hi == lo:
        return f"{hn}均为{ht}"
    return f"{hn}最高（{ht}），{ln}最低（{lt}）"


def _marks(data: ChartData) -> str:
    count: dict[str, int] = {}
    for mark in data.highlight.values():
        count[mark] = count.get(mark, 0) + 1
    parts = []
    if "top" in count:
        parts.append(f"红色标出最高的{count['top']}个")
    if "bottom" in count:
        parts.append(f"橙色标出最低的{count['bottom']}个")
    if "named" in count:
        names = [k for k, m in data.highlight.items() if m == "named"]
        parts.append(f"{'、'.join(names)}以红色标出")
    return "；".join(parts) + "。" if parts else ""


def _words(spec: ChartSpec, d: ChartData, title: str, key_label: str) -> tuple[str, str]:
    """The caption (highest, lowest, the reference) and the alt text (every value)."""
    ref = f"{d.reference_label}为{d.reference_text}" if d.reference is not None else ""
    dashed = f"{d.reference_label}（{d.reference_text}）" if d.reference is not None else ""
    if d.type == "line":
        drawn = [s for s in d.series if not s.reference]
        span = d.labels[0] if len(d.labels) == 1 else f"{d.labels[0]}至{d.labels[-1]}"
        told = drawn if len(drawn) <= 4 else [s for s in drawn if s.name in d.highlight]
        changes = [_change(s) for s in [*told, *[s for s in d.series if s.reference]]]
        latest = _extremes(
            [s.name for s in drawn], [s.values[-1] for s in drawn], [s.texts[-1] for s in drawn]
        )
        caption = f"{spec.columns[0]}，{span}：" + "；".join(c for c in changes if c)
        if len(drawn) > 1:
            caption += f"{'。' if any(changes) else ''}{d.labels[-1]}{latest}"
        caption += f"；{ref}。" if ref else "。"
        lines = [
            f"{s.name}{'（虚线）' if s.reference else ''}："
            + "，".join(f"{lab}{t or '无数据'}" for lab, t in zip(d.labels, s.texts, strict=True))
            for s in d.series
        ]
        alt = f"{KINDS['line']}：{title}。" + "；".join(lines) + "。"
        alt += f"横虚线为{dashed}。" if dashed else ""
        return caption, alt + _marks(d)
    parts = []
    for s in d.series:
        parts.append(f"{s.name}：{_extremes(d.labels, s.values, s.texts)}")
    caption = "；".join(parts)
    if d.reference is not None and len(d.series) == 1:
        above = sum(1 for v in d.values if v is not None and v > d.reference)
        caption += f"；{ref}，{above}个{key_label}高于{d.reference_label}"
    elif d.reference is not None:
        caption += f"；{ref}"
    caption += "。"
    if len(d.series) == 1:
        known = [v for v in d.values if v is not None]
        pairs = list(itertools.pairwise(known))
        order = (
            f"按{d.series[0].name}从高到低"
            if all(a >= b for a, b in pairs)
            else f"按{d.series[0].name}从低到高"
            if all(a <= b for a, b in pairs)
            else "依次为"
        )
        listed = "，".join(f"{lab}{t}" for lab, t in zip(d.labels, d.texts, strict=True))
        body = f"{order}：{listed}。"
    else:
        body = (
            "；".join(
                f"{lab}：" + "，".join(f"{s.name}{s.texts[i]}" for s in d.series)
                for i, lab in enumerate(d.labels)
            )
            + "。"
        )
    alt = f"{KINDS[d.type]}：{title}。{body}" + (f"虚线为{dashed}。" if dashed else "") + _marks(d)
    return caption, alt


def _change(s: Series) -> str:
    known = [(v, t) for v, t in zip(s.values, s.texts, strict=True) if v is not None]
    if not known:
        return ""
    (first, ft), (last, lt) = known[0], known[-1]
    if len(known) == 1:
        return f"{s.name}{lt}"
    verb = "升至" if last > first else "降至" if last < first else "持平于"
    return f"{s.name}由{ft}{verb}{lt}"
