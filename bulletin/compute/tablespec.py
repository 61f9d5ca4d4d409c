"""Table specs: ``data/<edition-id>/<name>.toml`` beside the data, validated with pydantic.

Example (the table's name is the file stem)::

    title = "商丘市脱贫人口小额信贷通报表"
    source = "microcredit.csv"        # relative to this file, inside this folder
    key = "县(市、区)"                 # the column that names the row (the county)
    source_note = "本版由商丘市乡村振兴局供稿"

    [rank]
    by = "余额获贷率"
    order = "desc"                    # "desc" (largest first) or "asc"; required
    ties = "min"                      # "min" (Excel RANK: 1,1,3) or "dense" (1,1,2); required

    [[columns]]
    name = "已脱贫户数"                # the name expressions use (default: source)
    source = "享受政策的已脱贫户数"      # the header in the file
    type = "int"                      # a column kind: int | number | percent | text
    role = "count"                    # count (summed) | value | reported | hidden
    monotone = "increasing"           # against the previous edition: never falls (a warning)
    max_change = 0.5                  # …nor changes by more than half (a warning)

    [[columns]]
    name = "余额获贷率"
    expr = "目前总贷款余额户数 / (已脱贫户数 + 监测户数)"
    type = "percent"
    decimals = 2

    [[columns]]
    source = "总贷款余额户数"           # typed by hand in the sheet…
    role = "reported"
    checks = "余额获贷率"               # …and cross-checked against the computed column

    [[charts]]                        # drawn by bulletin.charts; placed with ```{chart} name```
    name = "microcredit-rate"         # the SVG's file name (letters, digits, - and _)
    type = "rank_bar"                 # a chart kind: bulletin.charts.kinds.KINDS
    columns = ["余额获贷率"]            # column names, as in expressions
    reference = "total"               # "total" (the 合计 row), a number, or "15%"
    highlight = { top = 3, bottom = 1 }   # and/or names = ["柘城县"]
    place = "after"                   # also draw it right after the table, wherever it is
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from bulletin.charts.kinds import KINDS as CHART_KINDS
from bulletin.charts.spec import ChartSpec, HighlightSpec
from bulletin.compute.columnkinds import KINDS as COLUMN_KINDS
from bulletin.compute.columnkinds import ColumnKind
from bulletin.diagnostics.errors import DataError, Message, msg, suggest
from bulletin.diagnostics.reasons import os_reason, pydantic_reason, toml_reason
from bulletin.load.config import toml_limit_error


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnSpec(_Model):
    name: str | None = Field(None, description="name in expressions, checks and cite()")
    source: str | None = Field(None, description="header in the data file")
    expr: str | None = Field(None, description="a derived column: arithmetic over columns")
    label: str | None = Field(None, description="header shown on the page (default: name)")
    group: str | None = Field(None, description="a header over adjacent columns")
    type: str | None = Field(None, description="a column kind: bulletin.compute.columnkinds.KINDS")
    role: Literal["count", "value", "reported", "hidden"] | None = None
    checks: str | None = Field(None, description="for role='reported': the computed column")
    decimals: int | None = Field(None, ge=0, le=10)
    thousands: bool = Field(False, description="show 50,144 instead of 50144")
    blank: Literal["error", "zero"] = Field("error", description="what an empty cell means")
    monotone: Literal["increasing", "decreasing"] | None = Field(
        None, description="against the previous edition: a row's value never falls (rises)")
    max_change: float | None = Field(
        None, gt=0, description="against the previous edition: the largest change of a "
        "row's value, as a share of the previous value (0.5: by half)")

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, v: object) -> object:
        """A name in the registry of column kinds; the error is worded as pydantic words a
        Literal's ("Input should be 'int', 'number', 'percent' or 'text'")."""
        if v is not None and (not isinstance(v, str) or v not in COLUMN_KINDS):
            *names, last = (repr(name) for name in COLUMN_KINDS)
            expected = f"{', '.join(names)} or {last}" if names else last
            raise PydanticCustomError("literal_error", "Input should be {expected}",
                                      {"expected": expected})
        return v

    @property
    def key(self) -> str:
        return self.name or self.source or ""

    @property
    def kind(self) -> ColumnKind:
        """The column kind of its type, with defaults: int for counts, number otherwise."""
        if self.type:
            return COLUMN_KINDS[self.type]
        return COLUMN_KINDS["int" if self.effective_role == "count" else "number"]

    @property
    def effective_role(self) -> str:
        if self.role:
            return self.role
        if self.checks:
            return "reported"
        if self.expr is not None:
            return "derived"
        return "count" if self.type is None or COLUMN_KINDS[self.type].count else "value"


