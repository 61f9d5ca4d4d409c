"""The print edition: the sample edition's PDF, long editions, hostile text, paper sizes,
fonts, metadata, determinism, images and errors. Checked with poppler's tools."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bulletin.build import compute_tables
from bulletin.diagnostics.errors import BulletinError, ConfigError, ContentError
from bulletin.load.content import Edition, Site, load_site
from bulletin.printing import pdf
from bulletin.render.markdown import Context, make_parser
from tests.conftest import charts_by_edition
from tests.test_typst import HOSTILE, FakeTable

# poppler-utils reads the PDFs back; `make test` (scripts/ensure-system.sh test) installs it
assert shutil.which("pdftotext"), "poppler-utils is not installed"

ROOT = Path(__file__).resolve().parent.parent
KEEP = Path(os.environ["KEEP_PDF"]) if os.environ.get("KEEP_PDF") else None  # to look at them
A3 = (841.89, 1190.55)  # 297 × 420 mm in points
A4 = (595.28, 841.89)


# -- poppler ----------------------------------------------------------------------------------


def poppler(tool: str, data: bytes, *args: str) -> str:
    out = subprocess.run([tool, *args, "-", "-"] if tool == "pdftotext" else [tool, *args, "-"],
                         input=data, capture_output=True, check=True)  # fmt: skip
    return out.stdout.decode("utf-8")


# page foot and head (with or without cjk_latin_spacing)
RUNNING = re.compile(r"^(— \d+ —|.*\d+ ?年第 ?\d+ ?期 第 ?\d+ ?版 .*)$")


def text_of(data: bytes) -> str:
    """The text in reading (content-stream) order without the running head and foot, and
    without white space: Chinese text wraps anywhere."""
    lines = poppler("pdftotext", data, "-raw", "-enc", "UTF-8").splitlines()
    return "".join("".join(ln.split()) for ln in lines if not RUNNING.match(ln.strip()))


def info(data: bytes) -> dict[str, str]:
    lines = poppler("pdfinfo", data, "-isodates").splitlines()
    return {k.strip(): v.strip() for k, _, v in (ln.partition(":") for ln in lines)}


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    out = poppler("pdfinfo", data, "-f", "1", "-l", "999")
    return [
        (float(w), float(h)) for w, h in re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+)", out)
    ]


def words(data: bytes) -> list[tuple[int, float, float, list[tuple[float, ...]]]]:
    """(page number, width, height, word boxes) for every page."""
    html = poppler("pdftotext", data, "-bbox")
    pages = []
    for n, m in enumerate(re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>',
                                      html, re.S), 1):  # fmt: skip
        boxes = [
            tuple(float(v) for v in b)
            for b in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">', m[3]
            )
        ]
        pages.append((n, float(m[1]), float(m[2]), boxes))
    return pages


def assert_nothing_overlaps_or_leaves_the_page(data: bytes) -> None:
    for n, width, height, all_boxes in words(data):
        boxes = [b for b in all_boxes if b[3] - b[1] < 100]  # (not the 示例 watermark)
        assert boxes, f"page {n} is empty"
        for x0, y0, x1, y1 in boxes:
            assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height, f"page {n}: off the page"
        ordered = sorted(boxes)
        for i, (ax0, ay0, ax1, ay1) in enumerate(ordered):
            for bx0, by0, bx1, by1 in ordered[i + 1 :]:
                if bx0 >= ax1:
                    break
                w, h = min(ax1, bx1) - max(ax0, bx0), min(ay1, by1) - max(ay0, by0)
                if abs(ay1 - by1) < 0.5 and w < ay1 - ay0:
                    continue  # one line: compressed punctuation (、“) overlaps by up to 1 em
                smaller = min((ax1 - ax0) * (ay1 - ay0), (bx1 - bx0) * (by1 - by0))
                assert w <= 0 or h <= 0 or w * h < 0.25 * smaller, (
                    f"page {n}: text at {(ax0, ay0)} overlaps text at {(bx0, by0)}"
                )


# -- the sample edition -----------------------------------------------------------------------


def edition_of(site: Site, edition_id: str) -> Edition:
    return next(e for e in site.editions if e.id == edition_id)


def charts_of(site: Site, tables: dict[str, Any]) -> dict[str, Any]:
    return charts_by_edition(site)


@pytest.fixture(scope="module")
def sample() -> tuple[Site, Edition, dict[str, Any], dict[str, Any]]:
    site = load_site(ROOT)
    tables = compute_tables(site)
    return site, edition_of(site, "2021-12"), tables, charts_of(site, tables)


@pytest.fixture(scope="module")
def sample_pdf(sample: tuple[Site, Edition, dict[str, Any], dict[str, Any]]) -> bytes:
    site, edition, tables, charts = sample
    data = pdf.build_pdf(
        site, edition, tables[edition.id], root=site.root, charts=charts.get(edition.id)
    )
    if KEEP:
        (KEEP / "sample.pdf").write_bytes(data)
    return data


def paragraphs(site: Site, edition: Edition, tables: dict[str, Any]) -> list[str]:
    """Each paragraph's text as it should print: Markdown syntax gone, citations filled."""
    md = make_parser()
    found = []
    for article in edition.articles:
        ctx = Context(file=article.shown, first_line=1, tables=sorted(tables))
        for tok in md.parse(article.body, {"ctx": ctx}):
            if tok.type != "inline":
                continue
            text = ""
            for child in tok.children or []:
                if child.type == "myst_role":
                    text += tables[child.meta["cite"][0]].cite(*child.meta["cite"][1:])
                elif child.type in ("text", "code_inline"):
                    text += child.content
            found.append("".join(text.split()))
    return found


