"""The print makeup (bulletin/printing/makeup.py): filling columns, the base grid, arrangements that
fill the sheet, jumps; a corpus of editions of varied size laid out and read back from the
PDF; the overflow warning in `build`, `build --strict` and `check`."""

from __future__ import annotations

import math
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin.build import compute_tables
from bulletin.cli import main
from bulletin.load.content import load_site
from bulletin.printing import makeup, pdf
from tests.conftest import charts_by_edition, tree_digest
from tests.test_pdf import (
    assert_nothing_overlaps_or_leaves_the_page,
    column_feet,
    page_sizes,
    paragraphs,
    text_of,
    tripled,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from generate import varied  # noqa: E402

BOUNDS = makeup.Bounds(body=(7.5, 10.5), pitch=(1.5, 1.8), columns=(6, 8), gutter=10.0)


# -- filling columns -------------------------------------------------------------------------


def test_columns_fill_line_by_line_and_count_widows_and_orphans() -> None:
    assert makeup.fill([(5, True, False)], 2, 3) == ([3, 2], 0)
    assert makeup.fill([(4, True, False)], 2, 3) == ([3, 1], 1)  # a widow heads column 2
    assert makeup.fill([(2, True, False), (3, True, False)], 2, 3) == ([3, 2], 1)  # an orphan
    assert makeup.fill([(2, False, False), (3, False, False)], 2, 4) == ([2, 3], 0)  # moved
    assert makeup.fill([(1, False, True), (3, True, False)], 2, 3) == ([3, 1], 1)
    assert makeup.fill([(7, True, False)], 2, 3) is None
    assert makeup.fill([(4, False, False)], 2, 3) is None  # a table taller than the column


def test_a_short_last_column_gets_blank_lines_between_its_paragraphs() -> None:
    paragraphs = [(10, True, False), (4, True, False), (3, True, False)]
    assert makeup.fill(paragraphs, 2, 10) == ([10, 7], 0)
    assert makeup.spread(paragraphs, 2, 10) == {2: 2}  # two of its three lines; one stays
    assert makeup.spread([(10, True, False), (7, True, False)], 2, 10) == {}  # no gap there
    assert makeup.spread([(10, True, False), (2, True, False), (1, True, False)], 2, 10) == {}
    assert makeup.spread([*paragraphs[:2], (5, True, False)], 2, 10) == {}  # 1 short: enough


chunks = st.lists(
    st.tuples(st.integers(1, 12), st.booleans(), st.just(False)), min_size=1, max_size=12
)


@given(chunks, st.integers(1, 6))
@settings(max_examples=200, deadline=None)
def test_rows_needed_is_the_fewest_that_fit(found: list[tuple[int, bool, bool]], k: int) -> None:
    rows = makeup.rows_needed(found, k)
    filled = makeup.fill(found, k, rows)
    assert filled is not None and sum(filled[0]) == sum(n for n, _, _ in found)
    assert rows == 1 or makeup.fill(found, k, rows - 1) is None
    assert rows >= math.ceil(sum(n for n, _, _ in found) / k)


def test_base_columns_hold_whole_characters() -> None:
    width = 757.0
    grids = makeup.grids(width, BOUNDS)
    assert {g.size for g in grids} == {7.5, 8.0, 8.5, 9.0, 9.5, 10.0, 10.5}
    for g in grids:
        assert 6 <= g.n <= 8 and g.gutter >= BOUNDS.gutter - 1e-9
        assert g.n * g.c * g.size + (g.n - 1) * g.gutter == pytest.approx(width)
        assert g.span(g.n) == pytest.approx(width)
        assert g.text_chars(g.n, g.n - 1) > g.c  # 变栏: fewer, wider columns


# -- arranging a sheet ---------------------------------------------------------------------------


def story(slug: str, chars: int, paragraph: int = 90) -> makeup.Story:
    """An article of `chars` characters in paragraphs of about `paragraph`, measured as
    Chinese text is: whole characters per line, a two-character indent."""
    sizes = [paragraph] * (chars // paragraph) + ([chars % paragraph] if chars % paragraph else [])
    found = tuple(
        makeup.Chunk({c: math.ceil((n + 2) / c) for c in range(6, 40)}, chars=n) for n in sizes
    )
    head = makeup.HeadLines(((1.3 * 12, 1.3, 0.39), (2.2 * 14, 2.2, 0.66)), 0.5)
    lead = makeup.HeadLines(((1.6 * 12, 1.6, 0.48), (3.4 * 14, 3.4, 1.0)), 0.5)
    return makeup.Story(slug, found, makeup.Head(head, lead))


def blocks_tile(layout: makeup.Layout) -> None:
    """No two blocks overlap, every block is inside the area, the lead on top and widest."""
    taken: dict[tuple[int, int], str] = {}
    for b in layout.blocks:
        assert b.col >= 0 and b.col + b.cols <= layout.n and b.line + b.lines <= layout.lines
        for col in range(b.col, b.col + b.cols):
            for line in range(b.line, b.line + b.lines):
                assert (col, line) not in taken, (b.slug, taken.get((col, line)))
                taken[col, line] = b.slug
    lead = layout.blocks[0]
    assert lead.lead and lead.line == 0 and lead.cols == max(b.cols for b in layout.blocks)


@pytest.mark.parametrize("count", [3, 5, 7, 9])
def test_a_sheet_is_filled_with_rectangular_blocks(count: int) -> None:
    each = 2400 // (count - 1)
    stories = [story("lead", 1200)] + [story(f"a{i}", each + 40 * i) for i in range(count - 1)]
    layout = makeup.solve(stories, None, width=757.0, height=960.0, bounds=BOUNDS,
                          grid_list=makeup.grids(757.0, BOUNDS))  # fmt: skip
    assert layout is not None and layout.fits
    blocks_tile(layout)
    assert sorted(b.slug for b in layout.blocks) == sorted(s.slug for s in stories)
    assert BOUNDS.body[0] <= layout.size <= BOUNDS.body[1]
    assert BOUNDS.pitch[0] - 1e-9 <= layout.pitch <= BOUNDS.pitch[1] + 1e-9
    # the text of every block fits its columns, and no column of it ends 2 lines short
    for b in layout.blocks:
        lines = [ch.lines[b.chars] for ch in next(s for s in stories if s.slug == b.slug).chunks]
        filled = makeup.fill([(n, True, False) for n in lines], b.k, b.rows)
        assert filled is not None
        used = filled[0]
        used[-1] += sum(b.spread.values())  # blank lines between its last column's paragraphs
        assert b.rows - min(used) <= 2 and max(b.spread.values(), default=0) <= 2, b


def test_a_sheet_with_too_little_on_it_counts_its_empty_lines() -> None:
    """Two short articles cannot fill an A3 type area even at the largest size: the lines
    they leave are counted (`spare`) and the 版 is under-full; a full sheet is not."""
    short = [story("lead", 300), story("a0", 200)]
    layout = makeup.solve(short, None, width=757.0, height=960.0, bounds=BOUNDS,
                          grid_list=makeup.grids(757.0, BOUNDS))  # fmt: skip
    assert layout is not None and not layout.fits
    assert layout.size == BOUNDS.body[1]  # it went as large as it may
    blocks_tile(layout)
    used = sum(b.lines * b.cols for b in layout.blocks) / layout.n  # with their white space
    assert layout.spare > 0.3 * layout.lines and used <= layout.lines
    assert pdf.under_full(layout)
    full = makeup.solve([story("lead", 1200)] + [story(f"a{i}", 600 + 40 * i) for i in range(4)],
                        None, width=757.0, height=960.0, bounds=BOUNDS,
                        grid_list=makeup.grids(757.0, BOUNDS))  # fmt: skip
    assert full is not None and full.fits and not pdf.under_full(full)


def test_what_does_not_fit_jumps_at_a_paragraph() -> None:
    stories = [story("lead", 3000), *(story(f"a{i}", 2500) for i in range(4))]
    grids = makeup.grids(757.0, BOUNDS)
    assert makeup.solve(stories, None, width=757.0, height=960.0, bounds=BOUNDS,
                        grid_list=grids) is None  # fmt: skip
    items = [makeup.Item(s, 0, len(s.chunks)) for s in stories]
    layout, rest, over = makeup.split(items, None, width=757.0, height=960.0, bounds=BOUNDS,
                                      grid_list=grids, page=1, next_page=2)  # fmt: skip
    assert layout.size == BOUNDS.body[0]  # the smallest size first
    blocks_tile(layout)
    cut = next(b for b in layout.blocks if b.slug == over.slug)
    assert cut.jump_to == 2 and cut.last < len(cut and stories[[s.slug for s in stories].index(
        over.slug)].chunks)  # fmt: skip
    assert rest[0].story.slug == over.slug and rest[0].first == cut.last
    assert rest[0].jump_from == 1
    moved = rest[0].story.chunks[rest[0].first :]
    assert over.chars == sum(ch.chars for ch in moved) > 0
    assert over.lines == sum(ch.lines[layout.c] for ch in moved) > 0
    kept = {b.slug for b in layout.blocks}
    assert [it.story.slug for it in rest[1:]] == [s.slug for s in stories if s.slug not in kept]


# -- a corpus of editions, typeset -------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return varied(tmp_path_factory.mktemp("corpus"), 8)


@pytest.mark.parametrize("index", range(8))
def test_corpus_edition_is_laid_out_on_full_sheets(corpus: list[Path], index: int) -> None:
    """Each edition of the corpus: one sheet when it fits, with every text column ending
    within two body lines of its frame; otherwise continued with jump lines; nothing
    overlaps, nothing is lost, the body is never below the paper's minimum."""
    root = corpus[index]
    site = load_site(root)
    tables = compute_tables(site)
    charts = charts_by_edition(site)
    edition = site.editions[0]
    printed = pdf.build_print(site, edition, tables[edition.id], root=root,
                              charts=charts.get(edition.id))  # fmt: skip
    data = printed.pdf
    assert len(page_sizes(data)) == len(printed.sheets)
    assert_nothing_overlaps_or_leaves_the_page(data)
    assert all(s.layout.size >= pdf.bounds(site.config).body[0] for s in printed.sheets)
    text = text_of(data)
    for para in paragraphs(site, edition, tables[edition.id]):
        assert para in text, para[:30]
    if len(printed.sheets) == 1:
        feet = column_feet(data, printed.frames)
        assert not printed.findings
        assert [f for f in feet if not -0.5 <= f[2] <= 2.05] == []
    else:
        assert len(printed.findings) == 1
        down, up = re.findall(r"（下转第(.)版）", text), re.findall(r"（上接第(.)版）", text)
        assert len(down) == len(up) and len(printed.sheets) >= 2
        # (the sheets of an edition that jumps are laid out as full as a cut at a paragraph
        # allows: bench/makeup.py reports their column feet)
        assert printed.sheets[0].layout.size == pdf.bounds(site.config).body[0]


# -- the warning in build and check ------------------------------------------------------------


def test_build_warns_strict_fails_and_check_reports_a_page_that_does_not_fit(
    sample_copy: Path,
) -> None:
    tripled(sample_copy)
    root = ["--root", str(sample_copy)]
    site_dir = sample_copy / "site"
    checked = CliRunner().invoke(main, ["--lang", "en", "check", *root])  # (before the lock)
    assert "page 1 of 2021-12 does not fit on one sheet" in checked.output, checked.output
    assert re.search(r"content/2021-12/\w+\.md: warning: page 1", checked.output)
    built = CliRunner().invoke(main, ["--lang", "zh", "build", *root])
    assert built.exit_code == 0, built.output
    assert re.search(r"content/2021-12/\w+\.md: 警告：2021-12 期第1版在最小字号下也排不进一张纸："
                     r"稿件“\w+”超出 \d+ 行（\d+ 字），转到第2版续完", built.output), built.output
    before = tree_digest(site_dir)
    assert before
    strict = CliRunner().invoke(main, ["--lang", "en", "build", "--strict", *root])
    assert strict.exit_code == 1
    assert "page 1 of 2021-12 does not fit on one sheet" in strict.output
    assert tree_digest(site_dir) == before  # the old site is untouched


def test_check_leaves_out_a_published_edition_as_it_was_published(sample_copy: Path) -> None:
    """A published edition whose files are as bulletin.lock has them was laid out, and its
    overflow reported, when it was built: check does not lay it out again (a large archive's
    every sheet would take most of a minute). Changed with a correction, it is laid out."""
    tripled(sample_copy)
    root = ["--root", str(sample_copy)]
    assert CliRunner().invoke(main, ["--lang", "en", "build", *root]).exit_code == 0  # locks
    checked = CliRunner().invoke(main, ["--lang", "en", "check", *root])
    assert checked.exit_code == 0, checked.output
    assert "does not fit on one sheet" not in checked.output, checked.output
    toml = sample_copy / "content/2021-12/edition.toml"
    toml.write_text(toml.read_text(encoding="utf-8")
                    + '\n[[corrections]]\ndate = 2021-11-30\ntext = "更正"\n', encoding="utf-8")
    checked = CliRunner().invoke(main, ["--lang", "en", "check", *root])
    assert "page 1 of 2021-12 does not fit on one sheet" in checked.output, checked.output
    (sample_copy / "bulletin.lock").unlink()  # no lock: every edition is laid out
    checked = CliRunner().invoke(main, ["--lang", "en", "check", *root])
    assert "page 1 of 2021-12 does not fit on one sheet" in checked.output, checked.output


def test_check_and_build_report_a_page_left_half_empty(sample_copy: Path) -> None:
    """A new edition holds only its short example article: the sheet cannot be filled, and
    both check and build say so, naming the edition, the 版, the empty lines and the remedy;
    as information (提示), which `--strict` does not turn into a failure: the page is right."""
    root = ["--root", str(sample_copy)]
    made = CliRunner().invoke(main, ["--lang", "en", "new", "edition", "--date", "2022-01-07",
                                     *root])  # fmt: skip
    assert made.exit_code == 0, made.output
    checked = CliRunner().invoke(main, ["--lang", "en", "check", *root])
    found = re.search(r"content/2022-01/edition\.toml: info: page 1 of 2022-01 is not full: "
                      r"(\d+) of its lines \((\d+)%\) are left empty", checked.output)  # fmt: skip
    assert found, checked.output
    assert int(found[1]) >= 3 and int(found[2]) > 50  # one short article on an A3 sheet
    assert "add an article, a chart or a picture" in checked.output
    assert "2021-12 is not full" not in checked.output  # the sample's 版 are full
    assert "2021-13 is not full" not in checked.output
    built = CliRunner().invoke(main, ["--lang", "zh", "build", "--drafts", *root])
    assert built.exit_code == 0, built.output
    shown = re.search(r"提示：2022-01 期第1版没有排满：还空着 \d+ 行（约占 \d+%）", built.output)
    assert shown, built.output
    assert "2022-01" in {p.name for p in (sample_copy / "site" / "editions").iterdir()}


def test_strict_does_not_fail_on_a_short_page(tmp_path: Path) -> None:
    """The bad-input corpus's base project (one short article and a table, no warnings):
    --strict builds it, with the under-full 版 said as information."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "tests" / "bad_inputs" / "_base", project)
    strict = CliRunner().invoke(main, ["--lang", "en", "build", "--strict", "--root", str(project)])
    assert strict.exit_code == 0, strict.output
    assert re.search(r"info: page 1 of 2024-01 is not full", strict.output), strict.output
    assert "warning" not in strict.output
    assert (project / "site" / "editions" / "2024-01" / "2024-01.pdf").is_file()


# -- the editor's hints --------------------------------------------------------------------------


def test_spans_and_the_table_position_pin_the_arrangement(sample_copy: Path) -> None:
    toml = sample_copy / "content" / "2021-12" / "edition.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        + 'spans = { minquan = 3, ningling = 3 }\ntable_at = "top"\n',
        encoding="utf-8",
    )
    site = load_site(sample_copy)
    edition = next(e for e in site.editions if e.id == "2021-12")
    tables = compute_tables(site)
    charts = charts_by_edition(site)
    printed = pdf.build_print(site, edition, tables[edition.id], root=site.root,
                              charts=charts.get(edition.id))  # fmt: skip
    layout = printed.sheets[0].layout
    cols = {b.slug: b.cols for b in layout.blocks}
    assert cols["minquan"] == cols["ningling"] == 3
    lead = layout.blocks[0]
    assert layout.band is not None and layout.band.line <= lead.line + lead.lines + 2
    assert all(b.line > layout.band.line for b in layout.blocks[1:] if b.line > lead.line)
    assert len(page_sizes(printed.pdf)) == 1


def test_a_span_for_an_article_not_on_the_page_is_an_error(sample_copy: Path) -> None:
    toml = sample_copy / "content" / "2021-12" / "edition.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "spans = { minquam = 3 }\n",
                    encoding="utf-8")  # fmt: skip
    result = CliRunner().invoke(main, ["--lang", "en", "check", "--root", str(sample_copy)])
    assert result.exit_code == 1
    assert "content/2021-12/edition.toml:13: error:" in result.output, result.output
    assert "page 1 gives a span for 'minquam', which is not on that page" in result.output
    assert "did you mean 'minquan'?" in result.output


# -- screen and paper ----------------------------------------------------------------------------


def test_the_web_edition_groups_its_articles_as_the_sheet(sample_copy: Path) -> None:
    """The same lead and the same rows of stacks on the page as on the printed sheet."""
    from lxml import html

    from bulletin.build import build

    build(sample_copy)
    page = html.fromstring((sample_copy / "site/editions/2021-12/index.html").read_bytes())
    web = [
        [(int(stack.get("class").split("span-")[1].split()[0]),
          [a.get("id") for a in stack.findall("article")])
         for stack in row.findall("div")]
        for row in page.find_class("row")
    ]  # fmt: skip
    site = load_site(sample_copy)
    edition = next(e for e in site.editions if e.id == "2021-12")
    tables = compute_tables(site)
    [layout] = pdf.web_rows(site, edition, tables[edition.id],
                            charts_by_edition(site).get(edition.id))  # fmt: skip
    assert web == layout.rows
    assert web[0] == [(layout.n, ["caizheng"])]  # the lead, across the sheet
    assert sorted(a for row in web for _, ids in row for a in ids) == sorted(
        a.slug for a in edition.articles
    )
    # the table and chart after the row the sheet puts them after
    rows = page.find_class("row")
    table = page.find_class("bulletin-table")[0]
    assert rows[layout.band_after].getnext() is table or rows[-1].getnext() is table
    build(sample_copy, pdf=False)  # without the print edition: the columns of the screen
    quick = (sample_copy / "site/editions/2021-12/index.html").read_text(encoding="utf-8")
    assert 'class="row' not in quick and 'class="articles"' in quick


def test_rules_lie_between_blocks_never_across_one() -> None:
    stories = [story("lead", 1200)] + [story(f"a{i}", 300 + 150 * i) for i in range(6)]
    layout = makeup.solve(stories, None, width=757.0, height=960.0, bounds=BOUNDS,
                          grid_list=makeup.grids(757.0, BOUNDS))  # fmt: skip
    assert layout is not None
    for rule in layout.rules:
        for b in layout.blocks:
            if rule.cols:  # across: on no line of a block it crosses
                crosses = rule.col < b.col + b.cols and b.col < rule.col + rule.cols
                assert not (crosses and b.line <= rule.line < b.line + b.lines), (rule, b)
            else:  # down a gutter: between blocks, never through one
                beside = b.line < rule.line + rule.lines and rule.line < b.line + b.lines
                assert not (beside and b.col < rule.col < b.col + b.cols), (rule, b)


def test_every_jump_line_names_the_sheet_the_text_goes_on_to(sample_copy: Path) -> None:
    """Two 版 that both overflow, one of them over more than one further sheet: each 下转
    names the sheet its article continues on, and that sheet's 上接 names where it came from."""
    folder = sample_copy / "content" / "2021-12"
    for md in folder.glob("*.md"):  # eight times the text
        head, sep, body = md.read_text(encoding="utf-8").partition("\n---\n")
        md.write_text(head + sep + (body.strip() + "\n\n") * 8, encoding="utf-8")
    toml = folder / "edition.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        '"ningling", "zhecheng", "shifanqu", "liangyuan"]', '"ningling"]\n\n[[pages]]\n'
        'articles = ["zhecheng", "shifanqu", "liangyuan"]'), encoding="utf-8")  # fmt: skip
    site = load_site(sample_copy)
    edition = next(e for e in site.editions if e.id == "2021-12")
    printed = pdf.build_print(site, edition, compute_tables(site)[edition.id], root=site.root)
    numbers = [s.number for s in printed.sheets]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 4
    for sheet in printed.sheets:
        for b in sheet.layout.blocks:
            if b.jump_to is not None:
                after = next(s for s in printed.sheets if s.number == b.jump_to)
                cont = next(c for c in after.layout.blocks if c.slug == b.slug)
                assert cont.jump_from == sheet.number and cont.first == b.last
