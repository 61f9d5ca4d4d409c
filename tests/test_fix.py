"""Half-width punctuation in Chinese text: the rules (bulletin/render/punctuation.py), the
lint that `check` and `build` report, and `bulletin fix`, which changes what the lint finds.

The golden test: tests/fixtures/punctuation/mixed.md (Chinese, numbers, English, URLs, code,
quotes, Markdown's syntax) fixed is exactly mixed.fixed.md, and fixing it again changes
nothing."""

from __future__ import annotations

import os
import shutil
import stat
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin.cli import main
from bulletin.commands.check import check
from bulletin.diagnostics.errors import Diagnostic, Finding, msg
from bulletin.load.config import split_front_matter
from bulletin.render import punctuation
from bulletin.render.punctuation import article_marks, convert, edition_marks

from .conftest import tree_digest

FIXTURES = Path(__file__).parent / "fixtures" / "punctuation"

# (text, as printed): what changes in Chinese context, and what never does
CASES = [
    ("截至10月底,拨付13.04亿元,占比61.6%,有力", "截至10月底，拨付13.04亿元，占比61.6%，有力"),
    ("县(市、区)财政;其中:全市", "县（市、区）财政；其中：全市"),
    ("是吗?是的!真的吗?!", "是吗？是的！真的吗？！"),
    ('他说"你好"然后走了', "他说“你好”然后走了"),
    ("村里'一元公益联盟'爱心人士", "村里‘一元公益联盟’爱心人士"),
    ("“军令状”,“责任书”", "“军令状”，“责任书”"),
    ("世界贸易组织(WTO)成立", "世界贸易组织（WTO）成立"),
    ("(1)加强领导;(2)压实责任", "（1）加强领导；（2）压实责任"),
    ("GDP增长6.5%,CPI(居民消费价格指数)上涨", "GDP增长6.5%，CPI（居民消费价格指数）上涨"),
    ('他说"OK"然后', "他说“OK”然后"),
    ("会议时间:10:30开始", "会议时间：10:30开始"),
    # never: numbers, Latin text, URLs, e-mail addresses, apostrophes, f(x)
    ("共1,234户,平均3.5人", "共1,234户，平均3.5人"),
    ("Hello, world (test): fine? yes!", "Hello, world (test): fine? yes!"),
    ('"Hello," she said. "It\'s fine."', '"Hello," she said. "It\'s fine."'),
    ("详见https://example.org/a,b?x=1,c=(2),谢谢", "详见https://example.org/a,b?x=1,c=(2)，谢谢"),
    ("写信给info@example.org,谢谢", "写信给info@example.org，谢谢"),
    ("函数f(x)的值为1,2或3", "函数f(x)的值为1,2或3"),
    ("don't 中文 it's", "don't 中文 it's"),
    ("已经全角，（不变）。", "已经全角，（不变）。"),
]


@pytest.mark.parametrize(("text", "printed"), CASES)
def test_chinese_context_and_only_it(text: str, printed: str) -> None:
    assert convert(text) == printed
    assert convert(printed) == printed  # again: nothing
    assert punctuation.only_punctuation_changed(text, printed)


TEXTS = st.text(
    alphabet=st.sampled_from(list("中文县市区,;:?!()\"' ab1.%“”（）*`\n")), max_size=40
)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_the_fix_is_one_for_one_and_a_second_run_changes_nothing(text: str) -> None:
    once = convert(text)
    assert punctuation.only_punctuation_changed(text, once)
    assert convert(once) == once
    fixed = punctuation.apply(text, article_marks(text))
    assert punctuation.only_punctuation_changed(text, fixed)
    assert article_marks(fixed) == []


# -- bulletin fix ------------------------------------------------------------------------------


def fix(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["fix", *args])
    return result.exit_code, result.stdout, result.stderr


def test_golden_fixture_fixed_exactly_and_once(tmp_path: Path) -> None:
    """Mixed Chinese, numbers, English, URLs, code: exactly the Chinese-context marks change
    (the expected file was checked by hand), and fixing again changes nothing."""
    target = tmp_path / "mixed.md"
    shutil.copy(FIXTURES / "mixed.md", target)
    expected = (FIXTURES / "mixed.fixed.md").read_text(encoding="utf-8")
    code, diff, err = fix(str(target), "--root", str(tmp_path))
    assert code == 0, err
    assert target.read_bytes() == (FIXTURES / "mixed.md").read_bytes()  # (only shown)
    assert diff.startswith("--- a/mixed.md\n+++ b/mixed.md\n@@ -2,4 +2,4 @@\n")
    assert '+kicker: "加大投入，落实政策"' in diff
    assert "1 file(s) would change, 52 mark(s) in all" in err
    code, out, err = fix(str(target), "--root", str(tmp_path), "--write")
    assert code == 0, err
    assert out == "changed mixed.md: 52 mark(s)\n"
    assert target.read_text(encoding="utf-8") == expected
    before = target.read_bytes()
    code, out, err = fix(str(target), "--root", str(tmp_path), "--write")
    assert (code, out) == (0, "") and "no half-width punctuation" in err
    assert target.read_bytes() == before