def test_sample_holds_every_headline_paragraph_number_and_chart(
    sample: tuple[Site, Edition, dict[str, Any], dict[str, Any]], sample_pdf: bytes
) -> None:
    site, edition, tables, charts = sample
    text = text_of(sample_pdf)
    assert len(edition.articles) == 6
    for article in edition.articles:
        for field in (article.meta.title, article.meta.kicker, article.meta.subtitle):
            if field:
                assert "".join(field.split()) in text, field
    at = -1
    for para in paragraphs(site, edition, tables[edition.id]):  # all there, in reading order
        assert para in text, para[:30]
        assert text.index(para) > at, para[:30]
        at = text.index(para)
    for name in edition.pages[0].config.tables:
        table = tables[edition.id][name]
        assert "".join(table.title.split()) in text
        for row in table.body:
            assert "".join(row.cells) in text  # a row's cells, in order
        assert table.cite("合计", "余额获贷率") in text
    for chart in charts.get(edition.id, {}).values():
        assert "".join(chart.caption.split()) in text
    # charts are drawn as vectors, with their text as paths: no pixels anywhere
    assert poppler("pdfimages", sample_pdf, "-list").splitlines()[2:] == []
    assert "".join(site.config.name.split()) in text
    assert edition.pages[0].config.credit in text  # at the foot of the page
    assert "2021年第12期" in text and "商丘市乡村振兴局编印" in text


def test_sample_is_a3_with_embedded_fonts_and_metadata(sample_pdf: bytes) -> None:
    sizes = page_sizes(sample_pdf)
    assert sizes and all(s == pytest.approx(A3, abs=0.1) for s in sizes)
    fonts = poppler("pdffonts", sample_pdf).splitlines()[2:]
    assert len(fonts) >= 3
    for line in fonts:
        name, emb, sub = line.split()[0], line.split()[-5], line.split()[-4]
        assert (emb, sub) == ("yes", "yes"), name
    names = " ".join(line.split()[0] for line in fonts)
    assert "NotoSerifCJKsc" in names and "NotoSansCJKsc-Bold" in names
    meta = info(sample_pdf)
    assert meta["Title"] == "商丘乡村振兴 2021年第12期"
    assert meta["Author"] == "商丘市乡村振兴局"
    assert meta["CreationDate"].startswith("2021-11-26")  # the edition's date, not today
    assert meta["ModDate"].startswith("2021-11-26")
    assert "简报" in meta["Keywords"]
    assert b"<pdfaid:part>3</pdfaid:part>" in sample_pdf or b'pdfaid:part="3"' in sample_pdf
    assert b"/Lang(zh-CN)" in sample_pdf


