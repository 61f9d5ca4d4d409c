"""One build: load → compute → render → write, in that order (see DESIGN.md).

All data work is finished before anything is written; a failed build leaves the previous
output exactly as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import _toml_line
from .content import Edition, Site, load_site
from .errors import BulletinError, ConfigError, Finding, suggest


@dataclass
class BuildResult:
    out: Path
    editions: int
    files: int
    seconds: float
    findings: list[Finding] = field(default_factory=list)
    reused: int = 0  # editions taken from the cache


def compute_tables(site: Site, *, strict: bool = False) -> dict[str, Mapping[str, Any]]:
    """Every edition's tables, computed in edition order (rank change needs the previous)."""
    result: dict[str, Mapping[str, Any]] = {}
    previous: Mapping[str, Any] | None = None
    for edition in site.editions:
        folder = site.data_dir / edition.id
        tables: Mapping[str, Any] = {}
        if folder.is_dir():
            from .tables import load_tables  # pandas loads only for sites with tables

            tables = load_tables(folder, previous=previous, strict=strict, root=site.root)
        _check_page_tables(edition, tables)
        result[edition.id] = tables
        previous = tables
    return result


def _check_page_tables(edition: Edition, tables: Mapping[str, Any]) -> None:
    """Every table a page lists in edition.toml exists (else the render stage would fail)."""
    for page in edition.pages:
        for name in page.config.tables:
            if name not in tables:
                shown = f"{edition.shown}/edition.toml"
                text = (edition.path / "edition.toml").read_text(encoding="utf-8")
                near = suggest(name, list(tables))
                raise ConfigError(
                    f"page {page.number} lists table '{name}', but data/{edition.id}/ has no "
                    f"{name}.toml",
                    file=shown,
                    line=_toml_line(text, ("pages", page.number - 1, "tables")),
                    field=f"pages.{page.number - 1}.tables",
                    hint=f"did you mean '{near}'?" if near else None,
                )


def print_editions(
    site: Site,
    tables: Mapping[str, Mapping[str, Any]],
    charts: Mapping[str, Any],
    keys: Mapping[str, str],
) -> dict[str, bytes]:
    """Each edition's PDF and its page-1 thumbnail; unchanged ones come from the cache.

    The editions to typeset are shared out over the machine's cores when there are enough of
    them to pay for starting the workers. A PDF depends on its own edition only, so the
    files are the same either way.
    """
    from .cache import RenderCache
    from .pdf import check_fonts

    check_fonts(site.config)
    cache = RenderCache(site.root / ".cache" / "bulletin" / "pdf") if keys else None
    cached: dict[str, dict[str, bytes]] = {}
    for edition in site.editions:
        key = keys.get(edition.id)
        hit = cache.load(edition.id, key) if cache and key else None
        if hit is not None:
            cached[edition.id] = hit[0]
    made = _typeset(site, tables, charts, [e for e in site.editions if e.id not in cached])
    files: dict[str, bytes] = {}
    for edition in site.editions:
        part = cached.get(edition.id)
        if part is None:
            part = made[edition.id]
            key = keys.get(edition.id)
            if cache and key:
                cache.store(edition.id, key, part, [])
        files.update(part)
    return files


POOL_MIN = 8  # fewer PDFs than this are typeset in this process: a worker takes ~1 s to start


def _typeset_one(
    site: Site, edition: Edition, tables: Mapping[str, Any], charts: Mapping[str, Any]
) -> dict[str, bytes]:
    from .pdf import build_pdf, thumbnail_png

    data = build_pdf(site, edition, tables, root=site.root, charts=charts)
    base = f"editions/{edition.id}"
    return {f"{base}/{edition.id}.pdf": data, f"{base}/page-1.png": thumbnail_png(data)}


_worker_site: Site | None = None  # set once in each worker process of the PDF pool


def _worker_start(site: Site) -> None:
    global _worker_site
    _worker_site = site


def _worker_typeset(
    index: int, tables: Mapping[str, Any], charts: Mapping[str, Any]
) -> dict[str, bytes]:
    assert _worker_site is not None
    return _typeset_one(_worker_site, _worker_site.editions[index], tables, charts)


def _typeset(
    site: Site,
    tables: Mapping[str, Mapping[str, Any]],
    charts: Mapping[str, Any],
    todo: list[Edition],
) -> dict[str, dict[str, bytes]]:
    """{edition id: its PDF files} for `todo`: in a process pool over the cores, or here."""
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = min(cores or 1, len(todo))
    if workers < 2 or len(todo) < POOL_MIN:
        return {
            e.id: _typeset_one(site, e, tables.get(e.id, {}), charts.get(e.id, {})) for e in todo
        }
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    index = {e.id: i for i, e in enumerate(site.editions)}
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_worker_start, initargs=(site,)
    ) as pool:
        futures = {
            e.id: pool.submit(
                _worker_typeset, index[e.id], tables.get(e.id, {}), charts.get(e.id, {})
            )
            for e in todo
        }
        return {eid: future.result() for eid, future in futures.items()}


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
    report: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the site. `report` receives a line per stage (the CLI's progress display).

    `search=False` skips the Pagefind index and `update_lock=False` never writes
    bulletin.lock (a locked edition that changed still fails): both for `bulletin serve`.
    """
    from . import lock
    from .cache import RenderCache
    from .output import write_site
    from .render import render_site

    say = report or (lambda message: None)
    started = time.perf_counter()
    site = load_site(root, drafts=drafts)
    if not site.editions:
        raise ConfigError(
            "no published edition to build",
            file="content",
            hint='set status = "published" in an edition.toml, or build with --drafts',
        )
    new_lock = lock.check(site)
    say(f"computing tables of {len(site.editions)} edition(s)")
    tables = compute_tables(site, strict=strict)
    from .charts import compute_charts  # matplotlib loads when the first chart is drawn

    charts = compute_charts(site, tables)
    say("rendering pages")
    render_cache = RenderCache(site.root / ".cache" / "bulletin" / "pages") if cache else None
    output = render_site(site, tables, cache=render_cache, charts=charts, pdf=pdf)
    if output.reused:
        say(f"{len(output.reused)} unchanged edition(s) taken from the cache")
    if pdf:
        say(f"typesetting {len(site.editions)} PDF(s)")
        output.files.update(print_editions(site, tables, charts, output.keys))
    findings = [f for t in tables.values() for table in t.values() for f in table.findings]
    findings += output.findings
    if search:
        say("indexing for search")
        from .search import index_site

        index_files, index_findings = index_site(site, output.files, cache=cache)
        output.files.update(index_files)
        findings += index_findings
    if strict and findings:
        raise BulletinError(
            f"{len(findings)} warning(s), and --strict makes them errors:\n"
            + "\n".join(str(f) for f in findings)
        )
    target = out if out is not None else site.root / site.config.output
    say(f"writing {len(output.files)} files")
    # The marker records whether drafts were built in: `bulletin publish` refuses such a site.
    drafted = [e.id for e in site.editions if not e.published]
    write_site(output.files, target, info={"drafts": drafts, "draft_editions": drafted})
    if new_lock is not None and update_lock:
        lock.write_lock(site.root, new_lock)
        say(f"updated {lock.LOCK}")
    return BuildResult(
        out=target,
        editions=len(site.editions),
        files=len(output.files),
        seconds=time.perf_counter() - started,
        findings=findings,
        reused=len(output.reused),
    )