def test_the_golden_fixture_keeps_keys_code_urls_and_data() -> None:
    """What the expected file must keep, said once more by hand."""
    fixed = (FIXTURES / "mixed.fixed.md").read_text(encoding="utf-8")
    kept = [
        'kicker: "',  # the key and YAML's quotes
        "subtitle: '村里''一元公益联盟''的故事：回访'",  # YAML's '' escapes stay
        "共1,234户；平均每户3.5万元",
        "会议时间：10:30，",
        'The report says "growth is steady", and it\'s fine (see p. 3): yes! Hello, world.',
        "详见https://example.org/report?a=1,b=2，",
        "<https://example.org/x,y>",
        '(https://example.org/a_(b),c "说明,标题")',
        '`print("你好,世界")`',
        "函数f(x)和数组a[1,2]也不改",
        "{value}`microcredit/合计/余额获贷率`后的逗号，要改",
        "![现场照片，摄于村里](photo.jpg)",
        r"\(转义的括号\)保持原样，&nbsp;",
        "<!-- 注释里的,逗号 -->",
        "| 睢县 | 已完成，效果良好 |",
        'print("你好,世界(测试)")  # 代码里的,不改',
        "    缩进的代码,也不改(四个空格)",
        "[^1]: 脚注内容，来自（市）统计局。",
        '[网站]: https://example.org/ref,x "参考,链接"',
    ]
    for text in kept:
        assert text in fixed, text
    meta, _, _ = split_front_matter(fixed, "mixed.fixed.md")
    assert meta.title == "市财政局推动（试点）工作，成效明显"
    assert meta.byline == "记者 张三（通讯员）"


def draft_project(root: Path, status: str = "draft") -> Path:
    edition = root / "content" / "2024-02"
    edition.mkdir(parents=True)
    (root / "bulletin.toml").write_text('name = "测试简报"\npublisher = "测试局"\n', "utf-8")
    (edition / "edition.toml").write_text(
        f'# 注释,不改\nnumber = 2\ndate = 2024-02-05\nstatus = "{status}"\n\n'
        '[[pages]]\nbanner = "压实责任,守住底线"  # 标语,注释不改\n'
        "credit = '本版由测试局(办公室)供稿'\narticles = [\"first\"]\n",
        encoding="utf-8",
    )
    (edition / "first.md").write_text(
        "---\ntitle: 主题,副题\nkicker: 引题\n---\n\n"
        "第一段,有逗号;还有分号。\n\n第二段没有问题。\n\n第三段(括号)和1,234户。\n",
        encoding="utf-8",
    )
    return root


def test_edition_toml_values_change_never_keys_or_comments(tmp_path: Path) -> None:
    project = draft_project(tmp_path)
    toml = project / "content/2024-02/edition.toml"
    before = toml.read_text(encoding="utf-8")
    code, _, err = fix("--root", str(project), "--write")
    assert code == 0, err
    after = toml.read_text(encoding="utf-8")
    assert '# 注释,不改\n' in after and "# 标语,注释不改" in after
    assert 'banner = "压实责任，守住底线"' in after
    assert "credit = '本版由测试局（办公室）供稿'" in after
    old, new = tomllib.loads(before), tomllib.loads(after)
    assert new["pages"][0]["articles"] == old["pages"][0]["articles"]
    assert {k: v for k, v in new.items() if k != "pages"} == {
        k: v for k, v in old.items() if k != "pages"
    }
    article = (project / "content/2024-02/first.md").read_text(encoding="utf-8")
    assert article.startswith("---\ntitle: 主题，副题\n")
    assert "第一段，有逗号；还有分号。" in article and "第三段（括号）和1,234户。" in article