def test_sample_layout_nothing_overlaps(sample_pdf: bytes) -> None:
    assert_nothing_overlaps_or_leaves_the_page(sample_pdf)


def column_feet(data: bytes, frames: list[dict[str, Any]]) -> list[tuple[str, int, float]]:
    """(block, column, lines) for every text column of every block: how many body lines
    above its frame's foot its last line ends, read from the PDF's word boxes (negative: a
    line below the frame)."""
    pages = words(data)
    feet = []
    for f in frames:
        boxes = pages[f["page"] - 1][3]
        for i, (x0, x1) in enumerate(f["columns"]):
            inside = [
                b for b in boxes
                if b[0] >= x0 - 1 and b[2] <= x1 + 1 and b[1] >= f["top"] - 2
                and b[3] <= f["bottom"] + 0.9 * f["pitch"]  # (a line below: overflow)
            ]  # fmt: skip
            last = max((b[3] for b in inside), default=f["top"])
            feet.append((f["id"], i, (f["bottom"] - last) / f["pitch"]))
    return feet


@pytest.fixture(scope="module")
def sample_print(sample: tuple[Site, Edition, dict[str, Any], dict[str, Any]]) -> pdf.Printed:
    site, edition, tables, charts = sample
    return pdf.build_print(
        site, edition, tables[edition.id], root=site.root, charts=charts.get(edition.id)
    )


def test_each_sample_edition_is_one_full_sheet(
    sample: tuple[Site, Edition, dict[str, Any], dict[str, Any]], sample_print: pdf.Printed
) -> None:
    """One 版, one A3 sheet: the lead across the top, every article a block of whole
    columns, every text column ending within two body lines of its frame, the body never
    below bulletin.toml's minimum."""
    site, edition, tables, charts = sample
    assert len(page_sizes(sample_print.pdf)) == 1 and not sample_print.findings
    layout = sample_print.sheets[0].layout
    assert layout.size >= (site.config.print.body_min or 7.5)
    assert sorted(b.slug for b in layout.blocks) == sorted(a.slug for a in edition.articles)
    lead = layout.blocks[0]
    assert lead.slug == "caizheng" and lead.lead and lead.line == 0
    assert lead.cols == max(b.cols for b in layout.blocks)
    feet = column_feet(sample_print.pdf, sample_print.frames)
    assert len(feet) >= 6 * 2
    assert [f for f in feet if not -0.5 <= f[2] <= 2.05] == []
    nxt = edition_of(site, "2021-13")
    other = pdf.build_print(site, nxt, tables[nxt.id], root=site.root,
                            charts=charts.get(nxt.id))  # fmt: skip
    assert len(page_sizes(other.pdf)) == 1 and not other.findings
    assert_nothing_overlaps_or_leaves_the_page(other.pdf)
    text, at = text_of(other.pdf), -1
    for para in paragraphs(site, nxt, tables[nxt.id]):  # all there, in reading order
        assert text.index(para) > at, para[:30]
        at = text.index(para)


def short_lines(printed: pdf.Printed) -> list[tuple[str, int, int]]:
    """(block, column, baseline) of every line of body text no wider than two characters,
    read from the PDF's word boxes: in justified text only a paragraph's last line can be."""
    boxes = words(printed.pdf)
    found = []
    for f in printed.frames:
        inside = boxes[f["page"] - 1][3]
        for i, (x0, x1) in enumerate(f["columns"]):
            lines: dict[int, list[tuple[float, ...]]] = {}
            for b in inside:
                if x0 - 1 <= b[0] and b[2] <= x1 + 1 and f["top"] - 2 <= b[1] <= f["bottom"]:
                    lines.setdefault(round(b[3]), []).append(b)
            for y, line in lines.items():
                if max(b[2] for b in line) - min(b[0] for b in line) <= 2.2 * f["size"]:
                    found.append((f["id"], i, y))
    return found


