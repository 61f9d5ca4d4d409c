"""`bulletin publish` and `bulletin bundle` without servers: releases in a local folder, the
switch, pruning, rollback, refusals, the crawler, the zip. (tests/test_e2e.py runs the same
code against real nginx, sshd and Chromium.)"""

from __future__ import annotations

import json
import os
import stat
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from bulletin.build.output import MARKER, read_marker
from bulletin.cli import main
from bulletin.commands.crawl import crawl_folder
from bulletin.commands.publish import (
    HOST_MARKER,
    PARTIAL,
    RELEASE,
    LocalHost,
    SSHHost,
    _release_name,
    bundle,
    make_host,
    publish,
    rollback,
)
from bulletin.diagnostics.errors import BulletinError

PAGES = {
    "index.html": (
        '<!doctype html><link rel="stylesheet" href="static/site.css">'
        '<a href="editions/1/">本期</a><a href="archive/index.html">往期</a>'
        '<img src="editions/1/chart.svg" srcset="editions/1/chart.svg 1x">'
        '<a href="mailto:office@example.org">来信</a><a href="#top">顶部</a>'
    ),
    "editions/1/index.html": '<a href="../../index.html">首页</a><a href="a.html#p2">文</a>',
    "editions/1/a.html": '<a href="table.csv" download>表</a><script src="../../s.js"></script>',
    "editions/1/chart.svg": "<svg/>",
    "editions/1/table.csv": "县,数\n",
    "archive/index.html": '<a href="../editions/1/index.html">1</a>',
    "static/site.css": "body { background: url('bg.png') } @import 'more.css';",
    "static/bg.png": "png",
    "static/more.css": "",
    "s.js": "",
}


def make_site(folder: Path, pages: dict[str, str] = PAGES, *, drafts: bool = False) -> Path:
    for rel, text in pages.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    info = {"drafts": drafts, "draft_editions": ["2"] if drafts else []}
    (folder / MARKER).write_text(json.dumps(info), encoding="utf-8")
    return folder


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site")


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    return tmp_path / "srv" / "bulletin"


def releases(dest: Path) -> list[str]:
    return sorted(p.name for p in (dest / "releases").iterdir())


def live(dest: Path) -> str:
    target = os.readlink(dest / "current")
    assert target.startswith("releases/")  # relative: DEST may be mounted elsewhere
    return target.removeprefix("releases/")


def change(site: Path, text: str) -> None:
    home = site / "index.html"
    home.write_text(home.read_text(encoding="utf-8") + text, encoding="utf-8")


# --- releases ---------------------------------------------------------------------------


def test_publish_makes_a_release_and_points_current_at_it(site: Path, dest: Path) -> None:
    result = publish(site, LocalHost(dest))
    assert RELEASE.match(result.release)
    assert live(dest) == result.release == releases(dest)[0]
    assert (dest / HOST_MARKER).is_file()
    served = dest / "current"
    assert (served / "index.html").read_bytes() == (site / "index.html").read_bytes()
    assert (served / MARKER).is_file()
    assert stat.S_IMODE((served / "editions/1/a.html").stat().st_mode) == 0o644
    assert result.copied == result.files == len(PAGES) + 1
    [check] = result.checks
    assert check.problems == [] and check.pages == 4


def test_unchanged_files_are_hard_links_to_the_previous_release(site: Path, dest: Path) -> None:
    first = publish(site, LocalHost(dest)).release
    change(site, "<!-- 2 -->")
    second = publish(site, LocalHost(dest))
    assert second.copied == 1
    a, b = dest / "releases" / first, dest / "releases" / second.release
    assert (a / "static/site.css").stat().st_ino == (b / "static/site.css").stat().st_ino
    assert (a / "index.html").stat().st_ino != (b / "index.html").stat().st_ino
    assert live(dest) == second.release > first


def test_publishing_the_live_site_again_changes_nothing(site: Path, dest: Path) -> None:
    first = publish(site, LocalHost(dest))
    again = publish(site, LocalHost(dest))
    assert again.unchanged and again.release == first.release and again.copied == 0
    assert releases(dest) == [first.release]


def test_keep_prunes_the_oldest_releases(site: Path, dest: Path) -> None:
    names = []
    for i in range(6):
        change(site, f"<!-- {i} -->")
        names.append(publish(site, LocalHost(dest), keep=3).release)
    assert names == sorted(names)
    assert releases(dest) == names[-3:]
    assert live(dest) == names[-1]
    with pytest.raises(BulletinError, match="at least 1"):
        publish(site, LocalHost(dest), keep=0)


