"""Messages in Chinese by default, in English with --lang en, BULLETIN_LANG=en or
`messages = "en"` in bulletin.toml (bulletin/i18n.py).

The coverage test reads bulletin's source (tests/messages.py, shared with the handbook's
test): every message, hint, MSG table entry and text shown with i18n.t() must have a
catalogue entry that translates a sample of it — its placeholders filled with plausible
values — into Chinese with no English sentence left over.
"""

from __future__ import annotations

import itertools
import re
import string
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from bulletin import i18n
from bulletin.cli import main
from bulletin.errors import BulletinError, ConfigError, Finding

from .conftest import ROOT, copy_project
from .messages import shown_texts

SAMPLES = ("样例", "7", "")  # each placeholder is tried with each
MAX_TRIES = 3**7

# Texts that need no catalogue entry, each with the reason.
EXEMPT = {
    ("bulletin/tablespec.py", "'empty'"): (
        "raised and caught in the same validator, which then says what a reference may be"
    ),
}
# MSG entries that are not messages but Chinese text written into the files `bulletin new`
# and `bulletin import` make (comments, the example article): content, in Chinese always.
FILE_TEXTS = {
    ("bulletin/new.py", key)
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
    ("bulletin/importers/xlsx.py", key)
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

# Texts made at run time from parts no extractor sees as a message: the real values.
RUNTIME = [
    "edition 2021-12 is published and locked, but its inputs changed: "
    "content/2021-12/a.md (changed), data/2021-12/b.csv (added), content/2021-12/c.md (removed)",
    "TOML cannot be read: a number has far too many digits",  # config.toml_limit_error
    "TOML cannot be read: values are nested too deeply",
    "front matter has a value YAML cannot read: nested too deeply",
    "edition folder",  # check_slug's `what`
    "article file",
    "cannot read the file: Permission denied",
    "  content/2024-01/first.md:?: required field 'title' is missing",
    "  bulletin.toml:3: unknown field 'publiser' (did you mean 'publisher'?)",
]

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


def samples(parts: list[str | None]) -> list[str]:
    """The text with its placeholders filled: every combination of SAMPLES."""
    holes = parts.count(None)
    result = []
    for values in itertools.islice(itertools.product(SAMPLES, repeat=holes), MAX_TRIES):
        it = iter(values)
        result.append("".join(part if part is not None else next(it) for part in parts))
    return result


def translated(parts: list[str | None]) -> tuple[str, str | None]:
    """(a sample, its Chinese) — the first sample that translates cleanly, else the first."""
    tries = samples(parts)
    for text in tries:
        done = i18n.zh(text)
        if done is not None and not leftover_english(done):
            return text, done
    return tries[0], i18n.zh(tries[0])


def test_every_message_has_a_chinese_entry() -> None:
    missing, seen = [], set()
    for file, line, source, parts in shown_texts():
        key = (file, source)
        seen.add(key)
        if key in EXEMPT:
            continue
        if source.startswith("MSG[") and (file, source[5:-2]) in FILE_TEXTS:
            continue
        text, done = translated(parts)
        if done is None:
            missing.append(f"{file}:{line}: no entry for {text!r}  (from {source})")
        elif leftover_english(done):
            missing.append(f"{file}:{line}: English left in {done!r}  (from {source})")
    assert not missing, f"{len(missing)} texts without Chinese:\n" + "\n".join(missing)
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


@pytest.mark.parametrize("text", RUNTIME)
def test_texts_made_at_run_time(text: str) -> None:
    done = i18n.zh(text)
    assert done is not None and not leftover_english(done), (text, done)


def bad_value_messages() -> list[str]:
    """pydantic's own descriptions of the usual mistakes in bulletin.toml, edition.toml,
    front matter and table specs."""
    from bulletin import tablespec
    from bulletin.config import ArticleMeta, EditionConfig, SiteConfig

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
    found = set()
    for model, data in cases:
        with pytest.raises(ValidationError) as caught:
            model.model_validate(data)
        found |= {err["msg"] for err in caught.value.errors()}
    return sorted(found)


def test_pydantic_messages_are_translated() -> None:
    messages = bad_value_messages()
    assert len(messages) >= 20
    untranslated = [m for m in messages if i18n.zh(m) in (None, m) or leftover_english(i18n.zh(m))]
    assert not untranslated, untranslated
    assert i18n.zh("Input should be 'draft' or 'published' (got 'publish')") == (
        "只能是 'draft' 或 'published'（现在的值：'publish'）"
    )


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
    from bulletin.config import read_toml

    path = tmp_path / "x.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_toml(path, "x.toml")
    message = caught.value.bare_message
    done = i18n.zh(message)
    assert done is not None and not leftover_english(done), (message, done)


# -- the machinery ------------------------------------------------------------------------------


def test_the_catalogue_is_well_formed() -> None:
    english = [en for en, _ in i18n.CATALOGUE]
    assert len(english) == len(set(english)), "an English template is in the catalogue twice"
    for en, zh in i18n.CATALOGUE:
        _, kinds = i18n.compile_template(en)
        used = {name for _, name, _, _ in string.Formatter().parse(zh) if name}
        assert used <= set(kinds), (en, zh)
        words = re.sub(r"\{[^}]*\}", "", zh)
        names = re.findall("[A-Za-z]{2,}", words)  # only names (Typst, HTTP) may stay
        assert re.search(r"[\u4e00-\u9fff]", zh) or all(w[0].isupper() for w in names), zh


def test_placeholders_and_nesting() -> None:
    assert i18n.zh("unknown field 'titel'") == "未知字段“titel”"
    assert i18n.zh("unknown field 'titel' (did you mean 'title'?)") == (
        "未知字段“titel”（是否应为“title”？）"
    )
    assert i18n.zh("not valid UTF-8 text (byte x)") is None  # {n:d} wants digits
    assert i18n.zh("data/2024-01 has no edition content/2024-01: its tables are never used")
    assert i18n.zh("data/2024-01 has no edition content/2024-02: its tables are never used")
    assert i18n.zh("the kicker is 41 characters long; more than 40 is hard to set in a column") == (
        "引题有 41 个字；超过 40 个字在分栏里很难排好"
    )
    assert i18n.zh("first line, unknown\n  content/a.md:3: unknown field 'x'") == (
        "first line, unknown\n  content/a.md:3: 未知字段“x”"
    )


def test_unknown_text_stays_english_and_nothing_crashes() -> None:
    with i18n.using("zh"):
        for text in ["", " ", "a message bulletin never wrote", "{x}", "}{", "((", ")", "\n\n"]:
            assert i18n.t(text) == text
        assert i18n.t("悄悄话") == "悄悄话"
        assert i18n.t("no such file: '{}'") == "没有这个文件：“{}”"  # braces in values
    with i18n.using("en"):
        assert i18n.t("file not found") == "file not found"


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
        "unknown field 'titel'", file="a.md", line=2, field="titel", hint="did you mean 'title'?"
    )
    finding = Finding("cross-check: 梁园区 获贷率: reported 1%, computed 2%", "d.csv", 6, "率")
    with i18n.using("zh"):
        assert exc.format_message() == "a.md:2: 'titel': 未知字段“titel”（是否应为“title”？）"
        assert finding.show() == "警告：d.csv:6: '率': 交叉核对：梁园区 获贷率：报送 1%，计算 2%"
        assert str(exc) == "a.md:2: 'titel': unknown field 'titel' (did you mean 'title'?)"
        assert str(finding).startswith("warning: d.csv:6: '率': cross-check: ")
    with i18n.using("en"):
        assert exc.format_message() == str(exc)
        assert finding.show() == str(finding)
    plain = BulletinError("the file is empty", file="x.csv", hint="save the file as UTF-8")
    with i18n.using("zh"):
        assert plain.format_message() == "x.csv: 文件是空的（把文件另存为 UTF-8 编码）"
        assert plain.message == "x.csv: the file is empty (save the file as UTF-8)"


