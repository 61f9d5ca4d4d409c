"""One build: load → compute → render → write, in that order (see DESIGN.md).

All data work is finished before anything is written; a failed build leaves the previous
output exactly as it was.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import ObjectStore, RenderCache
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


def compute_tables(
    site: Site, *, strict: bool = False, only: set[str] | None = None
) -> dict[str, Mapping[str, Any]]:
    """Every edition's tables, computed in edition order (rank change needs the previous).

    With `only`, just those editions' tables, and each one's previous edition for the rank
    change (or every earlier edition, when a line chart needs the history)."""
    ids = [e.id for e in site.editions]
    wanted = set(ids) if only is None else set(only)
    if only is not None:
        wanted.update(ids[i - 1] for i, eid in enumerate(ids) if eid in only and i > 0)
    result: dict[str, Mapping[str, Any]] = {}
    previous: Mapping[str, Any] | None = None
    for edition in site.editions:
        if edition.id not in wanted:
            previous = None
            continue
        folder = site.data_dir / edition.id
        tables: Mapping[str, Any] = {}
        if folder.is_dir():
            from .tables import load_tables  # pandas loads only for sites with tables

            tables = load_tables(folder, previous=previous, strict=strict, root=site.root)
        _check_page_tables(edition, tables)
        result[edition.id] = tables
        previous = tables
        if only is not None and len(wanted) < len(ids) and _line_charts(tables):
            return compute_tables(site, strict=strict)  # the line charts need every edition
    return result


def _line_charts(tables: Mapping[str, Any]) -> bool:
    return any(
        c.type == "line" for t in tables.values() if t.spec is not None for c in t.spec.spec.charts
    )


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


def draw_one(
    site: Site,
    edition: Edition,
    tables: Mapping[str, Any],
    charts: Mapping[str, Any],
    *,
    pdf: bool,
) -> dict[str, bytes]:
    """The edition's chart SVGs and, with `pdf`, its PDF and page-1 thumbnail."""
    base = f"editions/{edition.id}"
    files = {f"{base}/{name}.svg": chart.svg() for name, chart in charts.items()}
    if pdf:
        from .pdf import build_pdf, thumbnail_png

        data = build_pdf(site, edition, tables, root=site.root, charts=charts)
        files[f"{base}/{edition.id}.pdf"] = data
        files[f"{base}/page-1.png"] = thumbnail_png(data)
    return files


POOL_MIN = 8  # fewer editions than this are drawn in this process: a worker takes ~1 s to start


class Drawing:
    """The print stage (charts, PDFs, thumbnails) of the editions in `todo`, started before
    the pages are rendered: in a pool of worker processes, one per core, when there are
    enough of them to pay for starting the workers; otherwise here, in `results`. Each
    file goes into the object store as soon as it is made; results are digests."""

    def __init__(
        self,
        site: Site,
        store: ObjectStore,
        tables: Mapping[str, Mapping[str, Any]],
        charts: Mapping[str, Mapping[str, Any]],
        todo: list[Edition],
        *,
        pdf: bool,
    ) -> None:
        self.site, self.store, self.pdf = site, store, pdf
        self.tables, self.charts = tables, charts
        self.todo = [e for e in todo if pdf or charts.get(e.id)]  # (others draw nothing)
        self.empty = [e.id for e in todo if not (pdf or charts.get(e.id))]
        self.pool: Any = None
        self.futures: dict[str, Any] = {}
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        workers = min(cores or 1, len(self.todo))
        if workers < 2 or len(self.todo) < POOL_MIN:
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        self.pool = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_worker_start, initargs=(site, store, pdf)
        )
        index = {e.id: i for i, e in enumerate(site.editions)}
        for e in self.todo:
            self.futures[e.id] = self.pool.submit(
                _worker_draw, index[e.id], tables.get(e.id, {}), charts.get(e.id, {})
            )

    def results(self) -> dict[str, dict[str, str]]:
        """{edition id: {site path: digest}} for every edition in `todo`."""
        done: dict[str, dict[str, str]] = {eid: {} for eid in self.empty}
        if self.pool is None:
            return done | {
                e.id: self._put(
                    draw_one(
                        self.site,
                        e,
                        self.tables.get(e.id, {}),
                        self.charts.get(e.id, {}),
                        pdf=self.pdf,
                    )
                )
                for e in self.todo
            }
        try:
            return done | {eid: future.result() for eid, future in self.futures.items()}
        finally:
            self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def _put(self, files: Mapping[str, bytes]) -> dict[str, str]:
        return {path: self.store.put(data) for path, data in files.items()}


_worker: tuple[Site, ObjectStore, bool] | None = None  # set once in each worker process


def _worker_start(site: Site, store: ObjectStore, pdf: bool) -> None:
    global _worker
    _worker = (site, store, pdf)


