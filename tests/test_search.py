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
import datetime as dt
import functools
import gzip
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest

from bulletin.diagnostics.errors import BulletinError

from .conftest import ROOT, copy_project, tree_digest
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


def fragment_urls(site: Path, shard: str = "*") -> list[str]:
    """The URL of every page in the Pagefind index (of one shard: pagefind/<shard>/)."""
    urls = []
    for fragment in sorted(site.glob(f"pagefind/{shard}/fragment/*")):
        data = gzip.decompress(fragment.read_bytes())
        urls.append(json.loads(data[data.index(b"{") :])["url"])
    return sorted(urls)


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site, built from a copy of the project (its lock file and cache untouched)."""
    from bulletin.build import build

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
    """The home page and edition pages are not indexed, so results never repeat an article.
    The sample's two editions are of one year: one shard, which is also the primary."""
    assert sorted(p.name for p in (built_site / "pagefind").iterdir()) == [
        "2021-1",
        "pagefind-ui.css",
        "pagefind-ui.js",
    ]
    entry = json.loads((built_site / "pagefind" / "2021-1" / "pagefind-entry.json").read_bytes())
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
    from bulletin.index.search import build_index, site_bundle

    files = {
        p.relative_to(built_site).as_posix(): p.read_bytes() for p in built_site.rglob("*.html")
    }
    pages = sorted(k for k in files if re.fullmatch(r"editions/[^/]+/(?!index)[^/]+\.html", k))
    first = build_index(files, pages)
    assert first == build_index(files, pages)
    assert "pagefind-highlight.js" not in first  # the site does not use it
    on_disk = {
        p.relative_to(built_site).as_posix(): p.read_bytes()
        for p in (built_site / "pagefind").rglob("*")
        if p.is_file()
    }
    assert site_bundle({"2021-1": first}, "2021-1") == on_disk


def test_missing_pagefind_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bulletin.index.search import pagefind_executable

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
    from bulletin.build import build
    from bulletin.index.search import pagefind_executable

    plain = tmp_path / "bin" / "pagefind"
    plain.parent.mkdir()
    plain.symlink_to(pagefind_executable())
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(plain))
    result = build(project, out=tmp_path / "out")
    assert any("not Pagefind's extended build" in str(f.message) for f in result.findings)


