"""Charts made from computed tables: :class:`Chart` (its data, caption, alt text; drawn when
its SVG is asked for) and :func:`make_charts`, the charts of one edition (the compute
stage, bulletin.compute, calls it for each). What differs between kinds is asked of the
chart's kind (:mod:`.kinds`)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from bulletin import punctuation
from bulletin.charts.data import Format, Source
from bulletin.charts.draw import rc_params
from bulletin.charts.fonts import DEFAULT_FONTS, check_glyphs, installed_families
from bulletin.charts.kinds import KINDS, ChartKind
from bulletin.diagnostics.errors import DataError, msg

if TYPE_CHECKING:
    from bulletin.charts.data import ChartData
    from bulletin.charts.spec import ChartSpec
    from bulletin.compute.tablespec import SpecFile
    from bulletin.compute.tableview import ComputedTable


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
    def kind(self) -> ChartKind:
        return KINDS[self.data.type]

    @property
    def place(self) -> str | None:
        return self.spec.place

    @property
    def size(self) -> tuple[float, float]:
        """Width and height in points (as the SVG's width/height attributes say)."""
        w, h = self.kind.layout(self).size
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

        with matplotlib.rc_context(rc_params(self.fonts)):
            buffer = io.BytesIO()
            self.kind.figure(self).savefig(buffer, format=fmt, **kwargs)
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
    as (edition id, label such as "第11期", tables), for kinds that draw them (line); ``label``
    is this edition's. Nothing is drawn yet (see :meth:`Chart.svg`); fonts are checked here."""
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
            families = installed_families(fonts)
            chart = _make(table, sf, i, spec, history, label, families)
            check_glyphs(_texts(chart), families, where)
            charts[spec.name] = chart
            owner[spec.name] = table.name
    return charts


def _formats(sf: SpecFile) -> dict[str, Format]:
    """The number format of each column a chart may draw (the rank's is int's)."""
    formats: dict[str, Format] = {}
    for c in sf.spec.columns:
        formats.setdefault(c.key, Format(c.kind, c.decimals, c.thousands))
    if sf.spec.rank:
        formats.setdefault(sf.spec.rank.name, Format())
    return formats


def _make(
    table: ComputedTable,
    sf: SpecFile,
    index: int,
    spec: ChartSpec,
    history: History,
    label: str,
    families: tuple[str, ...],
) -> Chart:
    def at(key: str) -> dict[str, Any]:
        return {"file": sf.shown, "line": sf.line_of("charts", index, key), "field": key}

    kind = KINDS[spec.type]
    counties = tuple(r.key for r in table.body if not r.is_total)
    for name in spec.highlight.names if spec.highlight else []:
        if name not in counties:
            raise DataError(
                msg("charts.highlight_row", chart=spec.name, row=name),
                **at("highlight"),
                hint=msg("charts.rows", names=", ".join(counties)),
            )
    earlier = [(lab, t[table.name]) for _, lab, t in history if table.name in t]
    source = Source(
        table=table,
        spec=spec,
        rows=counties,
        total=any(r.is_total for r in table.body),
        ranked_by=sf.spec.rank.by if sf.spec.rank else None,
        history=tuple(earlier) if kind.history else (),
        label=label,
        formats=_formats(sf),
        at=at,
    )
    form = kind.format(source)
    reference, ref_text, ref_label = kind.reference(source, form)
    data = kind.data(source)
    data = replace(
        data,
        reference=reference,
        reference_text=ref_text,
        reference_label=ref_label,
        highlight=kind.highlight(spec, data),
        kind=form.kind.name,
        decimals=form.decimals,
        thousands=form.thousands,
    )
    title = spec.title or f"{table.title}（{'、'.join(spec.columns)}）"
    # the key column's name in the prose with the prose's punctuation: 5个县（市、区）高于合计
    # even when the county's sheet heads the column 县(市、区) (the table shows it as sent)
    key = punctuation.convert(table.columns[0].label)
    caption, alt = kind.words(spec, data, title, key)
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


def _texts(chart: Chart) -> list[str]:
    """Every text drawn (each character must have a glyph)."""
    d = chart.data
    return [
        chart.title,
        chart.source_note or "",
        d.reference_label,
        d.reference_text,
        *d.labels,
        *(s.name for s in d.series),
        *(t for s in d.series for t in s.texts),
        *(d.totals.texts if d.totals else ()),
    ]