def test_line_ends_bom_and_file_mode_are_kept(tmp_path: Path) -> None:
    article = tmp_path / "a.md"
    article.write_bytes("\ufeff---\r\ntitle: 标题\r\n---\r\n\r\n中文,逗号\r\n".encode())
    article.chmod(0o640)
    code, _, err = fix(str(article), "--root", str(tmp_path), "--write")
    assert code == 0, err
    assert article.read_bytes() == "\ufeff---\r\ntitle: 标题\r\n---\r\n\r\n中文，逗号\r\n".encode()
    assert stat.S_IMODE(os.stat(article).st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]  # no temporary file left


def test_published_editions_are_left_alone_unless_included(tmp_path: Path) -> None:
    project = draft_project(tmp_path, status="published")
    before = tree_digest(project)
    code, out, err = fix("--root", str(project), "--write")
    assert (code, out) == (0, "")
    assert "edition 2024-02 is published and locked: 2 file(s) left as published" in err
    assert "--include-published" in err
    assert "nothing to change outside the published editions" in err
    assert tree_digest(project) == before
    code, out, err = fix("--root", str(project), "--include-published", "--write")
    assert code == 0, err
    assert out.splitlines() == [
        "changed content/2024-02/edition.toml: 3 mark(s)",
        "changed content/2024-02/first.md: 5 mark(s)",
    ]
    # the note `new article` and `import` give for a change to a published edition
    assert (
        "note: edition 2024-02 is published and locked: record this change as a correction"
        in err
    )


def test_a_fix_that_would_change_more_than_punctuation_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = draft_project(tmp_path)
    real = punctuation.apply
    monkeypatch.setattr(
        punctuation, "apply", lambda text, marks: real(text, marks).replace("title", "titel")
    )
    article = project / "content/2024-02/first.md"
    before = article.read_bytes()
    code, out, err = fix("--root", str(project), "--write")
    assert code == 1
    assert "content/2024-02/first.md: error: the fixed file would not read as it did" in err
    assert article.read_bytes() == before
    assert out == "changed content/2024-02/edition.toml: 3 mark(s)\n"  # (the others are fixed)


def test_a_file_fix_cannot_change_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "t.csv"
    data.write_text("县,户数\n睢县,10\n", encoding="utf-8")
    code, _, err = fix(str(data), "--root", str(tmp_path))
    assert code == 1
    assert "is not an article (.md) or an edition.toml" in err


# -- the lint: check and build -----------------------------------------------------------------


