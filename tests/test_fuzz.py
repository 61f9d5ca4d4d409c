"""Fuzzing: front matter, Markdown, CSV files and table expressions never crash the build.

Whatever the input, only bulletin's own errors (BulletinError: one clean message naming the
file) may come out — never a KeyError, ValueError, RecursionError or anything else that would
show a traceback. Markdown output is also checked for active content (tests/hostile.py).

Examples per target come from a Hypothesis profile chosen by HYPOTHESIS_PROFILE: "ci" (the
default: 2,000 per target, about a minute for the file on two cores) or "dev" (20,000).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletin.compute.tables import load_table
from bulletin.diagnostics.errors import BulletinError
from bulletin.load.config import split_front_matter
from bulletin.printing.typst import computed_table, make_renderer, render_parts
from bulletin.render.images import ImageStore
from bulletin.render.markdown import Context, make_html_renderer, render_html

from .hostile import HOSTILE, active_in

_COMMON: dict[str, Any] = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "print_blob": True,
}
settings.register_profile("ci", max_examples=2000, **_COMMON)
settings.register_profile("dev", max_examples=20000, **_COMMON)
try:
    FUZZ = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except Exception:  # a profile this file does not know (another test's): the CI one
    FUZZ = settings.get_profile("ci")


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    """A folder for the files one example needs (Hypothesis runs many examples per test)."""
    with tempfile.TemporaryDirectory(prefix="bulletin-fuzz-") as tmp:
        yield Path(tmp)


def mostly(
    usual: st.SearchStrategy[Any], *rare: st.SearchStrategy[Any], percent: int = 80
) -> st.SearchStrategy[Any]:
    """`usual` in about `percent` % of the examples, else one of `rare`."""
    return st.integers(0, 99).flatmap(
        lambda n: usual if n < percent or not rare else rare[n % len(rare)]
    )


def only_bulletin_errors(call: Any, *args: Any) -> Any:
    """Run `call`; a BulletinError is a fine outcome, any other exception fails the test."""
    try:
        return call(*args)
    except BulletinError as e:
        assert e.file, f"an error that names no file: {e}"
        return None


# -- front matter ------------------------------------------------------------------------------

FIELDS = ["title", "kicker", "subtitle", "byline", "page", "order"]
YAML_VALUES = st.one_of(
    st.text(max_size=20),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(repr),
    st.sampled_from(
        [
            "主题", "'引号'", '"转义 \\x41 \\u4e2d"', "[甲, 乙", "{x: 1}", "[1, [2, [3]]]", "&a 锚",
            "*a", "*nope", "!!python/object/apply:os.system ['id']", "!!binary AAAA",
            "!!timestamp 2024-99-99", "2021-02-30", "2024-01-05", "2024-01-05T25:00:00",
            "|\n  多行\n  文字", ">\n  折叠", "~", "null", ".nan", "-.inf", "0x" + "f" * 40,
            "9" * 5000, "1_" + "0" * 5000, "[" * 200 + "]" * 200, "? 复杂键", "- 列表",
            "yes", "No", "on", "0o777", "1e400", "\t制表", "：全角冒号", "#注释", "%YAML 1.1",
            "\x07", "\ufeff", "\u2028", "\x00", "<<: *a",
        ]
    ),
)  # fmt: skip
YAML_LINES = st.tuples(
    st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)),
    st.sampled_from([": ", ":", " : ", ":\n  ", ": &a ", "\t: "]),
    YAML_VALUES,
).map("".join)
FRONT_MATTER = mostly(
    st.builds(
        lambda bom, title, lines, close, body: (
            f"{bom}---\n{title}" + "\n".join(lines) + f"\n{close}\n{body}"
        ),
        st.sampled_from(["", "\ufeff"]),
        mostly(st.just("title: 主题\n"), st.just("")),
        st.lists(YAML_LINES, max_size=6),
        mostly(st.just("---"), st.sampled_from(["...", "--- ", "", "----", "---\r"])),
        st.text(max_size=40),
    ),
    st.text(max_size=200).map(lambda s: "---\n" + s),
    st.text(max_size=200),
)


@FUZZ
@given(text=FRONT_MATTER)
def test_front_matter(text: str) -> None:
    got = only_bulletin_errors(split_front_matter, text, "content/2024-01/a.md")
    if got is not None:
        meta, body, line = got
        assert meta.title and line >= 1 and isinstance(body, str)


# -- Markdown ----------------------------------------------------------------------------------

MD_PIECES = [
    "正文", "**加大资金投入。**一是", "_强调_", "# 标题", "> 引用", "- 列表", "1. 编号", "---",
    "```\n代码\n```", "```{table} t\n```", "```{table} nope\n```", "```{chart} c\n```",
    "```{evil} x\n```", "```{table}\n```", "{value}`t/甲县/户数`", "{value}`t/丁县/户数`",
    "{value}`t/甲县`", "{value}`nope/a/b`", "{value}``", "{evil}`x`", "[^1]", "[^1]: 脚注",
    "[^x]:", "![图](p.png)", "![图](nope.png)", "![图](../../secret.png)", "![图](/etc/passwd)",
    "![图](javascript:alert(1))", "![](data:image/png;base64,AA)", "![图](p.png \"t\")",
    "![图](<p.png>)", "![图](p.svg)", "![[图]](p.png)", "[链接](https://example.com)",
    "[链接](javascript:alert(1))", "[r]: javascript:x", "[r]", "<https://x.example>",
    "<javascript:alert(1)>", "| a | b |\n|:-|-:|\n| 1 | 2 |", "|a|\n|-|", "<div>", "</div>",
    "<!--", "-->", "&amp;", "&#0;", "&#x110000;", "&#xD800;", "\\", "`", "``", "***", "___",
    "~~~", "\t", "\x00", "\r", "\r\n", "\u2028", "\ufeff", "\u202e", "　", "1)", "*", "+",
    "[", "]", "(", ")", "<", ">", "!", "{", "}", "%", "#",
]  # fmt: skip
MARKDOWN = st.lists(
    st.one_of(st.sampled_from(MD_PIECES), st.sampled_from(HOSTILE), st.text(max_size=12)),
    max_size=14,
).flatmap(
    lambda parts: st.lists(
        st.sampled_from(["", " ", "\n", "\n\n", "\n    ", "\n> ", "\n- "]),
        min_size=len(parts),
        max_size=len(parts),
    ).map(lambda seps: "".join(s + p for s, p in zip(seps, parts, strict=True)))
)


class _Table:
    """Stands in for a computed table: cite() like the real one, KeyError when it has no cell."""

    def cite(self, row: str, column: str) -> str:
        if row != "甲县" or column != "户数":
            raise KeyError(f"table 't' has no cell {row}/{column}")
        return "<b>1,234</b>"


@pytest.fixture(scope="module")
def images(scratch: Path) -> tuple[Path, ImageStore]:
    from PIL import Image

    edition = scratch / "content" / "2024-01"
    edition.mkdir(parents=True)
    Image.new("RGB", (16, 12), (200, 30, 30)).save(edition / "p.png")
    (edition / "p.svg").write_text("<svg/>", encoding="utf-8")
    (scratch / "secret.png").write_bytes((edition / "p.png").read_bytes())
    return edition / "a.md", ImageStore(edition, scratch)


HTML_MD = make_html_renderer()
TYPST_MD = make_renderer()


@FUZZ
@given(text=MARKDOWN)
def test_markdown(text: str, images: tuple[Path, ImageStore]) -> None:
    article, store = images
    table = _Table()

    def context() -> Context:
        return Context(
            file="content/2024-01/a.md",
            first_line=5,
            tables=["t"],
            table=lambda name: "<table></table>",
            charts=["c"],
            chart=lambda name: '<img src="c.svg" alt="">',
            cite=lambda t, row, col: table.cite(row, col),
            image=lambda src, alt, line: store.web(src, alt, article, "content/2024-01/a.md", line),
        )

    ctx = context()
    html = only_bulletin_errors(render_html, HTML_MD, text, ctx, "a")
    if html is not None:
        assert all(f.file and f.line for f in ctx.findings), ctx.findings
        if html.strip():
            doc = lxml.html.fragment_fromstring(html, create_parent="div")
            assert not active_in(doc, "editions/2024-01/a.html"), html
    typst_ctx = context()
    typst_ctx.image = lambda src, alt, line: {"src": "/p.png"}
    only_bulletin_errors(render_parts, TYPST_MD, text, typst_ctx, "a")


# -- CSV files ---------------------------------------------------------------------------------

SPEC = """title = "表"
source = "t.csv"
key = "县"

