"""Publishing: the built site onto the web host, a release at a time, and checked afterwards.

The host folder DEST (local, mounted, or `user@host:/path` over SSH) looks like this:

    DEST/.bulletin-publish          marks a folder `bulletin publish` manages
    DEST/releases/<name>/           one complete site per release, <name> = UTC time-content hash
    DEST/releases/.partial-<name>/  an upload in progress (never served, never listed)
    DEST/current -> releases/<name> the live release: the web server serves DEST/current/

A publish uploads into `.partial-<name>` (files unchanged since the live release become hard
links to it: rsync --link-dest over SSH, os.link locally), renames it to `<name>` when
complete, then replaces the `current` symlink in one rename(2). Readers see the old release
or the new one, never a mixture; a publish killed at any moment leaves `current` alone, and
the next publish removes what it left. The last `keep` releases stay; `--rollback` points
`current` at the release before it and removes the one it leaves (as Capistrano does), so a
second rollback goes back further. The symlink is relative, so DEST may be mounted at another
path on the publishing machine than on the web server.

One publish at a time: a publish (and a rollback) holds the destination's lock,
`DEST/.publish-lock/` (an atomic mkdir there, over SSH too; its `owner` file says who holds it:
host, user, process, since when), from before it looks at DEST until it has verified. Another
publish waits for it (`wait` seconds) or is refused with the holder's name
(`DestinationBusy`). A lock whose process is gone (same host) or older than `STALE_HOURS` is
removed with a message; `unlock` (`bulletin publish --unlock`) removes any.

Before uploading, the site is crawled from its home page (bulletin.crawl: every link and
asset must exist, none may leave the site); after switching, the published folder (local
DEST) and/or the web server (`verify_url`) is crawled the same way.

`bundle()` writes the site into a deterministic zip, for hosts that only take uploads.

The messages (errors, and the progress lines given to `report`) are in
bulletin/diagnostics/messages/publish.toml.
"""

from __future__ import annotations

import abc
import contextlib
import datetime as dt
import filecmp
import hashlib
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulletin.build.output import MARKER, process_alive, read_marker
from bulletin.commands.crawl import CrawlReport, crawl_folder, crawl_url
from bulletin.diagnostics import reasons
from bulletin.diagnostics.errors import BulletinError, Message, msg

HOST_MARKER = ".bulletin-publish"
PARTIAL = ".partial-"
RELEASE = re.compile(r"^(\d{8}T\d{6}Z)-([0-9a-f]{10})$")
STAMP = "%Y%m%dT%H%M%SZ"
Report = Callable[[Message], None]


def _quiet(message: Message) -> None:
    pass


# --- the built site ---------------------------------------------------------------------


def check_site(folder: Path) -> None:
    """Refuse a folder that is missing, was not built by bulletin, or holds drafts."""
    if not folder.is_dir():
        raise BulletinError(
            msg("publish.no_site", folder=str(folder)), hint=msg("publish.no_site_hint")
        )
    info = read_marker(folder)
    if info is None:
        raise BulletinError(
            msg("publish.not_built", folder=str(folder), marker=MARKER),
            hint=msg("publish.not_built_hint"),
        )
    if "drafts" not in info:
        raise BulletinError(
            msg("publish.old_site", folder=str(folder)), hint=msg("publish.old_site_hint")
        )
    if info["drafts"]:
        # (the ids as one text: "none at the time" is shown in English in either language,
        # as it always was)
        drafts = ", ".join(info.get("draft_editions") or []) or "none at the time"
        raise BulletinError(
            msg("publish.drafts", folder=str(folder), ids=drafts),
            hint=msg("publish.drafts_hint"),
        )


def site_files(folder: Path) -> list[str]:
    """Every file of the site (POSIX paths relative to it), sorted."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not p.is_symlink()
    )


def content_hash(folder: Path, files: Iterable[str]) -> str:
    """One hash over every file's path and content: equal sites get equal release names."""
    whole = hashlib.sha256()
    for rel in files:
        digest = hashlib.sha256((folder / rel).read_bytes()).hexdigest()
        whole.update(f"{rel}\0{digest}\n".encode())
    return whole.hexdigest()


# --- the host ---------------------------------------------------------------------------


@dataclass
class HostState:
    now: str  # the host's clock, as STAMP
    current: str | None  # the live release's name
    releases: list[str]  # complete releases, oldest first
    cleaned: list[str]  # partial uploads removed


def _state(
    now: str, current_link: str | None, names: Iterable[str], cleaned: list[str]
) -> HostState:
    current = None
    if current_link is not None:
        head, _, name = current_link.rstrip("/").rpartition("/")
        if head != "releases" or not RELEASE.match(name):
            raise BulletinError(msg("publish.bad_current", link=current_link))
        current = name
    return HostState(now, current, sorted(n for n in names if RELEASE.match(n)), cleaned)


# --- the destination's lock -------------------------------------------------------------

