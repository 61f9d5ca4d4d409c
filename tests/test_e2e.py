"""Publishing end to end, with the real parts: nginx, sshd, rsync and Chromium from Debian.

The sample site is built once, published with `bulletin publish`, and served by nginx under
/bulletin/ through docs/deploy/nginx.conf itself (included as it is, so the documented config
is the tested one). A crawler follows every link and asset; headless Chromium reads the
edition page and searches it; a publish over SSH to a loopback sshd switches releases and
rolls back; a publish killed in the middle of its upload leaves the old release live.

nginx and sshd run as children of the tests on 127.0.0.1 and free ports, with configs, keys
and logs in temp folders (tests/e2e/servers.py). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bulletin.commands.crawl import crawl_url
from bulletin.commands.publish import LocalHost, publish, site_files

from .conftest import ROOT, copy_project
from .e2e.browser import Tab, chromium
from .e2e.crawl import crawl, fetch
from .e2e.servers import PREFIX, SSHServer, nginx, sshd

ARTICLE = f"/{PREFIX}/editions/2021-12/ningling.html"
ONE_YEAR = "public, max-age=31536000, immutable"
BIG = 8 * 1024 * 1024  # a file that takes about 32 s to upload at --bwlimit 256


def second_release(site: Path, dest: Path, *, extra: int = 0) -> Path:
    """A copy of the built site whose home page differs (and with `extra` bytes more)."""
    shutil.copytree(site, dest)
    home = dest / "index.html"
    home.write_bytes(home.read_bytes() + b"<!-- release 2 -->\n")
    if extra:
        (dest / "editions" / "big.bin").write_bytes(os.urandom(extra))  # does not compress
    return dest


def get(url: str) -> bytes:
    status, _, body = fetch(url)
    assert status == 200, url
    return body


def head(url: str) -> tuple[int, Any]:
    request = urllib.request.Request(url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.headers


def bulletin(*args: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bulletin", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        **kwargs,
    )


def live(dest: Path) -> str:
    """The release `current` points at."""
    target = os.readlink(dest / "current")
    assert target.startswith("releases/"), target  # relative: DEST may be mounted elsewhere
    return target.removeprefix("releases/")


def mentioning(text: str) -> list[int]:
    """Processes whose command line holds `text` (a unique temp path: only ours)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bulletin.build import build

    base = tmp_path_factory.mktemp("e2e-build")
    out = base / "site"
    build(copy_project(base / "project"), out=out)
    return out


