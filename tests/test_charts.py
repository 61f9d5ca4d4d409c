"""Charts drawn from computed tables: the data model, SVG output, fonts, pages, line charts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from bulletin.charts import KINDS, Chart, find_font, make_charts
from bulletin.charts.kinds import Bar, StackedBar
from bulletin.cli import main
from bulletin.compute.tables import load_tables
from bulletin.diagnostics.errors import ConfigError, DataError

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "2021-12"
SVG = "{http://www.w3.org/2000/svg}"
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
RANKED = [
    "柘城县",
    "示范区",
    "睢阳区",
    "永城市",
    "睢县",
    "民权县",
    "虞城县",
    "宁陵县",
    "夏邑县",
    "梁园区",
]  # by computed 余额获贷率, largest first


@pytest.fixture(scope="module")
def sample_chart() -> tuple[Chart, object]:
    tables = load_tables(DATA)
    return make_charts(tables)["microcredit-rate"], tables["microcredit"]


def build(project: Path, *args: str) -> None:
    result = CliRunner().invoke(main, ["build", "--root", str(project), "--quiet", *args])
    assert result.exit_code == 0, result.output


def with_charts(folder: Path, charts: str) -> Path:
    """A copy of the sample table spec and data in `folder`, with other [[charts]]."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(DATA / "microcredit.csv", folder)
    spec = (DATA / "microcredit.toml").read_text(encoding="utf-8").split("[[charts]]")[0]
    (folder / "microcredit.toml").write_text(spec + charts, encoding="utf-8")
    return folder


# -- the sample's ranking chart --------------------------------------------------------------


def test_sample_bars_come_from_the_computed_table(sample_chart) -> None:
    chart, table = sample_chart
    d = chart.data
    assert (chart.table, d.type, chart.spec.place) == ("microcredit", "rank_bar", "after")
    assert list(d.labels) == RANKED
    assert [table.ranks[c] for c in d.labels] == list(range(1, 11))
    assert list(d.values) == [float(table.value(c, "余额获贷率")) for c in RANKED]
    assert list(d.texts) == [table.cite(c, "余额获贷率") for c in RANKED]
    assert d.texts[0] == "24.40%" and d.texts[-1] == "6.32%"
    assert d.reference == float(table.value("合计", "余额获贷率"))
    assert (d.reference_label, d.reference_text) == ("合计", "14.40%")
    assert dict(d.highlight) == {
        "柘城县": "top",
        "示范区": "top",
        "睢阳区": "top",
        "梁园区": "bottom",
    }


def test_svg_is_standalone_with_text_as_paths(sample_chart) -> None:
    chart, _ = sample_chart
    data = chart.svg()
    root = ET.fromstring(data)
    assert root.tag == f"{SVG}svg"
    width, height = root.get("width"), root.get("height")
    assert width.endswith("pt") and height.endswith("pt")
    assert (float(width[:-2]), float(height[:-2])) == pytest.approx(chart.size)
    assert chart.pixels == (720, round(chart.size[1] * 4 / 3))
    texts = [el for el in root.iter(f"{SVG}text")]
    assert not [t for t in texts if CJK.search("".join(t.itertext()))]
    assert not texts  # every label is drawn as paths
    glyphs = [el.get("id") for el in root.iter(f"{SVG}path") if el.get("id")]
    assert len(glyphs) >= 20  # glyph outlines: the county names, digits, title
    uses = 0
    for el in root.iter():
        for name, value in el.attrib.items():
            if name.endswith("href"):
                assert value.startswith("#"), value
                uses += 1
        assert not el.tag.endswith(("}image", "}script", "}foreignObject"))
        if el.tag.endswith("}style"):
            assert "url(" not in (el.text or "") and "@import" not in (el.text or "")
        assert "url(" not in el.get("style", "") or "url(#" in el.get("style", "")
        if el.get("clip-path"):
            assert el.get("clip-path").startswith("url(#")
    assert uses >= 50  # every character placed by reference to its glyph
    assert b"<dc:date>" not in data and b"Matplotlib" not in data


