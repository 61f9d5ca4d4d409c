"""Statistics tables: read a county sheet, compute derived columns, totals, ranks and rank
changes, cross-check hand-typed values, and format everything for the page.

Numbers are exact throughout: counts are integers, rates are :class:`fractions.Fraction`
(``7 / 2882`` exactly), ranks are computed on those exact values, and rounding happens only
for display — half away from zero, like Excel (``0.125`` → ``0.13``; Python's ``round``
would give ``0.12``). Totals are the sums of the ``count`` columns; derived columns on the
totals row are recomputed from those sums, never summed or averaged.

Hand-typed values in the sheet (``role = "reported"`` columns, and the 合计 row) are never
used as data: each is compared with the computed value *at the displayed precision* (a
reported ``16.65%`` matches a computed 0.166498…), and every difference becomes a warning
:class:`Finding` — or a :class:`DataError` under ``strict``. The page shows computed values.

Reading is in :mod:`bulletin.sheets`, the spec format in :mod:`bulletin.tablespec`,
expressions in :mod:`bulletin.expr`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from bulletin.compute import compare, expr
from bulletin.compute.columnkinds import KINDS, ColumnKind, format_value
from bulletin.compute.sheets import TOO_LARGE, Sheet, clean_text, normalize, read_sheet
from bulletin.compute.tablespec import ColumnSpec, SpecFile, load_spec
from bulletin.compute.tableview import (
    ComputedTable,
    Discrepancy,
    DisplayColumn,
    DisplayRow,
    HeaderCell,
    header_cells,
)
from bulletin.diagnostics.errors import DataError, Finding, msg, suggest
from bulletin.diagnostics.reasons import os_reason

__all__ = ["ComputedTable", "Discrepancy", "DisplayColumn", "DisplayRow", "HeaderCell",
           "compute_table", "format_value", "load_table", "load_tables", "rank_values"]


def rank_values(values: Mapping[str, Any], *, descending: bool, ties: str) -> dict[str, int]:
    """Ranks on exact values. ties="min": 1,1,3 (Excel RANK); "dense": 1,1,2 (中国式排名)."""
    ordered = sorted(values.values(), reverse=descending)  # (n log n comparisons of Fractions)
    first: dict[Any, int] = {}  # a value's place in the order: 1 + how many are better
    dense: dict[Any, int] = {}
    for i, v in enumerate(ordered):
        if v not in first:
            first[v], dense[v] = i + 1, len(dense) + 1
    return {k: dense[v] if ties == "dense" else first[v] for k, v in values.items()}


@dataclass
class _Column:
    spec: ColumnSpec
    index: int  # position in the spec's [[columns]]
    name: str
    role: str  # count, value, reported, hidden, derived
    kind: ColumnKind
    label: str

    def fmt(self, value: Any) -> str:
        return self.kind.format(value, self.spec.decimals, self.spec.thousands)


def _shown(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)


def load_tables(
    data_dir: Path,
    *,
    previous: Mapping[str, ComputedTable] | None = None,
    strict: bool = False,
    root: Path | None = None,
) -> dict[str, ComputedTable]:
    """Read and compute every table specified by ``data_dir/*.toml``."""
    specs = sorted(Path(data_dir).glob("*.toml")) if Path(data_dir).is_dir() else []
    return {p.stem: load_table(p, previous=(previous or {}).get(p.stem), strict=strict,
                               root=root) for p in specs}


def load_table(
    spec_path: Path,
    *,
    previous: ComputedTable | None = None,
    strict: bool = False,
    root: Path | None = None,
    edition: str | None = None,
) -> ComputedTable:
    """Read one spec and its data file (which must be in the spec's folder); compute.
    `previous`: the same table of the previous edition; `edition`: this edition's name
    (2021年第13期; default: the data folder's name)."""
    if root is not None and not spec_path.resolve().is_relative_to(root.resolve()):
        raise DataError(msg("tables.link_outside"),
                        file=Path(os.path.relpath(spec_path, root)).as_posix(),
                        hint=msg("tables.link_outside_hint"))
    sf = load_spec(spec_path, _shown(spec_path, root))
    spec = sf.spec
    folder = spec_path.parent.resolve()
    source = (spec_path.parent / spec.source).resolve()
    where = {"file": sf.shown, "line": sf.line_of("source"), "field": "source"}
    if not source.is_relative_to(folder):
        raise DataError(msg("tables.outside_folder", src=spec.source, folder=str(folder)),
                        **where)
    if not source.is_file():
        files = ", ".join(sorted(p.name for p in folder.iterdir()))
        raise DataError(msg("tables.no_file", src=spec.source), **where,
                        hint=msg("tables.files_here", names=files))
    try:
        sheet = read_sheet(source, shown=_shown(source, root), key=spec.key, sheet=spec.sheet,
                           header_row=spec.header_row, header_rows=spec.header_rows,
                           total_labels=tuple(dict.fromkeys((spec.total_label, "合计", "总计"))))
    except OSError as exc:
        raise DataError(msg("tables.unreadable", why=os_reason(exc)), **where) from None
    return compute_table(sf, sheet, previous=previous, strict=strict, edition=edition)


def _resolve(sf: SpecFile) -> tuple[list[_Column], dict[str, expr.Expr]]:
    """Check the spec's columns against each other; parse the expressions."""
    spec, cols, seen = sf.spec, [], {}
    rank_name = spec.rank.name if spec.rank else None
    for i, c in enumerate(spec.columns):
        at = {"file": sf.shown, "line": sf.column_line(i)}
        if (c.source is None) == (c.expr is None):
            raise DataError(msg("tables.source_or_expr"), **at)
        role = c.effective_role
        if c.expr is not None and role not in ("derived", "hidden"):
            raise DataError(msg("tables.derived_role", role=role), **at, field="role")
        if role == "reported" and not c.checks:
            raise DataError(msg("tables.reported_needs_checks"), **at)
        if c.checks and role != "reported":
            raise DataError(msg("tables.checks_not_reported"), **at, field="checks")
        bounded = "monotone" if c.monotone is not None else "max_change"
        if (c.monotone is not None or c.max_change is not None) and (
                role == "reported" or not c.kind.numeric):
            what = msg("tables.reported") if role == "reported" else c.kind.what()
            raise DataError(msg("tables.bound_not_computed", name=c.key, what=what),
                            file=sf.shown, line=sf.column_line(i, bounded), field=bounded)
        if not c.kind.numeric and role == "count":
            raise DataError(msg("tables.text_count"), **at, field="role")
        if c.key == spec.key:
            raise DataError(msg("tables.key_column", name=c.key), **at,
                            hint=msg("tables.key_column_hint"))
        if c.key in seen or c.key == rank_name:
            raise DataError(msg("tables.same_name", name=c.key), **at, field="name",
                            hint=msg("tables.same_name_hint"))
        seen[c.key] = i
        cols.append(_Column(c, i, c.key, role, c.kind, c.label or c.key))
    by_name = {c.name: c for c in cols}
    for c in cols:
        if c.spec.checks:
            if c.spec.checks != rank_name and (c.spec.checks not in by_name or
                                               by_name[c.spec.checks].role == "reported"):
                valid = [n for n, d in by_name.items() if d.role != "reported"]
                valid += [rank_name] if rank_name else []
                near = suggest(c.spec.checks, valid)
                raise DataError(msg("tables.checks_unknown", name=c.spec.checks),
                                file=sf.shown, line=sf.column_line(c.index, "checks"),
                                field="checks", hint=msg("common.did_you_mean", name=near)
                                if near else msg("tables.columns", names=", ".join(valid)))
            target = by_name.get(c.spec.checks)
            c.kind = (KINDS[c.spec.type] if c.spec.type
                      else target.kind if target else KINDS["int"])  # (the rank: int)
    numeric = {c.name for c in cols if c.role != "reported" and c.kind.numeric}
    exprs = {}
    for c in cols:
        if c.spec.expr is not None:
            at = {"file": sf.shown, "line": sf.column_line(c.index, "expr"), "field": c.name}
            e = expr.parse(c.spec.expr, columns=list(by_name), **at)
            for name in sorted(e.names - numeric):
                what = (by_name[name].kind.what() if not by_name[name].kind.numeric
                        else msg("tables.reported"))  # fmt: skip
                raise DataError(msg("tables.not_computed", name=name, what=what), **at)
            exprs[c.name] = e
    if spec.rank and spec.rank.by not in numeric:
        near = suggest(spec.rank.by, sorted(numeric))
        raise DataError(msg("tables.rank_not_numeric", name=spec.rank.by), file=sf.shown,
                        line=sf.line_of("rank", "by"), field="rank.by",
                        hint=msg("common.did_you_mean", name=near) if near else
                        msg("tables.numeric_columns", names=", ".join(sorted(numeric))))
    return cols, _ordered(exprs, sf, by_name)


def _ordered(exprs: dict[str, expr.Expr], sf: SpecFile,
             by_name: dict[str, _Column]) -> dict[str, expr.Expr]:
    """The derived columns in an order where each comes after those it reads."""
    done: dict[str, expr.Expr] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in path:
            cycle = " → ".join((*path[path.index(name):], name))
            raise DataError(msg("tables.circular", cycle=cycle), file=sf.shown, field=name,
                            line=sf.column_line(by_name[name].index, "expr"))
        if name in done or name not in exprs:
            return
        for used in sorted(exprs[name].names):
            visit(used, (*path, name))
        done[name] = exprs[name]

    for name in exprs:
        visit(name, ())
    return done


def _parse_cell(value: Any, col: _Column, row: str, line: int, sheet: Sheet,
                total: bool = False) -> Any:
    where = {"file": sheet.path, "line": line, "field": col.spec.source}
    if not col.kind.numeric:
        return col.kind.parse(value)
    try:
        number = col.kind.parse(value)
    except ValueError as exc:
        why = exc.args[0] if exc.args else str(exc)
        raise DataError(msg("tables.bad_cell", row=row, what=col.kind.what(),
                            value=_brief(value), why=why), **where) from None
    if number is None:
        if total or col.role == "reported":
            return None
        if col.spec.blank == "zero":
            return Fraction(0)
        raise DataError(msg("tables.empty_cell", row=row, what=col.kind.what()), **where,
                        hint=msg("tables.empty_cell_hint"))
    if col.kind.whole and number.denominator != 1:
        raise DataError(msg("tables.not_whole", row=row, value=_brief(value)), **where)
    return number


def _brief(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else f"{text[:30]}…({len(text)} characters)"


def compute_table(
    sf: SpecFile,
    sheet: Sheet,
    *,
    previous: ComputedTable | None = None,
    strict: bool = False,
    edition: str | None = None,
) -> ComputedTable:
    spec = sf.spec
    cols, exprs = _resolve(sf)
    by_name = {c.name: c for c in cols}
    key_at = sheet.find_column(spec.key)
    if key_at is None:
        raise DataError(msg("tables.no_key_column", name=spec.key), file=sheet.path,
                        line=sheet.header_line)
    places = {}
    for c in cols:
        if c.spec.source is not None:
            places[c.name] = sheet.find_column(c.spec.source)
            if places[c.name] is None:
                named = [h for h in sheet.header if h]
                near = suggest(c.spec.source, named + [h.rsplit("/", 1)[-1] for h in named])
                raise DataError(msg("tables.no_column", name=c.spec.source), file=sheet.path,
                                line=sheet.header_line, field=c.spec.source,
                                hint=msg("common.did_you_mean", name=near) if near else
                                msg("tables.columns", names=", ".join(named)))
    keys: list[str] = []
    lines: dict[str, int] = {}
    data: dict[str, dict[str, Any]] = {c.name: {} for c in cols}
    for r in sheet.rows:
        key = clean_text(r.cells[key_at])
        if not key:
            raise DataError(msg("tables.no_key", key=spec.key), file=sheet.path, line=r.line,
                            field=spec.key)
        if key in lines:
            raise DataError(msg("tables.twice", key=key), file=sheet.path, line=r.line,
                            field=spec.key, hint=msg("tables.twice_hint", n=lines[key]))
        keys.append(key)
        lines[key] = r.line
        for name, at in places.items():
            data[name][key] = _parse_cell(r.cells[at], by_name[name], key, r.line, sheet)
    if not keys:
        raise DataError(msg("tables.no_rows"), file=sheet.path, line=sheet.header_line)
    env = {c.name: [data[c.name][k] for k in keys]  # (columns of exact values, in row order)
           for c in cols if c.spec.source is not None and c.role != "reported"
           and c.kind.numeric}
    total_line = sheet.total.line if sheet.total else None
    for name, e in exprs.items():
        env[name] = _evaluate(e, env, keys, name, sheet, lines, sf)
        data[name] = dict(zip(keys, env[name], strict=True))
    label = spec.total_label
    totals: dict[str, Any] = {}
    if spec.totals and any(c.role == "count" for c in cols):
        totals = {c.name: sum(env[c.name], Fraction(0)) for c in cols if c.role == "count"}
        for name, e in exprs.items():
            if e.names <= totals.keys():
                tenv = {n: [v] for n, v in totals.items()}
                totals[name] = _evaluate(e, tenv, [label], name, sheet, {label: total_line},
                                         sf)[0]
    ranks: dict[str, int] = {}
    if spec.rank:
        ranks = rank_values(data[spec.rank.by], descending=spec.rank.order == "desc",
                            ties=spec.rank.ties)
    reported_totals = {}
    if sheet.total is not None:
        for name, at in places.items():
            reported_totals[name] = _parse_cell(sheet.total.cells[at], by_name[name], label,
                                                sheet.total.line, sheet, total=True)
    found = _cross_check(cols, data, ranks, totals, reported_totals, keys, lines, label,
                         total_line, sf)
    findings = [Finding(msg("tables.cross_check", difference=d.message()), file=sheet.path,
                        line=d.line, field=d.field, hint=msg("tables.cross_check_fix"))
                for d in found]  # fmt: skip
    if sheet.encoding in ("gb18030", "utf-8-sig"):  # named, so a legacy file can be told
        gbk = sheet.encoding == "gb18030"
        read_as = msg("tables.read_gb18030") if gbk else msg("tables.read_bom")
        findings.insert(0, Finding(read_as, file=sheet.path, level="info"))
    if found and (strict or spec.strict):
        first, *rest = (d.message() for d in found)
        where = {"file": sheet.path, "line": found[0].line, "field": found[0].field,
                 "hint": msg("tables.cross_check_hint")}
        if rest:
            raise DataError(msg("tables.cross_check_failed_more", first=first, n=len(rest),
                                rest=rest), **where)
        raise DataError(msg("tables.cross_check_failed", first=first), **where)
    edition = edition or Path(sheet.path).parent.name
    change, notes = None, list(sheet.notes)
    if previous is not None:
        before = previous.edition or Path(previous.source).parent.name
        rows = compare.rows(previous.row_keys, keys)
        told = {"before": before, "now": edition, "file": sheet.path, "lines": lines}
        change = _rank_change(previous, sf, data, keys, rows.common, ranks)
        findings += compare.row_findings(rows, previous_file=previous.source, key=spec.key,
                                         ranked=change is not None, **told)
        findings += compare.value_findings(
            [(c.spec, c.name, data[c.name], c.fmt) for c in cols
             if c.role != "reported" and c.kind.numeric], previous, rows.common, **told)
        said = compare.note(rows, before=before, unit=spec.key_label or spec.key,
                            ranked=change is not None)
        notes += [said] if said else []
    return _assemble(sf, sheet, cols, keys, data, totals, ranks, change, found, findings,
                     notes, edition)


def _evaluate(e: expr.Expr, env: dict[str, list[Any]], keys: list[str], name: str,
              sheet: Sheet, lines: Mapping[str, int | None], sf: SpecFile) -> list[Any]:
    try:
        result = e.evaluate(env, keys)
    except expr.ZeroDenominator as z:
        spec_line = sf.column_line(next(i for i, c in enumerate(sf.spec.columns)
                                        if c.key == name), "expr")
        raise DataError(msg("tables.zero_division", row=z.key, name=name, d=z.denominator),
                        file=sheet.path, line=lines.get(z.key), field=name,
                        hint=msg("tables.zero_division_hint", expr=e.text,
                                 where=f"{sf.shown}:{spec_line}")) from None
    for key, value in zip(keys, result, strict=True):
        if value is not None and abs(value) >= TOO_LARGE:
            raise DataError(msg("tables.too_large", row=key, name=name), file=sheet.path,
                            line=lines.get(key), field=name,
                            hint=msg("tables.too_large_hint", expr=e.text))
    return result


def _rank_change(previous: ComputedTable, sf: SpecFile, data: dict[str, dict[str, Any]],
                 keys: list[str], common: list[str],
                 ranks: Mapping[str, int]) -> dict[str, str] | None:
    """Each row's rank change (None: no rank in this table or the previous one). It is
    counted over the rows both editions have: each edition ranked again over those rows
    alone (by its own rank rule), so that a row gone or new moves no other row; a new row
    shows 新."""
    rank = sf.spec.rank
    earlier = previous.spec.spec.rank if previous.spec is not None else None
    if rank is None or earlier is None or not previous.ranks:
        return None
    if len(common) == len(keys) == len(previous.ranks):  # the same rows: ranked as they are
        before, now = previous.ranks, ranks
    else:
        values = previous.column_values(earlier.by)
        before = rank_values({k: values[k] for k in common},
                             descending=earlier.order == "desc", ties=earlier.ties)
        now = rank_values({k: data[rank.by][k] for k in common},
                          descending=rank.order == "desc", ties=rank.ties)
    return {k: _change(before.get(k), now.get(k, 0)) for k in keys}


def _change(before: int | None, now: int) -> str:
    if before is None:
        return "新"
    return "–" if before == now else (f"↑{before - now}" if before > now else f"↓{now - before}")


def _cross_check(cols: list[_Column], data: dict[str, dict[str, Any]], ranks: dict[str, int],
                 totals: dict[str, Any], reported_totals: dict[str, Any], keys: list[str],
                 lines: dict[str, int], label: str, total_line: int | None,
                 sf: SpecFile) -> list[Discrepancy]:
    by_name = {c.name: c for c in cols}
    rank_name = sf.spec.rank.name if sf.spec.rank else None
    found = []

    def compare(row: str, line: int | None, col: _Column, reported: Any, target: str) -> None:
        if reported is None:
            return
        if target == rank_name:
            computed, fmt = (ranks.get(row) if row != label else None), str
        else:
            computed = totals.get(target) if row == label else data[target].get(row)
            fmt = by_name[target].fmt
        shown = fmt(reported) if target != rank_name else KINDS["int"].format(reported)
        if computed is not None and shown != fmt(computed):
            found.append(Discrepancy(row, target, shown, fmt(computed), line, col.spec.source
                                     or col.name))

    for c in cols:
        if c.role == "reported":
            for k in keys:
                compare(k, lines[k], c, data[c.name][k], c.spec.checks or "")
    for c in cols:
        if c.name in reported_totals and c.role in ("count", "reported"):
            target = c.name if c.role == "count" else (c.spec.checks or "")
            compare(label, total_line, c, reported_totals[c.name], target)
    return found


def _assemble(sf: SpecFile, sheet: Sheet, cols: list[_Column], keys: list[str],
              data: dict[str, dict[str, Any]], totals: dict[str, Any], ranks: dict[str, int],
              change: dict[str, str] | None, found: list[Discrepancy],
              findings: list[Finding], notes: list[str], edition: str) -> ComputedTable:
    spec = sf.spec
    shown = [c for c in cols if c.role in ("count", "value", "derived")]
    display = [DisplayColumn(spec.key, spec.key_label or spec.key, False)]
    display += [DisplayColumn(c.name, c.label, c.kind.numeric, c.spec.group) for c in shown]
    if spec.rank:
        display.append(DisplayColumn(spec.rank.name, spec.rank.label or spec.rank.name, True))
        if change is not None:
            display.append(DisplayColumn(spec.rank.change_label, spec.rank.change_label, True))
    order = sorted(keys, key=lambda k: ranks[k]) if spec.rank and spec.rank.sort == "rank" \
        else keys
    exact: dict[tuple[str, str], Any] = {}
    for k in keys:
        exact[(k, spec.key)] = k
        for c in cols:
            if c.role != "reported":
                exact[(k, c.name)] = c.kind.exact(data[c.name][k])
        if spec.rank:
            exact[(k, spec.rank.name)] = ranks[k]
            if change is not None:
                exact[(k, spec.rank.change_label)] = change[k]
    rows = list(order)
    if totals:
        rows.append(spec.total_label)
        exact[(spec.total_label, spec.key)] = spec.total_label
        kinds = {c.name: c.kind for c in cols}
        exact.update({(spec.total_label, n): kinds[n].exact(v) for n, v in totals.items()})
    fmts = {c.name: c.fmt for c in cols}
    text = {(r, n): fmts[n](v) if n in fmts else ("" if v is None else str(v))
            for (r, n), v in exact.items()}
    body = [DisplayRow(r, [text.get((r, c.key), "") for c in display],
                       is_total=r == spec.total_label and bool(totals)) for r in rows]
    header, spans = header_cells(display)
    return ComputedTable(
        name=sf.name, title=spec.title, source=sheet.path, source_note=spec.source_note,
        notes=notes, encoding=sheet.encoding, total_label=spec.total_label,
        findings=findings, discrepancies=found, header_rows=header, columns=display,
        body=body, ranks=ranks, column_groups=spans, _exact=exact, _text=text,
        _aliases=_aliases(cols, display, spec.rank.name if spec.rank else None), spec=sf,
        _frame_columns=[(c.name, c.kind) for c in cols if c.role != "reported"],
        _rank_name=spec.rank.name if spec.rank else None, edition=edition)



def _aliases(cols: list[_Column], display: list[DisplayColumn],
             rank_name: str | None) -> list[dict[str, list[str]]]:
    """Lookup tiers for cite(): names, labels, group/label, source headers, then groups (a
    group of one column names it; of several, the look-up is ambiguous and says so)."""
    tiers: list[dict[str, list[str]]] = [{}, {}, {}, {}, {}]

    def add(tier: int, alias: str | None, name: str) -> None:
        if alias:
            tiers[tier].setdefault(normalize(alias), []).append(name)

    for c in display:
        add(0, c.key, c.key)
        add(1, c.label, c.key)
        add(2, f"{c.group}/{c.label}" if c.group else None, c.key)
        add(4, c.group, c.key)
    for c in cols:
        if c.role == "reported":  # the page shows the computed value it was checked against
            add(3, c.spec.source, c.spec.checks or "")
        elif c.role == "hidden":
            add(0, c.name, c.name)
        else:
            add(3, c.spec.source, c.name)
    return tiers