def test_rollback_goes_back_one_and_removes_the_release_it_leaves(site: Path, dest: Path) -> None:
    names = []
    for i in range(3):
        change(site, f"<!-- {i} -->")
        names.append(publish(site, LocalHost(dest)).release)
    back = rollback(LocalHost(dest))
    assert (back.release, back.left) == (names[1], names[2])
    assert live(dest) == names[1] and releases(dest) == names[:2]
    assert rollback(LocalHost(dest)).release == names[0]
    with pytest.raises(BulletinError, match="no release before it"):
        rollback(LocalHost(dest))
    assert live(dest) == names[0]
    # The next publish comes after every release, and rollback then returns to names[0].
    change(site, "<!-- again -->")
    latest = publish(site, LocalHost(dest)).release
    assert rollback(LocalHost(dest)).release == names[0] and latest not in releases(dest)


def test_rollback_of_nothing(dest: Path, tmp_path: Path) -> None:
    with pytest.raises(BulletinError, match="no site published by bulletin"):
        rollback(LocalHost(dest))
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / HOST_MARKER).touch()
    with pytest.raises(BulletinError, match="nothing is published"):
        rollback(LocalHost(empty))


def test_interrupted_upload_is_never_live_and_is_cleaned_next_time(
    site: Path, dest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = publish(site, LocalHost(dest)).release
    change(site, "<!-- 2 -->")
    copied = []

    def dying_copy(source: str, target: str) -> None:
        copied.append(target)
        Path(target).write_bytes(Path(source).read_bytes()[:10])
        raise KeyboardInterrupt  # as if killed in the middle of the file

    monkeypatch.setattr("bulletin.commands.publish.shutil.copyfile", dying_copy)
    with pytest.raises(KeyboardInterrupt):
        publish(site, LocalHost(dest))
    [partial] = (dest / "releases").glob(PARTIAL + "*")
    assert live(dest) == first and releases(dest) == sorted([first, partial.name])
    monkeypatch.undo()

    result = publish(site, LocalHost(dest))
    assert result.cleaned == [partial.name.removeprefix(PARTIAL)]
    assert releases(dest) == [first, result.release] and live(dest) == result.release


def test_release_names_sort_after_every_release_whatever_the_clock() -> None:
    digest = "ab" * 32
    assert _release_name("20240105T080000Z", digest, []) == "20240105T080000Z-abababab" + "ab"
    later = _release_name("20240105T080000Z", digest, ["20240105T090000Z-0123456789"])
    assert later == "20240105T090001Z-ababababab"


# --- refusals ---------------------------------------------------------------------------


def test_refuses_a_missing_or_foreign_site(tmp_path: Path, dest: Path) -> None:
    with pytest.raises(BulletinError, match=r"no built site at .*\n  → fix: run `bulletin build`"):
        publish(tmp_path / "nothing", LocalHost(dest))
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "index.html").write_text("x")
    with pytest.raises(BulletinError, match="not a site built by bulletin"):
        publish(foreign, LocalHost(dest))
    (foreign / MARKER).write_text("")  # an older build: drafts unknown
    with pytest.raises(BulletinError, match="run `bulletin build` again"):
        publish(foreign, LocalHost(dest))
    assert not dest.exists()


def test_refuses_a_site_built_with_drafts(tmp_path: Path, dest: Path) -> None:
    drafty = make_site(tmp_path / "drafty", drafts=True)
    with pytest.raises(BulletinError, match=r"built with --drafts \(draft editions: 2\)"):
        publish(drafty, LocalHost(dest))
    with pytest.raises(BulletinError, match="built with --drafts"):
        bundle(drafty, tmp_path / "site.zip")
    assert not dest.exists() and not (tmp_path / "site.zip").exists()


def test_the_build_records_drafts_in_its_marker(project: Path, tmp_path: Path) -> None:
    from bulletin.build import build

    draft = project / "content" / "2024-02"
    draft.mkdir()
    (draft / "edition.toml").write_text(
        'number = 2\ndate = 2024-02-05\nstatus = "draft"\n\n[[pages]]\n', encoding="utf-8"
    )
    (draft / "second.md").write_text("---\ntitle: 草稿\n---\n\n正文。\n", encoding="utf-8")
    build(project, out=tmp_path / "plain", pdf=False)
    plain = read_marker(tmp_path / "plain")
    assert plain is not None
    plain_files = plain.pop("files")  # the hash of the site's manifest
    assert len(plain_files) == 64
    assert plain == {"drafts": False, "draft_editions": []}
    build(project, out=tmp_path / "drafts", pdf=False, drafts=True)
    drafted = read_marker(tmp_path / "drafts")
    assert drafted is not None and drafted.pop("files") != plain_files  # (more pages)
    assert drafted == {"drafts": True, "draft_editions": ["2024-02"]}
    publish(tmp_path / "plain", LocalHost(tmp_path / "dest"))
    with pytest.raises(BulletinError, match=r"draft editions: 2024-02"):
        publish(tmp_path / "drafts", LocalHost(tmp_path / "dest"))