[rank]
by = "率"
order = "desc"
ties = "dense"

[[columns]]
source = "户数"
role = "count"

[[columns]]
source = "贷款户数"
role = "count"
blank = "zero"

[[columns]]
name = "率"
expr = "贷款户数 / 户数"
type = "percent"
decimals = 2

[[columns]]
source = "报告率"
role = "reported"
checks = "率"

[[columns]]
source = "备注"
type = "text"
"""
CELLS = mostly(
    st.integers(min_value=0, max_value=10**6).map(str),
    st.sampled_from(
        [
            "", " ", "0", "-1", "1,234", "1,23", "16.65%", "%", "NaN", "nan", "inf", "-Infinity",
            "1e5", "１２３", "−5", "0.1", ".5", "5.", "9" * 40, "9" * 30, "1" + "0" * 29,
            "0." + "0" * 28 + "1", "abc", "#DIV/0!", "TRUE", "合计", "总计", "注：说明", "备注",
            "县", "户数", '"', '""', "a\nb", "\t", "\x00", "\ufeff", "　甲　县　", "1,000,000",
            "+5", "--5", "5-", "(5)", "¥5", "5元", "½", "²", "٣",
        ]
    ),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.fractions(max_denominator=1000).map(lambda f: f"{float(f):.4f}"),
    st.fractions(0, 1, max_denominator=1000).map(lambda f: f"{float(f) * 100:.2f}%"),
    st.text(max_size=6),
    percent=75,
)  # fmt: skip
COUNTIES = ["甲县", "乙县", "丙县", "丁县", "戊县", "己县", "庚县", "辛县"]
KEYS = mostly(
    st.sampled_from(COUNTIES),
    st.sampled_from([" 甲 县 ", "合计", "总计", "", "注：", "县", "　乙县"]),
    st.text(max_size=4),
    percent=90,
)
HEADERS = mostly(
    st.just(["县", "户数", "贷款户数", "报告率", "备注"]),
    st.permutations(["县", "户数", "贷款户数", "报告率", "备注"]).map(list),
    st.lists(st.sampled_from(["县", "户数", "贷款户数", "报告率", "备注", "", "户数 "]),
             max_size=7),
)  # fmt: skip


def _csv(header: list[str], rows: list[tuple[str, list[str]]], sep: str, title: bool) -> str:
    def cell(v: str) -> str:
        return f'"{v.replace(chr(34), chr(34) * 2)}"' if any(c in v for c in ',"\n\t') else v

    lines = ["商丘市通报表"] if title else []
    lines.append(sep.join(cell(h) for h in header))
    lines += [sep.join(cell(c) for c in [key, *cells]) for key, cells in rows]
    return "\n".join(lines) + "\n"


CSV_BYTES = mostly(
    st.builds(
        lambda text, encoding: text.encode(encoding, errors="replace"),
        st.builds(
            _csv,
            HEADERS,
            st.lists(
                st.tuples(
                    KEYS,
                    mostly(st.lists(CELLS, min_size=4, max_size=4), st.lists(CELLS, max_size=6)),
                ),
                min_size=1,
                max_size=8,
                unique_by=lambda row: row[0],
            ),
            mostly(st.just(","), st.sampled_from(["\t", ";"]), percent=90),
            mostly(st.just(False), st.just(True), percent=70),
        ),
        mostly(st.just("utf-8"), st.sampled_from(["utf-8-sig", "gb18030", "utf-16"])),
    ),
    st.binary(max_size=200),
    percent=95,
)


@FUZZ
@given(data=CSV_BYTES)
def test_csv(data: bytes, scratch: Path) -> None:
    folder = scratch / "data" / "csv"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "t.toml").write_text(SPEC, encoding="utf-8")
    (folder / "t.csv").write_bytes(data)
    table = only_bulletin_errors(lambda: load_table(folder / "t.toml", root=scratch))
    if table is not None:
        table.to_csv_bytes()
        computed_table(table)
        for row in table.body:
            only_bulletin_errors(lambda r=row: _cite(table, r.key))


def _cite(table: Any, row: str) -> None:
    try:
        table.cite(row, "率")
        table.value(row, "户数")
    except KeyError:
        pass  # markdown turns it into a ContentError naming the article


# -- table expressions -------------------------------------------------------------------------

EXPR_CSV = (
    "县,户数,贷款户数,率,备注\n"
    "甲县,100,10,1,说明\n乙县,0,0,2,\n丙县,-5,7,3,x\n丁县,0.001,1000000,4,y\n"
)
NAMES = ["户数", "贷款户数", "率", "备注", "`户数`", "`率`", "`县`", "县", "未知", "__class__",
         "__import__", "x", "nan", "inf", "True", "None", "_q0_", "lambda"]  # fmt: skip
LEAVES = st.one_of(
    st.sampled_from(NAMES),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats().map(repr),
    st.sampled_from(["0", "0.0", "1e308", "1e-400", "1e309", "'x'", '"户"', "b'x'", "...", "[]",
                     "{}", "()", "1j", "0x10", "1_000", "f'{1}'"]),
)  # fmt: skip
OPS = ["+", "-", "*", "/", "**", "//", "%", "@", "<", "==", " and ", " or ", " if ", "&", "|"]
FUNCS = ["round", "abs", "min", "max", "eval", "__import__", "open", "getattr", "sum", "x.y"]


def toml_string(text: str) -> str:
    """A TOML basic string holding exactly `text`."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda a, op, b: f"{a}{op}{b}", inner, st.sampled_from(OPS), inner),
        st.builds(lambda op, a: f"{op}{a}", st.sampled_from(["-", "+", "~", "not "]), inner),
        st.builds(lambda a: f"({a})", inner),
        st.builds(
            lambda f, args, kw: f"{f}({', '.join(args)}{kw})",
            st.sampled_from(FUNCS),
            st.lists(inner, max_size=4),
            st.sampled_from(["", ", n=2", ", *a", ", **k"]),
        ),
        st.builds(lambda a: f"{a}.__class__", inner),
        st.builds(lambda a, b: f"{a}[{b}]", inner, inner),
        st.builds(lambda a: f"[x for x in {a}]", inner),
        st.builds(lambda a: f"lambda: {a}", inner),
        st.builds(lambda a: f"(y := {a})", inner),
    )