def test_no_paragraph_ends_on_a_lone_character(
    sample: tuple[Site, Edition, dict[str, Any], dict[str, Any]], sample_print: pdf.Printed
) -> None:
    """孤字: a paragraph's last line holds three characters at least (its last ones are kept
    together, so the line before gives one up), in both sample editions."""
    site, _, tables, charts = sample
    assert short_lines(sample_print) == []
    nxt = edition_of(site, "2021-13")
    other = pdf.build_print(site, nxt, tables[nxt.id], root=site.root,
                            charts=charts.get(nxt.id))  # fmt: skip
    assert short_lines(other) == []
    assert "\u2060" not in text_of(other.pdf)  # (the PDF's text is the text: nothing added)


def test_measures_kept_between_builds_change_no_byte(
    sample: tuple[Site, Edition, dict[str, Any], dict[str, Any]], tmp_path: Path
) -> None:
    """The measures kept in .cache/bulletin/measure give the layout, and so the PDF, that
    measuring again gives."""
    site, edition, tables, charts = sample
    pdf._LAID_OUT.clear()
    kw = {"root": site.root, "charts": charts.get(edition.id), "measures": tmp_path}
    first = pdf.build_print(site, edition, tables[edition.id], **kw).pdf
    assert list(tmp_path.rglob("*.json"))
    pdf._LAID_OUT.clear()
    again = pdf.build_print(site, edition, tables[edition.id], **kw).pdf
    pdf._LAID_OUT.clear()
    fresh = pdf.build_print(site, edition, tables[edition.id], root=site.root,
                            charts=charts.get(edition.id)).pdf  # fmt: skip
    assert first == again == fresh


