"""End to end: the sample edition reproduces the seed page, text and order.

The seed is the text extracted from the printed page, with its punctuation made half-width
(ASCII commas and parentheses); the sample has the page's full-width punctuation. The two
are compared modulo that: both sides through `punctuation.convert`, the function behind
`bulletin fix`, which changes nothing else."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest

from bulletin.punctuation import convert

from .conftest import ROOT

SEED = ROOT / "seeds" / "000_f17b164be1103b71.txt"
BANNER = "压紧压实巩固脱贫攻坚成果主体责任 坚决守住不发生规模性返贫底线"
CREDIT = "本版由商丘市乡村振兴局供稿"
# (引题, 主题) of the six articles, in the seed's order.
HEADLINES = [
    (
        "加大资金投入 落实整合政策 支持驻村帮扶 加强资金监管",
        "市财政局推动脱贫攻坚和乡村振兴有效衔接",
    ),
    (
        "构建指挥体系强保障 定期工作调度抓落实 补齐短板弱项促提升",
        "民权县亮出责任“利剑”力保脱贫成果",
    ),
    ("宁陵县致富带头人胡国旗", "为脱贫户架起致富桥"),
    ("创新形式 多措并举", "柘城县确保后评估各项工作落实落细"),
    ("一增收、两不愁、三保障、四不摘、五衔接、六措施", "示范区巩固拓展脱贫成果扎实推进乡村振兴"),
    ("梁园区当店王村", "“一元公益联盟”筑起防返贫保障线"),
]
# Words the printed page split across a column break; the edition joins every one.
SPLIT_WORDS = {
    ("逐年", "提高"),
    ("3", "万元"),
    ("金融扶", "贫组"),
    ("开", "到村里"),
    ("一头连着", "众多"),
    ("从不打白条,", "让蒜农"),
    ("挂", "钩"),
    ("完善信息", "登记"),
    ("当店王", "村整体"),
    ("打", "商标"),
}


def seed_articles() -> tuple[list[list[str]], set[tuple[str, str]]]:
    """The seed's body paragraphs per article (split words joined), and the joins made."""
    blocks = [
        b.strip() for b in re.split(r"\n\s*\n", SEED.read_text(encoding="utf-8")) if b.strip()
    ]
    assert blocks[0] == BANNER and blocks[-1] == f"({CREDIT})"
    starts = []
    for kicker, title in HEADLINES:
        i = blocks.index(kicker)
        assert blocks[i + 1] == title
        starts.append(i)
    table = next(i for i, b in enumerate(blocks) if b.endswith("通报表"))
    articles, joins = [], set()
    for start, end in zip(starts, [*starts[1:], table], strict=True):
        paragraphs: list[str] = []
        for block in blocks[start + 2 : end]:
            if paragraphs and not re.search(r"[。！？”]$", paragraphs[-1]):
                joins.add((re.split(r"[。；]", paragraphs[-1])[-1][-6:], block[: len(block)]))
                paragraphs[-1] += block
            else:
                paragraphs.append(block)
        articles.append(paragraphs)
    return articles, joins


def edition_articles(page: Path) -> list[dict[str, object]]:
    doc = lxml.html.parse(str(page)).getroot()
    result = []
    for art in doc.xpath('//main//article[contains(concat(" ", @class, " "), " article ")]'):
        result.append(
            {
                "kicker": "".join(art.xpath('.//p[@class="kicker"]/text()')),
                "title": art.xpath(".//h2")[0].text_content(),
                "order": [
                    e.get("class") or e.tag for e in art.xpath(".//p[@class='kicker'] | .//h2")
                ],
                "paragraphs": [p.text_content() for p in art.xpath('.//div[@class="body"]//p')],
            }
        )
    return result


def test_seed_split_words_are_the_known_ones() -> None:
    _, joins = seed_articles()
    found = {(a, b) for a, b in joins}
    for left, right in SPLIT_WORDS:
        assert any(a.endswith(left) and b.startswith(right) for a, b in found), (left, right)
    assert len(joins) == len(SPLIT_WORDS)


