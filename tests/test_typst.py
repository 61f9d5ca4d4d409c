"""The Typst escaper, the Typst Jinja2 environment and the Markdown → Typst renderer.

The escaper is proved by Typst itself: escaped text is parsed by Typst and flattened back
to a string by a small Typst function that fails on anything but plain text and spaces.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import typst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletin.printing.pdf import _fonts
from bulletin.printing.typst import (
    TypstMarkup,
    array,
    computed_table,
    content,
    escape,
    make_environment,
    make_renderer,
    render,
    render_parts,
    string,
)
from bulletin.render.markdown import Context

from .hostile import HOSTILE  # shared with the Markdown and safety tests

# Flattens content to a string; anything but text and spaces (a call, a smart quote, a
# link, a label...) panics.
FLATTEN = """
#let flat(c) = {
  if c == [ ] { " " }
  else if repr(c.func()) in ("text", "symbol") { c.text }  // symbol: an escaped character
  else if c.func() == [].func() and c.has("children") { c.children.map(flat).join() }
  else if c.func() == [].func() { "" }
  else { panic("not plain text: " + repr(c)) }
}
"""


def query(src: str) -> Any:
    """The value of the metadata labelled <out> (fonts found once, not per call)."""
    compiler = typst.Compiler(input=src.encode(), font_paths=_fonts())
    return json.loads(compiler.query("<out>", field="value", one=True))


def flatten(markup: str) -> str:
    return query(f"{FLATTEN}\n#metadata(flat([{markup}])) <out>\n") or ""


def spaced(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_is_exactly_the_text(text: str) -> None:
    assert spaced(flatten(escape(text))) == spaced(text)


@given(st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"])))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_escape_property(text: str) -> None:
    assert spaced(flatten(escape(text))) == spaced(text)


def test_escape_line_breaks_and_control_characters() -> None:
    assert escape("一\n二\r\n三\u2028四") == "一 二 三 四"
    assert escape("a\x00b\x1bc\td") == "a" + "b" + "c d"
    assert escape(None) == ""
    assert escape(12) == "12"
    # already markup: passed through
    assert escape(TypstMarkup("#strong[x]")) == "#strong[x]"
    assert isinstance(escape("x"), TypstMarkup)


@pytest.mark.parametrize("text", [*HOSTILE, 'a"b\\c\nd\te\x00\x7f\u2028'])
def test_string_literal_round_trip(text: str) -> None:
    assert query(f"#metadata({string(text)}) <out>\n") == text


def test_array_and_content() -> None:
    assert array(["Noto Serif CJK SC"]) == '("Noto Serif CJK SC",)'
    assert array([]) == "()"
    assert content(None) == "none" and content("") == "none"
    assert content("#x") == "[\\#x]"


def test_environment_escapes_every_value(tmp_path: Path) -> None:
    (tmp_path / "t.typ").write_text(
        "[{{ text }}] [{{ markup }}] {{ text | typst_str }} {{ none_value | typst_content }}",
        encoding="utf-8",
    )
    env = make_environment([tmp_path])
    out = env.get_template("t.typ").render(
        text='#read("x")', markup=TypstMarkup("#strong[ok]"), none_value=None
    )
    assert out == '[\\#read\\(\\"x\\"\\)] [#strong[ok]] "#read(\\"x\\")" none'


# -- Markdown → Typst ------------------------------------------------------------------------

MD = make_renderer()


class FakeTable:
    """What bulletin.printing.typst.computed_table reads from a ComputedTable."""

    def __init__(self, cells: list[list[str]], title: str = "表", note: str | None = "注") -> None:
        self.name, self.title, self.source_note, self.notes = "t", title, note, ["说明"]
        self.header_rows = [
            [SimpleNamespace(text="县", colspan=1, rowspan=2),
             SimpleNamespace(text="获贷率", colspan=2, rowspan=1)],
            [SimpleNamespace(text="新增", colspan=1, rowspan=1),
             SimpleNamespace(text="余额", colspan=1, rowspan=1)],
        ]  # fmt: skip
        self.columns = [
            SimpleNamespace(key="县", label="县", numeric=False),
            SimpleNamespace(key="a", label="新增", numeric=True),
            SimpleNamespace(key="b", label="余额", numeric=True),
        ]
        self.body = [SimpleNamespace(key=r[0], cells=r, is_total=r[0] == "合计") for r in cells]

    def cite(self, row: str, column: str) -> str:
        return {"a": self.body[0].cells[1], "b": self.body[0].cells[2]}[column]


def ctx(**kw: Any) -> Context:
    return Context(file="content/x/a.md", first_line=5, **kw)


def to_typst(text: str, **kw: Any) -> str:
    return render(MD, text, ctx(**kw), doc_id="a")


# Just enough of the print template for rendered articles to compile on their own.
PREAMBLE = """
#set page(width: 12cm, height: auto)
#set text(font: "Noto Serif CJK SC", lang: "zh")
#let bl-stat-table(title: none, source: none, notes: (), body) = [#title #body #source]
"""


def compile_text(markup: str) -> str:
    """Compile a fragment; return its text, as pdftotext would, without white space."""
    pdf = typst.Compiler(font_paths=_fonts()).compile((PREAMBLE + markup).encode(), format="pdf")
    return "".join(_pdftext(pdf).split())


def _pdftext(pdf: bytes) -> str:
    import subprocess

    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")


def test_paragraphs_emphasis_and_cjk_breaks() -> None:
    out = to_typst("第一行\n第二行，**加粗**和*强调*。\n\n第二段 with `code`.")
    assert out == ('第一行第二行，#strong[加粗]和#emph[强调]。\n\n第二段 with #raw("code")\\.\n\n')


def test_lists_headings_quotes_rules() -> None:
    out = to_typst("# 小标题\n\n- 甲\n- 乙\n\n3. 丙\n4. 丁\n\n> 引文\n\n---\n")
    assert "#heading(level: 2)[小标题]" in out
    assert "#list(tight: true,\n[甲\n],\n[乙\n],\n)" in out
    assert "#enum(start: 3, tight: true," in out
    assert "#quote(block: true)[\n引文\n\n]" in out
    assert "#line(" in out
    assert compile_text(out) == "小标题•甲•乙3.丙4.丁引文"


def test_markdown_table_with_alignment() -> None:
    out = to_typst("| 县 | 户数 |\n|:--|--:|\n| 永城市 | 4941 |\n")
    assert out.startswith("#table(columns: 2, align: (left, right,),\ntable.header(\n")
    assert "[#strong[户数]]," in out and "[4941]," in out
    assert compile_text(out) == "县户数永城市4941"


def test_footnotes_are_placed_at_their_references() -> None:
    out = to_typst("正文[^1]，再次[^1]。\n\n[^1]: 注释*内容*。\n")
    assert "#footnote[注释#emph[内容]。]<bl-fn-a-0>" in out
    assert "#footnote(<bl-fn-a-0>)" in out
    assert out.count("注释") == 1
    assert "注释内容" in compile_text(out)


def test_raw_html_and_links_print_as_text() -> None:
    out = to_typst('<script>alert("x")</script>\n\n文字<b>粗</b>，[网站](https://example.cn)'
                   "，[本地](other.html)，[坏](javascript:alert(1))。")  # fmt: skip
    assert '#raw(block: true, "<script>alert(\\"x\\")</script>")' in out
    assert "\\<b\\>粗\\<\\/b\\>" in out
    assert '#link("https://example.cn")[网站]' in out
    assert "本地" in out and "other" not in out and "javascript" not in out
    text = compile_text(out)
    assert '<script>alert("x")</script>' in text and "<b>粗</b>" in text


def test_images_become_figures_with_captions() -> None:
    calls = []

    def image(src: str, alt: str, line: int) -> dict[str, str]:
        calls.append((src, alt, line))
        return {"src": "/content/x/" + src}

    out = to_typst('前文\n\n![村里的"新"大棚](photo.jpg)\n\n行内![图](i.png)。', image=image)
    assert '#figure(image("/content/x/photo.jpg", width: 100%, alt: "村里的\\"新\\"大棚"), ' in out
    assert 'caption: [村里的\\"新\\"大棚])' in out
    assert '#box(image("/content/x/i.png", height: 1.2em, alt: "图"))' in out
    assert calls == [("photo.jpg", '村里的"新"大棚', 7), ("i.png", "图", 9)]


def test_directives_and_citations() -> None:
    table = FakeTable([["永城市", "16.65%", "17.78%"], ["合计", "11.71%", "14.40%"]])
    kw = {
        "tables": ["t"],
        "table": lambda name: computed_table(table),
        "cite": lambda t, row, col: table.cite(row, col),
    }
    src = "获贷率为{value}`t/永城市/b`。\n\n```{table} t\n```\n\n其后。\n"
    out = to_typst(src, **kw)
    assert "获贷率为17\\.78\\%。" in out
    assert "#bl-stat-table(title: [表]" in out
    parts = render_parts(MD, src, ctx(**kw), doc_id="a")
    assert [kind for kind, _ in parts] == ["text", "wide", "text"]
    assert parts[1][1].startswith("#bl-stat-table(")
    assert (
        compile_text(out)
        == "获贷率为17.78%。表县获贷率新增余额永城市16.65%17.78%合计11.71%14.40%注其后。"
    )


def test_computed_table_structure() -> None:
    table = FakeTable([["永城市", "1", "2"], ["合计", "3", "4"]], note=None)
    out = computed_table(table)
    assert "table.header(table.cell(rowspan: 2, align: center + horizon)[#strong[县]]" in out
    assert "table.cell(colspan: 2, align: center + horizon)[#strong[获贷率]]" in out
    assert "table.footer(repeat: false, [#strong[合计]], [#strong[3]], [#strong[4]])" in out
    assert "columns: (auto, 1fr, 1fr,)" in out and "align: (center, right, right,)" in out
    assert "source: none" in out and "notes: ([说明], )" in out
    assert "source: none" in computed_table(FakeTable([["a", "1", "2"]]), source=False)


def test_hostile_table_cells_are_escaped() -> None:
    table = FakeTable([[h, h, h] for h in HOSTILE[:6]], title=HOSTILE[6], note=HOSTILE[7])
    text = compile_text(computed_table(table))
    for h in HOSTILE[:8]:
        assert "".join(h.split()) in text


def test_sample_table() -> None:
    from bulletin.compute import tables as tables_mod

    root = Path(__file__).resolve().parent.parent
    tables = tables_mod.load_tables(root / "data" / "2021-12", root=root)
    table = tables["microcredit"]
    text = compile_text(computed_table(table))
    for row in table.body:
        for cell in row.cells:
            assert cell in text
