"""The statistics-table engine: the sample 通报表, reading, computing, cross-checks, errors."""

from __future__ import annotations

import csv
import io
import math
import pickle
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

import jinja2
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletin.compute.tables import (
    ComputedTable,
    format_value,
    load_table,
    load_tables,
    rank_values,
)
from bulletin.diagnostics.errors import DataError

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "2021-12"
SEED = ROOT / "seeds" / "000_f17b164be1103b71.txt"
THEME = ROOT / "bulletin" / "theme"
HEADER = ["序号", "县(市、区)", "享受政策的已脱贫户数", "享受政策的监测户数", "目前总贷款余额户数",
          "当年新增户数", "总贷款新增户数", "总贷款余额户数", "排名"]


def seed_rows() -> list[list[str]]:
    """The 通报表 as printed at the end of the seed (tab-separated, header repeated)."""
    text = SEED.read_text(encoding="utf-8").split("商丘市脱贫人口小额信贷通报表")[-1]
    rows = [line.split("\t") for line in text.splitlines() if "\t" in line]
    return [r for r in rows if r[0] != "序号"]


PRINTED = {r[1]: r for r in seed_rows()}  # county (or 商丘市 for the 合计 row) -> cells


def spec_text(source: str, **extra: str) -> str:
    """The sample spec with another source file (and optional top-level overrides)."""
    text = (DATA / "microcredit.toml").read_text(encoding="utf-8")
    text = text.replace('source = "microcredit.csv"', f'source = "{source}"')
    for key, value in extra.items():
        text = f"{key} = {value}\n" + text
    return text


