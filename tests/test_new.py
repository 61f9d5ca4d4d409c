"""`bulletin new edition` / `bulletin new article`: numbering, skeletons, edition.toml edits."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from bulletin.build import build
from bulletin.cli import main
from bulletin.commands.new import add_to_articles
from bulletin.load.config import load_edition_config, split_front_matter

from .conftest import MINIMAL_TOML, ROOT, tree_digest


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def edition(root: Path, eid: str):
    return load_edition_config(root / "content" / eid / "edition.toml", "x")


def with_total(project: Path, total: int) -> None:
    toml = project / "content" / "2024-01" / "edition.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("number = 1\n", f"number = 1\ntotal = {total}\n"),
        encoding="utf-8",
    )


# -- numbering --------------------------------------------------------------------------------


def test_same_year_is_next_number_and_next_total(project: Path) -> None:
    with_total(project, 37)
    code, out = run("new", "edition", "--root", str(project), "--date", "2024-02-02")
    assert code == 0, out
    assert "content/2024-02/edition.toml" in out
    config = edition(project, "2024-02")
    assert (config.number, config.total, config.status) == (2, 38, "draft")
    assert config.date.isoformat() == "2024-02-02"
    # the page skeleton copies the newest edition's credit
    assert config.pages[0].credit == "本版由测试局供稿"
    # like the newest edition, which places articles by front matter, not by a list
    assert config.pages[0].articles is None


def test_a_new_year_starts_again_at_number_one(project: Path) -> None:
    with_total(project, 37)
    code, out = run("new", "edition", "--root", str(project), "--date", "2025-01-03")
    assert code == 0, out
    config = edition(project, "2025-01")
    assert (config.number, config.total) == (1, 38)  # 总第N期 runs on across years


def test_no_totals_in_the_archive_means_no_total(project: Path) -> None:
    run("new", "edition", "--root", str(project), "--date", "2024-03-01")
    assert edition(project, "2024-02").total is None
    assert "total" not in (project / "content/2024-02/edition.toml").read_text(encoding="utf-8")


def test_drafts_count_too(project: Path) -> None:
    for day in ("2024-02-01", "2024-03-01", "2024-04-01"):
        assert run("new", "edition", "--root", str(project), "--date", day)[0] == 0
    assert edition(project, "2024-04").number == 4
    assert edition(project, "2024-04").status == "draft"


def test_no_edition_yet_is_number_one(tmp_path: Path) -> None:
    (tmp_path / "bulletin.toml").write_text(MINIMAL_TOML, encoding="utf-8")
    (tmp_path / "content").mkdir()
    code, out = run("new", "edition", "--root", str(tmp_path), "--date", "2024-05-06")
    assert code == 0, out
    config = edition(tmp_path, "2024-01")
    assert (config.number, config.total) == (1, None)
    meta, _, _ = split_front_matter(
        (tmp_path / "content/2024-01/article-1.md").read_text(encoding="utf-8"), "x"
    )
    assert meta.title


def test_refuses_an_existing_folder(project: Path) -> None:
    taken = project / "content" / "2024-02"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine", encoding="utf-8")
    before = tree_digest(project)
    code, out = run("new", "edition", "--root", str(project), "--date", "2024-02-02")
    assert code == 1
    assert "content/2024-02 already exists" in out
    assert tree_digest(project) == before


def test_not_a_project(tmp_path: Path) -> None:
    code, out = run("new", "edition", "--root", str(tmp_path))
    assert code == 1 and "bulletin.toml" in out


def test_new_edition_of_the_sample_builds(sample_copy: Path, tmp_path: Path) -> None:
    """As a subprocess, the way an editor runs it; the draft then builds with its example."""
    result = subprocess.run(
        [sys.executable, "-m", "bulletin", "new", "edition", "--date", "2021-12-31"],
        cwd=sample_copy,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    config = edition(sample_copy, "2021-14")
    assert config.number == 14
    assert config.pages[0].banner.startswith("压紧压实巩固脱贫攻坚成果主体责任")
    assert config.pages[0].tables == []  # the new edition has no tables yet
    text = (sample_copy / "content/2021-14/edition.toml").read_text(encoding="utf-8")
    assert "# tables = " in text  # …but says how to add them
    out = tmp_path / "site"
    build(sample_copy, out=out, drafts=True, pdf=False, search=False, update_lock=False)
    page = (out / "editions/2021-14/article-1.html").read_text(encoding="utf-8")
    assert "<strong>加大资金投入</strong>" in page


# -- new article ------------------------------------------------------------------------------


def test_new_article_builds(project: Path, tmp_path: Path) -> None:
    code, out = run(
        "new", "article", "睢县开展防返贫监测", "--root", str(project), "--slug", "suixian"
    )
    assert code == 0, out
    path = project / "content/2024-01/suixian.md"
    text = path.read_text(encoding="utf-8")
    meta, _, _ = split_front_matter(text, "x")
    assert meta.title == "睢县开展防返贫监测"
    assert meta.kicker is None and meta.subtitle is None
    assert "# kicker:" in text and "# subtitle:" in text  # placeholders, commented
    result = build(project, out=tmp_path / "site", pdf=False, search=False, update_lock=False)
    html = (result.out / "editions/2024-01/suixian.html").read_text(encoding="utf-8")
    assert "睢县开展防返贫监测" in html


def test_derived_slugs_and_no_overwrite(project: Path) -> None:
    assert run("new", "article", "一", "--root", str(project))[0] == 0
    assert run("new", "article", "二", "--root", str(project))[0] == 0
    assert (project / "content/2024-01/article-1.md").exists()
    assert (project / "content/2024-01/article-2.md").exists()
    before = tree_digest(project)
    code, out = run("new", "article", "三", "--root", str(project), "--slug", "article-1")
    assert code == 1 and "already exists" in out
    code, out = run("new", "article", "三", "--root", str(project), "--slug", "睢县")
    assert code == 1 and "web address" in out
    assert tree_digest(project) == before


def test_titles_that_need_quoting_read_back(project: Path) -> None:
    title = '"一元公益联盟": 筑起 #防返贫 保障线'
    assert run("new", "article", title, "--root", str(project), "--slug", "q")[0] == 0
    meta, _, _ = split_front_matter(
        (project / "content/2024-01/q.md").read_text(encoding="utf-8"), "x"
    )
    assert meta.title == title


def test_new_article_is_added_to_the_articles_list(sample_copy: Path, tmp_path: Path) -> None:
    toml = sample_copy / "content/2021-13/edition.toml"
    comments = [ln for ln in toml.read_text(encoding="utf-8").splitlines() if ln.startswith("#")]
    code, out = run(
        "new", "article", "夏邑县召开推进会", "--root", str(sample_copy), "--slug", "xiayi"
    )
    assert code == 0, out
    assert "articles" in out  # says what it did
    text = toml.read_text(encoding="utf-8")
    assert tomllib.loads(text)["pages"][0]["articles"] == ["xindai", "suixian", "xiayi"]
    assert [ln for ln in text.splitlines() if ln.startswith("#")] == comments
    assert "勘误" in out  # 2021-13 is published: the editor is told about the lock
    result = build(sample_copy, out=tmp_path / "site", pdf=False, search=False, update_lock=False)
    assert (result.out / "editions/2021-13/xiayi.html").exists()


def test_new_article_into_a_named_edition_and_page(sample_copy: Path) -> None:
    code, out = run(
        "new", "article", "标题", "--root", str(sample_copy), "--edition", "2021-12", "--page", "2"
    )
    assert code == 1 and "page 2" in out
    code, out = run("new", "article", "标题", "--root", str(sample_copy), "--edition", "2021-21")
    assert code == 1 and "did you mean" in out


def test_over_long_title_is_pointed_out(project: Path) -> None:
    code, out = run("new", "article", "关" * 30, "--root", str(project))
    assert code == 0 and "30 characters" in out


# -- editing edition.toml as text -------------------------------------------------------------

ONE_LINE = '[[pages]]\narticles = ["a", "b"]  # order\ntables = []\n'
MULTI = '# head\n[[pages]]\narticles = [\n  "a",  # first\n  "b"\n]\n\n[[pages]]\narticles = []\n'


@pytest.mark.parametrize(
    ("text", "page", "expected"),
    [
        (ONE_LINE, 0, '[[pages]]\narticles = ["a", "b", "new"]  # order\ntables = []\n'),
        (
            MULTI,
            0,
            '# head\n[[pages]]\narticles = [\n  "a",  # first\n  "b",\n  "new",\n]\n'
            "\n[[pages]]\narticles = []\n",
        ),
        (MULTI, 1, MULTI.replace("articles = []", 'articles = ["new"]')),
        ('[[pages]]\narticles = ["a",]\n', 0, '[[pages]]\narticles = ["a", "new"]\n'),
        ('[[pages]]\narticles = ["a]"]\n', 0, '[[pages]]\narticles = ["a]", "new"]\n'),
    ],
)
def test_add_to_articles_keeps_the_text(text: str, page: int, expected: str) -> None:
    assert add_to_articles(text, page, "new") == expected


def test_add_to_articles_declines_what_it_cannot_edit() -> None:
    assert add_to_articles('pages = [{ articles = ["a"] }]\n', 0, "new") is None
    assert add_to_articles('[[pages]]\ncredit = "x"\n', 0, "new") is None


def test_the_cli_help_does_not_load_heavy_libraries() -> None:
    code = (
        "import sys; from bulletin.cli import main\n"
        "try:\n    main(['new', '--help'])\nexcept SystemExit: pass\n"
        "print(sorted(m for m in ('pandas', 'matplotlib', 'typst', 'watchdog', 'mammoth') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert out.stdout.strip().endswith("[]"), out.stdout + out.stderr
