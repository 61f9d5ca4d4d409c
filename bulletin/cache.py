"""Incremental builds: an unchanged edition is not rendered again.

Each edition's rendered files are stored under `.cache/bulletin/` keyed by a hash of
everything that can change them: the edition's own inputs, the data of every earlier
edition (rank change, line charts), its neighbours (previous/next links), bulletin.toml,
the site's templates, the theme and bulletin's own code, and the build options. A stale
entry can never be served, because any change to those gives another key; entries of the
same edition with another key are deleted when a new one is stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict
from functools import cache
from pathlib import Path

from .archive import neighbours
from .content import Edition, Site
from .errors import Finding
from .lock import file_hashes

PACKAGE = Path(__file__).resolve().parent


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


def edition_keys(
    site: Site, published: list[Edition], latest: Edition, **options: object
) -> dict[str, str]:
    base = hashlib.sha256()
    base.update(code_digest().encode())
    base.update((site.root / "bulletin.toml").read_bytes())
    _tree_digest(site.root / "templates", base)
    base.update(json.dumps(options, sort_keys=True).encode())
    keys: dict[str, str] = {}
    history = hashlib.sha256()  # the data of every edition so far, in order
    for edition in site.editions:
        h = base.copy()
        h.update(json.dumps(file_hashes(site, edition), sort_keys=True).encode())
        h.update(history.digest())
        around = [e for e in neighbours(published, edition).values() if e is not None]
        h.update(json.dumps([(e.id, e.config.number, e.config.total) for e in around]).encode())
        h.update(b"home" if edition is latest else b"")
        keys[edition.id] = h.hexdigest()
        data = site.data_dir / edition.id
        _tree_digest(data, history)
    return keys


class RenderCache:
    """Rendered files per edition, one entry file each: a JSON header, then the bytes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, edition_id: str, key: str) -> Path:
        return self.folder / f"{edition_id}.{key[:32]}"

    def load(self, edition_id: str, key: str) -> tuple[dict[str, bytes], list[Finding]] | None:
        path = self._path(edition_id, key)
        try:
            raw = path.read_bytes()
            head, _, body = raw.partition(b"\n")
            meta = json.loads(head)
            files, pos = {}, 0
            for name, size in meta["files"]:
                files[name] = body[pos : pos + size]
                pos += size
            if pos != len(body) or meta["key"] != key:
                return None
            return files, [Finding(**f) for f in meta["findings"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or damaged: render again

    def store(
        self, edition_id: str, key: str, files: dict[str, bytes], findings: Iterable[Finding]
    ) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob(f"{edition_id}.*"):
            old.unlink(missing_ok=True)
        names = sorted(files)
        head = {
            "key": key,
            "files": [[n, len(files[n])] for n in names],
            "findings": [asdict(f) for f in findings],
        }
        path = self._path(edition_id, key)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(json.dumps(head).encode() + b"\n" + b"".join(files[n] for n in names))
        tmp.replace(path)
