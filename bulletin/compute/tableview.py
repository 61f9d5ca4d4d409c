"""What a computed table looks like to the pages: display columns and rows, the header
cells of a one- or two-row ``<thead>``, display formatting, and cell look-ups for citing.

Built by :func:`bulletin.compute.tables.compute_table`; everything here is plain data.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bulletin.compute.sheets import clean_text, normalize
from bulletin.diagnostics.errors import Finding, Message, msg, suggest

if TYPE_CHECKING:
    import pandas as pd

    from bulletin.compute.columnkinds import ColumnKind
    from bulletin.compute.tablespec import SpecFile


class NotInTable(KeyError):
    """A cited row or column the table does not have: args[0] is the Message saying why
    ({value}`…` shows it); str() is its English, not a KeyError's quoted repr."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class HeaderCell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    scope: str = "col"  # "col" or "colgroup"


@dataclass(frozen=True)
class DisplayColumn:
    key: str  # the column's name (as in expressions and cite())
    label: str
    numeric: bool
    group: str | None = None


@dataclass(frozen=True)
class DisplayRow:
    key: str  # the county, or the total label
    cells: list[str]  # display text, one per column (cells[0] is the county)
    is_total: bool = False


@dataclass(frozen=True)
class Discrepancy:
    row: str
    column: str
    reported: str
    computed: str
    line: int | None
    field: str  # the header of the hand-typed value in the sheet

    def __str__(self) -> str:
        return str(self.message())

    def message(self) -> Message:
        return msg("tableview.discrepancy", row=self.row, column=self.column,
                   reported=self.reported, computed=self.computed)  # fmt: skip


@dataclass(eq=False)
class ComputedTable:
    """One computed table, ready for the page (see the module docstring of bulletin.compute.tables).

    ``body`` holds display text (the counties, then the totals row if any); ``value()`` gives
    exact values; ``discrepancies`` lists every hand-typed value that differs from the
    computed one (``findings`` has the same as warnings). ``ranks`` maps county → rank.
    """

    name: str
    title: str
    source: str  # the data file, as messages show it
    source_note: str | None
    notes: list[str]
    encoding: str | None
    total_label: str
    findings: list[Finding]
    discrepancies: list[Discrepancy]
    header_rows: list[list[HeaderCell]]
    columns: list[DisplayColumn]
    body: list[DisplayRow]
    ranks: dict[str, int]
    column_groups: list[int]  # spans for <colgroup> elements; [] when no column is grouped
    _exact: dict[tuple[str, str], Any] = field(repr=False)  # (row, column name) -> value
    _text: dict[tuple[str, str], str] = field(repr=False)
    _aliases: list[dict[str, list[str]]] = field(repr=False)  # lookup tiers
    spec: SpecFile | None = field(default=None, repr=False)  # its spec (charts, number formats)
    _frame_columns: list[tuple[str, ColumnKind]] = field(default_factory=list, repr=False)
    _rank_name: str | None = field(default=None, repr=False)
    edition: str | None = None  # the edition's name, as notes and warnings give it: 2021年第12期

    @property
    def row_keys(self) -> list[str]:
        """The rows (the counties; not the totals row), in display order."""
        return [r.key for r in self.body if not r.is_total]

    def column_values(self, name: str) -> dict[str, Any]:
        """{row: exact value} of the column named `name` (as in expressions; hidden columns
        too), for every row but the totals row; {} when the table has no such column."""
        return {k: self._exact[(k, name)] for k in self.row_keys if (k, name) in self._exact}

    @functools.cached_property
    def frame(self) -> pd.DataFrame:
        """The counties (no totals row), in display order, as a pandas DataFrame of floats
        indexed by the key column: every computed column, hidden ones too, and the rank.
        For analysis and charts by hand; exact values are value()'s. Made when first asked
        for (pandas is not loaded to build a site from CSV data)."""
        import pandas as pd

        order = [r.key for r in self.body if not r.is_total]
        frame = pd.DataFrame(
            {n: [kind.plotted(self._exact.get((k, n))) for k in order]
             for n, kind in self._frame_columns},
            index=pd.Index(order, name=self.columns[0].key),
        )
        if self._rank_name is not None:
            frame[self._rank_name] = [self.ranks[k] for k in order]
        return frame

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the frame (made again when asked for): no pandas to unpickle."""
        state = dict(self.__dict__)
        state.pop("frame", None)
        return state

    def _column(self, column: str) -> str:
        want = normalize(column)
        for tier in self._aliases:
            found = tier.get(want, [])
            if len(set(found)) == 1:
                return found[0]
            if found:
                raise NotInTable(msg("tableview.ambiguous", column=column, table=self.name,
                                   names=", ".join(sorted(set(found)))))  # fmt: skip
        names = [c.key if c.key == c.label else f"{c.key} ({c.label})" for c in self.columns]
        raise NotInTable(msg("tableview.no_column", table=self.name, column=column,
                           names=", ".join(names)))  # fmt: skip

    def _row(self, row: str) -> str:
        want = clean_text(row)
        if (want, self.columns[0].key) in self._text:
            return want
        # the totals row by its label, full- or half-width (合计(全市) and 合计（全市）, as the
        # data's row is found): a line chart names it by its own edition's total_label
        if normalize(want) in ("合计", "总计", normalize(self.total_label)) and any(
                r.is_total for r in self.body):
            return self.total_label
        rows = [r.key for r in self.body]
        near = suggest(want, rows)
        more = msg("common.did_you_mean", name=near) if near else msg("tableview.rows",
                                                                      names=", ".join(rows))
        raise NotInTable(msg("tableview.no_row", table=self.name, row=row, more=more))

    def cite(self, row: str, column: str) -> str:
        """The display text of one cell, e.g. cite("合计", "余额获贷率") -> "14.40%"."""
        return self._text.get((self._row(row), self._column(column)), "")

    def value(self, row: str, column: str) -> Any:
        """The exact value of one cell: int, Fraction, str, or None (an empty cell)."""
        return self._exact.get((self._row(row), self._column(column)))

    def to_csv_bytes(self) -> bytes:
        """The table as shown, as CSV in UTF-8 with BOM; grouped headers read 'group/label'."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([f"{c.group}/{c.label}" if c.group else c.label for c in self.columns])
        writer.writerows(r.cells for r in self.body)
        return out.getvalue().encode("utf-8-sig")


def header_cells(display: list[DisplayColumn]) -> tuple[list[list[HeaderCell]], list[int]]:
    """Header rows (one, or two when columns have groups) and <colgroup> spans (if grouped).

    In two rows, an ungrouped column's cell spans both rows; a group's cell spans its
    adjacent columns (scope "colgroup") and their labels make the second row.
    """
    runs: list[list[DisplayColumn]] = []
    for c in display:
        if runs and c.group and runs[-1][-1].group == c.group:
            runs[-1].append(c)
        else:
            runs.append([c])
    if not any(c.group for c in display):
        return [[HeaderCell(c.label) for c in display]], []
    spans = [len(run) for run in runs]
    top = [HeaderCell(run[0].group, colspan=len(run), scope="colgroup") if run[0].group
           else HeaderCell(run[0].label, rowspan=2) for run in runs]
    return [top, [HeaderCell(c.label) for run in runs if run[0].group for c in run]], spans