def write_table(folder: Path, spec: str, name: str = "t", **files: bytes | str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for filename, content in files.items():
        target = folder / filename.replace("__", ".")
        if isinstance(content, str):
            target.write_text(content, encoding="utf-8")
        else:
            target.write_bytes(content)
    spec_path = folder / f"{name}.toml"
    spec_path.write_text(spec, encoding="utf-8")
    return spec_path


def csv_text(rows: list[list[object]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@pytest.fixture(scope="module")
def sample() -> ComputedTable:
    return load_tables(DATA, root=ROOT)["microcredit"]


# ---------------------------------------------------------------------------------- sample


def test_sample_has_ten_counties_and_a_computed_total(sample: ComputedTable) -> None:
    assert [r.key for r in sample.body] == [*[r[1] for r in seed_rows()][:10], "合计"]
    assert [r.is_total for r in sample.body] == [False] * 10 + [True]
    assert sample.encoding == "utf-8"
    assert sample.title == "商丘市脱贫人口小额信贷通报表"
    assert sample.source == "data/2021-12/microcredit.csv"


def test_sample_rates_and_ranks_match_the_seed_except_where_the_seed_is_wrong(
        sample: ComputedTable) -> None:
    found = {(d.row, d.column): (d.reported, d.computed) for d in sample.discrepancies}
    compared = 0
    for county, printed in PRINTED.items():
        row = "合计" if county == "商丘市" else county
        for column, at in (("新增获贷率", 6), ("余额获贷率", 7), ("排名", 8),
                           ("已脱贫户数", 2), ("监测户数", 3), ("目前总贷款余额户数", 4),
                           ("当年新增户数", 5)):
            if not printed[at]:
                continue  # the 合计 row has no rank
            computed = sample.cite(row, column)
            compared += 1
            if computed == printed[at]:
                assert (row, column) not in found
            else:  # every difference is reported, with both values
                assert found[(row, column)] == (printed[at], computed)
    assert compared == 10 * 7 + 6
    assert found == {
        ("梁园区", "新增获贷率"): ("0.21%", "0.24%"),
        ("合计", "已脱贫户数"): ("212504", "217445"),
        ("合计", "监测户数"): ("8337", "8345"),
        ("合计", "新增获贷率"): ("11.97%", "11.71%"),
        ("合计", "余额获贷率"): ("14.72%", "14.40%"),
    }


def test_sample_exact_values_and_ranks(sample: ComputedTable) -> None:
    assert sample.value("梁园区", "新增获贷率") == Fraction(7, 2882)
    assert sample.value("永城市", "余额获贷率") == Fraction(880, 4949)
    assert sample.value("合计", "已脱贫户数") == 217445
    assert isinstance(sample.value("合计", "已脱贫户数"), int)
    assert sample.value("合计", "余额获贷率") == Fraction(32504, 217445 + 8345)
    assert sample.ranks == {r[1]: int(r[8]) for r in seed_rows() if r[8]}
    assert sample.cite("合计", "余额获贷率") == "14.40%"
    assert sample.cite("总计", "获贷率/贷款余额") == "14.40%"  # total alias, group/label
    assert sample.cite(" 睢　县 ", "贷款余额") == "14.48%"  # stray spaces, label
    assert sample.cite("梁园区", "总贷款新增户数") == "0.24%"  # reported header: computed
    assert sample.cite("夏邑县", "享受政策的已脱贫户数") == "50144"
    assert sample.cite("合计", "排名") == ""


def test_sample_findings_are_warnings_with_file_row_and_column(sample: ComputedTable) -> None:
    assert len(sample.findings) == 5
    first = sample.findings[0]
    assert str(first.message) == "cross-check: 梁园区 新增获贷率: reported 0.21%, computed 0.24%"
    assert (first.file, first.line, first.field, first.level) == (
        "data/2021-12/microcredit.csv", 6, "总贷款新增户数", "warning")
    assert {f.line for f in sample.findings[1:]} == {12}  # the 合计 row


def test_strict_turns_discrepancies_into_an_error() -> None:
    with pytest.raises(DataError) as caught:
        load_tables(DATA, strict=True, root=ROOT)
    error = caught.value
    assert (error.file, error.line, error.field) == ("data/2021-12/microcredit.csv", 6,
                                                     "总贷款新增户数")
    assert "梁园区 新增获贷率: reported 0.21%, computed 0.24%" in error.bare_message
    assert "合计 监测户数: reported 8337, computed 8345" in error.bare_message


def test_strict_in_the_spec(tmp_path: Path) -> None:
    spec = write_table(tmp_path, spec_text("d.csv", strict="true"),
                       d__csv=(DATA / "microcredit.csv").read_bytes())
    with pytest.raises(DataError, match="cross-check failed"):
        load_table(spec)


def test_sample_header_and_columns(sample: ComputedTable) -> None:
    top, sub = sample.header_rows
    assert [(c.text, c.colspan, c.rowspan, c.scope) for c in top] == [
        ("县（市、区）", 1, 2, "col"), ("享受政策的已脱贫户数", 1, 2, "col"),
        ("享受政策的监测户数", 1, 2, "col"), ("目前总贷款余额户数", 1, 2, "col"),
        ("当年新增户数", 1, 2, "col"), ("获贷率", 2, 1, "colgroup"), ("排名", 1, 2, "col")]
    assert [c.text for c in sub] == ["当年新增", "贷款余额"]
    assert sample.column_groups == [1, 1, 1, 1, 1, 2, 1]
    assert [c.numeric for c in sample.columns] == [False] + [True] * 7
    assert all(len(r.cells) == len(sample.columns) for r in sample.body)


def test_csv_download_is_the_displayed_table_in_utf8_with_bom(sample: ComputedTable) -> None:
    data = sample.to_csv_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["县（市、区）", "享受政策的已脱贫户数", "享受政策的监测户数",
                       "目前总贷款余额户数", "当年新增户数", "获贷率/当年新增", "获贷率/贷款余额",
                       "排名"]
    assert rows[1:] == [r.cells for r in sample.body]
    assert rows[-1][:7] == ["合计", "217445", "8345", "32504", "26441", "11.71%", "14.40%"]


def test_frame_is_for_charts(sample: ComputedTable) -> None:
    frame = sample.frame
    assert list(frame.index) == [r.key for r in sample.body[:10]]
    assert frame.loc["梁园区", "新增获贷率"] == pytest.approx(7 / 2882)
    assert frame["已脱贫户数"].sum() == 217445
    again = pickle.loads(pickle.dumps(sample))  # (the cache of tables)
    assert "frame" not in again.__dict__ and again.frame.equals(frame)


def test_tables_from_csv_are_computed_without_pandas() -> None:
    """pandas reads workbooks and makes `frame` when asked; computing a CSV table (and a
    page's worth of them) does not load it, so a build need not pay for its import."""
    code = (
        "import sys; from pathlib import Path; from bulletin.build import compute_tables; "
        "from bulletin.load.content import load_site; "
        f"t = compute_tables(load_site(Path({str(ROOT)!r}))); "
        "assert t['2021-12']['microcredit'].cite('合计', '余额获贷率') == '14.40%'; "
        "print('pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


def test_bad_cite_names_raise_key_error_listing_valid_names(sample: ComputedTable) -> None:
    with pytest.raises(KeyError) as caught:
        sample.cite("合计", "获贷")
    assert "余额获贷率" in str(caught.value) and "排名" in str(caught.value)
    with pytest.raises(KeyError, match="did you mean '梁园区'"):
        sample.cite("梁园", "排名")
    with pytest.raises(KeyError, match="ambiguous"):
        sample.cite("合计", "获贷率")  # the group over two columns


def render(table: ComputedTable, href: str = "t.csv") -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(THEME)), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    return env.get_template("partials/table.html").render(table=table, csv_href=href)


def test_partial_renders_semantic_html(sample: ComputedTable) -> None:
    html = render(sample, "microcredit.csv")
    assert html.count('<th scope="row">') == 11
    assert "<caption>商丘市脱贫人口小额信贷通报表</caption>" in html
    assert '<th scope="colgroup" colspan="2">获贷率</th>' in html
    assert '<th scope="col" rowspan="2">排名</th>' in html
    assert '<tfoot>\n      <tr class="total">\n        <th scope="row">合计</th>' in html
    assert '<td class="num">14.40%</td>' in html
    assert html.count("<tr") == 2 + 11
    assert 'class="source"' not in html  # the sample table has no source note
    assert '<a href="microcredit.csv" download>下载表格（CSV）</a>' in html


def test_partial_shows_the_source_note(sample: ComputedTable) -> None:
    import dataclasses

    noted = dataclasses.replace(sample, source_note="数据来源：各县（市、区）报送")
    assert '<p class="source">数据来源：各县（市、区）报送</p>' in render(noted, "x.csv")


def test_partial_escapes_everything(tmp_path: Path) -> None:
    spec = spec_text("d.csv").replace("商丘市脱贫人口小额信贷通报表", "<b>表</b>")
    data = (DATA / "microcredit.csv").read_text(encoding="utf-8").replace("睢县", "<i>睢县</i>")
    table = load_table(write_table(tmp_path, spec, d__csv=data + "注：<script>x</script>\n"))
    html = render(table, '"><x')
    assert "<b>" not in html and "<i>" not in html and "<script>" not in html
    assert "&lt;b&gt;表&lt;/b&gt;" in html and "&lt;script&gt;" in html
    assert 'href="&#34;&gt;&lt;x"' in html


# --------------------------------------------------------------------- same data, any form

ROWS = [["序号", *HEADER[1:]]] + [r[:9] for r in seed_rows()]


def xlsx_bytes(*, with_total: bool = True) -> bytes:
    """The seed table as a county office would send it: a title row, a two-row header with
    merged cells, numbers as text with separators and full-width digits, notes below."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "通报"
    sheet.append(["商丘市脱贫人口小额信贷通报表"])
    sheet.merge_cells("A1:I1")
    sheet.append(["单位：户"])
    sheet.append([*HEADER[:6], "获贷率", None, "排名"])
    sheet.append([None] * 6 + ["总贷款新增户数", "总贷款余额户数", None])
    for col in "ABCDEFI":
        sheet.merge_cells(f"{col}3:{col}4")
    sheet.merge_cells("G3:H3")
    for i, row in enumerate(seed_rows()):
        if row[0] == "合计" and not with_total:
            continue
        cells: list[object] = [row[0], row[1]]
        for j, value in enumerate(row[2:6]):
            if (i + j) % 3 == 0:
                cells.append(f"{int(value):,}")  # "50,144"
            elif (i + j) % 3 == 1:
                cells.append(value.translate(str.maketrans("0123456789", "０１２３４５６７８９")))
            else:
                cells.append(int(value))
        cells += [float(row[6].rstrip("%")) / 100 if i % 2 else row[6],
                  row[7], int(row[8]) if row[8] else None]
        if row[1] == "睢县":
            cells[1] = "　睢 县 "
        sheet.append(cells)
        if i == 5:
            sheet.append([])
    sheet.append(["注：获贷率＝贷款户数÷（已脱贫户数＋监测户数）。"])
    sheet.append(["说明：数据截至2021年12月。"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def comparable(table: ComputedTable) -> tuple[object, ...]:
    return (table.body, table.columns, table.ranks,
            [(d.row, d.column, d.reported, d.computed) for d in table.discrepancies])


def test_csv_encodings_and_xlsx_give_identical_tables(tmp_path: Path,
                                                      sample: ComputedTable) -> None:
    text = csv_text(ROWS)
    forms = {
        "utf-8": ("a.csv", text.encode("utf-8")),
        "utf-8-sig": ("b.csv", text.encode("utf-8-sig")),
        "gb18030": ("c.csv", text.encode("gb18030")),
        None: ("d.xlsx", xlsx_bytes()),
    }
    for encoding, (name, data) in forms.items():
        folder = tmp_path / name.replace(".", "_")
        table = load_table(write_table(folder, spec_text(name), **{name.replace(".", "__"): data}))
        assert table.encoding == encoding
        assert comparable(table) == comparable(sample), name
    xlsx = load_table(tmp_path / "d_xlsx" / "t.toml")
    assert xlsx.notes == ["注：获贷率＝贷款户数÷（已脱贫户数＋监测户数）。",
                          "说明：数据截至2021年12月。"]
    assert xlsx.findings[0].line == 9  # 梁园区, as the spreadsheet shows it
    assert xlsx.findings[1].line == 16  # the 合计 row, after a blank row


def test_gb18030_is_detected_not_guessed(tmp_path: Path) -> None:
    data = csv_text(ROWS).encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    table = load_table(write_table(tmp_path, spec_text("g.csv"), g__csv=data))
    assert table.encoding == "gb18030"
    assert table.cite("睢阳区", "县(市、区)") == "睢阳区"


def test_the_seed_as_pasted_tsv_with_repeated_header(tmp_path: Path,
                                                     sample: ComputedTable) -> None:
    text = SEED.read_text(encoding="utf-8").split("商丘市脱贫人口小额信贷通报表")[-1]
    table = load_table(write_table(tmp_path, spec_text("seed.txt"), seed__txt=text))
    assert comparable(table) == comparable(sample)
    assert table.notes == ["(本版由商丘市乡村振兴局供稿)"]  # a lone line of text below the data


def test_xlsx_sheet_by_name_and_unknown_sheet(tmp_path: Path) -> None:
    spec = spec_text("d.xlsx", sheet='"通报"')
    assert load_table(write_table(tmp_path, spec, d__xlsx=xlsx_bytes())).ranks["柘城县"] == 1
    spec = spec_text("d.xlsx", sheet='"通 报"')
    with pytest.raises(DataError, match="no sheet named '通 报'") as caught:
        load_table(write_table(tmp_path, spec, d__xlsx=xlsx_bytes()))
    assert caught.value.hint == "did you mean '通报'?"


def test_no_total_row_in_source_means_no_total_cross_check(tmp_path: Path) -> None:
    table = load_table(write_table(tmp_path, spec_text("d.xlsx"),
                                   d__xlsx=xlsx_bytes(with_total=False)))
    assert table.body[-1].cells[:3] == ["合计", "217445", "8345"]
    assert [(d.row, d.column) for d in table.discrepancies] == [("梁园区", "新增获贷率")]


# ------------------------------------------------------------ formatting, ranking, change


@pytest.mark.parametrize(
    ("value", "kind", "decimals", "thousands", "expected"),
    [
        (Fraction(1, 8), "number", 2, False, "0.13"),  # round(0.125, 2) == 0.12 in Python
        (Fraction(-1, 8), "number", 2, False, "-0.13"),
        (Fraction(1, 800), "percent", 2, False, "0.13%"),
        (Fraction(2675, 1000), "number", 2, False, "2.68"),  # float 2.675 is 2.67499…
        (Fraction(1, 3), "percent", 1, False, "33.3%"),
        (Fraction(-1, 1000), "number", 2, False, "0.00"),  # no "-0.00"
        (50144, "int", None, True, "50,144"),
        (50144, "int", None, False, "50144"),
        (Fraction(12345678, 100), "number", 1, True, "123,456.8"),
        (None, "int", None, False, ""),
    ],
)
def test_display_rounds_half_up_like_excel(value: object, kind: str, decimals: int | None,
                                           thousands: bool, expected: str) -> None:
    assert format_value(value, kind, decimals, thousands) == expected


@given(
    st.fractions(max_denominator=10**6).filter(lambda f: abs(f) < 10**9),
    st.sampled_from(["int", "number", "percent"]),
    st.integers(min_value=0, max_value=6),
)
def test_display_is_the_exact_rounding_of_the_value(
    value: Fraction, kind: str, decimals: int
) -> None:
    """The text is round_half_up (Excel's ROUND, in fractions) of the value, digit for digit."""
    from bulletin.compute.sheets import round_half_up

    text = format_value(value, kind, decimals)
    exact = value * (100 if kind == "percent" else 1)
    rounded = round_half_up(exact, decimals)
    assert Fraction(text.removesuffix("%")) == rounded
    assert text.startswith("-") == (rounded < 0)
    assert len(text.removesuffix("%").partition(".")[2]) == decimals


def test_column_kinds_are_a_registry_of_classes() -> None:
    from bulletin.compute.columnkinds import KINDS, by_name

    assert list(KINDS) == ["int", "number", "percent", "text"]
    assert [k.name for k in KINDS.values() if k.numeric] == ["int", "number", "percent"]
    assert [k.name for k in KINDS.values() if k.adds_up] == ["int", "number"]  # stackable
    assert [k.name for k in KINDS.values() if k.count] == ["int"]  # a count by default
    assert pickle.loads(pickle.dumps(KINDS["percent"])) is KINDS["percent"]
    assert by_name("int") is KINDS["int"]
    percent = KINDS["percent"]
    assert percent.format(Fraction(1, 3), 1) == format_value(Fraction(1, 3), "percent", 1)
    assert (percent.plotted(Fraction(1, 4)), KINDS["int"].plotted(Fraction(6))) == (0.25, 6)
    assert KINDS["int"].exact(Fraction(6)) == 6 and type(KINDS["int"].exact(Fraction(6))) is int
    assert KINDS["text"].parse(3.0) == "3" and KINDS["number"].parse("1,234.5") == Fraction(
        2469, 2)


def test_a_new_column_kind_is_one_class(tmp_path: Path) -> None:
    """A column kind is one class in bulletin/compute/columnkinds.py: defining it registers it, and
    the spec accepts its type, the table parses, totals and shows its values through it.
    Shown with a kind defined here (per mille), taken out again."""
    from bulletin.compute.columnkinds import KINDS, ColumnKind

    class PerMille(ColumnKind):
        name = "permille_test"
        adds_up = False
        scale = 1000
        suffix = "‰"
        places = 1

    try:
        spec = SIMPLE.replace('type = "percent"', 'type = "permille_test"')
        table = load_table(write_table(tmp_path, spec, d__csv="县,a,b\n甲,1,8\n乙,3,800\n"))
        assert (table.cite("甲", "率"), table.cite("乙", "率")) == ("125.0‰", "3.8‰")
        assert table.cite("合计", "率") == "5.0‰"  # 4 / 808 = 4.95‰, half up
        assert table.frame["率"].tolist() == [0.125, 3 / 800]
    finally:
        del KINDS["permille_test"]
    with pytest.raises(DataError) as e:
        load_table(write_table(tmp_path, spec, d__csv="县,a,b\n甲,1,8\n"))
    assert "Input should be 'int', 'number', 'percent' or 'text'" in str(e.value)


def test_a_computed_rate_ending_in_5_rounds_up(tmp_path: Path) -> None:
    spec = """title = "t"\nsource = "d.csv"\nkey = "县"\n
[[columns]]\nsource = "a"\n[[columns]]\nsource = "b"\n
[[columns]]\nname = "率"\nexpr = "a / b"\ntype = "percent"\n"""
    data = "县,a,b\n甲,1,800\n乙,1,8\n"  # 0.125% and 12.5%
    table = load_table(write_table(tmp_path, spec, d__csv=data))
    assert table.cite("甲", "率") == "0.13%"
    assert table.cite("乙", "率") == "12.50%"
    assert table.cite("合计", "率") == "0.25%"  # 2/808 = 0.2475…, recomputed, not summed


def test_ranks_use_exact_values_not_rounded_ones(tmp_path: Path) -> None:
    spec = """title = "t"\nsource = "d.csv"\nkey = "县"\n
[rank]\nby = "率"\norder = "desc"\nties = "min"\n
[[columns]]\nsource = "a"\n[[columns]]\nsource = "b"\n
[[columns]]\nname = "率"\nexpr = "a / b"\ntype = "percent"\n"""
    data = "县,a,b\n甲,10001,100000\n乙,10000,100000\n丙,1,10\n"  # all show 10.00%
    table = load_table(write_table(tmp_path, spec, d__csv=data))
    assert {r.cells[3] for r in table.body[:3]} == {"10.00%"}
    assert table.ranks == {"甲": 1, "乙": 2, "丙": 2}


def rank_spec(order: str = "desc", ties: str = "min", sort: str = "source") -> str:
    return f"""title = "t"\nsource = "d.csv"\nkey = "县"\n
[rank]\nby = "a"\norder = "{order}"\nties = "{ties}"\nsort = "{sort}"\n
[[columns]]\nsource = "a"\n"""


def test_ties_min_and_dense_and_sort_by_rank(tmp_path: Path) -> None:
    data = "县,a\n甲,5\n乙,9\n丙,9\n丁,1\n"
    table = load_table(write_table(tmp_path / "1", rank_spec(sort="rank"), d__csv=data))
    assert [(r.key, r.cells[-1]) for r in table.body] == [
        ("乙", "1"), ("丙", "1"), ("甲", "3"), ("丁", "4"), ("合计", "")]
    table = load_table(write_table(tmp_path / "2", rank_spec("asc", "dense"), d__csv=data))
    assert table.ranks == {"甲": 2, "乙": 3, "丙": 3, "丁": 1}
    assert [r.key for r in table.body] == ["甲", "乙", "丙", "丁", "合计"]


def test_rank_change_against_the_previous_edition(tmp_path: Path) -> None:
    before = load_table(write_table(tmp_path / "11", rank_spec(),
                                    d__csv="县,a\n甲,5\n乙,9\n丙,7\n"))
    assert [c.key for c in before.columns] == ["县", "a", "排名"]  # no previous: no change
    now = load_table(write_table(tmp_path / "12", rank_spec(),
                                 d__csv="县,a\n甲,10\n乙,9\n丙,7\n丁,1\n"), previous=before)
    assert [c.label for c in now.columns] == ["县", "a", "排名", "排名变化"]
    assert {r.key: r.cells[-1] for r in now.body} == {
        "甲": "↑2", "乙": "↓1", "丙": "↓1", "丁": "新", "合计": ""}
    assert now.cite("丙", "排名变化") == "↓1"
    html = render(now)
    assert "<colgroup" not in html and html.count("<tr>\n        <th scope=\"col\">") == 1
    assert '<td class="num">↑2</td>' in html
    tables = load_tables(tmp_path / "12", previous={"t": before})
    assert tables["t"].cite("甲", "排名变化") == "↑2"


def test_rank_change_is_counted_over_the_rows_both_editions_have(tmp_path: Path) -> None:
    """A row gone and a row new move no other row: each edition is ranked again over the
    rows both have (甲, 乙, 丙), and the change is the difference of those ranks."""
    before = load_table(write_table(tmp_path / "11", rank_spec(),
                                    d__csv="县,a\n甲,5\n乙,9\n丙,7\n戊,8\n"),
                        edition="2021年第11期")
    assert before.ranks == {"乙": 1, "戊": 2, "丙": 3, "甲": 4}
    now = load_table(write_table(tmp_path / "12", rank_spec(),
                                 d__csv="县,a\n甲,9\n乙,9\n丙,7\n丁,10\n"),
                     previous=before, edition="2021年第12期")
    assert now.ranks == {"丁": 1, "甲": 2, "乙": 2, "丙": 4}  # as shown: over every row
    # Over 甲, 乙, 丙 alone: 11th 乙 9 → 1, 丙 7 → 2, 甲 5 → 3; 12th 甲 9 and 乙 9 → 1
    # (ties = "min"), 丙 7 → 3. So 甲 3 → 1 is ↑2, 乙 1 → 1 is –, 丙 2 → 3 is ↓1. (The ranks
    # as shown would say 乙 1 → 2, ↓1: only because 丁 is new and above it.)
    assert {r.key: r.cells[-1] for r in now.body} == {
        "甲": "↑2", "乙": "–", "丙": "↓1", "丁": "新", "合计": ""}
    assert now.notes == ["注：与上期（2021年第11期）相比，本期无戊数据，新增丁数据；"
                         "排名变化按两期都有的3个县计算，新增的记为“新”。"]
    assert [str(f) for f in now.findings] == [
        f"{now.source}: warning: '县': '戊' is in 2021年第11期's table ({before.source}) but "
        "not in 2021年第12期's\n  → fix: if its row was left out, add it; if there is no "
        "figure for it this time, leave it: a note under the table names it, and the other "
        "rows' rank change is counted over the rows both editions have",
        f"{now.source}:5: warning: '县': '丁' is new in 2021年第12期: 2021年第11期's table "
        f"({before.source}) has no such row\n  → fix: if it is really new, leave it: a note "
        "under the table names it, and its rank change shows 新",
    ]
    assert all(f.severity == "warning" for f in now.findings)
    # the same rows: no note, no warning, the change of the ranks as shown
    again = load_table(write_table(tmp_path / "13", rank_spec(),
                                   d__csv="县,a\n甲,1\n乙,9\n丙,7\n丁,10\n"), previous=now)
    assert {r.key: r.cells[-1] for r in again.body if not r.is_total} == {
        "甲": "↓2", "乙": "–", "丙": "↑1", "丁": "–"}
    assert again.notes == [] and again.findings == []


def test_a_row_written_another_way_is_gone_and_new_and_each_names_the_other(
        tmp_path: Path) -> None:
    before = load_table(write_table(tmp_path / "11", rank_spec(),
                                    d__csv="县,a\n永城市,5\n睢县,9\n"), edition="第11期")
    now = load_table(write_table(tmp_path / "12", rank_spec(),
                                 d__csv="县,a\n永城,6\n睢县,9\n"), previous=before,
                     edition="第12期")
    assert [(f.text(), str(f.hint)) for f in now.findings] == [
        (f"'永城市' is in 第11期's table ({before.source}) but not in 第12期's",
         "第12期 has '永城': if it is the same, write its name as before"),
        (f"'永城' is new in 第12期: 第11期's table ({before.source}) has no such row",
         "第11期 has '永城市': if it is the same, write its name as 第11期 does"),
    ]
    assert now.notes == ["注：与上期（第11期）相比，本期无永城市数据，新增永城数据；"
                         "排名变化按两期都有的1个县计算，新增的记为“新”。"]


def test_a_table_without_rank_notes_its_rows_gone_without_a_rank_clause(
        tmp_path: Path) -> None:
    before = load_table(write_table(tmp_path / "11", SIMPLE, d__csv="县,a,b\n甲,1,2\n乙,1,2\n"))
    now = load_table(write_table(tmp_path / "12", SIMPLE, d__csv="县,a,b\n甲,1,2\n"),
                     previous=before)
    assert now.notes == ["注：与上期（11）相比，本期无乙数据。"]  # (named by its folder here)
    assert [(f.text(), str(f.hint)) for f in now.findings] == [
        (f"'乙' is in 11's table ({before.source}) but not in 12's", "if its row was left "
         "out, add it; if there is no figure for it this time, leave it: a note under the "
         "table names it")]


BOUNDED = """title = "t"\nsource = "d.csv"\nkey = "县"\n
[[columns]]\nsource = "累计"\nmonotone = "increasing"\n
[[columns]]\nsource = "余量"\nmonotone = "decreasing"\n
[[columns]]\nsource = "户数"\nmax_change = 0.5\n
[[columns]]\nname = "率"\nexpr = "累计 / 户数"\ntype = "percent"\nmax_change = 0.25\n"""


def test_monotone_columns_warn_when_a_value_goes_the_wrong_way(tmp_path: Path) -> None:
    before = load_table(write_table(tmp_path / "11", BOUNDED, d__csv=(
        "县,累计,余量,户数\n甲,10,5,100\n乙,3,3,100\n丙,4,4,100\n")), edition="第11期")
    now = load_table(write_table(tmp_path / "12", BOUNDED, d__csv=(
        "县,累计,余量,户数\n甲,9,5,100\n乙,3,4,100\n丙,5,2,100\n")), previous=before,
        edition="第12期")
    # 甲's 累计 falls 10 → 9; 乙's 余量 rises 3 → 4; 丙 goes the way the spec says; an
    # unchanged value (乙's 累计, 甲's 余量) is no warning
    assert [(f.line, f.field, f.text(), str(f.hint)) for f in now.findings] == [
        (2, "累计", "甲: '累计' fell from 10 in 第11期 to 9 in 第12期, but its spec says "
         "monotone = \"increasing\"", "check this figure in both editions' data; if it "
         "really changed so (a correction, another way of counting), say why in a line 注：… "
         "at the end of the data file: it is shown under the table"),
        (3, "余量", "乙: '余量' rose from 3 in 第11期 to 4 in 第12期, but its spec says "
         "monotone = \"decreasing\"", "check this figure in both editions' data; if it "
         "really changed so (a correction, another way of counting), say why in a line 注：… "
         "at the end of the data file: it is shown under the table"),
    ]
    assert now.notes == []  # (the same rows: the page says nothing)


def test_max_change_warns_of_a_change_larger_than_its_share(tmp_path: Path) -> None:
    before = load_table(write_table(tmp_path / "11", BOUNDED, d__csv=(
        "县,累计,余量,户数\n甲,10,1,100\n乙,0,1,1\n丙,5,1,10\n丁,40,1,40\n")),
        edition="第11期")
    now = load_table(write_table(tmp_path / "12", BOUNDED, d__csv=(
        "县,累计,余量,户数\n甲,10,1,151\n乙,0,1,5\n丙,5,1,5\n丁,40,1,19\n")),
        previous=before, edition="第12期")
    # 户数, max_change = 0.5: 甲 100 → 151 is +51%, more than half; 乙 1 → 5 is +400%;
    # 丙 10 → 5 is −50%, exactly half: allowed; 丁 40 → 19 is −52.5%.
    # 率 = 累计 / 户数, max_change = 0.25: 甲 10% → 6.62% is −33.8% (1 − 100/151 = 51/151);
    # 乙 0% → 0%: unchanged; 丙 50% → 100% is +100%; 丁 100% → 210.53% is +110.5% (21/19 − 1).
    found = [(f.line, f.field, f.text()) for f in now.findings]
    assert found == [
        (2, "户数", "甲: '户数' changed from 100 in 第11期 to 151 in 第12期, by +51.0%: more "
         "than max_change = 0.5 (50%) allows"),
        (3, "户数", "乙: '户数' changed from 1 in 第11期 to 5 in 第12期, by +400.0%: more "
         "than max_change = 0.5 (50%) allows"),
        (5, "户数", "丁: '户数' changed from 40 in 第11期 to 19 in 第12期, by -52.5%: more "
         "than max_change = 0.5 (50%) allows"),
        (2, "率", "甲: '率' changed from 10.00% in 第11期 to 6.62% in 第12期, by -33.8%: "
         "more than max_change = 0.25 (25%) allows"),
        (4, "率", "丙: '率' changed from 50.00% in 第11期 to 100.00% in 第12期, by +100.0%: "
         "more than max_change = 0.25 (25%) allows"),
        (5, "率", "丁: '率' changed from 100.00% in 第11期 to 210.53% in 第12期, by +110.5%: "
         "more than max_change = 0.25 (25%) allows"),
    ]
    assert {str(f.hint) for f in now.findings} == {
        "check this figure in both editions' data: a change this large is often a slip in "
        "typing (a digit too many or too few)"}
    # from 0, any change is more than a share of 0
    zero = load_table(write_table(tmp_path / "13", BOUNDED, d__csv=(
        "县,累计,余量,户数\n甲,0,1,100\n")), edition="第13期")
    after = load_table(write_table(tmp_path / "14", BOUNDED, d__csv=(
        "县,累计,余量,户数\n甲,3,1,100\n")), previous=zero, edition="第14期")
    assert [f.text() for f in after.findings] == [
        "甲: '率' was 0 in 第13期 and is 3.00% in 第14期: max_change = 0.25 allows no change "
        "from 0"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.fractions(min_value=-5, max_value=5, max_denominator=3), min_size=1,
                max_size=12), st.booleans(), st.sampled_from(["min", "dense"]))
def test_ranks_follow_the_tie_rule(values: list[Fraction], descending: bool, ties: str) -> None:
    keyed = {f"k{i}": v for i, v in enumerate(values)}
    ranks = rank_values(keyed, descending=descending, ties=ties)
    for k, v in keyed.items():
        better = [w for w in values if (w > v if descending else w < v)]
        assert ranks[k] == 1 + (len(better) if ties == "min" else len(set(better)))
    ordered = sorted(keyed, key=lambda k: keyed[k], reverse=descending)
    assert [ranks[k] for k in ordered] == sorted(ranks.values())
    assert min(ranks.values()) == 1
    if ties == "dense":
        assert set(ranks.values()) == set(range(1, len(set(values)) + 1))
    else:
        assert max(ranks.values()) <= len(values)



@contextmanager
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp())
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


TOTALS_SPEC = """title = "t"\nsource = "d.csv"\nkey = "县"\n
[[columns]]\nsource = "a"\n[[columns]]\nsource = "b"\n
[[columns]]\nname = "率"\nexpr = "a / (a + b)"\ntype = "percent"\n"""


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 10**9), st.integers(1, 10**9)), min_size=1,
                max_size=15), st.booleans())
