"""Half-width punctuation in Chinese text: the rules (bulletin/punctuation.py), the
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

from bulletin import punctuation
from bulletin.cli import main
from bulletin.commands.check import check
from bulletin.diagnostics.errors import Diagnostic, Finding, msg
from bulletin.load.config import split_front_matter
from bulletin.load.content import load_site
from bulletin.punctuation import article_marks, convert, edition_marks, spec_marks

from .conftest import MINIMAL_ARTICLE, MINIMAL_TOML, charts_by_edition, tree_digest

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
    assert "is not an article (.md), an edition.toml or a table spec" in err


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


# -- table specs: the texts they print, never their names, headers in the data or formulas -----

SPEC = """\
# 小额信贷通报表(注释,不改)
title = "县(市、区)小额信贷通报表(2021年)"
source = "xindai.csv"
key = "县(市、区)"
key_label = "县(市、区)"
source_note = "资料来源:市乡村振兴局"

[rank]
by = "获贷率(当年)"
order = "desc"
ties = "min"
name = "排名(当年)"
change_label = "排名变化(较上期)"

[[columns]]
source = "脱贫户数"
role = "count"

[[columns]]
source = "当年新增户数"
role = "count"

[[columns]]
name = "获贷率(当年)"
expr = "当年新增户数 / 脱贫户数"
type = "percent"
decimals = 2
label = "获贷率(%)"  # 表头(注释,不改)

[[charts]]
name = "xindai-rate"
type = "rank_bar"
columns = ["获贷率(当年)"]
reference = "total"
title = "各县(市、区)获贷率"
"""
SPEC_FIXED = {  # line: as fixed (the other lines stay as they are)
    2: 'title = "县（市、区）小额信贷通报表（2021年）"',
    5: 'key_label = "县（市、区）"',
    6: 'source_note = "资料来源：市乡村振兴局"',
    13: 'change_label = "排名变化（较上期）"',
    28: 'label = "获贷率（%）"  # 表头(注释,不改)',
    35: 'title = "各县（市、区）获贷率"',
}


def spec_project(root: Path, status: str = "draft") -> Path:
    """draft_project with a table (县(市、区) as the data file's header) on its page."""
    project = draft_project(root, status)
    toml = project / "content/2024-02/edition.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8") + 'tables = ["xindai"]\n', encoding="utf-8"
    )
    data = project / "data/2024-02"
    data.mkdir(parents=True)
    (data / "xindai.csv").write_text(
        "县(市、区),脱贫户数,当年新增户数\n睢县,100,12\n柘城县,200,30\n宁陵县,150,15\n",
        encoding="utf-8",
    )
    (data / "xindai.toml").write_text(SPEC, encoding="utf-8")
    return project


def test_spec_marks_are_the_printed_texts_only() -> None:
    assert sorted({m.line for m in spec_marks(SPEC)}) == sorted(SPEC_FIXED)
    text = (
        'total_label = "合计(全市)"\ngroup = "获贷率(当年)"\nreference_label = "全市(平均)"\n'
        'name = "获贷率(当年)"\nsource = "县(市、区)"\nby = "获贷率(当年)"\n'
        'expr = "户数(当年) / 户数"\nchecks = "获贷率(当年)"\nsheet = "表(一)"\n'
        'columns = ["获贷率(当年)"]\nlabels = "不是(设置)"\n'
        'x = { name = "名(称)", label = "标(签)" }\nrank.label = "排名(当年)"\n'
        'note = "说明 label = \\"不是(项)\\""  # title = "注(释)"\n'
    )
    assert [(m.line, m.column, m.field) for m in spec_marks(text)] == [
        (1, 18, "total_label"), (1, 21, "total_label"), (2, 13, "group"), (2, 16, "group"),
        (3, 22, "reference_label"), (3, 25, "reference_label"),
        (12, 32, "label"), (12, 34, "label"), (13, 17, "label"), (13, 20, "label"),
    ]  # fmt: skip
    # a whole key: key_label's end is not label, and key is never key_label
    assert [m.field for m in spec_marks('key = "县(市)"\nkey_label = "县(市)"\n')] == [
        "key_label",
        "key_label",
    ]


