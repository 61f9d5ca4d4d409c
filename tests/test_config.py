"""Bad config and front matter: a clean error naming file, line and field; the old site kept."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bulletin.cli import main
from bulletin.diagnostics.errors import ConfigError

from .conftest import tree_digest

ARTICLE = "content/2024-01/first.md"
EDITION = "content/2024-01/edition.toml"


def build(project: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", "--root", str(project), "--quiet"])
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.output


CASES = {
    "missing title": (
        ARTICLE,
        "---\nkicker: 引题\n---\n\n正文。\n",
        [f"{ARTICLE}:1", "'title'", "required field 'title' is missing"],
    ),
    "unknown field with a typo": (
        ARTICLE,
        "---\nkicker: 引题\ntitle: 主题\nsubtitel: 副题\n---\n\n正文。\n",
        [f"{ARTICLE}:4", "'subtitel'", "unknown field", "did you mean 'subtitle'?"],
    ),
    "broken YAML": (
        ARTICLE,
        "---\ntitle: 主题\nkicker: [未闭合\n---\n\n正文。\n",
        [ARTICLE, "front matter is not valid YAML"],
    ),
    "front matter is a list": (
        ARTICLE,
        "---\n- 主题\n---\n正文。\n",
        [f"{ARTICLE}:2", "field: value"],
    ),
    "no front matter": (ARTICLE, "正文。\n", [f"{ARTICLE}:1", "no YAML front matter"]),
    "empty title": (ARTICLE, "---\ntitle: ''\n---\n正文\n", [f"{ARTICLE}:2", "'title'"]),
    "bad date (not a date)": (
        EDITION,
        'number = 1\ndate = "去年"\nstatus = "published"\n[[pages]]\n',
        [f"{EDITION}:2", "'date'"],
    ),
    "bad date (no such day)": (
        EDITION,
        'number = 1\ndate = 2021-13-45\nstatus = "published"\n[[pages]]\n',
        [f"{EDITION}:2", "'date'", "is not a real date"],
    ),
    "bad status": (
        EDITION,
        'number = 1\ndate = 2021-01-05\nstatus = "done"\n[[pages]]\n',
        [f"{EDITION}:3", "'status'", "'draft' or 'published'"],
    ),
    "typo in a page": (
        EDITION,
        'number = 1\ndate = 2021-01-05\nstatus = "published"\n[[pages]]\nbaner = "x"\n',
        [f"{EDITION}:5", "'pages.0.baner'", "did you mean 'banner'?"],
    ),
    "page lists a missing article": (
        EDITION,
        'number = 1\ndate = 2021-01-05\nstatus = "published"\n[[pages]]\narticles = ["frist"]\n',
        [f"{EDITION}:5", "no frist.md", "did you mean 'first'?"],
    ),
    "typo in bulletin.toml": (
        "bulletin.toml",
        'name = "简报"\npublsher = "局"\n',
        ["bulletin.toml:2", "'publsher'", "did you mean 'publisher'?"],
    ),
    "edition folder name unsafe for a URL": (
        "content/第一期/edition.toml",
        "number = 2\ndate = 2021-01-05\n[[pages]]\n",
        ["content/第一期", "web address"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_names_file_line_field_and_keeps_site(project: Path, case: str) -> None:
    code, _ = build(project)
    assert code == 0
    before = tree_digest(project / "site")
    assert "editions/2024-01/first.html" in before

    file, text, expected = CASES[case]
    (project / file).parent.mkdir(parents=True, exist_ok=True)
    (project / file).write_text(text, encoding="utf-8")
    code, output = build(project)
    assert code != 0
    for part in expected:
        assert part in output, (part, output)
    assert "Traceback" not in output
    assert tree_digest(project / "site") == before
    assert not list(project.glob(".site.*")), "no staging folder left behind"


def test_subprocess_exit_code_and_one_clean_message(project: Path) -> None:
    (project / ARTICLE).write_text("---\ntitel: 主题\n---\n正文\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bulletin", "build", "--root", str(project)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert (
        f"{ARTICLE}:2: error: 'titel': unknown field 'titel'\n  → fix: did you mean 'title'?"
        in done.stderr
    )


def test_several_problems_are_all_listed(project: Path) -> None:
    (project / ARTICLE).write_text("---\ntitel: 主题\norder: 第一\n---\n正文\n", encoding="utf-8")
    code, output = build(project)
    assert code == 1
    assert f"{ARTICLE}:2" in output and f"{ARTICLE}:3" in output and f"{ARTICLE}:1" in output


def test_a_validation_error_carries_the_other_problems_as_diagnostics() -> None:
    from bulletin.diagnostics import i18n
    from bulletin.diagnostics.errors import ConfigError
    from bulletin.load.config import split_front_matter

    with pytest.raises(ConfigError) as caught:
        split_front_matter("---\ntitel: 主题\npage: x\n---\n正文\n", "a.md")
    exc = caught.value
    assert exc.diagnostic.message.id == "config.unknown_field" and exc.field == "titel"
    assert exc.hint == "did you mean 'title'?"
    assert [(d.message.id, d.line, d.severity) for d in exc.more] == [
        ("config.missing_field", 1, "error"),
        ("config.bad_value", 3, "error"),
    ]
    assert str(exc) == (
        "a.md:2: error: 'titel': unknown field 'titel'\n"
        "  → fix: did you mean 'title'?\n"
        "a.md:1: error: 'title': required field 'title' is missing\n"
        "a.md:3: error: 'page': Input should be a valid integer, unable to parse string as an "
        "integer (got 'x')"
    )
    with i18n.using("zh"):
        assert exc.format_message() == (
            "a.md:2: 错误：'titel': 未知字段“titel”\n"
            "  → 修改建议：是否应为“title”？\n"
            "a.md:1: 错误：'title': 缺少必填字段“title”\n"
            "a.md:3: 错误：'page': 应为整数（不加引号）（现在的值：'x'）"
        )


def test_foreign_reasons_have_ids_and_an_unknown_one_stays_as_it_is() -> None:
    from bulletin.diagnostics.errors import Message
    from bulletin.load.config import _yaml_reason

    known = _yaml_reason("found character '\\t' that cannot start any token")
    assert isinstance(known, Message) and known.show("zh") == "值的开头有不能用的字符 '\\t'"
    assert _yaml_reason("year 0 is out of range").show("zh") == "年份 0 超出范围"  # type: ignore[union-attr]
    assert _yaml_reason("found undefined alias 'x'") == "found undefined alias 'x'"


def test_front_matter_page_must_match_edition_list(project: Path) -> None:
    (project / EDITION).write_text(
        'number = 1\ndate = 2021-01-05\nstatus = "published"\n[[pages]]\narticles = ["first"]\n'
        "[[pages]]\n",
        encoding="utf-8",
    )
    (project / ARTICLE).write_text("---\ntitle: 主题\npage: 2\n---\n正文\n", encoding="utf-8")
    code, output = build(project)
    assert code == 1 and "page" in output and ARTICLE in output


def test_unlisted_article_is_an_error(project: Path) -> None:
    (project / EDITION).write_text(
        'number = 1\ndate = 2021-01-05\nstatus = "published"\n[[pages]]\narticles = ["first"]\n',
        encoding="utf-8",
    )
    (project / "content/2024-01/second.md").write_text(
        "---\ntitle: 二\n---\n正文\n", encoding="utf-8"
    )
    code, output = build(project)
    assert code == 1 and "'second' is not in page 1's articles list" in output


def test_drafts_are_built_only_with_the_flag(project: Path) -> None:
    (project / EDITION).write_text(
        'number = 1\ndate = 2021-01-05\nstatus = "draft"\n[[pages]]\n', encoding="utf-8"
    )
    code, output = build(project)
    assert code == 1 and "no published edition" in output
    result = CliRunner().invoke(main, ["build", "--root", str(project), "--drafts"])
    assert result.exit_code == 0, result.output
    assert (project / "site" / "editions" / "2024-01" / "first.html").exists()


# -- the slips editors make in TOML (issue 17): the line, the field, what to write ------------

SLIPS = [
    ('date = 2021/12/31', "date", "2021/12/31 不是日期的写法：应写成 date = 2021-12-31", None),
    ('date = 2021-13-45', "date", "2021-13-45 不是一个存在的日期", None),
    ('date = 2021年12月3日', "date", "应写成 date = 2021-12-03", None),
    ('banner ＝ "标语"', None, "TOML 格式错误", "等号是中文的“＝”"),
    ('banner = “标语”', None, "TOML 格式错误", "引号是中文的"),
    ('tags = ["a"，"b"]', None, "TOML 格式错误", "中文逗号"),
    ('path = "C:\\Users\\x"', None, "TOML 格式错误", "反斜杠"),
    ('banner = "标语', None, "TOML 格式错误", "引号没有配对"),
    ('print = { body_min = 7, body_min = 8 }', None, "同一个 {…} 里 body_min 写了两次", None),
    ('path = "D:\\uD800"', None, "转义的写法不对", None),
]


def test_a_table_written_whole_then_added_to_says_so(tmp_path: Path) -> None:
    from bulletin.diagnostics import i18n
    from bulletin.load.config import read_toml

    path = tmp_path / "bulletin.toml"
    path.write_text('print = { body_min = 7 }\n[print]\npitch_min = 1.3\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_toml(path, "bulletin.toml")
    with i18n.using("zh"):
        shown = caught.value.format_message()
    assert shown.startswith("bulletin.toml:2: 错误：") and "[print] 写了两次" in shown, shown


@pytest.mark.parametrize(("line", "field", "message", "hint"), SLIPS)
def test_toml_slips_name_the_line_the_field_and_the_fix(
    tmp_path: Path, line: str, field: str | None, message: str, hint: str | None
) -> None:
    from bulletin.diagnostics import i18n
    from bulletin.load.config import read_toml

    path = tmp_path / "edition.toml"
    path.write_text(f"number = 1\n{line}\nstatus = \"draft\"\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_toml(path, "content/2021-12/edition.toml")
    d = caught.value.diagnostic
    assert (d.file, d.line, d.field) == ("content/2021-12/edition.toml", 2, field)
    with i18n.using("zh"):
        shown = caught.value.format_message()
    assert message in shown, shown
    if hint is not None:
        assert shown.splitlines()[1].startswith("  → 修改建议：") and hint in shown, shown
    with i18n.using("en"):
        english = caught.value.format_message()
    assert not re.search(r"[\u4e00-\u9fff]{2}", english.replace(line, "")), english


def test_a_byte_order_mark_is_accepted_in_every_toml_file(sample_copy: Path) -> None:
    """Windows Notepad starts a UTF-8 file with a BOM: bulletin.toml, edition.toml and a
    table spec with one build, check, and take an article added by `bulletin new`."""
    from click.testing import CliRunner

    for name in ("bulletin.toml", "content/2021-13/edition.toml", "data/2021-12/microcredit.toml"):
        path = sample_copy / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    root = ["--root", str(sample_copy)]
    built = CliRunner().invoke(main, ["build", "--no-pdf", *root])
    assert built.exit_code == 0, built.output
    assert CliRunner().invoke(main, ["check", *root]).exit_code == 0
    added = CliRunner().invoke(main, ["new", "article", "新稿", "--edition", "2021-13", *root])
    assert added.exit_code == 0, added.output


def test_a_build_reports_every_loading_error_not_only_the_first(project: Path) -> None:
    """As check does, build goes on loading past an error and reports each one it finds
    (up to MAX_ERRORS, then how many more): an editor fixes them in one round."""
    from click.testing import CliRunner

    from bulletin.build import MAX_ERRORS

    edition = project / "content/2024-01"
    toml = edition / "edition.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("number = 1", 'number = "x"'))
    (edition / "second.md").write_text("---\ntitel: 主题\n---\n\n正文。\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--lang", "en", "build", "--root", str(project)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("content/2024-01/edition.toml:1: error: 'number': ")
    assert "content/2024-01/second.md:2: error: 'titel': unknown field 'titel'" in lines
    assert not (project / "site").exists()
    for i in range(30):
        (edition / f"bad{i:02d}.md").write_text("no front matter\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--lang", "en", "build", "--root", str(project)])
    errors = [ln for ln in result.output.splitlines() if ": error: " in ln]
    assert len(errors) == MAX_ERRORS, result.output
    assert re.search(r"error: … and \d+ more problem\(s\): bulletin check lists them all",
                     result.output), result.output  # fmt: skip
