"""Drawing the charts of :mod:`bulletin.charts`: matplotlib ``Figure`` objects, no pyplot.

Everything drawn comes from :class:`bulletin.charts.ChartData`. Layout is computed, not
measured (no ``tight_layout``): margins from the labels' lengths, CJK characters one em
wide. Labels are plain text artists (tick objects cost milliseconds each); bars are one
collection. A value label the reference line would cross goes inside its bar's end. Call
:func:`draw` inside ``matplotlib.rc_context(rc_params(fonts))``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .tableview import format_value

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .charts import Chart, ChartData

# Colours: the theme's ink and red; a quiet slate for ordinary bars.
INK, MUTED, GRID = "#1b1b1b", "#5c5c5c", "#d9d9d9"
BASE, TOP, BOTTOM = "#6f8296", "#c8161d", "#e8a33a"
BOTTOM_TEXT = "#a86400"  # the orange, dark enough for text
PALETTE = ("#c8161d", "#1f5fa8", "#e08a00", "#2e8b57", "#7b4fa0", "#8c564b")
COOL = ("#1f5fa8", "#2e8b57", "#7b4fa0", "#8c564b", "#4f9fcf", "#6f8296")  # beside red/orange
FAINT = "#bcbcbc"

WIDTH = 7.5  # inches: 540 pt, 720 px on screen
LABEL, SMALL, TITLE = 10.5, 9.0, 13.0  # font sizes in pt


def rc_params(families: tuple[str, ...]) -> dict[str, Any]:
    """The settings a chart is drawn with (only ever inside ``rc_context``)."""
    return {
        "font.family": list(families),
        "font.size": LABEL,
        "svg.fonttype": "path",
        "svg.hashsalt": "bulletin-chart",
        "svg.image_inline": True,
        "axes.unicode_minus": False,
        "axes.edgecolor": MUTED,
        "text.color": INK,
        "xtick.color": MUTED,
        "ytick.color": MUTED,
        "xtick.labelcolor": INK,
        "ytick.labelcolor": INK,
        "figure.dpi": 72,
        "savefig.dpi": 72,
        "savefig.facecolor": "white",
        "path.simplify": False,
    }


def _em(text: str, size: float) -> float:
    """Estimated width in points: CJK characters are one em, others about 0.6."""
    return sum(size if ord(ch) > 0x2E7F else 0.6 * size for ch in text)


@dataclass(frozen=True)
class _Box:
    """Margins and sizes in inches."""

    left: float
    right: float
    top: float
    bottom: float
    width: float
    height: float

    @property
    def size(self) -> tuple[float, float]:
        return self.width, self.height


def layout(chart: Chart) -> _Box:
    d = chart.data
    top = 0.5 if chart.title else 0.15
    bottom = 0.38 if chart.source_note else 0.12
    n = len(d.labels)
    ref_w = _em(f"{d.reference_label} {d.reference_text}", SMALL) / 72 if d.reference else 0
    if d.type in ("rank_bar", "grouped_bar"):
        left = max(_em(lab, LABEL) for lab in d.labels) / 72 + 0.18
        if len(d.series) > 1:
            top += 0.32  # the legend
        if d.reference is not None:
            top += 0.26  # the reference label above the bars
        per = 0.3 if len(d.series) == 1 else 0.2 * len(d.series) + 0.12
        right = 0.25 if not chart.spec.labels else 0.1
        bottom += 0.0 if chart.spec.labels else 0.3
        return _Box(left, right, top, bottom, WIDTH, top + bottom + n * per + 0.1)
    if d.type == "bar":
        slot = (WIDTH - 0.6 - ref_w) * 72 / max(n, 1)
        stacked = max(_em(lab, LABEL) for lab in d.labels) > slot * 0.9
        rows = max(len(lab) for lab in d.labels) if stacked else 1
        left = 0.15 if chart.spec.labels else 0.6
        return _Box(
            left,
            0.15 + ref_w,
            top,
            bottom + 0.12 + rows * LABEL * 1.25 / 72,
            WIDTH,
            top + bottom + 3.2 + rows * LABEL * 1.25 / 72,
        )
    # line
    ends = max(_em(f"{s.name} {s.texts[-1]}", SMALL) for s in d.series) / 72
    ticks = (
        max(
            _em(_fmt(v, d), SMALL)
            for v in (0.0, *(v for s in d.series for v in s.values if v is not None))
        )
        / 72
    )
    two = any("年" in label for label in d.labels)  # tick labels in two lines: year, number
    extra = 0.35 + (LABEL * 1.2 / 72 if two else 0)
    return _Box(
        ticks + 0.2, ends + 0.15, top + 0.1, bottom + extra, WIDTH, top + bottom + 3.05 + extra
    )


def _fmt(value: float, d: ChartData, decimals: int | None = None) -> str:
    places = d.decimals if decimals is None else decimals
    return format_value(Fraction(value).limit_denominator(10**12), d.kind, places, d.thousands)


def _tick_formatter(d: ChartData, ticks: Sequence[float]) -> Any:
    """Ticks in the table's format, with as few decimals as the ticks need."""
    from matplotlib.ticker import FixedFormatter

    scale = 100 if d.kind == "percent" else 1
    most = d.decimals if d.decimals is not None else (0 if d.kind == "int" else 2)
    places = next(
        (
            p
            for p in range(most + 1)
            if all(abs(round(t * scale, p) - t * scale) < 1e-9 for t in ticks)
        ),
        most,
    )
    return FixedFormatter([_fmt(t, d, places) for t in ticks])


