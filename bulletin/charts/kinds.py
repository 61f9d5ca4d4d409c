"""Chart kinds: one class per kind, registered by its ``type`` in :data:`KINDS`.

A kind says everything about itself in its class: its name (the spec's ``type``) and its
Chinese name, how many columns it draws, whether it draws the earlier editions
(:attr:`ChartKind.history`: the build then computes them first), what it checks in the spec
(:meth:`ChartKind.check`), how its :class:`ChartData` is made from the computed table
(:meth:`ChartKind.data`), how it is laid out and drawn (:meth:`ChartKind.layout`,
:meth:`ChartKind.draw`: a matplotlib ``Figure``, never pyplot), and its caption and alt text
(:meth:`ChartKind.words`). What several kinds share is a method of :class:`ChartKind`, or a
helper of :mod:`bulletin.charts.draw` and :mod:`bulletin.charts.words`.

Defining a subclass with a ``name`` registers it: the spec's validation
(:mod:`bulletin.tablespec`), the build (:func:`bulletin.compute.needs_history`) and the
charts (:mod:`bulletin.charts.chart`) ask the registry, so a new kind is one class here, its
test (tests/test_charts.py), its messages (diagnostics/messages/charts.toml) and its section
of the handbook (docs/charts.md). :class:`StackedBar` was added so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar

from bulletin.charts.data import ChartData, Format, Series
from bulletin.charts.draw import (
    BOTTOM,
    BOTTOM_TEXT,
    COOL,
    FAINT,
    GRID,
    HALO,
    INK,
    LABEL,
    MUTED,
    PALETTE,
    SMALL,
    TOP,
    WIDTH,
    Box,
    add_bars,
    axes_height,
    crosses_reference,
    em,
    end_label,
    fmt,
    frame,
    legend,
    margins,
    mark_colors,
    put,
    reference_above,
    reference_line,
    row_labels,
    spread,
    text_on,
    value_axis,
    value_frame,
    value_limits,
)
from bulletin.charts.words import change, extremes, marks, ordered
from bulletin.compute.columnkinds import KINDS as COLUMN_KINDS
from bulletin.compute.sheets import normalize, parse_number
from bulletin.diagnostics.errors import DataError, Message, msg
from bulletin.kinds import Registered

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from bulletin.charts.data import Drawn, Source
    from bulletin.charts.spec import ChartSpec
    from bulletin.compute.columnkinds import ColumnKind

__all__ = ["KINDS", "ChartKind", "Problem"]

KINDS: dict[str, ChartKind] = {}  # spec type -> kind, in the order the kinds are defined


@dataclass(frozen=True)
class Problem:
    """What a kind finds wrong in a spec: the key it is at, and why."""

    key: str  # "columns", "reference", …: the spec line the error points at
    message: Message
    hint: Message | None = None


class ChartKind(Registered):
    """A kind of chart. The defaults are those of bars, one per row (county) of the table."""

    KINDS = KINDS
    noun = "chart kind"
    name: ClassVar[str]  # the spec's type
    zh: ClassVar[str]  # its name in Chinese: the alt text begins with it
    columns: ClassVar[tuple[int, int]] = (1, 1)  # how many columns it draws: (fewest, most)
    history: ClassVar[bool] = False  # it draws the earlier editions too
    rows: ClassVar[bool] = False  # the spec may name the rows drawn (rows = […])


    # -- the spec ----------------------------------------------------------------------------

    def check(
        self, spec: ChartSpec, columns: Mapping[str, ColumnKind | None]
    ) -> Problem | None:
        """The first thing wrong with ``spec`` for this kind, or None. ``columns``: the kind
        of each column a chart may draw (bulletin.compute.columnkinds); None for the rank."""
        low, high = self.columns
        n = len(spec.columns)
        if not low <= n <= high:
            return Problem(
                "columns",
                msg("tablespec.column_count", type=self.name, want=low, n=n)
                if low == high
                else msg("tablespec.column_range", type=self.name, low=low, high=high, n=n),
            )
        if spec.reference == "total" and n > 1:
            return Problem(
                "reference", msg("tablespec.grouped_total"), msg("tablespec.grouped_total_hint")
            )
        if spec.rows is not None and not self.rows:
            return Problem("rows", msg("tablespec.rows_for_lines"))
        return None

    # -- the data ----------------------------------------------------------------------------

    def data(self, source: Source) -> ChartData:
        """What is drawn, in drawing order: one bar per row, one series per column."""
        table, spec = source.table, source.spec
        rows = self.order(source)
        series = tuple(
            Series(
                c,
                tuple(float(table.value(r, c)) for r in rows),
                tuple(table.cite(r, c) for r in rows),
            )
            for c in spec.columns
        )
        return ChartData(self.name, tuple(rows), series)

    def order(self, source: Source) -> list[str]:
        """The rows in drawing order: the spec's ``sort`` by the first column."""
        table, spec = source.table, source.spec
        column = spec.columns[0]
        if spec.sort == "desc":
            return sorted(source.rows, key=lambda r: table.value(r, column), reverse=True)
        if spec.sort == "asc":
            return sorted(source.rows, key=lambda r: table.value(r, column))
        return list(source.rows)

    def format(self, source: Source) -> Format:
        """The number format of the value axis and of a reference given as a number."""
        return source.formats[source.spec.columns[0]]

    def reference(self, source: Source, form: Format) -> tuple[float | None, str, str]:
        """The reference line: (value, its text, its label); (None, "", label) for none."""
        table, spec = source.table, source.spec
        label = spec.reference_label or ""
        if spec.reference == "total":
            total = table.value(table.total_label, spec.columns[0]) if source.total else None
            if total is None:
                raise DataError(
                    msg("charts.no_total", chart=spec.name, column=spec.columns[0]),
                    **source.at("reference"),
                    hint=msg("charts.no_total_hint"),
                )
            text = table.cite(table.total_label, spec.columns[0])
            return float(total), text, label or table.total_label
        if spec.reference is not None:
            exact = parse_number(spec.reference)
            assert exact is not None  # the spec's validator says so
            text = form.kind.format(Fraction(exact), form.decimals, form.thousands)
            return float(exact), text, label or "目标"
        return None, "", label

    def compared(self, data: ChartData) -> list[tuple[str, float | None]]:
        """(label, value) of what highlight's top and bottom compare: the bars."""
        return list(zip(data.labels, data.values, strict=True))

    def highlight(self, spec: ChartSpec, data: ChartData) -> dict[str, str]:
        """label -> "top" | "bottom" | "named", as the spec's highlight asks."""
        h = spec.highlight
        if h is None:
            return {}
        known = [(k, v) for k, v in self.compared(data) if v is not None]
        found: dict[str, str] = {}
        if h.bottom:
            cut = sorted(v for _, v in known)[: h.bottom][-1:] or [None]
            found.update({k: "bottom" for k, v in known if cut[0] is not None and v <= cut[0]})
        if h.top:
            cut = sorted((v for _, v in known), reverse=True)[: h.top][-1:] or [None]
            found.update({k: "top" for k, v in known if cut[0] is not None and v >= cut[0]})
        found.update({k: "named" for k in h.names})
        return found

    # -- in words ----------------------------------------------------------------------------

    def words(self, spec: ChartSpec, d: ChartData, title: str, key_label: str) -> tuple[str, str]:
        """The caption (highest, lowest, the reference) and the alt text (every value)."""
        ref = f"{d.reference_label}为{d.reference_text}" if d.reference is not None else ""
        dashed = f"{d.reference_label}（{d.reference_text}）" if d.reference is not None else ""
        parts = []
        for s in d.series:
            parts.append(f"{s.name}：{extremes(d.labels, s.values, s.texts)}")
        caption = "；".join(parts)
        if d.reference is not None and len(d.series) == 1:
            above = sum(1 for v in d.values if v is not None and v > d.reference)
            caption += f"；{ref}，{above}个{key_label}高于{d.reference_label}"
        elif d.reference is not None:
            caption += f"；{ref}"
        caption += "。"
        if len(d.series) == 1:
            listed = "，".join(f"{lab}{t}" for lab, t in zip(d.labels, d.texts, strict=True))
            body = f"{ordered(d.series[0].name, d.values)}：{listed}。"
        else:
            body = (
                "；".join(
                    f"{lab}：" + "，".join(f"{s.name}{s.texts[i]}" for s in d.series)
                    for i, lab in enumerate(d.labels)
                )
                + "。"
            )
        alt = f"{self.zh}：{title}。{body}" + (f"虚线为{dashed}。" if dashed else "") + marks(d)
        return caption, alt

    # -- drawing -----------------------------------------------------------------------------

    def figure(self, chart: Drawn) -> Figure:
        """A new Figure of the chart (inside ``rc_context(draw.rc_params(fonts))``)."""
        box = self.layout(chart)
        fig, ax = frame(chart, box)
        self.draw(chart, fig, ax, box)
        return fig

    def layout(self, chart: Drawn) -> Box:
        """The figure's size and the margins around its axes, in inches."""
        raise NotImplementedError

    def draw(self, chart: Drawn, fig: Figure, ax: Axes, box: Box) -> None:
        """Draw the data into the axes ``ax`` of ``fig`` (title and source are drawn)."""
        raise NotImplementedError


