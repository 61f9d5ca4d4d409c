"""What every chart kind draws with (:mod:`bulletin.charts.kinds`): matplotlib ``Figure``
objects, never pyplot. The settings (:func:`rc_params`, only ever inside
``matplotlib.rc_context``), the colours and sizes, the frame (title, source note), bars as
one collection, text placed in points, the value axis in the table's number format.

Layout is computed, not measured (no ``tight_layout``): margins from the labels' lengths,
CJK characters one em wide (:func:`em`). Labels are plain text artists (tick objects cost
milliseconds each); bars are one collection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from bulletin.compute.columnkinds import KINDS as COLUMN_KINDS
from bulletin.compute.columnkinds import format_value

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from bulletin.charts.data import ChartData, Drawn

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


def em(text: str, size: float) -> float:
    """Estimated width in points: CJK characters are one em, others about 0.6."""
    return sum(size if ord(ch) > 0x2E7F else 0.6 * size for ch in text)


@dataclass(frozen=True)
class Box:
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


def fmt(value: float, d: ChartData, decimals: int | None = None) -> str:
    places = d.decimals if decimals is None else decimals
    return format_value(Fraction(value).limit_denominator(10**12), d.kind, places, d.thousands)


def tick_formatter(d: ChartData, ticks: Sequence[float]) -> Any:
    """Ticks in the table's format, with as few decimals as the ticks need."""
    from matplotlib.ticker import FixedFormatter

    kind = COLUMN_KINDS[d.kind]
    scale = kind.scale
    most = d.decimals if d.decimals is not None else kind.places
    places = next(
        (
            p
            for p in range(most + 1)
            if all(abs(round(t * scale, p) - t * scale) < 1e-9 for t in ticks)
        ),
        most,
    )
    return FixedFormatter([fmt(t, d, places) for t in ticks])


# behind value labels: a reference line running through a label must not strike it out
HALO = {"boxstyle": "square,pad=0.25", "facecolor": "white", "edgecolor": "none"}


def text_on(fill: str) -> str:
    """Text colour on a bar of colour ``fill`` (#rrggbb): ink on light fills, else white."""
    r, g, b = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return INK if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "white"


def mark_colors(d: ChartData, labels: Sequence[str], default: str = BASE) -> list[str]:
    return [
        {"top": TOP, "bottom": BOTTOM, "named": TOP}.get(d.highlight.get(lab, ""), default)
        for lab in labels
    ]


def frame(chart: Drawn, box: Box) -> tuple[Figure, Axes]:
    """A new Figure of ``box``'s size: its axes inside the margins, the title and source."""
    from matplotlib.figure import Figure

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
    return fig, ax


def value_limits(values: Sequence[float], reference: float | None, room: float) -> tuple:
    lo = min(0.0, *values, *([reference] if reference is not None else []))
    hi = max(0.0, *values, *([reference] if reference is not None else []))
    span = (hi - lo) or 1.0
    return (lo - span * room if lo < 0 else 0.0), hi + span * room


