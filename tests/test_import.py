"""`bulletin import`: Word documents become articles, workbooks become table specs."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import docx
import lxml.html
import openpyxl
import pytest
from click.testing import CliRunner
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from PIL import Image

from bulletin.build import build
from bulletin.cli import main
from bulletin.commands.importers.docx import Block, escape, escape_line_starts, headline
from bulletin.compute.tables import load_table
from bulletin.compute.tablespec import load_spec
from bulletin.load.config import split_front_matter
from bulletin.render.markdown import Context, make_html_renderer, render_html

from .conftest import tree_digest

KICKER = "入户走访 精准帮扶"
TITLE = "睢县开展防返贫监测“回头看”"
SUBTITLE = "兜牢防止规模性返贫底线"
# Body paragraphs as Word shows them (the full-width indent is Word's, not the text's).
BODY = [
    "近日，睢县加大资金投入。一是按照要求强化监测，确保不漏一户。",
    "1. 这一行不是列表，*星号*、[括号]、`反引号`、<尖括号> 和 # 号都是原样的文字。",
]
ITEMS = ["第一项", "第二项含加粗", "步骤一"]
CELLS = [["县", "户数", "备注"], ["睢县", "120", "含|竖线"], ["宁陵县", "80", ""]]
CAPTION = "图为走访现场"
HEADING = "二、下一步打算"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def word_document(path: Path, picture: bytes, *, styles: bool = True) -> Path:
    d = docx.Document()
    d.add_paragraph(KICKER)
    d.add_paragraph(TITLE, style="Title" if styles else None)
    d.add_paragraph(SUBTITLE if styles else "——" + SUBTITLE, style="Subtitle" if styles else None)
    p = d.add_paragraph("\u3000\u3000近日，睢县")
    p.add_run("加大资金投入。").bold = True
    p.add_run("一是按照要求")
    p.add_run("强化监测").italic = True
    p.add_run("，确保不漏一户。")
    d.add_paragraph(BODY[1])
    d.add_paragraph(ITEMS[0], style="List Bullet")
    item = d.add_paragraph("第二项含", style="List Bullet")
    item.add_run("加粗").bold = True
    d.add_paragraph(ITEMS[2], style="List Number")
    table = d.add_table(rows=len(CELLS), cols=len(CELLS[0]))
    for r, row in enumerate(CELLS):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    d.add_picture(io.BytesIO(picture))
    d.add_paragraph(CAPTION, style="Caption")
    d.add_heading(HEADING, level=1)
    d.save(str(path))
    return path


@pytest.fixture
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the county's files arrive: outside the project."""
    return tmp_path_factory.mktemp("sources")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["import", *args])
    return result.exit_code, result.output


def render(path: Path) -> tuple[object, lxml.html.HtmlElement]:
    meta, body, line = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    html = render_html(make_html_renderer(), body, Context(file=path.name, first_line=line))
    return meta, lxml.html.fragment_fromstring(html, create_parent="div")


def text(element: lxml.html.HtmlElement) -> str:
    return element.text_content().strip()


# -- Word -------------------------------------------------------------------------------------


def test_word_document_becomes_an_article(project: Path, sources: Path) -> None:
    picture = png_bytes()
    source = word_document(sources / "睢县简报.docx", picture)
    code, out = run(str(source), "--root", str(project), "--slug", "suixian")
    assert code == 0, out
    article = project / "content/2024-01/suixian.md"
    meta, html = render(article)
    assert (meta.kicker, meta.title, meta.subtitle) == (KICKER, TITLE, SUBTITLE)

    # the same text, paragraph by paragraph, with bold and italic kept
    paragraphs = [text(p) for p in html.xpath("./p")]
    assert paragraphs == BODY
    assert [text(s) for s in html.xpath("./p[1]/strong")] == ["加大资金投入。"]
    assert [text(e) for e in html.xpath("./p[1]/em")] == ["强化监测"]
    assert "**" not in lxml.html.tostring(html, encoding="unicode")
    # lists, table, heading
    assert [text(li) for li in html.xpath("./ul/li | ./ol/li")] == ITEMS
    assert [text(s) for s in html.xpath("./ul/li/strong")] == ["加粗"]
    assert [[text(c) for c in tr.xpath("./th | ./td")] for tr in html.xpath(".//tr")] == CELLS
    assert [text(h) for h in html.xpath("./h3")] == [HEADING]
    # the picture, saved beside the article, with the caption as its 图注
    (img,) = html.xpath("./figure/img")
    assert img.get("src") == "suixian-1.png"
    assert text(html.xpath("./figure/figcaption")[0]) == CAPTION
    assert (project / "content/2024-01/suixian-1.png").read_bytes() == picture
    assert CAPTION not in paragraphs

    # …and the project checks clean and builds with it
    assert CliRunner().invoke(main, ["check", "--root", str(project)]).exit_code == 0
    result = build(project, out=sources / "site", pdf=False, search=False, update_lock=False)
    page = (result.out / "editions/2024-01/suixian.html").read_text(encoding="utf-8")
    assert "<strong>加大资金投入。</strong>" in page
    assert re.search(r'src="img/suixian-1-\w+-64\.jpg"', page)