# behind value labels: a reference line running through a label must not strike it out
_HALO = {"boxstyle": "square,pad=0.25", "facecolor": "white", "edgecolor": "none"}


def _on(fill: str) -> str:
    """Text colour on a bar of colour ``fill`` (#rrggbb): ink on light fills, else white."""
    r, g, b = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return INK if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "white"


def _colors(d: ChartData, labels: Sequence[str], default: str = BASE) -> list[str]:
    return [
        {"top": TOP, "bottom": BOTTOM, "named": TOP}.get(d.highlight.get(lab, ""), default)
        for lab in labels
    ]


def _frame(chart: Chart) -> tuple[Figure, Axes, _Box]:
    from matplotlib.figure import Figure

    box = layout(chart)
    fig = Figure(figsize=box.size)
    ax = fig.add_axes(
        (
            box.left / box.width,
            box.bottom / box.height,
            1 - (box.left + box.right) / box.width,
            1 - (box.top + box.bottom) / box.height,
        )
    )
    if chart.title:
        fig.text(
            0.12 / box.width,
            1 - 0.12 / box.height,
            chart.title,
            ha="left",
            va="top",
            fontsize=TITLE,
            fontweight="bold",
        )
    if chart.source_note:
        fig.text(
            0.12 / box.width,
            0.1 / box.height,
            chart.source_note,
            ha="left",
            va="bottom",
            fontsize=SMALL,
            color=MUTED,
        )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax, box


def draw(chart: Chart) -> Figure:
    """A new Figure of the chart."""
    fig, ax, box = _frame(chart)
    {"rank_bar": _hbars, "grouped_bar": _hbars, "bar": _vbars, "line": _lines}[chart.data.type](
        chart, fig, ax, box
    )
    return fig


def _value_limits(values: Sequence[float], reference: float | None, room: float) -> tuple:
    lo = min(0.0, *values, *([reference] if reference is not None else []))
    hi = max(0.0, *values, *([reference] if reference is not None else []))
    span = (hi - lo) or 1.0
    return (lo - span * room if lo < 0 else 0.0), hi + span * room


def _put(
    ax: Axes,
    x: float,
    y: float,
    text: str,
    *,
    dx: float = 0,
    dy: float = 0,
    coords: tuple[str, str] = ("data", "data"),
    **kwargs: Any,
) -> Any:
    """Text at (x, y) moved by (dx, dy) points; each coordinate in "data" or "axes" units.
    (Plain text, not tick labels or annotations: ticks cost a few ms each to build.)"""
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory

    tx, ty = (ax.transData if c == "data" else ax.transAxes for c in coords)
    where = tx if tx is ty else blended_transform_factory(tx, ty)
    if dx or dy:
        where = where + ScaledTranslation(dx / 72, dy / 72, ax.figure.dpi_scale_trans)
    return ax.text(x, y, text, transform=where, **kwargs)


def _crosses(start: float, width_pt: float, reference: float | None, per_pt: float) -> bool:
    """Whether a label from ``start`` (data units) ``width_pt`` long covers the reference."""
    if reference is None:
        return False
    end = start + width_pt * per_pt
    return min(start, end) <= reference <= max(start, end)


