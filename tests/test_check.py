"""`bulletin check`: every kind of problem found with its file and line, nothing written."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from bulletin.cli import main
from bulletin.commands.check import KICKER_MAX, TITLE_MAX, check

from .conftest import tree_digest

# One problem of each kind; (file:line, level, words of the message) for each.
BROKEN = {
    "bulletin.toml": (
        'name = "测试简报"\npublisher = "测试局"\n\n[fonts]\nserif = ["No Such Serif"]\n'
    ),
    "content/2024-01/edition.toml": (
        'number = 1\ndate = 2024-01-05\nstatus = "published"\n\n'
        '[[pages]]\ncredit = "本版由测试局供稿"\ntables = ["t", "nosuch"]\n'
    ),
    "content/2024-01/good.md": (
        "---\ntitle: 主题\n---\n\n正文引用{value}`t/睢县/户数`。\n\n"
        "![现场](missing.jpg)\n\n见[另一篇](other.html)和[长文](long.md)，[本期](./)。\n\n"
        "![照片](broken.jpg)\n"
    ),
    "content/2024-01/broken.jpg": "not a picture",
    "content/2024-01/directive.md": "---\ntitle: 表格\n---\n\n前言。\n\n```{table} nosuch\n```\n",
    "content/2024-01/cite.md": "---\ntitle: 引用\n---\n\n数据：{value}`t/不存在县/户数`。\n",
    "content/2024-01/long.md": (
        "---\nkicker: 引题\ntitle: " + "很" * (TITLE_MAX + 2) + "\n---\n\n正文<b>加粗</b>。\n"
    ),
    "data/2024-01/t.csv": "县,户数,占比\n睢县,10,50%\n宁陵县,10,40%\n合计,20,100%\n",
    "data/2024-01/t.toml": (
        'title = "测试表"\nsource = "t.csv"\nkey = "县"\n\n'
        '[[columns]]\nsource = "户数"\nrole = "count"\n\n'
        '[[columns]]\nname = "占比计算"\nexpr = "户数 / 20"\ntype = "percent"\n\n'
        '[[columns]]\nsource = "占比"\nrole = "reported"\nchecks = "占比计算"\n'
    ),
    "data/2024-01/bad.toml": (
        'title = "坏表"\nsorce = "t.csv"\nkey = "县"\n\n[[columns]]\nsource = "户数"\n'
    ),
    "content/2024-02/edition.toml": "number = 0\ndate = 2024-02-05\n\n[[pages]]\n",
    "content/2024-02/badfm.md": "---\ntitel: 主题\n---\n\n正文。\n",
}
EXPECTED = [
    ("bulletin.toml: error:", "font 'No Such Serif' is not installed"),  # fonts
    ("content/2024-01/edition.toml:7: error:", "has no nosuch.toml"),  # page tables
    ("content/2024-01/good.md:7: error:", "image 'missing.jpg' not found"),  # missing image
    ("content/2024-01/good.md:9: error:", "link 'other.html'"),  # broken internal link
    ("content/2024-01/good.md:9: error:", "link 'long.md'"),  # …to a source file
    ("content/2024-01/good.md:11: error:", "image 'broken.jpg' cannot be read"),
    ("content/2024-01/directive.md:7: error:", "no table named 'nosuch'"),  # directive
    ("content/2024-01/cite.md:5: error:", "has no row '不存在县'"),  # cited value
    ("content/2024-01/long.md:3: warning:", f"{TITLE_MAX + 2} characters"),  # long headline
    ("content/2024-01/long.md:6: warning:", "raw HTML"),  # unsafe Markdown
    ("content/2024-02/edition.toml:1: error:", "'number'"),  # edition.toml
    ("content/2024-02/badfm.md:2: error:", "unknown field 'titel'"),  # front matter
    ("data/2024-01/bad.toml:2: error:", "unknown key 'sorce'"),  # table spec
    ("data/2024-01/t.csv:3: warning:", "cross-check: 宁陵县"),  # table cross-check
]


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    return write(tmp_path / "broken", BROKEN)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", *args])
    return result.exit_code, result.output


def test_finds_every_kind_of_problem_with_file_and_line(broken: Path) -> None:
    before = tree_digest(broken)
    code, out = run("--root", str(broken))
    assert code == 1
    lines = out.splitlines()
    fixed = 0
    for where, words in EXPECTED:
        found = [ln for ln in lines if ln.startswith(where) and words in ln]
        assert found, f"missing {where} … {words} in:\n{out}"
        # a problem's fix, where the message alone does not say it, is the line below it
        fix = lines[lines.index(found[0]) + 1]
        if fix.startswith("  → fix: "):
            fixed += 1
            assert len(fix) > len("  → fix: "), fix
    assert fixed >= len(EXPECTED) - 3, out  # (a cited row lists the rows; pydantic's values)
    # valid things are not reported: the cited cell, the link to the edition page
    assert "睢县/户数" not in out and "'./'" not in out
    assert out.splitlines()[-1] == "checked: 12 error(s), 4 warning(s)."
    assert tree_digest(broken) == before  # nothing written, nothing built
    assert not (broken / "site").exists() and not (broken / ".cache").exists()


def test_keeps_going_past_a_broken_bulletin_toml(broken: Path) -> None:
    (broken / "bulletin.toml").write_text('name = "测试简报"\npublisher = "测试局"\npaper = "B5"\n')
    code, out = run("--root", str(broken))
    assert code == 1
    assert "bulletin.toml:3: error: 'paper':" in out
    assert "content/2024-02/badfm.md:2: error: 'titel': unknown field 'titel'" in out
    assert "data/2024-01/t.csv:3: warning: '占比': cross-check" in out


def test_a_clean_project_passes(project: Path) -> None:
    before = tree_digest(project)
    code, out = run("--root", str(project))
    assert code == 0, out
    # no problem; only the information that one short article leaves its A3 版 mostly empty
    info, hint, clean = out.strip().splitlines()
    assert re.fullmatch(r"content/2024-01/edition\.toml: info: page 1 of 2024-01 is not full: "
                        r"\d+ of its lines \(9\d%\) are left empty, .*", info), info  # fmt: skip
    assert hint.startswith("  → fix: add an article")
    assert clean == "✓ checked: no problems found."
    assert tree_digest(project) == before


def test_strict_turns_a_warning_into_an_error(project: Path) -> None:
    article = project / "content/2024-01/first.md"
    article.write_text(
        f"---\nkicker: {'引' * (KICKER_MAX + 1)}\ntitle: 主题\n---\n\n正文。\n", encoding="utf-8"
    )
    code, out = run("--root", str(project))
    assert code == 0, out
    assert f"content/2024-01/first.md:2: warning: the kicker is {KICKER_MAX + 1} characters" in out
    code, out = run("--root", str(project), "--strict")
    assert code == 1
    assert "--strict" in out.splitlines()[-1]


def test_the_sample_project_has_only_its_cross_check_warnings(sample_copy: Path) -> None:
    before = tree_digest(sample_copy)
    report = check(sample_copy)
    assert report.errors == []
    assert report.warnings and all("cross-check" in str(w.message) for w in report.warnings)
    assert all(w.file == "data/2021-12/microcredit.csv" and w.line for w in report.warnings)
    assert tree_digest(sample_copy) == before


def test_links_between_editions_and_to_drafts(project: Path) -> None:
    draft = project / "content/2024-02"
    draft.mkdir()
    (draft / "edition.toml").write_text("number = 2\ndate = 2024-02-05\n\n[[pages]]\n")
    (draft / "next.md").write_text("---\ntitle: 下期\n---\n\n[上期](../2024-01/first.html)\n")
    article = project / "content/2024-01/first.md"
    article.write_text(
        "---\ntitle: 主题\n---\n\n[下期](../2024-02/next.html)\n"
        "[首页](../../index.html) [外部](https://example.org/x.md)\n"
        "[绝对](/editions/2024-01/first.html)\n",
        encoding="utf-8",
    )
    code, out = run("--root", str(project))
    assert code == 1
    assert (
        "content/2024-01/first.md:5: error: link '../2024-02/next.html' points to a page of "
        "draft edition 2024-02" in out
    )
    assert (
        "content/2024-01/first.md:7: warning: link '/editions/2024-01/first.html' starts with"
        in out
    )
    assert "index.html" not in out and "example.org" not in out
    assert "next.md" not in out  # a draft may link to a published edition


def test_a_link_that_leaves_the_site_is_a_warning_in_build_and_check(project: Path) -> None:
    """Build and check say it once each, with the line; --strict fails on it."""
    (project / "content/2024-01/first.md").write_text(
        "---\ntitle: 主题\n---\n\n第一段。\n见[附件](../../../../x.doc)\n和[网站](https://example.org/)。\n",
        encoding="utf-8",
    )
    want = "content/2024-01/first.md:6: warning: link '../../../../x.doc' points outside the site"
    code, out = run("--root", str(project))
    assert code == 0 and out.count(want) == 1, out
    assert run("--root", str(project), "--strict")[0] == 1
    built = CliRunner().invoke(main, ["--lang", "en", "build", "--root", str(project)])
    assert built.exit_code == 0 and built.output.count(want) == 1, built.output
    assert "fix: link an article page of this site" in built.output
    strict = CliRunner().invoke(main, ["--lang", "en", "build", "--root", str(project), "--strict"])
    assert strict.exit_code == 1


def test_a_fixed_image_is_accepted(project: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (200, 0, 0)).save(buffer, "JPEG")
    (project / "content/2024-01/photo.jpg").write_bytes(buffer.getvalue())
    (project / "content/2024-01/first.md").write_text(
        "---\ntitle: 主题\n---\n\n![现场](photo.jpg)\n", encoding="utf-8"
    )
    assert run("--root", str(project))[0] == 0


def test_check_as_a_subprocess(broken: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bulletin", "check"],
        cwd=broken,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "content/2024-02/badfm.md:2: error: 'titel': unknown field 'titel'" in result.stdout


def test_numbers_and_dates_out_of_step_are_warnings_in_check_and_build(project: Path) -> None:
    """第N期 and the date go up together, year by year: a number skipped, an edition dated
    on or before the one numbered before it, a later year not starting at 第1期."""
    for eid, number, date in [("2024-03", 3, "2024-03-01"), ("2024-04", 4, "2024-02-20"),
                              ("2025-02", 2, "2025-01-10")]:
        folder = project / "content" / eid
        shutil.copytree(project / "content/2024-01", folder)
        (folder / "edition.toml").write_text(
            (folder / "edition.toml").read_text(encoding="utf-8")
            .replace("number = 1", f"number = {number}").replace("date = 2024-01-05",
                                                                 f"date = {date}"),
            encoding="utf-8",
        )
    want = [
        "content/2024-03/edition.toml:1: warning: 'number': 第3期 of 2024 comes after 第1期 "
        "(content/2024-01): 第2期 is missing",
        "content/2024-04/edition.toml:2: warning: 'date': 第4期 of 2024 is dated 2024-02-20, "
        "not after 第3期 (content/2024-03), dated 2024-03-01",
        "content/2025-02/edition.toml:1: warning: 'number': 第2期 is the first edition of "
        "2025: 第1期 is missing",
    ]
    code, out = run("--root", str(project))
    assert code == 0, out
    assert [ln for ln in out.splitlines() if ": warning: " in ln] == want
    assert out.splitlines()[-1] == "checked: 0 error(s), 3 warning(s)."
    assert out.splitlines()[out.splitlines().index(want[1]) + 1] == (
        "  → fix: the numbers and the dates go up together: correct this date or the number "
        "(the archive, the previous and next links and the rank change follow the dates)")
    assert run("--root", str(project), "--strict")[0] == 1
    built = CliRunner().invoke(main, ["--lang", "en", "build", "--no-pdf", "--root", str(project)])
    assert built.exit_code == 0, built.output
    assert [ln for ln in built.output.splitlines() if ": warning: " in ln] == want
    strict = CliRunner().invoke(
        main, ["--lang", "en", "build", "--no-pdf", "--strict", "--root", str(project)])
    assert strict.exit_code == 1
    assert strict.output.startswith("error: 3 warning(s), and --strict makes them errors:")
    zh = CliRunner().invoke(main, ["--lang", "zh", "check", "--root", str(project)])
    assert ("content/2024-03/edition.toml:1: 警告：'number': 2024年第3期的前一期是第1期"
            "（content/2024-01），缺了第2期") in zh.output


def test_a_total_number_out_of_step_is_a_warning(project: Path) -> None:
    """总第N期 (total) goes up by one with each edition, across years; an edition without a
    total is not counted against."""
    first = project / "content/2024-01/edition.toml"
    first.write_text(first.read_text(encoding="utf-8").replace("number = 1\n",
                                                               "number = 1\ntotal = 40\n"))
    for eid, number, date, total in [("2024-02", 2, "2024-02-05", 41), ("2024-03", 3, "2024-03-05",
                                     43), ("2025-01", 1, "2025-01-05", 43),
                                     ("2025-02", 2, "2025-02-05", None)]:  # fmt: skip
        folder = project / "content" / eid
        folder.mkdir(parents=True)
        (folder / "edition.toml").write_text(
            f"number = {number}\ndate = {date}\n" + (f"total = {total}\n" if total else "")
            + 'status = "draft"\n\n[[pages]]\n', encoding="utf-8")  # fmt: skip
    code, out = run("--root", str(project))
    assert code == 0, out
    assert [ln for ln in out.splitlines() if ": warning: " in ln] == [
        "content/2024-03/edition.toml:3: warning: 'total': 总第43期 comes after 总第41期 "
        "(content/2024-02): it should be 总第42期",
        "content/2025-01/edition.toml:3: warning: 'total': 总第43期 comes after 总第43期 "
        "(content/2024-03): it should be 总第44期",
    ], out
    assert "  → fix: correct total in edition.toml: one more with each edition" in out
    zh = CliRunner().invoke(main, ["--lang", "zh", "check", "--root", str(project)])
    assert ("content/2024-03/edition.toml:3: 警告：'total': 总第43期的前一期是总第41期"
            "（content/2024-02），这一期应为总第42期") in zh.output, zh.output


def test_a_draft_counts_in_the_numbering_whether_built_or_not(project: Path) -> None:
    """The numbers are checked over every edition, drafts too: a build without --drafts
    does not find 第2期 missing because 第2期 is still a draft."""
    for eid, number, status in [("2024-02", 2, "draft"), ("2024-03", 3, "published")]:
        folder = project / "content" / eid
        shutil.copytree(project / "content/2024-01", folder)
        text = (folder / "edition.toml").read_text(encoding="utf-8")
        text = text.replace("number = 1", f"number = {number}").replace(
            "2024-01-05", f"2024-0{number}-05").replace('"published"', f'"{status}"')
        (folder / "edition.toml").write_text(text, encoding="utf-8")
    built = CliRunner().invoke(main, ["--lang", "en", "build", "--no-pdf", "--root", str(project)])
    assert built.exit_code == 0 and "warning" not in built.output, built.output
    assert run("--root", str(project))[0] == 0