def test_headline_from_short_first_paragraphs(project: Path, sources: Path) -> None:
    source = word_document(sources / "plain.docx", png_bytes(), styles=False)
    code, out = run(str(source), "--root", str(project))
    assert code == 0, out
    meta, html = render(project / "content/2024-01/plain.md")  # the file name is a slug
    assert (meta.kicker, meta.title, meta.subtitle) == (KICKER, TITLE, SUBTITLE)
    assert [text(p) for p in html.xpath("./p")] == BODY


def test_a_document_without_a_headline_takes_its_file_name(project: Path, sources: Path) -> None:
    d = docx.Document()
    d.add_paragraph("今年以来，全县上下认真贯彻落实各项政策，取得了明显成效。" * 2)
    d.save(str(sources / "宁陵县 工作动态.docx"))
    code, out = run(str(sources / "宁陵县 工作动态.docx"), "--root", str(project))
    assert code == 0, out
    assert "article-1" in out and "file name" in out
    meta, _ = render(project / "content/2024-01/article-1.md")
    assert meta.title == "宁陵县 工作动态"


def test_import_into_a_listed_page_and_refusals(sample_copy: Path, sources: Path) -> None:
    source = word_document(sources / "x.docx", png_bytes())
    code, out = run(
        str(source), "--root", str(sample_copy), "--edition", "2021-13", "--slug", "xiayi"
    )
    assert code == 0, out
    toml = (sample_copy / "content/2021-13/edition.toml").read_text(encoding="utf-8")
    assert 'articles = ["xindai", "suixian", "xiayi"]' in toml
    before = tree_digest(sample_copy)
    assert (
        run(str(source), "--root", str(sample_copy), "--edition", "2021-13", "--slug", "xiayi")[0]
        == 1
    )  # never overwrites
    broken = sources / "broken.docx"
    broken.write_text("not a Word document", encoding="utf-8")
    code, out = run(str(broken), "--root", str(sample_copy))
    assert code == 1 and "cannot read the Word document" in out
    code, out = run(str(sources / "x.docx").replace(".docx", ".doc"), "--root", str(sample_copy))
    assert code == 2  # click: no such file
    legacy = sources / "old.doc"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0")
    code, out = run(str(legacy), "--root", str(sample_copy))
    assert code == 1 and ".docx" in out
    assert tree_digest(sample_copy) == before


def test_markdown_escaping_round_trips() -> None:
    md = make_html_renderer()
    for original in ["a*b*c_d_", "[x](y) `z` <b>", "\\ & &amp; |", "#1", "- 不是", "3) 不是"]:
        source = escape_line_starts(escape(original))
        html = render_html(md, source, Context(file="x", first_line=1))
        element = lxml.html.fragment_fromstring(html, create_parent="div")
        assert element.text_content().strip() == original, (original, source, html)
        assert not element.xpath(".//em | .//strong | .//a | .//code | .//li | .//h1 | .//h3")


def test_headline_rules() -> None:
    def blocks(*texts: str) -> list[Block]:
        return [Block("p", t, t) for t in texts]

    head, body = headline(blocks("短标题", "正文很长的一段。"))
    assert (head.title, head.kicker, len(body)) == ("短标题", None, 1)
    head, body = headline(blocks("正文开始就是一个完整的句子。", "第二段。"))
    assert head.title is None and len(body) == 2
    head, body = headline(blocks("引题", "主题", "——副题", "正文。"))
    assert (head.kicker, head.title, head.subtitle, len(body)) == ("引题", "主题", "副题", 1)


# -- the headline, as county offices format it in Word and WPS --------------------------------

BYLINE = "通讯员 张三"
TEXT = ["今年以来，全县上下认真贯彻落实各项政策，取得了明显成效。", "下一步，我县将继续巩固成果。"]
Line = tuple[str, dict[str, object]]  # a paragraph's text and how it is set