def _hbars(chart: Chart, fig: Figure, ax: Axes, box: _Box) -> None:
    d = chart.data
    n, k = len(d.labels), len(d.series)
    height = 0.72 / k if k > 1 else 0.66
    values = [v for s in d.series for v in s.values if v is not None]
    lo, hi = _value_limits(values, d.reference, 0.16 if chart.spec.labels else 0.04)
    ax.set_xlim(lo, hi)
    ax.set_ylim(n - 0.5, -0.5)  # the first label at the top
    per_pt = (hi - lo) / ((box.width - box.left - box.right) * 72)  # data units per point
    size = SMALL if k > 1 else LABEL - 0.5
    for j, s in enumerate(d.series):
        offset = (j - (k - 1) / 2) * height
        ys = [i + offset for i in range(n)]
        colors = _colors(d, d.labels) if k == 1 else [PALETTE[j % len(PALETTE)]] * n
        _bars(ax, ys, s.values, height * (0.92 if k > 1 else 1), colors, horizontal=True)
        if not chart.spec.labels:
            continue
        for y, v, t in zip(ys, s.values, s.texts, strict=True):
            if v is None:
                continue
            sign = 1 if v >= 0 else -1
            width = _em(t, size) + 4
            inside = _crosses(v, sign * width, d.reference, per_pt) and abs(v) / per_pt > width + 4
            # a label the reference line would run through goes inside the end of its bar
            _put(
                ax,
                v,
                y,
                t,
                dx=-sign * 4 if inside else sign * 4,
                va="center",
                ha=("right" if inside else "left") if v >= 0 else ("left" if inside else "right"),
                fontsize=size,
                zorder=4,
                color=_on(colors[round(y - offset)]) if inside else INK,
                bbox=_HALO
                if not inside and _crosses(v, sign * width, d.reference, per_pt)
                else None,
            )
    for i, label in enumerate(d.labels):
        _put(
            ax, 0, i, label, dx=-6, coords=("axes", "data"), ha="right", va="center", fontsize=LABEL
        )
    ax.axvline(0, color=MUTED, linewidth=0.8, zorder=3)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    if chart.spec.labels:
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
    else:
        _value_axis(ax.xaxis, d, (lo, hi))
        ax.grid(axis="x", color=GRID, linewidth=0.6, zorder=0)
    lift = 0.0
    if d.reference is not None:
        ax.axvline(d.reference, color=INK, linewidth=1, linestyle=(0, (4, 3)), zorder=3)
        _put(
            ax,
            d.reference,
            1.0,
            f"{d.reference_label} {d.reference_text}",
            dy=3,
            coords=("data", "axes"),
            ha="center",
            va="bottom",
            fontsize=SMALL,
        )
        lift = 0.26 / box.height / _axes_height(box)
    if k > 1:
        from matplotlib.patches import Patch

        keys = [
            Patch(color=PALETTE[j % len(PALETTE)], label=s.name) for j, s in enumerate(d.series)
        ]
        ax.legend(
            handles=keys,
            loc="lower left",
            bbox_to_anchor=(0, 1.0 + lift),
            ncols=k,
            frameon=False,
            fontsize=SMALL,
            handlelength=1.2,
            borderaxespad=0.2,
        )


def _bars(
    ax: Axes,
    at: Sequence[float],
    values: Sequence[float | None],
    thickness: float,
    colors: Sequence[str],
    *,
    horizontal: bool,
) -> None:
    """Bars as one collection (ax.bar makes a patch per bar: slower, same picture)."""
    from matplotlib.collections import PolyCollection

    shapes = []
    for c, v in zip(at, values, strict=True):
        a, b, v = c - thickness / 2, c + thickness / 2, v or 0.0
        corners = [(a, 0.0), (a, v), (b, v), (b, 0.0)]
        shapes.append([(y, x) for x, y in corners] if horizontal else corners)
    ax.add_collection(
        PolyCollection(shapes, facecolors=list(colors), edgecolors="none", linewidths=0, zorder=2),
        autolim=False,
    )


def _value_axis(axis: Any, d: ChartData, limits: tuple[float, float]) -> None:
    """Ticks on the value axis, in the table's number format."""
    from matplotlib.ticker import MaxNLocator

    ticks = [t for t in MaxNLocator(6).tick_values(*limits) if limits[0] <= t <= limits[1]]
    axis.set_ticks(ticks)
    axis.set_major_formatter(_tick_formatter(d, ticks))
    axis.set_tick_params(labelsize=SMALL)