def test_refuses_a_destination_it_did_not_make(site: Path, tmp_path: Path) -> None:
    other = tmp_path / "www"
    other.mkdir()
    (other / "index.php").write_text("<?php")
    with pytest.raises(BulletinError, match="not made by `bulletin publish`"):
        publish(site, LocalHost(other))
    assert sorted(p.name for p in other.iterdir()) == ["index.php"]
    made = tmp_path / "made"
    publish(site, LocalHost(made))
    os.unlink(made / "current")
    (made / "current").mkdir()
    with pytest.raises(BulletinError, match="current is not a symlink"):
        publish(site, LocalHost(made))


# an "ssh" that runs the remote command here: sh -c '…' ssh-here HOST COMMAND
SSH_HERE = ["sh", "-c", 'eval "$2"', "ssh-here"]


def test_the_ssh_hosts_refusals_are_messages_in_both_languages(tmp_path: Path) -> None:
    from bulletin.diagnostics import i18n

    other = tmp_path / "www"
    other.mkdir()
    (other / "index.php").write_text("<?php")
    host = SSHHost("web1", str(other), SSH_HERE)
    with pytest.raises(BulletinError) as caught:
        host.inspect(create=True)
    assert str(caught.value) == (
        f"error: web1:{other}: {other} is not empty and was not made by `bulletin publish`; "
        "refusing to use it"
    )
    with i18n.using("zh"):
        assert caught.value.format_message() == (
            f"错误：web1:{other}: {other} 不是空的，也不是 `bulletin publish` 建立的；不会使用它"
        )
    empty = SSHHost("web1", str(tmp_path / "empty"), SSH_HERE)
    with pytest.raises(BulletinError, match="holds no site published by bulletin"):
        empty.inspect(create=False)
    made = SSHHost("web1", str(tmp_path / "made"), SSH_HERE)
    assert made.inspect(create=True).current is None
    (tmp_path / "made" / "current").mkdir()
    with pytest.raises(BulletinError, match=r"/made/current is not a symlink; move it away"):
        made.inspect(create=True)


def test_refuses_a_site_with_broken_or_outside_links(tmp_path: Path, dest: Path) -> None:
    broken = make_site(tmp_path / "broken", {**PAGES, "archive/index.html": '<a href="x.html">'})
    with pytest.raises(
        BulletinError,
        match=r"(?s)not published: .*\n  archive/x.html: no such file \(linked from archive/in",
    ):
        publish(broken, LocalHost(dest))
    assert not dest.exists()


# --- the crawler ------------------------------------------------------------------------


def test_crawl_follows_pages_assets_css_and_base(site: Path) -> None:
    report = crawl_folder(site)
    assert report.problems == []
    assert (report.pages, report.assets) == (4, 6)  # the CSV and the script, too
    # The home page of a bulletin site resolves its links from the edition folder.
    (site / "index.html").write_text('<base href="editions/1/"><a href="a.html">文</a>')
    assert crawl_folder(site).problems == []


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ('<a href="/bulletin/index.html">', "leaves the site"),  # breaks under a sub-path
        ('<a href="../../../outside.html">', "leaves the site"),
        ('<a href="https://example.com/">', "leaves the site"),
        ('<img src="//cdn.example.com/x.png">', "leaves the site"),
        ('<link rel="stylesheet" href="http://cdn.example.com/x.css">', "leaves the site"),
        ('<a href="missing.html">', "no such file"),
        ('<img srcset="chart.svg 1x, missing@2x.svg 2x">', "no such file"),
    ],
)
def test_crawl_reports(tmp_path: Path, html: str, reason: str) -> None:
    site = make_site(tmp_path / "s", {**PAGES, "editions/1/a.html": html})
    [problem] = crawl_folder(site).problems
    assert str(problem.reason) == reason
    assert problem.referrer == "editions/1/a.html"


def test_external_links_may_be_allowed_but_never_external_assets(tmp_path: Path) -> None:
    page = '<a href="https://www.gov.cn/">中国政府网</a><script src="https://cdn.example/x.js">'
    site = make_site(tmp_path / "s", {**PAGES, "editions/1/a.html": page})
    report = crawl_folder(site, allow_external_links=True)
    assert report.external == 1
    assert [p.url for p in report.problems] == ["https://cdn.example/x.js"]


