"""The write stage: every file into a fresh staging folder, then swapped in at once.

On Linux the staging folder and the old site are exchanged atomically (renameat2 with
RENAME_EXCHANGE), so `site/` is at every moment either the complete old site or the complete
new one. Elsewhere two renames are used. A marker file identifies folders we may replace, so
a mistyped output setting can never wipe an unrelated folder.

A site made of hard links (bulletin.build.cache.ObjectStore) is not deleted once replaced: it is
kept beside the output as `.<name>.spare.tmp`, and the next build takes it as its staging
folder and changes only the files that differ, told by inode (a link to the same object is
the same file). A one-article rebuild then makes a few links instead of ten thousand, and
deletes no old tree. A build killed while doing so leaves `.<name>.<pid>.tmp`, removed by the
next build like any leftover.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bulletin.diagnostics.errors import BulletinError, msg

MARKER = ".bulletin-site"
RENAME_EXCHANGE = 2
AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = fn(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return rc == 0


def _spare(out: Path) -> Path:
    return out.parent / f".{out.name}.spare.tmp"


def clean_leftovers(out: Path) -> None:
    """Remove staging folders left behind by a build that was killed — never the folder of a
    build still running (`bulletin serve` and `bulletin build` at once): its process id is in
    the name. The spare site is no leftover."""
    for stale in out.parent.glob(f".{out.name}.*.tmp"):
        if stale == _spare(out):
            continue
        pid = stale.name.removeprefix(f".{out.name}.").split(".")[0]
        if pid.isdigit() and int(pid) != os.getpid() and process_alive(int(pid)):
            continue
        shutil.rmtree(stale, ignore_errors=True)


def process_alive(pid: int) -> bool:
    if os.name == "nt":  # (os.kill(pid, 0) would send Ctrl-C there)
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x00100000, False, pid)  # SYNCHRONIZE
        if handle:
            kernel32.CloseHandle(handle)
        return bool(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, but belongs to someone else
        return True
    return True


def read_marker(folder: Path) -> dict[str, Any] | None:
    """What the marker of a folder bulletin wrote says ({} for an older, empty marker);
    None when `folder` has no marker."""
    try:
        text = (folder / MARKER).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _unchanged(out: Path, files: Mapping[str, bytes | str | Path], marker: str) -> bool:
    """Whether `out` already is exactly this site: the same marker, the same file names, and
    every linked file the very same file (inode) as the one to link. Then nothing is written."""
    try:
        if (out / MARKER).read_text(encoding="utf-8") != marker:
            return False
        base = os.fspath(out)
        present = set()
        for top, _dirs, names in os.walk(base):
            rel = top[len(base) + 1 :]
            present.update(f"{rel}/{n}" if rel else n for n in names)
        if present != set(files) | {MARKER}:
            return False
        for rel, data in files.items():
            if isinstance(data, bytes):
                if Path(base, rel).read_bytes() != data:
                    return False
                continue
            have, want = os.stat(f"{base}/{rel}"), os.stat(data)
            if (have.st_ino, have.st_dev) != (want.st_ino, want.st_dev):
                return False
    except OSError:
        return False
    return True


def write_site(
    files: Mapping[str, bytes | str | Path], out: Path, *, info: Mapping[str, Any] | None = None
) -> None:
    """Write `files` into `out` in one step; `info` (JSON) goes into its marker file.

    A str or Path value names a built file to hard-link (bulletin.build.cache.ObjectStore:
    unchanged files cost a link, not a write), copied where a link cannot be made."""
    out = out.absolute()
    if out.exists() and not (out / MARKER).exists() and any(out.iterdir()):
        raise BulletinError(msg("output.not_ours", out=str(out)), hint=msg("output.not_ours_hint"))
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    marker = json.dumps(dict(info), sort_keys=True) + "\n" if info else ""
    if _unchanged(out, files, marker):
        return
    staging = out.parent / f".{out.name}.{os.getpid()}.tmp"
    try:
        os.rename(_spare(out), staging)  # (atomic: of two builds at once, one takes it)
    except OSError:
        staging.mkdir()
    try:
        linked = _fill(os.fspath(staging), files)
        (staging / MARKER).write_text(marker, encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if out.exists():
        if not _exchange(staging, out):
            old = out.parent / f".{out.name}.{os.getpid()}.old.tmp"
            out.rename(old)
            staging.rename(out)
            staging = old
        # `staging` now holds the old site: the next build's staging folder, when it is links
        if not linked:
            shutil.rmtree(staging, ignore_errors=True)
            return
        try:
            os.rename(staging, _spare(out))
        except OSError:  # another build left a spare meanwhile
            shutil.rmtree(staging, ignore_errors=True)
    else:
        staging.rename(out)


def _fill(base: str, files: Mapping[str, bytes | str | Path]) -> bool:
    """Make folder `base` hold exactly `files` (and its marker, written by the caller). What it
    holds already (a spare site) is kept where it is the same file: a hard link to the same
    object. True when every file is a hard link (the folder is worth keeping as a spare)."""
    wanted_dirs = {""}
    for rel in files:
        folder = rel.rpartition("/")[0]
        while folder not in wanted_dirs:
            wanted_dirs.add(folder)
            folder = folder.rpartition("/")[0]
    present: dict[str, int] = {}  # site path -> inode, of the files already there
    device = os.stat(base).st_dev
    made, stack = {""}, [""]  # the folders there, the ones still to read
    while stack:
        rel_dir = stack.pop()
        with os.scandir(f"{base}/{rel_dir}" if rel_dir else base) as entries:
            for entry in entries:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                if entry.is_dir(follow_symlinks=False):
                    if rel in wanted_dirs:
                        made.add(rel)
                        stack.append(rel)
                    else:
                        shutil.rmtree(entry.path)
                elif rel in files and not isinstance(files[rel], bytes):
                    present[rel] = entry.inode()
                else:  # not in the new site, or written anew below (bytes; the marker)
                    os.unlink(entry.path)
    link = True
    for rel, data in sorted(files.items()):
        folder = rel.rpartition("/")[0]
        if folder not in made:
            os.makedirs(f"{base}/{folder}", exist_ok=True)
            made.add(folder)
        target = f"{base}/{rel}"
        if isinstance(data, bytes):
            link = False
            Path(target).write_bytes(data)
            continue
        if rel in present:
            st = os.stat(data)
            if (present[rel], device) == (st.st_ino, st.st_dev):
                continue  # the same file already
            os.unlink(target)
        if link:
            try:
                os.link(data, target)
                continue
            except OSError:  # another file system, or one without links: copy from now on
                link = False
        shutil.copyfile(data, target)
    return link and bool(files)
