"""Markdown safety and the Content-Security-Policy: no content ever becomes active in a page.

A project whose every text field holds hostile strings (tests/hostile.py: scripts, event
handlers, javascript:/data: URLs also behind entities and control characters, SVG, frames,
plugins, styles, forms) is built; every page is parsed with lxml and must hold no script but
our own external ones, no on* attribute, no style attribute or element, no frame, plugin or
form, and no link or source with a script or data URL. The build goes on and reports every
hostile construct in an article as a warning naming the file and line.

Images are stricter: an image that is not a raster file in the edition folder (a URL, a data:
or javascript: URL, an SVG, a path or link leading out) is an error naming the file and line —
see the md-image-* cases of tests/bad_inputs/ and test_svg_images_are_refused below. SVG is
refused outright (it can carry scripts and read other files); charts are our own SVGs, shown
through <img>, where no script in them could run.

Every page carries a Content-Security-Policy <meta> that forbids inline script and style; the
sample site is opened page by page in Chromium (as tests/test_search.py does) and must cause no
CSP violation and no script error, and its search page must still find articles.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import http.server
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from bulletin.build import build
from bulletin.diagnostics.errors import ContentError
from bulletin.render.images import ImageStore

from .hostile import HOSTILE, MARKUP, active_in

CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "frame-src 'none'; base-uri 'self'; form-action 'self'"
)
CHROMIUM = os.environ.get("BULLETIN_CHROMIUM", "/usr/bin/chromium")

q = json.dumps  # a JSON string is a TOML basic string and a YAML scalar


# -- a site full of hostile text ---------------------------------------------------------------

# Markdown that reaches HTML, links and URLs in other ways than the one-line strings.
BODY_EXTRA = [
    "[点我][evil]\n\n[evil]: javascript:alert(1)",
    '[点我][evil2]\n\n[evil2]: <data:text/html,<script>alert(1)</script>> "t"',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<div>\n<script>alert(1)</script>\n</div>",
    "<details open ontoggle=alert(1)>\n\n正文\n\n</details>",
    "段落里<a href='javascript:alert(1)'>链接</a>和<span style='color:red'>样式</span>。",
    "[点我](   javascript:alert(1))",
    "[点我](<javascript:alert(1)>)",
    "[点我](<java\x01script:alert(1)>)",
    "[点我](java&#9;script:alert(1))",
    "[点我](javascript&#58;alert(1))",
    "[点我](&#x6A;avascript:alert(1))",
    '[点我](https://example.com/ok "a\\" onmouseover=\\"alert(1)")',
    "<https://example.com/ok>和<mailto:office@example.com>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "    <iframe src=javascript:alert(1)>",
    "正文[^n]。\n\n[^n]: 脚注<script>alert(1)</script>[点我](javascript:alert(1))",
    "| 左 | 右 |\n|:--|--:|\n| <script>alert(1)</script> | [点我](javascript:alert(1)) |",
    "![图注](photo.png)",
]


def hostile_project(root: Path) -> Path:
    """Every text field of a project holds hostile strings."""
    (root / "bulletin.toml").write_text(
        f"name = {q(MARKUP[0])}\npublisher = {q(MARKUP[21])}\n"
        'base_url = "https://bulletin.example/"\n',
        encoding="utf-8",
    )
    folder = root / "content" / "2024-01"
    folder.mkdir(parents=True)
    (folder / "edition.toml").write_text(
        'number = 1\ndate = 2024-01-05\nstatus = "published"\n\n'
        f"[[corrections]]\ndate = 2024-01-06\ntext = {q(MARKUP[1])}\n\n"
        f"[[pages]]\nbanner = {q(MARKUP[2])}\ncredit = {q(MARKUP[22])}\n"
        'tables = ["evil"]\n',
        encoding="utf-8",
    )
    from PIL import Image

    Image.new("RGB", (32, 24), (10, 120, 200)).save(folder / "photo.png")
    body = "\n\n".join(
        [*MARKUP, *BODY_EXTRA, "引用{value}`evil/<img src=x onerror=alert(1)>/备注`。"]
    )
    for i, (title, kicker) in enumerate(zip(HOSTILE[::2], HOSTILE[1::2], strict=True)):
        if i % 10:
            continue  # five articles are enough; the body goes to the first
        (folder / f"a{i:02}.md").write_text(
            f"---\ntitle: {q(title)}\nkicker: {q(kicker)}\nsubtitle: {q(HOSTILE[-1 - i])}\n"
            f"byline: {q(MARKUP[i % len(MARKUP)])}\n---\n\n{body if i == 0 else '正文。'}\n",
            encoding="utf-8",
        )
    data = root / "data" / "2024-01"
    data.mkdir(parents=True)
    (data / "evil.toml").write_text(
        f'title = {q(MARKUP[3])}\nsource = "evil.csv"\nkey = "县"\n'
        f"source_note = {q(MARKUP[15])}\n\n"
        '[[columns]]\nsource = "户数"\nrole = "count"\n\n'
        f'[[columns]]\nsource = "备注"\ntype = "text"\nlabel = {q(MARKUP[4])}\n\n'
        '[[charts]]\nname = "evil-chart"\ntype = "bar"\ncolumns = ["户数"]\n'
        f'title = {q(MARKUP[5])}\nplace = "after"\n',
        encoding="utf-8",
    )
    with (data / "evil.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["县", "户数", "备注"])
        writer.writerows([h, n, MARKUP[-1 - n]] for n, h in enumerate(MARKUP[:6], start=1))
        writer.writerow([f"注：{MARKUP[6]}"])
    return root


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    root = hostile_project(tmp_path_factory.mktemp("hostile"))
    result = build(root, pdf=False, cache=False)
    return result.out, result.findings


def pages(site: Path) -> list[Path]:
    found = sorted(site.rglob("*.html"))
    assert found
    return found


def active_content(site: Path, page: Path) -> list[str]:
    """Everything in `page` that could run code, load foreign things or style the page."""
    return active_in(lxml.html.fromstring(page.read_bytes()), page.relative_to(site).as_posix())


def csp_problems(site: Path, page: Path) -> list[str]:
    """The policy is present, exact, and comes before anything it governs."""
    rel = page.relative_to(site).as_posix()
    doc = lxml.html.fromstring(page.read_bytes())
    head = doc.find("head")
    if head is None:
        return [f"{rel}: no <head>"]
    metas = [
        m for m in doc.iter("meta") if m.get("http-equiv", "").lower() == "content-security-policy"
    ]
    if len(metas) != 1:
        return [f"{rel}: {len(metas)} CSP <meta> elements"]
    meta = metas[0]
    problems = []
    if meta.getparent() is not head:
        problems.append(f"{rel}: the CSP <meta> is not in <head>")
    if meta.get("content") != CSP:
        problems.append(f"{rel}: CSP is {meta.get('content')!r}")
    first = next(
        (e for e in head.iter("base", "script", "link", "style", "img") if e is not meta), None
    )
    if first is not None and list(head.iter()).index(first) < list(head.iter()).index(meta):
        problems.append(f"{rel}: <{first.tag}> comes before the CSP <meta>")
    return problems


def test_the_policy_itself_forbids_inline_code(sample_site: Path) -> None:
    from bulletin.render import CSP as WRITTEN  # the one place the pages' policy is written

    directives = dict(d.strip().split(" ", 1) for d in CSP.split(";"))
    for name in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in directives[name] and "'unsafe-eval'" not in directives[name]
        assert "*" not in directives[name].split() and "data:" not in directives[name]
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'self'"
    assert WRITTEN == CSP
    meta = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
    pages = sorted(sample_site.rglob("*.html"))
    assert pages and all(meta in p.read_text(encoding="utf-8") for p in pages)


def test_hostile_text_never_becomes_active(hostile_site: tuple[Path, list[Any]]) -> None:
    site, _ = hostile_site
    problems = [p for page in pages(site) for p in active_content(site, page)]
    assert not problems, "\n".join(problems)
    # The hostile text itself is on the page, as text.
    article = (site / "editions/2024-01/a00.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article
    assert "&lt;img src=x onerror=alert(1)&gt;" in article
    assert (
        'href="https://example.com/ok"' in article and 'href="mailto:office@example.com"' in article
    )
    assert 'class="align-left"' in article and 'class="align-right"' in article


def test_hostile_site_carries_the_policy(hostile_site: tuple[Path, list[Any]]) -> None:
    site, _ = hostile_site
    problems = [p for page in pages(site) for p in csp_problems(site, page)]
    assert not problems, "\n".join(problems)


def test_every_hostile_construct_is_a_warning_with_file_and_line(
    hostile_site: tuple[Path, list[Any]],
) -> None:
    _, findings = hostile_site
    article = [f for f in findings if f.file == "content/2024-01/a00.md"]
    assert all(f.line and f.level == "warning" for f in article), article
    raw_html = [f for f in article if "raw HTML" in str(f.message)]
    links = [f for f in article if "removed" in str(f.message)]
    # Every string of MARKUP with a tag in it, and every unsafe link, was reported.
    assert len(raw_html) >= sum(1 for m in MARKUP if re.search(r"<[a-z!/]", m)) - 2
    assert len(links) >= 12, [str(f.message) for f in links]
    for needle in ("javascript", "data:text/html", "vbscript", "JaVaScRiPt"):
        assert any(needle.lower() in str(f.message).lower() for f in links), needle
    # Lines point into the file: each reported line holds what it reports.
    text = (hostile_site[0].parent / "content/2024-01/a00.md").read_text(encoding="utf-8")
    source = text.splitlines()
    for f in raw_html:
        assert "<" in source[f.line - 1], (f.line, source[f.line - 1])


def test_svg_images_are_refused(tmp_path: Path) -> None:
    edition = tmp_path / "content" / "2024-01"
    edition.mkdir(parents=True)
    (edition / "chart.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        encoding="utf-8",
    )
    store = ImageStore(edition, tmp_path)
    with pytest.raises(ContentError, match="SVG images are not allowed") as err:
        store.locate("chart.svg", edition / "a.md", "content/2024-01/a.md", 7)
    assert (err.value.file, err.value.line) == ("content/2024-01/a.md", 7)
    shutil.copy(edition / "chart.svg", edition / "chart.png")
    with pytest.raises(ContentError, match="not a JPEG, PNG") as err:
        store.web("chart.png", "", edition / "a.md", "content/2024-01/a.md", 8)
    assert err.value.line == 8


# -- the sample site under its policy ------------------------------------------------------------


def test_sample_pages_carry_the_policy_and_no_inline_code(sample_site: Path) -> None:
    problems = [p for page in pages(sample_site) for p in csp_problems(sample_site, page)]
    problems += [p for page in pages(sample_site) for p in active_content(sample_site, page)]
    assert not problems, "\n".join(problems)
    search = lxml.html.fromstring((sample_site / "search/index.html").read_bytes())
    scripts = [s.get("src") for s in search.iter("script")]
    assert scripts == ["../pagefind/pagefind-ui.js", "../static/search.js"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the base's name
        pass


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", e =>
  window.__violations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile));
"""


