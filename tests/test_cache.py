"""Incremental builds: unchanged editions come from the cache, and the cache is never stale.

Each kind of input (article, data, table spec, template, config, a neighbouring edition) is
changed in turn; after every change the cached build must equal a build from scratch.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin.build import build

from .conftest import tree_digest


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_next_edition(root: Path) -> None:
    folder = root / "content" / "2022-01"
    folder.mkdir()
    (folder / "edition.toml").write_text(
        'number = 1\ndate = 2022-01-21\nstatus = "published"\n[[pages]]\n', encoding="utf-8"
    )
    (folder / "short.md").write_text("---\ntitle: 下一期\n---\n\n正文。\n", encoding="utf-8")


CHANGES: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "article": (
        lambda r: edit(r / "content/2021-12/ningling.md", "胡国旗是一位", "胡国旗是位"),
        "editions/2021-12/ningling.html",
        "胡国旗是位",
    ),
    "data": (
        lambda r: edit(r / "data/2021-12/microcredit.csv", "31362", "31360"),
        "editions/2021-12/index.html",
        "31360",
    ),
    "spec": (
        lambda r: edit(
            r / "data/2021-12/microcredit.toml", 'label = "贷款余额"', 'label = "余额率"'
        ),
        "editions/2021-12/index.html",
        "余额率",
    ),
    "template": (
        lambda r: (
            (r / "templates/partials").mkdir(parents=True, exist_ok=True)
            or (r / "templates/partials/headline.html").write_text(
                '<h2 class="title">改版：{{ item.article.meta.title }}</h2>', encoding="utf-8"
            )
        ),
        "editions/2021-12/zhecheng.html",
        "改版：柘城县",
    ),
    "config": (
        lambda r: edit(r / "bulletin.toml", 'name = "商丘乡村振兴"', 'name = "商丘乡村振兴简报"'),
        "editions/2021-12/minquan.html",
        "商丘乡村振兴简报",
    ),
    "neighbour": (add_next_edition, "editions/2021-13/index.html", "下一期（第1期）"),
}


@pytest.mark.parametrize("kind", sorted(CHANGES))
def test_cached_build_follows_every_kind_of_input(sample_copy: Path, kind: str) -> None:
    first = build(sample_copy, out=sample_copy / "site")
    assert first.reused == 0
    again = build(sample_copy, out=sample_copy / "site")
    assert again.reused == first.editions == 2, "unchanged editions are not rendered again"

    change, page, expected = CHANGES[kind]
    (sample_copy / "bulletin.lock").unlink()  # this test is about the cache, not the lock
    change(sample_copy)
    cached = build(sample_copy, out=sample_copy / "site")
    assert cached.reused < again.reused, "the changed edition is rendered again"
    assert expected in (sample_copy / "site" / page).read_text(encoding="utf-8")
    build(sample_copy, out=sample_copy / "fresh", cache=False)
    assert tree_digest(sample_copy / "site") == tree_digest(sample_copy / "fresh")


def test_damaged_cache_entry_is_rendered_again(sample_copy: Path) -> None:
    build(sample_copy, out=sample_copy / "site")
    folder = sample_copy / ".cache/bulletin/pages"
    entries = sorted(e for e in folder.iterdir() if not e.name.startswith("_"))
    assert len(entries) == 2 and len(list(folder.glob("_rest.*"))) == 1  # (archive, 404…)
    entries[0].write_bytes(entries[0].read_bytes()[:-100])
    result = build(sample_copy, out=sample_copy / "site")
    assert result.reused == 1
    # An entry whose stored file is gone is a miss too.
    import json

    digest = next(iter(json.loads(entries[1].read_bytes())["files"].values()))
    objects = sample_copy / ".cache/bulletin/objects"
    (objects / digest[:2] / digest[2:]).unlink()
    assert build(sample_copy, out=sample_copy / "site").reused == 1
    build(sample_copy, out=sample_copy / "fresh", cache=False)
    assert tree_digest(sample_copy / "site") == tree_digest(sample_copy / "fresh")


def test_unchanged_inputs_are_not_read_again(
    sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files whose stat signature did not change since the last build are neither parsed nor
    hashed again; a changed file is, and the site follows it; a stat signature that changes
    without the content (touch) costs a read, never a stale page."""
    import bulletin.load.config
    import bulletin.load.content

    monkeypatch.setattr(bulletin.load.content.InputCache, "RACY", -1.0)  # (files are brand new)
    parsed: list[str] = []
    split = bulletin.load.config.split_front_matter

    def counted(text: str, shown: str):  # type: ignore[no-untyped-def]
        parsed.append(shown)
        return split(text, shown)

    monkeypatch.setattr(bulletin.load.content, "split_front_matter", counted)
    build(sample_copy, out=sample_copy / "site", pdf=False)
    articles = sorted(
        p.relative_to(sample_copy).as_posix() for p in sample_copy.glob("content/*/*.md")
    )
    assert sorted(parsed) == articles  # every article, the first time
    parsed.clear()
    again = build(sample_copy, out=sample_copy / "site", pdf=False)
    assert parsed == [] and again.reused == 2

    article = sample_copy / "content/2021-12/ningling.md"
    (sample_copy / "bulletin.lock").unlink()  # this test is about the cache, not the lock
    edit(article, "胡国旗是一位", "胡国旗是位")
    build(sample_copy, out=sample_copy / "site", pdf=False)
    assert parsed == ["content/2021-12/ningling.md"]
    page = (sample_copy / "site/editions/2021-12/ningling.html").read_text(encoding="utf-8")
    assert "胡国旗是位" in page

    parsed.clear()
    article.touch()
    build(sample_copy, out=sample_copy / "site", pdf=False)
    assert parsed == ["content/2021-12/ningling.md"]
    build(sample_copy, out=sample_copy / "fresh", pdf=False, cache=False)
    assert tree_digest(sample_copy / "site") == tree_digest(sample_copy / "fresh")


