"""Column kinds: what the cells of a table's column are and how its values read on the page —
the ``type`` of a ``[[columns]]`` entry (int, number, percent, text).

One class per kind, registered by its name in :data:`KINDS` when it is defined: the spec
accepts the names there (:mod:`bulletin.tablespec`), the tables parse, keep, total and show
values through the kind (:mod:`bulletin.tables`, :mod:`bulletin.tableview`), and the charts
plot and label them through it (:mod:`bulletin.charts`). A new column kind is one class
here (and its test in tests/test_tables.py).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, ClassVar

from bulletin.compute.sheets import parse_number
from bulletin.diagnostics.errors import Message, msg
from bulletin.kinds import Registered

__all__ = ["KINDS", "ColumnKind", "by_name", "format_value"]

KINDS: dict[str, ColumnKind] = {}  # type -> kind, in the order the kinds are defined


class ColumnKind(Registered):
    """A kind of column. The defaults are those of a number (``number``)."""

    KINDS = KINDS
    noun = "column kind"
    name: ClassVar[str]  # the spec's type
    numeric: ClassVar[bool] = True  # a number: computed with, ranked, cross-checked, drawn
    whole: ClassVar[bool] = False  # only whole numbers: a cell 1.5 is an error
    count: ClassVar[bool] = False  # a column of it is a count (summed) unless its role says
    adds_up: ClassVar[bool] = True  # its values add up (a stacked bar may stack them)
    places: ClassVar[int] = 2  # decimals shown when the spec gives none
    scale: ClassVar[int] = 1  # shown multiplied by this (a percentage: by 100)…
    suffix: ClassVar[str] = ""  # …and followed by this ("%")


    def __reduce__(self) -> tuple[Any, ...]:
        return by_name, (self.name,)  # unpickled as the registered kind itself

    def what(self) -> Message:
        """What a cell must hold, for errors: "expected {what}"."""
        return msg("tables.number")

    def parse(self, value: Any) -> Any:
        """A cell's exact value: a Fraction, or None for an empty cell. Raises ValueError
        (its reason as args[0]) for a cell that is not a number."""
        return parse_number(value)

    def exact(self, value: Any) -> Any:
        """The value as the table keeps it (``table.value()``)."""
        return value

    def plotted(self, value: Any) -> Any:
        """The value as a chart or a DataFrame holds it: a float (None stays None)."""
        return None if value is None else float(value)

    def format(self, value: Any, decimals: int | None = None, thousands: bool = False) -> str:
        """Display text, rounded half away from zero; '' for None, a text as it is."""
        if value is None:
            return ""
        if isinstance(value, str):
            return str(value)
        places = decimals if decimals is not None else self.places
        exact = value if isinstance(value, Fraction) else Fraction(value)
        # round_half_up(exact × scale, places) × 10^places, in integers (as fast as it is
        # exact: floor(|n|/d + 1/2) is (2|n| + d) // 2d)
        n = exact.numerator * self.scale * 10**places
        d = exact.denominator
        scaled = (2 * abs(n) + d) // (2 * d) * (1 if n >= 0 else -1)
        whole, part = divmod(abs(scaled), 10**places)
        text = f"{whole:,}" if thousands else str(whole)
        if places:
            text += "." + str(part).zfill(places)
        return ("-" if scaled < 0 else "") + text + self.suffix


class Int(ColumnKind):
    """整数: whole numbers (户数, 人数); a count by default, summed into the total row."""

    name = "int"
    whole = True
    count = True
    places = 0

    def what(self) -> Message:
        return msg("tables.whole_number")

    def exact(self, value: Any) -> Any:
        if isinstance(value, Fraction) and value.denominator == 1:
            return int(value)
        return value

    def plotted(self, value: Any) -> Any:
        return None if value is None else int(value)


class Number(ColumnKind):
    """数字: any number (金额, 面积), two decimals unless the spec says."""

    name = "number"


class Percent(ColumnKind):
    """百分比: a fraction shown × 100 with "%" (0.1665 → 16.65%); "16.65%" in a cell reads
    as 0.1665. Percentages do not add up."""

    name = "percent"
    adds_up = False
    scale = 100
    suffix = "%"

    def what(self) -> Message:
        return msg("tables.percentage")


class Text(ColumnKind):
    """文字: shown as it is; not a number (not computed with, not drawn)."""

    name = "text"
    numeric = False
    adds_up = False

    def what(self) -> Message:
        return msg("tables.text")

    def parse(self, value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return "" if value is None else str(value).strip()

    def plotted(self, value: Any) -> Any:
        return value

    def format(self, value: Any, decimals: int | None = None, thousands: bool = False) -> str:
        return "" if value is None else str(value)


def by_name(name: str) -> ColumnKind:
    """The kind of the type ``name`` (KeyError for a type no kind has)."""
    return KINDS[name]


def format_value(value: Any, kind: str, decimals: int | None = None,
                 thousands: bool = False) -> str:
    """Display text of ``value`` in a column of type ``kind`` (see :meth:`ColumnKind.format`):
    a percentage × 100 with '%', rounded half away from zero; '' for None."""
    return KINDS[kind].format(value, decimals, thousands)
