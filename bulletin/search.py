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

Pagefind's binary (from the pinned `pagefind_bin_extended` wheel) runs once over a scratch
folder holding the pages to index; the bundle is read back into memory. (Its Python API costs
about 0.1 s per page and cannot return a bundle larger than 2 MiB through its pipe.)
"""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import RenderCache
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


def build_index(files: Mapping[str, bytes], pages: list[str]) -> dict[str, bytes]:
    """The Pagefind bundle over `pages` (site paths into `files`), as {site path: bytes}.

    The pages are written to a scratch folder and Pagefind's own binary indexes them in one
    run (its Python API sends one message per page and costs about 0.1 s each)."""
    binary = pagefind_executable()
    if not pages:  # nothing published yet (a --drafts preview): Pagefind refuses an empty site
        return {}
    with tempfile.TemporaryDirectory(prefix="bulletin-pagefind-") as tmp:
        source, folder = Path(tmp) / "site", Path(tmp) / BUNDLE
        for path in pages:
            target = source / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[path])
        done = subprocess.run(
            [str(binary), "--site", str(source), "--output-path", str(folder), "--silent"],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            raise BulletinError(f"Pagefind failed: {(done.stderr or done.stdout).strip()[:500]}")
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


def index_site(
    site: Site, files: Mapping[str, bytes], *, cache: bool = False
) -> tuple[dict[str, bytes], list[Finding]]:
    """The index stage: the search page and the Pagefind bundle, to add to the site's files.

    With `cache`, a bundle made from exactly the same pages (and Pagefind binary) is reused
    from .cache/bulletin/search instead of being indexed again."""
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
    pages = sorted(indexed_pages(site))
    store = RenderCache(site.root / ".cache" / "bulletin" / "search") if cache else None
    key = hashlib.sha256(str(binary.stat().st_size).encode() + binary.name.encode())
    for path in pages:
        key.update(path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
    hit = store.load("bundle", key.hexdigest()) if store else None
    if hit is None:
        bundle = build_index(files, pages)
        if store:
            store.store("bundle", key.hexdigest(), bundle, [])
    else:
        bundle = hit[0]
    added.update(bundle)
    return added, findings