class RankSpec(_Model):
    by: str = Field(description="the column ranked (its exact, unrounded values)")
    order: Literal["desc", "asc"]
    ties: Literal["min", "dense"]
    name: str = "排名"
    label: str | None = None
    sort: Literal["source", "rank"] = Field("source", description="row order on the page")
    change_label: str = Field("排名变化", description="header of the change column")


class TableSpec(_Model):
    title: str
    source: str
    sheet: str | None = None
    header_row: int | None = Field(None, ge=1)
    header_rows: Literal[1, 2] | None = None
    key: str
    key_label: str | None = None
    source_note: str | None = None
    total_label: str = "合计"
    totals: bool = Field(True, description="show a totals row when there are count columns")
    strict: bool = False
    rank: RankSpec | None = None
    columns: list[ColumnSpec] = Field(min_length=1)
    charts: list[ChartSpec] = Field(default_factory=list)


_MODELS: dict[str, type[BaseModel]] = {"columns": ColumnSpec, "rank": RankSpec,
                                       "charts": ChartSpec, "highlight": HighlightSpec}


@dataclass(frozen=True)
class SpecFile:
    """A parsed spec with what is needed to point at its lines."""

    name: str
    path: Path
    shown: str  # the path as messages show it
    text: str
    spec: TableSpec

    def line_of(self, *loc: str | int) -> int | None:
        return key_line(self.text, loc)

    def column_line(self, index: int, key: str | None = None) -> int | None:
        return key_line(self.text, ("columns", index, key) if key else ("columns", index))


def load_spec(path: Path, shown: str) -> SpecFile:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(msg("tablespec.not_utf8"), file=shown) from None
    except OSError as exc:
        raise DataError(msg("tablespec.unreadable", why=os_reason(exc)), file=shown) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        if line is None and str(exc).endswith("(at end of document)"):  # cut off: the last line
            line = max(1, len(text.splitlines()))
        why = toml_reason(re.sub(r" [(]at (line|end).*", "", str(exc)))
        raise DataError(msg("tablespec.not_toml", why=why), file=shown, line=line) from None
    except (ValueError, RecursionError) as exc:  # far too many digits, nested far too deep
        raise toml_limit_error(DataError, exc, text, shown) from None
    try:
        spec = TableSpec.model_validate(data)
    except ValidationError as exc:
        raise _spec_error(exc, text, shown) from None
    sf = SpecFile(path.stem, path, shown, text, spec)
    _check_charts(sf)
    return sf


def chart_columns(spec: TableSpec) -> list[str]:
    """The columns a chart may draw: computed numbers (not hand-typed, not text), and rank."""
    names = [c.key for c in spec.columns if c.effective_role != "reported" and c.kind.numeric]
    return names + ([spec.rank.name] if spec.rank else [])


def chart_column_kinds(spec: TableSpec) -> dict[str, ColumnKind | None]:
    """The kind of each column a chart may draw; None for the rank (not a column of the spec)."""
    kinds: dict[str, ColumnKind | None] = {
        c.key: c.kind for c in spec.columns if c.effective_role != "reported" and c.kind.numeric}
    return kinds | ({spec.rank.name: None} if spec.rank else {})


