"""Column kinds: how a table's numbers read on the page (``type`` of a ``[[columns]]``
entry: int, number, percent, text)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any


def format_value(value: Any, kind: str, decimals: int | None = None,
                 thousands: bool = False) -> str:
    """Display text: percent ×100 with '%', rounded half away from zero; '' for None."""
    if value is None:
        return ""
    if kind == "text" or isinstance(value, str):
        return str(value)
    places = decimals if decimals is not None else (0 if kind == "int" else 2)
    exact = value if isinstance(value, Fraction) else Fraction(value)
    # round_half_up(exact × 100 if percent, places) × 10^places, in integers (as fast as
    # it is exact: floor(|n|/d + 1/2) is (2|n| + d) // 2d)
    n = exact.numerator * (100 if kind == "percent" else 1) * 10**places
    d = exact.denominator
    scaled = (2 * abs(n) + d) // (2 * d) * (1 if n >= 0 else -1)
    whole, part = divmod(abs(scaled), 10**places)
    text = f"{whole:,}" if thousands else str(whole)
    if places:
        text += "." + str(part).zfill(places)
    return ("-" if scaled < 0 else "") + text + ("%" if kind == "percent" else "")