# -- end to end: the command line ---------------------------------------------------------------

BAD_ARTICLE = "---\ntitel: 主题\n---\n\n正文第一段。\n"
ZH_ERROR = "错误：content/2024-01/first.md:2: 'titel': 未知字段“titel”（是否应为“title”？）"
EN_ERROR = (
    "Error: content/2024-01/first.md:2: 'titel': unknown field 'titel' (did you mean 'title'?)"
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
    assert "  content/2024-01/first.md:1: 缺少必填字段“title”" in out


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
    assert "错误：bulletin.toml:3: 'messages': 只能是 'zh' 或 'en'（现在的值：'fr'）" in out


def test_the_language_does_not_leak_between_runs(chinese: None, bad: Path) -> None:
    assert run("--lang", "en", "build", "--root", str(bad))[1].startswith(EN_ERROR)
    assert run("build", "--root", str(bad))[1].startswith(ZH_ERROR)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "sample")


CROSS_ZH = (
    "警告：data/2021-12/microcredit.csv:6: '总贷款新增户数': "
    "交叉核对：梁园区 新增获贷率：报送 0.21%，计算 0.24%"
)
CROSS_EN = (
    "warning: data/2021-12/microcredit.csv:6: '总贷款新增户数': "
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
        "错误：data/2021-12/microcredit.csv:6: '总贷款新增户数': 核对不一致：梁园区 新增获贷率："
        "报送 0.21%，计算 0.24%；另有 4 处：合计 已脱贫户数：报送 212504，计算 217445；"
    ), out
    assert out.rstrip().endswith("（表中手填的数值与计算值不一致）"), out