def test_rendering_leaves_matplotlib_state_alone(sample_chart) -> None:
    import matplotlib

    chart, _ = sample_chart
    before = dict(matplotlib.rcParams)
    chart._svg = None
    chart.svg()
    chart.png(dpi=30)
    assert dict(matplotlib.rcParams) == before


def test_caption_and_alt_name_highest_lowest_and_reference(sample_chart) -> None:
    chart, table = sample_chart
    assert "柘城县最高（24.40%）" in chart.caption
    assert "梁园区最低（6.32%）" in chart.caption
    assert "合计为14.40%" in chart.caption
    assert "5个县（市、区）高于合计" in chart.caption  # 柘城 示范 睢阳 永城 睢县
    assert chart.alt.startswith("条形图：各县（市、区）脱贫人口小额信贷余额获贷率。")
    listed = "，".join(f"{c}{table.cite(c, '余额获贷率')}" for c in RANKED)
    assert f"按余额获贷率从高到低：{listed}。" in chart.alt
    assert "虚线为合计（14.40%）" in chart.alt
    assert "红色标出最高的3个" in chart.alt and "橙色标出最低的1个" in chart.alt


def test_sample_page_shows_the_chart_after_its_table(sample_site: Path, sample_chart) -> None:
    chart, _ = sample_chart
    folder = sample_site / "editions" / "2021-12"
    assert (folder / "microcredit-rate.svg").read_bytes() == chart.svg()
    doc = lxml.html.parse(str(folder / "index.html")).getroot()
    [figure] = doc.xpath("//figure[@class='chart']")
    assert figure.getprevious().get("id") == "table-microcredit"  # place = "after"
    [img] = figure.xpath("img")
    assert img.get("src") == "microcredit-rate.svg"
    assert img.get("alt") == chart.alt
    assert (int(img.get("width")), int(img.get("height"))) == chart.pixels
    assert figure.xpath("string(.//p[@class='chart-caption'])") == chart.caption
    [link] = figure.xpath(".//figcaption//a")
    assert link.get("href") == "index.html#table-microcredit"
    assert doc.xpath("//*[@id='table-microcredit']")


# -- determinism -----------------------------------------------------------------------------


