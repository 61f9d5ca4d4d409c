"""The layer the stages run under: whether a stage runs, runs from the cache, or runs in a
worker process. The stages (compute, render, print, index) are functions from typed values
to typed values and know nothing of this.

- Every file made goes into the object store (`cache.ObjectStore`); a result is
  {site path: digest} and the diagnostics found making it.
- An edition whose inputs did not change is taken from the render cache (its pages) and
  the print cache (its charts and PDF); its tables from the table cache.
- The editions still to make run through compute → render → print here when they are few,
  else in a pool of worker processes over runs of consecutive editions (`EditionRun`).
- The search index runs in a thread as soon as every page is made (Pagefind is a process
  of its own), beside the PDFs still being typeset.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from bulletin.build.cache import ObjectStore, RenderCache, TableCache, edition_keys, table_keys
from bulletin.compute import NONE, EditionTables, compute
from bulletin.diagnostics.errors import Diagnostic, Message, msg
from bulletin.load.content import Site

POOL_MIN = 8  # fewer editions than this are made in this process: starting workers costs


@dataclass(frozen=True)
class Options:
    drafts: bool = False
    strict: bool = False
    cache: bool = True  # reuse what earlier builds made (the object store is always used)
    pdf: bool = True
    search: bool = True


@dataclass
class Made:
    """What a stage made: {site path: object digest}, and what it found."""

    files: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


# The stages an edition goes through, as the build names them.
ComputeStage = Callable[..., dict[str, EditionTables]]
RenderStage = Callable[..., Any]  # (renderer, edition, tables, around, *, home) -> Output
PrintStage = Callable[..., tuple[dict[str, bytes], list[Diagnostic]]]  # (site, edition, tables)


@dataclass(frozen=True)
class Job:
    """What every process making editions is given (inherited by forked workers)."""

    site: Site
    options: Options
    render: RenderStage
    print: PrintStage
    store: ObjectStore
    table_keys: Mapping[str, str] | None  # with the table cache
    computed: Mapping[str, EditionTables] | None  # computed beforehand (a chart draws history)

    @property
    def table_cache(self) -> TableCache | None:
        if self.table_keys is None:
            return None
        return TableCache(self.site.root / ".cache" / "bulletin" / "tables")


@dataclass
class Work:
    """A run of consecutive editions: the pages of `render`, the charts and PDF of `draw`."""

    render: list[str]
    draw: list[str]


@dataclass
class Done:
    pages: dict[str, Made] = field(default_factory=dict)
    drawn: dict[str, Made] = field(default_factory=dict)


_renderer_made: list[Any] = []  # this process's renderer for the build's site (templates
# compiled once per process and build, not once per run of editions)


def _renderer(site: Site, options: Options) -> Any:
    from bulletin.render import SiteRenderer

    made = _renderer_made[0] if _renderer_made else None
    if made is None or made.site is not site or (made.pdf, made.cache) != (
        options.pdf,
        options.cache,
    ):
        made = SiteRenderer(site, pdf=options.pdf, cache=options.cache)
        _renderer_made[:] = [made]
    return made


def tables_of(job: Job, ids: set[str]) -> tuple[dict[str, EditionTables], set[str]]:
    """The compute stage over `ids` (and what they depend on), from the table cache where it
    has them; and the ids computed now."""
    if job.computed is not None:
        return dict(job.computed), set()
    cache, keys = job.table_cache, job.table_keys or {}
    found: set[str] = set()

    def cached(eid: str) -> EditionTables | None:
        hit = cache.load(eid, keys[eid]) if cache is not None else None
        if hit is None:
            return None
        found.add(eid)
        return EditionTables(*hit)

    done = compute(job.site, ids, strict=job.options.strict, cached=cached)
    return done, set(done) - found


def make_editions(job: Job, work: Work, prepared: Any = None) -> Done:
    """Render and draw a run of editions (tables computed first, or given in `prepared`)."""
    from bulletin.index.archive import neighbours

    site, store = job.site, job.store
    ids = set(work.render) | set(work.draw)
    mine = prepared is None  # (then this call keeps the tables it computed)
    computed, fresh = prepared or tables_of(job, ids)
    published = [e for e in site.editions if e.published]
    latest = (published or site.editions)[-1]
    editions = {e.id: e for e in site.editions}
    around = neighbours(published, [editions[i] for i in work.render])
    done = Done()
    renderer = _renderer(site, job.options) if work.render else None
    # each edition's page, then its PDF: the two share the edition's print layout, which the
    # process keeps only for its last few editions
    for edition in (e for e in site.editions if e.id in ids):
        eid, tables = edition.id, computed.get(edition.id, NONE)
        if eid in work.render:
            part = job.render(renderer, edition, tables, around[eid], home=edition is latest)
            files = {p: store.put(d) for p, d in part.files.items()}
            done.pages[eid] = Made(files, tables.findings + part.findings)
        if eid in work.draw:
            made, found = job.print(
                site, edition, tables, pdf=job.options.pdf, cache=job.options.cache
            )
            done.drawn[eid] = Made({p: store.put(d) for p, d in made.items()}, found)
    if mine:
        keep_tables(job, computed, fresh & ids)
    return done


def keep_tables(job: Job, computed: Mapping[str, EditionTables], fresh: set[str]) -> None:
    """Keep the tables and charts computed now in the table cache — after they were drawn
    (the chart SVGs are kept with them)."""
    cache = job.table_cache
    if cache is not None and job.table_keys is not None:
        for eid in sorted(fresh):
            cache.store(eid, job.table_keys[eid], computed[eid].tables, computed[eid].charts)


_job: Job | None = None  # a worker process's (set once, when the pool starts it)


def _worker_start(job: Job) -> None:
    global _job
    _job = job


def _worker_make(work: Work) -> Done:
    assert _job is not None
    return make_editions(_job, work)


class EditionRun:
    """The editions still to make: here when they are few (pages first, so that the index
    can start while the PDFs are typeset), else in a pool of worker processes (one per
    core) over runs of consecutive editions, started by fork when that is safe (no thread,
    no Typst loaded here), else by a fork server."""

    def __init__(self, job: Job, render: list[str], draw: list[str]) -> None:
        self.job = job
        order = [e.id for e in job.site.editions]
        todo = [i for i in order if i in set(render) | set(draw)]
        self.pool: Any = None
        self.futures: list[Any] = []
        self.inline: Work | None = None
        self.prepared: Any = None
        self.first: Done | None = None
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        workers = min(cores or 1, len(todo))
        if workers < 2 or len(todo) < POOL_MIN:
            self.inline = Work(render, draw)
            return
        import multiprocessing
        import sys
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
            initargs=(job,),
        )
        runs = min(len(todo), workers * 4)  # several runs per worker: an even share of work
        size = -(-len(todo) // runs)
        for start in range(0, len(todo), size):
            run = set(todo[start : start + size])
            work = Work([i for i in render if i in run], [i for i in draw if i in run])
            self.futures.append(self.pool.submit(_worker_make, work))

    def results(self) -> Iterator[Done]:
        """What the runs made, in edition order: here, the pages first (a Done without
        drawings), then the drawings."""
        if self.inline is not None:
            job, work = self.job, self.inline
            self.prepared = tables_of(job, set(work.render) | set(work.draw))
            yield make_editions(job, Work(work.render, []), self.prepared)
            yield make_editions(job, Work([], work.draw), self.prepared)
            keep_tables(job, self.prepared[0], self.prepared[1])
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


class IndexRun:
    """The index stage in a thread: Pagefind runs as its own processes, so the index is made
    while this process typesets PDFs."""

    def __init__(self, stage: Callable[[], tuple[dict[str, bytes | str], list[Diagnostic]]]):
        self.result: tuple[dict[str, bytes | str], list[Diagnostic]] | None = None
        self.error: BaseException | None = None

        def run() -> None:
            try:
                self.result = stage()
            except BaseException as e:  # raised again in the build's thread
                self.error = e

        self.thread = threading.Thread(target=run, name="bulletin-search", daemon=True)
        self.thread.start()

    def wait(self) -> tuple[dict[str, bytes | str], list[Diagnostic]]:
        self.thread.join()
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


class StoredFiles(Mapping[str, bytes]):
    """Built files as {site path: bytes}, read from the object store when asked for."""

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


class Executor:
    """Runs the stages of one build over the caches and the worker pool (a context: the
    pool and the index thread are stopped on leaving it, whatever happened)."""

    def __init__(self, site: Site, options: Options, say: Callable[[Message], None]) -> None:
        self.site, self.options, self.say = site, options, say
        folder = site.root / ".cache" / "bulletin"
        self.folder = folder
        self.store = ObjectStore(folder / "objects")
        self.page_cache = RenderCache(folder / "pages", self.store)
        self.print_cache = RenderCache(folder / "print", self.store)
        self.published = [e for e in site.editions if e.published]
        latest = (self.published or site.editions)[-1]
        self.page_keys, self.draw_keys = edition_keys(
            site, self.published, latest, pdf=options.pdf
        )
        self.run: EditionRun | None = None
        self.index_run: IndexRun | None = None

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.run is not None:
            self.run.close()
        if self.index_run is not None:
            self.index_run.thread.join()

    def _hits(self, cache: RenderCache, keys: Mapping[str, str]) -> dict[str, Made]:
        hits: dict[str, Made] = {}
        if self.options.cache:
            for e in self.site.editions:
                if hit := cache.load_digests(e.id, keys[e.id]):
                    hits[e.id] = Made(*hit)
        return hits

    def editions(
        self, render: RenderStage, print_: PrintStage, *, index: Callable[..., Any] | None
    ) -> EditionResults:
        """compute → render → print for every edition not in the cache; `index` starts on
        the pages as soon as they are all made."""
        site, options = self.site, self.options
        pages = self._hits(self.page_cache, self.page_keys)
        drawn = self._hits(self.print_cache, self.draw_keys)
        to_render = [e.id for e in site.editions if e.id not in pages]
        to_draw = [e.id for e in site.editions if e.id not in drawn]
        computed = None
        if needed := set(to_render) | set(to_draw):
            self.say(msg("builder.computing", n=len(needed)))
            from bulletin.compute import needs_history

            if needs_history(site, needed):  # every earlier edition: computed once, here
                computed = compute(site, needed, strict=options.strict)
        self.say(msg("builder.rendering"))
        if pages:
            self.say(msg("builder.reused", n=len(pages)))
        if options.pdf and to_draw:
            self.say(msg("builder.typesetting", n=len(to_draw)))
        keys = table_keys(site, strict=options.strict) if options.cache else None
        job = Job(site, options, render, print_, self.store, keys, computed)
        self.run = EditionRun(job, to_render, to_draw)
        return EditionResults(self, pages, drawn, index)

    def once(
        self, name: str, stage: Callable[[], tuple[dict[str, bytes], list[Diagnostic]]]
    ) -> Made:
        """A stage over the whole site (the archive pages), cached under a key made of every
        edition's page key ("_rest" is no edition id: those start with a letter or digit)."""
        key = hashlib.sha256(json.dumps([self.page_keys, self.options.pdf]).encode()).hexdigest()
        hit = self.page_cache.load_digests(name, key) if self.options.cache else None
        if hit is not None:
            return Made(*hit)
        files, found = stage()
        made = Made({p: self.store.put(d) for p, d in files.items()}, found)
        if self.options.cache:
            self.page_cache.store_entry(name, key, made.files, made.diagnostics)
        return made

    def collect(self, keep: set[str], others: Callable[[], bool]) -> None:
        """Delete the objects nothing refers to (not while another build runs)."""
        if others():
            return
        for sub in ("pages", "print", "search"):
            keep |= RenderCache(self.folder / sub, self.store).referenced()
        self.store.collect(keep)


