"""The write stage: every file into a fresh staging folder, then swapped in at once.

On Linux the staging folder and the old site are exchanged atomically (renameat2 with
RENAME_EXCHANGE), so `site/` is at every moment either the complete old site or the complete
new one. Elsewhere two renames are used. A marker file identifies folders we may replace, so
a mistyped output setting can never wipe an unrelated folder.
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

from .errors import BulletinError

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


def clean_leftovers(out: Path) -> None:
    """Remove staging folders left behind by a build that was killed — never the folder of a
    build still running (`bulletin serve` and `bulletin build` at once): its process id is in
    the name."""
    for stale in out.parent.glob(f".{out.name}.*.tmp"):
        pid = stale.name.removeprefix(f".{out.name}.").split(".")[0]
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
            continue
        shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
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

    A str or Path value names a built file to hard-link (bulletin.cache.ObjectStore: unchanged files
    cost a link, not a write), copied where a link cannot be made."""
    out = out.absolute()
    if out.exists() and not (out / MARKER).exists() and any(out.iterdir()):
        raise BulletinError(
            f"{out} exists and was not made by bulletin; refusing to replace it",
            hint="choose another output folder, or empty this one",
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    marker = json.dumps(dict(info), sort_keys=True) + "\n" if info else ""
    if _unchanged(out, files, marker):
        return
    staging = out.parent / f".{out.name}.{os.getpid()}.tmp"
    staging.mkdir()
    made = {""}
    link = True
    base = os.fspath(staging)
    try:
        for rel, data in sorted(files.items()):
            folder = rel.rpartition("/")[0]
            if folder not in made:
                os.makedirs(f"{base}/{folder}", exist_ok=True)
                made.add(folder)
            target = f"{base}/{rel}"
            if isinstance(data, bytes):
                Path(target).write_bytes(data)
                continue
            if link:
                try:
                    os.link(data, target)
                    continue
                except OSError:  # another file system, or one without links: copy from now on
                    link = False
            shutil.copyfile(data, target)
        (staging / MARKER).write_text(marker, encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if out.exists():
        if _exchange(staging, out):
            shutil.rmtree(staging, ignore_errors=True)  # now holds the old site
            return
        old = out.parent / f".{out.name}.{os.getpid()}.old.tmp"
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(out)
