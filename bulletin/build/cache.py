"""Incremental builds: an unchanged edition is not rendered again.

Each edition's rendered files are stored under `.cache/bulletin/` keyed by a hash of
everything that can change them: the edition's own inputs, the data of every earlier
edition (rank change, line charts), its neighbours (previous/next links), bulletin.toml,
the site's templates, the theme and bulletin's own code, and the build options. A stale
entry can never be served, because any change to those gives another key; entries of the
same edition with another key are deleted when a new one is stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import pickle
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from bulletin.build.lock import file_hashes
from bulletin.diagnostics.errors import Diagnostic
from bulletin.index.archive import neighbours
from bulletin.load.content import Edition, Site

if TYPE_CHECKING:
    from bulletin.charts import Chart
    from bulletin.compute.tableview import ComputedTable

PACKAGE = Path(__file__).resolve().parents[1]  # (bulletin/, this being bulletin/build/)


def _tree_digest(folder: Path, h: hashlib._Hash) -> None:
    if not folder.is_dir():
        return
    for path in sorted(
        p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())


@cache
def code_digest() -> str:
    """bulletin's own code and theme: a change to either invalidates every entry."""
    h = hashlib.sha256()
    _tree_digest(PACKAGE, h)
    return h.hexdigest()


def _site_hash(site: Site) -> hashlib._Hash:
    """A hash begun with what every key covers: bulletin's code and bulletin.toml."""
    h = hashlib.sha256()
    h.update(code_digest().encode())
    h.update((site.root / "bulletin.toml").read_bytes())
    return h


def table_keys(site: Site, *, strict: bool) -> dict[str, str]:
    """{edition id: key of its computed tables and charts}: its data, the data of every
    earlier edition (rank change, line charts) and its number and year (a table's note
    names the previous edition), what a chart shows of the edition (number, year),
    bulletin.toml (fonts) and bulletin's code — not its articles or edition.toml."""
    base = _site_hash(site)
    base.update(b"strict" if strict else b"")
    years = len({e.year for e in site.editions}) > 1
    keys: dict[str, str] = {}
    history = hashlib.sha256()
    for edition in site.editions:
        h = base.copy()
        data = {p: d for p, d in file_hashes(site, edition).items() if p.startswith("data/")}
        h.update(json.dumps([data, edition.config.number, edition.year, years]).encode())
        h.update(history.digest())
        keys[edition.id] = h.hexdigest()
        # (a table names the previous edition in its note and warnings: 2021年第12期)
        history.update(json.dumps([data, edition.config.number, edition.year],
                                  sort_keys=True).encode())
    return keys


class _EntryFiles:
    """The entry files of a cache folder (`<name>.<key>`), listed once: storing a new entry
    deletes the old ones of its name without listing the folder again for each."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._by_name: dict[str, list[str]] | None = None

    def drop(self, name: str) -> None:
        """Make the folder, and delete the entries of `name` it held when first listed."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._by_name is None:
            self._by_name = {}
            for entry in os.listdir(self.folder):
                self._by_name.setdefault(entry.split(".", 1)[0], []).append(entry)
        for old in self._by_name.pop(name, []):
            with contextlib.suppress(OSError):
                os.unlink(self.folder / old)

    def add(self, name: str, file: str) -> None:
        """An entry just stored (a second store of `name` in this build deletes it)."""
        if self._by_name is not None:
            self._by_name.setdefault(name, []).append(file)


