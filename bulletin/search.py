"""The search index: a Pagefind bundle over every published article, and the search page.

Only article permalink pages (`editions/<id>/<slug>.html`) of published editions are given to
Pagefind, so every result links to an article permalink, a draft's text is never in the index
(whatever `--drafts` says), and the home page (a copy of the latest edition page) and the
edition pages add no duplicate results. Inside an article page only the element marked
`data-pagefind-body` is indexed.

Chinese needs Pagefind's *extended* build, which segments Chinese into words; the plain build
treats a run of Chinese characters as one word. The version (1.3.0) is pinned in pyproject.toml
by the recall measurement in bench/pagefind_recall.py: later releases find fewer Chinese
queries (1.4 segments numbers with units differently; 1.5 also splits the query in the
browser with Intl.Segmenter, whose words often disagree with the index's).

Pagefind runs as a subprocess behind its Python API. The bundle is written into a temporary
folder and read back into memory: asking the service for the files instead (`get_files`)
sends them all through one pipe message, which the API cannot read past 2 MiB, so a large
archive would hang the build.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import BulletinError, Finding

if TYPE_CHECKING:
    from .content import Site

BUNDLE = "pagefind"  # site folder of the Pagefind bundle
PAGE = "search/index.html"  # site path of the search page
INSTALL_HINT = "install it with: pip install 'pagefind[extended]==1.3.0'"


def indexed_pages(site: Site) -> list[str]:
    """Site paths of the pages to index: every article permalink of a published edition."""
    from .render import article_path

    return [
        article_path(edition, article)
        for edition in site.editions
        if edition.published
        for article in edition.articles
    ]


def pagefind_executable() -> Path:
    """The Pagefind binary the Python API will run; a clear error when there is none."""
    try:
        from pagefind.service import get_executable
    except ImportError as e:
        raise BulletinError("the search index needs Pagefind", hint=INSTALL_HINT) from e
    try:
        found = get_executable()
    except FileNotFoundError:  # a pagefind_bin* package whose binary is missing
        found = None
    if found is None or not found.is_file():
        raise BulletinError("the search index needs the Pagefind binary", hint=INSTALL_HINT)
    return found


async def _index(pages: list[tuple[str, str]], folder: Path) -> None:
    from pagefind.index import PagefindIndex

    async with PagefindIndex(config={"output_path": str(folder)}) as index:
        for path, html in pages:  # one at a time, in order: the same input gives the same bundle
            await index.add_html_file(content=html, source_path=path)


def build_index(files: Mapping[str, bytes], pages: list[str]) -> dict[str, bytes]:
    """The Pagefind bundle over `pages` (site paths into `files`), as {site path: bytes}."""
    pagefind_executable()
    with tempfile.TemporaryDirectory(prefix="bulletin-pagefind-") as tmp:
        folder = Path(tmp) / BUNDLE
        sources = [(path, files[path].decode("utf-8")) for path in sorted(pages)]
        try:
            # In a thread of its own: the caller may be running an event loop (a dev server,
            # a notebook, Playwright's sync API), and asyncio.run() refuses to nest in one.
            with ThreadPoolExecutor(max_workers=1) as pool:
                pool.submit(asyncio.run, _index(sources, folder)).result()
        except Exception as e:
            raise BulletinError(f"Pagefind failed: {e}") from e
        return {
            f"{BUNDLE}/{p.relative_to(folder).as_posix()}": p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }


def render_search_page(site: Site) -> bytes:
    from .render import make_environment, relative_url

    env = make_environment(site.root / "templates")
    html = env.get_template("search.html").render(
        site=site.config,
        url=lambda target: relative_url(target, PAGE),
        page_path=PAGE,
        bundle=BUNDLE,
    )
    return html.encode("utf-8")


def index_site(site: Site, files: Mapping[str, bytes]) -> tuple[dict[str, bytes], list[Finding]]:
    """The index stage: the search page and the Pagefind bundle, to add to the site's files."""
    findings: list[Finding] = []
    binary = pagefind_executable()
    if binary.name.split(".")[0] != "pagefind_extended":
        findings.append(
            Finding(
                f"{binary} is not Pagefind's extended build: Chinese text will not be split "
                f"into words, and most Chinese searches will find nothing ({INSTALL_HINT})"
            )
        )
    added = {PAGE: render_search_page(site)}
    added.update(build_index(files, indexed_pages(site)))
    return added, findings
