"""Published editions are locked: `bulletin.lock` records a hash of each one's inputs.

The inputs of an edition are every file in `content/<id>/` and `data/<id>/` (articles,
edition.toml, data, table specs, images). Templates and the theme are not content. When a
locked edition's inputs change, the build fails and names the changed files — unless the
edition records a new correction (勘误) in its edition.toml; then the lock is updated.
The lock is written only after a successful build, and only when it changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bulletin.diagnostics.errors import BulletinError, ConfigError, Message, msg
from bulletin.load.content import Edition, InputCache, Site

LOCK = "bulletin.lock"
HEADER = (
    "# bulletin.lock: the inputs of every published edition, written by `bulletin build`.\n"
    "# Commit it with the content. A change to a locked edition needs a [[corrections]]\n"
    "# entry (勘误: date and text) in its edition.toml.\n"
)


@dataclass(frozen=True)
class Locked:
    corrections: int
    files: dict[str, str]  # shown path -> sha256


def input_files(site: Site, edition: Edition) -> list[str]:
    """Every input file of an edition, sorted (hidden files and folders left out)."""
    files: list[str] = []
    for folder in (edition.path, site.data_dir / edition.id):
        for top, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            files += [os.path.join(top, n) for n in names if not n.startswith(".")]
    return sorted(f for f in files if os.path.isfile(f))


def file_hashes(site: Site, edition: Edition) -> dict[str, str]:
    """{shown path: SHA-256} of the edition's input files (read once per build)."""
    if edition.hashes is None:
        from bulletin.load.content import inside, resolved

        root = len(str(site.root)) + 1
        hashes = {}
        for path in input_files(site, edition):
            shown = path[root:].replace(os.sep, "/")
            if not inside(resolved(site.root), path):  # never read: the stage that uses
                link = f"a link out of the project: {os.path.realpath(path)}"  # it says so
                hashes[shown] = hashlib.sha256(link.encode()).hexdigest()
                continue
            st, seen = site.inputs.get(path)
            if seen is None:
                with open(path, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
                site.inputs.put(path, st, digest, None)
            else:
                digest = seen[0]
            hashes[shown] = digest
        edition.hashes = hashes
    return edition.hashes


def read_lock(root: Path, inputs: InputCache | None = None) -> dict[str, Locked]:
    path = root / LOCK
    if not path.exists():
        return {}
    if inputs is not None:  # parsed at the last build, and unchanged since
        st, seen = inputs.get(path)
        if seen is not None:
            return {eid: Locked(c, dict(f)) for eid, (c, f) in seen[1].items()}
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8-sig"))
        locked = {
            eid: Locked(int(entry.get("corrections", 0)), dict(entry["files"]))
            for eid, entry in data.get("editions", {}).items()
        }
        if inputs is not None:
            parsed = {eid: (e.corrections, dict(e.files)) for eid, e in locked.items()}
            inputs.put(path, st, hashlib.sha256(raw).hexdigest(), parsed)
        return locked
    except (
        tomllib.TOMLDecodeError,
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
        RecursionError,
        UnicodeDecodeError,
    ) as e:
        raise ConfigError(
            msg("lock.unreadable", why=str(e)), file=LOCK, hint=msg("lock.unreadable_hint")
        ) from None


def check(site: Site) -> dict[str, Locked] | None:
    """Compare published editions with the lock; the new lock, or None when nothing changed."""
    old = read_lock(site.root, site.inputs)
    new = dict(old)
    for edition in site.editions:
        if not edition.published:
            continue
        current = Locked(len(edition.config.corrections), file_hashes(site, edition))
        locked = old.get(edition.id)
        if locked is None or locked == current:
            new[edition.id] = current
            continue
        if locked.files != current.files and current.corrections <= locked.corrections:
            raise BulletinError(
                msg(
                    "lock.changed", id=edition.id, files=list(_changes(locked.files, current.files))
                ),
                file=f"{edition.shown}/edition.toml",
                hint=msg("lock.changed_hint"),
            )
        new[edition.id] = current
    return None if new == old else new


def _changes(before: dict[str, str], after: dict[str, str]) -> Iterable[Message]:
    for path in sorted(set(before) | set(after)):
        if path not in after:
            yield msg("lock.file_removed", path=path)
        elif path not in before:
            yield msg("lock.file_added", path=path)
        elif before[path] != after[path]:
            yield msg("lock.file_changed", path=path)


def write_lock(root: Path, lock: dict[str, Locked], inputs: InputCache | None = None) -> None:
    """Write bulletin.lock; with `inputs`, remember what it holds (the next build need not
    parse the file this build wrote, unless someone changes it)."""
    lines = [HEADER]
    for eid in sorted(lock):
        entry = lock[eid]
        key = json.dumps(eid)
        lines.append(f"\n[editions.{key}]\ncorrections = {entry.corrections}\n")
        lines.append(f"[editions.{key}.files]\n")
        lines += [
            f"{json.dumps(p, ensure_ascii=False)} = {json.dumps(d)}\n"
            for p, d in sorted(entry.files.items())
        ]
    tmp = root / f".{LOCK}.tmp"
    raw = "".join(lines).encode("utf-8")
    tmp.write_bytes(raw)
    tmp.replace(root / LOCK)
    if inputs is not None:
        parsed = {eid: (e.corrections, dict(e.files)) for eid, e in lock.items()}
        inputs.record(root / LOCK, hashlib.sha256(raw).hexdigest(), parsed)