def test_help_does_not_import_pagefind() -> None:
    code = (
        "import sys\n"
        "from bulletin.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "assert not [m for m in sys.modules if m.startswith(('pagefind', 'playwright'))]\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- shards ---------------------------------------------------------------------------------


def fake_site(dates: list[dt.date], drafts: frozenset[int] = frozenset(), slugs: str = "ab") -> Any:
    """A site of editions e000, e001, … on `dates` (oldest first), each with articles `slugs`;
    the editions numbered in `drafts` are drafts."""
    editions = [
        SimpleNamespace(
            id=f"e{i:03d}",
            year=day.year,
            published=i not in drafts,
            articles=[SimpleNamespace(slug=slug) for slug in slugs],
        )
        for i, day in enumerate(dates)
    ]
    return SimpleNamespace(editions=editions)


WEEKLY = [dt.date(2019, 1, 4) + dt.timedelta(weeks=i) for i in range(120)]  # 52, 52, 16 a year


def test_shards_are_years_cut_into_chunks_of_thirteen() -> None:
    from bulletin.index.search import SHARD_EDITIONS, shards

    assert SHARD_EDITIONS == 13
    site = fake_site(WEEKLY)
    found = shards(site)
    assert [s.id for s in found] == [
        *(f"2019-{k}" for k in range(1, 5)),
        *(f"2020-{k}" for k in range(1, 5)),
        "2021-1",
        "2021-2",
    ]
    assert [len(s.editions) for s in found] == [13] * 9 + [3]
    assert [e for s in found for e in s.editions] == [e.id for e in site.editions]  # in order
    year = {e.id: e.year for e in site.editions}
    assert all({year[e] for e in s.editions} == {int(s.id.split("-")[0])} for s in found)
    assert found[0].pages[:3] == (
        "editions/e000/a.html",
        "editions/e000/b.html",
        "editions/e001/a.html",
    )
    # A monthly bulletin: one shard a year.
    monthly = [dt.date(2020 + i // 12, i % 12 + 1, 15) for i in range(24)]
    assert [(s.id, len(s.editions)) for s in shards(fake_site(monthly))] == [
        ("2020-1", 12),
        ("2021-1", 12),
    ]


def test_drafts_are_in_no_shard() -> None:
    from bulletin.index.search import indexed_pages, shards

    site = fake_site(WEEKLY[:30], drafts=frozenset({0, 5, 29}))
    found = shards(site)
    indexed = [e for s in found for e in s.editions]
    assert indexed == [e.id for e in site.editions if e.published]
    assert {"e000", "e005", "e029"}.isdisjoint(indexed)
    assert [len(s.editions) for s in found] == [13, 13, 1]
    assert not any("/e005/" in page for page in indexed_pages(site))
    # Editions without an article make no shard (Pagefind refuses an empty site); the others
    # keep their ids.
    empty = fake_site(WEEKLY[:60], slugs="")
    assert shards(empty) == []
    mixed = fake_site(WEEKLY[:60])
    for edition in mixed.editions[13:26]:
        edition.articles = []
    assert [s.id for s in shards(mixed)] == ["2019-1", "2019-3", "2019-4", "2020-1"]


def test_a_new_edition_changes_only_the_last_shard() -> None:
    from bulletin.index.search import shards

    for n in range(1, len(WEEKLY)):
        before, after = shards(fake_site(WEEKLY[:n])), shards(fake_site(WEEKLY[: n + 1]))
        assert before[:-1] == after[: len(before) - 1], n
        assert [s for s in after if s not in before] == [after[-1]], n
        assert after[-1].editions[-1] == f"e{n:03d}"


def test_shards_are_indexed_side_by_side(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards to index run at the same time, as many as there are usable cores."""
    from bulletin.index import search
    from bulletin.index.search import Shard

    assert search.usable_cores() == len(os.sched_getaffinity(0))
    both = threading.Barrier(2, timeout=30)  # passed only by two runs at the same time
    lock = threading.Lock()
    running, most = 0, 0

    def fake_run(files: Any, pages: Any) -> dict[str, bytes]:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        both.wait()
        with lock:
            running -= 1
        return {"pages": " ".join(pages).encode()}

    monkeypatch.setattr(search, "build_index", fake_run)
    monkeypatch.setattr(search, "usable_cores", lambda: 2)
    todo = [Shard(f"2020-{k}", (f"e{k}",), (f"editions/e{k}/a.html",)) for k in range(1, 7)]
    built = search.build_shards({}, todo)
    assert list(built) == [s.id for s in todo]
    assert built["2020-3"] == {"pages": b"editions/e3/a.html"}
    assert most == 2


def test_shard_key_follows_the_pages_bytes() -> None:
    """The key is the same whether the build's files know their SHA-256 or give their bytes."""
    from bulletin.index.search import Shard, pagefind_executable, shard_key

    class Known(dict[str, bytes]):
        def digest(self, path: str) -> str:
            return hashlib.sha256(self[path]).hexdigest()

    binary, shard = pagefind_executable(), Shard("2020-1", ("a",), ("editions/a/b.html",))
    files = {"editions/a/b.html": b"<p>x</p>", "editions/a/index.html": b"<p>y</p>"}
    key = shard_key(binary, shard, files)
    assert shard_key(binary, shard, Known(files)) == key
    assert shard_key(binary, shard, {**files, "editions/a/index.html": b""}) == key
    assert shard_key(binary, shard, {**files, "editions/a/b.html": b"<p>z</p>"}) != key
    moved = Shard("2020-1", ("a",), ("editions/a/c.html",))
    assert shard_key(binary, moved, {"editions/a/c.html": b"<p>x</p>"}) != key


def add_edition(project: Path, edition_id: str, day: str, number: int, **articles: str) -> None:
    """A published edition with one page of `articles` ({slug: "title|body"})."""
    folder = project / "content" / edition_id
    folder.mkdir()
    (folder / "edition.toml").write_text(
        f'number = {number}\ndate = {day}\nstatus = "published"\n\n[[pages]]\n',
        encoding="utf-8",
    )
    for slug, text in articles.items():
        title, body = text.split("|")
        (folder / f"{slug}.md").write_text(f"---\ntitle: {title}\n---\n\n{body}\n", "utf-8")


REVISIT = "胡国旗再访宁陵|胡国旗同志又一次来到宁陵县，看望种植猕猴桃的农户。"


def test_a_changed_article_indexes_only_its_shard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sample (2021: shard 2021-1) and editions of 2022 (shard 2022-1): a change indexes
    only the shard it is in, and the cached build equals a build from scratch."""
    from bulletin.build import build
    from bulletin.index import search

    project = copy_project(tmp_path / "project")
    add_edition(project, "2022-01", "2022-01-07", 1, revisit=REVISIT)
    site, cache = project / "site", project / ".cache" / "bulletin" / "search"
    runs: list[list[str]] = []
    run_one = search.build_index

    def counted(files: Any, pages: Any) -> dict[str, bytes]:
        pages = list(pages)
        runs.append(sorted({page.split("/")[1] for page in pages}))  # the editions
        return run_one(files, pages)

    monkeypatch.setattr(search, "build_index", counted)

    def rebuild() -> list[list[str]]:
        runs.clear()
        build(project, out=site, pdf=False)
        return sorted(runs)

    def same_as_fresh(name: str) -> None:
        build(project, out=tmp_path / name, cache=False, pdf=False)
        assert tree_digest(site) == tree_digest(tmp_path / name)

    assert rebuild() == [["2021-12", "2021-13"], ["2022-01"]]
    assert sorted(p.name.split(".")[0] for p in cache.iterdir()) == ["2021-1", "2022-1"]
    assert rebuild() == []
    assert sorted(p.parent.name for p in site.glob("pagefind/*/pagefind.js")) == ["2022-1"]

    (project / "bulletin.lock").unlink()  # this test is about the cache, not the lock
    article = project / "content" / "2021-12" / "ningling.md"
    article.write_text(article.read_text("utf-8").replace("胡国旗是一位", "胡国旗是位"), "utf-8")
    assert rebuild() == [["2021-12", "2021-13"]]
    same_as_fresh("fresh-1")

    add_edition(project, "2022-02", "2022-01-14", 2, later="再下一期|正文。")
    assert rebuild() == [["2022-01", "2022-02"]]
    assert "/editions/2022-02/later.html" in fragment_urls(site, "2022-1")
    same_as_fresh("fresh-2")

    # The 2022 editions are gone: no run at all, the 2021 shard (from the cache) is now the
    # primary, and the cache forgets the shard that is gone.
    (project / "bulletin.lock").unlink()
    for edition in ("2022-01", "2022-02"):
        shutil.rmtree(project / "content" / edition)
    assert rebuild() == []
    assert sorted(p.name.split(".")[0] for p in cache.iterdir()) == ["2021-1"]
    assert sorted(p.parent.name for p in site.glob("pagefind/*/pagefind.js")) == ["2021-1"]
    same_as_fresh("fresh-3")


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
    from bulletin.build import build

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


def test_one_search_finds_articles_of_two_shards(browser: Any, tmp_path: Path) -> None:
    """An article of 2021 (shard 2021-1, merged) and one of 2022 (2022-1, the primary) are found
    by one query under the sub-path, and each result opens its own article."""
    from bulletin.build import build

    project = copy_project(tmp_path / "project")
    add_edition(project, "2022-01", "2022-01-07", 1, revisit=REVISIT)
    out = tmp_path / "site"
    build(project, out=out, pdf=False)
    assert "/editions/2021-12/ningling.html" in fragment_urls(out, "2021-1")
    assert fragment_urls(out, "2022-1") == ["/editions/2022-01/revisit.html"]
    search_page = lxml.html.parse(str(out / "search" / "index.html")).getroot()
    [box] = search_page.xpath("//*[@id='search']")
    assert box.get("data-bundles") == "../pagefind/2022-1/ ../pagefind/2021-1/"
    titles = {
        f"/{PREFIX}/editions/2021-12/ningling.html": "为脱贫户架起致富桥",
        f"/{PREFIX}/editions/2022-01/revisit.html": "胡国旗再访宁陵",
    }
    with serve(out) as url:
        page = SearchPage(browser, url)
        said: list[str] = []  # Pagefind warns of an index it skips or cannot load
        page.page.on("console", lambda m: said.append(m.text) if m.type != "log" else None)
        assert sorted(page.search("胡国旗")) == sorted(titles)
        assert page.search("猕猴桃") == [f"/{PREFIX}/editions/2022-01/revisit.html"]
        assert page.search("王传峰") == [f"/{PREFIX}/editions/2021-12/liangyuan.html"]
        page.search("胡国旗")
        page.screenshot("search-two-shards.png")
        asked = [urlsplit(u).path for u in page.requests]
        # The search code and its WebAssembly come from the primary shard only, once.
        code = [p for p in asked if p.endswith(("pagefind.js", ".pagefind"))]
        assert code == [
            f"/{PREFIX}/pagefind/2022-1/pagefind.js",
            f"/{PREFIX}/pagefind/2022-1/wasm.unknown.pagefind",
        ]
        for shard in ("2021-1", "2022-1"):
            assert any(p.startswith(f"/{PREFIX}/pagefind/{shard}/fragment/") for p in asked)
        for href, title in titles.items():
            page.open()
            page.search("胡国旗")
            page.page.locator(f'.pagefind-ui__result-link[href="{href}"]').click()
            page.page.wait_for_url(f"**{href}")
            assert page.page.locator("main h2").inner_text() == title
        assert [u for u in page.failed if "favicon" not in u] == []
        assert not page.errors
        assert [m for m in said if "pagefind" in m.lower() or "index" in m.lower()] == []
        page.close()