def formatted(d: docx.document.Document, text: str, how: dict[str, object]) -> None:
    """A paragraph in a style, or with direct formatting: size (pt), bold, centre."""
    p = d.add_paragraph(style=how.get("style"))  # type: ignore[arg-type]
    run = p.add_run(text)
    if "size" in how:
        run.font.size = Pt(how["size"])  # type: ignore[arg-type]
    if how.get("bold"):
        run.bold = True
    if how.get("centre"):
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if how.get("red"):
        run.font.color.rgb = RGBColor(0xE6, 0x00, 0x12)  # 红头's red


def shaped_document(path: Path, lines: list[Line], *, wps: bool = False, tail: str = "") -> Path:
    d = docx.Document()
    if wps:  # as WPS saves: Chinese style names, numeric style ids, 三号 text set directly
        for name, zh, sid in [
            ("Normal", "Normal", "1"),
            ("Heading 1", "标题 1", "2"),
            ("Subtitle", "副标题", "3"),
        ]:
            style = d.styles[name]
            for ref in d.styles.element.xpath(f'.//w:basedOn[@w:val="{style.style_id}"]'):
                ref.set(qn("w:val"), sid)
            style.name, style.style_id = zh, sid
    for text_, how in lines:
        formatted(d, text_, how)
    for paragraph in TEXT:
        formatted(d, "\u3000\u3000" + paragraph, {"size": 16} if wps else {})
    if tail:
        formatted(d, tail, {"size": 16} if wps else {})
    d.save(str(path))
    return path


HEADLINE = {"size": 22, "bold": True, "centre": True}  # 二号, bold, centred: no style
LETTERHEAD = ["睢县乡村振兴工作简报", "第12期", "睢县乡村振兴局编印\u3000\u30002021年12月1日"]
SHAPES: dict[str, tuple[list[Line], dict[str, object]]] = {
    # name: (the lines before the text, what the import finds)
    "title-style": (
        [(KICKER, {}), (TITLE, {"style": "Title"}), (SUBTITLE, {"style": "Subtitle"})],
        {"kicker": KICKER, "subtitle": SUBTITLE, "guess": None},
    ),
    # issue 17: no Title style, a Subtitle-styled line above a Heading 1 headline
    "heading-1": (
        [(KICKER, {"style": "Subtitle"}), (TITLE, {"style": "Heading 1"})],
        {"kicker": KICKER, "guess": "styled as a heading, and no paragraph is styled Title"},
    ),
    # (the short line below is not a headline: without the formatting it would be the title)
    "formatting": (
        [(TITLE, HEADLINE), (HEADING, {"bold": True})],
        {"guess": "bold, centred, larger than the text", "body": [HEADING, *TEXT]},
    ),
    "kicker-smaller": (
        [(KICKER, {"size": 14, "centre": True}), (TITLE, HEADLINE)],
        {"kicker": KICKER, "guess": "bold, centred, larger than the text"},
    ),
    "dashes-below": (
        [(TITLE, HEADLINE), ("——" + SUBTITLE, {"size": 16, "centre": True})],
        {"subtitle": SUBTITLE, "guess": "bold, centred, larger than the text"},
    ),
    "byline": (
        [(TITLE, HEADLINE), (BYLINE, {"centre": True})],
        {"byline": BYLINE, "guess": "bold, centred, larger than the text"},
    ),
    "wps": (
        [
            (KICKER, {"style": "副标题"}),
            (TITLE, {"style": "标题 1", "size": 22, "centre": True}),
            ("—— " + SUBTITLE, {"size": 18, "centre": True}),
            ("（作者：李四）", {"size": 16, "centre": True}),
        ],
        {
            "kicker": KICKER,
            "subtitle": SUBTITLE,
            "byline": "作者：李四",
            "wps": True,
            "guess": "styled as a heading, and no paragraph is styled Title",
        },
    ),
    # a 红头 letterhead above the article: left out, and said (test_a_letterhead_is_left_out)
    "letterhead": (
        [
            (LETTERHEAD[0], {"size": 36, "bold": True, "centre": True, "red": True}),
            (LETTERHEAD[1], {"centre": True}),
            (LETTERHEAD[2], {}),
            (KICKER, {"size": 14, "centre": True}),
            (TITLE, HEADLINE),
        ],
        {"kicker": KICKER, "guess": "bold, centred, larger than the text"},
    ),
    # a headline set in red is still the headline (no issue line under it: no letterhead),
    # and so is one with a date under it (a dateline is not 第N期 or 编印)
    "red-headline": (
        [(TITLE, {**HEADLINE, "red": True})],
        {"guess": "bold, centred, larger than the text"},
    ),
    "red-headline-dated": (
        [(TITLE, {**HEADLINE, "red": True}), ("2021年12月1日", {"centre": True})],
        {"guess": "bold, centred, larger than the text", "body": ["2021年12月1日", *TEXT]},
    ),
    "byline-at-the-end": (
        [(TITLE, HEADLINE)],
        {
            "byline": "县乡村振兴局供稿",
            "tail": "（县乡村振兴局供稿）",
            "guess": "bold, centred, larger than the text",
        },
    ),
}