def test_same_inputs_give_the_same_bytes(
    sample_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Built twice: in this process from one working directory, and in a fresh process (other
    hash seed) from another; the SVGs are byte for byte the same, and pyplot never loads."""
    first, second = tmp_path / "one", tmp_path / "two"
    monkeypatch.chdir(sample_copy)
    build(sample_copy, "--out", str(first), "--no-cache")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = (
        "import sys\n"
        "from bulletin.cli import main\n"
        "try:\n"
        f"    main(['build', '--root', {str(sample_copy)!r}, '--out', {str(second)!r},"
        " '--no-cache', '--quiet'])\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    svgs = sorted(p.relative_to(first) for p in first.rglob("*.svg"))
    assert Path("editions/2021-12/microcredit-rate.svg") in svgs
    for rel in svgs:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


# -- a line chart across two editions --------------------------------------------------------

LINE_SPEC = """title = "测试通报表"
source = "t.csv"
key = "县区"

[[columns]]
source = "户数"
role = "count"

[[columns]]
source = "贷款户数"
role = "count"

[[columns]]
name = "获贷率"
expr = "贷款户数 / 户数"
type = "percent"
decimals = 1
"""
LINE_CHART = """
[[charts]]
name = "trend"
type = "line"
columns = ["获贷率"]
rows = ["甲县", "乙县"]
reference = "total"
title = "获贷率变化"
"""


def add_table_edition(
    project: Path,
    folder: str,
    number: int,
    date: str,
    rows: str,
    chart: str = "",
    body: str = "正文。",
) -> None:
    content = project / "content" / folder
    content.mkdir(parents=True, exist_ok=True)
    (content / "edition.toml").write_text(
        f'number = {number}\ndate = {date}\nstatus = "published"\n[[pages]]\n', encoding="utf-8"
    )
    (content / "news.md").write_text(f"---\ntitle: 本期\n---\n\n{body}\n", encoding="utf-8")
    data = project / "data" / folder
    data.mkdir(parents=True, exist_ok=True)
    (data / "t.csv").write_text("县区,户数,贷款户数\n" + rows, encoding="utf-8")
    (data / "t.toml").write_text(LINE_SPEC + chart, encoding="utf-8")


@pytest.fixture
def two_editions(project: Path) -> Path:
    shutil.rmtree(project / "content" / "2024-01")
    add_table_edition(project, "2023-12", 12, "2023-12-20", "甲县,200,20\n乙县,100,5\n丙县,50,4\n")
    add_table_edition(
        project,
        "2024-01",
        1,
        "2024-01-20",
        "甲县,200,30\n乙县,100,4\n丙县,50,6\n",
        LINE_CHART,
        "本期获贷率如下。\n\n```{chart} trend\n```\n\n各县情况见上图。",
    )
    return project


def test_line_chart_across_two_editions(two_editions: Path) -> None:
    build(two_editions)
    site = two_editions / "site" / "editions"
    assert not (site / "2023-12" / "trend.svg").exists()
    svg = (site / "2024-01" / "trend.svg").read_bytes()
    assert ET.fromstring(svg).get("width", "").endswith("pt")
    doc = lxml.html.parse(str(site / "2024-01" / "news.html")).getroot()
    [figure] = doc.xpath("//div[@class='body']/figure[@class='chart']")
    assert figure.xpath("img/@src") == ["trend.svg"]
    assert figure.xpath(".//figcaption//a/@href") == ["index.html#table-t"]

    from bulletin.build import compute_tables
    from bulletin.load.content import load_site

    from .conftest import charts_by_edition

    loaded = load_site(two_editions)
    tables = compute_tables(loaded)
    chart = charts_by_edition(loaded)["2024-01"]["trend"]
    d = chart.data
    assert d.labels == ("2023年第12期", "2024年第1期")  # the archive spans two years
    assert [s.name for s in d.series] == ["甲县", "乙县", "合计"]
    assert [s.reference for s in d.series] == [False, False, True]
    for s in d.series:
        assert list(s.values) == [
            float(tables[e]["t"].value(s.name, "获贷率")) for e in ("2023-12", "2024-01")
        ]
        assert list(s.texts) == [
            tables[e]["t"].cite(s.name, "获贷率") for e in ("2023-12", "2024-01")
        ]
    assert d.series[0].texts == ("10.0%", "15.0%")
    assert d.series[2].texts == ("8.3%", "11.4%")  # 29/350, 40/350: recomputed from the sums
    assert "甲县由10.0%升至15.0%" in chart.caption
    assert "乙县由5.0%降至4.0%" in chart.caption
    assert "合计由8.3%升至11.4%" in chart.caption
    assert "2024年第1期甲县最高（15.0%），乙县最低（4.0%）" in chart.caption
    assert "甲县：2023年第12期10.0%，2024年第1期15.0%" in chart.alt
    assert figure.xpath("img/@alt") == [chart.alt]


def test_line_chart_of_an_edition_without_history(tmp_path: Path) -> None:
    data = tmp_path / "d"
    data.mkdir()
    (data / "t.csv").write_text("县区,户数,贷款户数\n甲县,200,20\n乙县,100,5\n", encoding="utf-8")
    (data / "t.toml").write_text(LINE_SPEC + LINE_CHART, encoding="utf-8")
    chart = make_charts(load_tables(data), label="第1期")["trend"]
    assert chart.data.labels == ("第1期",)
    assert chart.data.series[0].texts == ("10.0%",)
    assert ET.fromstring(chart.svg()).tag == f"{SVG}svg"


# -- other chart types -----------------------------------------------------------------------


def test_bar_and_grouped_bar_orders(tmp_path: Path) -> None:
    folder = with_charts(
        tmp_path / "d",
        """
[[charts]]
name = "counts"
type = "bar"
columns = ["目前总贷款余额户数"]
reference = 3000
highlight = { names = ["宁陵县"] }

[[charts]]
name = "rates"
type = "grouped_bar"
columns = ["新增获贷率", "余额获贷率"]
sort = "asc"
reference = "12%"
labels = false
""",
    )
    tables = load_tables(folder)
    table = tables["microcredit"]
    charts = make_charts(tables)
    counts = charts["counts"].data
    assert list(counts.labels) == [r.key for r in table.body if not r.is_total]  # table order
    assert counts.values == tuple(
        float(table.value(r, "目前总贷款余额户数")) for r in counts.labels
    )
    assert (counts.reference, counts.reference_label, counts.reference_text) == (
        3000.0,
        "目标",
        "3000",
    )
    assert dict(counts.highlight) == {"宁陵县": "named"}
    assert "柘城县最高（8058）" in charts["counts"].caption
    rates = charts["rates"].data
    assert [s.name for s in rates.series] == ["新增获贷率", "余额获贷率"]
    assert list(rates.series[0].values) == sorted(rates.series[0].values)
    assert rates.labels[0] == "梁园区" and rates.reference == pytest.approx(0.12)
    assert rates.reference_text == "12.00%"
    for chart in charts.values():
        assert ET.fromstring(chart.svg()).tag == f"{SVG}svg"


# -- stacked bars: the kind added as one class ----------------------------------------------

STACKED = """
[[charts]]
name = "households"
type = "stacked_bar"
columns = ["已脱贫户数", "监测户数"]
sort = "desc"
highlight = { top = 1, bottom = 1 }
reference = 30000
"""


@pytest.fixture(scope="module")
def stacked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Chart, object, Path]:
    folder = with_charts(tmp_path_factory.mktemp("stacked"), STACKED)
    tables = load_tables(folder)
    return make_charts(tables)["households"], tables["microcredit"], folder


def test_stacked_bars_sum_their_columns_row_by_row(stacked) -> None:
    chart, table, _ = stacked
    d = chart.data
    counties = [r.key for r in table.body if not r.is_total]
    assert table.total_label not in d.labels and sorted(d.labels) == sorted(counties)
    columns = ("已脱贫户数", "监测户数")
    sums = {c: sum(table.value(c, k) for k in columns) for c in counties}
    assert list(d.labels) == sorted(counties, key=lambda c: -sums[c])  # sort = "desc"
    assert [s.name for s in d.series] == list(columns)
    for s in d.series:
        assert s.values == tuple(float(table.value(c, s.name)) for c in d.labels)
        assert s.texts == tuple(table.cite(c, s.name) for c in d.labels)
    assert d.totals.values == tuple(float(sums[c]) for c in d.labels)
    assert d.totals.texts == tuple(str(sums[c]) for c in d.labels)  # int columns: int sums
    assert dict(d.highlight) == {d.labels[0]: "top", d.labels[-1]: "bottom"}  # by the sums
    assert (d.reference, d.reference_text, d.reference_label) == (30000.0, "30000", "目标")


def test_stacked_bars_in_table_order_by_default(tmp_path: Path) -> None:
    folder = with_charts(tmp_path / "d", STACKED.replace('sort = "desc"\n', ""))
    tables = load_tables(folder)
    d = make_charts(tables)["households"].data
    assert list(d.labels) == [r.key for r in tables["microcredit"].body if not r.is_total]


def test_stacked_bars_caption_and_alt_give_every_value_in_order(stacked) -> None:
    chart, table, _ = stacked
    d = chart.data
    top, low = d.labels[0], d.labels[-1]
    assert chart.caption.startswith(
        f"已脱贫户数、监测户数合计：{top}最高（{d.totals.texts[0]}），"
        f"{low}最低（{d.totals.texts[-1]}）；目标为30000，"
    )
    above = sum(1 for v in d.totals.values if v > 30000)
    assert chart.caption.endswith(f"{above}个县（市、区）高于目标。")
    rows = "；".join(
        f"{c}：已脱贫户数{table.cite(c, '已脱贫户数')}，监测户数{table.cite(c, '监测户数')}，"
        f"合计{t}"
        for c, t in zip(d.labels, d.totals.texts, strict=True)
    )
    assert chart.alt == (
        f"堆积条形图：{chart.title}。按合计从高到低：{rows}。虚线为目标（30000）。"
        "红色标出最高的1个；橙色标出最低的1个。"
    )


def test_stacked_bar_svg_is_deterministic(stacked) -> None:
    """The same bytes again, and in a fresh process with another hash seed."""
    chart, _, folder = stacked
    first = chart.svg()
    chart._svg = None
    assert chart.svg() == first
    assert ET.fromstring(first).tag == f"{SVG}svg"
    assert not [el for el in ET.fromstring(first).iter(f"{SVG}text")]  # text as paths
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from bulletin.charts import make_charts\n"
        "from bulletin.compute.tables import load_tables\n"
        f"chart = make_charts(load_tables(Path({str(folder)!r})))['households']\n"
        "sys.stdout.buffer.write(chart.svg())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4321", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == first


def test_stacking_a_percentage_is_refused_in_both_languages(tmp_path: Path) -> None:
    folder = with_charts(
        tmp_path / "d",
        STACKED.replace('["已脱贫户数", "监测户数"]', '["已脱贫户数", "余额获贷率"]'),
    )
    with pytest.raises(DataError) as e:
        load_tables(folder)
    message = e.value.diagnostic.message
    assert message.show("en") == (
        "chart 'households': '余额获贷率' is a percentage (16.65%), and such values do not add "
        "up into a stacked bar"
    )
    assert message.show("zh") == (
        "图表“households”：“余额获贷率”是百分比（如 16.65%），不能相加，不能画成堆积条形图"
    )
    assert e.value.field == "columns" and "rank_bar" in str(e.value.diagnostic.hint)


def test_a_new_kind_is_one_class(tmp_path: Path) -> None:
    """Adding a kind takes its class alone (stacked_bar added its class in kinds.py, its
    messages, its test and its page): defining the subclass registers it, and the spec, the
    build and the drawing find it. Shown with a kind defined here, and taken out again."""
    assert isinstance(KINDS["stacked_bar"], StackedBar)
    assert (KINDS["line"].history, KINDS["stacked_bar"].history) == (True, False)

    class Columns(Bar):  # vertical bars under another name, say
        name = "columns_test"
        zh = "柱形图"

    try:
        spec = '[[charts]]\nname = "x"\ntype = "columns_test"\ncolumns = ["监测户数"]\n'
        folder = with_charts(tmp_path / "d", spec)
        chart = make_charts(load_tables(folder))["x"]
        assert chart.kind is KINDS["columns_test"] and chart.data.type == "columns_test"
        assert chart.alt.startswith("柱形图：")
        assert ET.fromstring(chart.svg()).tag == f"{SVG}svg"
    finally:
        del KINDS["columns_test"]


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chart", "line", "message"),
    [
        ('name = "x"\ntype = "rank_bar"\ncolumns = ["获贷率"]\n', 3, "no numeric column '获贷率'"),
        (
            'name = "x"\ntype = "rank_bar"\ncolumns = ["总贷款余额户数"]\n',
            3,
            "no numeric column",
        ),  # a hand-typed (reported) column is not data
        ('name = "x"\ntype = "pie"\ncolumns = ["余额获贷率"]\n', 2, "rank_bar"),
        (
            'name = "x"\ntype = "bar"\ncolumns = ["余额获贷率"]\nrefrence = "total"\n',
            4,
            "unknown key 'refrence'",
        ),
        (
            'name = "x"\ntype = "bar"\ncolumns = ["余额获贷率"]\nhighlight = { tpo = 3 }\n',
            4,
            "unknown key 'tpo'",
        ),
        (
            'name = "x"\ntype = "bar"\ncolumns = ["余额获贷率"]\nreference = "lots"\n',
            4,
            "percentage",
        ),
        ('name = "x"\ntype = "bar"\ncolumns = ["新增获贷率", "余额获贷率"]\n', 3, "draws 1 column"),
        (
            'name = "x"\ntype = "grouped_bar"\ncolumns = ["新增获贷率", "余额获贷率"]\n'
            'reference = "total"\n',
            4,
            "needs one column",
        ),
        (
            'name = "x"\ntype = "bar"\ncolumns = ["余额获贷率"]\nrows = ["柘城县"]\n',
            4,
            "line charts",
        ),
        ('name = "a b"\ntype = "bar"\ncolumns = ["余额获贷率"]\n', 1, "pattern"),
        (
            'name = "x"\ntype = "stacked_bar"\ncolumns = ["已脱贫户数", "余额获贷率"]\n',
            3,
            "'余额获贷率' is a percentage",
        ),
        (
            'name = "x"\ntype = "stacked_bar"\ncolumns = ["已脱贫户数", "排名"]\n',
            3,
            "'排名' is the rank",
        ),
        (
            'name = "x"\ntype = "stacked_bar"\ncolumns = ["已脱贫户数"]\n',
            3,
            "a stacked_bar chart draws 2 to 6 columns, not 1",
        ),
        (
            'name = "x"\ntype = "stacked_bar"\ncolumns = ["已脱贫户数", "监测户数"]\n'
            'reference = "total"\n',
            4,
            "needs one column",
        ),
        ('name = "x"\ntype = "stacked"\ncolumns = ["已脱贫户数"]\n', 2, "stacked_bar"),
    ],
)
def test_spec_errors_name_file_and_line(
    tmp_path: Path, chart: str, line: int, message: str
) -> None:
    folder = with_charts(tmp_path / "d", "[[charts]]\n" + chart)
    first = (folder / "microcredit.toml").read_text(encoding="utf-8").splitlines().index(
        "[[charts]]"
    ) + 1
    with pytest.raises(DataError) as e:
        load_tables(folder, root=tmp_path)
    assert e.value.file == "d/microcredit.toml"
    assert e.value.line == first + line, str(e.value)
    assert message in str(e.value)


def test_rows_and_highlights_must_name_rows(tmp_path: Path) -> None:
    for extra, message in (
        ('highlight = { names = ["柘城"] }', "highlight names no row '柘城'"),
        ('type = "line"\nrows = ["商丘"]', "no row '商丘'"),
    ):
        kind = "" if "type" in extra else 'type = "bar"\n'
        folder = with_charts(
            tmp_path / message[:4],
            f'[[charts]]\nname = "x"\n{kind}columns = ["余额获贷率"]\n{extra}\n',
        )
        with pytest.raises(DataError) as e:
            make_charts(load_tables(folder, root=tmp_path))
        assert message in str(e.value)
        assert e.value.line is not None and e.value.file.endswith("microcredit.toml")


def test_missing_font_is_a_clear_config_error(sample_copy: Path) -> None:
    with pytest.raises(ConfigError) as e:
        find_font(["Noto Sans CJK XX", "No Such Sans"])
    assert "'Noto Sans CJK XX', 'No Such Sans'" in str(e.value)
    assert "fonts-noto-cjk" in str(e.value) and "fonts.sans" in str(e.value)
    toml = sample_copy / "bulletin.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8") + '\n[fonts]\nsans = ["No Such Sans"]\n', encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["build", "--root", str(sample_copy), "--quiet"])
    assert result.exit_code == 1
    assert "no chart font installed: 'No Such Sans'" in result.output
    assert "install fonts-noto-cjk (Debian)" in result.output
    assert not (sample_copy / "site").exists()


def test_font_is_found_by_family_name() -> None:
    path = find_font(["No Such Sans", "Noto Sans CJK SC"])
    assert Path(path).name.startswith("NotoSansCJK")
    if Path(path).suffix == ".ttc":  # the SC face of the collection, not its first (JP) face
        assert getattr(path, "face_index", None) not in (None, 0)


def test_a_character_the_font_lacks_is_an_error_not_tofu(tmp_path: Path) -> None:
    folder = with_charts(
        tmp_path / "d",
        '[[charts]]\nname = "x"\ntype = "bar"\n'
        'columns = ["余额获贷率"]\ntitle = "获贷率\U00013000"\n',
    )
    with pytest.raises(DataError) as e:
        make_charts(load_tables(folder))
    assert "no glyph for" in str(e.value) and "U+13000" in str(e.value)


def test_unknown_chart_in_an_article_names_the_charts(two_editions: Path) -> None:
    news = two_editions / "content" / "2024-01" / "news.md"
    news.write_text(
        news.read_text(encoding="utf-8").replace("{chart} trend", "{chart} trnd"), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["build", "--root", str(two_editions), "--quiet"])
    assert result.exit_code == 1
    assert "content/2024-01/news.md:7: error: no chart named 'trnd'" in result.output
    assert "this edition's charts: trend" in result.output