# -- bars --------------------------------------------------------------------------------------


class _HorizontalBars(ChartKind):
    """Horizontal bars, one per row, the first at the top; several columns side by side."""

    def layout(self, chart: Drawn) -> Box:
        d = chart.data
        top, bottom = margins(chart)
        n = len(d.labels)
        left = max(em(lab, LABEL) for lab in d.labels) / 72 + 0.18
        if len(d.series) > 1:
            top += 0.32  # the legend
        if d.reference is not None:
            top += 0.26  # the reference label above the bars
        per = 0.3 if len(d.series) == 1 else 0.2 * len(d.series) + 0.12
        right = 0.25 if not chart.spec.labels else 0.1
        bottom += 0.0 if chart.spec.labels else 0.3
        return Box(left, right, top, bottom, WIDTH, top + bottom + n * per + 0.1)

    def draw(self, chart: Drawn, fig: Figure, ax: Axes, box: Box) -> None:
        d = chart.data
        n, k = len(d.labels), len(d.series)
        height = 0.72 / k if k > 1 else 0.66
        values = [v for s in d.series for v in s.values if v is not None]
        lo, hi = value_limits(values, d.reference, 0.16 if chart.spec.labels else 0.04)
        ax.set_xlim(lo, hi)
        ax.set_ylim(n - 0.5, -0.5)  # the first label at the top
        per_pt = (hi - lo) / ((box.width - box.left - box.right) * 72)  # data units per point
        size = SMALL if k > 1 else LABEL - 0.5
        for j, s in enumerate(d.series):
            offset = (j - (k - 1) / 2) * height
            ys = [i + offset for i in range(n)]
            colors = mark_colors(d, d.labels) if k == 1 else [PALETTE[j % len(PALETTE)]] * n
            add_bars(ax, ys, s.values, height * (0.92 if k > 1 else 1), colors, horizontal=True)
            if not chart.spec.labels:
                continue
            for y, v, t in zip(ys, s.values, s.texts, strict=True):
                if v is None:
                    continue
                sign = 1 if v >= 0 else -1
                width = em(t, size) + 4
                crosses = crosses_reference(v, sign * width, d.reference, per_pt)
                inside = crosses and abs(v) / per_pt > width + 4
                # a label the reference line would run through goes inside the end of its bar
                end_label(ax, y, v, t, horizontal=True, gap=4, inside=inside, crosses=crosses,
                          size=size, fill=colors[round(y - offset)])  # fmt: skip
        row_labels(ax, d.labels)
        value_frame(chart, ax, (lo, hi))
        lift = reference_above(ax, d, box)
        if k > 1:
            legend(ax, [s.name for s in d.series], PALETTE, lift)