class EditionResults:
    """The editions being made; `wait()` gives every edition's pages and drawings."""

    def __init__(
        self,
        executor: Executor,
        pages: dict[str, Made],
        drawn: dict[str, Made],
        index: Callable[..., Any] | None,
    ) -> None:
        self.executor, self.pages, self.drawn, self.index = executor, pages, drawn, index
        self.reused = set(pages)  # the editions whose pages came from the cache

    def wait(self) -> tuple[dict[str, Made], dict[str, Made]]:
        ex = self.executor
        site, cache = ex.site, ex.options.cache
        assert ex.run is not None
        for done in ex.run.results():
            for eid, made in done.pages.items():
                self.pages[eid] = made
                if cache:
                    ex.page_cache.store_entry(eid, ex.page_keys[eid], made.files, made.diagnostics)
            for eid, made in done.drawn.items():
                self.drawn[eid] = made
                if cache:
                    ex.print_cache.store_entry(
                        eid, ex.draw_keys[eid], made.files, made.diagnostics
                    )
            if self.index and ex.index_run is None and len(self.pages) == len(site.editions):
                files: dict[str, str] = {}
                for e in site.editions:  # every page is made: index them while PDFs are made
                    files.update(self.pages[e.id].files)
                ex.say(msg("builder.indexing"))
                ex.index_run = IndexRun(
                    functools.partial(self.index, site, StoredFiles(files, ex.store), cache=cache)
                )
        return self.pages, self.drawn

    def search(self) -> Made:
        """The index stage's files (after `wait`)."""
        ex = self.executor
        if ex.index_run is None:
            return Made()
        files, found = ex.index_run.wait()
        digests = {p: d if isinstance(d, str) else ex.store.put(d) for p, d in files.items()}
        return Made(digests, found)