def test_check_warns_with_file_line_and_column_and_strict_fails(tmp_path: Path) -> None:
    project = draft_project(tmp_path)
    result = CliRunner().invoke(main, ["check", "--root", str(project)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert (
        "content/2024-02/edition.toml:7:15: warning: 'banner': half-width punctuation in "
        "Chinese text: ',' → '，' (column 15)" in lines
    )
    assert (
        "content/2024-02/edition.toml:8:17: warning: 'credit': half-width punctuation in "
        "Chinese text: '(' → '（' (column 17); ')' → '）' (column 21)" in lines
    )
    assert (
        "content/2024-02/first.md:2:10: warning: 'title': half-width punctuation in Chinese "
        "text: ',' → '，' (column 10)" in lines
    )
    assert (
        "content/2024-02/first.md:6:4: warning: half-width punctuation in Chinese text: "
        "',' → '，' (column 4); ';' → '；' (column 8)" in lines
    )
    assert "content/2024-02/first.md:10:4: warning:" in result.output
    # the first warning of a file says how to fix them all; the others do not repeat it
    assert result.output.count("→ fix: `bulletin fix` shows every change") == 2
    assert lines[-1] == "checked: 0 error(s), 5 warning(s)."
    strict = CliRunner().invoke(main, ["check", "--root", str(project), "--strict"])
    assert strict.exit_code == 1
    # fixed, nothing is left
    assert fix("--root", str(project), "--write")[0] == 0
    assert CliRunner().invoke(main, ["check", "--root", str(project), "--strict"]).exit_code == 0


def test_build_warns_with_file_line_and_column_and_strict_fails(tmp_path: Path) -> None:
    project = draft_project(tmp_path)
    runner = CliRunner()
    built = runner.invoke(main, ["build", "--root", str(project), "--drafts", "--no-pdf", "-q"])
    assert built.exit_code == 0, built.output
    assert (
        "content/2024-02/first.md:6:4: warning: half-width punctuation in Chinese text: "
        "',' → '，' (column 4); ';' → '；' (column 8)" in built.stderr
    )
    assert "content/2024-02/edition.toml:7:15: warning: 'banner':" in built.stderr
    strict = runner.invoke(
        main, ["build", "--root", str(project), "--drafts", "--no-pdf", "--strict"]
    )
    assert strict.exit_code == 1
    assert "content/2024-02/first.md:10:4: warning:" in strict.stderr


def test_in_chinese_the_columns_are_listed_as_editors_read_them(tmp_path: Path) -> None:
    project = draft_project(tmp_path)
    result = CliRunner().invoke(main, ["--lang", "zh", "check", "--root", str(project)])
    assert (
        "content/2024-02/first.md:6:4: 警告：中文里用了半角标点：第 4 列的“,”应为“，”；"
        "第 8 列的“;”应为“；”" in result.output
    )
    assert "  → 修改建议：运行 `bulletin fix` 查看每一处要改成的全角标点" in result.output


def test_a_published_edition_is_one_note_in_check_and_nothing_in_build(tmp_path: Path) -> None:
    project = draft_project(tmp_path, status="published")
    report = check(project)
    notes = [d for d in report.diagnostics if d.message.id.startswith("punctuation.")]
    assert [(d.severity, d.file, d.line, d.column) for d in notes] == [
        ("info", "content/2024-02/edition.toml", 7, 15)
    ]
    assert "2 of its file(s) have half-width punctuation in Chinese text (8 mark(s))" in str(
        notes[0]
    )
    assert not report.failed(strict=True)  # (information never fails --strict)
    built = CliRunner().invoke(main, ["build", "--root", str(project), "--no-pdf", "--strict"])
    assert built.exit_code == 0, built.output
    assert "half-width" not in built.output


def test_many_lines_are_capped_per_file_and_many_marks_per_line() -> None:
    marks = [punctuation.Mark(n, c, ",", "，") for n in range(1, 10) for c in range(1, 16)]
    found = punctuation.findings("a.md", marks)
    assert [d.line for d in found] == [1, 2, 3, 4, 5, 6]
    assert str(found[-1]) == (
        "a.md:6:1: warning: 4 more line(s) of this file have half-width punctuation in "
        "Chinese text (60 mark(s))"
    )
    assert str(found[1]).endswith("(column 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12); 3 more")
    assert found[0].hint is not None and all(d.hint is None for d in found[1:])


def test_the_sample_has_no_half_width_punctuation_left(sample_copy: Path) -> None:
    before = tree_digest(sample_copy)
    code, out, err = fix("--root", str(sample_copy), "--include-published")
    assert (code, out) == (0, "") and "no half-width punctuation" in err
    report = check(sample_copy)
    assert not [d for d in report.diagnostics if d.message.id.startswith("punctuation.")]
    assert tree_digest(sample_copy) == before


def test_edition_marks_read_only_text_values() -> None:
    text = (
        'banner = "一,二"\ntitle = "不是,文字项"\n'
        'text = "勘误:第2版\\"数据\\"有误"\narticles = ["a,b"]\n# credit = "注,释"\n'
    )
    assert [(m.line, m.column, m.field) for m in edition_marks(text)] == [
        (1, 12, "banner"),
        (3, 11, "text"),
    ]


def test_a_diagnostic_shows_its_column_and_keeps_it_through_the_cache() -> None:
    found = Finding(msg("punctuation.more_marks", n=2), "a.md", 3, column=7)
    assert str(found) == "a.md:3:7: warning: 2 more"
    assert Diagnostic.from_json(found.to_json()) == found
    old = {k: v for k, v in found.to_json().items() if k != "column"}  # (a cache made before)
    assert Diagnostic.from_json(old).column is None
    assert str(Finding(msg("punctuation.more_marks", n=2), "a.md", 3)) == "a.md:3: warning: 2 more"


def test_front_matter_block_and_folded_values() -> None:
    text = (
        "---\ntitle: |\n  主题,副题\nkicker: >-\n  引题(一)\n  续行,完\n"
        "byline: 记者,张三\npage: 1\n---\n\n正文。\n"
    )
    marks = article_marks(text)
    assert [(m.line, m.column, m.field) for m in marks] == [
        (3, 5, "title"), (5, 5, "kicker"), (5, 7, "kicker"), (6, 5, "kicker"), (7, 11, "byline"),
    ]  # fmt: skip
    meta, _, _ = split_front_matter(punctuation.apply(text, marks), "a.md")
    assert meta.title.strip() == "主题，副题" and meta.kicker == "引题（一） 续行，完"
    assert meta.byline == "记者，张三"