# --- the host ---------------------------------------------------------------------------


def test_destinations() -> None:
    remote = make_host("deploy@web1:/srv/bulletin", ssh="ssh -p 2222 -i key")
    assert isinstance(remote, SSHHost)
    assert (remote.host, remote.path, remote.ssh) == (
        "deploy@web1",
        "/srv/bulletin",
        ["ssh", "-p", "2222", "-i", "key"],
    )
    remote = make_host("web1:bulletin", ssh_options=["Port=2222", "IdentityFile=~/k"])
    assert isinstance(remote, SSHHost)
    assert remote.ssh == ["ssh", "-o", "Port=2222", "-o", "IdentityFile=~/k"]
    assert str(make_host("[::1]:/srv/b")) == "[::1]:/srv/b"
    for local in ("/srv/bulletin", "out/site", "./web1:x", "C:\\inetpub\\bulletin"):
        assert isinstance(make_host(local), LocalHost), local
    with pytest.raises(BulletinError, match="rsync daemon"):
        make_host("web1::module")
    with pytest.raises(BulletinError, match="name the folder"):
        make_host("web1:")
    with pytest.raises(BulletinError, match="for user@host:/path"):
        make_host("/srv/bulletin", ssh="ssh -p 2")


# --- bundle -----------------------------------------------------------------------------


