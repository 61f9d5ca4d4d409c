"""The archive: several editions, previous/next, the Atom feed, the sitemap, drafts left out."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from bulletin.cli import main

ATOM = "{http://www.w3.org/2005/Atom}"


def add_edition(
    project: Path, folder: str, number: int, date: str, status: str, title: str
) -> None:
    edition = project / "content" / folder
    edition.mkdir(parents=True)
    (edition / "edition.toml").write_text(
        f'number = {number}\ndate = {date}\nstatus = "{status}"\n[[pages]]\n', encoding="utf-8"
    )
    (edition / "news.md").write_text(f"---\ntitle: {title}\n---\n\n正文。\n", encoding="utf-8")


@pytest.fixture
def archive(project: Path) -> Path:
    """Three published editions (one in the previous year) and one draft."""
    (project / "bulletin.toml").write_text(
        'name = "测试简报"\npublisher = "测试局"\nbase_url = "http://intranet.example/bulletin"\n',
        encoding="utf-8",
    )
    add_edition(project, "2023-12", 12, "2023-12-20", "published", "年末一期")
    add_edition(project, "2024-02", 2, "2024-02-05", "published", "二月一期")
    add_edition(project, "2024-03", 3, "2024-03-05", "draft", "草稿里的秘密")
    return project


def build(project: Path, *args: str) -> None:
    result = CliRunner().invoke(main, ["build", "--root", str(project), "--quiet", *args])
    assert result.exit_code == 0, result.output


def html(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.parse(str(path)).getroot()


def test_home_is_latest_published_and_archive_lists_all_by_year(archive: Path) -> None:
    build(archive)
    site = archive / "site"
    home = html(site / "index.html")
    assert home.xpath("//h2//text()") == ["二月一期"]
    page = html(site / "archive" / "index.html")
    years = page.xpath("//section[@class='archive-year']/h2/text()")
    assert years == ["2024年", "2023年"]
    items = [
        " ".join(li.xpath(".//h3/a/text()")) for li in page.xpath("//li[@class='archive-item']")
    ]
    assert items == ["第2期", "第1期", "第12期"]
    for href in page.xpath("//li[@class='archive-item']//a/@href"):
        assert (site / "archive" / href).resolve().is_file(), href
    assert "草稿" not in (site / "archive" / "index.html").read_text(encoding="utf-8")


def test_previous_and_next_links(archive: Path) -> None:
    build(archive)
    eds = archive / "site" / "editions"

    def nav(edition: str) -> dict[str, str]:
        page = html(eds / edition / "index.html")
        return {
            a.get("rel"): a.get("href") for a in page.xpath("//nav[@class='edition-nav']/a[@rel]")
        }

    assert nav("2023-12") == {"next": "../2024-01/index.html"}
    assert nav("2024-01") == {"prev": "../2023-12/index.html", "next": "../2024-02/index.html"}
    assert nav("2024-02") == {"prev": "../2024-01/index.html"}


def test_feed_is_atom_with_editions_and_articles(archive: Path) -> None:
    build(archive)
    root = ET.parse(archive / "site" / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    assert root.findtext(f"{ATOM}updated") == "2024-02-05T00:00:00+08:00"
    entries = root.findall(f"{ATOM}entry")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(ids) == len(set(ids)) == 6  # three editions and their three articles
    assert "http://intranet.example/bulletin/editions/2024-02/news.html" in ids
    for entry in entries:
        assert entry.findtext(f"{ATOM}title") and entry.findtext(f"{ATOM}updated")
        assert entry.find(f"{ATOM}link").get("href").startswith("http://intranet.example/bulletin/")
    assert "草稿" not in (archive / "site" / "feed.xml").read_text(encoding="utf-8")


def test_sitemap_lists_every_published_page(archive: Path) -> None:
    build(archive)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = [e.text for e in ET.parse(archive / "site" / "sitemap.xml").getroot().iter(f"{ns}loc")]
    base = "http://intranet.example/bulletin/"
    assert f"{base}editions/2023-12/news.html" in locs and f"{base}archive/index.html" in locs
    assert not any("2024-03" in loc for loc in locs)


def test_drafts_only_with_flag_and_never_listed(archive: Path) -> None:
    build(archive)
    assert not (archive / "site" / "editions" / "2024-03").exists()
    build(archive, "--drafts")
    site = archive / "site"
    assert (site / "editions" / "2024-03" / "news.html").exists()
    for listed in ("index.html", "archive/index.html", "feed.xml", "sitemap.xml"):
        assert "草稿里的秘密" not in (site / listed).read_text(encoding="utf-8"), listed
    assert html(site / "index.html").xpath("//h2//text()") == ["二月一期"]


def test_no_feed_without_base_url(project: Path) -> None:
    build(project)
    assert not (project / "site" / "feed.xml").exists()
    assert (project / "site" / "404.html").exists()
