"""Search: a Pagefind index over the article permalinks, tried in a real browser.

The built site is served over HTTP under a sub-path (/bulletin/), the search page is opened in
headless Chromium (Debian's /usr/bin/chromium, driven by Playwright), and every query of
recall_queries.toml is typed into Pagefind's own search box. One browser serves the module.
Screenshots of the search page go to test-artifacts/.

The helpers here (serve, chromium, SearchPage, recall) are also used by
bench/pagefind_recall.py, which measures the same queries against other Pagefind builds.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import json
import re
import subprocess
import sys
import tempfile
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from bulletin.errors import BulletinError

from .conftest import ROOT, copy_project
from .e2e.browser import chromium  # Debian Chromium under Playwright, shared with e2e

QUERIES = Path(__file__).with_name("recall_queries.toml")
ARTIFACTS = ROOT / "test-artifacts"
PREFIX = "bulletin"  # the sub-path the site is served from
# Measured with the pinned Pagefind (1.3.0, extended build) in Chromium 156: 65 of 65 queries.
# (1.4.0 found 57, 1.5.2 found 51, 1.5.2's plain build 15: see bench/pagefind_recall.py.)
RECALL_THRESHOLD = 1.0
PERMALINK = re.compile(rf"^/{PREFIX}/editions/([\w-]+)/([\w-]+)\.html$")

# The results of `q` are on screen: the message is the final one for `q`
# ("找到 2 个 大蒜 的相关结果", "未找到 … 的相关结果"; not "正在搜索 大蒜..."), and every result
# shown has loaded its link.
# All results are shown unless the "load more" button is there. Returns their hrefs.
RESULTS_SHOWN = """q => {
  const message = document.querySelector(".pagefind-ui__message");
  if (!message) return false;
  const text = message.textContent.trim().replace(q, "\\u0000");
  const found = text.match(/^找到 (\\d+) 个 \\u0000 的相关结果$/);
  if (!found && text !== "未找到 \\u0000 的相关结果") return false;
  const results = [...document.querySelectorAll(".pagefind-ui__result")];
  const links = results.map(r => r.querySelector(".pagefind-ui__result-link"));
  if (!links.every(a => a)) return false;
  const more = document.querySelector(".pagefind-ui__button") !== null;
  return (results.length === Number(found ? found[1] : 0) || more) &&
    links.map(a => a.getAttribute("href"));
}"""
CLEARED = """() => !document.querySelector(".pagefind-ui__message, .pagefind-ui__result")"""


@dataclass(frozen=True)
class Query:
    q: str
    kind: str
    expect: tuple[str, ...]  # "edition-id/slug" of every article that contains the query


def load_queries(path: Path = QUERIES) -> list[Query]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [Query(d["q"], d["kind"], tuple(d["expect"])) for d in data["query"]]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(site: Path, prefix: str = PREFIX) -> Iterator[str]:
    """Serve `site` on 127.0.0.1 under /<prefix>/; yields the site's URL."""
    with tempfile.TemporaryDirectory(prefix="bulletin-serve-") as tmp:
        (Path(tmp) / prefix).symlink_to(site.resolve(), target_is_directory=True)
        handler = functools.partial(_QuietHandler, directory=tmp)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/{prefix}/"
        finally:
            server.shutdown()
            server.server_close()
            thread.join()