def test_a_file_changed_within_the_racy_window_is_not_trusted(sample_copy: Path) -> None:
    """A file modified just before the build is not recorded (a second change within the
    same time stamp could go unseen): the next build reads it again."""
    from bulletin.load.content import InputCache

    article = sample_copy / "content/2021-12/ningling.md"
    edit(article, "胡国旗是一位", "胡国旗是位")
    build(sample_copy, out=sample_copy / "site", pdf=False)
    cache = InputCache(sample_copy / ".cache/bulletin/inputs.pickle")
    assert str(article.resolve()) not in cache.old
    older = sample_copy / "content/2021-12/edition.toml"
    assert cache.old == {} or str(older.resolve()) not in cache.old  # copied just now


def test_an_article_change_computes_no_table(
    sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tables and charts are cached by their data: a changed article renders and prints its
    edition again with the cached tables (and chart SVG); a changed data file computes them."""
    import bulletin.charts
    import bulletin.compute

    computed: list[str] = []
    drawn: list[str] = []
    compute = bulletin.compute.compute_edition
    save = bulletin.charts.Chart._save

    def counted(site, edition, *a, **kw):  # type: ignore[no-untyped-def]
        computed.append(edition.id)
        return compute(site, edition, *a, **kw)

    def draw(self, *a, **kw):  # type: ignore[no-untyped-def]
        drawn.append(self.name)
        return save(self, *a, **kw)

    monkeypatch.setattr(bulletin.compute, "compute_edition", counted)
    monkeypatch.setattr(bulletin.charts.Chart, "_save", draw)
    build(sample_copy, out=sample_copy / "site")
    assert computed == ["2021-12", "2021-13"] and drawn == ["microcredit-rate"] * 2  # one each
    (sample_copy / "bulletin.lock").unlink()  # this test is about the cache, not the lock
    computed.clear()
    drawn.clear()
    edit(sample_copy / "content/2021-12/ningling.md", "胡国旗是一位", "胡国旗是位")
    again = build(sample_copy, out=sample_copy / "site", update_lock=False)
    assert computed == [] and drawn == [] and again.reused == 1
    edit(sample_copy / "data/2021-12/microcredit.csv", "4941", "4942")
    build(sample_copy, out=sample_copy / "site", update_lock=False)
    assert computed == ["2021-12", "2021-13"]  # (2021-13's rank change follows 2021-12)
    # both drawn again: 2021-13's table, whose rank change follows 2021-12, is computed again
    assert drawn == ["microcredit-rate"] * 2
    build(sample_copy, out=sample_copy / "fresh", cache=False)
    assert tree_digest(sample_copy / "site") == tree_digest(sample_copy / "fresh")


def test_cached_articles_read_their_body_only_when_it_is_used(
    sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The input cache keeps an article's front matter, not its text: the body is read when a
    page needs it, is the same as a fresh read (a BOM, CRLF line ends), and a file that
    changed after its front matter was taken is an error naming it, never a mixed page."""
    import bulletin.load.content
    from bulletin.diagnostics.errors import ConfigError
    from bulletin.load.content import load_site

    monkeypatch.setattr(bulletin.load.content.InputCache, "RACY", -1.0)  # (files are brand new)
    article = sample_copy / "content/2021-12/ningling.md"
    article.write_bytes(b"\xef\xbb\xbf" + article.read_bytes().replace(b"\n", b"\r\n"))
    fresh = load_site(sample_copy, cache=False)
    build(sample_copy, out=sample_copy / "site", pdf=False)  # records the input cache
    cached = load_site(sample_copy)
    pairs = list(zip(fresh.editions, cached.editions, strict=True))
    for old, new in pairs:
        for a, b in zip(old.articles, new.articles, strict=True):
            assert b._body is None and (b.meta, b.body_line) == (a.meta, a.body_line)
            assert b.body == a.body and a.body
    assert "\r" not in cached.editions[0].articles[0].body
    again = load_site(sample_copy)
    taken = next(a for e in again.editions for a in e.articles if a.path == article)
    edit(article, "胡国旗是一位", "胡国旗是位")
    with pytest.raises(ConfigError, match="changed while the site was being built") as e:
        taken.body  # noqa: B018
    assert e.value.file == "content/2021-12/ningling.md"


def test_a_table_note_follows_the_previous_editions_number(sample_copy: Path) -> None:
    """2021-13's table has no 睢县, so its note names the previous edition (2021年第12期):
    renumbering that edition changes no data, yet the note (page and PDF) follows it."""
    edit(sample_copy / "data/2021-13/microcredit.csv", "9,睢县,29724,1280,4700,3576\n", "")
    build(sample_copy, out=sample_copy / "site")
    page = sample_copy / "site/editions/2021-13/index.html"
    assert "与上期（2021年第12期）相比" in page.read_text(encoding="utf-8")
    (sample_copy / "bulletin.lock").unlink()  # (this test is about the cache, not the lock)
    edit(sample_copy / "content/2021-12/edition.toml", "number = 12", "number = 11")
    build(sample_copy, out=sample_copy / "site")
    assert "与上期（2021年第11期）相比" in page.read_text(encoding="utf-8")
    build(sample_copy, out=sample_copy / "fresh", cache=False)
    assert tree_digest(sample_copy / "site") == tree_digest(sample_copy / "fresh")


def test_two_builds_in_one_process_see_each_other(tmp_path: Path) -> None:
    """bulletin serve's preview and the workbench's publish build in two threads of one
    process: neither may collect the object store under the other (it did: a publish then
    failed with a missing object)."""
    from bulletin.build.cache import running

    with running(tmp_path) as first:
        assert not first()
        with running(tmp_path) as second:
            assert first() and second()
        assert not first()
