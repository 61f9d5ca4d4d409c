"""Messages in Chinese by default, in English with --lang en, BULLETIN_LANG=en or
`messages = "en"` in bulletin.toml (bulletin/diagnostics/i18n.py).

Every message is an id with a text per language (tests/test_messages.py checks the
catalogues). The test here reads bulletin's source (tests/messages.py, shared with the
handbook's test) for what would bypass them: a message, hint or printed line written as
English text in the code.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from bulletin.cli import main
from bulletin.diagnostics import i18n
from bulletin.diagnostics.errors import BulletinError, ConfigError, Finding, msg

from .conftest import ROOT, copy_project
from .messages import shown_texts

# Texts that are not messages, each with the reason.
EXEMPT = {
    ("bulletin/charts/spec.py", "'empty'"): (
        "raised and caught in the same validator, which then says what a reference may be"
    ),
}
# MSG entries that are not messages but Chinese text written into the files `bulletin new`
# and `bulletin import` make (comments, the example article): content, in Chinese always.
FILE_TEXTS = {
    ("bulletin/commands/new.py", key)
    for key in (
        "edition_comment",
        "tables_comment",
        "example_title",
        "example_body",
        "article_body",
        "kicker_line",
        "subtitle_line",
    )
} | {
    ("bulletin/commands/importers/xlsx.py", key)
    for key in (
        "header",
        "serial",
        "blank",
        "rate",
        "skipped",
        "no_header",
        "same_header",
        "expr_hint",
        "rank_hint",
    )
}

LEFTOVER = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ ]+[A-Za-z][A-Za-z'’-]*){2,}")
QUOTED = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"|“[^”]*”|\{[^}]*\}")
# English that is right in a Chinese message: commands to type, names of things
ALLOWED = (
    "bulletin new edition",
    "bulletin check",
    "bulletin serve",
    "bulletin build",
    "bulletin import",
    "apt install fonts-noto-cjk",
    "apt-get install rsync",
    "fc-list :lang=zh family",
    "Noto CJK",
    "pip install",
)


def leftover_english(text: str) -> str | None:
    """A run of three or more English words outside quotes and commands, if any."""
    bare = QUOTED.sub(" ", text)
    for phrase in ALLOWED:
        bare = bare.replace(phrase, " ")
    found = LEFTOVER.search(bare)
    return found.group(0) if found else None


def test_no_message_is_english_text_in_the_code() -> None:
    found, seen = [], set()
    for file, line, source, _ in shown_texts():
        key = (file, source)
        seen.add(key)
        if key in EXEMPT or (source.startswith("MSG[") and (file, source[5:-2]) in FILE_TEXTS):
            continue
        found.append(f"{file}:{line}: {source}")
    assert not found, "texts not given as msg(id, …):\n" + "\n".join(found)
    assert not [key for key in EXEMPT if key not in seen], "an exemption is no longer needed"


def test_file_texts_are_the_chinese_ones() -> None:
    """The exempt MSG entries are exactly the Chinese ones: no Chinese prompt hides there."""
    chinese = {
        (file, source[5:-2])
        for file, _, source, parts in shown_texts()
        if source.startswith("MSG[")
        if re.search(r"[\u4e00-\u9fff]", "".join(p for p in parts if p))
        if not re.search(r"[A-Za-z]{4,} [A-Za-z]{2,} [A-Za-z]{2,}", "".join(p for p in parts if p))
    }
    assert chinese == FILE_TEXTS


def bad_value_errors() -> list[dict[str, Any]]:
    """pydantic's own descriptions of the usual mistakes in bulletin.toml, edition.toml,
    front matter and table specs."""
    from bulletin.compute import tablespec
    from bulletin.load.config import ArticleMeta, EditionConfig, SiteConfig

    cases = [
        (SiteConfig, {"name": "", "publisher": "b", "paper": "B5", "cjk_latin_spacing": "yes"}),
        (SiteConfig, {"name": 1, "publisher": "b", "fonts": "x", "base_url": "ftp://x"}),
        (SiteConfig, {"name": "a", "publisher": "b", "output": "..", "messages": "fr"}),
        (EditionConfig, {"number": "x", "date": "2021-13-01", "pages": []}),
        (EditionConfig, {"number": 0, "date": "20", "pages": [{"columns": 9}], "status": "x"}),
        (EditionConfig, {"number": 1.5, "date": "2021-02-30", "pages": [{"columns": 0}]}),
        (EditionConfig, {"number": 1, "date": "2021/02/03", "pages": "x"}),
        (EditionConfig, {"number": 1, "date": "2021-01-01T10:00", "pages": [{"articles": "x"}]}),
        (EditionConfig, {"number": "9" * 5000, "date": "abcdefghij", "pages": [{}]}),
        (ArticleMeta, {"title": ["a"], "page": "x"}),
        (tablespec.ChartSpec, {"name": "图", "type": "pie", "columns": []}),
        (tablespec.ChartSpec, {"name": "a", "type": "bar", "columns": ["x"], "reference": "y"}),
        (tablespec.ColumnSpec, {"decimals": 11, "thousands": "x", "type": 3, "role": "z"}),
        (tablespec.RankSpec, {"by": "x", "order": "up", "ties": "first"}),
    ]
    found: dict[str, dict[str, Any]] = {}
    for model, data in cases:
        with pytest.raises(ValidationError) as caught:
            model.model_validate(data)
        found |= {err["msg"]: dict(err) for err in caught.value.errors()}
    return [found[m] for m in sorted(found)]


def test_pydantic_messages_are_translated() -> None:
    from bulletin.diagnostics.reasons import pydantic_reason

    cases = bad_value_errors()
    assert len(cases) >= 20
    shown = {err["msg"]: pydantic_reason(err).show("zh") for err in cases}
    untranslated = [m for m, zh in shown.items() if zh == m or leftover_english(zh)]
    assert not untranslated, untranslated
    [err] = [e for e in cases if e["msg"] == "Input should be 'draft' or 'published'"]
    assert pydantic_reason(err).show("zh") == "只能是 'draft' 或 'published'"


@pytest.mark.parametrize(
    "text",
    [
        "name = 标语\n",
        'name = "a"\nname = "b"\n',
        "[[pages]\n",
        "a = [1, 2\n",
        'a = "unterminated\n',
        "a b = 1\n",
        "date = 2021-02-30\n",
    ],
)
def test_toml_reasons_are_translated(text: str, tmp_path: Path) -> None:
    from bulletin.load.config import read_toml

    path = tmp_path / "x.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_toml(path, "x.toml")
    with i18n.using("zh"):
        done = caught.value.format_message()
    assert not leftover_english(done), (caught.value.bare_message, done)


# -- the machinery ------------------------------------------------------------------------------


def test_the_language_is_zh_unless_chosen() -> None:
    with i18n.using(None):
        assert i18n.language() == "zh" and not i18n.decided()
    with i18n.using("en"):
        assert i18n.language() == "en" and i18n.decided()
    with pytest.raises(ValueError):
        i18n.set_language("fr")


def test_bulletin_toml_applies_only_when_nothing_else_chose(tmp_path: Path) -> None:
    (tmp_path / "bulletin.toml").write_text('messages = "en"\n', encoding="utf-8")
    with i18n.using(None):
        i18n.from_project(tmp_path)
        assert i18n.language() == "en"
    with i18n.using("zh"):
        i18n.from_project(tmp_path)
        assert i18n.language() == "zh"
    (tmp_path / "bulletin.toml").write_text("messages = [", encoding="utf-8")
    with i18n.using(None):
        i18n.from_project(tmp_path)  # broken: the loaders will say so
        assert i18n.language() == "zh" and not i18n.decided()


def test_errors_and_findings_render_in_the_language_str_stays_english() -> None:
    exc = ConfigError(
        msg("config.unknown_field", field="titel"), file="a.md", line=2, field="titel",
        hint=msg("common.did_you_mean", name="title"),
    )  # fmt: skip
    finding = Finding(msg("lock.file_added", path="x.md"), "d.csv", 6, "率")
    with i18n.using("zh"):
        assert exc.format_message() == (
            "a.md:2: 错误：'titel': 未知字段“titel”\n  → 修改建议：是否应为“title”？"
        )
        assert finding.show() == "d.csv:6: 警告：'率': x.md（新增）"
        assert str(exc) == (
            "a.md:2: error: 'titel': unknown field 'titel'\n  → fix: did you mean 'title'?"
        )
        assert str(finding) == "d.csv:6: warning: '率': x.md (added)"
    with i18n.using("en"):
        assert exc.format_message() == str(exc)
        assert finding.show() == str(finding)
    other = BulletinError("Permission denied", file="x.csv")  # another program's own words
    with i18n.using("zh"):
        assert other.format_message() == "x.csv: 错误：Permission denied"


# -- end to end: the command line ---------------------------------------------------------------

BAD_ARTICLE = "---\ntitel: 主题\n---\n\n正文第一段。\n"
ZH_ERROR = (
    "content/2024-01/first.md:2: 错误：'titel': 未知字段“titel”\n  → 修改建议：是否应为“title”？"
)
EN_ERROR = (
    "content/2024-01/first.md:2: error: 'titel': unknown field 'titel'\n"
    "  → fix: did you mean 'title'?"
)


@pytest.fixture
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """As an editor runs bulletin: no BULLETIN_LANG (conftest sets it to en for other tests)."""
    monkeypatch.delenv("BULLETIN_LANG")


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


@pytest.fixture
def bad(project: Path) -> Path:
    (project / "content/2024-01/first.md").write_text(BAD_ARTICLE, encoding="utf-8")
    return project


def test_build_errors_are_chinese_by_default(chinese: None, bad: Path) -> None:
    code, out = run("build", "--root", str(bad), "--no-pdf")
    assert code == 1
    assert out.startswith(ZH_ERROR), out
    assert "content/2024-01/first.md:1: 错误：'title': 缺少必填字段“title”" in out


def test_build_errors_in_english_with_lang_en(chinese: None, bad: Path) -> None:
    for args in (["--lang", "en", "build"], ["build", "--lang", "en"]):
        code, out = run(*args, "--root", str(bad), "--no-pdf")
        assert code == 1 and out.startswith(EN_ERROR), out


def test_build_errors_in_english_with_the_environment(chinese: None, bad: Path) -> None:
    code, out = run("build", "--root", str(bad), "--no-pdf", env={"BULLETIN_LANG": "en"})
    assert code == 1 and out.startswith(EN_ERROR), out


def test_build_errors_in_english_with_the_setting(chinese: None, bad: Path) -> None:
    toml = bad / "bulletin.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + 'messages = "en"\n', encoding="utf-8")
    code, out = run("build", "--root", str(bad), "--no-pdf")
    assert code == 1 and out.startswith(EN_ERROR), out
    # the command line and the environment come first
    assert run("--lang", "zh", "build", "--root", str(bad))[1].startswith(ZH_ERROR)
    code, out = run("build", "--root", str(bad), env={"BULLETIN_LANG": "zh"})
    assert out.startswith(ZH_ERROR), out


def test_an_invalid_setting_is_an_error(chinese: None, project: Path) -> None:
    toml = project / "bulletin.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + 'messages = "fr"\n', encoding="utf-8")
    code, out = run("build", "--root", str(project), "--no-pdf")
    assert code == 1
    assert "bulletin.toml:3: 错误：'messages': 只能是 'zh' 或 'en'（现在的值：'fr'）" in out


def test_the_language_does_not_leak_between_runs(chinese: None, bad: Path) -> None:
    assert run("--lang", "en", "build", "--root", str(bad))[1].startswith(EN_ERROR)
    assert run("build", "--root", str(bad))[1].startswith(ZH_ERROR)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "sample")


CROSS_ZH = (
    "data/2021-12/microcredit.csv:6: 警告：'总贷款新增户数': "
    "交叉核对：梁园区 新增获贷率：报送 0.21%，计算 0.24%"
)
CROSS_EN = (
    "data/2021-12/microcredit.csv:6: warning: '总贷款新增户数': "
    "cross-check: 梁园区 新增获贷率: reported 0.21%, computed 0.24%"
)


def test_the_sample_build_warns_in_chinese_and_english(
    chinese: None, sample: Path, tmp_path: Path
) -> None:
    code, out = run("build", "--root", str(sample), "--out", str(tmp_path / "zh"), "--no-pdf")
    assert code == 0, out
    assert CROSS_ZH in out.splitlines(), out
    assert re.search(
        r"^已生成 2 期、\d+ 个文件，写入 .+，用时 [\d.]+ 秒.*，5 个警告$", out, re.M
    ), out
    assert "cross-check" not in out and "warning" not in out
    code, out = run(
        "--lang", "en", "build", "--root", str(sample), "--out", str(tmp_path / "en"), "--no-pdf"
    )
    assert CROSS_EN in out.splitlines() and re.search(r"^Built 2 edition\(s\)", out, re.M), out
    # --strict: a cross-check fails the build
    code, out = run("build", "--root", str(sample), "--out", str(tmp_path / "s"), "--strict")
    assert code == 1
    assert out.startswith(
        "data/2021-12/microcredit.csv:6: 错误：'总贷款新增户数': 核对不一致：梁园区 新增获贷率："
        "报送 0.21%，计算 0.24%；另有 4 处：合计 已脱贫户数：报送 212504，计算 217445；"
    ), out
    assert out.rstrip().endswith("  → 修改建议：表中手填的数值与计算值不一致"), out


def test_strict_warnings_become_one_error_in_chinese(chinese: None, project: Path) -> None:
    article = project / "content/2024-01/first.md"
    article.write_text("---\ntitle: 主题\n---\n\n正文<b>加粗</b>。\n", encoding="utf-8")
    code, out = run("build", "--root", str(project), "--no-pdf", "--strict")
    assert code == 1
    fix = "  → 修改建议：删去 HTML 标记，改用 Markdown 写法（加粗用 **文字**）"
    assert out.splitlines() == [
        "错误：2 个警告；用了 --strict，警告算作错误：",
        "content/2024-01/first.md:5: 警告：HTML '<b>' 会原样显示为文字",
        fix,
        "content/2024-01/first.md:5: 警告：HTML '</b>' 会原样显示为文字",
        fix,
    ], out


CHECKED = {
    "content/2024-01/first.md": "---\ntitel: 主题\n---\n\n正文<b>加粗</b>。\n",
}


def test_check_in_both_languages(chinese: None, project: Path) -> None:
    (project / "content/2024-01/first.md").write_text(CHECKED["content/2024-01/first.md"])
    code, out = run("check", "--root", str(project))
    assert code == 1
    lines = out.splitlines()
    assert "content/2024-01/first.md:2: 错误：'titel': 未知字段“titel”" in lines, out
    at = lines.index("content/2024-01/first.md:2: 错误：'titel': 未知字段“titel”")
    assert lines[at + 1] == "  → 修改建议：是否应为“title”？"
    assert "content/2024-01/first.md:1: 错误：'title': 缺少必填字段“title”" in lines
    assert lines[-1] == "检查完毕：2 个错误，0 个警告。"
    assert not [ln for ln in lines if leftover_english(ln)], out

    code, out = run("check", "--root", str(project), "--lang", "en")
    lines = out.splitlines()
    assert "content/2024-01/first.md:2: error: 'titel': unknown field 'titel'" in lines, out
    assert "  → fix: did you mean 'title'?" in lines
    assert lines[-1] == "checked: 2 error(s), 0 warning(s)."


def test_check_warnings_and_a_clean_project(chinese: None, project: Path) -> None:
    article = project / "content/2024-01/first.md"
    article.write_text(f"---\nkicker: {'引' * 41}\ntitle: 主题\n---\n\n正文<b>加粗</b>。\n")
    code, out = run("check", "--root", str(project), "--strict")
    assert code == 1
    assert "content/2024-01/first.md:2: 警告：引题有 41 个字；超过 40 个字在分栏里很难排好" in out
    assert "  → 修改建议：把引题缩短到 40 个字以内" in out
    assert "content/2024-01/first.md:6: 警告：HTML '<b>' 会原样显示为文字" in out
    assert out.splitlines()[-1] == "检查完毕：0 个错误，3 个警告。（--strict：警告也算作错误）"
    article.write_text("---\ntitle: 主题\n---\n\n正文。\n", encoding="utf-8")
    # clean: only the information (提示) that one short article leaves the 版 mostly empty
    code, out = run("check", "--root", str(project))
    assert code == 0 and out.endswith("\n✓ 检查完毕，没有发现问题。\n"), out
    assert "content/2024-01/edition.toml: 提示：2024-01 期第1版没有排满：还空着" in out
    assert "  → 修改建议：加一篇稿件、一张图表或图片" in out and "警告" not in out
    code, out = run("check", "--root", str(project), "--lang", "en")
    assert code == 0 and out.endswith("\n✓ checked: no problems found.\n"), out
    assert "info: page 1 of 2024-01 is not full" in out and "warning" not in out


def test_new_and_its_prompts(chinese: None, project: Path) -> None:
    code, out = run("new", "edition", "--root", str(project), "--date", "2024-02-02")
    assert code == 0, out
    assert "已创建 content/2024-02/edition.toml" in out
    assert "下一步：编辑 content/2024-02/ 中的文章，运行 bulletin serve 预览。" in out
    code, out = run(
        "new", "article", "标题", "--root", str(project), "--edition", "2024-01", "--lang", "en"
    )
    assert code == 0, out
    assert "created content/2024-01/article-1.md" in out
    assert "note: edition 2024-01 is published and locked" in out
    code, out = run("new", "article", "标题", "--root", str(project), "--edition", "old")
    assert code == 1
    assert "content: 错误：没有“old”这一期\n  → 修改建议：所有的期次：2024-01, 2024-02" in out, out


def test_the_preview_error_page_in_both_languages(project: Path) -> None:
    from bulletin.commands.serve import Preview

    (project / "content/2024-01/first.md").write_text(BAD_ARTICLE, encoding="utf-8")
    said: list[str] = []
    with i18n.using(None):
        preview = Preview(project, echo=said.append)
    preview.build()  # in another language here: the preview keeps its own
    page = preview.error_page().decode("utf-8")
    assert '<html lang="zh-CN">' in page and "<h1>预览生成失败</h1>" in page
    assert "未知字段“titel”" in page and "修改建议：是否应为“title”？" in page
    failed, *message = said[0].split("\n")
    assert "生成失败" in failed and "\n".join(message).startswith(ZH_ERROR)

    with i18n.using("en"):
        preview = Preview(project, echo=said.append)
    preview.build()
    page = preview.error_page().decode("utf-8")
    assert '<html lang="en">' in page and "The preview could not be built" in page
    assert "unknown field &#39;titel&#39;" in page and "How to fix: did you mean" in page


def test_the_handbook_shows_the_chinese_messages() -> None:
    """docs/errors.md gives each message as the editor reads it, with the English after it."""
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    for message in (
        msg("config.unknown_field", field="‹项›"),
        msg("images.not_found", src="‹图片›"),
    ):
        assert f"`{message.show('zh')}`（`{message.show('en')}`）" in text, message
    assert "--lang en" in text and 'messages = "en"' in (ROOT / "docs/settings.md").read_text(
        encoding="utf-8"
    )


def test_invalid_lang_is_refused(chinese: None, project: Path) -> None:
    code, out = run("--lang", "fr", "check", "--root", str(project))
    assert code == 2 and "fr" in out
    with pytest.raises(ValueError):
        i18n.set_language("de")
