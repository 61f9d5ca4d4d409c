"""`bulletin serve`: a real server in a subprocess; edits show within 2 s, errors as a page."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from bulletin.commands.serve import inject

from .conftest import ROOT

ARTICLE = "content/2024-01/first.md"
PAGE = "/editions/2024-01/first.html"


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


@contextlib.contextmanager
def serving(root: Path, *args: str) -> Iterator[tuple[str, list[str]]]:
    """`bulletin serve --port 0` in `root`; yields (base URL, the lines it printed so far)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bulletin", "serve", "--port", "0", *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: list[str] = []
    found = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if re.search(r"http://127\.0\.0\.1:\d+/", line):
                found.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert found.wait(60), "serve printed no address:\n" + "\n".join(lines)
        port = next(m.group(1) for ln in lines if (m := re.search(r"127\.0\.0\.1:(\d+)/", ln)))
        yield f"http://127.0.0.1:{port}", lines
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        reader.join(timeout=5)


def poll(
    fetch: Callable[[], tuple[int, str]], done: Callable[[int, str], bool], timeout: float = 10
) -> tuple[int, str, float]:
    started = time.perf_counter()
    while True:
        status, text = fetch()
        elapsed = time.perf_counter() - started
        if done(status, text) or elapsed > timeout:
            return status, text, elapsed
        time.sleep(0.05)


def test_serves_rebuilds_and_shows_errors_in_the_page(project: Path) -> None:
    article = project / ARTICLE
    with serving(project) as (base, lines):
        status, page = get(base + PAGE)
        assert status == 200
        assert "正文第一段。" in page
        assert re.search(r'<script src="/__bulletin/reload.js\?v=\d+"></script>\s*</body>', page)
        status, home = get(base + "/")
        assert status == 200 and "主题" in home
        status, script = get(base + "/__bulletin/reload.js")
        assert status == 200 and "/__bulletin/version" in script and "http" not in script
        version = json.loads(get(base + "/__bulletin/version")[1])
        assert version == {"version": 1, "error": False}
        assert get(base + "/static/bulletin.css")[0] == 200
        assert get(base + "/editions/2024-01/nothing.html")[0] == 404

        # an edit shows within 2 s
        article.write_text(
            article.read_text(encoding="utf-8") + "\n新增的一段。\n", encoding="utf-8"
        )
        status, page, elapsed = poll(lambda: get(base + PAGE), lambda s, t: "新增的一段" in t)
        assert "新增的一段" in page, "\n".join(lines)
        assert elapsed < 2, f"the edit took {elapsed:.2f} s to show"

        # broken front matter: every page is an error page naming file and line
        article.write_text("---\ntitle: [主题\n---\n\n正文。\n", encoding="utf-8")
        status, page, _ = poll(lambda: get(base + PAGE), lambda s, t: s == 500)
        assert status == 500, page
        assert "The preview could not be built" in page
        assert f"{ARTICLE}:" in page and "front matter is not valid YAML" in page
        assert "title: [主题" in page  # the lines around the error
        assert '<script src="/__bulletin/reload.js?v=' in page  # …and it reloads itself
        assert get(base + "/")[0] == 500
        assert json.loads(get(base + "/__bulletin/version")[1])["error"] is True
        assert any("the build failed" in ln for ln in lines)  # the terminal says so too

        # fixed: the site is back
        article.write_text("---\ntitle: 主题\n---\n\n改好了。\n", encoding="utf-8")
        status, page, _ = poll(lambda: get(base + PAGE), lambda s, t: "改好了" in t)
        assert status == 200 and "改好了" in page

        # a new file in a watched folder counts too
        (project / "content/2024-01/second.md").write_text(
            "---\ntitle: 第二篇\n---\n\n第二篇正文。\n", encoding="utf-8"
        )
        status, page, _ = poll(
            lambda: get(base + "/editions/2024-01/second.html"), lambda s, t: s == 200
        )
        assert status == 200 and "第二篇正文" in page
    # the preview never touches site/ or bulletin.lock
    assert (project / ".cache/preview/index.html").exists()
    assert not (project / "site").exists()
    assert not (project / "bulletin.lock").exists()


def test_drafts_are_in_the_preview(project: Path) -> None:
    edition = project / "content/2024-01/edition.toml"
    edition.write_text(
        edition.read_text(encoding="utf-8").replace('"published"', '"draft"'), encoding="utf-8"
    )
    with serving(project) as (base, _):
        assert get(base + PAGE)[0] == 200
    with serving(project, "--no-drafts") as (base, _):
        status, page = get(base + "/")
        assert status == 500 and "no published edition" in page


def test_a_browser_reloads_by_itself(project: Path) -> None:
    """The injected script runs under the pages' Content-Security-Policy and reloads them."""
    chromium = Path(os.environ.get("BULLETIN_CHROMIUM", "/usr/bin/chromium"))
    assert chromium.is_file(), "no Chromium (scripts/ensure-system.sh test installs it)"
    from playwright.sync_api import sync_playwright

    article = project / ARTICLE
    with serving(project) as (base, _), sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            tab = browser.new_page()
            violations: list[str] = []
            tab.on(
                "console",
                lambda m: (
                    violations.append(m.text) if "Content Security Policy" in m.text else None
                ),
            )
            tab.goto(base + PAGE)
            article.write_text("---\ntitle: 主题\n---\n\n浏览器自己刷新了。\n", encoding="utf-8")
            _, text, _ = poll(lambda: body_text(tab), lambda s, t: "自己刷新" in t)
            assert "自己刷新" in text
            article.write_text("---\ntitle: [\n---\n", encoding="utf-8")
            failed = "The preview could not be built"
            _, text, _ = poll(lambda: body_text(tab), lambda s, t: failed in t)
            assert failed in text and ARTICLE in text
            assert violations == []
        finally:
            browser.close()


def body_text(tab: object) -> tuple[int, str]:
    try:
        return 0, tab.inner_text("body")  # type: ignore[attr-defined]
    except Exception:  # in the middle of a reload
        return 0, ""


def test_inject() -> None:
    assert inject("<p>x</p></BODY></html>", 3) == (
        '<p>x</p><script src="/__bulletin/reload.js?v=3"></script>\n</BODY></html>'
    )
    assert inject("<p>x</p>", 4).endswith('<script src="/__bulletin/reload.js?v=4"></script>\n')