def test_headline_shapes_import_and_render(project: Path, sources: Path) -> None:
    """Each way an office sets a headline in Word or WPS: the fields are right, nothing is
    left in the body or shown twice, a guess is said in one line, and the built page shows
    kicker, title, subtitle and byline in the headline, the title once."""
    imported = {}
    for slug, (lines, want) in SHAPES.items():
        source = shaped_document(
            sources / f"{slug}.docx",
            lines,
            wps=bool(want.get("wps")),
            tail=str(want.get("tail", "")),
        )
        code, out = run(str(source), "--root", str(project), "--slug", slug.replace("-", "_"))
        assert code == 0, out
        meta, html = render(project / f"content/2024-01/{slug.replace('-', '_')}.md")
        fields = (meta.kicker, meta.title, meta.subtitle, meta.byline)
        wanted = (want.get("kicker"), TITLE, want.get("subtitle"), want.get("byline"))
        assert fields == wanted, slug
        paragraphs = want.get("body", TEXT)
        assert [text(p) for p in html.xpath("./*")] == paragraphs, slug  # nothing else
        guesses = [line for line in out.splitlines() if "the headline (主题)" in line]
        if want.get("guess"):
            assert len(guesses) == 1 and f"({want['guess']})" in guesses[0], (slug, out)
        elif "guess" in want:
            assert not guesses, (slug, out)
        imported[slug.replace("-", "_")] = (*wanted, paragraphs)

    assert CliRunner().invoke(main, ["check", "--root", str(project)]).exit_code == 0
    result = build(project, out=sources / "site", pdf=False, search=False, update_lock=False)
    for slug, (kicker, title, subtitle, byline, paragraphs) in imported.items():
        page = lxml.html.parse(str(result.out / f"editions/2024-01/{slug}.html")).getroot()
        (article,) = page.xpath("//article")
        (head,) = article.xpath("./header[@class='headline']")
        assert [text(h) for h in head.xpath("./h2[@class='title']")] == [title], slug
        for cls, value in [("kicker", kicker), ("subtitle", subtitle), ("byline", byline)]:
            shown = [text(p) for p in head.xpath(f"./p[@class='{cls}']")]
            expected = "——" + value if cls == "subtitle" and value else value
            assert shown == ([expected] if expected else []), (slug, cls)
        (body,) = article.xpath("./div[@class='body']")
        assert not body.xpath(".//h1 | .//h2 | .//h3 | .//h4"), slug
        assert [text(p) for p in body.xpath("./p")] == paragraphs, slug
        assert text(article).count(title) == 1, slug  # the headline once


def test_a_letterhead_is_left_out_and_said(project: Path, sources: Path) -> None:
    """The red letterhead over an office's document (the bulletin's name, 第N期, who made it
    and when) is not the headline and not the body: it is left out, in one line naming it."""
    lines, _ = SHAPES["letterhead"]
    source = shaped_document(sources / "简报.docx", lines)
    code, out = run(str(source), "--root", str(project), "--lang", "zh")
    assert code == 0, out
    said = [ln for ln in out.splitlines() if "红头" in ln]
    named = "／".join(LETTERHEAD)
    assert said == [f"注意：文档开头的红头（{named}）没有导入：简报的报头由程序排"], out
    assert "第5段" in out  # the headline's paragraph, counted with the letterhead's
    created = re.search(r"已创建 (content/2024-01/[\w-]+\.md)", out)
    assert created, out
    written = (project / created[1]).read_text(encoding="utf-8")
    assert not any(line in written for line in LETTERHEAD[:2]) and "编印" not in written


