"""The workbench (编辑台) driven in real Chromium as an editor would, end to end.

`bulletin serve` runs as a subprocess over a copy of the sample project, with a [publish]
destination that nginx serves under /bulletin/ (tests/e2e/servers.py). The editor makes the
next edition, uploads a Word article and a county workbook, reorders the articles, places the
table, fixes the problem a check reports, looks at the web edition and the PDF, publishes,
and the published site is read back: the page, the table's numbers, search. A second test
records a 勘误 on a published edition. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .conftest import copy_project
from .e2e.browser import ARTIFACTS, Tab, chromium
from .e2e.servers import free_port, nginx

HEADLINE = "睢县开展防返贫监测帮扶集中排查"
KICKER = "压实责任 精准帮扶"
# a half-width comma between Chinese characters: the check reports it, the editor fixes it
SLIP = "全县共走访农户12000户,发现风险点36个。"
TEXT = ["今年以来，睢县组织乡村两级干部开展防返贫监测帮扶集中排查。", SLIP,
        "对排查出的问题，逐户建立台账，限期整改到位。"]
COUNTIES = [("睢县", 29724, 1280, 4700), ("宁陵县", 25086, 925, 3350),
            ("民权县", 24359, 1420, 3455), ("柘城县", 31362, 1660, 8230)]


@dataclass
class Studio:
    root: Path
    url: str  # …/_studio/
    served: str  # the published site through nginx, …/bulletin/


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError(f"bulletin serve stopped ({process.returncode})")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(url)


@pytest.fixture
def studio(tmp_path: Path) -> Iterator[Studio]:
    root = copy_project(tmp_path / "sample")
    dest = tmp_path / "dest"
    with (root / "bulletin.toml").open("a", encoding="utf-8") as f:
        f.write(f'\n[publish]\ndest = "{dest}"\n')
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "bulletin", "serve", "--port", str(port)],
        cwd=root, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "BULLETIN_LANG": "zh"},
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/_studio/", process)
        with nginx(dest, tmp_path / "nginx") as served:
            yield Studio(root, f"http://127.0.0.1:{port}/_studio/", served)
    finally:
        process.terminate()
        process.wait(20)
        log.close()


def word_article(path: Path) -> Path:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph(KICKER, style="Subtitle")
    document.add_heading(HEADLINE, level=1)
    for text in TEXT:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def county_workbook(path: Path) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["商丘市防返贫监测户数统计表"])
    sheet.append(["县(市、区)", "已脱贫户数", "监测户数", "贷款户数"])
    for row in COUNTIES:
        sheet.append(list(row))
    sheet.append(["合计", *(sum(r[i] for r in COUNTIES) for i in (1, 2, 3))])
    book.save(str(path))
    return path


def fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read()


def saved(page: Any) -> None:
    """The save's "已保存", or the reason it was refused as the page shows it."""
    done = page.locator("#toast").filter(has_text="已保存").or_(page.locator(".failure"))
    done.first.wait_for(timeout=30_000)
    assert not page.locator(".failure").count(), page.locator(".failure").first.inner_text()
    page.locator("#toast").evaluate("t => { t.hidden = true; t.textContent = ''; }")