EXPRESSIONS = mostly(
    st.recursive(LEAVES, _extend, max_leaves=12),
    st.text(alphabet="户数贷款率`()+-*/., 0123456789_ae[]{}:'\"\\\n#", max_size=40),
    st.text(min_size=1, max_size=20),
    percent=85,
)


@FUZZ
@given(text=EXPRESSIONS, decimals=st.sampled_from(["", "decimals = 2\n", "decimals = 10\n"]))
def test_expression(text: str, decimals: str, scratch: Path) -> None:
    folder = scratch / "data" / "expr"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "t.csv").write_text(EXPR_CSV, encoding="utf-8")
    (folder / "t.toml").write_text(
        'title = "表"\nsource = "t.csv"\nkey = "县"\n\n'
        '[[columns]]\nsource = "户数"\ntype = "number"\n\n'
        '[[columns]]\nsource = "贷款户数"\n\n'
        '[[columns]]\nsource = "率"\ntype = "number"\n\n'
        '[[columns]]\nsource = "备注"\ntype = "text"\n\n'
        f'[[columns]]\nname = "结果"\nexpr = {toml_string(text)}\n{decimals}',
        encoding="utf-8",
    )
    table = only_bulletin_errors(lambda: load_table(folder / "t.toml", root=scratch))
    if table is not None:
        for row in table.body:
            value = table.value(row.key, "结果")
            assert value is None or isinstance(value, (int, Fraction)), value