@pytest.mark.parametrize("page", ["editions/2021-12/index.html"])
def test_every_seed_paragraph_in_order(sample_site: Path, page: str) -> None:
    expected, _ = seed_articles()
    built = edition_articles(sample_site / page)
    assert [(a["kicker"], a["title"]) for a in built] == HEADLINES
    for article, paragraphs in zip(built, expected, strict=True):
        assert normalised(article["paragraphs"]) == normalised(paragraphs)
        assert article["order"] == ["kicker", "title"]  # the kicker stands before its headline
    text = (sample_site / page).read_text(encoding="utf-8")
    assert BANNER in text and f"（{CREDIT}）" in text
    for left, right in SPLIT_WORDS:
        assert convert(left + right) in text


def normalised(paragraphs: object) -> list[str]:
    """Paragraphs with their punctuation as printed (full-width in Chinese text)."""
    assert isinstance(paragraphs, list)
    return [convert(p) for p in paragraphs]


def test_the_sample_keeps_the_seed_words_with_the_printed_punctuation(sample_site: Path) -> None:
    """Only the punctuation differs from the seed, and the sample has it as printed: the
    normalisation changes the sample's paragraphs not at all, and the seed's in its marks."""
    expected, _ = seed_articles()
    built = edition_articles(sample_site / "editions/2021-12/index.html")
    for article, paragraphs in zip(built, expected, strict=True):
        assert normalised(article["paragraphs"]) == article["paragraphs"]
        seed = "".join(paragraphs)
        assert convert(seed) != seed and "," not in "".join(article["paragraphs"])  # type: ignore[arg-type]


def test_article_permalink_pages(sample_site: Path) -> None:
    expected, _ = seed_articles()
    slugs = ["caizheng", "minquan", "ningling", "zhecheng", "shifanqu", "liangyuan"]
    for slug, (kicker, title), paragraphs in zip(slugs, HEADLINES, expected, strict=True):
        [article] = edition_articles(sample_site / "editions" / "2021-12" / f"{slug}.html")
        assert (article["kicker"], article["title"], normalised(article["paragraphs"])) == (
            kicker,
            title,
            normalised(paragraphs),
        )
        doc = lxml.html.parse(str(sample_site / "editions" / "2021-12" / f"{slug}.html")).getroot()
        assert doc.xpath('//a[text()="返回本期"]/@href') == ["index.html"]


def _links(page: Path) -> list[str]:
    doc = lxml.html.parse(str(page)).getroot()
    return [v for attr in ("href", "src") for v in doc.xpath(f"//@{attr}")] + [
        u.strip().split(" ")[0] for s in doc.xpath("//@srcset") for u in s.split(",")
    ]


def test_links_are_relative_and_resolve_inside_site(sample_site: Path) -> None:
    pages = sorted(sample_site.rglob("*.html"))
    assert len(pages) >= 8
    for page in pages:
        doc = lxml.html.parse(str(page)).getroot()
        assert doc.get("lang") == "zh-CN", page
        base_href = doc.xpath("//base/@href")
        base = (page.parent / base_href[0]) if base_href else page.parent
        for url in _links(page) + base_href:
            parts = urlsplit(url)
            assert not parts.scheme and not parts.netloc and not url.startswith("/"), (page, url)
            if not parts.path:
                continue
            if url in base_href:
                target = (page.parent / parts.path).resolve()
                assert target.is_dir() and target.is_relative_to(sample_site.resolve())
                continue
            target = (base / unquote(parts.path)).resolve()
            assert target.is_relative_to(sample_site.resolve()), (page, url)
            assert target.is_file(), (page, url)


def test_no_external_requests(sample_site: Path) -> None:
    """Nothing in the site can make a browser fetch from elsewhere: CSS url()/@import and SVG
    references are relative too (namespace URIs and comments are not requests)."""
    import xml.etree.ElementTree as ET

    for css in sample_site.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)", text) + re.findall(
            r"@import\s+['\"]([^'\"]+)", text
        ):
            assert not re.match(r"^([a-z][a-z0-9+.-]*:|//)", ref, re.I) or ref.startswith(
                "data:"
            ), (css, ref)
    for svg in sample_site.rglob("*.svg"):
        for element in ET.parse(svg).iter():
            for name, value in element.attrib.items():
                if name.endswith("href") or name == "src":
                    assert value.startswith("#"), (svg, value)
            assert not element.tag.endswith("}script"), svg


