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
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulletin.build.output import MARKER, read_marker
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


class Host(abc.ABC):
    """A kind of place a site is published to: one subclass each, registered in HOSTS by
    being defined; `make_host` gives a destination to the first kind that claims it. A new
    kind (another protocol) is one subclass: `claim`, `inspect`, `upload`, `activate`."""

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
        if dest.is_dir() and not (dest / HOST_MARKER).exists() and any(dest.iterdir()):
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
if [ -d "$dest" ] && [ ! -e "$dest/.bulletin-publish" ] && [ -n "$(ls -A "$dest")" ]; then
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
    report: Report = _quiet,
) -> PublishResult:
    """Upload `site` as a new release on `host`, switch to it, prune, verify."""
    if keep < 1:
        raise BulletinError(msg("publish.keep"))
    site = site.absolute()
    check_site(site)
    precheck = crawl_folder(site, allow_external_links=allow_external_links)
    if precheck.problems:
        raise BulletinError(msg("publish.not_published", summary=precheck.summary()))
    files = site_files(site)
    digest = content_hash(site, files)
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
    report: Report = _quiet,
) -> RollbackResult:
    """Point `current` at the release before it, and remove the one it pointed at."""
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


def default_site(root: Path) -> Path:
    """The output folder named in the project's bulletin.toml."""
    from bulletin.load.config import load_site_config

    return root / load_site_config(root).output