def test_bundle_is_deterministic(site: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    assert bundle(site, first) == len(PAGES)
    os.utime(site / "index.html", (0, 0))  # file times never reach the zip
    bundle(site, second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as z:
        names = z.namelist()
        assert names == sorted(PAGES) and MARKER not in names
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert z.read("index.html") == (site / "index.html").read_bytes()
    with pytest.raises(BulletinError, match="inside the site folder"):
        bundle(site, site / "site.zip")


# --- the command line -------------------------------------------------------------------


def test_cli_publish_rollback_and_bundle(site: Path, dest: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["publish", str(dest), "--site", str(site)])
    assert done.exit_code == 0, done.output
    assert "Published " in done.output and "verified" in done.output
    change(site, "<!-- 2 -->")
    done = runner.invoke(main, ["publish", str(dest), "--site", str(site), "-q"])
    assert done.exit_code == 0 and done.output == ""
    done = runner.invoke(main, ["publish", str(dest), "--rollback"])
    assert done.exit_code == 0 and "Rolled back to " in done.output
    done = runner.invoke(main, ["publish", str(dest), "--site", str(tmp_path / "none")])
    assert done.exit_code == 1
    assert "error: there is no built site at" in done.output
    assert "Traceback" not in done.output

    (tmp_path / "bulletin.toml").write_text('name = "测"\npublisher = "测"\noutput = "site"\n')
    done = runner.invoke(main, ["bundle", "--root", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "site.zip").is_file()


def test_iis_web_config_declares_pagefind_types() -> None:
    """docs/deploy/web.config: well-formed, with every type a verify checks (IIS answers 404
    for extensions it does not know)."""
    import xml.etree.ElementTree as ET

    from bulletin.commands.crawl import CONTENT_TYPES

    from .conftest import ROOT

    tree = ET.parse(ROOT / "docs" / "deploy" / "web.config")
    maps = {m.get("fileExtension"): m.get("mimeType") for m in tree.iter("mimeMap")}
    assert {ext: maps.get(ext) for ext in CONTENT_TYPES} == CONTENT_TYPES
    # Everything is revalidated: IIS <location> paths cannot match the shard folders of the
    # search index (pagefind/<year>-<k>/fragment), and a rule for a path that is never
    # served would only mislead.
    modes = [c.get("cacheControlMode") for c in tree.iter("clientCache")]
    assert modes == ["DisableCache"]
    assert list(tree.iter("location")) == []


def test_crawl_over_http_checks_what_is_served(tmp_path: Path) -> None:
    """crawl_url against a plain HTTP server: Chinese file names, Pagefind's files one by one,
    and pages that differ from the built site (an old release still served)."""
    import functools
    import http.server
    import threading

    from bulletin.commands.crawl import crawl_url

    pages = {**PAGES, "editions/1/a.html": '<img src="图表.svg">', "editions/1/图表.svg": "<svg/>"}
    pages["pagefind/fragment/zh_1.pf_fragment"] = "x"
    built = make_site(tmp_path / "built", pages)
    root = tmp_path / "www"
    (root / "bulletin").mkdir(parents=True)
    (root / "bulletin" / "current").symlink_to(built)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(root))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/bulletin/current/"
        report = crawl_url(url, built)
        assert report.problems == [] and report.pages == 4
        change(built, "<!-- newer -->")  # the built site moves on; the server's copy does not
        served = make_site(tmp_path / "old", pages)
        (root / "bulletin" / "current").unlink()
        (root / "bulletin" / "current").symlink_to(served)
        [problem] = crawl_url(url, built).problems
        assert problem.url == url + "index.html"
        assert "differs from the built site" in str(problem.reason)
        [problem] = crawl_url(url.replace("/current/", "/nothing/"), built).problems[:1]
        assert str(problem.reason) == "HTTP 404"
    finally:
        server.shutdown()
        server.server_close()


def test_a_host_kind_is_one_class() -> None:
    """Publish hosts are a registry: defining a Host subclass makes make_host offer it (here a
    made-up kind for 'mem:' destinations), before the kinds defined earlier."""
    from bulletin.commands import publish

    class MemoryHost(publish.Host):
        @classmethod
        def claim(cls, dest: str, ssh: Sequence[str] | None) -> publish.Host | None:
            return cls() if dest.startswith("mem:") else None

        def inspect(self, *, create: bool) -> publish.HostState:
            raise NotImplementedError

        def upload(self, site: Path, files: Sequence[str], name: str, base: str | None,
                   **_: object) -> int:  # fmt: skip
            raise NotImplementedError

        def activate(self, target: str, **_: object) -> None:
            raise NotImplementedError

        def take_lock(self, owner: publish.LockOwner, *, create: bool) -> publish.Held | None:
            raise NotImplementedError

        def drop_lock(self, token: str | None) -> publish.LockOwner | None:
            raise NotImplementedError

    try:
        assert isinstance(publish.make_host("mem:site"), MemoryHost)
        assert isinstance(publish.make_host("web1:/srv/www"), publish.SSHHost)
        assert isinstance(publish.make_host("/srv/www"), publish.LocalHost)
    finally:
        publish.HOSTS.remove(MemoryHost)
    assert [publish.SSHHost, publish.LocalHost] == publish.HOSTS


# --- bulletin.toml's [publish] ----------------------------------------------------------


def project_with(tmp_path: Path, table: str) -> Path:
    root = tmp_path / "project"
    root.mkdir(parents=True)
    (root / "bulletin.toml").write_text(
        f'name = "测"\npublisher = "测"\noutput = "site"\n\n[publish]\n{table}', encoding="utf-8"
    )
    make_site(root / "site")
    return root


def test_publish_settings_come_from_bulletin_toml_and_the_options_override_them(
    tmp_path: Path,
) -> None:
    from bulletin.commands.publish import publish_settings

    root = project_with(
        tmp_path,
        'dest = "../www"\nkeep = 2\nverify_url = "http://intranet/b/"\nwait = 7\n'
        "allow_external_links = true\n",
    )
    settings = publish_settings(root)
    assert isinstance(settings.host, LocalHost)
    assert settings.host.path == (root / "../www").absolute()  # the project's, not the cwd's
    assert (settings.keep, settings.wait, settings.verify_url) == (2, 7, "http://intranet/b/")
    assert settings.allow_external_links and settings.bwlimit is None
    given = publish_settings(
        root, dest="web1:/srv/b", ssh_options=["Port=2222"], keep=9, allow_external_links=False
    )
    assert isinstance(given.host, SSHHost) and given.host.ssh == ["ssh", "-o", "Port=2222"]
    assert (given.keep, given.wait, given.allow_external_links) == (9, 7, False)
    remote = project_with(tmp_path / "r", 'dest = "deploy@web1:/srv/b"\nssh = "ssh -p 2222"\n')
    host = publish_settings(remote).host
    assert isinstance(host, SSHHost)
    assert (host.host, host.path, host.ssh) == ("deploy@web1", "/srv/b", ["ssh", "-p", "2222"])


def test_publish_without_dest_uses_the_table_or_says_where_to_set_it(tmp_path: Path) -> None:
    root = project_with(tmp_path, 'dest = "www"\nkeep = 1\n')
    runner = CliRunner()
    done = runner.invoke(main, ["publish", "--root", str(root)])
    assert done.exit_code == 0, done.output
    first = live(root / "www")
    change(root / "site", "<!-- 2 -->")
    assert runner.invoke(main, ["publish", "--root", str(root)]).exit_code == 0
    assert releases(root / "www") == [live(root / "www")] != [first]  # keep = 1
    assert runner.invoke(main, ["publish", "--root", str(root), "--keep", "3"]).exit_code == 0

    (root / "bulletin.toml").write_text('name = "测"\npublisher = "测"\n', encoding="utf-8")
    done = runner.invoke(main, ["publish", "--root", str(root)])
    assert done.exit_code == 1
    toml = root / "bulletin.toml"
    assert done.output == (
        f"error: where to publish is not given: give DEST, or set dest in the [publish] table "
        f"of {toml}\n"
        f"  → fix: `bulletin publish /srv/bulletin`, or these two lines in {toml}: `[publish]` "
        """and `dest = "/srv/bulletin"` (over SSH: `dest = "editor@intranet:/srv/bulletin"`)"""
        "\n"
    )
    done = runner.invoke(main, ["publish", "--root", str(root), "--lang", "zh"])
    assert "没有指定发布到哪里" in done.output and f"{toml} 的 [publish] 里设置 dest" in done.output


def test_a_bad_publish_table_names_the_line(tmp_path: Path) -> None:
    root = project_with(tmp_path, 'dest = "www"\nkep = 3\nverify_url = "intranet/b"\n')
    done = CliRunner().invoke(main, ["publish", "--root", str(root)])
    assert done.exit_code == 1
    assert "bulletin.toml:7: error: 'publish.kep': unknown field" in done.output
    assert "did you mean 'keep'" in done.output.replace("“", "'").replace("”", "'")
    assert "publish.verify_url" in done.output and "http://" in done.output


# --- one publish at a time --------------------------------------------------------------


def lock_of(dest: Path) -> Path:
    from bulletin.commands.publish import LOCK

    return dest / LOCK


def test_two_publishes_at_once_one_waits_for_the_other(
    tmp_path: Path, dest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two publishes of different sites to one folder, started together in two threads (as
    the workbench and the CLI may): the second waits for the first to switch, prune and
    verify, then publishes; `current` is a complete release all along."""
    import threading

    from bulletin.commands import publish as pub

    first_site = make_site(tmp_path / "first")
    second_site = make_site(tmp_path / "second", {**PAGES, "s.js": "// 2"})
    events: list[str] = []
    uploading, waiting = threading.Event(), threading.Event()
    real_upload, real_inspect, real_activate = (
        LocalHost.upload, LocalHost.inspect, LocalHost.activate
    )  # fmt: skip

    def named(what: str) -> None:
        events.append(f"{threading.current_thread().name} {what}")

    def upload(self: LocalHost, *args: object, **kwargs: object) -> int:
        named("upload")
        uploading.set()
        assert waiting.wait(10)  # hold on until the other publish is waiting
        return real_upload(self, *args, **kwargs)  # type: ignore[arg-type]

    def inspect(self: LocalHost, *, create: bool) -> pub.HostState:
        named("inspect")
        return real_inspect(self, create=create)

    def activate(self: LocalHost, target: str, **kwargs: object) -> None:
        named("activate")
        real_activate(self, target, **kwargs)  # type: ignore[arg-type]
        assert crawl_folder(dest / "current").problems == []

    monkeypatch.setattr(LocalHost, "upload", upload)
    monkeypatch.setattr(LocalHost, "inspect", inspect)
    monkeypatch.setattr(LocalHost, "activate", activate)
    results: dict[str, object] = {}
    said: list[str] = []

    def run(name: str, site: Path) -> None:
        def report(message: object) -> None:
            said.append(f"{name}: {message}")
            if "waiting up to" in str(message):
                waiting.set()

        try:
            results[name] = publish(site, LocalHost(dest), wait=30, report=report)
        except BaseException as e:  # (shown by the assertion below)
            results[name] = e

    a = threading.Thread(target=run, args=("A", first_site), name="A")
    a.start()
    assert uploading.wait(10)
    b = threading.Thread(target=run, args=("B", second_site), name="B")
    b.start()
    a.join(30)
    b.join(30)
    assert not a.is_alive() and not b.is_alive()
    first, second = results["A"], results["B"]
    assert isinstance(first, pub.PublishResult), first
    assert isinstance(second, pub.PublishResult), second
    # never interleaved: B looked at the folder only once A had switched
    assert events == [
        "A inspect", "A upload", "A activate", "B inspect", "B upload", "B activate"
    ]  # fmt: skip
    [waited] = [s for s in said if "waiting" in s]
    assert waited.startswith(f"B: another publish to {dest} is under way (by ")
    assert f"process {os.getpid()}, since " in waited and "waiting up to " in waited
    assert second.previous == first.release and live(dest) == second.release
    assert (dest / "current" / "s.js").read_text(encoding="utf-8") == "// 2"
    assert crawl_folder(dest / "current").problems == []
    assert not lock_of(dest).exists()


def test_a_publish_that_will_not_wait_is_refused_with_who_holds_the_lock(
    site: Path, dest: Path
) -> None:
    import socket

    from bulletin.commands.publish import DestinationBusy, destination_lock
    from bulletin.diagnostics import i18n

    first = publish(site, LocalHost(dest)).release
    change(site, "<!-- 2 -->")
    with destination_lock(LocalHost(dest)) as me:
        assert (lock_of(dest) / "owner").is_file()
        with pytest.raises(DestinationBusy) as caught:
            publish(site, LocalHost(dest), wait=0)
        with pytest.raises(DestinationBusy):
            rollback(LocalHost(dest), wait=0)
    assert not lock_of(dest).exists()
    error = caught.value
    assert error.holder is not None and error.holder.owner == me
    host = socket.gethostname()
    text = str(error)
    assert text.startswith(
        f"error: another publish to {dest} is under way (by {me.user} on {host}, "
        f"process {os.getpid()}, since 20"
    )
    assert text.endswith(
        "); nothing was changed\n  → fix: publish again when it has finished (or give --wait "
        "SECONDS to wait for it); if it is no longer running (its computer was switched off, "
        f"or it was stopped), remove its lock: `bulletin publish {dest} --unlock`"
    )
    with i18n.using("zh"):
        assert f"另一次发布正在发布到 {dest}（{host} 上的用户 {me.user}，进程" in (
            error.format_message()
        )
    assert live(dest) == first and releases(dest) == [first]  # nothing happened meanwhile


def test_the_cli_in_another_process_is_refused_while_the_lock_is_held(
    site: Path, dest: Path
) -> None:
    import subprocess
    import sys

    from bulletin.commands.publish import destination_lock

    from .conftest import ROOT

    command = [sys.executable, "-m", "bulletin", "publish", str(dest), "--site", str(site)]
    with destination_lock(LocalHost(dest)):
        done = subprocess.run(
            [*command, "--wait", "0"], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 1
    assert f"another publish to {dest} is under way" in done.stderr
    assert f"process {os.getpid()}, since" in done.stderr and "--unlock" in done.stderr
    assert not (dest / "current").exists()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def write_lock(dest: Path, owner: object, *, hours_ago: float = 0) -> None:
    lock = lock_of(dest)
    lock.mkdir(parents=True)
    if owner is not None:
        (lock / "owner").write_text(owner.text(), encoding="utf-8")  # type: ignore[attr-defined]
    when = os.stat(lock).st_mtime - hours_ago * 3600
    os.utime(lock, (when, when))


def test_a_lock_left_by_a_publish_that_died_is_removed_with_a_message(
    site: Path, dest: Path
) -> None:
    import socket
    import subprocess
    import sys
    from dataclasses import replace

    from bulletin.commands.publish import LockOwner

    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()  # a process of this host that is gone
    dead = replace(LockOwner.me(), pid=ended.pid)
    write_lock(dest, dead)
    said: list[str] = []
    result = publish(site, LocalHost(dest), wait=0, report=lambda m: said.append(str(m)))
    assert live(dest) == result.release and not lock_of(dest).exists()
    assert said[0] == (
        f"{dest}: removed the lock left by a publish that is no longer running (by {dead.user} "
        f"on {socket.gethostname()}, process {ended.pid}, since {said[0].split('since ')[1]}"
    )
    assert said[0].endswith(f"): its process {ended.pid} on {socket.gethostname()} has ended")

    # another computer's lock: kept for 12 hours, then taken for one left behind
    change(site, "<!-- 2 -->")
    elsewhere = replace(LockOwner.me(), host="pc-of-zhang", user="zhang", pid=4242)
    write_lock(dest, elsewhere, hours_ago=11)
    with pytest.raises(BulletinError, match=r"\(by zhang on pc-of-zhang, process 4242, since "):
        publish(site, LocalHost(dest), wait=0)
    shutil_rmtree(lock_of(dest))
    write_lock(dest, elsewhere, hours_ago=13)
    said.clear()
    publish(site, LocalHost(dest), wait=0, report=lambda m: said.append(str(m)))
    assert said[0].endswith("): it was taken more than 12 hours ago")

    # a lock that names no one (its publish died as it took it): young, it is waited for
    change(site, "<!-- 3 -->")
    write_lock(dest, None)
    with pytest.raises(BulletinError, match=r"under way \(the lock does not say by whom\)"):
        publish(site, LocalHost(dest), wait=0)
    shutil_rmtree(lock_of(dest))
    write_lock(dest, None, hours_ago=0.1)
    said.clear()
    publish(site, LocalHost(dest), wait=0, report=lambda m: said.append(str(m)))
    assert said[0].endswith(
        "(the lock does not say by whom): it was taken more than a minute ago and does not "
        "say by whom"
    )
    assert not lock_of(dest).exists()


def shutil_rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path)


def test_unlock_removes_a_lock_an_editor_knows_is_left_behind(site: Path, dest: Path) -> None:
    from dataclasses import replace

    from bulletin.commands.publish import LockOwner

    publish(site, LocalHost(dest))
    write_lock(dest, replace(LockOwner.me(), host="pc-of-zhang", user="zhang", pid=4242))
    runner = CliRunner()
    done = runner.invoke(main, ["publish", str(dest), "--site", str(site), "--wait", "0"])
    assert done.exit_code == 1 and f"`bulletin publish {dest} --unlock`" in done.output
    done = runner.invoke(main, ["publish", str(dest), "--unlock"])
    assert done.exit_code == 0, done.output
    assert done.output.startswith(
        f"Removed the lock of {dest} (by zhang on pc-of-zhang, process 4242, since "
    )
    assert not lock_of(dest).exists()
    done = runner.invoke(main, ["publish", str(dest), "--unlock"])
    assert done.output == f"{dest} is not locked: no publish is under way there\n"
    done = runner.invoke(main, ["publish", str(dest), "--unlock", "--rollback"])
    assert done.exit_code == 1 and "--unlock removes the lock only" in done.output
    assert sorted(p.name for p in dest.iterdir()) == [HOST_MARKER, "current", "releases"]


def test_a_lock_removed_while_its_publish_ran_is_reported(
    site: Path, dest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bulletin.commands.publish import unlock

    real_upload = LocalHost.upload

    def upload(self: LocalHost, *args: object, **kwargs: object) -> int:
        assert unlock(self) is not None  # someone runs --unlock in the meantime
        return real_upload(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(LocalHost, "upload", upload)
    said: list[str] = []
    publish(site, LocalHost(dest), report=lambda m: said.append(str(m)))
    assert said[-1] == (
        f"{dest}: the lock of this publish was removed while it ran (by --unlock, or taken for "
        "one left behind); check that the live site is the one you published"
    )


# an "ssh" that runs the remote command here, as ssh does (its words joined, run by sh),
# for rsync too: sh -c '…' ssh-here HOST WORDS…
SSH_LOOP = ["sh", "-c", 'shift; eval "$*"', "ssh-here"]


def test_over_ssh_the_lock_is_the_same_on_the_host(site: Path, dest: Path) -> None:
    """Over SSH the lock is taken on the host by the same scripts as everything else: a
    publish over SSH waits for (or is refused by) one holding the lock, local or remote."""
    from dataclasses import replace

    from bulletin.commands.publish import DestinationBusy, LockOwner, destination_lock, unlock

    remote = SSHHost("web1", str(dest), SSH_LOOP)
    first = publish(site, remote)
    assert live(dest) == first.release and not lock_of(dest).exists()
    change(site, "<!-- 2 -->")
    with destination_lock(LocalHost(dest)) as me:
        with pytest.raises(DestinationBusy) as caught:
            publish(site, remote, wait=0)
        assert caught.value.holder is not None and caught.value.holder.owner == me
    with destination_lock(remote, wait=0) as me:
        assert LockOwner.parse((lock_of(dest) / "owner").read_text(encoding="utf-8")) == me
        with pytest.raises(DestinationBusy, match="under way"):
            publish(site, LocalHost(dest), wait=0)
        with pytest.raises(DestinationBusy, match="under way"):
            rollback(remote, wait=0)
    assert not lock_of(dest).exists()
    # left behind: by a process of this host that is gone, or by another computer
    write_lock(dest, replace(LockOwner.me(), pid=2**22 + 7))  # (above any pid_max)
    said: list[str] = []
    second = publish(site, remote, wait=0, report=lambda m: said.append(str(m)))
    assert said[0].endswith(f"its process {2**22 + 7} on {LockOwner.me().host} has ended")
    assert live(dest) == second.release and second.previous == first.release
    write_lock(dest, replace(LockOwner.me(), host="pc-of-zhang", user="zhang", pid=4242))
    with pytest.raises(DestinationBusy, match="by zhang on pc-of-zhang, process 4242"):
        rollback(remote, wait=0)
    gone = unlock(remote)
    assert gone is not None and gone.user == "zhang" and unlock(remote) is None
    assert rollback(remote, wait=0).release == first.release
    with pytest.raises(BulletinError, match="holds no site published by bulletin"):
        rollback(SSHHost("web1", str(dest.parent / "none"), SSH_LOOP))
    assert not (dest.parent / "none").exists()