def test_same_inputs_same_bytes(
    sample: tuple[Site, Edition, dict[str, Any], dict[str, Any]],
    sample_pdf: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site, edition, tables, charts = sample
    pdf._compiler.cache_clear()  # a fresh compiler, and another SOURCE_DATE_EPOCH
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    again = pdf.build_pdf(
        site, edition, tables[edition.id], root=site.root, charts=charts.get(edition.id)
    )
    assert again == sample_pdf


def test_article_placing_a_table_and_a_sample_edition() -> None:
    """2021-13 places its table (and the chart drawn after it) inside an article: both span
    the page between balanced columns; its invented figures are marked 示例."""
    site = load_site(ROOT)
    edition = edition_of(site, "2021-13")
    tables = compute_tables(site)
    charts = charts_of(site, tables).get(edition.id, {})
    data = pdf.build_pdf(site, edition, tables[edition.id], root=site.root, charts=charts)
    text = text_of(data)
    assert "示例数据：本期为演示用的虚构内容" in text
    for para in paragraphs(site, edition, tables[edition.id]):  # with {value} citations
        assert para in text, para[:30]
    for row in tables[edition.id]["microcredit"].body:
        assert "".join(row.cells) in text
    for chart in charts.values():
        assert "".join(chart.caption.split()) in text


def test_thumbnail_is_page_one_as_png(sample_pdf: bytes) -> None:
    png = pdf.thumbnail_png(sample_pdf, width=360)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width == 360 and height == round(360 * A3[1] / A3[0])
    assert pdf.thumbnail_png(sample_pdf, width=360) == png


# -- longer editions, paper sizes, columns --------------------------------------------------------


def tripled(project: Path) -> None:
    """Every article of 2021-12 three times as long."""
    for md in (project / "content" / "2021-12").glob("*.md"):
        head, sep, body = md.read_text(encoding="utf-8").partition("\n---\n")
        md.write_text(head + sep + (body.strip() + "\n\n") * 3, encoding="utf-8")


def set_paper(project: Path, paper: str) -> None:
    toml = project / "bulletin.toml"
    text = re.sub(r"(?m)^paper = .*$", f'paper = "{paper}"', toml.read_text(encoding="utf-8"))
    toml.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_a_page_that_does_not_fit_jumps_to_a_continuation_sheet(
    sample_copy: Path, paper: str
) -> None:
    """Three times the sample's text: a warning names the edition, the 版, the article and
    how much runs over; the article stops with （下转第二版） and goes on under its headline
    with （上接第一版）; nothing is cut."""
    tripled(sample_copy)
    set_paper(sample_copy, paper)
    site = load_site(sample_copy)
    edition = edition_of(site, "2021-12")
    tables = compute_tables(site)[edition.id]
    printed = pdf.build_print(site, edition, tables, root=site.root)
    data = printed.pdf
    if KEEP:
        (KEEP / f"long-{paper}.pdf").write_bytes(data)
    sizes = page_sizes(data)
    assert len(sizes) == len(printed.sheets) >= 2
    assert all(s == pytest.approx(A3 if paper == "A3" else A4, abs=0.1) for s in sizes)
    [finding] = printed.findings
    slugs = {a.slug for a in edition.articles}
    m = re.fullmatch(
        r"page 1 of 2021-12 does not fit on one sheet even at the smallest size: '(\w+)' "
        r"runs over by (\d+) lines \((\d+) characters\) and continues on page 2",
        str(finding.message),
    )
    assert m and m[1] in slugs and int(m[2]) > 0 and int(m[3]) > 0, str(finding.message)
    assert finding.file == f"content/2021-12/{m[1]}.md"
    text = text_of(data)
    # (on A4 the cut after page 1 may fall between two articles: the jump lines come later)
    jumps = re.findall(r"（下转第(.)版）", text), re.findall(r"（上接第(.)版）", text)
    assert jumps[0] and len(jumps[0]) == len(jumps[1]), jumps
    if paper == "A3":
        assert "（下转第二版）" in text and "（上接第一版）" in text
    paras = paragraphs(site, edition, tables)
    assert len(paras) >= 3 * 6
    for para in paras:
        assert para in text, para[:30]
    assert text.count("本版由商丘市乡村振兴局供稿") == 1
    assert_nothing_overlaps_or_leaves_the_page(data)
    assert all(sheet.layout.size >= 7.0 for sheet in printed.sheets)


def test_a4_and_pinned_columns(sample_copy: Path) -> None:
    """A4 has its own grid (4–5 base columns); edition.toml's `columns` pins it, and the
    text is the same whichever grid."""
    set_paper(sample_copy, "A4")
    site = load_site(sample_copy)
    edition = edition_of(site, "2021-13")
    tables = compute_tables(site)[edition.id]
    free = pdf.build_print(site, edition, tables, root=site.root)
    assert page_sizes(free.pdf)[0] == pytest.approx(A4, abs=0.1)
    assert len(free.sheets) == 1 and 4 <= free.sheets[0].layout.n <= 5
    page = edition.pages[0]
    page.config = page.config.model_copy(update={"columns": 3})
    pinned = pdf.build_print(site, edition, tables, root=site.root)
    assert pinned.sheets[0].layout.n == 3
    assert text_of(free.pdf) == text_of(pinned.pdf)


def test_report_tail_and_corrections(sample_copy: Path) -> None:
    toml = sample_copy / "content" / "2021-12" / "edition.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        + '\n[distribution]\nreport_to = "市委、市政府领导"\n'
        + 'copy_to = "各县（市、区）"\ncopies = 120\n'
        + '\n[[corrections]]\ndate = 2021-11-30\ntext = "第2段“13.04亿元”应为“13.05亿元”。"\n',
        encoding="utf-8",
    )
    site = load_site(sample_copy)
    edition = edition_of(site, "2021-12")
    data = pdf.build_pdf(site, edition, compute_tables(site)[edition.id], root=site.root)
    text = text_of(data)
    assert "报：市委、市政府领导" in text and "送：各县（市、区）" in text and "发：" not in text
    assert "共印120份" in text
    assert "勘误" in text and "应为“13.05亿元”" in text


# -- hostile text -----------------------------------------------------------------------------


