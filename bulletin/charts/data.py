"""What a chart draws (:class:`ChartData`, exactly, in drawing order, so tests need no
pixels) and what a chart kind reads to make and draw it: a computed table
(:class:`Table`), the spec and the table's rows (:class:`Source`), a chart (:class:`Drawn`).

The last three are the views the kinds are given, so that :mod:`bulletin.charts.kinds`
imports neither the tables nor the charts built from it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from bulletin.compute.columnkinds import KINDS as COLUMN_KINDS
from bulletin.compute.columnkinds import ColumnKind

if TYPE_CHECKING:
    from bulletin.charts.spec import ChartSpec


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

    type: str  # the chart kind's name
    labels: tuple[str, ...]  # bars: the rows (counties); line: the editions
    series: tuple[Series, ...]
    reference: float | None = None  # the reference line's value
    reference_text: str = ""  # …in the table's number format ("14.40%")
    reference_label: str = ""  # "合计", "目标", or the spec's reference_label
    highlight: Mapping[str, str] = field(default_factory=dict)  # label -> top|bottom|named
    kind: str = "number"  # the column's type, a column kind: int | number | percent
    decimals: int | None = None
    thousands: bool = False
    totals: Series | None = None  # stacked bars: each bar's sum, in the same order

    @property
    def values(self) -> tuple[float | None, ...]:
        return self.series[0].values

    @property
    def texts(self) -> tuple[str, ...]:
        return self.series[0].texts


@dataclass(frozen=True)
class Format:
    """A column's number format: its kind (bulletin.compute.columnkinds), decimals, thousands."""

    kind: ColumnKind = field(default_factory=lambda: COLUMN_KINDS["int"])  # (the rank's)
    decimals: int | None = None
    thousands: bool = False


class Table(Protocol):
    """What a chart reads of a computed table (bulletin.compute.tableview.ComputedTable)."""

    total_label: str
    ranks: dict[str, int]

    def value(self, row: str, column: str) -> Any: ...

    def cite(self, row: str, column: str) -> str: ...


@dataclass(frozen=True)
class Source:
    """What a chart kind makes its data from: the computed table and the chart's spec."""

    table: Table
    spec: ChartSpec
    rows: tuple[str, ...]  # the table's rows in table order, without the total row
    total: bool  # whether the table has a total row (table.total_label)
    ranked_by: str | None  # the column the table ranks by
    history: tuple[tuple[str, Table], ...]  # the same table in earlier editions: (label, table)
    label: str  # this edition's label ("第12期")
    formats: Mapping[str, Format]  # the number format of every column a chart may draw
    at: Callable[[str], dict[str, Any]]  # where a key of the spec is: DataError(**at("rows"))


class Drawn(Protocol):
    """What drawing reads of a chart (a :class:`bulletin.charts.Chart`)."""

    @property
    def title(self) -> str: ...

    @property
    def source_note(self) -> str | None: ...

    @property
    def spec(self) -> ChartSpec: ...

    @property
    def data(self) -> ChartData: ...