class RankBar(_HorizontalBars):
    """条形图: horizontal bars of one column, rank 1 at the top (largest first when the
    table does not rank this column)."""

    name = "rank_bar"
    zh = "条形图"

    def order(self, source: Source) -> list[str]:
        table, column = source.table, source.spec.columns[0]
        if source.ranked_by == column:
            return sorted(source.rows, key=lambda r: table.ranks[r])  # stable: ties in order
        return sorted(source.rows, key=lambda r: table.value(r, column), reverse=True)


class Bar(ChartKind):
    """柱状图: vertical bars of one column, in the spec's ``sort`` order."""

    name = "bar"
    zh = "柱状图"

    def layout(self, chart: Drawn) -> Box:
        d = chart.data
        top, bottom = margins(chart)
        n = len(d.labels)
        ref_w = em(f"{d.reference_label} {d.reference_text}", SMALL) / 72 if d.reference else 0
        slot = (WIDTH - 0.6 - ref_w) * 72 / max(n, 1)
        stacked = max(em(lab, LABEL) for lab in d.labels) > slot * 0.9
        rows = max(len(lab) for lab in d.labels) if stacked else 1
        left = 0.15 if chart.spec.labels else 0.6
        return Box(
            left,
            0.15 + ref_w,
            top,
            bottom + 0.12 + rows * LABEL * 1.25 / 72,
            WIDTH,
            top + bottom + 3.2 + rows * LABEL * 1.25 / 72,
        )

    def draw(self, chart: Drawn, fig: Figure, ax: Axes, box: Box) -> None:
        d = chart.data
        n = len(d.labels)
        values = [v for v in d.values if v is not None]
        lo, hi = value_limits(values, d.reference, 0.12 if chart.spec.labels else 0.04)
        ax.set_ylim(lo, hi)
        ax.set_xlim(-0.6, n - 0.4)
        colors = mark_colors(d, d.labels)
        add_bars(ax, range(n), d.values, 0.62, colors, horizontal=False)
        per_pt = (hi - lo) / (axes_height(box) * box.height * 72)
        if chart.spec.labels:
            for i, (v, t) in enumerate(zip(d.values, d.texts, strict=True)):
                if v is not None:
                    sign = 1 if v >= 0 else -1
                    crosses = crosses_reference(v, sign * (SMALL + 3), d.reference, per_pt)
                    inside = crosses and abs(v) / per_pt > SMALL * 2
                    end_label(ax, i, v, t, horizontal=False, gap=3, inside=inside,
                              crosses=crosses, size=SMALL, fill=colors[i])  # fmt: skip
            ax.yaxis.set_visible(False)
            ax.spines["left"].set_visible(False)
        else:
            value_axis(ax.yaxis, d, (lo, hi))
            ax.grid(axis="y", color=GRID, linewidth=0.6, zorder=0)
        slot = (box.width - box.left - box.right) * 72 / max(n, 1)
        stacked = max(em(lab, LABEL) for lab in d.labels) > slot * 0.9
        for i, label in enumerate(d.labels):
            put(
                ax,
                i,
                0,
                "\n".join(label) if stacked else label,
                dy=-5,
                coords=("data", "axes"),
                ha="center",
                va="top",
                fontsize=LABEL,
                linespacing=1.15,
            )
        ax.set_xticks([])
        ax.spines["bottom"].set_color(MUTED)
        if d.reference is not None:
            reference_line(ax, d, vertical=False)


