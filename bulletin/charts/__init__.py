"""Charts drawn from computed tables: matplotlib ``Figure`` objects → standalone SVG.

A table spec lists its charts as ``[[charts]]`` entries (see :mod:`bulletin.tablespec`)::

    [[charts]]
    name = "microcredit-rate"       # the file editions/<id>/microcredit-rate.svg
    type = "rank_bar"               # a chart kind: rank_bar | bar | grouped_bar | line | …
    columns = ["余额获贷率"]
    reference = "total"             # the 合计 row; or a number (0.15) or "15%"
    highlight = { top = 3, bottom = 1 }
    title = "各县（市、区）脱贫人口小额信贷余额获贷率"
    place = "after"                 # also drawn right after its table

- The kinds are classes in :mod:`.kinds`, registered by name in :data:`KINDS`: each says
  how many columns it draws, what it checks in the spec, how its data is made, how it is
  drawn and what its caption and alt text say. A new kind is one class there.
- Every value comes from the computed table: bars plot ``table.value()`` as floats, labels
  are ``table.cite()`` (the table's own number format). :attr:`Chart.data` holds exactly
  what is drawn, in drawing order, so tests need no pixels.
- Text is drawn in the CJK fonts named in bulletin.toml (``fonts.sans``), found by family
  name (:mod:`.fonts`); a missing font, or a character the fonts lack, stops the build.
- SVG text is converted to paths (readers need no Chinese font); output is deterministic:
  a fixed ``svg.hashsalt``, no date, no creator. rcParams are only ever set inside
  ``matplotlib.rc_context``; pyplot is never imported. matplotlib loads on the first chart.

The modules: :mod:`.spec` (a ``[[charts]]`` entry), :mod:`.kinds` (the kinds),
:mod:`.chart` (:class:`Chart`, making the charts of an edition), :mod:`.data` (what is
drawn, and what a kind reads), :mod:`.draw` and :mod:`.words` (what kinds share to draw
and to describe), :mod:`.fonts`. Other modules import from here.
"""

from bulletin.charts.chart import Chart, make_charts
from bulletin.charts.data import ChartData, Series
from bulletin.charts.fonts import find_font
from bulletin.charts.kinds import KINDS, ChartKind

__all__ = [
    "KINDS",
    "Chart",
    "ChartData",
    "ChartKind",
    "Series",
    "find_font",
    "make_charts",
]