class SearchPage:
    """The site's search page in one browser tab, used as a reader would: type, read results."""

    def __init__(self, browser: Any, site_url: str) -> None:
        self.site_url = site_url
        self.page = browser.new_page(viewport={"width": 1000, "height": 900})
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("response", lambda r: self.failed.append(r.url) if r.status >= 400 else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.open()

    def open(self) -> None:
        self.page.goto(self.site_url + "search/index.html")
        self.box.wait_for()

    @property
    def box(self) -> Any:
        return self.page.locator(".pagefind-ui__search-input")

    def search(self, q: str, timeout: float = 15_000) -> list[str]:
        """Type `q` into the search box; the href of every result (all result pages loaded)."""
        self.box.fill("")  # the previous results leave the page first
        self.page.wait_for_function(CLEARED, timeout=timeout)
        self.box.fill(q)
        while True:
            hrefs = self.page.wait_for_function(RESULTS_SHOWN, arg=q, timeout=timeout).json_value()
            more = self.page.locator(".pagefind-ui__button")
            if not more.count():
                return hrefs
            more.first.click()

    def message(self) -> str:
        return self.page.locator(".pagefind-ui__message").inner_text()

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.page.close()


def article_key(href: str) -> str | None:
    """'2021-12/ningling' for a result link to an article permalink under the sub-path."""
    m = PERMALINK.match(href)
    return f"{m[1]}/{m[2]}" if m else None


def recall(queries: list[Query], found: dict[str, list[str]]) -> tuple[float, list[Query]]:
    """Fraction of queries whose every expected article is among its results, and the misses."""
    misses = [
        q for q in queries if not set(q.expect) <= {article_key(h) for h in found.get(q.q, [])}
    ]
    return 1 - len(misses) / len(queries), misses


def run_queries(search: SearchPage, queries: list[Query]) -> dict[str, list[str]]:
    return {q.q: search.search(q.q) for q in queries}


BLOCKS = ("p", "li", "td", "th", "caption", "h1", "h2", "h3", "h4", "figcaption", "div")


def _normal(text: str) -> str:
    """Text as the index matches it: punctuation and spaces removed, block breaks kept."""
    return re.sub(r"[^\w.%\n]", "", text)


def indexed_text(site: Path) -> dict[str, str]:
    """{'edition/slug': the text of the page's data-pagefind-body} of every article page.

    Blocks (paragraphs, table cells) end with a line break, so that two cells never read as
    one number."""
    texts = {}
    for page in sorted(site.glob("editions/*/*.html")):
        if page.name != "index.html":
            doc = lxml.html.parse(str(page)).getroot()
            [body] = doc.xpath("//*[@data-pagefind-body]")
            for block in body.iter(*BLOCKS):
                block.tail = "\n" + (block.tail or "")
            texts[f"{page.parent.name}/{page.stem}"] = body.text_content()
    return texts


def fragment_urls(site: Path) -> list[str]:
    """The URL of every page in the Pagefind index."""
    urls = []
    for fragment in sorted((site / "pagefind" / "fragment").iterdir()):
        data = gzip.decompress(fragment.read_bytes())
        urls.append(json.loads(data[data.index(b"{") :])["url"])
    return sorted(urls)


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site, built from a copy of the project (its lock file and cache untouched)."""
    from bulletin.builder import build

    base = tmp_path_factory.mktemp("search")
    out = base / "site"
    build(copy_project(base / "project"), out=out)
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def search(browser: Any, built_site: Path) -> Iterator[SearchPage]:
    with serve(built_site) as url:
        page = SearchPage(browser, url)
        yield page
        page.close()


# --- tests without a browser ---------------------------------------------------------------


def test_queries_are_answered_by_the_text(built_site: Path) -> None:
    """recall_queries.toml: enough real queries, each expecting exactly the articles with it."""
    queries = load_queries()
    assert len(queries) >= 30
    assert len({q.q for q in queries}) == len(queries)
    assert {q.kind for q in queries} == {"name", "place", "word", "phrase", "number", "words"}
    assert all(len(q.q) == 2 for q in queries if q.kind == "word")
    texts = {key: _normal(text) for key, text in indexed_text(built_site).items()}
    for q in queries:
        holding = sorted(k for k, t in texts.items() if all(_normal(w) in t for w in q.q.split()))
        assert holding == sorted(q.expect), q


def test_index_holds_only_article_permalinks(built_site: Path) -> None:
    """The home page and edition pages are not indexed, so results never repeat an article."""
    entry = json.loads((built_site / "pagefind" / "pagefind-entry.json").read_bytes())
    [language] = entry["languages"]
    assert language == "zh-cn"
    articles = sorted(
        "/" + p.relative_to(built_site).as_posix()
        for p in built_site.glob("editions/*/*.html")
        if p.name != "index.html"
    )
    assert fragment_urls(built_site) == articles
    assert entry["languages"]["zh-cn"]["page_count"] == len(articles) >= 8
    assert (built_site / "search" / "index.html").is_file()


def test_index_is_deterministic(built_site: Path) -> None:
    from bulletin.search import build_index

    files = {
        p.relative_to(built_site).as_posix(): p.read_bytes() for p in built_site.rglob("*.html")
    }
    pages = sorted(k for k in files if re.fullmatch(r"editions/[^/]+/(?!index)[^/]+\.html", k))
    first = build_index(files, pages)
    assert first == build_index(files, pages)
    on_disk = {
        p.relative_to(built_site).as_posix(): p.read_bytes()
        for p in (built_site / "pagefind").rglob("*")
        if p.is_file()
    }
    assert first == on_disk


def test_missing_pagefind_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bulletin.search import pagefind_executable

    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    with pytest.raises(BulletinError, match="needs the Pagefind binary") as e:
        pagefind_executable()
    assert "pip install 'pagefind[extended]" in str(e.value)
    monkeypatch.setitem(sys.modules, "pagefind.service", None)  # as if not installed
    with pytest.raises(BulletinError, match="needs Pagefind"):
        pagefind_executable()


def test_plain_pagefind_build_is_a_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, project: Path
) -> None:
    """A binary that is not the extended build cannot split Chinese: the build says so."""
    from bulletin.builder import build
    from bulletin.search import pagefind_executable

    plain = tmp_path / "bin" / "pagefind"
    plain.parent.mkdir()
    plain.symlink_to(pagefind_executable())
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(plain))
    result = build(project, out=tmp_path / "out")
    assert any("not Pagefind's extended build" in f.message for f in result.findings)


def test_help_does_not_import_pagefind() -> None:
    code = (
        "import sys\n"
        "from bulletin.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "assert not [m for m in sys.modules if m.startswith(('pagefind', 'playwright'))]\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- tests in the browser ------------------------------------------------------------------


def test_chinese_recall(search: SearchPage) -> None:
    """Every real query, typed into the search page; recall over all of them."""
    queries = load_queries()
    found = run_queries(search, queries)
    search.search("大蒜")
    search.screenshot("search-results.png")
    for q, hrefs in found.items():
        assert all(article_key(h) for h in hrefs), (q, hrefs)  # only article permalinks
        assert len(hrefs) == len(set(hrefs)), (q, hrefs)  # no article twice
    value, misses = recall(queries, found)
    report = ", ".join(f"{m.q} ({m.kind}) → {found[m.q]}" for m in misses)
    print(f"\nrecall {value:.1%} ({len(queries) - len(misses)}/{len(queries)}); missed: {report}")
    assert value >= RECALL_THRESHOLD, f"recall {value:.1%}; missed: {report}"
    assert not search.errors


def test_results_open_the_permalink_under_a_sub_path(search: SearchPage) -> None:
    search.open()
    assert search.search("胡国旗") == [f"/{PREFIX}/editions/2021-12/ningling.html"]
    assert "胡国旗" in search.page.locator(".pagefind-ui__result-excerpt").inner_text()
    title = search.page.locator(".pagefind-ui__result-link").inner_text()
    assert title == "为脱贫户架起致富桥（2021年第12期）"
    search.screenshot("search-permalink.png")
    search.page.locator(".pagefind-ui__result-link").click()
    search.page.wait_for_url("**/editions/2021-12/ningling.html")
    assert search.page.locator("main h2").inner_text() == "为脱贫户架起致富桥"
    # The page links back to the search page, which works from there too.
    search.page.locator("a", has_text="搜索").click()
    search.page.wait_for_url(f"**/{PREFIX}/search/index.html")
    assert search.search("王传峰") == [f"/{PREFIX}/editions/2021-12/liangyuan.html"]
    origin = search.site_url.split(f"/{PREFIX}/")[0]
    assert all(u.startswith(origin + f"/{PREFIX}/") for u in search.requests if "favicon" not in u)
    assert [u for u in search.failed if "favicon" not in u] == []
    assert not search.errors


def test_search_page_query_parameter(search: SearchPage) -> None:
    search.page.goto(search.site_url + "search/index.html?q=" + "热泪盈眶")
    search.page.wait_for_function(RESULTS_SHOWN, arg="热泪盈眶")
    links = search.page.locator(".pagefind-ui__result-link")
    assert links.evaluate_all("a => a.map(x => x.getAttribute('href'))") == [
        f"/{PREFIX}/editions/2021-12/liangyuan.html"
    ]


def test_search_page_opened_from_disk_says_it_needs_a_server(
    browser: Any, built_site: Path
) -> None:
    """Browsers do not let a file:// page load the index; the page says so instead of failing."""
    page = browser.new_page()
    page.goto((built_site / "search" / "index.html").as_uri())
    assert page.locator("#search-offline").is_visible()
    assert page.locator(".pagefind-ui__search-input").count() == 0
    page.close()


DRAFT_EDITION = (
    'number = 1\ndate = 2022-01-07\nstatus = "{status}"\n\n[[pages]]\narticles = ["secret"]\n'
)
DRAFT_ARTICLE = (
    "---\ntitle: 草稿稿件\n---\n\n"
    "欧阳振华同志在柘城县调研草莓大棚，现场确定投资987654元，扫除魑魅魍魉。\n"
)


@pytest.mark.parametrize("status", ["draft", "published"])
def test_drafts_are_never_searchable(browser: Any, tmp_path: Path, status: str) -> None:
    """A draft built with --drafts has its pages but no search results; published, it has."""
    from bulletin.builder import build

    project = copy_project(tmp_path / "project")
    edition = project / "content" / "2022-01"
    edition.mkdir()
    (edition / "edition.toml").write_text(DRAFT_EDITION.format(status=status), encoding="utf-8")
    (edition / "secret.md").write_text(DRAFT_ARTICLE, encoding="utf-8")
    out = tmp_path / "site"
    build(project, out=out, drafts=True)
    assert (out / "editions" / "2022-01" / "secret.html").is_file()
    secret = f"/{PREFIX}/editions/2022-01/secret.html"
    with serve(out) as url:
        page = SearchPage(browser, url)
        for q in ("欧阳振华", "魑魅魍魉", "987654"):
            assert (secret in page.search(q)) == (status == "published"), q
        assert page.search("胡国旗") == [f"/{PREFIX}/editions/2021-12/ningling.html"]
        if status == "draft":
            assert page.search("魑魅魍魉") == []
            assert "未找到" in page.message()
            page.screenshot("search-draft.png")
        page.close()
    indexed = fragment_urls(out)
    assert ("/editions/2022-01/secret.html" in indexed) == (status == "published")
