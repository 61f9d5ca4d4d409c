"""One build: load → compute → render → write, in that order (see DESIGN.md).

All data work is finished before anything is written; a failed build leaves the previous
output exactly as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import ObjectStore, RenderCache, TableCache
from .config import _toml_line
from .content import Edition, Site, load_site
from .errors import BulletinError, ConfigError, Finding, Message, msg, suggest


@dataclass
class BuildResult:
    out: Path
    editions: int
    files: int
    seconds: float
    findings: list[Finding] = field(default_factory=list)
    reused: int = 0  # editions taken from the cache


def compute_tables(
    site: Site,
    *,
    strict: bool = False,
    only: set[str] | None = None,
    given: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Mapping[str, Any]]:
    """Every edition's tables, computed in edition order (rank change needs the previous).

    With `only`, just those editions' tables, and each one's previous edition for the rank
    change (or every earlier edition, when a line chart needs the history). `given`: tables
    known already (from the cache), not computed again."""
    given = given or {}
    ids = [e.id for e in site.editions]
    wanted = set(ids) if only is None else set(only)
    if only is not None:
        wanted.update(ids[i - 1] for i, eid in enumerate(ids) if eid in only and i > 0)
    result: dict[str, Mapping[str, Any]] = {}
    previous: Mapping[str, Any] | None = None
    for edition in site.editions:
        if edition.id in given:
            previous = given[edition.id]
            continue
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
                    msg("builder.no_table", page=page.number, name=name, id=edition.id),
                    file=shown,
                    line=_toml_line(text, ("pages", page.number - 1, "tables")),
                    field=f"pages.{page.number - 1}.tables",
                    hint=msg("common.did_you_mean", name=near) if near else None,
                )


def draw_one(
    site: Site,
    edition: Edition,
    tables: Mapping[str, Any],
    charts: Mapping[str, Any],
    *,
    pdf: bool,
    measures: Path | None = None,
) -> tuple[dict[str, bytes], list[Finding]]:
    """The edition's chart SVGs and, with `pdf`, its PDF and page-1 thumbnail; and what the
    print makeup reports (a 版 that does not fit its sheet)."""
    base = f"editions/{edition.id}"
    files = {f"{base}/{name}.svg": chart.svg() for name, chart in charts.items()}
    findings: list[Finding] = []
    if pdf:
        from .pdf import build_print, thumbnail_png

        printed = build_print(site, edition, tables, root=site.root, charts=charts,
                              measures=measures)  # fmt: skip
        files[f"{base}/{edition.id}.pdf"] = printed.pdf
        files[f"{base}/page-1.png"] = thumbnail_png(printed.pdf)
        findings = printed.findings
    return files, findings


POOL_MIN = 8  # fewer editions than this are built in this process: starting workers costs


@dataclass
class Work:
    """The edition stage for a run of consecutive editions, done in one process: their
    tables and charts computed, the pages of `render` rendered, the charts and PDFs of
    `draw` drawn. Every file goes into the object store as soon as it is made."""

    render: list[str]
    draw: list[str]


@dataclass
class Done:
    pages: dict[str, tuple[dict[str, str], list[Finding]]]  # id -> (digests, findings)
    drawn: dict[str, tuple[dict[str, str], list[Finding]]]  # id -> (digests, findings)


@dataclass
class Context:
    """What every process of the edition stage shares (inherited by forked workers)."""

    site: Site
    store: ObjectStore
    pdf: bool
    strict: bool
    tables: Mapping[str, Mapping[str, Any]] | None  # computed beforehand (line charts), or None
    table_keys: Mapping[str, str] | None = None  # with the cache of tables and charts
    renderer: Any = None  # this process's SiteRenderer (templates compiled once)

    @property
    def table_cache(self) -> TableCache | None:
        if self.table_keys is None:
            return None
        return TableCache(self.site.root / ".cache" / "bulletin" / "tables")


Prepared = tuple[dict[str, Mapping[str, Any]], dict[str, dict[str, Any]], set[str]]


def edition_tables(ctx: Context, ids: set[str]) -> Prepared:
    """(tables, charts, the ids computed now) for the editions `ids`: from the cache of
    tables when their data did not change, else computed."""
    from .charts import compute_charts

    site = ctx.site
    if ctx.tables is not None:  # (line charts: computed beforehand, not cached)
        return dict(ctx.tables), compute_charts(site, ctx.tables, only=ids), set()
    store, keys = ctx.table_cache, ctx.table_keys or {}
    editions = {e.id: e for e in site.editions}
    tables: dict[str, Mapping[str, Any]] = {}
    charts: dict[str, dict[str, Any]] = {}
    for eid in sorted(ids):
        hit = store.load(eid, keys[eid]) if store else None
        if hit is not None:
            tables[eid], charts[eid] = hit
            _check_page_tables(editions[eid], hit[0])  # (edition.toml is not in the key)
    fresh = ids - set(tables)
    if fresh:
        computed = compute_tables(site, strict=ctx.strict, only=fresh, given=dict(tables))
        drawn = compute_charts(site, computed, only=fresh)
        for eid in fresh:
            tables[eid], charts[eid] = computed[eid], drawn[eid]
        for eid, t in computed.items():
            tables.setdefault(eid, t)  # (a previous edition, for its rank)
    return tables, charts, fresh


def do_work(ctx: Context, work: Work, prepared: Prepared | None = None) -> Done:
    from .archive import neighbours
    from .render import SiteRenderer, render_edition

    site, store = ctx.site, ctx.store
    ids = set(work.render) | set(work.draw)
    mine = prepared is None  # (then this call keeps the tables it computed)
    tables, charts, fresh = prepared or edition_tables(ctx, ids)
    if ctx.renderer is None:
        ctx.renderer = SiteRenderer(site, {}, pdf=ctx.pdf)
        ctx.renderer.cache = ctx.table_keys is not None
    renderer = ctx.renderer
    renderer.tables, renderer.charts = tables, charts
    published = [e for e in site.editions if e.published]
    latest = (published or site.editions)[-1]
    editions = {e.id: e for e in site.editions}
    render = [editions[i] for i in work.render]
    around = neighbours(published, render)
    done = Done({}, {})
    measures = site.root / ".cache" / "bulletin" / "measure" if ctx.table_keys else None
    # each edition's page, then its PDF: the two share the edition's print layout, which the
    # process keeps only for its last few editions
    for eid in [i for i in (e.id for e in site.editions) if i in ids]:
        e = editions[eid]
        if eid in work.render:
            part = render_edition(renderer, e, around[eid], home=e is latest)
            own = [f for table in tables[eid].values() for f in table.findings]
            done.pages[eid] = ({p: store.put(d) for p, d in part.files.items()},
                               own + part.findings)  # fmt: skip
        if eid in work.draw:
            files, made = draw_one(site, e, tables.get(eid, {}), charts.get(eid, {}),
                                   pdf=ctx.pdf, measures=measures)  # fmt: skip
            done.drawn[eid] = ({p: store.put(d) for p, d in files.items()}, made)
    if mine:
        keep_tables(ctx, (tables, charts, fresh & ids))
    return done


def keep_tables(ctx: Context, prepared: Prepared) -> None:
    """Store the tables and charts computed now in the cache of tables — once, after they
    were drawn (the chart SVGs are kept too)."""
    tables, charts, fresh = prepared
    cache = ctx.table_cache
    if cache is not None and ctx.table_keys is not None:
        for eid in sorted(fresh):
            cache.store(eid, ctx.table_keys[eid], tables[eid], charts[eid])


_context: Context | None = None  # each worker process's


def _worker_start(ctx: Context) -> None:
    global _context
    _context = ctx


def _worker_do(work: Work) -> Done:
    assert _context is not None
    return do_work(_context, work)


class EditionStage:
    """The edition stage over every edition to build: here when there are few of them, else
    in a pool of worker processes (one per core) over runs of consecutive editions, started
    by fork when that is safe (no thread, no Typst loaded here), else by a fork server."""

    def __init__(self, ctx: Context, render: list[str], draw: list[str]) -> None:
        self.ctx = ctx
        order = [e.id for e in ctx.site.editions]
        todo = [i for i in order if i in set(render) | set(draw)]
        self.pool: Any = None
        self.futures: list[Any] = []
        self.inline: Work | None = None
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        workers = min(cores or 1, len(todo))
        if workers < 2 or len(todo) < POOL_MIN:
            self.inline = Work(render, draw)
            return
        import multiprocessing
        import sys
        import threading
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        safe = threading.active_count() == 1 and "typst" not in sys.modules
        method = "fork" if "fork" in methods and safe else "forkserver"
        if method not in methods:
            method = "spawn"
        self.pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context(method),
            initializer=_worker_start,
            initargs=(ctx,),
        )
        runs = min(len(todo), workers * 4)  # several runs per worker: an even share of work
        size = -(-len(todo) // runs)
        for start in range(0, len(todo), size):
            run = set(todo[start : start + size])
            work = Work([i for i in render if i in run], [i for i in draw if i in run])
            self.futures.append(self.pool.submit(_worker_do, work))

    def results(self) -> Iterator[Done]:
        """What the runs made, in edition order. Here, the pages come first (a Done without
        drawings), so that the search index can be made while the PDFs are typeset."""
        if self.inline is not None:
            ctx, work = self.ctx, self.inline
            prepared = edition_tables(ctx, set(work.render) | set(work.draw))
            yield do_work(ctx, Work(work.render, []), prepared)
            yield do_work(ctx, Work([], work.draw), prepared)
            keep_tables(ctx, prepared)
            return
        try:
            for future in self.futures:
                yield future.result()
        finally:
            self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _line_charts_anywhere(site: Site) -> bool:
    """Whether any table spec asks for a line chart (it needs every earlier edition's tables,
    so the tables are computed once, before the edition stage)."""
    import re

    line = re.compile(r"""^\s*type\s*=\s*["']line["']""", re.M)
    for path in sorted(site.data_dir.glob("*/*.toml")):
        with contextlib.suppress(OSError, UnicodeDecodeError):
            if line.search(path.read_text(encoding="utf-8")):
                return True
    return False


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
    Every built file goes into the object store (.cache/bulletin/objects) and the site is
    made of links to it; `cache=False` only stops reusing what earlier builds made.
    """
    from .cache import running

    say = report or (lambda message: None)
    started = time.perf_counter()
    site = load_site(root, drafts=drafts, cache=cache)
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
    say: Callable[[Message], None],
    others: Callable[[], bool],
    started: float,
) -> BuildResult:
    from . import lock
    from .cache import edition_keys, table_keys
    from .output import write_site
    from .render import SiteRenderer, render_rest

    if not site.editions:
        raise ConfigError(
            msg("builder.no_edition"), file="content", hint=msg("builder.no_edition_hint")
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
    to_render = [e.id for e in site.editions if e.id not in page_hits]
    to_draw = [e.id for e in site.editions if e.id not in draw_hits]
    needed = set(to_render) | set(to_draw)
    tables: Mapping[str, Mapping[str, Any]] | None = None
    if needed:
        say(msg("builder.computing", n=len(needed)))
        if _line_charts_anywhere(site):
            tables = compute_tables(site, strict=strict, only=needed)
    say(msg("builder.rendering"))
    if page_hits:
        say(msg("builder.reused", n=len(page_hits)))
    if pdf and to_draw:
        say(msg("builder.typesetting", n=len(to_draw)))
    ctx = Context(
        site, store, pdf, strict, tables, table_keys(site, strict=strict) if cache else None
    )
    stage = EditionStage(ctx, to_render, to_draw)
    files: dict[str, str] = {}  # site path -> object digest
    findings: list[Finding] = []
    search_run: SearchRun | None = None

    def render_the_rest() -> tuple[dict[str, str], list[Finding]]:
        """The archive, feed, sitemap, 404 and static files: cached under a key made of every
        edition's page key ("_rest" is no edition id: those start with a letter or digit)."""
        rest_key = hashlib.sha256(json.dumps([page_keys, pdf]).encode()).hexdigest()
        rest = pages_cache.load_digests("_rest", rest_key) if cache else None
        if rest is None:
            made = render_rest(SiteRenderer(site, {}, pdf=pdf), published, pdf=pdf)
            rest = ({p: store.put(d) for p, d in made.files.items()}, made.findings)
            if cache:
                pages_cache.store_entry("_rest", rest_key, *rest)
        return rest

    rest: tuple[dict[str, str], list[Finding]] | None = None
    try:
        page_files: dict[str, str] = {}
        pages, drawn = dict(page_hits), dict(draw_hits)
        for done in stage.results():
            for eid, entry in done.pages.items():
                pages[eid] = entry
                if cache:
                    pages_cache.store_entry(eid, page_keys[eid], *entry)
            for eid, entry in done.drawn.items():
                drawn[eid] = entry
                if cache:
                    drawn_cache.store_entry(eid, draw_keys[eid], *entry)
            if search and search_run is None and len(pages) == len(site.editions):
                for e in site.editions:  # every page is made: index them while PDFs are made
                    page_files.update(pages[e.id][0])
                say(msg("builder.indexing"))
                search_run = SearchRun(site, StoredFiles(dict(page_files), store), cache)
            if rest is None:  # (here: while the workers, or Pagefind and Typst, are at work)
                rest = render_the_rest()
        if rest is None:  # (nothing to build: no edition stage)
            rest = render_the_rest()
    finally:
        stage.close()
        if search_run is not None:
            search_run.thread.join()  # (its error, if any, is raised below)
    search_done = search_run.wait() if search_run else None
    assert rest is not None
    for e in site.editions:
        files.update(pages[e.id][0])
        findings += pages[e.id][1]
        files.update(drawn[e.id][0])
        findings += drawn[e.id][1]
    files.update(rest[0])
    findings += rest[1]
    if search_done is not None:
        index_files, index_findings = search_done
        files.update(
            {p: d if isinstance(d, str) else store.put(d) for p, d in index_files.items()}
        )
        findings += index_findings
    if strict and findings:
        raise BulletinError(msg("builder.strict", n=len(findings), findings=findings))
    target = out if out is not None else site.root / site.config.output
    say(msg("builder.writing", n=len(files)))
    # The marker records whether drafts were built in: `bulletin publish` refuses such a site.
    drafted = [e.id for e in site.editions if not e.published]
    write_site(
        {p: store.path(d) for p, d in files.items()},
        target,
        # (the manifest's hash: a changed site is told from the marker alone)
        info={"drafts": drafts, "draft_editions": drafted, "files": _manifest_hash(files)},
    )
    if new_lock is not None and update_lock:
        lock.write_lock(site.root, new_lock, site.inputs)
        say(msg("builder.updated", file=lock.LOCK))
    site.inputs.save()  # (once, at the end: a failed build leaves the last one's)
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


def _manifest_hash(files: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(sorted(files.items())).encode()).hexdigest()


class SearchRun:
    """The search stage (bulletin.search.index_site) in a thread: Pagefind runs as its own
    processes, so the index is made while this process typesets PDFs."""

    def __init__(self, site: Site, files: Mapping[str, bytes], cache: bool) -> None:
        import threading

        self.result: tuple[dict[str, bytes | str], list[Finding]] | None = None
        self.error: BaseException | None = None

        def run() -> None:
            from .search import index_site

            try:
                self.result = index_site(site, files, cache=cache)
            except BaseException as e:  # raised again in the build's thread
                self.error = e

        self.thread = threading.Thread(target=run, name="bulletin-search", daemon=True)
        self.thread.start()

    def wait(self) -> tuple[dict[str, bytes | str], list[Finding]]:
        self.thread.join()
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


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