def test_totals_are_column_sums_and_rates_are_recomputed(rows: list[tuple[int, int]],
                                                         separators: bool) -> None:
    lines = ["县,a,b"] + [f'县{i},"{a:,}",{b}' if separators else f"县{i},{a},{b}"
                          for i, (a, b) in enumerate(rows)]
    with scratch() as folder:
        table = load_table(write_table(folder, TOTALS_SPEC, d__csv="\n".join(lines)))
    total_a, total_b = sum(a for a, _ in rows), sum(b for _, b in rows)
    assert table.value("合计", "a") == total_a
    assert table.value("合计", "b") == total_b
    assert table.value("合计", "率") == Fraction(total_a, total_a + total_b)
    assert table.body[-1].cells[:3] == ["合计", str(total_a), str(total_b)]
    for i, (a, b) in enumerate(rows):
        assert table.value(f"县{i}", "率") == Fraction(a, a + b)
    assert not any(math.isnan(v) or math.isinf(v) for v in table.frame["率"])


def load_or_data_error(folder: Path, name: str, data: bytes) -> ComputedTable | None:
    spec = f'title = "t"\nsource = "{name}"\nkey = "县"\n[[columns]]\nsource = "a"\n'
    try:
        return load_table(write_table(folder, spec, **{name.replace(".", "__"): data}))
    except DataError:
        return None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["d.csv", "d.xlsx"]))