def _check_charts(sf: SpecFile) -> None:
    valid = chart_columns(sf.spec)
    kinds = chart_column_kinds(sf.spec)
    seen: dict[str, int] = {}
    for i, chart in enumerate(sf.spec.charts):
        if chart.type not in CHART_KINDS:
            near = suggest(chart.type, list(CHART_KINDS))
            raise DataError(msg("tablespec.chart_type", type=chart.type,
                                names=", ".join(CHART_KINDS)),
                            file=sf.shown, line=sf.line_of("charts", i, "type"), field="type",
                            hint=msg("common.did_you_mean", name=near) if near else None)
    for i, chart in enumerate(sf.spec.charts):
        if chart.name in seen:
            raise DataError(msg("tablespec.duplicate_chart", name=chart.name), file=sf.shown,
                            line=sf.line_of("charts", i, "name"), field="name")
        seen[chart.name] = i
        for column in chart.columns:
            if column not in valid:
                near = suggest(column, valid)
                raise DataError(msg("tablespec.chart_column", chart=chart.name, column=column),
                                file=sf.shown, line=sf.line_of("charts", i, "columns"),
                                field="columns", hint=msg("common.did_you_mean", name=near)
                                if near else msg("tablespec.chart_columns", names=", ".join(valid)))
        problem = CHART_KINDS[chart.type].check(chart, kinds)  # (the kind's own rules)
        if problem:
            raise DataError(problem.message, file=sf.shown, field=problem.key,
                            line=sf.line_of("charts", i, problem.key), hint=problem.hint)


def _spec_error(exc: ValidationError, text: str, shown: str) -> DataError:
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")  # typos first
    first = errors[0]
    loc = tuple(first["loc"])
    parents = [str(p) for p in loc[:-1] if isinstance(p, str)]
    model = _MODELS.get(parents[-1], TableSpec) if parents else TableSpec
    key = str(loc[-1]) if loc and isinstance(loc[-1], str) else None

    def more(problem: Message) -> Message:
        if exc.error_count() == 1:
            return problem
        return msg("tablespec.more_problems", problem=problem, n=exc.error_count() - 1)

    if first["type"] == "extra_forbidden" and key:
        near = suggest(key, list(model.model_fields))
        return DataError(more(msg("tablespec.unknown_key", key=key)), file=shown,
                         line=key_line(text, loc) or key_line(text, loc[:-1]),
                         field=key, hint=msg("common.did_you_mean", name=near) if near else
                         msg("tablespec.valid_keys", names=", ".join(model.model_fields)))
    if first["type"] == "missing":
        return DataError(more(msg("tablespec.missing_key", key=key)), file=shown,
                         line=key_line(text, loc[:-1]) if len(loc) > 1 else None, field=key)
    return DataError(more(pydantic_reason(first)), file=shown,
                     line=key_line(text, loc) or key_line(text, loc[:-1]),
                     field=".".join(str(p) for p in loc))


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z_][\w.-]*)\s*\]\]?")


def key_line(text: str, loc: tuple[str | int, ...]) -> int | None:
    """The 1-based line of ``loc`` (e.g. ("columns", 2, "labl")) in TOML ``text``.

    Understands top-level keys, ``[table]`` and ``[[array]]`` headers; falls back to the
    first line that sets the key anywhere.
    """
    loc = tuple(p for p in loc if p != "")
    counts: dict[str, int] = {}
    path: tuple[str | int, ...] = ()
    fallback = None
    key = loc[-1] if loc and isinstance(loc[-1], str) else None
    setter = re.compile(rf'^\s*(["\']?){re.escape(key)}\1\s*=') if key else None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            name = header.group(2)
            if header.group(1) == "[[":
                counts[name] = counts.get(name, -1) + 1
                path = (name, counts[name])
            else:
                path = (name,)
            if path == loc:
                return number
            continue
        if setter and setter.match(line):
            if (*path, key) == loc:
                return number
            fallback = fallback or number
    return fallback
