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

from .conftest import MINIMAL_EDITION, MINIMAL_TOML, ROOT, tree_digest


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


# -- new correction ---------------------------------------------------------------------------

ENTRY = '[[corrections]]\ndate = 2024-01-09\ntext = "第一段“7.44亿元”应为“7.45亿元”。"\n'


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # every byte before the entry stays: comments, spacing, the last table
        (
            '# 第1期\nnumber = 1   # 期号\ndate = 2024-01-05\nstatus = "published"\n\n'
            '[[pages]]\ncredit = "本版由测试局供稿"  # 供稿\n',
            '# 第1期\nnumber = 1   # 期号\ndate = 2024-01-05\nstatus = "published"\n\n'
            '[[pages]]\ncredit = "本版由测试局供稿"  # 供稿\n\n' + ENTRY,
        ),
        # no newline at the end; a blank line already there
        (MINIMAL_EDITION.rstrip("\n"), MINIMAL_EDITION + "\n" + ENTRY),
        (MINIMAL_EDITION + "\n", MINIMAL_EDITION + "\n" + ENTRY),
        # after the corrections already recorded
        (MINIMAL_EDITION + "\n" + ENTRY, MINIMAL_EDITION + "\n" + ENTRY + "\n" + ENTRY),
    ],
)
def test_new_correction_appends_an_entry_and_keeps_every_byte(
    project: Path, before: str, after: str
) -> None:
    toml = project / "content/2024-01/edition.toml"
    toml.write_text(before, encoding="utf-8", newline="")
    code, out = run(
        "new", "correction", " 第一段“7.44亿元”应为“7.45亿元”。 ", "--edition", "2024-01",
        "--date", "2024-01-09", "--root", str(project),
    )  # fmt: skip
    assert code == 0, out
    assert out == (
        "Recorded a correction (勘误) of edition 2024-01, dated 2024-01-09, in "
        "content/2024-01/edition.toml: the next build accepts the changes to that edition\n"
    )
    assert toml.read_bytes() == after.encode("utf-8")


def test_new_correction_keeps_crlf_and_a_byte_order_mark(project: Path) -> None:
    import datetime as dt

    from bulletin.commands.new import add_correction

    toml = project / "content/2024-01/edition.toml"
    windows = "\ufeff" + MINIMAL_EDITION.replace("\n", "\r\n")
    toml.write_bytes(windows.encode("utf-8"))
    made = add_correction(project, "2024-01", '有"引号"和\\', dt.date(2024, 2, 1))
    assert made.path == toml and made.shown == "content/2024-01/edition.toml"
    expected = (
        windows + '\r\n[[corrections]]\r\ndate = 2024-02-01\r\ntext = "有\\"引号\\"和\\\\"\r\n'
    )
    assert toml.read_bytes() == expected.encode("utf-8")
    [entry] = edition(project, "2024-01").corrections
    assert (entry.date, entry.text) == (dt.date(2024, 2, 1), '有"引号"和\\')


def test_new_correction_today_by_default(project: Path) -> None:
    import datetime as dt

    from bulletin.commands.new import add_correction

    add_correction(project, "2024-01", "更正")
    [entry] = edition(project, "2024-01").corrections
    assert entry.date == dt.date.today()


def test_new_correction_refuses_a_draft_an_empty_text_and_an_early_date(project: Path) -> None:
    before = tree_digest(project)
    code, out = run("new", "correction", "  ", "--edition", "2024-01", "--root", str(project))
    assert code == 1 and out == "error: 'text': the correction's text is empty\n"
    code, out = run(
        "new", "correction", "更正", "--edition", "2024-01", "--date", "2024-01-04",
        "--root", str(project),
    )  # fmt: skip
    assert code == 1
    assert out == (
        "error: '--date': the correction's date 2024-01-04 is before the date of edition "
        "2024-01 (2024-01-05)\n"
    )
    code, out = run("new", "correction", "更正", "--edition", "2024-1", "--root", str(project))
    assert code == 1 and "there is no edition '2024-1'" in out and "2024-01" in out
    assert tree_digest(project) == before

    assert run("new", "edition", "--date", "2024-02-02", "--root", str(project))[0] == 0
    before = tree_digest(project)
    code, out = run("new", "correction", "更正", "--edition", "2024-02", "--root", str(project))
    assert code == 1
    assert out == (
        "content/2024-02/edition.toml: error: 'status': edition 2024-02 is a draft: it is not "
        "locked and needs no correction (勘误)\n  → fix: change its files directly\n"
    )
    code, out = run(
        "new", "correction", "更正", "--edition", "2024-02", "--root", str(project), "--lang", "zh"
    )
    assert "2024-02 这一期是草稿：没有锁定，不需要勘误" in out
    assert tree_digest(project) == before


def test_new_correction_says_what_to_add_when_it_cannot(project: Path) -> None:
    toml = project / "content/2024-01/edition.toml"
    written = 'corrections = [{ date = 2024-01-08, text = "旧" }]\n' + MINIMAL_EDITION
    toml.write_text(written, encoding="utf-8")
    code, out = run(
        "new", "correction", "新", "--edition", "2024-01", "--date", "2024-01-09",
        "--root", str(project),
    )  # fmt: skip
    assert code == 1
    assert out == (
        "content/2024-01/edition.toml: error: 'corrections': could not add the correction to "
        "content/2024-01/edition.toml by itself: its corrections are not written as "
        "[[corrections]] tables\n"
        "  → fix: add these lines to its corrections yourself:\n"
        '[[corrections]]\ndate = 2024-01-09\ntext = "新"\n\n'
    )
    assert toml.read_text(encoding="utf-8") == written


def test_a_correction_lets_the_build_accept_a_changed_published_edition(project: Path) -> None:
    def build() -> tuple[int, str]:
        return run("build", "--root", str(project), "--quiet", "--no-pdf")

    assert build()[0] == 0
    article = project / "content/2024-01/first.md"
    article.write_text("---\ntitle: 主题\n---\n\n更正后的正文。\n", encoding="utf-8")
    code, out = build()
    assert code == 1 and "is published and locked, but its inputs changed" in out
    code, out = run(
        "new", "correction", "第一段有误，已更正。", "--edition", "2024-01",
        "--date", "2024-01-09", "--root", str(project),
    )  # fmt: skip
    assert code == 0, out
    code, out = build()
    assert code == 0, out
    lock = (project / "bulletin.lock").read_text(encoding="utf-8")
    assert "corrections = 1" in lock
    page = (project / "site/editions/2024-01/index.html").read_text(encoding="utf-8")
    assert "第一段有误，已更正。" in page and "2024年1月9日" in page
    # one correction, one change: the next change needs another
    article.write_text("---\ntitle: 主题\n---\n\n又改了。\n", encoding="utf-8")
    assert build()[0] == 1
    assert run("new", "correction", "再次更正。", "--edition", "2024-01", "--root", str(project))
    assert build()[0] == 0
    assert "corrections = 2" in (project / "bulletin.lock").read_text(encoding="utf-8")
