"""The compute stage: each edition's tables (derived columns, totals, ranks, rank change,
cross-checks: bulletin.compute.tables) and the charts made from them (bulletin.charts) — computed
here and nowhere else.

An edition's tables depend on the edition before it (the rank change), and on every earlier
edition when one of its charts draws the history (a line chart): `compute` works out which
from the parsed table specs, and computes each edition after what it depends on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bulletin.diagnostics.errors import BulletinError, ConfigError, Diagnostic, msg, suggest
from bulletin.load.config import toml_line
from bulletin.load.content import Collect, Edition, Site, attempt, report

if TYPE_CHECKING:
    from bulletin.charts import Chart
    from bulletin.compute.tableview import ComputedTable


@dataclass(frozen=True)
class EditionTables:
    """What the compute stage hands on for one edition: its tables by name, its charts by
    name (not drawn yet: the print stage draws them)."""

    tables: Mapping[str, ComputedTable] = field(default_factory=dict)
    charts: Mapping[str, Chart] = field(default_factory=dict)

    @property
    def findings(self) -> list[Diagnostic]:
        """The tables' warnings (cross-checks), in table order."""
        return [f for table in self.tables.values() for f in table.findings]


NONE = EditionTables()


def needs_history(site: Site, ids: set[str]) -> bool:
    """Whether a chart of one of the editions `ids` draws every earlier edition (read from
    their table specs; a spec that cannot be read is left to the compute stage to report)."""
    from bulletin.charts.kinds import KINDS
    from bulletin.compute.tablespec import load_spec

    for eid in sorted(ids):
        for path in sorted((site.data_dir / eid).glob("*.toml")):
            try:
                spec = load_spec(path, path.name).spec
            except BulletinError:
                continue
            if any(KINDS[chart.type].history for chart in spec.charts):
                return True
    return False


def edition_name(edition: Edition) -> str:
    """How notes and warnings name an edition: 2021年第12期."""
    return f"{edition.year}年第{edition.config.number}期"


def chart_label(site: Site, edition: Edition) -> str:
    """How a chart names the edition: 第12期, or 2021年第12期 when the archive spans years."""
    number = f"第{edition.config.number}期"
    years = {e.year for e in site.editions}
    return f"{edition.year}年{number}" if len(years) > 1 else number


def compute_edition(
    site: Site,
    edition: Edition,
    earlier: Sequence[tuple[Edition, EditionTables]],
    *,
    strict: bool,
    charts: bool = True,
    collect: Collect | None = None,
) -> EditionTables:
    """One edition's tables and charts. `earlier`: the editions before it that it depends
    on, oldest first, with their tables (the last is the previous edition, when given).
    With `collect`, a table or chart that fails is reported there and left out."""
    folder = site.data_dir / edition.id
    specs = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    tables: dict[str, ComputedTable] = {}
    if specs:
        from bulletin.compute.tables import load_table  # pandas loads only for sites with tables

        previous = earlier[-1][1].tables if earlier else {}
        for spec in specs:
            table = attempt(collect, load_table, spec, previous=previous.get(spec.stem),
                            strict=strict, root=site.root,
                            edition=edition_name(edition))  # fmt: skip
            if table is not None:
                tables[spec.stem] = table
    for error in page_table_errors(edition, [p.stem for p in specs]):
        report(collect, error)
    made: dict[str, Chart] | None = {}
    if tables and charts:
        from bulletin.charts import make_charts

        history = tuple((e.id, chart_label(site, e), t.tables) for e, t in earlier)
        made = attempt(collect, make_charts, tables, history, site.config.fonts.sans,
                       label=chart_label(site, edition))  # fmt: skip
    return EditionTables(tables, made or {})


def compute(
    site: Site,
    ids: set[str],
    *,
    strict: bool,
    cached: Callable[[str], EditionTables | None] = lambda eid: None,
    collect: Collect | None = None,
) -> dict[str, EditionTables]:
    """The editions `ids`' tables and charts, and those of the editions they depend on (the
    one before each, for its rank; every earlier one, when a chart draws the history).
    `cached(id)` gives an edition's tables kept from an earlier build, or None. With
    `collect` (bulletin check), an error is reported there and the rest computed."""
    order = site.editions
    if not ids:
        return {}
    history = needs_history(site, ids)
    last = max(i for i, e in enumerate(order) if e.id in ids)
    done: dict[str, EditionTables] = {}
    for i, edition in enumerate(order[: last + 1]):
        before = order[i - 1] if i > 0 else None
        wanted = edition.id in ids
        if not (history or wanted or (order[i + 1].id in ids)):
            continue
        hit = cached(edition.id)
        if hit is not None:
            for error in page_table_errors(edition, list(hit.tables)):  # (edition.toml is
                raise error  # not in the cache's key)
            done[edition.id] = hit
            continue
        if history:
            earlier = [(e, done[e.id]) for e in order[:i]]
        elif wanted and before is not None and before.id in done:
            earlier = [(before, done[before.id])]
        else:
            earlier = []
        done[edition.id] = compute_edition(
            site, edition, earlier, strict=strict, charts=wanted or history, collect=collect
        )
    return done


def page_table_errors(edition: Edition, names: Sequence[str]) -> list[ConfigError]:
    """A table a page lists in edition.toml that the edition does not have (its data/
    folder has no spec of that name): an error each (else the render stage would fail)."""
    errors = []
    for page in edition.pages:
        for name in page.config.tables:
            if name not in names:
                text = (edition.path / "edition.toml").read_text(encoding="utf-8-sig")
                near = suggest(name, list(names))
                hint = (
                    msg("common.did_you_mean", name=near)
                    if near
                    else msg("compute.no_table_names", names=", ".join(names))
                    if names
                    else msg("compute.no_table_none")
                )
                errors.append(ConfigError(
                    msg("compute.no_table", page=page.number, name=name, id=edition.id),
                    file=f"{edition.shown}/edition.toml",
                    line=toml_line(text, ("pages", page.number - 1, "tables")),
                    field=f"pages.{page.number - 1}.tables",
                    hint=hint,
                ))  # fmt: skip
    return errors