def test_a_guessed_headline_is_said_in_chinese(project: Path, sources: Path) -> None:
    source = shaped_document(sources / "x.docx", [(KICKER, {"size": 14}), (TITLE, HEADLINE)])
    code, out = run(str(source), "--root", str(project), "--lang", "zh")
    assert code == 0, out
    lines = [line for line in out.splitlines() if "主题取自" in line]
    assert lines == [f"注意：主题取自第2段“{TITLE}”（加粗、居中、字号比正文大）；请核对标题信息"]


def test_headline_rules_never_repeat_a_field() -> None:
    def blocks(*texts: str, cls: str = "") -> list[Block]:
        return [Block("p", t, t, cls) for t in texts]

    # the same line styled Subtitle, then as the title (issue 17): one field, not two
    head, body = headline([*blocks("主题", cls="doc-subtitle"), Block("h", "# 主题", "主题")])
    assert (head.kicker, head.title, head.subtitle) == (None, "主题", None) and body == []
    head, body = headline(blocks("主题", "通讯员 张三", "正文。"))
    assert (head.title, head.byline, len(body)) == ("主题", "通讯员 张三", 1)
    head, body = headline(blocks("主题", "正文第一段。", "本版由县扶贫办供稿"))
    assert head.byline is None and len(body) == 2  # a 版's credit, not the article's byline


def test_an_image_without_a_description_is_imported_with_a_warning(
    project: Path, sources: Path
) -> None:
    d = docx.Document()
    d.add_paragraph(TITLE, style="Title")
    d.add_paragraph(TEXT[0])
    d.add_picture(io.BytesIO(png_bytes()))
    d.add_paragraph(CAPTION, style="Caption")
    d.add_picture(io.BytesIO(png_bytes()))  # no caption, no alt text
    d.add_paragraph(TEXT[1])
    d.save(str(sources / "走访.docx"))
    code, out = run(str(sources / "走访.docx"), "--root", str(project), "--slug", "visit")
    assert code == 0, out
    assert "picture 2 of 走访.docx (visit-2.png) has no description" in out
    assert "picture 1 " not in out
    article = (project / "content/2024-01/visit.md").read_text(encoding="utf-8")
    assert f"![{CAPTION}](visit-1.png)" in article and "\n![](visit-2.png)\n" in article
    assert (project / "content/2024-01/visit-2.png").is_file()
    code, out = run(str(sources / "走访.docx"), "--root", str(project), "--lang", "zh")
    assert "走访.docx 的第2张图片（article-1-2.png）没有说明文字" in out


# -- Excel ------------------------------------------------------------------------------------


def workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["商丘市脱贫人口小额信贷通报表"])
    sheet.merge_cells("A1:F1")
    sheet.append(
        [
            "序号",
            "县(市、区)",
            "享受政策的已脱贫户数",
            "享受政策的监测户数",
            "当年新增户数",
            "获贷率",
        ]
    )
    rows = [
        ("永城市", 4941, 9, 856, "17.29%"),
        ("夏邑县", 50144, 1185, 3801, "7.41%"),
        ("虞城县", 44538, 1490, 5248, "11.40%"),
        (" 示范区 ", 1101, None, 11, "1.00%"),
    ]
    for i, row in enumerate(rows, start=1):
        sheet.append([i, *row])
    sheet.append(["", "合计", 100724, 2684, 9916, "9.59%"])
    sheet.append(["注：数据截至10月底"])
    book.save(str(path))
    return path


