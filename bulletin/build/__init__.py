"""One build: load → compute → render → print → index → write (see ARCHITECTURE.md).

`build` reads as the stages in order. Whether a stage runs, runs from the cache or runs in a
worker process is the executor's business (bulletin/build/executor.py). All data work is finished
before anything is written; a failed build leaves the previous output exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bulletin.build.executor import Executor, Made, Options
from bulletin.compute import EditionTables, compute
from bulletin.diagnostics.errors import BulletinError, ConfigError, Diagnostic, Message, msg
from bulletin.load.content import Edition, Site, load_site

if TYPE_CHECKING:
    from bulletin.compute.tableview import ComputedTable


@dataclass
class BuildResult:
    out: Path
    editions: int
    files: int
    seconds: float
    findings: list[Diagnostic] = field(default_factory=list)
    reused: int = 0  # editions taken from the cache


def build(
    root: Path,
    *,
    out: Path | None = None,
    drafts: bool = False,
    strict: bool = False,
    cache: bool = True,
    pdf: bool = True,
    search: bool = True,
    update_lock: bool = True,
    report: Callable[[Message], None] | None = None,
) -> BuildResult:
    """Build the site. `report` receives a line per stage (the CLI's progress display).

    `search=False` skips the Pagefind index and `update_lock=False` never writes
    bulletin.lock (a locked edition that changed still fails): both for `bulletin serve`.
    `cache=False` only stops reusing what earlier builds made."""
    from bulletin.build import lock
    from bulletin.build.cache import running

    started, say = time.perf_counter(), report or (lambda message: None)
    options = Options(drafts=drafts, strict=strict, cache=cache, pdf=pdf, search=search)
    site = load(root, options)
    new_lock = lock.check(site)
    with running(site.root / ".cache" / "bulletin") as others, Executor(site, options, say) as run:
        index = index_pages if search else None
        editions = run.editions(render_pages, print_edition, index=index)  # compute, render, print
        rest = run.once("_rest", lambda: render_archive(site, pdf=pdf))
        pages, drawn = editions.wait()
        found = editions.search()
        files, findings = gather(site, [pages, drawn], [rest, found])
        findings = [*site.findings, *findings]  # (the load stage's first: edition order)
        warned = [f for f in findings if f.severity != "info"]  # (information never fails)
        if strict and warned:
            raise BulletinError(msg("builder.strict", n=len(warned), findings=warned))
        say(msg("builder.writing", n=len(files)))
        target = write(site, files, out, drafts=drafts)
        if new_lock is not None and update_lock:
            lock.write_lock(site.root, new_lock, site.inputs)
            say(msg("builder.updated", file=lock.LOCK))
        site.inputs.save()  # (once, at the end: a failed build leaves the last one's)
        run.collect(set(files.values()), others)
    return BuildResult(target, len(site.editions), len(files), time.perf_counter() - started,
                       findings, reused=len(editions.reused))  # fmt: skip


# -- the stages, as the executor runs them -------------------------------------------------


MAX_ERRORS = 20  # errors a failed load reports at most (bulletin check lists them all)


def load(root: Path, options: Options) -> Site:
    """The load stage: bulletin.toml, the editions and their articles. It goes on past an
    error to report every one it finds (up to MAX_ERRORS), as one error that stops the build."""
    try:
        site = load_site(root, drafts=options.drafts, cache=options.cache)
    except BulletinError as stopped:  # again, collecting: every error, not only this one
        found: list[BulletinError] = []
        load_site(root, drafts=options.drafts, cache=options.cache, collect=found.append)
        first, *rest = found or [stopped]
        more = [d for error in rest for d in error.diagnostics]
        shown = len(first.diagnostics) + len(more)
        if shown > MAX_ERRORS:
            cut = MAX_ERRORS - len(first.diagnostics)
            left = msg("builder.more_errors", n=len(more) - max(cut, 0))
            more = [*more[: max(cut, 0)], Diagnostic(left, severity="error")]
        raise first.with_more(more) from None
    if not site.editions:
        raise ConfigError(
            msg("builder.no_edition"), file="content", hint=msg("builder.no_edition_hint")
        )
    return site


def render_pages(
    renderer: Any, edition: Edition, tables: EditionTables, around: dict[str, Any], *, home: bool
) -> Any:
    """The render stage for one edition: its pages (and the home page, for the latest)."""
    from bulletin.render import render_edition

    return render_edition(renderer, edition, tables, around, home=home)


def print_edition(
    site: Site, edition: Edition, tables: EditionTables, *, pdf: bool, cache: bool
) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """The print stage for one edition: its chart SVGs and, with PDFs, its PDF and page-1
    thumbnail; and what the makeup reports (a 版 that does not fit its sheet)."""
    base = f"editions/{edition.id}"
    files = {f"{base}/{name}.svg": chart.svg() for name, chart in tables.charts.items()}
    findings: list[Diagnostic] = []
    if pdf:
        from bulletin.printing.pdf import build_print, thumbnail_png

        measures = site.root / ".cache" / "bulletin" / "measure" if cache else None
        printed = build_print(site, edition, tables.tables, root=site.root,
                              charts=tables.charts, measures=measures)  # fmt: skip
        files[f"{base}/{edition.id}.pdf"] = printed.pdf
        files[f"{base}/page-1.png"] = thumbnail_png(printed.pdf)
        findings = printed.findings
    return files, findings


def render_archive(site: Site, *, pdf: bool) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """The archive, feed, sitemap, 404 page and static files."""
    from bulletin.render import SiteRenderer, render_rest

    published = [e for e in site.editions if e.published]
    made = render_rest(SiteRenderer(site, pdf=pdf), published, pdf=pdf)
    return made.files, made.findings


def index_pages(
    site: Site, files: Mapping[str, bytes], *, cache: bool
) -> tuple[dict[str, bytes | str], list[Diagnostic]]:
    """The index stage: the search page and Pagefind's index of the article pages."""
    from bulletin.index.search import index_site

    return index_site(site, files, cache=cache)


def gather(
    site: Site, per_edition: list[dict[str, Made]], whole: list[Made]
) -> tuple[dict[str, str], list[Diagnostic]]:
    """Every file of the site and every finding, in edition order, then the site's own."""
    files: dict[str, str] = {}
    findings: list[Diagnostic] = []
    for e in site.editions:
        for made in per_edition:
            files.update(made[e.id].files)
            findings += made[e.id].diagnostics
    for made in whole:
        files.update(made.files)
        findings += made.diagnostics
    return files, findings


def write(site: Site, files: Mapping[str, str], out: Path | None, *, drafts: bool) -> Path:
    """The write stage: the site from the object store into its folder, in one step. The
    marker records whether drafts were built in: `bulletin publish` refuses such a site."""
    from bulletin.build.cache import ObjectStore
    from bulletin.build.output import write_site

    target = out if out is not None else site.root / site.config.output
    store = ObjectStore(site.root / ".cache" / "bulletin" / "objects")
    drafted = [e.id for e in site.editions if not e.published]
    write_site(
        {p: store.path(d) for p, d in files.items()},
        target,
        # (the manifest's hash: a changed site is told from the marker alone)
        info={"drafts": drafts, "draft_editions": drafted, "files": _manifest_hash(files)},
    )
    return target


def _manifest_hash(files: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(sorted(files.items())).encode()).hexdigest()


def compute_tables(
    site: Site, *, strict: bool = False
) -> dict[str, Mapping[str, ComputedTable]]:
    """Every edition's computed tables, {edition id: {name: ComputedTable}} (for tests and
    benchmarks; the build computes them through the executor)."""
    done = compute(site, {e.id for e in site.editions}, strict=strict)
    return {e.id: done[e.id].tables for e in site.editions}