@pytest.fixture(scope="module")
def served(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The built site published into a folder (`bulletin publish DEST`) that nginx serves."""
    base = tmp_path_factory.mktemp("e2e-host")
    dest = base / "srv" / "bulletin"
    done = bulletin("publish", dest, "--site", built)
    assert done.returncode == 0, done.stderr
    with nginx(dest, base / "nginx") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def ssh_server(tmp_path: Path) -> Iterator[SSHServer]:
    with sshd(tmp_path / "sshd") as server:
        yield server


# --- nginx ------------------------------------------------------------------------------


def test_every_link_and_asset_answers_through_nginx(served: str, built: Path) -> None:
    """From the home page, every link and asset answers 200 and none leaves the site."""
    result = crawl(served)
    assert result.broken == {}
    assert result.outside == []
    fetched = set(result.status)
    for rel in (
        "editions/2021-12/index.html",
        "editions/2021-12/ningling.html",
        "editions/2021-12/2021-12.pdf",
        "editions/2021-12/microcredit.csv",
        "editions/2021-12/microcredit-rate.svg",
        "archive/index.html",
        "search/index.html",
        "static/bulletin.css",
        "pagefind/pagefind-ui.js",
    ):
        assert served + rel in fetched, rel
    # Every file of the build is served, byte for byte (Pagefind's are loaded by script).
    for rel in site_files(built):
        if rel != ".bulletin-site":
            assert get(served + rel) == (built / rel).read_bytes(), rel
    # bulletin's own check over HTTP agrees.
    report = crawl_url(served, built)
    assert report.problems == [] and report.pages >= 13


def test_nginx_snippet_types_and_cache_headers(served: str, built: Path) -> None:
    [shard] = (built / "pagefind").glob("*/pagefind.js")  # the primary (only) shard
    pagefind = shard.parent
    meta = next(pagefind.glob("*.pf_meta")).name
    fragment = next((pagefind / "fragment").iterdir()).name
    index = next((pagefind / "index").iterdir()).name
    bundle = f"pagefind/{pagefind.name}"
    expect = {
        f"{bundle}/{meta}": ("application/octet-stream", ONE_YEAR),
        f"{bundle}/fragment/{fragment}": ("application/octet-stream", ONE_YEAR),
        f"{bundle}/index/{index}": ("application/octet-stream", ONE_YEAR),
        f"{bundle}/wasm.unknown.pagefind": ("application/octet-stream", "no-cache"),
        f"{bundle}/pagefind-entry.json": ("application/json", "no-cache"),
        f"{bundle}/pagefind.js": ("application/javascript", "no-cache"),
        "pagefind/pagefind-ui.js": ("application/javascript", "no-cache"),
        "pagefind/pagefind-ui.css": ("text/css", "no-cache"),
        "index.html": ("text/html", "no-cache"),
        "": ("text/html", "no-cache"),
        "editions/2021-12/microcredit-rate.svg": ("image/svg+xml", "no-cache"),
        "editions/2021-12/2021-12.pdf": ("application/pdf", "no-cache"),
        "editions/2021-12/microcredit.csv": ("text/csv", "no-cache"),
        "static/bulletin.css": ("text/css", "no-cache"),
    }
    for rel, (ctype, cache) in expect.items():
        status, headers = head(served + rel)
        assert status == 200, rel
        assert headers.get_content_type() == ctype, rel
        assert headers["Cache-Control"] == cache, rel
        assert headers["X-Content-Type-Options"] == "nosniff", rel
    assert head(served + "index.html")[1].get_content_charset() == "utf-8"
    # The sub-path without its slash goes to the site; bulletin's marker files stay hidden.
    request = urllib.request.Request(served.rstrip("/"), method="HEAD")
    with urllib.request.urlopen(request) as r:
        assert r.url == served
    assert head(served + ".bulletin-site")[0] == 404
    assert head(served + "no-such-page.html")[0] == 404


# --- Chromium ---------------------------------------------------------------------------


def _in_viewport(tab: Tab, selector: str) -> dict[str, float]:
    element = tab.page.locator(selector).first
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0, selector
    view = tab.page.viewport_size
    # Some of it is on screen (a long table can be taller than the window).
    assert box["y"] < view["height"] and box["y"] + box["height"] > 0, (selector, box)
    assert box["x"] < view["width"] and box["x"] + box["width"] > 0, (selector, box)
    return box


def _only_loopback(tab: Tab, served: str) -> None:
    origin = served.split(f"/{PREFIX}/")[0] + "/"
    outside = [u for u in tab.requests if not u.startswith(("data:", origin))]
    assert outside == []
    assert [u for u in tab.failed if "favicon" not in u] == []
    assert tab.errors == []


def test_edition_page_in_chromium(browser: Any, served: str) -> None:
    """The edition page through nginx: the table and the chart are there and drawn."""
    tab = Tab(browser)
    tab.page.goto(served + "editions/2021-12/index.html", wait_until="networkidle")
    tab.screenshot("e2e-edition-full.png", full_page=True)
    _in_viewport(tab, "figure.bulletin-table table")
    assert tab.page.locator("figure.bulletin-table tbody tr").count() >= 8
    tab.screenshot("e2e-edition-table.png")
    _in_viewport(tab, "figure.chart img")
    drawn = tab.page.locator("figure.chart img").first.evaluate(
        "img => img.complete && img.naturalWidth > 0"
    )
    assert drawn
    tab.screenshot("e2e-edition-chart.png")
    _only_loopback(tab, served)
    assert len(tab.requests) >= 3
    tab.close()


# each paragraph's characters grouped by the line they are on: how many on its last line
LAST_LINES = """() => [...document.querySelectorAll('.body p, .chart figcaption p')].map((el) => {
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const lines = new Map();
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    for (let i = 0; i < n.length; i++) {
      if (/\\s/.test(n.data[i])) continue;
      const r = document.createRange();
      r.setStart(n, i); r.setEnd(n, i + 1);
      const box = r.getBoundingClientRect();
      if (box.width) lines.set(Math.round(box.top), (lines.get(Math.round(box.top)) || 0) + 1);
    }
  }
  const tops = [...lines.keys()].sort((a, b) => a - b);
  return [el.textContent.slice(0, 20), tops.length, tops.length ? lines.get(tops.at(-1)) : 0];
})"""


@pytest.mark.parametrize("width", [390, 1440])
def test_no_paragraph_ends_on_a_lone_character(browser: Any, served: str, width: int) -> None:
    """Chinese typography: no paragraph of an edition's pages (articles, chart captions)
    ends on a line of one or two characters (孤字), on a phone or a desktop."""
    tab = Tab(browser, width=width)
    short = []
    for page in ("editions/2021-12/", "editions/2021-13/", "editions/2021-12/caizheng.html",
                 "editions/2021-13/xindai.html"):  # fmt: skip
        tab.page.goto(served + page, wait_until="networkidle")
        paragraphs = tab.page.evaluate(LAST_LINES)
        assert sum(1 for _, lines, _ in paragraphs if lines > 1) >= 3, page
        short += [(page, text) for text, lines, last in paragraphs if lines > 1 and last <= 2]
    assert short == []
    tab.close()


def test_chinese_search_through_nginx(browser: Any, served: str) -> None:
    tab = Tab(browser, width=1000)
    tab.page.goto(served + "search/index.html")
    tab.page.locator(".pagefind-ui__search-input").fill("胡国旗")
    link = tab.page.locator(".pagefind-ui__result-link")
    link.first.wait_for(timeout=15_000)
    tab.page.wait_for_function(
        "() => /^找到 1 个/.test(document.querySelector('.pagefind-ui__message')?.textContent"
        " .trim() ?? '')"
    )
    assert link.evaluate_all("a => a.map(x => x.getAttribute('href'))") == [ARTICLE]
    tab.screenshot("e2e-search.png")
    link.first.click()
    tab.page.wait_for_url("**" + ARTICLE)
    assert tab.page.locator("main h2").inner_text() == "为脱贫户架起致富桥"
    _only_loopback(tab, served)
    tab.close()


# --- SSH --------------------------------------------------------------------------------


def test_publish_over_ssh_switches_and_rolls_back(
    built: Path, tmp_path: Path, ssh_server: SSHServer
) -> None:
    dest = tmp_path / "host" / "srv" / "bulletin"
    remote = ssh_server.dest(dest)
    second = second_release(built, tmp_path / "second")
    with nginx(dest, tmp_path / "nginx") as url:
        done = bulletin(
            "publish", remote, "-e", ssh_server.command, "--site", built, "--verify-url", url
        )
        assert done.returncode == 0, done.stderr
        assert "verified" in done.stderr
        first = live(dest)
        assert get(url) == (built / "index.html").read_bytes()

        done = bulletin(
            "publish", remote, "-e", ssh_server.command, "--site", second, "--verify-url", url
        )
        assert done.returncode == 0, done.stderr
        assert "1 uploaded" in done.stdout  # the others are hard links to the first release
        now = live(dest)
        assert now > first
        assert get(url) == (second / "index.html").read_bytes()
        releases = dest / "releases"
        assert sorted(p.name for p in releases.iterdir()) == [first, now]
        css = "static/bulletin.css"
        assert (releases / first / css).stat().st_ino == (releases / now / css).stat().st_ino
        assert (releases / now / "index.html").stat().st_mode & 0o777 == 0o644

        # Publishing what is live already uploads nothing.
        done = bulletin("publish", remote, "-e", ssh_server.command, "--site", second)
        assert done.returncode == 0 and "Already live" in done.stdout, done.stderr

        done = bulletin("publish", remote, "-e", ssh_server.command, "--rollback")
        assert done.returncode == 0, done.stderr
        assert live(dest) == first
        assert sorted(p.name for p in releases.iterdir()) == [first]
        assert get(url) == (built / "index.html").read_bytes()

        done = bulletin("publish", remote, "-e", ssh_server.command, "--rollback")
        assert done.returncode == 1 and "no release before it" in done.stderr
        assert live(dest) == first


def test_killed_publish_leaves_the_old_release_live(
    built: Path, tmp_path: Path, ssh_server: SSHServer
) -> None:
    """SIGKILL in the middle of the upload: nginx goes on serving the previous release, and
    the next publish removes the half release and succeeds."""
    dest = tmp_path / "host" / "srv" / "bulletin"
    remote = ssh_server.dest(dest)
    second = second_release(built, tmp_path / "second", extra=BIG)
    old_home = (built / "index.html").read_bytes()
    with nginx(dest, tmp_path / "nginx") as url:
        done = bulletin("publish", remote, "-e", ssh_server.command, "--site", built)
        assert done.returncode == 0, done.stderr
        first = live(dest)

        command = [sys.executable, "-m", "bulletin", "publish", remote, "-e", ssh_server.command]
        slow = subprocess.Popen(
            [*command, "--site", str(second), "--bwlimit", "256"],  # 8 MiB: about 32 s
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        releases = dest / "releases"
        deadline = time.monotonic() + 30
        partial: Path | None = None
        while time.monotonic() < deadline and slow.poll() is None:
            partial = next(releases.glob(".partial-*"), None)
            if partial and sum(f.stat().st_size for f in partial.rglob("*") if f.is_file()):
                break
            time.sleep(0.05)
        if slow.poll() is not None or partial is None:
            slow.kill()
            raise AssertionError(f"the upload did not start: {slow.communicate()[1].decode()}")
        time.sleep(0.5)
        assert get(url) == old_home  # during the upload, readers see the old release
        slow.send_signal(signal.SIGKILL)
        slow.wait()

        assert live(dest) == first
        assert get(url) == old_home
        assert crawl(url).broken == {}
        assert partial.is_dir()  # the half release is there, unlisted and unserved
        assert not (partial / "editions" / "big.bin").is_file()
        # The publish's rsync and ssh die with it (and so the rsync on the host), long before
        # the upload would have ended.
        deadline = time.monotonic() + 15
        while mentioning(partial.name) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert mentioning(partial.name) == []

        done = bulletin(*command[3:], "--site", second, "--verify-url", url)
        assert done.returncode == 0, done.stderr
        assert "removed the unfinished upload" in done.stderr
        assert list(releases.glob(".partial-*")) == []
        assert live(dest) not in (first, partial.name.removeprefix(".partial-"))
        assert get(url) == (second / "index.html").read_bytes()
        assert len(get(url + "editions/big.bin")) == BIG


def test_local_publish_with_verify_url(built: Path, tmp_path: Path) -> None:
    """The API: a publish to a local folder checked both on disk and over HTTP."""
    dest = tmp_path / "bulletin"
    with nginx(dest, tmp_path / "nginx") as url:
        result = publish(built, LocalHost(dest), verify_url=url)
        assert [c.problems for c in result.checks] == [[], []]
        assert result.checks[1].pages == result.checks[0].pages >= 13
        assert result.copied == result.files