def test_random_bytes_never_crash_the_reader(data: bytes, name: str) -> None:
    with scratch() as folder:
        table = load_or_data_error(folder, name, data)
    assert table is None or isinstance(table, ComputedTable)


CELLS = st.one_of(st.sampled_from(["县", "a", "合计", "总计", "注：x", "", " ", "1,234", "５",
                                   "16.65%", "nan", "inf", "-", "甲", "乙", "\u3000甲", '"',
                                   "1e9", "0"]), st.text(max_size=5))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELLS, max_size=4), max_size=6))
def test_random_csv_text_is_a_table_or_a_data_error(rows: list[list[str]]) -> None:
    with scratch() as folder:
        table = load_or_data_error(folder, "d.csv", csv_text(rows).encode("utf-8"))
    if table is not None:
        assert table.body[-1].is_total
        assert table.value("合计", "a") == sum(table.value(r.key, "a") for r in table.body[:-1])


def test_a_totally_valid_xlsx_with_a_missing_sheet_area_is_a_data_error(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    out = io.BytesIO()
    book.save(out)
    assert load_or_data_error(tmp_path, "d.xlsx", out.getvalue()) is None


# --------------------------------------------------------------------------- bad data


def error_for(folder: Path, spec: str, data: str | bytes, name: str = "d.csv",
              root: Path | None = None) -> DataError:
    with pytest.raises(DataError) as caught:
        load_table(write_table(folder, spec, **{name.replace(".", "__"): data}),
                   root=root or folder)
    return caught.value


SIMPLE = """title = "t"
source = "d.csv"
key = "县"

[[columns]]
source = "a"

[[columns]]
source = "b"

[[columns]]
name = "率"
expr = "a / b"
type = "percent"
"""


@pytest.mark.parametrize(
    ("data", "message", "line", "field"),
    [
        ("县,a\n甲,1\n", "no column 'b' in the file", 1, "b"),
        ("县,a,b\n甲,1,2\n乙,x,2\n", "乙: expected a whole number, found 'x'", 3, "a"),
        ("县,a,b\n甲,1,2\n乙,1.5,2\n", "乙: expected a whole number, found '1.5'", 3, "a"),
        ("县,a,b\n甲,nan,2\n", "甲: expected a whole number, found 'nan'", 2, "a"),
        ("县,a,b\n甲,1,inf\n", "甲: expected a whole number, found 'inf'", 2, "b"),
        ("县,a,b\n甲,1,Infinity\n", "found 'Infinity'", 2, "b"),
        ("县,a,b\n甲,1,#DIV/0!\n", "found '#DIV/0!'", 2, "b"),
        ("县,a,b\n甲,1,2\n乙,,2\n", "乙: the cell is empty", 3, "a"),
        ("县,a,b\n甲,1,2\n乙,3,0\n", "乙: division by zero in '率': b is 0", 3, "率"),
        ("县,a,b\n甲,1,2\n 甲 ,3,4\n", "'甲' appears twice", 3, "县"),
        ("县,a,b\n甲,1,2\n,3,4\n", "a row with values but no '县'", 3, "县"),
        ("县,a,b\n", "no data rows below the header", 1, None),
        ("", "the file is empty", None, None),
        (" \n\n", "the file is empty", None, None),
        ("省,a,b\n甲,1,2\n", "no header row: no cell reads '县'", None, "县"),
        ("县,a,b\n甲,1,2\n合计,1,2\n总计,1,2\n", "a second 合计/总计 row", 4, None),
        (b"\xff\xfe\x00\x01\x80", "neither UTF-8 nor GB18030", 1, None),
        ("县,a,b\n甲,1,2\x00\n", "NUL bytes", None, None),
    ],
)
def test_bad_data_is_a_clear_data_error(tmp_path: Path, data: str | bytes, message: str,
                                        line: int | None, field: str | None) -> None:
    error = error_for(tmp_path, SIMPLE, data)
    assert message in error.bare_message
    assert error.line == line
    assert error.field == field
    assert error.file == "d.csv"


def test_a_zero_denominator_on_the_totals_row_names_the_total(tmp_path: Path) -> None:
    error = error_for(tmp_path, SIMPLE, "县,a,b\n甲,1,2\n乙,1,-2\n合计,2,0\n")
    assert "合计: division by zero in '率': b is 0" in error.bare_message
    assert error.line == 4 and error.hint == "expression `a / b` at t.toml:13"


def test_blank_zero_allows_empty_cells(tmp_path: Path) -> None:
    spec = SIMPLE.replace('source = "a"', 'source = "a"\nblank = "zero"')
    table = load_table(write_table(tmp_path, spec, d__csv="县,a,b\n甲,1,2\n乙,,2\n"))
    assert table.cite("乙", "a") == "0" and table.cite("合计", "率") == "25.00%"


def test_numbers_as_text_are_parsed(tmp_path: Path) -> None:
    spec = SIMPLE.replace('source = "b"', 'source = "b"\ntype = "number"\nrole = "count"')
    data = '县,a,b\n甲,"50,144",１２.５\n\u3000乙 ,５０１４４," 2,000.5 "\n'
    table = load_table(write_table(tmp_path, spec, d__csv=data))
    assert table.value("甲", "a") == 50144 and table.value("乙", "a") == 50144
    assert table.value("甲", "b") == Fraction(25, 2) and table.value("乙", "b") == Fraction(4001, 2)
    assert table.cite("合计", "b") == "2013.00"


@pytest.mark.parametrize("bad", ["1,23", "12,34,5", "1.2.3", "--1", "1%%", "%", "一百"])
def test_malformed_numbers_are_rejected(tmp_path: Path, bad: str) -> None:
    error = error_for(tmp_path, SIMPLE, f'县,a,b\n甲,"{bad}",2\n')
    assert f"found '{bad}'" in error.bare_message


def test_corrupt_xlsx(tmp_path: Path) -> None:
    spec = SIMPLE.replace("d.csv", "d.xlsx")
    error = error_for(tmp_path, spec, b"PK\x03\x04 this is not a workbook", "d.xlsx")
    assert "cannot open the workbook" in error.bare_message and error.file == "d.xlsx"


@pytest.mark.parametrize(
    ("spec", "message", "line", "field", "hint"),
    [
        (SIMPLE.replace('type = "percent"', 'type = "percent"\nlabl = "x"'),
         "unknown key 'labl'", 15, "labl", "did you mean 'label'?"),
        (SIMPLE.replace('title = "t"', 'title = "t"\ntotal_lable = "合计"'),
         "unknown key 'total_lable'", 2, "total_lable", "did you mean 'total_label'?"),
        (SIMPLE + '[rank]\nby = "率"\norder = "desc"\ntie = "min"\n',
         "unknown key 'tie'", 18, "tie", "did you mean 'ties'?"),
        (SIMPLE + '[rank]\nby = "率"\norder = "desc"\n', "missing required key 'ties'", 15,
         "ties", None),
        (SIMPLE.replace('type = "percent"', 'type = "percentage"'), "Input should be", 14,
         "columns.2.type", None),
        (SIMPLE.replace('title = "t"', 'title = "t'), "not valid TOML", 1, None, None),
        (SIMPLE.replace('expr = "a / b"', 'expr = a / b'), "not valid TOML", 13, None, None),
        (SIMPLE.replace("a / b", "a / c"), "unknown column 'c'", 13, "率", None),
        (SIMPLE.replace("a / b", "a / bb"), "unknown column 'bb'", 13, "率", "did you mean 'b'?"),
        (SIMPLE.replace("a / b", "a.real"), "attribute access", 13, "率", None),
        (SIMPLE.replace("a / b", "率 / b"), "circular reference: 率 → 率", 13, "率", None),
        (SIMPLE + '[[columns]]\nname = "x"\nexpr = "率 + y"\n[[columns]]\nname = "y"\n'
         'expr = "x"\n', "circular reference: x → y → x", 17, "x", None),
        (SIMPLE.replace('source = "a"', 'source = "a"\nexpr = "b"'),
         "needs 'source' or 'expr'", 5, None, None),
        (SIMPLE + '[[columns]]\nsource = "b"\n', "two columns are named 'b'", 15, "name", None),
        (SIMPLE + '[[columns]]\nsource = "r"\nrole = "reported"\n',
         "a reported column needs 'checks'", 15, None, None),
        (SIMPLE + '[[columns]]\nsource = "r"\nchecks = "率2"\n',
         "'checks' names no computed column '率2'", 17, "checks", "did you mean '率'?"),
        (SIMPLE + '[[columns]]\nsource = "r"\ntype = "text"\n[[columns]]\nname = "z"\n'
         'expr = "r + 1"\n', "'r' is a text column", 20, "z", None),
        (SIMPLE + '[rank]\nby = "县"\norder = "desc"\nties = "min"\n',
         "cannot rank by '县'", 16, "rank.by", None),
        (SIMPLE + '[[columns]]\nsource = "r"\ntype = "text"\nmonotone = "increasing"\n',
         "'r' is a text column; monotone and max_change compare computed numbers", 18,
         "monotone", None),
        (SIMPLE + '[[columns]]\nsource = "r"\nchecks = "率"\nmax_change = 0.5\n',
         "'r' is a reported (hand-typed) column; monotone and max_change", 18, "max_change",
         None),
        (SIMPLE.replace('source = "a"', 'source = "a"\nmax_change = 0'),
         "Input should be greater than 0", 7, "columns.0.max_change", None),
        (SIMPLE.replace('source = "a"', 'source = "a"\nmonotone = "up"'),
         "Input should be 'increasing' or 'decreasing'", 7, "columns.0.monotone", None),
        (SIMPLE.replace('source = "d.csv"', 'source = "../d.csv"'), "outside the data folder",
         2, "source", None),
        (SIMPLE.replace('source = "d.csv"', 'source = "e.csv"'), "no such file: 'e.csv'",
         2, "source", None),
    ],
)
def test_bad_specs_are_clear_data_errors(tmp_path: Path, spec: str, message: str,
                                         line: int | None, field: str | None,
                                         hint: str | None) -> None:
    error = error_for(tmp_path / "data", spec, "县,a,b,r\n甲,1,2,x\n", root=tmp_path)
    assert message in error.bare_message
    assert error.file == "data/t.toml"
    assert error.line == line
    assert error.field == field
    if hint:
        assert error.hint == hint


def test_missing_spec_key_at_top_level(tmp_path: Path) -> None:
    error = error_for(tmp_path, SIMPLE.replace('key = "县"\n', ""), "县,a,b\n甲,1,2\n")
    assert error.bare_message == "missing required key 'key'" and error.field == "key"


def test_load_tables_reads_every_spec_in_the_folder(tmp_path: Path) -> None:
    write_table(tmp_path, SIMPLE, name="one", d__csv="县,a,b\n甲,1,2\n")
    write_table(tmp_path, SIMPLE, name="two")
    tables = load_tables(tmp_path)
    assert sorted(tables) == ["one", "two"] and tables["two"].name == "two"
    assert load_tables(tmp_path / "missing") == {}


def test_value_and_hidden_columns_and_thousands(tmp_path: Path) -> None:
    spec = """title = "t"\nsource = "d.csv"\nkey = "县"\ntotal_label = "全市"\n
[[columns]]\nsource = "a"\nthousands = true\n
[[columns]]\nsource = "b"\nrole = "hidden"\ntype = "int"\n
[[columns]]\nsource = "c"\nrole = "value"\ntype = "number"\ndecimals = 1\n
[[columns]]\nsource = "备注"\ntype = "text"\n
[[columns]]\nname = "x"\nexpr = "a / b"\nrole = "hidden"\n
[[columns]]\nname = "y"\nexpr = "x * 2"\nlabel = "两倍"\n"""
    data = "县,a,b,c,备注\n甲,1000,4,2.25,  新设 \n乙,3000,6,7,\n总计,9,9,9,\n"
    table = load_table(write_table(tmp_path, spec, d__csv=data))
    assert [c.label for c in table.columns] == ["县", "a", "c", "备注", "两倍"]
    assert [r.cells for r in table.body] == [["甲", "1,000", "2.3", "新设", "500.00"],
                                             ["乙", "3,000", "7.0", "", "1000.00"],
                                             ["全市", "4,000", "", "", ""]]
    assert table.value("甲", "x") == 250 and table.cite("乙", "b") == "6"
    assert [(d.row, d.column, d.reported) for d in table.discrepancies] == [("全市", "a", "9")]


def test_notes_and_header_row_option(tmp_path: Path) -> None:
    data = ("商丘市某表\n单位：户\n县,a,b\n甲,1,2\n乙,3,4\n"
            "备注：两县合计。\n第二行备注\n")
    spec = SIMPLE.replace('key = "县"', 'key = "县"\nheader_row = 3')
    table = load_table(write_table(tmp_path, spec, d__csv=data))
    assert table.notes == ["备注：两县合计。", "第二行备注"]
    assert [r.key for r in table.body] == ["甲", "乙", "合计"]
    error = error_for(tmp_path, SIMPLE.replace('key = "县"', 'key = "县"\nheader_row = 2'), data)
    assert error.bare_message == "the header row has no column '县'" and error.line == 2


def test_a_legacy_csv_is_named_once_as_information(sample_copy: Path) -> None:
    """A CSV read as GB18030 (older Excel and WPS exports) is named once per build and per
    check, as information: it is no warning (the counts, and --strict, leave it out)."""
    from click.testing import CliRunner

    from bulletin.cli import main

    csv = sample_copy / "data/2021-12/microcredit.csv"
    csv.write_bytes(csv.read_text(encoding="utf-8").encode("gb18030"))
    root = ["--root", str(sample_copy)]
    built = CliRunner().invoke(main, ["build", "--no-pdf", *root])
    assert built.exit_code == 0, built.output
    info = [ln for ln in built.output.splitlines() if "read as GB18030" in ln]
    assert info == ["data/2021-12/microcredit.csv: info: read as GB18030 (GBK) text, the "
                    "encoding of older Excel and WPS exports; saving it as CSV (UTF-8) keeps "
                    "every character safe"]  # fmt: skip
    assert built.output.rstrip().endswith("5 warning(s)")
    checked = CliRunner().invoke(main, ["--lang", "zh", "check", *root])
    assert "data/2021-12/microcredit.csv: 提示：按 GB18030（GBK）编码读取" in checked.output
    assert checked.output.rstrip().endswith("检查完毕：0 个错误，5 个警告。")
    csv.write_bytes(csv.read_bytes().decode("gb18030").encode("utf-8"))
    again = CliRunner().invoke(main, ["build", "--no-pdf", *root])
    assert "GB18030" not in again.output


def without(path: Path, county: str) -> None:
    """The data file without the county's row."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(ln for ln in lines if f",{county}," not in ln), encoding="utf-8")


GONE = ("data/2021-13/microcredit.csv: warning: '县(市、区)': '睢县' is in 2021年第12期's "
        "table (data/2021-12/microcredit.csv) but not in 2021年第13期's")
NOTE_GONE = ("注：与上期（2021年第12期）相比，本期无睢县数据；"
             "排名变化按两期都有的9个县（市、区）计算。")


def test_a_county_gone_from_the_table_is_warned_noted_and_moves_no_other(
        sample_copy: Path) -> None:
    """睢县's row deleted from 2021-13's table: a warning in build and check (an error with
    --strict), a note under the table on the page and in the PDF, and the other counties'
    rank change counted over the 9 counties both editions have."""
    from click.testing import CliRunner

    from bulletin.build import compute_tables
    from bulletin.cli import main
    from bulletin.load.content import load_site

    without(sample_copy / "data/2021-13/microcredit.csv", "睢县")
    root = ["--root", str(sample_copy)]
    checked = CliRunner().invoke(main, ["check", *root])
    assert checked.exit_code == 0, checked.output
    assert GONE in checked.output.splitlines()
    assert checked.output.splitlines()[-1] == "checked: 0 error(s), 6 warning(s)."  # 5 + 1
    strict = CliRunner().invoke(main, ["check", "--strict", *root])
    assert strict.exit_code == 1 and GONE in strict.output.splitlines()
    zh = CliRunner().invoke(main, ["--lang", "zh", "check", *root])
    assert ("data/2021-13/microcredit.csv: 警告：'县(市、区)': 2021年第12期的表格"
            "（data/2021-12/microcredit.csv）有“睢县”，2021年第13期没有") in zh.output

    built = CliRunner().invoke(main, ["build", *root])
    assert built.exit_code == 0, built.output
    assert GONE in built.output.splitlines()
    assert built.output.rstrip().endswith("6 warning(s)")
    page = (sample_copy / "site/editions/2021-13/index.html").read_text(encoding="utf-8")
    assert f'<p class="notes">{NOTE_GONE}</p>' in page
    pdf = sample_copy / "site/editions/2021-13/2021-13.pdf"
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert NOTE_GONE in "".join(text.split())

    table = compute_tables(load_site(sample_copy))["2021-13"]["microcredit"]
    # 余额获贷率 = 目前总贷款余额户数 / (已脱贫户数 + 监测户数), the 9 counties of both:
    #   2021-12: 柘城 8058/33018 = 24.40%, 示范区 209/1120 = 18.66%, 睢阳 673/3695 = 18.21%,
    #     永城 880/4949 = 17.78%, 民权 3440/25775 = 13.35%, 虞城 6025/46022 = 13.09%,
    #     宁陵 2920/26007 = 11.23%, 夏邑 5628/51323 = 10.97%, 梁园 182/2882 = 6.32%
    #     (睢县 4489/30999 = 14.48% was 5th of 10: without it, 民权 is 5th, 虞城 6th …);
    #   2021-13: 柘城 8230/33022 = 24.92%, 示范区 211/1120 = 18.84%, 睢阳 690/3697 = 18.66%,
    #     永城 912/4950 = 18.42%, 虞城 6233/46028 = 13.54%, 民权 3455/25779 = 13.40%,
    #     宁陵 3350/26011 = 12.88%, 夏邑 5930/51329 = 11.55%, 梁园 205/2884 = 7.11%.
    # 虞城 6 → 5 is ↑1, 民权 5 → 6 is ↓1, the rest keep their places. (Against 2021-12's
    # ranks of 10, 虞城 7 → 5 would be ↑2 and 宁陵, 夏邑, 梁园 ↑1 each: only 睢县 is gone.)
    changes = {r.key: (r.cells[-2], r.cells[-1]) for r in table.body if not r.is_total}
    assert changes == {
        "永城市": ("4", "–"), "夏邑县": ("8", "–"), "虞城县": ("5", "↑1"),
        "示范区": ("2", "–"), "梁园区": ("9", "–"), "睢阳区": ("3", "–"),
        "宁陵县": ("7", "–"), "柘城县": ("1", "–"), "民权县": ("6", "↓1")}
    assert table.notes == [NOTE_GONE]

    # --strict: with 2021-12 clean (no hand-typed values, no 合计 row), the one warning fails
    (sample_copy / "bulletin.lock").unlink()
    spec = (sample_copy / "data/2021-13/microcredit.toml").read_text(encoding="utf-8")
    (sample_copy / "data/2021-12/microcredit.toml").write_text(spec, encoding="utf-8")
    without(sample_copy / "data/2021-12/microcredit.csv", "商丘市")
    failed = CliRunner().invoke(main, ["build", "--strict", "--no-pdf", *root])
    assert failed.exit_code == 1
    assert failed.output.splitlines()[:2] == [
        "error: 1 warning(s), and --strict makes them errors:", GONE], failed.output


def test_a_county_new_in_the_table_shows_新(sample_copy: Path) -> None:
    """睢县's row deleted from 2021-12's table: in 2021-13 it is new (新, a warning, a note),
    and the others' rank change is counted over the 9 counties both editions have."""
    from bulletin.build import compute_tables
    from bulletin.load.content import load_site

    without(sample_copy / "data/2021-12/microcredit.csv", "睢县")
    table = compute_tables(load_site(sample_copy))["2021-13"]["microcredit"]
    # Over the 9 (see the test above): 2021-12 ranks 民权 5th, 虞城 6th; 2021-13 ranks 虞城
    # 5th, 民权 6th. As shown, 2021-13 ranks 睢县 (4700/31004 = 15.16%) 5th of 10, 虞城 6th
    # and 民权 7th: against 2021-12's 6th and 5th that would read – and ↓2, and ↓1 for 宁陵,
    # 夏邑, 梁园, only because 睢县 is new above them.
    changes = {r.key: (r.cells[-2], r.cells[-1]) for r in table.body if not r.is_total}
    assert changes == {
        "永城市": ("4", "–"), "夏邑县": ("9", "–"), "虞城县": ("6", "↑1"),
        "示范区": ("2", "–"), "梁园区": ("10", "–"), "睢阳区": ("3", "–"),
        "宁陵县": ("8", "–"), "柘城县": ("1", "–"), "睢县": ("5", "新"), "民权县": ("7", "↓1")}
    assert table.notes == ["注：与上期（2021年第12期）相比，本期新增睢县数据；"
                           "排名变化按两期都有的9个县（市、区）计算，新增的记为“新”。"]
    new = [f for f in table.findings if "is new" in f.text()]
    assert [str(f).splitlines()[0] for f in new] == [
        "data/2021-13/microcredit.csv:10: warning: '县(市、区)': '睢县' is new in 2021年第13期: "
        "2021年第12期's table (data/2021-12/microcredit.csv) has no such row"]


def test_rank_values_as_defined_on_random_ties() -> None:
    """Each rank as its definition says: "min" is 1 + how many rows are better (Excel's
    RANK), "dense" is 1 + how many distinct values are better (中国式排名)."""
    import random
    from fractions import Fraction

    from bulletin.compute.tables import rank_values

    rng = random.Random(7)
    for _ in range(300):
        values = {f"r{i}": Fraction(rng.randint(0, 6), rng.choice([1, 2, 3]))
                  for i in range(rng.randint(1, 12))}
        for descending in (True, False):
            def better(w: Fraction, v: Fraction, descending: bool = descending) -> bool:
                return w > v if descending else w < v

            ranks = rank_values(values, descending=descending, ties="min")
            dense = rank_values(values, descending=descending, ties="dense")
            for k, v in values.items():
                assert ranks[k] == 1 + sum(better(w, v) for w in values.values())
                assert dense[k] == 1 + len({w for w in values.values() if better(w, v)})