def test_build_py_is_bulletin_build(tmp_path: Path) -> None:
    """`python build.py [options]` and `bulletin build [options]` write the same site."""
    outs = []
    for cmd in (
        [sys.executable, "build.py", "--quiet", "--out"],
        [sys.executable, "-m", "bulletin", "build", "--quiet", "--out"],
    ):
        out = tmp_path / str(len(outs))
        done = subprocess.run([*cmd, str(out)], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        outs.append(out)
    from .conftest import tree_digest

    assert tree_digest(outs[0]) == tree_digest(outs[1]) != {}
    help_text = subprocess.run(
        [sys.executable, "build.py", "--help"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    assert "--drafts" in help_text and "--strict" in help_text


def test_sample_page_shows_the_computed_table(sample_site: Path) -> None:
    """The page carries the computed numbers, not the seed's hand-typed ones where they differ."""
    doc = lxml.html.parse(str(sample_site / "editions/2021-12/index.html")).getroot()
    [table] = doc.xpath("//figure[@id='table-microcredit']//table")
    rows = {
        tr.xpath("./th")[0].text_content(): [td.text_content() for td in tr.xpath("./td")]
        for tr in table.xpath(".//tbody/tr | .//tfoot/tr")
    }
    assert list(rows)[:10] == [
        "永城市",
        "夏邑县",
        "虞城县",
        "示范区",
        "梁园区",
        "睢阳区",
        "宁陵县",
        "柘城县",
        "睢县",
        "民权县",
    ]
    assert list(rows)[10] == "合计" and len(rows) == 11
    assert rows["梁园区"] == ["2811", "71", "182", "7", "0.24%", "6.32%", "10"]
    assert rows["柘城县"] == ["31362", "1656", "8058", "7763", "23.51%", "24.40%", "1"]
    assert rows["合计"][:6] == ["217445", "8345", "32504", "26441", "11.71%", "14.40%"]
    csv = (sample_site / "editions/2021-12/microcredit.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf") and "217445" in csv.decode("utf-8-sig")


def test_second_sample_edition_cites_and_ranks_from_the_table(sample_site: Path) -> None:
    """The invented next issue: marked as sample data, numbers cited from its computed table."""
    page = sample_site / "editions/2021-13/index.html"
    doc = lxml.html.parse(str(page)).getroot()
    assert "示例数据" in doc.xpath("string(//p[@class='sample-notice'])")
    cited = {s.get("data-cite"): s.text_content() for s in doc.xpath("//span[@class='cited']")}
    assert cited["microcredit/合计/目前总贷款余额户数"] == "33916"  # = the sum of the counties
    assert cited["microcredit/合计/余额获贷率"] == "15.02%"  # 33916 / (217445 + 8379)
    assert cited["microcredit/柘城县/排名"] == "1"
    [table] = doc.xpath("//figure[@id='table-microcredit']//table")
    change = {
        tr.xpath("./th")[0].text_content(): tr.xpath("./td")[-1].text_content()
        for tr in table.xpath(".//tbody/tr")
    }
    assert change["虞城县"] == "↑1" and change["民权县"] == "↓1" and change["柘城县"] == "–"
    archive = lxml.html.parse(str(sample_site / "archive/index.html")).getroot()
    assert archive.xpath("//li[@class='archive-item']//h3/a/text()") == ["第13期", "第12期"]
    home = lxml.html.parse(str(sample_site / "index.html")).getroot()
    assert home.xpath("//h2[@class='title']//text()")[0] == "全市脱贫人口小额信贷工作持续推进"


def test_pdf_and_thumbnail_are_linked(sample_site: Path) -> None:
    for edition in ("2021-12", "2021-13"):
        folder = sample_site / "editions" / edition
        assert (folder / f"{edition}.pdf").read_bytes().startswith(b"%PDF-")
        assert (folder / "page-1.png").read_bytes().startswith(b"\x89PNG")
        doc = lxml.html.parse(str(folder / "index.html")).getroot()
        assert f"{edition}.pdf" in doc.xpath("//nav[@class='edition-nav']//a/@href")
    archive = lxml.html.parse(str(sample_site / "archive/index.html")).getroot()
    assert "../editions/2021-12/page-1.png" in archive.xpath("//img/@src")


def test_no_pdf_skips_the_print_stage(tmp_path: Path) -> None:
    from bulletin.build import build

    build(ROOT, out=tmp_path / "site", pdf=False)
    assert not list((tmp_path / "site").rglob("*.pdf"))
    page = (tmp_path / "site/editions/2021-12/index.html").read_text(encoding="utf-8")
    assert ".pdf" not in page