LOCK = ".publish-lock"  # DEST/.publish-lock/owner: who publishes to DEST now
GUARD = LOCK + ".breaking"  # held for the few milliseconds a lock is being removed
WAIT = 300  # seconds a publish waits for another one to end, unless told otherwise
STALE_HOURS = 12  # a lock this old is left by a publish that ended without removing it
OWNERLESS_SECONDS = 60  # a lock with no owner this old: its publish died as it took it
_TOKEN = re.compile(r'^token = "([0-9a-f]+)"\r?$', re.M)


@dataclass(frozen=True)
class LockOwner:
    """Who holds a destination's lock, as written into it (None: not written, or unreadable).
    `token` is this one taking of the lock: two publishes from one process differ in it."""

    host: str | None = None
    user: str | None = None
    pid: int | None = None
    since: str | None = None  # UTC, ISO 8601 ("2021-12-28T02:05:09Z")
    token: str | None = None

    @classmethod
    def me(cls) -> LockOwner:
        import getpass

        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no name for this uid (a container)
            user = str(os.getuid()) if hasattr(os, "getuid") else None
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return cls(socket.gethostname(), user, os.getpid(), now, uuid.uuid4().hex)

    def text(self) -> str:
        """The lock's `owner` file (TOML; its token line is read by the SSH scripts too)."""
        return (
            "# bulletin publish is publishing to this folder; it removes this lock when done.\n"
            f"host = {json.dumps(self.host or '')}\nuser = {json.dumps(self.user or '')}\n"
            f"pid = {self.pid or 0}\nsince = {json.dumps(self.since or '')}\n"
            f'token = "{self.token or ""}"\n'
        )

    @classmethod
    def parse(cls, text: str | None) -> LockOwner:
        if not text:
            return cls()
        token = _TOKEN.search(text)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            data = {}

        def field(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) and value else None

        pid = data.get("pid")
        return cls(
            field("host"), field("user"), pid if isinstance(pid, int) and pid > 0 else None,
            field("since"), token[1] if token else None,
        )  # fmt: skip

    def describe(self) -> Message:
        """Who it is, in the editor's words."""
        if self.token is None:
            return msg("publish.lock_holder_unknown")
        since = self.since or "?"
        with contextlib.suppress(ValueError):
            since = dt.datetime.fromisoformat(since).astimezone().strftime("%Y-%m-%d %H:%M:%S")
        return msg(
            "publish.lock_holder",
            user=self.user or "?", host=self.host or "?", pid=self.pid or "?", since=since,
        )  # fmt: skip


@dataclass(frozen=True)
class Held:
    """A destination's lock held by another publish."""

    owner: LockOwner
    age: float  # seconds since it was taken, by the destination's clock

    def stale(self) -> Message | None:
        """Why the publish holding it surely has ended (None: it may be running)."""
        owner = self.owner
        if owner.token is None:
            return msg("publish.lock_stale_ownerless") if self.age > OWNERLESS_SECONDS else None
        if owner.host == socket.gethostname() and owner.pid and not process_alive(owner.pid):
            return msg("publish.lock_stale_ended", pid=owner.pid, host=owner.host)
        if self.age > STALE_HOURS * 3600:
            return msg("publish.lock_stale_old", hours=STALE_HOURS)
        return None


class DestinationBusy(BulletinError):
    """Another publish holds the destination's lock and did not end within the wait;
    `holder` says who (for the workbench, which may offer to try again)."""

    holder: Held | None = None


def _held(owner_text: str | None, age: float) -> Held:
    return Held(LockOwner.parse(owner_text), max(age, 0.0))