def test_sample_site_works_under_its_policy_in_a_browser(sample_site: Path) -> None:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with serve(sample_site) as url, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
            headless=True,
        )
        try:
            page = browser.new_page()
            page.add_init_script(RECORD_VIOLATIONS)
            page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
            for path in pages(sample_site):
                rel = path.relative_to(sample_site).as_posix()
                page.goto(url + rel)
                page.wait_for_load_state("load")
                errors += [f"{rel}: {v}" for v in page.evaluate("window.__violations")]
            # The search page's scripts are external files: Pagefind still answers.
            page.goto(url + "search/index.html?q=小额信贷")
            page.wait_for_selector(".pagefind-ui__result-link", timeout=20_000)
            assert page.locator(".pagefind-ui__result-link").count() >= 1
            errors += [f"search: {v}" for v in page.evaluate("window.__violations")]
            # And a violation would have been seen: an inline script is blocked and recorded.
            page.goto(url + "index.html")
            page.evaluate(
                "() => { const s = document.createElement('script');"
                " s.textContent = 'window.ran = 1'; document.head.append(s); }"
            )
            page.wait_for_timeout(100)
            assert page.evaluate("window.ran") is None
            assert any("script-src" in v for v in page.evaluate("window.__violations"))
        finally:
            browser.close()
    assert not errors, "\n".join(errors)