def test_strict_warnings_become_one_error_in_chinese(chinese: None, project: Path) -> None:
    article = project / "content/2024-01/first.md"
    article.write_text("---\ntitle: 主题\n---\n\n正文<b>加粗</b>。\n", encoding="utf-8")
    code, out = run("build", "--root", str(project), "--no-pdf", "--strict")
    assert code == 1
    assert out.splitlines() == [
        "错误：2 个警告；用了 --strict，警告算作错误：",
        "警告：content/2024-01/first.md:5: HTML '<b>' 会原样显示为文字",
        "警告：content/2024-01/first.md:5: HTML '</b>' 会原样显示为文字",
    ], out


CHECKED = {
    "content/2024-01/first.md": "---\ntitel: 主题\n---\n\n正文<b>加粗</b>。\n",
}


def test_check_in_both_languages(chinese: None, project: Path) -> None:
    (project / "content/2024-01/first.md").write_text(CHECKED["content/2024-01/first.md"])
    code, out = run("check", "--root", str(project))
    assert code == 1
    lines = out.splitlines()
    assert "content/2024-01/first.md:2: 错误：未知字段“titel”" in lines, out
    assert lines[lines.index("content/2024-01/first.md:2: 错误：未知字段“titel”") + 1] == (
        "  → 修改建议：是否应为“title”？"
    )
    assert "content/2024-01/first.md:1: 错误：缺少必填字段“title”" in lines
    assert (
        "  → 修改建议：按提示改正这一项（字段名、取值或格式），保存后再运行 bulletin check" in lines
    )
    assert lines[-1] == "检查完毕：2 个错误，0 个警告。"
    assert not [ln for ln in lines if leftover_english(ln)], out

    code, out = run("check", "--root", str(project), "--lang", "en")
    lines = out.splitlines()
    assert "content/2024-01/first.md:2: error: unknown field 'titel'" in lines, out
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
    assert run("check", "--root", str(project)) == (0, "✓ 检查完毕，没有发现问题。\n")
    assert run("check", "--root", str(project), "--lang", "en") == (
        0,
        "✓ checked: no problems found.\n",
    )


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
    assert "错误：content: 没有“old”这一期（所有的期次：2024-01, 2024-02）" in out, out


def test_the_preview_error_page_in_both_languages(project: Path) -> None:
    from bulletin.serve import Preview

    (project / "content/2024-01/first.md").write_text(BAD_ARTICLE, encoding="utf-8")
    said: list[str] = []
    with i18n.using(None):
        preview = Preview(project, echo=said.append)
    preview.build()  # in another language here: the preview keeps its own
    page = preview.error_page().decode("utf-8")
    assert '<html lang="zh-CN">' in page and "<h1>预览生成失败</h1>" in page
    assert "未知字段“titel”" in page and "修改建议：是否应为“title”？" in page
    failed, message, *_ = said[0].split("\n")
    assert "生成失败" in failed and message == ZH_ERROR.removeprefix("错误：")

    with i18n.using("en"):
        preview = Preview(project, echo=said.append)
    preview.build()
    page = preview.error_page().decode("utf-8")
    assert '<html lang="en">' in page and "The preview could not be built" in page
    assert "unknown field &#39;titel&#39;" in page and "How to fix: did you mean" in page


def test_the_handbook_shows_the_chinese_messages() -> None:
    """docs/errors.md gives each message as the editor reads it, with the English after it."""
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    for english in (
        "unknown field '‹项›'",
        "cross-check: ‹县› ‹列›: reported ‹手填的值›, computed ‹算出的值›",
        "image '‹图片›' not found",
    ):
        chinese = i18n.zh(english)
        assert chinese and f"`{chinese}`" in text, chinese
    assert "--lang en" in text and 'messages = "en"' in (ROOT / "docs/settings.md").read_text(
        encoding="utf-8"
    )


def test_invalid_lang_is_refused(chinese: None, project: Path) -> None:
    code, out = run("--lang", "fr", "check", "--root", str(project))
    assert code == 2 and "fr" in out
    with pytest.raises(ValueError):
        i18n.set_language("de")
