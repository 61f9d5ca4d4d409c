"""Newspaper makeup (组版) for the print edition: every 版 laid out on one sheet.

The print stage (pdf.py) asks Typst to measure the page's content: every top-level block of
every article (a paragraph, a heading, a list) as a number of body lines for a given line
length in characters, every headline's natural width, every table's height. From those
numbers this module chooses, for each 版,

- the base grid: `n` columns of exactly `c` characters each (as Chinese typesetters count
  a 版心: 字数 × 字号, the gutters take what is left over), the body size and the line
  pitch, within the bounds of `bulletin.toml`'s ``[print]``;
- the arrangement (模块式版面): the lead article (头条) across the top, beside it perhaps a
  side stack, then rows of stacks of rectangular blocks, then the table with its chart;
- every block's size in whole body lines, so that body text in neighbouring columns sits on
  one baseline grid, each article's columns are filled to their frame and the white space
  left over goes to the headline areas, spread over the stack;
- and, when even the smallest size does not fit, where an article jumps (转版) to a
  continuation sheet.

Everything here is arithmetic over integers and floats: deterministic, and fast enough to
try a few thousand arrangements per 版 (bench/results.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

# -- what the print stage measures --------------------------------------------------------------


@dataclass(frozen=True)
class Chunk:
    """A top-level block of an article: `lines[c]` body lines when set `c` characters wide.
    `split`: a paragraph (may break between columns, leaving two lines on each side);
    otherwise kept whole. `sticky`: a heading, kept with what follows. `chars`: its
    characters, for the overflow report."""

    lines: dict[int, int]
    split: bool = True
    sticky: bool = False
    chars: int = 0


@dataclass(frozen=True)
class Story:
    """An article as the makeup sees it. `head`: its headline's height in points when set
    `w` points wide (a function of the headline's natural widths, see Head). `wide`: heights
    in points of parts that span the whole sheet (tables and charts inside the article)."""

    slug: str
    chunks: tuple[Chunk, ...]
    head: Head
    wide: tuple[float, ...] = ()
    span: int | None = None  # the editor's hint: base columns of its block
    pad: int = 0  # lines more for its headline than measured (Typst found it taller)

    @property
    def chars(self) -> int:
        return sum(ch.chars for ch in self.chunks)


@dataclass(frozen=True)
class HeadLines:
    """A headline's lines, in em of the body: (natural width, height, leading) of its kicker,
    title, subtitle and byline as set on one line, and the space between them."""

    parts: tuple[tuple[float, float, float], ...]
    extra: float

    def height(self, width_em: float) -> float:
        total = self.extra
        for natural, height, leading in self.parts:
            n = max(1, math.ceil(natural / max(width_em, 1.0) - 1e-6))  # Chinese breaks anywhere
            total += n * height + (n - 1) * leading
        return total


@dataclass(frozen=True)
class Head:
    """A headline as an ordinary article's and as the lead's (头条, larger)."""

    normal: HeadLines
    lead: HeadLines

    def height(self, width: float, lead: bool, size: float) -> float:
        """Its height in points set `width` points wide over a body of `size` points."""
        return size * (self.lead if lead else self.normal).height(width / size)


@dataclass(frozen=True)
class Band:
    """The page's statistics tables with their charts, side by side across the sheet.
    `table`: the table's height in points at a given width (measured at `widths`), `charts`:
    (aspect h/w, natural width) of each chart drawn after it."""

    heights: dict[float, float]  # width (em of the body) -> the table's height there (em)
    charts: tuple[tuple[float, float], ...] = ()
    caption: float = 0.0  # a chart's caption and gap (em)
    at: str = "bottom"  # "bottom": at the foot of the sheet; "top": under the lead's row

    def height(self, width: float, size: float) -> float:
        """The table's height in points at `width` points, set in `size`: as measured at the
        nearest narrower width (a narrower table is never shorter)."""
        em = width / size
        fits = [w for w in self.heights if w <= em + 0.01]
        return size * (self.heights[max(fits)] if fits else max(self.heights.values()))


@dataclass(frozen=True)
class Bounds:
    body: tuple[float, float]  # points (smallest, largest)
    pitch: tuple[float, float]  # line pitch in em
    columns: tuple[int, int]  # base columns
    gutter: float  # points, at least
    step: float = 0.5  # body sizes tried, points apart
    chars: tuple[int, int] = (9, 24)  # characters per text line, at least / at most


# -- the result ---------------------------------------------------------------------------------


@dataclass
class Block:
    """One article (or the part of one before its jump) on the sheet: `col`, `cols` on the
    base grid, `line`, `head` and `rows` in body lines from the top of the area; its text in
    `k` columns of `chars` characters."""

    slug: str
    col: int
    cols: int
    line: int
    head: int
    rows: int
    k: int
    chars: int
    lead: bool = False
    first: int = 0  # its first chunk (after a jump)
    last: int = 0  # one past its last chunk
    jump_to: int | None = None  # 下转第N版
    jump_from: int | None = None  # 上接第N版
    wide: int = 0  # lines of its parts across the block (a table in its text), after the text
    spread: dict[int, int] = field(default_factory=dict)  # blank lines before its chunk i
    slack: int = 0  # lines of white space given to its headline area

    @property
    def lines(self) -> int:
        return self.head + self.rows + self.wide


@dataclass
class BandPlace:
    line: int
    lines: int
    table_cols: int
    chart_cols: int


@dataclass
class Rule:
    """A hairline between blocks: across `cols` columns from `col`, in the middle of body line
    `line` (horizontal), or down the gutter left of `col` over `lines` (vertical)."""

    col: int
    cols: int
    line: int
    lines: int = 0


@dataclass
class Layout:
    n: int  # base columns
    c: int  # characters per base column
    size: float  # body size, points
    pitch: float  # line pitch, em
    lines: int  # body lines in the area
    gutter: float  # points
    blocks: list[Block]
    band: BandPlace | None
    rules: list[Rule]
    score: float = 0.0
    fits: bool = True
    # the arrangement: rows of stacks, each (base columns, the articles stacked in it); the
    # band comes after row `band_after` (the last row: at the foot)
    rows: list[list[tuple[int, list[str]]]] = field(default_factory=list)
    band_after: int = -1
    spare: int = 0  # lines the content left empty, spread as white space (an under-full 版)


@dataclass
class Overflow:
    """What did not fit on the 版 even at the smallest size: the article that jumps, the
    lines and characters that go to the continuation sheet."""

    slug: str
    lines: int
    chars: int


class NotMeasured(LookupError):
    """A line length the print stage did not measure (that grid is not tried)."""


# -- columns: how many rows a text needs -------------------------------------------------------


Chunks = Sequence[tuple[int, bool, bool]]  # (lines, split, sticky) of each chunk


def fill(
    chunks: Chunks, k: int, rows: int, starts: list[tuple[int, int]] | None = None
) -> tuple[list[int], int] | None:
    """How `chunks` (lines, split, sticky) fill `k` columns of `rows` lines, one line after
    another as Typst fills them (its widow and orphan costs are off in the print style):
    the lines each column holds and how many paragraphs break leaving a single line at a
    column's foot or head (an orphan or a widow), or None when they do not fit. Blocks
    other than paragraphs move whole; a heading goes with the first line that follows.
    `starts`, when given, receives the (column, line) at which each chunk starts."""
    used = [0] * k
    col, bad = 0, 0
    for i, (lines, split, sticky) in enumerate(chunks):
        need = lines + (1 if sticky and i + 1 < len(chunks) else 0)
        if not split or sticky:
            if lines > rows:
                return None
            if used[col] + need > rows:
                col += 1
                if col >= k:
                    return None
            if starts is not None:
                starts.append((col, used[col]))
            used[col] += lines
            continue
        if used[col] == rows:  # (a full column: the paragraph starts in the next)
            col += 1
            if col >= k:
                return None
        if starts is not None:
            starts.append((col, used[col]))
        left = lines
        while left:
            space = rows - used[col]
            if left <= space:
                used[col] += left
                break
            if space:
                bad += (space == 1) + (left - space == 1)
                used[col] += space
                left -= space
            col += 1
            if col >= k:
                return None
    return used, bad


SPREAD_MOST = 2  # blank lines at most between two paragraphs (spread)


def spread(chunks: Chunks, k: int, rows: int) -> dict[int, int]:
    """White space for a block whose last column would end three lines or more short of its
    frame: whole blank lines between the paragraphs of that column ({chunk: lines before
    it}, SPREAD_MOST at most each), so that it ends at its frame, or within two lines of it,
    as the others do. Empty when that cannot be had."""
    starts: list[tuple[int, int]] = []
    filled = fill(chunks, k, rows, starts)
    if filled is None:
        return {}
    used = filled[0]
    last = max(j for j in range(k) if used[j]) if any(used) else 0
    short = rows - used[last]
    gaps = [i for i, (col, line) in enumerate(starts) if col == last and line > 0]
    give = min(short, SPREAD_MOST * len(gaps))
    if short < 3 or not gaps or short - give > 2:
        return {}
    return {i: give // len(gaps) + (1 if n < give % len(gaps) else 0)
            for n, i in enumerate(gaps)}  # fmt: skip


def rows_needed(chunks: Sequence[tuple[int, bool, bool]], k: int) -> int:
    total = sum(lines for lines, _, _ in chunks)
    if not chunks:
        return 0
    rows = max(1, -(-total // k), max(lines for lines, split, _ in chunks if not split)
               if any(not s for _, s, _ in chunks) else 1)  # fmt: skip
    while fill(chunks, k, rows) is None:
        rows += 1
    return rows


# -- the search --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    n: int
    c: int
    size: float
    gutter: float
    width: float  # the area's width, points

    def span(self, cols: int) -> float:
        return cols * self.c * self.size + (cols - 1) * self.gutter

    def text_chars(self, cols: int, k: int) -> int:
        """Characters per line of `k` text columns in a block `cols` base columns wide."""
        if k == cols:
            return self.c
        return int((self.span(cols) - (k - 1) * self.gutter) / (k * self.size) + 1e-9)


def grids(width: float, bounds: Bounds, sizes: Sequence[float] | None = None) -> list[Grid]:
    """Every base grid the bounds allow: columns of whole characters."""
    found = []
    lo, hi = bounds.body
    steps = round((hi - lo) / bounds.step)
    for size in sizes or [round(hi - i * bounds.step, 2) for i in range(steps + 1)]:
        for n in range(bounds.columns[0], bounds.columns[1] + 1):
            c = int((width - (n - 1) * bounds.gutter) / (n * size) + 1e-9)
            if c < bounds.chars[0]:
                continue
            gutter = (width - n * c * size) / (n - 1) if n > 1 else 0.0
            found.append(Grid(n, c, size, gutter, width))
    return found


def text_widths(grid: Grid, bounds: Bounds) -> set[int]:
    """The line lengths (characters) measured for `grid`: the base column, and a block across
    the whole sheet set in up to three fewer, wider columns (变栏). A narrower block may also
    be set in one column fewer, where that line length was measured for another grid
    (measuring costs in proportion to the line lengths: bench/results.md)."""
    widths = {grid.c}
    for k in _wide_ks(grid, bounds):
        widths.add(grid.text_chars(grid.n, k))
    return {w for w in widths if w <= bounds.chars[1]}


def _wide_ks(grid: Grid, bounds: Bounds) -> list[int]:
    """Text columns for a block across the whole sheet: fewer, wider ones while lines stay
    readable (at most bounds.chars[1] characters)."""
    ks = [k for k in (grid.n - 1, grid.n - 2, grid.n - 3)
          if k >= 2 and grid.text_chars(grid.n, k) <= bounds.chars[1]]  # fmt: skip
    return ks or [grid.n]


def _block_ks(grid: Grid, cols: int, bounds: Bounds) -> list[int]:
    """Text columns for a block `cols` base columns wide: as many, or (变栏) one fewer in a
    block of three columns or more, up to three fewer across the whole sheet."""
    if cols == grid.n:
        return [cols, *(k for k in _wide_ks(grid, bounds) if k != cols)]
    return [cols, cols - 1] if cols >= 3 else [cols]


@dataclass
class Item:
    story: Story
    first: int
    last: int
    jump_to: int | None = None
    jump_from: int | None = None

    def chunks(self, c: int) -> list[tuple[int, bool, bool]]:
        out = [(ch.lines[c], ch.split, ch.sticky)
               for ch in self.story.chunks[self.first : self.last]]  # fmt: skip
        if self.jump_to is not None:
            out.append((1, False, False))  # （下转第N版）
        if self.jump_from is not None:
            out.insert(0, (1, False, False))  # （上接第N版）
        return out


class _Measure:
    """Block sizes on one grid at one pitch, memoized. The text's part (rows, columns, the
    short foot) does not depend on the pitch: it is kept in `text`, shared by the grid's
    pitches."""

    def __init__(
        self, grid: Grid, pitch_pt: float, bounds: Bounds,
        text: dict[Any, Any] | None = None,
    ) -> None:  # fmt: skip
        self.grid, self.pitch_pt, self.bounds = grid, pitch_pt, bounds
        self.memo: dict[tuple[int, int, int, bool], tuple[int, int, int, int, int]] = {}
        self.text = text if text is not None else {}
        self.band: tuple[int, int, int] | None = None
        self.rows: dict[Any, tuple[_Row, int, float] | None] = {}

    def head_lines(self, story: Story, cols: int, lead: bool) -> int:
        h = story.head.height(self.grid.span(cols), lead, self.grid.size)
        return max(2, math.ceil(h / self.pitch_pt + 0.45)) + story.pad

    def block(
        self, index: int, item: Item, cols: int, lead: bool
    ) -> tuple[int, int, int, int, int]:
        """(text rows, text columns, headline lines, lines of wide parts, lines its most
        short column ends above the frame)."""
        key = (index, cols, item.last, lead)
        if key in self.memo:
            return self.memo[key]
        rows, k, short = self._text(index, item, cols)
        pitch = self.pitch_pt
        # each part across the block (a table, a chart in the text) with a line of white
        # around it, so that its title does not sit on the text's last line
        wide = sum(math.ceil((h + pitch) / pitch - 1e-9) for h in item.story.wide)
        result = (rows, k, self.head_lines(item.story, cols, lead), wide, short)
        self.memo[key] = result
        return result

    def _text(self, index: int, item: Item, cols: int) -> tuple[int, int, int]:
        """(rows, text columns, short foot) of an article's text in a block `cols` wide: in
        as many columns as the block is wide or fewer and wider (变栏), whichever leaves its
        columns most even, with no paragraph leaving a single line at a column's foot or head
        where that can be had."""
        key = (index, cols, item.first, item.last)
        if key in self.text:
            return self.text[key]
        g = self.grid
        best: tuple[float, int, int, int] | None = None
        for k in _block_ks(g, cols, self.bounds):
            c = g.text_chars(cols, k)
            if c > self.bounds.chars[1] or any(
                c not in ch.lines for ch in item.story.chunks[item.first : item.last]
            ):
                continue
            chunks = item.chunks(c)
            least = rows_needed(chunks, k)
            for rows in (least, least + 1):
                filled = fill(chunks, k, rows)
                if filled is None:
                    continue
                used, bad = filled
                short = rows - min(used)
                last = max((j for j in range(k) if used[j]), default=0)
                gaps = spread(chunks, k, rows) if short >= 3 and last == k - 1 else {}
                if gaps and used[last] == min(used):  # the white space between its paragraphs
                    short = max([rows - u for u in used[:-1]] + [rows - used[last]
                                                                  - sum(gaps.values())])
                cost = rows + 50 * max(0, short - 2) + 4 * bad
                if best is None or cost < best[0]:
                    best = (cost, rows, k, short + 100 * bad)
        if best is None:
            raise NotMeasured
        self.text[key] = best[1:]
        return best[1:]


def _compositions(total: int, parts: int, least: int) -> Iterator[tuple[int, ...]]:
    if parts == 1:
        if total >= least:
            yield (total,)
        return
    for first in range(least, total - least * (parts - 1) + 1):
        for rest in _compositions(total - first, parts - 1, least):
            yield (first, *rest)


def _partitions(count: int, most: int, per: int) -> Iterator[tuple[int, ...]]:
    """Ways to cut `count` items (in order) into at most `most` stacks of at most `per`."""
    if count == 0:
        yield ()
        return
    for first in range(1, min(per, count) + 1):
        for rest in _partitions(count - first, most - 1, per) if most > 1 else ():
            yield (first, *rest)
        if first == count:
            yield (first,)


@dataclass
class _Row:
    stacks: list[tuple[int, list[int]]]  # (columns, item indexes)


Shape = list["_Row | tuple[int, ...]"]  # rows: fixed, or items whose stacks are chosen


def _rows_for(items: list[Item], n: int, lead_side: int, lead_cols: int) -> Iterator[Shape]:
    """Arrangements: row 1 is the lead (`lead_cols` wide) with `lead_side` articles stacked
    beside it; the rest in one or two rows, each cut into stacks as fits best (_best_row).
    An article with a part across the sheet (a table in its text) takes a row of its own."""
    rest = list(range(1 + lead_side, len(items)))
    first = _Row([(lead_cols, [0])] + ([(n - lead_cols, list(range(1, 1 + lead_side)))]
                                        if lead_side else []))  # fmt: skip
    for body in _body_rows(items, rest, n):
        yield [first, *body]


def _body_rows(items: list[Item], rest: list[int], n: int) -> Iterator[Shape]:
    if not rest:
        yield []
        return
    wide_at = next((j for j, i in enumerate(rest) if items[i].story.wide), None)
    if wide_at is not None:
        for before in _plain_rows(rest[:wide_at]):
            for after in _body_rows(items, rest[wide_at + 1 :], n):
                yield [*before, _Row([(n, [rest[wide_at]])]), *after]
        return
    yield from _plain_rows(rest)


def _plain_rows(rest: list[int]) -> Iterator[Shape]:
    """The items in order, cut into one to four rows."""
    if not rest:
        yield []
        return
    most = 3 if len(rest) <= 9 else 4
    for count in range(1, min(most, len(rest)) + 1):
        for sizes in _compositions(len(rest), count, 1):
            rows, start = [], 0
            for size in sizes:
                rows.append(tuple(rest[start : start + size]))
                start += size
            yield rows


def _one_row(idx: Sequence[int], n: int, most: int) -> Iterator[_Row]:
    for part in _partitions(len(idx), most, 3):
        stacks, start = [], 0
        for size in part:
            stacks.append(list(idx[start : start + size]))
            start += size
        for widths in _compositions(n, len(stacks), 2):
            yield _Row(list(zip(widths, stacks, strict=True)))


def _stack_lines(m: _Measure, items: list[Item], cols: int, idx: Sequence[int],
                 first_row: bool) -> int:  # fmt: skip
    return _stack(m, items, cols, idx, first_row)[0]


def _stack(m: _Measure, items: list[Item], cols: int, idx: Sequence[int],
           first_row: bool) -> tuple[int, float]:  # fmt: skip
    """(lines, cost of its blocks' short columns) of a stack of blocks `cols` wide."""
    h, cost = 0, 0.0
    for j, i in enumerate(idx):
        rows_, _, head, wide, short = m.block(i, items[i], cols, first_row and j == 0 and i == 0)
        h += rows_ + head + wide + (1 if j else 0)
        cost += 200 * max(0, short - 2)  # a column ending 3 lines or more short of its frame
    return h, cost


def _spans_hold(row: _Row, items: list[Item]) -> bool:
    """Whether every article the editor gave a span (edition.toml's `spans`) has it."""
    return all(items[i].story.span in (None, cols) for cols, idx in row.stacks for i in idx)


def _imbalance(row: _Row, heights: Sequence[int]) -> float:
    """White space at the feet of a row's stacks, 碰题 (headlines side by side), and a row
    that is one article across the sheet (a page of strips is no modular page)."""
    top = max(heights)
    cost = 30.0 if len(row.stacks) == 1 and row.stacks[0][1] != [0] else 0.0
    for (cols, _), h in zip(row.stacks, heights, strict=True):
        short = top - h
        cost += short * short * cols + (40 * (short - 2) * cols if short > 2 else 0)
    return cost + 3 * (len(row.stacks) - 1)  # 碰题: headlines side by side


def _best_row(
    m: _Measure, items: list[Item], idx: tuple[int, ...]
) -> tuple[_Row, int, float] | None:
    """The best way to cut a row's items into stacks: the most even (the least white space
    at the feet of its stacks), then the lowest. Chosen once per grid (at the first pitch
    tried: a pitch changes headline heights by a line at most), measured at each pitch."""
    key = ("row", idx)
    if key in m.rows:
        return m.rows[key]
    chosen = m.text.get(key)
    if chosen is None:
        best: tuple[_Row, float] | None = None
        for row in _one_row(idx, m.grid.n, max(1, m.grid.n // 2)):
            if not _spans_hold(row, items):
                continue
            stacks = [_stack(m, items, cols, st, False) for cols, st in row.stacks]
            hs = [h for h, _ in stacks]
            cost = _imbalance(row, hs) + sum(c for _, c in stacks) + 2 * max(hs)
            if best is None or cost < best[1]:
                best = (row, cost)
        m.text[key] = chosen = best[0] if best is not None else False  # type: ignore[assignment]
    if chosen is False:
        m.rows[key] = None
        return None
    row = chosen  # type: ignore[assignment]
    stacks = [_stack(m, items, cols, st, False) for cols, st in row.stacks]
    hs = [h for h, _ in stacks]
    found = (row, max(hs), _imbalance(row, hs) + sum(c for _, c in stacks))
    m.rows[key] = found
    return found


@dataclass
class _Plan:
    """An arrangement on a grid, with the pitch that fills the area and its score."""

    grid: Grid
    rows: list[_Row]
    pitch: float
    lines: int
    score: float
    fits: bool


def _evaluate(
    grid: Grid,
    shape: Shape,
    items: list[Item],
    band: Band | None,
    height: float,
    bounds: Bounds,
    measures: dict[tuple[Grid, int], _Measure],
    allow_under: bool,
    hints: dict[Grid, int] | None = None,
) -> _Plan | None:
    """The arrangement `shape` on `grid`: the line pitch that fills the area, and its score
    (lower is better), or None when it cannot fill the area within the bounds."""
    s = grid.size
    pmin, pmax = bounds.pitch
    lines_lo = math.ceil(height / (pmax * s) - 1e-9)  # at the widest pitch
    lines_hi = int(height / (pmin * s) + 1e-9)
    # the number of lines N: the fewest with which the arrangement, its headlines and band
    # measured at the pitch N gives, fit in N (a fixed point, reached in a step or two)
    lines = max(lines_lo, min(lines_hi, (hints or {}).get(grid, (lines_lo + lines_hi) // 2)))
    for _ in range(4):
        m = measures.get((grid, lines))
        if m is None:
            text = next((x.text for (g, _), x in measures.items() if g == grid), None)
            m = measures[(grid, lines)] = _Measure(grid, height / lines, bounds, text)
        total, rows, imbalance = _demand(m, shape, items, band)
        if total > lines_hi:
            if hints is not None:
                hints[grid] = lines
            return None
        want = max(total, lines_lo)
        if want == lines or (total <= lines and lines == lines_lo):
            break
        lines = want
    else:
        return None
    if hints is not None:
        hints[grid] = lines
    under = total < lines_lo
    if under and not allow_under:
        return None
    pitch = height / (lines * s)
    # score: white space at the feet of stacks and 碰题 (the imbalance), the body size
    # (larger is better), the pitch (the middle of its range), the line length
    score = (
        imbalance
        - 60 * s
        + 80 * abs(pitch - (pmin + pmax) / 2)
        + 2 * abs(grid.c - 13)
        + 25 * max(0, 11 - grid.c)  # lines shorter than 11 characters read badly
        + (1000 + 100 * (lines_lo - total) if under else 0)
    )
    return _Plan(grid, rows, pitch, lines, score, not under)


def _demand(
    m: _Measure, shape: Shape, items: list[Item], band: Band | None
) -> tuple[int, list[_Row], float]:
    """(lines, the rows, their imbalance) of an arrangement at `m`'s pitch."""
    total, imbalance = 0, 0.0
    rows: list[_Row] = []
    for r, spec in enumerate(shape):
        if isinstance(spec, _Row):
            stacks = [_stack(m, items, cols, idx, r == 0) for cols, idx in spec.stacks]
            hs = [h for h, _ in stacks]
            row, top = spec, max(hs)
            cost = _imbalance(spec, hs) + sum(c for _, c in stacks)
        else:
            found = _best_row(m, items, spec)
            if found is None:  # too many items for one row of this grid
                return 1 << 30, rows, 0.0
            row, top, cost = found
        rows.append(row)
        imbalance += cost
        total += top + (1 if r else 0)
    if band is not None:
        if m.band is None:
            m.band = _band_lines(m.pitch_pt, band, m.grid)
        total += m.band[0] + 1
    return total, rows, imbalance


def _row_heights(m: _Measure, rows: list[_Row], items: list[Item]) -> list[int]:
    return [max(_stack_lines(m, items, cols, idx, r == 0) for cols, idx in row.stacks)
            for r, row in enumerate(rows)]  # fmt: skip


def _band_lines(pitch_pt: float, band: Band, grid: Grid) -> tuple[int, int, int]:
    """(lines, table columns, chart columns) for the band: the table as wide as needed for
    its chart beside it to be about as tall."""
    best: tuple[float, int, int, int] | None = None
    for cols in range(max(1, grid.n // 2), grid.n + 1):
        h = band.height(grid.span(cols), grid.size)
        chart_cols = grid.n - cols
        if band.charts:
            if chart_cols < 2:
                continue
            w = grid.span(chart_cols)
            ch = sum(a * min(w, nat * 1.6) + band.caption * grid.size for a, nat in band.charts)
            tall = max(h, ch)
            cost = abs(h - ch) + 0.2 * tall
        else:
            if cols != grid.n:
                continue
            tall, cost = h, 0.0
        lines = math.ceil(tall / pitch_pt - 1e-6)
        if best is None or cost < best[0]:
            best = (cost, lines, cols, chart_cols if band.charts else 0)
    if best is None:  # no room beside it: the chart under the table
        cols = grid.n
        h = band.height(grid.span(cols), grid.size) + sum(
            a * min(grid.span(grid.n), nat) + band.caption * grid.size for a, nat in band.charts)
        return math.ceil(h / pitch_pt - 1e-6), cols, 0
    return best[1], best[2], best[3]


def _place(plan: _Plan, items: list[Item], band: Band | None, bounds: Bounds) -> Layout:
    """The chosen arrangement as blocks on lines and columns, the white space spread."""
    grid, s = plan.grid, plan.grid.size
    m = _Measure(grid, plan.pitch * s, bounds)
    blocks: list[Block] = []
    rules: list[Rule] = []
    band_place: BandPlace | None = None
    line = 0
    total, _, _ = _demand(m, list(plan.rows), items, band)
    row_lines = _row_heights(m, plan.rows, items)
    # An under-full page's white space, spread evenly: over the rows (each row's share goes
    # to the headline areas of its stacks) and the gaps between the rows and the band.
    spare = plan.lines - total
    gaps_at = len(plan.rows) - 1 + (1 if band else 0)
    places = len(plan.rows) + gaps_at
    for r in range(len(plan.rows)):
        row_lines[r] += _share(spare, places, r)
    for r, row in enumerate(plan.rows):
        if r:
            extra = _share(spare, places, len(plan.rows) + r - 1)
            rules.append(Rule(0, grid.n, line + extra // 2))
            line += 1 + extra
        col = 0
        for s_i, (cols, idx) in enumerate(row.stacks):
            if s_i:
                rules.append(Rule(col, 0, line, row_lines[r]))
            placed: list[Block] = []
            y = line
            for j, i in enumerate(idx):
                if j:
                    y += 1
                lead = r == 0 and j == 0 and i == 0
                rows_, k, head, wide, _ = m.block(i, items[i], cols, lead)
                it = items[i]
                b = Block(it.story.slug, col, cols, y, head, rows_, k,
                          grid.text_chars(cols, k), lead, it.first, it.last,
                          it.jump_to, it.jump_from, wide)  # fmt: skip
                b.spread = spread(it.chunks(b.chars), k, rows_)
                placed.append(b)
                y += b.lines
            # the stack's white space: to its headline areas, a line each from the top
            short = line + row_lines[r] - y
            for t in range(short):
                placed[t % len(placed)].slack += 1
            y = line
            for j, b in enumerate(placed):
                if j:  # a hairline across the stack, in the line between two blocks
                    rules.append(Rule(col, cols, y))
                    y += 1
                b.line = y
                b.head += b.slack
                y += b.lines
            blocks += placed
            col += cols
        line += row_lines[r]
        if r == 0 and band is not None and band.at == "top":  # the band under the lead's row
            extra = _share(spare, places, places - 1)
            rules.append(Rule(0, grid.n, line + extra // 2))
            line += 1 + extra
            lines, tcols, ccols = _band_lines(plan.pitch * s, band, grid)
            band_place = BandPlace(line, lines, tcols, ccols)
            line += lines
    if band is not None and band.at != "top":
        extra = _share(spare, places, places - 1)
        rules.append(Rule(0, grid.n, line + extra // 2))
        line += 1 + extra
        lines, tcols, ccols = _band_lines(plan.pitch * s, band, grid)
        band_place = BandPlace(line, plan.lines - line, tcols, ccols)
    arrangement = [[(cols, [items[i].story.slug for i in idx]) for cols, idx in row.stacks]
                   for row in plan.rows]  # fmt: skip
    band_after = 0 if band is not None and band.at == "top" else len(plan.rows) - 1
    return Layout(grid.n, grid.c, s, plan.pitch, plan.lines, grid.gutter, blocks, band_place,
                  rules, plan.score, plan.fits, arrangement, band_after, max(0, spare))  # fmt: skip


def _share(total: int, parts: int, i: int) -> int:
    if parts <= 0 or total <= 0:
        return 0
    return total // parts + (1 if i < total % parts else 0)


def solve(
    items: Sequence[Item | Story],
    band: Band | None,
    *,
    width: float,
    height: float,
    bounds: Bounds,
    grid_list: Sequence[Grid],
    columns: int | None = None,
) -> Layout | None:
    """The best layout of `items` (whole articles, or parts of them on a continuation sheet)
    and `band` filling `width` × `height` points, or None when they do not fit (then `split`
    finds where to jump)."""
    whole = [it if isinstance(it, Item) else Item(it, 0, len(it.chunks)) for it in items]
    return _solve(whole, band, width, height, bounds, grid_list, columns, allow_under=True)


def _solve(
    items: list[Item],
    band: Band | None,
    width: float,
    height: float,
    bounds: Bounds,
    grid_list: Sequence[Grid],
    columns: int | None,
    allow_under: bool,
) -> Layout | None:
    if not items:
        return _band_only(band, height, bounds, grid_list)
    best: _Plan | None = None
    measures: dict[tuple[Grid, int], _Measure] = {}
    hints: dict[Grid, int] = {}
    sizes = sorted({g.size for g in grid_list}, reverse=True)
    settled = None  # the largest size at which the sheet is filled; one size smaller is tried
    for size in sizes:
        if settled is not None and size < settled - bounds.step - 1e-9:
            break
        for grid in grid_list:
            if grid.size != size or (columns is not None and grid.n != columns):
                continue
            for shape in _arrangements(items, grid.n):
                try:
                    plan = _evaluate(grid, shape, items, band, height, bounds, measures,
                                     allow_under, hints)  # fmt: skip
                except NotMeasured:  # a line length not measured for this grid
                    break
                if plan is None:
                    continue
                if plan.fits and settled is None:
                    settled = size
                if best is None or plan.score < best.score:
                    best = plan
    if best is None:
        return None
    return _place(best, items, band, bounds)


def _band_only(
    band: Band | None, height: float, bounds: Bounds, grid_list: Sequence[Grid]
) -> Layout | None:
    """A 版 with no article: its tables and charts alone (or nothing), at the largest size."""
    if not grid_list:
        return None
    grid = grid_list[0]
    pitch = (bounds.pitch[0] + bounds.pitch[1]) / 2
    lines = max(1, int(height / (pitch * grid.size)))
    place = None
    if band is not None:
        _, tcols, ccols = _band_lines(height / lines, band, grid)
        place = BandPlace(0, lines, tcols, ccols)
    return Layout(grid.n, grid.c, grid.size, height / (lines * grid.size), lines, grid.gutter,
                  [], place, [], fits=True, band_after=-1)  # fmt: skip


def _arrangements(items: list[Item], n: int) -> Iterator[Shape]:
    lead = items[0].story
    spans = [lead.span] if lead.span else [n, n - 2, n - 3]
    for lead_cols in spans:
        if lead_cols < max(2, (n + 1) // 2) or lead_cols > n:
            continue
        if lead.wide and lead_cols != n:
            continue
        sides = [0] if lead_cols == n else [1, 2, 3]
        for side in sides:
            if side >= len(items) or any(items[i].story.wide for i in range(1, 1 + side)):
                continue
            if any(items[i].story.span not in (None, n - lead_cols) for i in range(1, 1 + side)):
                continue
            yield from _rows_for(items, n, side, lead_cols)


def split(
    items: Sequence[Item],
    band: Band | None,
    *,
    width: float,
    height: float,
    bounds: Bounds,
    grid_list: Sequence[Grid],
    columns: int | None = None,
    page: int,
    next_page: int,
) -> tuple[Layout, list[Item], Overflow]:
    """The 版 at the smallest size with as much as fits, cut at a paragraph: the layout, what
    goes on to the continuation sheet (page `next_page`), and the overflow report."""
    small = [g for g in grid_list if g.size == min(x.size for x in grid_list)]
    flat = [(a, j) for a, it in enumerate(items) for j in range(it.first, it.last)]

    def attempt(keep: int) -> Layout | None:
        kept: list[Item] = []
        for a, it in enumerate(items):
            taken = sum(1 for x, _ in flat[:keep] if x == a)
            if taken == 0:
                break
            cut = it.first + taken < it.last
            kept.append(Item(it.story, it.first, it.first + taken,
                             next_page if cut else it.jump_to, it.jump_from))  # fmt: skip
            if cut:
                break
        return _solve(kept, band, width, height, bounds, small, columns, allow_under=True)

    lo, hi = 1, len(flat) - 1  # the most chunks that fit: binary search (fitting is monotone)
    found = attempt(lo)
    while found is not None and lo < hi:
        mid = (lo + hi + 1) // 2
        got = attempt(mid)
        if got is not None:
            lo, found = mid, got
        else:
            hi = mid - 1
    if found is None:  # not even the first paragraph fits: it goes on all the same
        first = items[0]
        cut = Item(first.story, first.first, first.first + 1, next_page, first.jump_from)
        found = _solve([cut], band, width, height, bounds, small, columns, allow_under=True)
        lo = 1
        if found is None:
            raise ValueError("the area is too small for a single paragraph")
    a, j = flat[lo]
    rest = [Item(items[a].story, j, items[a].last, items[a].jump_to, page if j > items[a].first
                 else items[a].jump_from)]  # fmt: skip
    rest += list(items[a + 1 :])
    moved = items[a].story.chunks[j : items[a].last]
    c = found.c
    over = Overflow(
        items[a].story.slug,
        sum(ch.lines.get(c, 0) for ch in moved),
        sum(ch.chars for ch in moved),
    )
    return found, rest, over