class GroupedBar(_HorizontalBars):
    """分组条形图: horizontal bars, a group per row, one bar per column (2–6)."""

    name = "grouped_bar"
    zh = "分组条形图"
    columns = (2, 6)


# -- lines -------------------------------------------------------------------------------------


class Line(ChartKind):
    """折线图: the rows' values of one column across the archive's editions; the reference
    "total" draws the 合计 row as a dashed line."""

    name = "line"
    zh = "折线图"
    history = True
    rows = True

    def data(self, source: Source) -> ChartData:
        table, spec = source.table, source.spec
        column = spec.columns[0]
        counties = list(source.rows)
        rows = list(spec.rows) if spec.rows else list(counties)
        # the totals row: 合计, or its label in either width (合计(全市), 合计（全市）)
        totals = {"合计", normalize(table.total_label)} if source.total else set()
        for r in rows:
            if r not in counties and normalize(r) not in totals:
                raise DataError(
                    msg("charts.no_row", chart=spec.name, row=r),
                    **source.at("rows"),
                    hint=msg("charts.rows", names=", ".join([*counties, table.total_label])),
                )
        rows = [r if r in counties else table.total_label for r in rows]
        if spec.reference == "total" and source.total and table.total_label not in rows:
            rows.append(table.total_label)
        editions = [*source.history, (source.label, table)]

        def cell(t: Any, row: str) -> tuple[float | None, str]:
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
        return ChartData(self.name, tuple(lab for lab, _ in editions), tuple(series))

    def reference(self, source: Source, form: Format) -> tuple[float | None, str, str]:
        if source.spec.reference == "total":  # drawn as a line of its own (see data)
            return None, "", source.spec.reference_label or ""
        return super().reference(source, form)

    def compared(self, data: ChartData) -> list[tuple[str, float | None]]:
        """The lines, by their latest value."""
        return [(s.name, s.values[-1]) for s in data.series if not s.reference]

    def words(self, spec: ChartSpec, d: ChartData, title: str, key_label: str) -> tuple[str, str]:
        ref = f"{d.reference_label}为{d.reference_text}" if d.reference is not None else ""
        dashed = f"{d.reference_label}（{d.reference_text}）" if d.reference is not None else ""
        drawn = [s for s in d.series if not s.reference]
        span = d.labels[0] if len(d.labels) == 1 else f"{d.labels[0]}至{d.labels[-1]}"
        told = drawn if len(drawn) <= 4 else [s for s in drawn if s.name in d.highlight]
        changes = [change(s) for s in [*told, *[s for s in d.series if s.reference]]]
        latest = extremes(
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
        alt = f"{self.zh}：{title}。" + "；".join(lines) + "。"
        alt += f"横虚线为{dashed}。" if dashed else ""
        return caption, alt + marks(d)

    def layout(self, chart: Drawn) -> Box:
        d = chart.data
        top, bottom = margins(chart)
        ends = max(em(f"{s.name} {s.texts[-1]}", SMALL) for s in d.series) / 72
        ticks = (
            max(
                em(fmt(v, d), SMALL)
                for v in (0.0, *(v for s in d.series for v in s.values if v is not None))
            )
            / 72
        )
        two = any("年" in label for label in d.labels)  # tick labels in two lines: year, number
        extra = 0.35 + (LABEL * 1.2 / 72 if two else 0)
        return Box(
            ticks + 0.2, ends + 0.15, top + 0.1, bottom + extra, WIDTH, top + bottom + 3.05 + extra
        )

    def draw(self, chart: Drawn, fig: Figure, ax: Axes, box: Box) -> None:
        d = chart.data
        n = len(d.labels)
        xs = list(range(n))
        values = [v for s in d.series for v in s.values if v is not None]
        lo, hi = value_limits(values, d.reference, 0.08)
        ax.set_ylim(lo, hi)
        ax.set_xlim(-0.25 if n > 1 else -0.5, n - 0.75 if n > 1 else 0.5)
        drawn = [s for s in d.series if not s.reference]
        many = len(drawn) > len(COOL)
        starts: list[tuple[float, float, str, str]] = []  # (x, value, text, colour)
        ends: list[tuple[float, float, str, str]] = []
        color_of = iter(COOL if d.highlight else PALETTE)
        for s in d.series:
            width, style = 2.0, "-"
            if s.reference:
                color, width, style = INK, 1.4, (0, (4, 3))
            elif s.name in d.highlight:
                color = BOTTOM if d.highlight[s.name] == "bottom" else TOP
            elif many:
                color, width = FAINT, 1.0
            else:
                color = next(color_of, MUTED)
            ys = [math.nan if v is None else v for v in s.values]
            ax.plot(
                xs,
                ys,
                color=color,
                linewidth=width,
                linestyle=style,
                marker="o",
                markersize=4 if style == "-" else 3,
                zorder=3 if color != FAINT else 2,
            )
            points = [
                (x, v, t) for x, v, t in zip(xs, s.values, s.texts, strict=True) if v is not None
            ]
            if not points or (color == FAINT and d.highlight):
                continue
            x, v, t = points[-1]
            ends.append((x, v, f"{s.name} {t}" if chart.spec.labels else s.name, color))
            if chart.spec.labels and len(points) > 1:
                starts.append((*points[0], color))
        if d.reference is not None:
            ax.hlines(
                d.reference,
                ax.get_xlim()[0],
                n - 1,
                color=INK,
                linewidth=1,
                linestyle=(0, (4, 3)),
                zorder=1,
            )  # stops where its label begins
            ends.append((n - 1, d.reference, f"{d.reference_label} {d.reference_text}", INK))
        # labels: names and latest values right of the lines, first values left of them; each
        # column of labels pushed apart so that none overlap
        gap = (SMALL * 1.35) / (axes_height(box) * box.height * 72) * (hi - lo)
        for labels, dx, ha in ((ends, 8, "left"), (starts, -8, "right")):
            labels.sort(key=lambda e: e[1])
            for (x, _, text, color), y in zip(
                labels, spread([e[1] for e in labels], gap, hi), strict=True
            ):
                put(
                    ax,
                    x,
                    y,
                    text,
                    dx=dx,
                    ha=ha,
                    va="center",
                    fontsize=SMALL,
                    zorder=4,
                    color={FAINT: MUTED, BOTTOM: BOTTOM_TEXT}.get(color, color),
                    bbox={**HALO, "boxstyle": "square,pad=0.1"},
                )
        value_axis(ax.yaxis, d, (lo, hi))
        ax.grid(axis="y", color=GRID, linewidth=0.6, zorder=0)
        # every edition's label when there is room, else every k-th one (always the latest)
        slot = (box.width - box.left - box.right) * 72 / max(n - 0.5, 1)
        step = math.ceil(max(em(lab.split("年")[-1], LABEL) for lab in d.labels) * 1.3 / slot)
        shown = [i for i in xs if (n - 1 - i) % step == 0]
        ax.set_xticks(shown, [d.labels[i].replace("年", "年\n", 1) for i in shown])
        ax.tick_params(axis="x", labelsize=LABEL)


# -- stacked bars ------------------------------------------------------------------------------


class StackedBar(ChartKind):
    """堆积条形图: horizontal bars, one per row, each the sum of 2–6 columns that add up
    (counts or amounts, such as 已脱贫户数 and 监测户数), one segment per column; the sum at
    the bar's end. Percentages and the rank do not add up: they are refused. Sorted by the
    sum (``sort``); highlight marks rows by their sum, in the colour of their name."""

    name = "stacked_bar"
    zh = "堆积条形图"
    columns = (2, 6)

    def check(
        self, spec: ChartSpec, columns: Mapping[str, ColumnKind | None]
    ) -> Problem | None:
        for column in spec.columns:
            kind = columns.get(column)
            if column in columns and kind is None:  # the rank
                return Problem(
                    "columns",
                    msg("charts.stack_rank", chart=spec.name, column=column),
                    msg("charts.stack_hint"),
                )
            if kind is not None and not kind.adds_up:  # a percentage
                return Problem(
                    "columns",
                    msg("charts.stack_percent", chart=spec.name, column=column, what=kind.what()),
                    msg("charts.stack_hint"),
                )
        return super().check(spec, columns)

    def format(self, source: Source) -> Format:
        """The sums': the columns' format when they share one, else the most decimals."""
        used = [source.formats[c] for c in source.spec.columns]
        if len(set(used)) == 1:
            return used[0]
        kinds = {f.kind.name for f in used}
        return Format(
            used[0].kind if len(kinds) == 1 else COLUMN_KINDS["number"],
            max(f.decimals if f.decimals is not None else f.kind.places for f in used),
            any(f.thousands for f in used),
        )

    def data(self, source: Source) -> ChartData:
        table, spec = source.table, source.spec
        exact = {r: [table.value(r, c) for c in spec.columns] for r in source.rows}
        sums = {r: sum(v for v in vs if v is not None) for r, vs in exact.items()}
        rows = list(source.rows)
        if spec.sort != "table":  # stable: equal sums in table order
            rows.sort(key=lambda r: sums[r], reverse=spec.sort == "desc")
        series = tuple(
            Series(
                c,
                tuple(None if exact[r][j] is None else float(exact[r][j]) for r in rows),
                tuple(table.cite(r, c) for r in rows),
            )
            for j, c in enumerate(spec.columns)
        )
        form = self.format(source)
        totals = Series(
            "合计",
            tuple(float(sums[r]) for r in rows),
            tuple(form.kind.format(sums[r], form.decimals, form.thousands) for r in rows),
        )
        return ChartData(self.name, tuple(rows), series, totals=totals)

    def compared(self, data: ChartData) -> list[tuple[str, float | None]]:
        """The bars, by their sum."""
        assert data.totals is not None
        return list(zip(data.labels, data.totals.values, strict=True))

    def words(self, spec: ChartSpec, d: ChartData, title: str, key_label: str) -> tuple[str, str]:
        assert d.totals is not None
        names = "、".join(s.name for s in d.series)
        caption = f"{names}合计：{extremes(d.labels, d.totals.values, d.totals.texts)}"
        dashed = ""
        if d.reference is not None:
            above = sum(1 for v in d.totals.values if v is not None and v > d.reference)
            caption += f"；{d.reference_label}为{d.reference_text}"
            caption += f"，{above}个{key_label}高于{d.reference_label}"
            dashed = f"虚线为{d.reference_label}（{d.reference_text}）。"
        rows = [
            f"{lab}：" + "，".join(f"{s.name}{s.texts[i] or '无数据'}" for s in d.series)
            + f"，合计{d.totals.texts[i]}"
            for i, lab in enumerate(d.labels)
        ]
        alt = f"{self.zh}：{title}。{ordered('合计', d.totals.values)}：" + "；".join(rows) + "。"
        alt += dashed + marks(d)
        caption += "。"
        return caption, alt

    def layout(self, chart: Drawn) -> Box:
        d = chart.data
        top, bottom = margins(chart)
        left = max(em(lab, LABEL) for lab in d.labels) / 72 + 0.18
        top += 0.32  # the legend
        if d.reference is not None:
            top += 0.26  # the reference label above the bars
        bottom += 0.0 if chart.spec.labels else 0.3
        return Box(left, 0.1, top, bottom, WIDTH, top + bottom + len(d.labels) * 0.34 + 0.1)

    def draw(self, chart: Drawn, fig: Figure, ax: Axes, box: Box) -> None:
        d = chart.data
        assert d.totals is not None
        n = len(d.labels)
        # segments from zero outwards: positive ones to the right, negative ones to the left
        ends = [[0.0, 0.0] for _ in range(n)]  # each bar's (right, left) end
        for s in d.series:
            for i, v in enumerate(s.values):
                ends[i][v is not None and v < 0] += v or 0.0
        labelled = chart.spec.labels
        lo, hi = value_limits([e for pair in ends for e in pair], d.reference,
                              0.16 if labelled else 0.04)  # fmt: skip
        ax.set_xlim(lo, hi)
        ax.set_ylim(n - 0.5, -0.5)  # the first row at the top
        per_pt = (hi - lo) / ((box.width - box.left - box.right) * 72)  # data units per point
        height = 0.62
        from matplotlib.collections import PolyCollection

        starts = [[0.0, 0.0] for _ in range(n)]
        for j, s in enumerate(d.series):
            fill = COOL[j % len(COOL)]
            shapes = []
            for i, (v, t) in enumerate(zip(s.values, s.texts, strict=True)):
                if not v:
                    continue
                side = v < 0
                a, b = starts[i][side], starts[i][side] + v
                starts[i][side] = b
                y0, y1 = i - height / 2, i + height / 2
                shapes.append([(a, y0), (b, y0), (b, y1), (a, y1)])
                if labelled and abs(v) / per_pt >= em(t, SMALL) + 10:  # the value, if it fits
                    put(ax, (a + b) / 2, i, t, ha="center", va="center", fontsize=SMALL,
                        color=text_on(fill), zorder=4)  # fmt: skip
            ax.add_collection(
                PolyCollection(
                    shapes, facecolors=fill, edgecolors="white", linewidths=0.6, zorder=2
                ),
                autolim=False,
            )
        names = [
            {"top": TOP, "bottom": BOTTOM_TEXT, "named": TOP}.get(d.highlight.get(lab, ""), INK)
            for lab in d.labels
        ]
        if labelled:  # the sum at the bar's end
            for i, ((right, left), v, t) in enumerate(
                zip(ends, d.totals.values, d.totals.texts, strict=True)
            ):
                at, sign = (left, -1) if v is not None and v < 0 else (right, 1)
                width = em(t, LABEL - 0.5) + 4
                crosses = crosses_reference(at, sign * width, d.reference, per_pt)
                put(ax, at, i, t, dx=sign * 4, va="center", ha="left" if sign > 0 else "right",
                    fontsize=LABEL - 0.5, zorder=4, color=names[i],
                    bbox=HALO if crosses else None)  # fmt: skip
        row_labels(ax, d.labels, names)
        value_frame(chart, ax, (lo, hi))
        lift = reference_above(ax, d, box)
        legend(ax, [s.name for s in d.series], COOL, lift)