def _axes_height(box: _Box) -> float:
    return 1 - (box.top + box.bottom) / box.height


def _vbars(chart: Chart, fig: Figure, ax: Axes, box: _Box) -> None:
    d = chart.data
    n = len(d.labels)
    values = [v for v in d.values if v is not None]
    lo, hi = _value_limits(values, d.reference, 0.12 if chart.spec.labels else 0.04)
    ax.set_ylim(lo, hi)
    ax.set_xlim(-0.6, n - 0.4)
    colors = _colors(d, d.labels)
    _bars(ax, range(n), d.values, 0.62, colors, horizontal=False)
    per_pt = (hi - lo) / (_axes_height(box) * box.height * 72)
    if chart.spec.labels:
        for i, (v, t) in enumerate(zip(d.values, d.texts, strict=True)):
            if v is not None:
                sign = 1 if v >= 0 else -1
                crosses = _crosses(v, sign * (SMALL + 3), d.reference, per_pt)
                inside = crosses and abs(v) / per_pt > SMALL * 2
                _put(
                    ax,
                    i,
                    v,
                    t,
                    dy=-sign * 3 if inside else sign * 3,
                    ha="center",
                    va=("top" if inside else "bottom")
                    if v >= 0
                    else ("bottom" if inside else "top"),
                    fontsize=SMALL,
                    zorder=4,
                    color=_on(colors[i]) if inside else INK,
                    bbox=_HALO if crosses and not inside else None,
                )
        ax.yaxis.set_visible(False)
        ax.spines["left"].set_visible(False)
    else:
        _value_axis(ax.yaxis, d, (lo, hi))
        ax.grid(axis="y", color=GRID, linewidth=0.6, zorder=0)
    slot = (box.width - box.left - box.right) * 72 / max(n, 1)
    stacked = max(_em(lab, LABEL) for lab in d.labels) > slot * 0.9
    for i, label in enumerate(d.labels):
        _put(
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
        ax.axhline(d.reference, color=INK, linewidth=1, linestyle=(0, (4, 3)), zorder=3)
        _put(
            ax,
            1.0,
            d.reference,
            f"{d.reference_label} {d.reference_text}",
            dx=4,
            coords=("axes", "data"),
            ha="left",
            va="center",
            fontsize=SMALL,
        )


def _lines(chart: Chart, fig: Figure, ax: Axes, box: _Box) -> None:
    d = chart.data
    n = len(d.labels)
    xs = list(range(n))
    values = [v for s in d.series for v in s.values if v is not None]
    lo, hi = _value_limits(values, d.reference, 0.08)
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
        points = [(x, v, t) for x, v, t in zip(xs, s.values, s.texts, strict=True) if v is not None]
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
    gap = (SMALL * 1.35) / (_axes_height(box) * box.height * 72) * (hi - lo)
    for labels, dx, ha in ((ends, 8, "left"), (starts, -8, "right")):
        labels.sort(key=lambda e: e[1])
        for (x, _, text, color), y in zip(
            labels, _spread([e[1] for e in labels], gap, hi), strict=True
        ):
            _put(
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
                bbox={**_HALO, "boxstyle": "square,pad=0.1"},
            )
    _value_axis(ax.yaxis, d, (lo, hi))
    ax.grid(axis="y", color=GRID, linewidth=0.6, zorder=0)
    # every edition's label when there is room, else every k-th one (always the latest)
    slot = (box.width - box.left - box.right) * 72 / max(n - 0.5, 1)
    step = math.ceil(max(_em(lab.split("年")[-1], LABEL) for lab in d.labels) * 1.3 / slot)
    shown = [i for i in xs if (n - 1 - i) % step == 0]
    ax.set_xticks(shown, [d.labels[i].replace("年", "年\n", 1) for i in shown])
    ax.tick_params(axis="x", labelsize=LABEL)


def _spread(values: Sequence[float], gap: float, top: float) -> list[float]:
    """Positions for labels at ``values`` (ascending), at least ``gap`` apart, below ``top``."""
    placed: list[float] = []
    for v in values:
        placed.append(max(v, placed[-1] + gap) if placed else v)
    overflow = placed[-1] - top + gap / 2 if placed else 0
    return [p - overflow for p in placed] if overflow > 0 else placed
