"""Markdown: golden fixtures (input .md → expected .html) plus the rules' warnings and errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from bulletin.diagnostics import i18n
from bulletin.diagnostics.errors import ContentError, msg
from bulletin.render.markdown import Context, make_html_renderer, render_html, safe_href

FIXTURES = Path(__file__).parent / "fixtures" / "markdown"
MD = make_html_renderer()


def render(text: str, **kw: object) -> tuple[str, Context]:
    ctx = Context(file="content/x/a.md", first_line=10, **kw)  # type: ignore[arg-type]
    return render_html(MD, text, ctx, doc_id="a"), ctx


@pytest.mark.parametrize("name", sorted(p.stem for p in FIXTURES.glob("*.md")))
def test_golden(name: str) -> None:
    html, _ = render((FIXTURES / f"{name}.md").read_text(encoding="utf-8"))
    expected = FIXTURES / f"{name}.html"
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(html, encoding="utf-8")
    assert html == expected.read_text(encoding="utf-8")


def test_cjk_soft_break_joins_without_space() -> None:
    html, _ = render("第一行\n第二行\nEnglish\nwords\n中文\nEnd")
    assert "第一行第二行\nEnglish\nwords\n中文\nEnd" in html


def test_raw_html_is_text_and_warned_with_line() -> None:
    html, ctx = render("正文\n\n<script>alert(1)</script>\n\n文字<img src=x onerror=alert(1)>。")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x" in html
    assert [(f.file, f.line) for f in ctx.findings] == [
        ("content/x/a.md", 12),
        ("content/x/a.md", 14),
    ]
    assert all(f.level == "warning" and "raw HTML" in str(f.message) for f in ctx.findings)


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "jav&#x61;script:alert(1)",
        "JAVASCRIPT:x",
        "data:text/html;base64,PHM+",
        "vbscript:x",
        "file:///etc/passwd",
        "&#106;avascript:alert(1)",
        "java&#x09;script:x",
    ],
)
def test_unsafe_links_are_dropped_with_a_warning(href: str) -> None:
    html, ctx = render(f"看[这里]({href})。")
    assert "<a" not in html and "这里" in html
    assert len(ctx.findings) == 1 and ctx.findings[0].line == 10
    assert "removed" in str(ctx.findings[0].message)


@pytest.mark.parametrize(
    "href",
    [
        "https://www.gov.cn/",
        "http://a.cn",
        "mailto:a@b.cn",
        "other.html",
        "#p2",
        "../2021-11/index.html",
    ],
)
def test_safe_links_are_kept(href: str) -> None:
    html, ctx = render(f"[这里]({href})")
    assert "<a href=" in html and not ctx.findings


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
@settings(max_examples=300)
def test_safe_href_never_allows_a_script_scheme(suffix: str) -> None:
    for scheme in ("javascript", "JavaScript", "java\tscript", " javascript", "vbscript", "data"):
        assert not safe_href(f"{scheme}:{suffix}")


def test_image_alone_becomes_figure_with_caption() -> None:
    calls = []

    def image(src: str, alt: str, line: int) -> dict[str, object]:
        calls.append((src, alt, line))
        return {"src": f"img/{src}", "width": 10}

    html, _ = render("正文。\n\n![胡国旗在田间](photo.jpg)\n\n行内![图](b.png)图。", image=image)
    assert '<figure class="photo"><img alt="胡国旗在田间" src="img/photo.jpg" width="10">' in html
    assert "<figcaption>胡国旗在田间</figcaption></figure>" in html
    assert '<p>行内<img alt="图" src="img/b.png" width="10">图。</p>' in html
    assert calls == [("photo.jpg", "胡国旗在田间", 12), ("b.png", "图", 14)]


@pytest.mark.parametrize(
    "src",
    [
        "https://example.com/a.jpg",
        "//cdn.example/a.png",
        "/etc/a.png",
        "data:image/png;base64,AAAA",
    ],
)
def test_external_images_are_errors(src: str) -> None:
    with pytest.raises(ContentError) as e:
        render(f"正文\n\n![图]({src})")
    assert e.value.file == "content/x/a.md" and e.value.line == 12


def test_table_directive_and_citation() -> None:
    html, _ = render(
        "全市获贷率为{value}`microcredit/合计/获贷率`。\n\n```{table} microcredit\n```\n",
        tables=["microcredit"],
        table=lambda name: f"<TABLE {name}>",
        cite=lambda t, r, c: f"{t}|{r}|{c}",
    )
    assert 'data-cite="microcredit/合计/获贷率">microcredit|合计|获贷率</span>' in html
    assert "<TABLE microcredit>" in html


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("正文\n\n```{table} missing\n```", 12, "no table named 'missing'"),
        ("正文\n\n```{chart} x\n```", 12, "no chart named 'x'"),
        ("正文\n\n```{graph} x\n```", 12, "unknown directive"),
        ("a\n\n{value}`nosuch/合计/率`", 12, "no table named 'nosuch'"),
        ("{value}`microcredit/合计`", 10, "needs table/row/column"),
        ("{foo}`x`", 10, "unknown role"),
    ],
)
def test_directive_errors_name_file_and_line(text: str, line: int, message: str) -> None:
    with pytest.raises(ContentError) as e:
        render(text, tables=["microcredit"], table=lambda n: "", cite=lambda *a: "")
    assert (e.value.file, e.value.line) == ("content/x/a.md", line)
    assert message in str(e.value)


def test_bad_citation_becomes_content_error() -> None:
    def cite(t: str, r: str, c: str) -> str:
        raise KeyError(f"no row '{r}'; rows: 永城市, 合计")

    with pytest.raises(ContentError) as e:
        render("x\n\n见{value}`microcredit/北京/获贷率`。", tables=["microcredit"], cite=cite)
    assert e.value.line == 12 and "no row '北京'" in str(e.value)


def test_a_citation_error_that_is_a_message_shows_in_each_language() -> None:
    def cite(t: str, r: str, c: str) -> str:
        raise KeyError(msg("markdown.no_table", name=t))  # (a table's look-up says why)

    with pytest.raises(ContentError) as e:
        render("见{value}`nosuch/北京/获贷率`。", tables=["nosuch"], cite=cite)
    assert str(e.value) == (
        "content/x/a.md:10: error: {value}`nosuch/北京/获贷率`: no table named 'nosuch'"
    )
    with i18n.using("zh"):
        assert e.value.format_message() == (
            "content/x/a.md:10: 错误：{value}`nosuch/北京/获贷率`：没有名为“nosuch”的表格"
        )


def test_footnote_ids_are_per_article() -> None:
    html, _ = render("注[^1]\n\n[^1]: 说明")
    assert 'href="#fn-a-1" id="fnref-a-1"' in html and '<li id="fn-a-1"' in html


ascii_md = st.text(alphabet=st.sampled_from(list("ab *_`[]()!#>-\n\\<&1.")), max_size=60)


def _flat(tokens: list[Token]) -> list[tuple[str, int, str, str]]:
    out = []
    for t in tokens:
        out.append((t.type, t.nesting, t.content, t.markup))
        out += _flat(t.children or [])
    return out


@given(ascii_md)
@settings(max_examples=500)
def test_latin_text_parses_exactly_as_commonmark(text: str) -> None:
    """The CJK rules change nothing for text without Chinese: same tokens as stock markdown-it."""
    stock = MarkdownIt("commonmark", {"html": True}).enable("table").use(footnote_plugin)
    stock.validateLink = lambda url: True  # type: ignore[method-assign]
    ctx = Context(file="a.md", first_line=1)
    assert _flat(MD.parse(text, {"ctx": ctx})) == _flat(stock.parse(text))