def test_workbook_becomes_a_table_spec(project: Path, sources: Path) -> None:
    source = workbook(sources / "小额信贷.xlsx")
    code, out = run(str(source), "--root", str(project), "--slug", "microcredit")
    assert code == 0, out
    spec_path = project / "data/2024-01/microcredit.toml"
    assert (project / "data/2024-01/microcredit.xlsx").read_bytes() == source.read_bytes()
    spec = load_spec(spec_path, "microcredit.toml").spec  # validates
    assert spec.title == "商丘市脱贫人口小额信贷通报表"
    assert spec.key == "县(市、区)" and spec.source == "microcredit.xlsx"
    roles = {c.source: (c.role, c.type) for c in spec.columns}
    assert roles == {
        "序号": ("value", "int"),
        "享受政策的已脱贫户数": ("count", None),
        "享受政策的监测户数": ("count", None),
        "当年新增户数": ("count", None),
        "获贷率": ("value", "percent"),
    }
    assert [c.blank for c in spec.columns if c.source == "享受政策的监测户数"] == ["zero"]
    table = load_table(spec_path, root=project)
    assert table.cite("示范区", "享受政策的监测户数") == "0"
    assert table.cite("合计", "享受政策的已脱贫户数") == "100724"
    # the commented hints for expr and rank work once uncommented
    text = spec_path.read_text(encoding="utf-8")
    assert "# expr = " in text and "# [rank]" in text
    hints = text[text.index("# [[columns]]") :]
    spec_path.write_text(
        text.replace(hints, re.sub(r"(?m)^# (?=\[|\w+ = )", "", hints)), encoding="utf-8"
    )
    table = load_table(spec_path, root=project)
    assert table.ranks["永城市"] == 1
    assert "比率" in [c.key for c in table.columns]
    # the editor places it; the project checks clean and builds
    article = project / "content/2024-01/first.md"
    article.write_text(
        article.read_text(encoding="utf-8") + "\n```{table} microcredit\n```\n", encoding="utf-8"
    )
    assert CliRunner().invoke(main, ["check", "--root", str(project)]).exit_code == 0
    result = build(project, out=sources / "site", pdf=False, search=False, update_lock=False)
    page = (result.out / "editions/2024-01/first.html").read_text(encoding="utf-8")
    assert "商丘市脱贫人口小额信贷通报表" in page and "50144" in page


def test_workbook_import_as_a_subprocess_and_refusals(project: Path, sources: Path) -> None:
    source = workbook(sources / "loans.xlsx")
    result = subprocess.run(
        [sys.executable, "-m", "bulletin", "import", str(source)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (project / "data/2024-01/loans.toml").exists()  # the file name was a slug
    before = tree_digest(project)
    code, out = run(str(source), "--root", str(project))
    assert code == 0  # a second import gets a free name, never overwrites
    assert (project / "data/2024-01/table-1.toml").exists()
    code, out = run(str(source), "--root", str(project), "--slug", "loans")
    assert code == 1 and "already exists" in out
    empty = openpyxl.Workbook()
    empty.active.append(["甲", "乙"])
    empty.active.append([1, 2])
    empty.save(str(sources / "nothing.xlsx"))
    code, out = run(str(sources / "nothing.xlsx"), "--root", str(project))
    assert code == 1 and "county names" in out
    assert {k for k in tree_digest(project) if k not in before} == {
        "data/2024-01/table-1.toml",
        "data/2024-01/table-1.xlsx",
    }


@pytest.mark.parametrize("suffix", [".doc", ".pdf"])
def test_other_files_are_refused(project: Path, sources: Path, suffix: str) -> None:
    (sources / f"x{suffix}").write_text("x", encoding="utf-8")
    code, out = run(str(sources / f"x{suffix}"), "--root", str(project))
    assert code == 1 and "cannot import" in out


def test_a_legacy_csv_becomes_a_table_spec(project: Path, sources: Path) -> None:
    """A county's CSV in GB18030 (as old systems save it) imports as a workbook does."""
    (sources / "县区.csv").write_bytes(
        "县(市、区),已脱贫户数,监测户数\n睢县,29724,1280\n宁陵县,25086,925\n合计,54810,2205\n"
        .encode("gb18030"))
    code, out = run(str(sources / "县区.csv"), "--root", str(project), "--slug", "county")
    assert code == 0, out
    spec = (project / "data/2024-01/county.toml").read_text(encoding="utf-8")
    assert 'source = "county.csv"' in spec and 'key = "县(市、区)"' in spec
    assert 'key_label = "县（市、区）"' in spec  # the header as printed: full-width
    assert (project / "data/2024-01/county.csv").read_bytes() == (sources / "县区.csv").read_bytes()
    built = CliRunner().invoke(main, ["build", "--no-pdf", "--root", str(project)])
    assert built.exit_code == 0, built.output


def test_import_into_a_published_edition_warns_as_new_article_does(
    project: Path, sources: Path
) -> None:
    """The project's edition is published, so locked: importing into it says that the change
    must be recorded as a correction (勘误), as `bulletin new article` says."""
    word = word_document(sources / "w.docx", png_bytes())
    book = workbook(sources / "b.xlsx")
    new = CliRunner().invoke(main, ["new", "article", "标题", "--root", str(project)])
    warning = "edition 2024-01 is published and locked: record this change as a correction"
    assert new.exit_code == 0 and warning in new.output, new.output
    for source in (word, book):
        code, out = run(str(source), "--root", str(project))
        assert code == 0 and warning in out, out