def test_check_and_build_report_a_specs_printed_texts_with_line_and_column(
    tmp_path: Path,
) -> None:
    project = spec_project(tmp_path)
    result = CliRunner().invoke(main, ["check", "--root", str(project)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert (
        "data/2024-02/xindai.toml:2:11: warning: 'title': half-width punctuation in Chinese "
        "text: '(' → '（' (column 11, 23); ')' → '）' (column 15, 29)" in lines
    )
    assert (
        "data/2024-02/xindai.toml:6:20: warning: 'source_note': half-width punctuation in "
        "Chinese text: ':' → '：' (column 20)" in lines
    )
    assert (
        "data/2024-02/xindai.toml:28:13: warning: 'label': half-width punctuation in Chinese "
        "text: '(' → '（' (column 13); ')' → '）' (column 15)" in lines
    )
    spec = sorted(
        int(line.split(":")[1]) for line in lines if line.startswith("data/2024-02/xindai.toml:")
    )
    assert spec == sorted(SPEC_FIXED)  # never key's line 4, the rank's name, a column's name
    assert "data/2024-02/xindai.csv" not in result.output
    built = CliRunner().invoke(
        main, ["build", "--root", str(project), "--drafts", "--no-pdf", "-q"]
    )
    assert built.exit_code == 0, built.output
    assert "data/2024-02/xindai.toml:5:15: warning: 'key_label':" in built.stderr


def test_fix_changes_only_a_specs_printed_texts_and_the_table_still_loads(
    tmp_path: Path,
) -> None:
    project = spec_project(tmp_path)
    spec, data = project / "data/2024-02/xindai.toml", project / "data/2024-02/xindai.csv"
    csv = data.read_bytes()
    code, diff, err = fix("--root", str(project))
    assert code == 0, err
    assert "--- a/data/2024-02/xindai.toml\n" in diff and "xindai.csv" not in diff
    code, out, err = fix("--root", str(project), "--write")
    assert code == 0, err
    assert "changed data/2024-02/xindai.toml: 13 mark(s)" in out.splitlines()
    lines = spec.read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(SPEC.splitlines(), start=1):
        assert lines[n - 1] == SPEC_FIXED.get(n, line), n
    old, new = tomllib.loads(SPEC), tomllib.loads(spec.read_text(encoding="utf-8"))
    assert (new["key"], new["source"], new["rank"]["by"], new["rank"]["name"]) == (
        "县(市、区)", "xindai.csv", "获贷率(当年)", "排名(当年)"
    )  # fmt: skip
    assert [c.get("name") for c in new["columns"]] == [c.get("name") for c in old["columns"]]
    assert new["charts"][0]["columns"] == ["获贷率(当年)"]
    assert data.read_bytes() == csv  # the data as reported
    report = check(project)
    assert not report.failed(strict=True), [str(d) for d in report.diagnostics]
    assert not [d for d in report.diagnostics if d.message.id.startswith("punctuation.")]
    before = tree_digest(project)
    code, out, err = fix("--root", str(project), "--write")
    assert (code, out) == (0, "") and "no half-width punctuation" in err
    assert tree_digest(project) == before


def test_a_spec_named_on_the_command_line_and_never_its_data(tmp_path: Path) -> None:
    project = spec_project(tmp_path)
    spec = project / "data/2024-02/xindai.toml"
    code, out, err = fix(str(spec), "--root", str(project), "--write")
    assert (code, out) == (0, "changed data/2024-02/xindai.toml: 13 mark(s)\n"), err
    code, _, err = fix(str(project / "data/2024-02/xindai.csv"), "--root", str(project))
    assert code == 1 and "is not an article (.md), an edition.toml or a table spec" in err
    code, out, err = fix(str(project / "content/2024-02"), "--root", str(project), "--write")
    assert code == 0, err
    assert "changed data/2024-02/xindai.toml" not in out  # (fixed: nothing left)


def test_a_fix_that_would_change_a_specs_name_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name is text to TOML too: the fix reads the spec back, and only the printed texts
    may differ (by their punctuation)."""
    project = spec_project(tmp_path)
    spec = project / "data/2024-02/xindai.toml"
    before = spec.read_bytes()
    real, name, changed = punctuation.apply, 'name = "排名(当年)"', 'name = "排名（当年）"'
    monkeypatch.setattr(
        punctuation, "apply", lambda text, marks: real(text, marks).replace(name, changed)
    )
    code, _, err = fix(str(spec), "--root", str(project), "--write")
    assert code == 1
    assert "data/2024-02/xindai.toml: error: the fixed file would not read as it did" in err
    assert spec.read_bytes() == before


def test_a_published_editions_spec_is_left_alone_and_one_note(sample_copy: Path) -> None:
    """The sample's 2021-13 is published: its spec, given printed texts with half-width
    marks, is counted in check's one note and skipped by fix, unless included."""
    spec = sample_copy / "data/2021-13/microcredit.toml"
    text = spec.read_text(encoding="utf-8")
    assert 'key = "县(市、区)"' in text
    spec.write_text(
        text.replace('key = "县(市、区)"', 'key = "县(市、区)"\nkey_label = "县(市、区)"', 1),
        encoding="utf-8",
    )
    line = spec.read_text(encoding="utf-8").splitlines().index('key_label = "县(市、区)"') + 1
    notes = [d for d in check(sample_copy).diagnostics if d.message.id.startswith("punctuation.")]
    assert [(d.severity, d.file, d.line, d.column) for d in notes] == [
        ("info", "data/2021-13/microcredit.toml", line, 15)
    ]
    before = tree_digest(sample_copy)
    for args in ([], [str(spec)]):
        code, out, err = fix(*args, "--root", str(sample_copy), "--write")
        assert (code, out) == (0, ""), err
        assert "edition 2021-13 is published and locked: 1 file(s) left as published" in err
    assert tree_digest(sample_copy) == before
    code, out, err = fix("--root", str(sample_copy), "--include-published", "--write")
    assert (code, out) == (0, "changed data/2021-13/microcredit.toml: 2 mark(s)\n"), err
    fixed = spec.read_text(encoding="utf-8")
    assert 'key = "县(市、区)"\nkey_label = "县（市、区）"' in fixed
    assert not [d for d in check(sample_copy).diagnostics if d.message.id.startswith("punct")]


def test_a_fixed_total_label_still_names_the_totals_row(tmp_path: Path) -> None:
    """total_label is printed, and also names the totals row: in a line chart's `rows`, and
    (the chart drawing the editions before) in an earlier edition whose spec kept 合计(全市)
    because it is published. Both find the row in either width, so the fix breaks neither."""
    (tmp_path / "bulletin.toml").write_text(MINIMAL_TOML, encoding="utf-8")
    for n, status in ((1, "published"), (2, "draft")):
        edition, data = tmp_path / f"content/2024-0{n}", tmp_path / f"data/2024-0{n}"
        edition.mkdir(parents=True)
        data.mkdir(parents=True)
        (edition / "edition.toml").write_text(
            f'number = {n}\ndate = 2024-0{n}-05\nstatus = "{status}"\n\n'
            '[[pages]]\narticles = ["first"]\ntables = ["xd"]\n',
            encoding="utf-8",
        )
        (edition / "first.md").write_text(MINIMAL_ARTICLE, encoding="utf-8")
        (data / "xd.csv").write_text(
            f"县(市、区),户数,新增\n睢县,100,1{n}\n柘城县,200,3{n}\n", encoding="utf-8"
        )
        (data / "xd.toml").write_text(
            'title = "通报表"\nsource = "xd.csv"\nkey = "县(市、区)"\n'
            'total_label = "合计(全市)"\n\n[[columns]]\nsource = "户数"\nrole = "count"\n\n'
            '[[columns]]\nsource = "新增"\nrole = "count"\n\n[[charts]]\nname = "xd-line"\n'
            'type = "line"\ncolumns = ["新增"]\nreference = "total"\n'
            'rows = ["睢县", "合计(全市)"]\n',
            encoding="utf-8",
        )
    code, out, err = fix("--root", str(tmp_path), "--write")
    assert (code, out) == (0, "changed data/2024-02/xd.toml: 2 mark(s)\n"), err
    assert 'total_label = "合计（全市）"' in (tmp_path / "data/2024-02/xd.toml").read_text("utf-8")
    assert not check(tmp_path).failed(strict=True)
    site = load_site(tmp_path, drafts=True, cache=False)
    chart = charts_by_edition(site)["2024-02"]["xd-line"]
    assert [(s.name, s.values) for s in chart.data.series] == [  # type: ignore[attr-defined]
        ("睢县", (11.0, 12.0)),
        ("合计（全市）", (42.0, 44.0)),
    ]