class Host(abc.ABC):
    """A kind of place a site is published to: one subclass each, registered in HOSTS by
    being defined; `make_host` gives a destination to the first kind that claims it. A new
    kind (another protocol) is one subclass: `claim`, `inspect`, `upload`, `activate`, and
    the lock's `take_lock` and `drop_lock`."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        HOSTS.insert(0, cls)  # (a later kind is asked first; LocalHost, the first, is last)

    @classmethod
    @abc.abstractmethod
    def claim(cls, dest: str, ssh: Sequence[str] | None) -> Host | None:
        """This kind of host for DEST (`ssh`: the ssh command, when one was given), or None
        when DEST is not of its kind."""

    @abc.abstractmethod
    def inspect(self, *, create: bool) -> HostState:
        """What the destination holds (made ready for a first release with `create`)."""

    @abc.abstractmethod
    def upload(
        self, site: Path, files: Sequence[str], name: str, base: str | None, *,
        bwlimit: int | None = None, report: Report = _quiet,
    ) -> int:  # fmt: skip
        """The site's `files` as the release `name` (unchanged files shared with the release
        `base`); how many files were copied."""

    @abc.abstractmethod
    def activate(
        self, target: str, *, finish: str | None = None, remove: Sequence[str] = ()
    ) -> None:
        """Make `target` the live release at once; `remove` old ones."""

    @abc.abstractmethod
    def take_lock(self, owner: LockOwner, *, create: bool) -> Held | None:
        """Take the destination's lock for `owner` at once (an atomic mkdir of DEST/LOCK, DEST
        made first with `create`), or say who holds it."""

    @abc.abstractmethod
    def drop_lock(self, token: str | None) -> LockOwner | None:
        """Remove the lock if its owner's token is `token` ("": a lock with no owner written;
        None: whoever holds it), one remover at a time (GUARD); the owner it had, or None when
        there was no such lock."""

    poll = 1.0  # seconds between two looks at a lock held by another publish


HOSTS: list[type[Host]] = []


class LocalHost(Host):
    """DEST on this machine, or mounted on it."""

    @classmethod
    def claim(cls, dest: str, ssh: Sequence[str] | None) -> Host | None:
        if ssh is not None:
            raise BulletinError(msg("publish.local_ssh", dest=dest))
        return cls(Path(dest).absolute())

    def __init__(self, path: Path) -> None:
        self.path = path
        self.releases = path / "releases"

    def __str__(self) -> str:
        return str(self.path)

    def inspect(self, *, create: bool) -> HostState:
        dest = self.path
        others = dest.is_dir() and any(not p.name.startswith(LOCK) for p in dest.iterdir())
        if others and not (dest / HOST_MARKER).exists():
            raise BulletinError(
                msg("publish.not_ours", dest=str(dest)), hint=msg("publish.not_ours_hint")
            )
        if not (dest / HOST_MARKER).exists():
            if not create:
                raise BulletinError(msg("publish.nothing_here", dest=str(dest)))
            self.releases.mkdir(parents=True, exist_ok=True)
            (dest / HOST_MARKER).write_text(HOST_NOTE, encoding="utf-8")
        self.releases.mkdir(exist_ok=True)
        current = dest / "current"
        if current.exists() and not current.is_symlink():
            raise BulletinError(msg("publish.not_a_symlink", current=str(current)))
        cleaned = []
        for partial in sorted(self.releases.glob(PARTIAL + "*")):
            shutil.rmtree(partial)
            cleaned.append(partial.name[len(PARTIAL) :])
        now = dt.datetime.now(dt.UTC).strftime(STAMP)
        link = os.readlink(current) if current.is_symlink() else None
        names = [p.name for p in self.releases.iterdir() if p.is_dir() and not p.is_symlink()]
        return _state(now, link, names, cleaned)

    def upload(
        self, site: Path, files: Sequence[str], name: str, base: str | None, *,
        bwlimit: int | None = None, report: Report = _quiet,
    ) -> int:  # fmt: skip
        """Copy the site into a partial release; unchanged files become hard links. Returns
        the number of files copied."""
        partial = self.releases / (PARTIAL + name)
        partial.mkdir(mode=0o755)
        old = self.releases / base if base else None
        copied = 0
        for rel in files:
            source, target = site / rel, partial / rel
            if not target.parent.is_dir():
                target.parent.mkdir(mode=0o755, parents=True)
            same = old / rel if old else None
            if same and same.is_file() and filecmp.cmp(source, same, shallow=False):
                try:
                    os.link(same, target)
                    continue
                except OSError:  # a file system without hard links
                    pass
            shutil.copyfile(source, target)
            target.chmod(0o644)
            copied += 1
        return copied

    def activate(
        self, target: str, *, finish: str | None = None, remove: Sequence[str] = ()
    ) -> None:
        if finish:
            (self.releases / (PARTIAL + finish)).rename(self.releases / finish)
        temp = self.path / ".current.tmp"
        if temp.is_symlink() or temp.exists():
            temp.unlink()
        temp.symlink_to(f"releases/{target}", target_is_directory=True)
        os.replace(temp, self.path / "current")  # rename(2): atomic, even over the old link
        for name in remove:
            shutil.rmtree(self.releases / name, ignore_errors=True)

    poll = 0.5

    def take_lock(self, owner: LockOwner, *, create: bool) -> Held | None:
        if not self.path.is_dir():
            if not create:
                raise BulletinError(msg("publish.nothing_here", dest=str(self.path)))
            self.path.mkdir(parents=True, exist_ok=True)
        lock = self.path / LOCK
        while True:
            try:
                lock.mkdir()  # atomic, on a network share too (where flock may not be)
            except FileExistsError:
                try:
                    age = time.time() - lock.stat().st_mtime
                except FileNotFoundError:  # removed in the meantime: try again
                    continue
                try:
                    text = (lock / "owner").read_text(encoding="utf-8", errors="replace")
                except FileNotFoundError:  # not written yet, or never (its publish died)
                    text = None
                return _held(text, age)
            temp = lock / "owner.tmp"
            temp.write_text(owner.text(), encoding="utf-8")
            os.replace(temp, lock / "owner")  # (never read half written)
            return None

    def drop_lock(self, token: str | None) -> LockOwner | None:
        lock = self.path / LOCK
        with _guard(self.path / GUARD):
            for gone in self.path.glob(LOCK + ".gone-*"):  # (a remover killed halfway)
                shutil.rmtree(gone, ignore_errors=True)
            if not lock.is_dir():
                return None
            try:
                text = (lock / "owner").read_text(encoding="utf-8", errors="replace")
            except FileNotFoundError:
                text = None
            owner = LockOwner.parse(text)
            if token is not None and (owner.token or "") != token:
                return None
            gone = self.path / f"{LOCK}.gone-{uuid.uuid4().hex}"
            os.rename(lock, gone)  # the lock goes at once, then its files
            shutil.rmtree(gone, ignore_errors=True)
            return owner


@contextlib.contextmanager
def _guard(path: Path) -> Iterator[None]:
    """One remover of a lock at a time: an atomic mkdir of `path`. A guard older than a minute
    was left by a remover killed in the few milliseconds it holds it."""
    deadline = time.monotonic() + 2 * OWNERLESS_SECONDS
    while True:
        try:
            path.mkdir()
            break
        except FileExistsError:
            with contextlib.suppress(OSError):
                if time.time() - path.stat().st_mtime > OWNERLESS_SECONDS:
                    path.rmdir()
                    continue
            if time.monotonic() > deadline:
                raise BulletinError(msg("publish.lock_guard", guard=str(path))) from None
            time.sleep(0.05)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.rmdir()


HOST_NOTE = (
    "This folder is managed by `bulletin publish`: releases/ holds the releases, "
    "current points at the live one. Serve current/ (see docs/deploy/nginx.conf).\n"
)

# Shell scripts the SSH host runs with `sh -s -- args` (POSIX sh, GNU coreutils for mv -T).
# INSPECT refuses a folder with an exit status of its own (INSPECT_REFUSALS), which the
# publishing side turns into the message.
INSPECT = r"""
set -eu
dest=$1 create=$2 note=$3
others=$(ls -A "$dest" 2>/dev/null | grep -v '^\.publish-lock' || true)
if [ -d "$dest" ] && [ ! -e "$dest/.bulletin-publish" ] && [ -n "$others" ]; then
  exit 93  # not empty, and not made by bulletin publish