def put(
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


def crosses_reference(
    start: float, width_pt: float, reference: float | None, per_pt: float
) -> bool:
    """Whether a label from ``start`` (data units) ``width_pt`` long covers the reference."""
    if reference is None:
        return False
    end = start + width_pt * per_pt
    return min(start, end) <= reference <= max(start, end)


def add_bars(
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


def value_axis(axis: Any, d: ChartData, limits: tuple[float, float]) -> None:
    """Ticks on the value axis, in the table's number format."""
    from matplotlib.ticker import MaxNLocator

    ticks = [t for t in MaxNLocator(6).tick_values(*limits) if limits[0] <= t <= limits[1]]
    axis.set_ticks(ticks)
    axis.set_major_formatter(tick_formatter(d, ticks))
    axis.set_tick_params(labelsize=SMALL)


def axes_height(box: Box) -> float:
    return 1 - (box.top + box.bottom) / box.height


def spread(values: Sequence[float], gap: float, top: float) -> list[float]:
    """Positions for labels at ``values`` (ascending), at least ``gap`` apart, below ``top``."""
    placed: list[float] = []
    for v in values:
        placed.append(max(v, placed[-1] + gap) if placed else v)
    overflow = placed[-1] - top + gap / 2 if placed else 0
    return [p - overflow for p in placed] if overflow > 0 else placed


def margins(chart: Drawn) -> tuple[float, float]:
    """Room above the axes for the title, below them for the source note (inches)."""
    return 0.5 if chart.title else 0.15, 0.38 if chart.source_note else 0.12


def row_labels(ax: Axes, labels: Sequence[str], colors: Sequence[str] | None = None) -> None:
    """The rows' names left of horizontal bars (one per y = 0, 1, …)."""
    for i, label in enumerate(labels):
        put(
            ax,
            0,
            i,
            label,
            dx=-6,
            coords=("axes", "data"),
            ha="right",
            va="center",
            fontsize=LABEL,
            **({"color": colors[i]} if colors and colors[i] != INK else {}),
        )


def value_frame(chart: Drawn, ax: Axes, limits: tuple[float, float]) -> None:
    """Horizontal bars' zero line; their value axis, when the bars carry no value labels."""
    ax.axvline(0, color=MUTED, linewidth=0.8, zorder=3)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    if chart.spec.labels:
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
    else:
        value_axis(ax.xaxis, chart.data, limits)
        ax.grid(axis="x", color=GRID, linewidth=0.6, zorder=0)


def reference_line(ax: Axes, d: ChartData, *, vertical: bool) -> None:
    """The reference (d.reference) as a dashed line across the bars, and its label: above
    the axes for a vertical line (horizontal bars), right of them for a horizontal one."""
    line = ax.axvline if vertical else ax.axhline
    line(d.reference, color=INK, linewidth=1, linestyle=(0, (4, 3)), zorder=3)
    if vertical:
        xy, shift, coords, align = (d.reference, 1.0), {"dy": 3}, ("data", "axes"), "center"
    else:
        xy, shift, coords, align = (1.0, d.reference), {"dx": 4}, ("axes", "data"), "left"
    put(ax, *xy, f"{d.reference_label} {d.reference_text}", coords=coords, ha=align,
        va="bottom" if vertical else "center", fontsize=SMALL, **shift)  # fmt: skip


def reference_above(ax: Axes, d: ChartData, box: Box) -> float:
    """Horizontal bars' reference: a dashed line, its label above the bars. The height it
    takes above the axes, in axes units (what a legend is lifted by)."""
    if d.reference is None:
        return 0.0
    reference_line(ax, d, vertical=True)
    return 0.26 / box.height / axes_height(box)


def end_label(
    ax: Axes,
    at: float,
    value: float,
    text: str,
    *,
    horizontal: bool,
    gap: float,
    inside: bool,
    crosses: bool,
    size: float,
    fill: str,
) -> None:
    """A bar's value at the bar's end (bar `at`): beyond it, or (`inside`: where the
    reference line would run through the label) just inside it, in a colour that reads on
    the bar's `fill`; a label crossing the line outside gets a halo."""
    sign = 1 if value >= 0 else -1
    near, far = ("right", "left") if horizontal else ("top", "bottom")
    align = (near if inside else far) if value >= 0 else (far if inside else near)
    shift = -sign * gap if inside else sign * gap
    place = {"dx": shift, "va": "center", "ha": align} if horizontal else {
        "dy": shift, "ha": "center", "va": align}  # fmt: skip
    x, y = (value, at) if horizontal else (at, value)
    color, halo = (text_on(fill), None) if inside else (INK, HALO if crosses else None)
    put(ax, x, y, text, **place, fontsize=size, zorder=4, color=color, bbox=halo)


def legend(ax: Axes, names: Sequence[str], palette: Sequence[str], lift: float) -> None:
    """A legend of the series' colours in one line above the axes."""
    from matplotlib.patches import Patch

    keys = [Patch(color=palette[j % len(palette)], label=name) for j, name in enumerate(names)]
    ax.legend(
        handles=keys,
        loc="lower left",
        bbox_to_anchor=(0, 1.0 + lift),
        ncols=len(names),
        frameon=False,
        fontsize=SMALL,
        handlelength=1.2,
        borderaxespad=0.2,
    )
