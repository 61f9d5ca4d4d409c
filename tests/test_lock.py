"""Published editions are locked; a change needs a correction (勘误), which the page shows."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bulletin.cli import main

from .conftest import tree_digest

ARTICLE = "content/2024-01/first.md"
EDITION = "content/2024-01/edition.toml"


def build(project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", "--root", str(project), "--quiet", *args])
    return result.exit_code, result.output


def test_first_build_locks_published_editions(project: Path) -> None:
    assert build(project)[0] == 0
    lock = (project / "bulletin.lock").read_text(encoding="utf-8")
    assert '[editions."2024-01"]' in lock and f'"{ARTICLE}" = "' in lock
    before = (project / "bulletin.lock").stat().st_mtime_ns
    assert build(project)[0] == 0
    assert (project / "bulletin.lock").stat().st_mtime_ns == before, "unchanged lock not rewritten"


def test_changing_a_locked_edition_fails_and_names_the_files(project: Path) -> None:
    assert build(project)[0] == 0
    site_before = tree_digest(project / "site")
    (project / ARTICLE).write_text("---\ntitle: 主题\n---\n\n改过的正文。\n", encoding="utf-8")
    (project / "content/2024-01/extra.jpg").write_bytes(b"x")
    code, output = build(project)
    assert code == 1
    assert "locked" in output and f"{ARTICLE} (changed)" in output
    assert "content/2024-01/extra.jpg (added)" in output and "[[corrections]]" in output
    assert tree_digest(project / "site") == site_before


def test_data_files_are_locked_too(project: Path) -> None:
    data = project / "data" / "2024-01"
    data.mkdir(parents=True)
    (data / "notes.txt").write_text("一", encoding="utf-8")
    assert build(project)[0] == 0
    (data / "notes.txt").write_text("二", encoding="utf-8")
    code, output = build(project)
    assert code == 1 and "data/2024-01/notes.txt (changed)" in output


def test_a_correction_unlocks_one_change_and_is_shown(project: Path) -> None:
    assert build(project)[0] == 0
    (project / ARTICLE).write_text("---\ntitle: 主题\n---\n\n更正后的正文。\n", encoding="utf-8")
    edition = (project / EDITION).read_text(encoding="utf-8")
    (project / EDITION).write_text(
        edition + '\n[[corrections]]\ndate = 2024-01-09\ntext = "第一段数字有误，已更正。"\n',
        encoding="utf-8",
    )
    code, output = build(project)
    assert code == 0, output
    page = (project / "site/editions/2024-01/index.html").read_text(encoding="utf-8")
    assert "勘误" in page and "第一段数字有误，已更正。" in page and "2024年1月9日" in page
    assert "corrections = 1" in (project / "bulletin.lock").read_text(encoding="utf-8")
    # the correction covered that change only: the next change needs another one
    (project / ARTICLE).write_text("---\ntitle: 主题\n---\n\n又改了。\n", encoding="utf-8")
    assert build(project)[0] == 1


def test_templates_are_not_content(project: Path) -> None:
    assert build(project)[0] == 0
    (project / "templates").mkdir()
    (project / "templates" / "404.html").write_text("{{ site.name }} 404", encoding="utf-8")
    assert build(project)[0] == 0


def test_drafts_are_not_locked(project: Path) -> None:
    (project / EDITION).write_text(
        'number = 1\ndate = 2024-01-05\nstatus = "draft"\n[[pages]]\n', encoding="utf-8"
    )
    assert build(project, "--drafts") == (0, "")
    (project / ARTICLE).write_text("---\ntitle: 改\n---\n\n草稿随便改。\n", encoding="utf-8")
    assert build(project, "--drafts") == (0, "")
    assert not (project / "bulletin.lock").exists()


def test_damaged_lock_is_a_clear_error(project: Path) -> None:
    (project / "bulletin.lock").write_text("[editions\n", encoding="utf-8")
    code, output = build(project)
    assert code == 1 and "bulletin.lock" in output and "cannot read the lock" in output
