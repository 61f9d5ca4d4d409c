"""A table against the same table of the previous edition: the rows gone and the rows new
(a warning each, and a note under the table), and the columns whose spec bounds how their
values may change from one edition to the next (`monotone`, `max_change`: a warning for
each row beyond the bound).

The rank change itself is computed in bulletin.compute.tables, over the rows both editions
have (docs/tables.md, 排名变化). The note is page text, in Chinese like the rest of the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from bulletin.compute.columnkinds import KINDS
from bulletin.compute.tablespec import ColumnSpec
from bulletin.compute.tableview import ComputedTable
from bulletin.diagnostics.errors import Diagnostic, Finding, msg, suggest


@dataclass(frozen=True)
class Rows:
    """The rows (counties) of this edition's table against the previous edition's."""

    gone: list[str]  # in the previous table, not in this one (in the previous table's order)
    new: list[str]  # in this table, not in the previous one (in this table's order)
    common: list[str]  # in both (in this table's order)

    @property
    def same(self) -> bool:
        return not (self.gone or self.new)


def rows(before: Sequence[str], now: Sequence[str]) -> Rows:
    had, has = set(before), set(now)
    return Rows([k for k in before if k not in has], [k for k in now if k not in had],
                [k for k in now if k in had])


def row_findings(found: Rows, *, before: str, now: str, previous_file: str, file: str,
                 lines: Mapping[str, int], key: str, ranked: bool) -> list[Diagnostic]:
    """A warning for each row gone since the previous edition, and each row new in this one
    (a name written another way is both: the hints point from one to the other). `ranked`:
    the table shows a rank change."""
    out = []
    for row in found.gone:
        near = suggest(row, found.new)
        hint = (msg("compare.gone_renamed_hint", now=now, name=near) if near
                else msg("compare.gone_hint") if ranked else msg("compare.gone_hint_unranked"))
        out.append(Finding(msg("compare.row_gone", row=row, before=before, now=now,
                               file=previous_file), file=file, field=key, hint=hint))
    for row in found.new:
        near = suggest(row, found.gone)
        hint = (msg("compare.new_renamed_hint", before=before, name=near) if near
                else msg("compare.new_hint") if ranked else msg("compare.new_hint_unranked"))
        out.append(Finding(msg("compare.row_new", row=row, before=before, now=now,
                               file=previous_file), file=file, line=lines.get(row),
                           field=key, hint=hint))
    return out


Column = tuple[ColumnSpec, str, Mapping[str, Any], Callable[[Any], str]]  # spec, name,
# {row: exact value}, the column's display format


def value_findings(columns: Iterable[Column], previous: ComputedTable, common: Sequence[str],
                   *, before: str, now: str, file: str,
                   lines: Mapping[str, int]) -> list[Diagnostic]:
    """A warning for each row whose value broke its column's `monotone` or `max_change`
    against the previous edition (rows both editions have; not the totals row)."""
    out = []
    for spec, name, values, fmt in columns:
        if spec.monotone is None and spec.max_change is None:
            continue
        earlier = previous.column_values(name)
        for row in common:
            old, new = earlier.get(row), values.get(row)
            if old is None or new is None:
                continue
            where = {"file": file, "line": lines.get(row), "field": spec.source or name}
            said = {"row": row, "column": name, "old": fmt(old), "new": fmt(new),
                    "before": before, "now": now}
            if spec.monotone == "increasing" and new < old:
                out.append(Finding(msg("compare.fell", **said), **where,
                                   hint=msg("compare.monotone_hint")))
            elif spec.monotone == "decreasing" and new > old:
                out.append(Finding(msg("compare.rose", **said), **where,
                                   hint=msg("compare.monotone_hint")))
            if spec.max_change is None or new == old:
                continue
            limit = f"{spec.max_change:g}"
            if old == 0:
                out.append(Finding(msg("compare.from_zero", **said, limit=limit), **where,
                                   hint=msg("compare.max_change_hint")))
                continue
            share = Fraction(new - old) / abs(Fraction(old))
            if abs(share) > Fraction(repr(spec.max_change)):
                shown = ("+" if share > 0 else "-") + KINDS["percent"].format(abs(share), 1)
                out.append(Finding(msg("compare.jumped", **said, share=shown, limit=limit,
                                       percent=f"{spec.max_change * 100:g}%"), **where,
                                   hint=msg("compare.max_change_hint")))
    return out


def note(found: Rows, *, before: str, unit: str, ranked: bool) -> str | None:
    """The note under the table naming the rows gone and new (None: the same rows), e.g.
    注：与上期（2021年第12期）相比，本期无睢县数据；排名变化按两期都有的9个县（市、区）计算。"""
    if found.same:
        return None
    unit = _full_width(unit)
    told = []
    if found.gone:
        told.append(f"本期无{'、'.join(found.gone)}数据")
    if found.new:
        told.append(f"{'' if found.gone else '本期'}新增{'、'.join(found.new)}数据")
    text = f"注：与上期（{before}）相比，{'，'.join(told)}"
    if ranked and found.common:
        text += f"；排名变化按两期都有的{len(found.common)}个{unit}计算"
        text += "，新增的记为“新”" if found.new else ""
    elif ranked:
        text += f"；两期没有相同的{unit}，排名变化都记为“新”"
    return text + "。"


_CJK = re.compile(r"[\u3400-\u9fff]")


def _full_width(label: str) -> str:
    """县(市、区) → 县（市、区）: a Chinese label's brackets as Chinese text writes them."""
    return label.replace("(", "（").replace(")", "）") if _CJK.search(label) else label