fi
if [ ! -e "$dest/.bulletin-publish" ]; then
  if [ "$create" != yes ]; then exit 94; fi  # no site published by bulletin here
  mkdir -p "$dest/releases"
  printf '%s' "$note" > "$dest/.bulletin-publish"
fi
cd "$dest"
mkdir -p releases
if [ -e current ] && [ ! -L current ]; then
  exit 95  # current is not a symlink
fi
for p in releases/.partial-*; do
  [ -e "$p" ] || continue
  rm -rf "$p"
  echo "cleaned ${p#releases/.partial-}"
done
echo "now $(date -u +%Y%m%dT%H%M%SZ)"
if [ -L current ]; then echo "current $(readlink current)"; fi
for r in releases/*; do
  if [ -d "$r" ] && [ ! -L "$r" ]; then echo "release ${r#releases/}"; fi
done
"""
ACTIVATE = r"""
set -eu
cd "$1"
finish=$2 target=$3
shift 3
if [ -n "$finish" ]; then mv "releases/.partial-$finish" "releases/$finish"; fi
ln -sfn "releases/$target" .current.tmp
mv -fT .current.tmp current
for name in "$@"; do rm -rf "releases/$name"; done
"""
# The lock (see LocalHost.take_lock and drop_lock, which do the same here).
TAKE_LOCK = r"""
set -eu
dest=$1 create=$2 owner=$3
if [ ! -d "$dest" ]; then
  if [ "$create" != yes ]; then exit 94; fi  # no site published by bulletin here
  mkdir -p "$dest"
fi
lock="$dest/.publish-lock"
if err=$(mkdir "$lock" 2>&1); then
  printf '%s' "$owner" > "$lock/owner.tmp"
  mv -f "$lock/owner.tmp" "$lock/owner"
  echo taken
  exit 0
fi
if [ ! -d "$lock" ]; then
  if [ -w "$dest" ] && [ ! -e "$lock" ]; then echo again; exit 0; fi  # removed meanwhile
  echo "$err" >&2
  exit 1
fi
now=$(date +%s)
mtime=$(stat -c %Y "$lock" 2>/dev/null) || { echo again; exit 0; }
echo "age $((now - mtime))"
echo owner
cat "$lock/owner" 2>/dev/null || true
"""
DROP_LOCK = r"""
set -eu
dest=$1 mode=$2 want=$3
lock="$dest/.publish-lock"
guard="$dest/.publish-lock.breaking"
[ -d "$dest" ] || exit 0
tries=0
until mkdir "$guard" 2>/dev/null; do
  made=$(stat -c %Y "$guard" 2>/dev/null || date +%s)
  if [ $(( $(date +%s) - made )) -gt 60 ]; then  # left by a remover that was killed
    rmdir "$guard" 2>/dev/null || true
    continue
  fi
  tries=$((tries + 1))
  if [ "$tries" -ge 1200 ]; then exit 96; fi
  sleep 0.1
done
trap 'rmdir "$guard" 2>/dev/null || true' EXIT
for gone in "$lock".gone-*; do
  if [ -e "$gone" ]; then rm -rf "$gone"; fi
done
if [ ! -d "$lock" ]; then exit 0; fi
tok=$(sed -n 's/^token = "\([0-9a-f]*\)"$/\1/p' "$lock/owner" 2>/dev/null | head -n 1)
if [ "$mode" = token ] && [ "$tok" != "$want" ]; then exit 0; fi
echo removed
cat "$lock/owner" 2>/dev/null || true
mv "$lock" "$lock.gone-$$"
rm -rf "$lock.gone-$$"
"""


def _die_with_parent() -> None:
    """In a child: be killed when the publishing process dies (Linux), so that a killed
    publish never leaves an rsync writing on."""
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


CHILD_OPTIONS = {"preexec_fn": _die_with_parent} if sys.platform.startswith("linux") else {}


class SSHHost(Host):
    """DEST on another machine, reached with ssh; files go with rsync over ssh."""

    @classmethod
    def claim(cls, dest: str, ssh: Sequence[str] | None) -> Host | None:
        m = REMOTE.match(dest)
        if not m or re.match(r"^[A-Za-z]:[\\/]", dest):  # C:\… is a Windows folder
            return None
        if m["path"].startswith(":"):
            raise BulletinError(msg("publish.rsync_daemon", dest=dest))
        if not m["path"]:
            raise BulletinError(msg("publish.no_folder", dest=dest, host=m["host"]))
        return cls(m["host"], m["path"], ssh or ["ssh"])

    def __init__(self, host: str, path: str, ssh: Sequence[str]) -> None:
        self.host, self.path, self.ssh = host, path, list(ssh)

    def __str__(self) -> str:
        return f"{self.host}:{self.path}"

    def refusal(self, status: int) -> Message | None:
        """The message of INSPECT's exit status `status`, when it is one of its refusals."""
        dest = self.path
        if status == 93:
            return msg("publish.not_ours", dest=dest)
        if status == 94:
            return msg("publish.nothing_here", dest=dest)
        if status == 95:
            return msg("publish.not_a_symlink", current=f"{dest}/current")
        if status == 96:
            return msg("publish.lock_guard", guard=f"{dest}/{GUARD}")
        return None

    def run(self, script: str, *args: str) -> str:
        remote = "sh -s -- " + " ".join(shlex.quote(a) for a in args)
        try:
            done = subprocess.run(
                [*self.ssh, self.host, remote],
                input=script,
                capture_output=True,
                text=True,
                **CHILD_OPTIONS,  # type: ignore[arg-type]
            )
        except FileNotFoundError as e:
            raise BulletinError(
                msg("publish.cannot_run", program=self.ssh[0], why=str(e.strerror))
            ) from None
        if done.returncode == 255:
            raise BulletinError(msg("publish.ssh_failed", host=self.host, why=done.stderr.strip()))
        if done.returncode != 0:
            # (the host's own output, or "failed", shown as it is)
            said = self.refusal(done.returncode) or done.stderr.strip() or "failed"
            raise BulletinError(msg("publish.host_said", host=str(self), what=said))
        return done.stdout

    def inspect(self, *, create: bool) -> HostState:
        out = self.run(INSPECT, self.path, "yes" if create else "no", HOST_NOTE)
        fields: dict[str, list[str]] = {}
        for line in out.splitlines():
            key, _, value = line.partition(" ")
            fields.setdefault(key, []).append(value)
        [now] = fields.get("now") or [dt.datetime.now(dt.UTC).strftime(STAMP)]
        current = fields.get("current", [None])[0]
        return _state(now, current, fields.get("release", []), fields.get("cleaned", []))

    def upload(
        self,
        site: Path,
        files: Sequence[str],
        name: str,
        base: str | None,
        *,
        bwlimit: int | None = None,
        report: Report = _quiet,
    ) -> int:
        rsync = shutil.which("rsync")
        if rsync is None:
            raise BulletinError(msg("publish.rsync_needed"), hint=msg("publish.rsync_needed_hint"))
        command = [
            rsync,
            "--recursive",
            "--links",
            "--perms",
            "--chmod=D755,F644",  # readable by the web server, whatever the local umask
            "--checksum",  # builds rewrite every file: compare contents, not times
            "--stats",
            "-e",
            shlex.join(self.ssh),
        ]
        # Without --times an unchanged file (same content, new mtime) is hard-linked, not copied.
        if base:
            command.append(f"--link-dest=../{base}")
        if bwlimit:
            command.append(f"--bwlimit={bwlimit}")
        command += [f"{site}/", f"{self.host}:{self.path.rstrip('/')}/releases/{PARTIAL}{name}/"]
        done = subprocess.run(command, capture_output=True, text=True, **CHILD_OPTIONS)  # type: ignore[arg-type]
        if done.returncode != 0:
            raise BulletinError(
                msg("publish.rsync_failed", dest=str(self), why=done.stderr.strip())
            )
        m = re.search(r"Number of regular files transferred: ([\d,.]+)", done.stdout)
        return int(re.sub(r"\D", "", m[1])) if m else len(files)

    def activate(
        self, target: str, *, finish: str | None = None, remove: Sequence[str] = ()
    ) -> None:
        self.run(ACTIVATE, self.path, finish or "", target, *remove)

    poll = 5.0  # (each look is an ssh connection)

    def take_lock(self, owner: LockOwner, *, create: bool) -> Held | None:
        while True:
            out = self.run(TAKE_LOCK, self.path, "yes" if create else "no", owner.text())
            first, _, rest = out.partition("\n")
            if first == "taken":
                return None
            if first.startswith("age "):
                text = rest.partition("\n")[2] if rest.startswith("owner") else ""
                return _held(text or None, float(first[4:]))
            if first != "again":  # (not our script's words: shown as they are)
                said = out.strip()
                raise BulletinError(msg("publish.host_said", host=str(self), what=said))

    def drop_lock(self, token: str | None) -> LockOwner | None:
        mode = "any" if token is None else "token"
        out = self.run(DROP_LOCK, self.path, mode, token or "")
        first, _, rest = out.partition("\n")
        return LockOwner.parse(rest) if first == "removed" else None


REMOTE = re.compile(r"^(?P<host>(?:[^@/:\s]+@)?(?:\[[^\]]+\]|[^@/:\s]+)):(?P<path>.*)$")


def make_host(dest: str, *, ssh: str | None = None, ssh_options: Sequence[str] = ()) -> Host:
    """The host DEST names: [user@]host:path over SSH (rsync's syntax), else a folder."""
    command = None
    if ssh or ssh_options:
        command = shlex.split(ssh) if ssh else ["ssh"]
        for option in ssh_options:
            command += ["-o", option]
    for kind in HOSTS:
        if (host := kind.claim(dest, command)) is not None:
            return host
    raise AssertionError("LocalHost claims every destination")


# --- one publish at a time -------------------------------------------------------------


@contextlib.contextmanager
def destination_lock(
    host: Host, *, wait: float = WAIT, create: bool = True, report: Report = _quiet
) -> Iterator[LockOwner]:
    """Hold `host`'s lock inside the block: taken at once, or when the publish holding it
    ends within `wait` seconds (0: refuse at once); else DestinationBusy, naming who holds it.
    A lock its publish surely left behind (`Held.stale`) is removed, with a message."""
    me = LockOwner.me()
    deadline = time.monotonic() + wait
    told, removed = False, 0
    while True:
        with _host_errors(host):
            held = host.take_lock(me, create=create)
            if held is not None and removed < 3 and (why := held.stale()) is not None:
                gone = host.drop_lock(held.owner.token or "")
                if gone is not None:
                    removed += 1
                    who = gone.describe()
                    report(msg("publish.lock_removed", dest=str(host), holder=who, why=why))
                continue
        if held is None:
            break
        left = deadline - time.monotonic()
        if left <= 0:
            busy = DestinationBusy(
                msg("publish.locked", dest=str(host), holder=held.owner.describe()),
                hint=msg("publish.locked_hint", dest=shlex.quote(str(host))),
            )
            busy.holder = held
            raise busy
        if not told:
            told = True
            who, seconds = held.owner.describe(), round(left)
            report(msg("publish.lock_waiting", dest=str(host), holder=who, seconds=seconds))
        time.sleep(min(host.poll, left))
    try:
        yield me
    finally:
        try:
            with _host_errors(host):
                mine = host.drop_lock(me.token)
        except BulletinError as e:  # (the host went away: the next publish will see it)
            report(msg("publish.lock_left", dest=str(host), why=e.diagnostic.message))
        else:
            if mine is None:
                report(msg("publish.lock_lost", dest=str(host)))


def unlock(host: Host) -> LockOwner | None:
    """Remove the destination's lock, whoever holds it (`bulletin publish --unlock`: for a
    publish that ended without removing it, when it cannot be told by itself); the owner it
    had, or None when there was none."""
    with _host_errors(host):
        return host.drop_lock(None)


# --- publish and roll back --------------------------------------------------------------


@dataclass
class PublishResult:
    release: str
    previous: str | None
    files: int
    copied: int  # files uploaded; the others were hard links to the previous release
    unchanged: bool = False  # the live release already is this site: nothing uploaded
    removed: list[str] = field(default_factory=list)
    cleaned: list[str] = field(default_factory=list)
    checks: list[CrawlReport] = field(default_factory=list)


def _release_name(now: str, digest: str, releases: Sequence[str]) -> str:
    """UTC time and content hash; always after every existing release, whatever the clock."""
    stamp = now
    if releases:
        latest = RELEASE.match(releases[-1])[1]  # type: ignore[index]
        if stamp <= latest:
            later = dt.datetime.strptime(latest, STAMP) + dt.timedelta(seconds=1)
            stamp = later.strftime(STAMP)
    return f"{stamp}-{digest[:10]}"


def verify(
    host: Host,
    site: Path | None,
    verify_url: str | None,
    *,
    allow_external_links: bool = False,
    report: Report = _quiet,
) -> list[CrawlReport]:
    """Crawl what is live: the published folder (local DEST) and/or the web server."""
    checks = []
    if isinstance(host, LocalHost):
        checks.append(
            crawl_folder(host.path / "current", allow_external_links=allow_external_links)
        )
    if verify_url:
        checks.append(crawl_url(verify_url, site, allow_external_links=allow_external_links))
    for check in checks:
        summary = check.summary()
        report(msg("publish.verified", summary=summary) if not check.problems else summary)
    return checks


def publish(
    site: Path,
    host: Host,
    *,
    keep: int = 5,
    bwlimit: int | None = None,
    verify_url: str | None = None,
    allow_external_links: bool = False,
    wait: float = WAIT,
    report: Report = _quiet,
) -> PublishResult:
    """Upload `site` as a new release on `host`, switch to it, prune, verify: holding the
    destination's lock throughout (`destination_lock`: `wait` seconds for another publish to
    end, else DestinationBusy)."""
    if keep < 1:
        raise BulletinError(msg("publish.keep"))
    site = site.absolute()
    check_site(site)
    precheck = crawl_folder(site, allow_external_links=allow_external_links)
    if precheck.problems:
        raise BulletinError(msg("publish.not_published", summary=precheck.summary()))
    files = site_files(site)
    digest = content_hash(site, files)
    with destination_lock(host, wait=wait, report=report):
        with _host_errors(host):
            result = _upload_and_switch(site, files, digest, host, keep, bwlimit, report)
        result.checks = verify(
            host, site, verify_url, allow_external_links=allow_external_links, report=report
        )
    for check in result.checks:
        if check.problems:
            if result.previous and not result.unchanged:
                back = msg(
                    "publish.verify_failed_rollback",
                    summary=check.summary(), host=str(host), release=result.previous,
                )  # fmt: skip
                raise BulletinError(back)
            raise BulletinError(msg("publish.verify_failed", summary=check.summary()))
    return result


@contextlib.contextmanager
def _host_errors(host: Host) -> Iterator[None]:
    """A file system error on the host as one clean line (a mount without symlinks, a full
    disk, no permission)."""
    try:
        yield
    except OSError as e:
        why, file = str(e.strerror or e), str(e.filename or "").rstrip(": ")
        if file:  # (the reason stays as the system gives it here, as it always did)
            raise BulletinError(
                msg("publish.host_error", host=str(host), why=why, file=file)
            ) from e
        what = reasons.os_reason(e) if why == why.rstrip(": ") else why.rstrip(": ")
        raise BulletinError(msg("publish.host_said", host=str(host), what=what)) from e


def _upload_and_switch(
    site: Path,
    files: list[str],
    digest: str,
    host: Host,
    keep: int,
    bwlimit: int | None,
    report: Report,
) -> PublishResult:
    state = host.inspect(create=True)
    for name in state.cleaned:
        report(msg("publish.cleaned", name=name))
    result = PublishResult("", state.current, len(files), 0, cleaned=state.cleaned)
    if state.current and RELEASE.match(state.current)[2] == digest[:10]:  # type: ignore[index]
        report(msg("publish.already_live", host=str(host), release=state.current))
        result.release, result.unchanged = state.current, True
    else:
        name = _release_name(state.now, digest, state.releases)
        report(msg("publish.uploading", n=len(files), where=f"{host}/releases/{name}"))
        result.release = name
        result.copied = host.upload(
            site, files, name, state.current, bwlimit=bwlimit, report=report
        )
        releases = [*state.releases, name]
        result.removed = [r for r in releases[:-keep] if r != name]
        host.activate(name, finish=name, remove=result.removed)
        where, copied, n = str(host), result.copied, len(files)
        if result.removed:
            removed = len(result.removed)
            switched = msg(
                "publish.switched_removed",
                host=where, name=name, copied=copied, n=n, removed=removed,
            )  # fmt: skip
        else:
            switched = msg("publish.switched", host=where, name=name, copied=copied, n=n)
        report(switched)
    return result


@dataclass
class RollbackResult:
    release: str  # now live
    left: str  # the release rolled back from (removed)
    checks: list[CrawlReport] = field(default_factory=list)


def rollback(
    host: Host,
    *,
    verify_url: str | None = None,
    allow_external_links: bool = False,
    wait: float = WAIT,
    report: Report = _quiet,
) -> RollbackResult:
    """Point `current` at the release before it, and remove the one it pointed at (holding
    the destination's lock, as `publish` does)."""
    with destination_lock(host, wait=wait, create=False, report=report):
        with _host_errors(host):
            state = host.inspect(create=False)
        if state.current is None:
            raise BulletinError(msg("publish.nothing_to_roll_back", host=str(host)))
        older = [r for r in state.releases if r < state.current]
        if not older:
            raise BulletinError(msg("publish.oldest", host=str(host), release=state.current))
        target = older[-1]
        with _host_errors(host):
            host.activate(target, remove=[state.current])
        report(msg("publish.rolled_back", host=str(host), name=target, old=state.current))
        checks = verify(
            host, None, verify_url, allow_external_links=allow_external_links, report=report
        )
    for check in checks:
        if check.problems:
            raise BulletinError(msg("publish.verify_failed", summary=check.summary()))
    return RollbackResult(target, state.current, checks)


# --- a zip for hosts that take uploads --------------------------------------------------

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


def bundle(site: Path, out: Path, *, allow_external_links: bool = False) -> int:
    """Write the site into a zip: sorted entries, fixed times and modes (the same site gives
    the same bytes). Returns the number of files."""
    site = site.absolute()
    check_site(site)
    out = out.absolute()
    if out.is_relative_to(site):
        raise BulletinError(msg("publish.bundle_inside", out=str(out)))
    precheck = crawl_folder(site, allow_external_links=allow_external_links)
    if precheck.problems:
        raise BulletinError(msg("publish.not_bundled", summary=precheck.summary()))
    files = [f for f in site_files(site) if f != MARKER]
    temp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(temp, "w") as archive:
            for rel in files:
                info = zipfile.ZipInfo(rel, date_time=ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # Unix, so that the mode below is read
                info.external_attr = 0o100644 << 16
                archive.writestr(info, (site / rel).read_bytes(), compresslevel=9)
        os.replace(temp, out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return len(files)


@dataclass(frozen=True)
class PublishSettings:
    """Where and how to publish: bulletin.toml's [publish] with the given options over it."""

    host: Host
    keep: int = 5
    bwlimit: int | None = None
    verify_url: str | None = None
    allow_external_links: bool = False
    wait: float = WAIT

    def publish(self, site: Path, *, report: Report = _quiet) -> PublishResult:
        return publish(
            site, self.host, keep=self.keep, bwlimit=self.bwlimit, verify_url=self.verify_url,
            allow_external_links=self.allow_external_links, wait=self.wait, report=report,
        )  # fmt: skip

    def rollback(self, *, report: Report = _quiet) -> RollbackResult:
        return rollback(
            self.host, verify_url=self.verify_url,
            allow_external_links=self.allow_external_links, wait=self.wait, report=report,
        )  # fmt: skip


def publish_settings(
    root: Path,
    *,
    dest: str | None = None,
    ssh: str | None = None,
    ssh_options: Sequence[str] | None = None,
    keep: int | None = None,
    bwlimit: int | None = None,
    verify_url: str | None = None,
    allow_external_links: bool | None = None,
    wait: float | None = None,
) -> PublishSettings:
    """The [publish] table of the project's bulletin.toml (when it has one), each option given
    here (not None) in place of its setting. A relative folder in the table is relative to
    the project folder; DEST given here is taken as it is (the command line's: relative to
    the working folder)."""
    from bulletin.load.config import PublishConfig, load_site_config

    toml = root / "bulletin.toml"
    table = load_site_config(root).publish if toml.is_file() else PublishConfig()
    if dest is None and table.dest is None:
        raise BulletinError(
            msg("publish.no_dest", file=str(toml)), hint=msg("publish.no_dest_hint", file=str(toml))
        )
    host = make_host(
        _given(dest, table.dest),
        ssh=_given(ssh, table.ssh),
        ssh_options=_given(ssh_options, table.ssh_options),
    )
    if dest is None and isinstance(host, LocalHost):
        folder = Path(table.dest).expanduser()  # type: ignore[arg-type]
        host = LocalHost((folder if folder.is_absolute() else root / folder).absolute())
    return PublishSettings(
        host,
        keep=_given(keep, table.keep),
        bwlimit=_given(bwlimit, table.bwlimit),
        verify_url=_given(verify_url, table.verify_url),
        allow_external_links=_given(allow_external_links, table.allow_external_links),
        wait=_given(wait, table.wait),
    )


def _given(option: Any, setting: Any) -> Any:
    """The option, when it was given; else the setting."""
    return setting if option is None else option


def default_site(root: Path) -> Path:
    """The output folder named in the project's bulletin.toml."""
    from bulletin.load.config import load_site_config

    return root / load_site_config(root).output