def md_escape(text: str) -> str:
    """CommonMark's own escaping, so that Markdown shows `text` exactly."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


def test_hostile_strings_print_literally_and_read_nothing(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("TOPSECRET-4711", encoding="utf-8")
    (tmp_path / "x.typ").write_text("TOPSECRET-IMPORT", encoding="utf-8")
    (tmp_path / "a.typ").write_text("TOPSECRET-INCLUDE", encoding="utf-8")
    q = json.dumps  # a JSON string is a TOML basic string and a YAML scalar
    (tmp_path / "bulletin.toml").write_text(
        f"name = {q(HOSTILE[0])}\npublisher = {q(HOSTILE[4])}\n", encoding="utf-8"
    )
    folder = tmp_path / "content" / "2024-01"
    folder.mkdir(parents=True)
    (folder / "edition.toml").write_text(
        'number = 1\ndate = 2024-01-05\nstatus = "published"\n\n[[pages]]\n'
        f'banner = {q(HOSTILE[5])}\ncredit = {q(HOSTILE[8])}\ntables = ["evil"]\n',
        encoding="utf-8",
    )
    rows = "\n".join(f"| {md_escape(h)} | {md_escape(h[::-1])} |" for h in HOSTILE)
    body = "\n\n".join(md_escape(h) for h in HOSTILE)
    raw = '#read("secret.txt") #import "x.typ": * #include "a.typ" $1$ <b>x</b> {value}`evil/x/a`'
    for i, (title, kicker) in enumerate(zip(HOSTILE[::2], HOSTILE[1::2], strict=True)):
        (folder / f"a{i:02}.md").write_text(
            f"---\ntitle: {q(title)}\nkicker: {q(kicker)}\nsubtitle: {q(HOSTILE[-1 - i])}\n"
            f"byline: {q(HOSTILE[i])}\n---\n\n{body if i == 0 else raw}\n\n"
            f"| 甲 | 乙 |\n|---|---|\n{rows}\n",
            encoding="utf-8",
        )
    evil = FakeTable([[h, h, h] for h in HOSTILE], title=HOSTILE[3], note=HOSTILE[10])
    site = load_site(tmp_path)
    data = pdf.build_pdf(site, site.editions[0], {"evil": evil}, root=tmp_path)
    if KEEP:
        (KEEP / "hostile.pdf").write_bytes(data)
    text = text_of(data)
    for h in HOSTILE:
        assert "".join(h.split()) in text, h
    assert "".join(raw.replace("{value}`evil/x/a`", HOSTILE[0]).split()) in text
    assert "TOPSECRET" not in text
    assert info(data)["Title"].startswith(HOSTILE[0])


# -- fonts, images, errors --------------------------------------------------------------------


def test_missing_font_is_a_clear_error(project: Path) -> None:
    toml = project / "bulletin.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8") + '\n[fonts]\nserif = ["No Such Serif SC"]\n',
        encoding="utf-8",
    )
    site = load_site(project)
    with pytest.raises(ConfigError) as err:
        pdf.build_pdf(site, site.editions[0], {}, root=project)
    message = str(err.value)
    assert "No Such Serif SC" in message and "fonts-noto-cjk" in message
    assert "bulletin.toml" in message and "fonts.serif" in message


def test_configured_fonts_are_checked(
    sample: tuple[Site, Edition, dict[str, Any], dict[str, Any]],
) -> None:
    site = sample[0]
    pdf.check_fonts(site.config)  # the defaults are installed
    fonts = SimpleNamespace(serif=["Noto Serif CJK SC"], sans=["Nope Sans"])
    with pytest.raises(ConfigError, match="Nope Sans"):
        pdf.check_fonts(SimpleNamespace(fonts=fonts))


def png_bytes(width: int = 40, height: int = 30) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 22, 29)).save(buf, "PNG")
    return buf.getvalue()


def test_images_print_from_the_original_file(project: Path) -> None:
    article = project / "content" / "2024-01" / "first.md"
    (article.parent / "photo.png").write_bytes(png_bytes())
    article.write_text(
        article.read_text(encoding="utf-8") + "\n![村里的大棚](photo.png)\n", encoding="utf-8"
    )
    site = load_site(project)
    data = pdf.build_pdf(site, site.editions[0], {}, root=project)
    assert "村里的大棚" in text_of(data)
    listing = poppler("pdfimages", data, "-list")  # the original pixels, not a resized copy
    rows = [r.split() for r in listing.splitlines()[2:]]
    assert [(r[2], r[3], r[4]) for r in rows] == [("image", "40", "30")]


def test_unreadable_image_names_the_article(project: Path) -> None:
    article = project / "content" / "2024-01" / "first.md"
    (article.parent / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    article.write_text(
        article.read_text(encoding="utf-8") + "\n第二段。\n\n![坏图](broken.png)\n",
        encoding="utf-8",
    )
    site = load_site(project)
    with pytest.raises(ContentError) as err:
        pdf.build_pdf(site, site.editions[0], {}, root=project)
    assert err.value.file == "content/2024-01/first.md"
    assert err.value.line == 10  # the image's line
    assert "broken.png" in str(err.value)


def test_missing_image_and_image_outside_the_edition(project: Path) -> None:
    article = project / "content" / "2024-01" / "first.md"
    text = article.read_text(encoding="utf-8")
    site_text = text + "\n![图](nothere.png)\n"
    article.write_text(site_text, encoding="utf-8")
    site = load_site(project)
    with pytest.raises(ContentError, match="not found"):
        pdf.build_pdf(site, site.editions[0], {}, root=project)
    (project / "content" / "outside.png").write_bytes(png_bytes())
    article.write_text(text + "\n![图](../outside.png)\n", encoding="utf-8")
    site = load_site(project)
    with pytest.raises(ContentError, match="outside the edition folder"):
        pdf.build_pdf(site, site.editions[0], {}, root=project)


def test_charts_hook_prints_svg_as_vectors(tmp_path: Path) -> None:
    import datetime as dt

    from bulletin.printing.typst import svg_figure

    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
        '<rect x="10" y="10" width="120" height="60" fill="#c8161d"/></svg>'
    )
    source = '#set text(font: "Noto Sans CJK SC", lang: "zh")\n' + svg_figure("chart-1", "获贷率")
    data = pdf.compile_typst(
        source, root=tmp_path, date=dt.date(2024, 1, 5), inputs={"chart-1": svg}
    )
    assert "获贷率" in text_of(data)
    assert poppler("pdfimages", data, "-list").splitlines()[2:] == []  # drawn, not pixels


def test_typst_errors_become_bulletin_errors(tmp_path: Path) -> None:
    import datetime as dt

    with pytest.raises(BulletinError, match="Typst could not typeset") as err:
        pdf.compile_typst("#let x = (", root=tmp_path, date=dt.date(2024, 1, 5))
    assert not isinstance(err.value, ContentError)


def test_unknown_page_table_is_a_config_error(project: Path) -> None:
    toml = project / "content" / "2024-01" / "edition.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + 'tables = ["nope"]\n', encoding="utf-8")
    site = load_site(project)
    with pytest.raises(ConfigError, match="table 'nope'"):
        pdf.build_pdf(site, site.editions[0], {}, root=project)


@pytest.mark.parametrize("spacing", [False, True])
def test_cjk_latin_spacing_follows_config_in_print_and_web(
    sample_copy: Path, spacing: bool
) -> None:
    from bulletin.build import build

    if spacing:
        toml = sample_copy / "bulletin.toml"
        toml.write_text(toml.read_text(encoding="utf-8") + "cjk_latin_spacing = true\n", "utf-8")
    site = load_site(sample_copy)
    edition = edition_of(site, "2021-12")
    source = pdf.typst_source(site, edition, compute_tables(site)[edition.id], root=site.root)
    assert f"cjk-latin-spacing: {'auto' if spacing else 'none'}," in source.text
    build(sample_copy, out=sample_copy / "site", pdf=False)
    page = (sample_copy / "site/editions/2021-12/index.html").read_text(encoding="utf-8")
    assert ('<html lang="zh-CN" class="autospace">' in page) is spacing


def test_old_layouts_are_released_between_editions_without_changing_a_byte(
    sample: tuple[Site, Edition, dict[str, Any], dict[str, Any]],
    sample_pdf: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """build_pdf forgets the previous document's memoized layouts (release_layouts) before it
    typesets the next one: the same edition typeset after another is byte-identical."""
    site, edition, tables, charts = sample
    other = edition_of(site, "2021-13")
    released: list[int] = []
    monkeypatch.setattr(pdf, "_malloc_trim", lambda: released.append(1))
    pdf.build_pdf(site, other, tables[other.id], root=site.root, charts=charts.get(other.id))
    again = pdf.build_pdf(
        site, edition, tables[edition.id], root=site.root, charts=charts.get(edition.id)
    )
    assert len(released) == 2  # before each of the two (the fixture typeset one already)
    assert again == sample_pdf
    pdf._compiler.cache_clear()  # a process that has typeset nothing releases nothing
    pdf.release_layouts()
    assert len(released) == 2