def _worker_draw(
    index: int, tables: Mapping[str, Any], charts: Mapping[str, Any]
) -> dict[str, str]:
    assert _worker is not None
    site, store, pdf = _worker
    files = draw_one(site, site.editions[index], tables, charts, pdf=pdf)
    return {path: store.put(data) for path, data in files.items()}


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
    Every built file goes into the object store (.cache/bulletin/objects) and the site is
    made of links to it; `cache=False` only stops reusing what earlier builds made.
    """
    from .cache import running

    say = report or (lambda message: None)
    started = time.perf_counter()
    site = load_site(root, drafts=drafts)
    with running(site.root / ".cache" / "bulletin") as others:
        return _build(
            site, out, drafts, strict, cache, pdf, search, update_lock, say, others, started
        )


def _build(
    site: Site,
    out: Path | None,
    drafts: bool,
    strict: bool,
    cache: bool,
    pdf: bool,
    search: bool,
    update_lock: bool,
    say: Callable[[str], None],
    others: Callable[[], bool],
    started: float,
) -> BuildResult:
    from . import lock
    from .archive import neighbours
    from .cache import edition_keys
    from .output import write_site
    from .render import SiteRenderer, render_edition, render_rest

    if not site.editions:
        raise ConfigError(
            "no published edition to build",
            file="content",
            hint='set status = "published" in an edition.toml, or build with --drafts',
        )
    new_lock = lock.check(site)
    published = [e for e in site.editions if e.published]
    latest = (published or site.editions)[-1]
    folder = site.root / ".cache" / "bulletin"
    store = ObjectStore(folder / "objects")
    pages_cache, drawn_cache = (
        RenderCache(folder / "pages", store),
        RenderCache(folder / "print", store),
    )
    page_keys, draw_keys = edition_keys(site, published, latest, pdf=pdf)
    page_hits: dict[str, tuple[dict[str, str], list[Finding]]] = {}
    draw_hits: dict[str, tuple[dict[str, str], list[Finding]]] = {}
    if cache:
        for e in site.editions:
            if hit := pages_cache.load_digests(e.id, page_keys[e.id]):
                page_hits[e.id] = hit
            if hit := drawn_cache.load_digests(e.id, draw_keys[e.id]):
                draw_hits[e.id] = hit
    to_render = [e for e in site.editions if e.id not in page_hits]
    to_draw = [e for e in site.editions if e.id not in draw_hits]
    needed = {e.id for e in to_render + to_draw}
    tables: dict[str, Mapping[str, Any]] = {}
    charts: dict[str, dict[str, Any]] = {}
    if needed:
        say(f"computing tables of {len(needed)} edition(s)")
        tables = compute_tables(site, strict=strict, only=needed)
        from .charts import compute_charts  # matplotlib loads when the first chart is drawn

        charts = compute_charts(site, tables, only=needed)
    if pdf and to_draw:
        say(f"typesetting {len(to_draw)} PDF(s)")
        from .pdf import check_fonts

        check_fonts(site.config)
    drawing = Drawing(site, store, tables, charts, to_draw, pdf=pdf)
    try:
        say("rendering pages")
        if page_hits:
            say(f"{len(page_hits)} unchanged edition(s) taken from the cache")
        files: dict[str, str] = {}  # site path -> object digest
        findings: list[Finding] = []
        renderer = SiteRenderer(site, tables, pdf=pdf, charts=charts)
        around = neighbours(published, site.editions)
        for e in site.editions:
            hit = page_hits.get(e.id)
            if hit is None:
                part = render_edition(renderer, e, around[e.id], home=e is latest)
                own = [f for table in tables[e.id].values() for f in table.findings]
                hit = ({p: store.put(d) for p, d in part.files.items()}, own + part.findings)
                if cache:
                    pages_cache.store_entry(e.id, page_keys[e.id], *hit)
            files.update(hit[0])
            findings += hit[1]
        rest = render_rest(renderer, published, pdf=pdf)
        files.update({p: store.put(d) for p, d in rest.files.items()})
        findings += rest.findings
        drawn = drawing.results()
    finally:
        drawing.close()
    for e in site.editions:
        if e.id in drawn:
            if cache:
                drawn_cache.store_entry(e.id, draw_keys[e.id], drawn[e.id], [])
            files.update(drawn[e.id])
        else:
            files.update(draw_hits[e.id][0])
    if search:
        say("indexing for search")
        from .search import index_site

        index_files, index_findings = index_site(site, StoredFiles(files, store), cache=cache)
        files.update({p: store.put(d) for p, d in index_files.items()})
        findings += index_findings
    if strict and findings:
        raise BulletinError(
            f"{len(findings)} warning(s), and --strict makes them errors:\n"
            + "\n".join(str(f) for f in findings)
        )
    target = out if out is not None else site.root / site.config.output
    say(f"writing {len(files)} files")
    # The marker records whether drafts were built in: `bulletin publish` refuses such a site.
    drafted = [e.id for e in site.editions if not e.published]
    write_site(
        {p: store.path(d) for p, d in files.items()},
        target,
        info={"drafts": drafts, "draft_editions": drafted},
    )
    if new_lock is not None and update_lock:
        lock.write_lock(site.root, new_lock)
        say(f"updated {lock.LOCK}")
    if not others():  # (another build may be about to link objects this one does not use)
        keep = set(files.values())
        for sub in ("pages", "print", "search"):
            keep |= RenderCache(folder / sub, store).referenced()
        store.collect(keep)
    return BuildResult(
        out=target,
        editions=len(site.editions),
        files=len(files),
        seconds=time.perf_counter() - started,
        findings=findings,
        reused=len(page_hits),
    )


class StoredFiles(Mapping[str, bytes]):
    """The built files as {site path: bytes}, read from the object store when asked for."""

    def __init__(self, digests: Mapping[str, str], store: ObjectStore) -> None:
        self.digests, self.store = digests, store

    def __getitem__(self, path: str) -> bytes:
        return self.store.get(self.digests[path])

    def __iter__(self) -> Iterator[str]:
        return iter(self.digests)

    def __len__(self) -> int:
        return len(self.digests)

    def digest(self, path: str) -> str:
        """The file's SHA-256, without reading it."""
        return self.digests[path]