def test_an_editor_makes_and_publishes_an_edition(studio: Studio, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        tab = Tab(browser, width=1440, height=1000)
        page = tab.page
        page.on("dialog", lambda dialog: dialog.accept())

        # 新一期
        page.goto(studio.url)
        page.locator("table.list").wait_for()
        page.locator("input[type=date]").fill("2022-01-07")
        page.get_by_role("button", name="新一期").click()
        page.wait_for_url("**#/e/2022-01")
        page.locator("#save-edition").wait_for()

        # 上传 Word 稿件: it opens as an article
        page.set_input_files("input[accept='.docx']", word_article(tmp_path / "睢县排查.docx"))
        page.wait_for_url("**#/a/2022-01/*")
        assert page.locator("#f-title").input_value() == HEADLINE
        assert page.locator("#f-kicker").input_value() == KICKER
        page.locator(".preview-article h1").filter(has_text=HEADLINE).wait_for()
        slug = page.url.rsplit("/", 1)[-1]
        tab.screenshot("studio-e2e-article.png")

        # the example article the new edition came with: its headline and text rewritten
        page.goto(studio.url + "#/a/2022-01/article-1")
        # the same screen for another article: typed into only once it has replaced the last one
        page.locator(".crumbs").filter(has_text="article-1").wait_for()
        page.locator("#main:not([aria-busy])").wait_for()
        page.locator("#f-title").fill("全市召开防返贫监测推进会")
        page.locator("#f-body").fill("\n会议要求，各县（市、区）压紧压实责任，确保不发生规模性返贫。\n")
        page.locator(".preview-article h1").filter(has_text="推进会").wait_for()
        page.locator("#save-article").click()
        saved(page)

        # 上传县区表格: the computed table
        page.goto(studio.url + "#/e/2022-01")
        workbook = county_workbook(tmp_path / "监测户数.xlsx")
        page.set_input_files("input[accept='.xlsx,.csv']", workbook)
        page.wait_for_url("**#/t/2022-01/*")
        total = sum(r[1] for r in COUNTIES)
        page.locator(".computed table").filter(has_text=str(total)).wait_for()
        table = page.url.rsplit("/", 1)[-1]

        # reorder (the Word article first), place the table, publish the edition's status
        page.goto(studio.url + "#/e/2022-01")
        first = page.locator("ol.order li").first
        first.wait_for()
        assert first.get_attribute("data-slug") == "article-1"
        first.get_by_role("button", name="下移").click()
        assert page.locator("ol.order li").first.get_attribute("data-slug") == slug
        page.locator(f"input.f-table[value='{table}']").check()
        page.locator("#save-edition").click()
        saved(page)
        toml = (studio.root / "content/2022-01/edition.toml").read_text(encoding="utf-8")
        assert f'articles = ["{slug}", "article-1"]' in toml and f'tables = ["{table}"]' in toml
        tab.screenshot("studio-e2e-edition.png")

        # the check reports the half-width comma; a click opens the article at its line
        page.goto(studio.url + "#/problems")
        problem = page.locator(".problem", has_text=f"content/2022-01/{slug}.md")
        problem.first.wait_for(timeout=120_000)
        tab.screenshot("studio-e2e-problems.png")
        problem.first.click()
        page.wait_for_url(f"**#/a/2022-01/{slug}?line=*")
        body = page.locator("#f-body")
        page.wait_for_function("() => { const b = document.querySelector('#f-body');"
                               " return b && b.selectionEnd > b.selectionStart; }")
        selected = body.evaluate("b => b.value.slice(b.selectionStart, b.selectionEnd)")
        assert SLIP in selected
        body.fill(body.input_value().replace("12000户,发现", "12000户，发现"))
        page.locator("#save-article").click()
        saved(page)
        page.goto(studio.url + "#/problems")
        page.locator("#run-check").click()
        page.locator(".stamp").filter(has_text="检查").wait_for()
        page.wait_for_function("() => !document.querySelector('#run-check').disabled")
        assert page.locator(".problem", has_text=f"content/2022-01/{slug}.md").count() == 0

        # 预览网页 and 生成 PDF of the current state
        page.goto(studio.url + "#/e/2022-01")
        with page.expect_popup() as popup:
            page.get_by_role("link", name="预览网页").click()
        web = popup.value
        web.locator("h2", has_text=HEADLINE).first.wait_for(timeout=60_000)
        web.close()
        page.get_by_role("button", name="生成 PDF").click()
        link = page.get_by_role("link", name="打开 PDF")
        link.wait_for(timeout=180_000)
        status, pdf = fetch(studio.url + str(link.get_attribute("href")))
        assert status == 200 and pdf.startswith(b"%PDF")

        # the edition is ready: its status 已发布, then 发布 to the folder nginx serves
        page.locator("#f-status").select_option("published")
        page.locator("#save-edition").click()
        saved(page)
        assert 'status = "published"' in (studio.root / "content/2022-01/edition.toml").read_text(
            encoding="utf-8")
        page.goto(studio.url + "#/publish")
        page.locator("#publish").click()
        page.locator("#publish-result .ok").wait_for(timeout=600_000)
        tab.screenshot("studio-e2e-publish.png")
        assert not tab.errors, tab.errors
        tab.close()

        # the published site: the page, the table's numbers, search
        status, html = fetch(studio.served + "editions/2022-01/")
        text = html.decode("utf-8")
        assert status == 200 and HEADLINE in text and "12000户，发现风险点" in text
        assert text.index(HEADLINE) < text.index("全市召开防返贫监测推进会")
        for number in (total, sum(r[2] for r in COUNTIES), sum(r[3] for r in COUNTIES)):
            assert f">{number}<" in text, number
        status, article = fetch(studio.served + f"editions/2022-01/{slug}.html")
        assert "12000户，发现风险点36个" in article.decode("utf-8")
        search = Tab(browser, width=1000)
        search.page.goto(studio.served + "search/index.html")
        search.page.locator(".pagefind-ui__search-input").fill("排查")
        result = search.page.locator(".pagefind-ui__result-link")
        result.first.wait_for(timeout=30_000)
        hrefs = result.evaluate_all("a => a.map(x => x.getAttribute('href'))")
        assert any(h.endswith(f"/editions/2022-01/{slug}.html") for h in hrefs), hrefs
        search.close()


def test_a_correction_is_recorded_on_a_published_edition(studio: Studio) -> None:
    with chromium() as browser:
        tab = Tab(browser, width=390, height=844)
        page = tab.page
        page.goto(studio.url + "#/a/2021-13/xindai")
        body = page.locator("#f-body")
        body.wait_for()
        body.fill(body.input_value().replace("小额信贷", "小额信贷（扶贫小额信贷）", 1))
        page.locator("#save-article").click()
        page.locator(".failure").filter(has_text="勘误").wait_for()  # refused without one
        page.locator(".correction .c-date").fill("2021-12-30")
        page.locator(".correction .c-text").fill("第一段补充“扶贫小额信贷”的全称")
        page.locator("#save-article").click()
        saved(page)
        tab.screenshot("studio-e2e-correction-390.png")
        refused = "status of 400 (Bad Request) (" + studio.url + "api/articles/2021-13/xindai)"
        assert [e for e in tab.errors if not e.endswith(refused)] == [], tab.errors
        tab.close()
    edition = (studio.root / "content/2021-13/edition.toml").read_text(encoding="utf-8")
    assert '[[corrections]]\ndate = 2021-12-30\ntext = "第一段补充“扶贫小额信贷”的全称"' in edition
    built = subprocess.run([sys.executable, "-m", "bulletin", "build", "--no-pdf"],
                           cwd=studio.root, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    page_html = (studio.root / "site/editions/2021-13/index.html").read_text(encoding="utf-8")
    assert "第一段补充“扶贫小额信贷”的全称" in page_html


def test_a_slow_screen_does_not_replace_the_one_the_editor_went_on_to(studio: Studio) -> None:
    """An article whose data is slow to come must not cover the article opened after it, nor
    its preview (the editor would be typing into a screen about to vanish)."""
    with chromium() as browser:
        tab = Tab(browser, width=1440, height=1000)
        page = tab.page
        held: list[Any] = []
        page.route("**/api/articles/2021-13/xindai", lambda route: held.append(route))
        page.goto(studio.url + "#/a/2021-13/xindai")
        for _ in range(600):  # (30 s at most)
            if held:
                break
            page.wait_for_timeout(50)
        assert held, "the article's data was never asked for"
        page.evaluate("location.hash = '#/a/2021-13/suixian'")
        page.locator(".crumbs").filter(has_text="suixian").wait_for()
        page.locator("#main:not([aria-busy])").wait_for()
        with page.expect_response("**/api/articles/2021-13/xindai"):
            held[0].continue_()
        page.wait_for_timeout(300)  # the slow answer's screen would have been shown by now
        assert "suixian" in page.locator(".crumbs").inner_text()
        assert page.locator(".crumbs").filter(has_text="xindai").count() == 0
        tab.close()