class TableCache:
    """Computed tables and charts (drawn SVGs included) per edition, pickled: a change to an
    article alone computes no table and draws no chart again (nor loads pandas or
    matplotlib). Only bulletin writes these files, like the rest of .cache/."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._entries = _EntryFiles(folder)

    def load(
        self, edition_id: str, key: str
    ) -> tuple[dict[str, ComputedTable], dict[str, Chart]] | None:
        try:
            with open(self.folder / f"{edition_id}.{key[:32]}", "rb") as f:
                stored_key, tables, charts = pickle.load(f)
        except Exception:  # missing, damaged, or of another version: compute again
            return None
        return (tables, charts) if stored_key == key else None

    def store(
        self, edition_id: str, key: str, tables: Mapping[str, ComputedTable],
        charts: Mapping[str, Chart]
    ) -> None:
        self._entries.drop(edition_id)
        path = self.folder / f"{edition_id}.{key[:32]}"
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            pickle.dump((key, tables, dict(charts)), f, protocol=5)
        os.replace(tmp, path)
        self._entries.add(edition_id, path.name)


def edition_keys(
    site: Site, published: list[Edition], latest: Edition, **options: object
) -> tuple[dict[str, str], dict[str, str]]:
    """({edition id: key of its pages}, {edition id: key of its charts and PDF}).

    A PDF does not show the neighbours or whether the edition is the latest, so adding an
    edition typesets no earlier PDF again."""
    base = _site_hash(site)
    _tree_digest(site.root / "templates", base)
    base.update(json.dumps(options, sort_keys=True).encode())
    pages: dict[str, str] = {}
    drawn: dict[str, str] = {}
    history = hashlib.sha256()  # the data of every edition so far, in order
    around_all = neighbours(published, site.editions)
    for edition in site.editions:
        h = base.copy()
        h.update(json.dumps(file_hashes(site, edition), sort_keys=True).encode())
        h.update(history.digest())
        drawn[edition.id] = h.hexdigest()
        around = [e for e in around_all[edition.id].values() if e is not None]
        h.update(json.dumps([(e.id, e.config.number, e.config.total) for e in around]).encode())
        h.update(b"home" if edition is latest else b"")
        pages[edition.id] = h.hexdigest()
        data = site.data_dir / edition.id
        _tree_digest(data, history)
        history.update(json.dumps([edition.config.number, edition.year]).encode())  # (named
        # in the next edition's table notes)
    return pages, drawn


_BUILDS = itertools.count()


@contextlib.contextmanager
def running(folder: Path) -> Iterator[Callable[[], bool]]:
    """Register this build under `folder`/running while it runs; yields a function telling
    whether another build is running now (then the object store must not be collected)."""
    from bulletin.build.output import process_alive

    registry = folder / "running"
    registry.mkdir(parents=True, exist_ok=True)
    # <pid>.<n>: one process may run two builds at once (bulletin serve's preview and the
    # workbench's publish, in two threads); each must see the other
    me = registry / f"{os.getpid()}.{next(_BUILDS)}"
    me.touch()

    def others() -> bool:
        for entry in registry.iterdir():
            pid = entry.name.split(".")[0]
            if entry.name == me.name or not pid.isdigit():
                continue
            if int(pid) == os.getpid() or process_alive(int(pid)):
                return True
            entry.unlink(missing_ok=True)  # a build that was killed
        return False

    try:
        yield others
    finally:
        me.unlink(missing_ok=True)


class ObjectStore:
    """Every built file, once, under `.cache/bulletin/objects/<2 hex>/<62 hex>` (its SHA-256).

    The site folder is made of hard links to these files (copies where the output is on
    another file system), so an unchanged file costs a link instead of a write, and a build
    never holds the whole site in memory. Objects are read-only and never change: a name is
    the hash of the bytes. `collect` deletes the ones nothing refers to any more."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._base = os.fspath(folder)

    def path(self, digest: str) -> str:
        """The object's file name (a str: pathlib costs too much for every file of a site)."""
        return f"{self._base}/{digest[:2]}/{digest[2:]}"

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self.path(digest)
        if not os.path.isfile(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
            with open(tmp, "wb") as f:
                f.write(data)
            if os.name != "nt":  # (Windows will not delete a read-only file)
                os.chmod(tmp, 0o444)
            os.replace(tmp, path)
        return digest

    def get(self, digest: str) -> bytes:
        with open(self.path(digest), "rb") as f:
            return f.read()

    def has(self, digest: str) -> bool:
        return os.path.isfile(self.path(digest))

    def collect(self, keep: set[str]) -> int:
        """Delete every object not in `keep` (and stray temporary files); how many went."""
        gone = 0
        if not self.folder.is_dir():
            return 0
        for sub in os.scandir(self.folder):
            if not sub.is_dir(follow_symlinks=False):
                continue
            for entry in os.scandir(sub.path):
                if sub.name + entry.name not in keep:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
                        gone += 1
        return gone


class RenderCache:
    """Built files per edition (or per search shard), one small JSON entry each: the cache
    key, {site path: object digest} and the findings. The bytes are in the ObjectStore; an
    entry whose objects are gone is a miss."""

    def __init__(self, folder: Path, store: ObjectStore | None = None) -> None:
        self.folder = folder
        self.objects = store or ObjectStore(folder.parent / "objects")  # (.cache/bulletin/)
        self._entries = _EntryFiles(folder)

    def _path(self, name: str, key: str) -> Path:
        return self.folder / f"{name}.{key[:32]}"

    def load_digests(self, name: str, key: str) -> tuple[dict[str, str], list[Diagnostic]] | None:
        try:
            meta = json.loads(self._path(name, key).read_bytes())
            files = meta["files"]
            if meta["key"] != key or not isinstance(files, dict):
                return None
            if not all(isinstance(d, str) and self.objects.has(d) for d in files.values()):
                return None
            return dict(files), [Diagnostic.from_json(f) for f in meta["findings"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or damaged: build again

    def store_entry(
        self, name: str, key: str, files: Mapping[str, str], findings: Iterable[Diagnostic]
    ) -> None:
        self._entries.drop(name)
        head = {
            "key": key,
            "files": dict(sorted(files.items())),
            "findings": [f.to_json() for f in findings],
        }
        path = self._path(name, key)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(head, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
        self._entries.add(name, path.name)

    def referenced(self) -> set[str]:
        """The digests every entry refers to (what the store must keep)."""
        found: set[str] = set()
        if not self.folder.is_dir():
            return found
        for path in self.folder.iterdir():
            try:
                found.update(json.loads(path.read_bytes())["files"].values())
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                continue
        return found


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:  # a read-only project: compile again next time
            pass


def bytecode_cache(root: Path, kind: str) -> jinja2.BytecodeCache:
    """Compiled templates kept in .cache/bulletin/jinja/<kind>/ (Jinja checks each against its
    source): a build does not compile every template again (0.2 s)."""
    return _BytecodeCache(str(root / ".cache" / "bulletin" / "jinja" / kind))
