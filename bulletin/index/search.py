"""The search index: Pagefind bundles over the published articles, and the search page.

Only article permalink pages (`editions/<id>/<slug>.html`) of published editions are given to
Pagefind, so every result links to an article permalink, a draft's text is never in the index
(whatever `--drafts` says), and the home page (a copy of the latest edition page) and the
edition pages add no duplicate results. Inside an article page only the element marked
`data-pagefind-body` is indexed.

Chinese needs Pagefind's *extended* build, which segments Chinese into words; the plain build
treats a run of Chinese characters as one word. The version (1.3.0) is pinned in pyproject.toml
by the recall measurement in bench/pagefind_recall.py: later releases find fewer Chinese
queries (1.4 segments numbers with units differently; 1.5 also splits the query in the
browser with Intl.Segmenter, whose words often disagree with the index's).

Pagefind cannot add to an index, so the index is cut into shards: the published editions of
each calendar year, in chunks of at most SHARD_EDITIONS editions (`<year>-<k>`). Each shard is
one run of Pagefind's binary (from the pinned `pagefind_bin_extended` wheel) over a scratch
folder holding only its pages, and is cached on its own: a changed article indexes its shard
again, a new edition its year's last shard. Shards that need indexing run side by side, one
process per usable core. (Pagefind's Python API costs about 0.1 s per page and cannot return
a bundle larger than 2 MiB through its pipe.)

The site holds, under pagefind/:

    pagefind-ui.js, pagefind-ui.css     the search box (loaded once, by the search page)
    <shard>/pagefind-entry.json, pagefind.<hash>.pf_meta, index/, fragment/
                                        every shard's index
    <newest shard>/pagefind.js, wasm.<language>.pagefind
                                        the search code, once: the newest shard is the
                                        primary index, the older ones are merged into it in
                                        the browser and use its WebAssembly (search.js)
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bulletin.build.cache import RenderCache
from bulletin.diagnostics.errors import BulletinError, Finding, msg

if TYPE_CHECKING:
    from bulletin.load.content import Edition, Site

BUNDLE = "pagefind"  # site folder of the Pagefind bundles
PAGE = "search/index.html"  # site path of the search page
INSTALL_HINT = msg("search.install_hint", package="pagefind[extended]==1.3.0")
SHARD_EDITIONS = 13  # editions per shard at most: a quarter of a weekly bulletin's year
UI = ("pagefind-ui.js", "pagefind-ui.css")  # the search box, once in the site
# The search code, in the primary (newest) shard only: merged shards use the primary's.
PRIMARY_ONLY = ("pagefind.js",)


def _kept(name: str) -> bool:
    """The files of a Pagefind bundle the site uses (not its highlight script, modular UI)."""
    if name in UI or name in PRIMARY_ONLY or name == "pagefind-entry.json":
        return True
    if "/" in name:
        return name.split("/")[0] in ("index", "fragment", "filter")
    return name.endswith((".pf_meta", ".pagefind"))  # the metadata, the WebAssembly


def _primary_only(name: str) -> bool:
    return name in UI or name in PRIMARY_ONLY or (name.startswith("wasm.") and "/" not in name)


@dataclass(frozen=True)
class Shard:
    """One Pagefind index: the articles of at most SHARD_EDITIONS editions of one year."""

    id: str  # "<year>-<k>", k from 1
    editions: tuple[str, ...]  # edition ids, in site order
    pages: tuple[str, ...]  # site paths of their article permalinks


def shards(site: Site) -> list[Shard]:
    """The published editions by calendar year, each year cut into chunks of SHARD_EDITIONS in
    site order (oldest first), so that a new edition only changes its year's last shard.
    Shards without an article are left out (Pagefind refuses an empty site)."""
    from bulletin.render import article_path

    years: dict[int, list[Edition]] = {}
    for edition in site.editions:
        if edition.published:
            years.setdefault(edition.year, []).append(edition)
    found = []
    for year in sorted(years):
        editions = years[year]
        for k, start in enumerate(range(0, len(editions), SHARD_EDITIONS), 1):
            chunk = editions[start : start + SHARD_EDITIONS]
            pages = tuple(article_path(e, a) for e in chunk for a in e.articles)
            if pages:
                found.append(Shard(f"{year}-{k}", tuple(e.id for e in chunk), pages))
    return found


def indexed_pages(site: Site) -> list[str]:
    """Site paths of the pages to index: every article permalink of a published edition."""
    return [page for shard in shards(site) for page in shard.pages]


def pagefind_executable() -> Path:
    """The Pagefind binary the Python API will run; a clear error when there is none."""
    try:
        from pagefind.service import get_executable
    except ImportError as e:
        raise BulletinError(msg("search.needs_pagefind"), hint=INSTALL_HINT) from e
    try:
        found = get_executable()
    except FileNotFoundError:  # a pagefind_bin* package whose binary is missing
        found = None
    if found is None or not found.is_file():
        raise BulletinError(msg("search.needs_binary"), hint=INSTALL_HINT)
    return found


def build_index(files: Mapping[str, bytes], pages: Iterable[str]) -> dict[str, bytes]:
    """One Pagefind run over `pages` (site paths into `files`): the bundle as {path inside the
    bundle folder: bytes}, less the files the site does not use.

    The pages are written to a scratch folder at their site paths, and Pagefind's own binary
    indexes them (its Python API sends one message per page and costs about 0.1 s each)."""
    binary = pagefind_executable()
    pages = list(pages)
    if not pages:  # Pagefind refuses an empty site
        return {}
    with tempfile.TemporaryDirectory(prefix="bulletin-pagefind-") as tmp:
        source, folder = Path(tmp) / "site", Path(tmp) / BUNDLE
        for path in pages:
            target = source / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[path])
        done = subprocess.run(
            [str(binary), "--site", str(source), "--output-path", str(folder), "--silent"],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            why = (done.stderr or done.stdout).strip()[:500]
            raise BulletinError(msg("search.failed", why=why))
        bundle = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
        return {name: bundle[name].read_bytes() for name in sorted(bundle) if _kept(name)}


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def build_shards(files: Mapping[str, bytes], todo: list[Shard]) -> dict[str, dict[str, bytes]]:
    """{shard id: its bundle} for every shard of `todo`, one Pagefind process per usable core
    at a time (each run is single-threaded)."""
    workers = min(len(todo), usable_cores())
    if workers <= 1:
        return {shard.id: build_index(files, shard.pages) for shard in todo}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # The largest first, so that the last ones to start are short.
        runs = {
            shard.id: pool.submit(build_index, files, shard.pages)
            for shard in sorted(todo, key=lambda s: -len(s.pages))
        }
        return {shard.id: runs[shard.id].result() for shard in todo}


def shard_key(binary: Path, shard: Shard, files: Mapping[str, bytes]) -> str:
    """The cache key of a shard's bundle: the Pagefind binary and its pages' paths and bytes
    (their SHA-256, which the build's files may know without reading them)."""
    known = getattr(files, "digest", None)
    key = hashlib.sha256(binary.name.encode() + b"\0" + str(binary.stat().st_size).encode())
    for path in shard.pages:
        digest = known(path) if known else hashlib.sha256(files[path]).hexdigest()
        key.update(f"{path}\0{digest}\n".encode())
    return key.hexdigest()


def site_bundle(
    bundles: Mapping[str, Mapping[str, bytes | str]], primary: str
) -> dict[str, bytes | str]:
    """The files of pagefind/ in the site: every shard's index in pagefind/<shard>/, the search
    code in the primary shard's folder only, and the search box beside the shards."""
    out: dict[str, bytes | str] = {}
    for shard, bundle in bundles.items():
        for name, data in bundle.items():
            if name in UI:
                if shard == primary:
                    out[f"{BUNDLE}/{name}"] = data
            elif shard == primary or not _primary_only(name):
                out[f"{BUNDLE}/{shard}/{name}"] = data
    return out


def render_search_page(site: Site, shard_ids: Iterable[str] = ()) -> bytes:
    """The search page; `shard_ids` are the shards' folders in pagefind/, the primary first."""
    from bulletin.render import make_environment, relative_url

    env = make_environment(site.root / "templates")
    html = env.get_template("search.html").render(
        site=site.config,
        url=lambda target: relative_url(target, PAGE),
        page_path=PAGE,
        bundle=BUNDLE,
        bundles=" ".join(relative_url(f"{BUNDLE}/{s}", PAGE) + "/" for s in shard_ids),
    )
    return html.encode("utf-8")


def index_site(
    site: Site, files: Mapping[str, bytes], *, cache: bool = False
) -> tuple[dict[str, bytes | str], list[Finding]]:
    """The index stage: the search page and the Pagefind bundles, to add to the site's files.

    With `cache`, a shard whose pages (and Pagefind binary) are exactly the same is taken from
    .cache/bulletin/search instead of being indexed again; entries of shards that are gone
    are deleted. Files are bytes, or (with `cache`) the SHA-256 of a file in the object store
    (bulletin.build.cache.ObjectStore), which is not read for nothing."""
    findings: list[Finding] = []
    binary = pagefind_executable()
    if binary.name.split(".")[0] != "pagefind_extended":
        findings.append(Finding(msg("search.not_extended", binary=str(binary), hint=INSTALL_HINT)))
    every = shards(site)
    keys = {shard.id: shard_key(binary, shard, files) for shard in every}
    store = RenderCache(site.root / ".cache" / "bulletin" / "search") if cache else None
    bundles: dict[str, Mapping[str, bytes | str]] = {}
    for shard in every:
        hit = store.load_digests(shard.id, keys[shard.id]) if store else None
        if hit is not None:
            bundles[shard.id] = hit[0]
    built: dict[str, Mapping[str, bytes | str]] = dict(
        build_shards(files, [s for s in every if s.id not in bundles])
    )
    if store:
        for shard_id, bundle in built.items():
            digests = {n: store.objects.put(d) for n, d in bundle.items() if isinstance(d, bytes)}
            store.store_entry(shard_id, keys[shard_id], digests, [])
            built[shard_id] = digests
        if store.folder.is_dir():
            for entry in store.folder.iterdir():  # shards no more, and the former whole bundle
                if entry.name.split(".")[0] not in keys:
                    entry.unlink(missing_ok=True)
    bundles.update(built)
    newest_first = [shard.id for shard in reversed(every)]
    added = {PAGE: render_search_page(site, newest_first)}
    if every:
        added.update(site_bundle({s: bundles[s] for s in newest_first}, newest_first[0]))
    return added, findings
