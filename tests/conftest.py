"""Shared fixtures: the sample project, small scratch projects, and a tree snapshot."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def english_environment() -> Iterator[None]:
    """BULLETIN_LANG=en from the start, for the CLI and subprocesses (session fixtures too)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BULLETIN_LANG", "en")
        yield


@pytest.fixture(autouse=True)
def english_messages(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test reads bulletin's messages in English unless it asks for Chinese (the
    editors' default; tests/test_i18n.py): BULLETIN_LANG for the CLI and subprocesses,
    and the language itself for code called directly."""
    from bulletin.diagnostics import i18n

    monkeypatch.setenv("BULLETIN_LANG", "en")
    token = i18n.set_language("en")
    yield
    i18n.reset(token)


def tree_digest(folder: Path) -> dict[str, str]:
    """{relative path: sha256} of every file below `folder` (empty when it does not exist)."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site, built once from the repository's own content into a temp folder."""
    from bulletin.build import build

    out = tmp_path_factory.mktemp("sample") / "site"
    build(ROOT, out=out)
    return out


MINIMAL_TOML = 'name = "测试简报"\npublisher = "测试局"\n'
MINIMAL_EDITION = (
    'number = 1\ndate = 2024-01-05\nstatus = "published"\n\n'
    '[[pages]]\ncredit = "本版由测试局供稿"\n'
)
MINIMAL_ARTICLE = "---\nkicker: 引题\ntitle: 主题\n---\n\n正文第一段。\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A minimal valid project: one published edition with one article."""
    (tmp_path / "bulletin.toml").write_text(MINIMAL_TOML, encoding="utf-8")
    edition = tmp_path / "content" / "2024-01"
    edition.mkdir(parents=True)
    (edition / "edition.toml").write_text(MINIMAL_EDITION, encoding="utf-8")
    (edition / "first.md").write_text(MINIMAL_ARTICLE, encoding="utf-8")
    return tmp_path


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample project."""
    return copy_project(tmp_path / "sample")


def copy_project(dest: Path, root: Path = ROOT) -> Path:
    """A copy of a project's inputs (never its lock file, cache or output)."""
    for name in ("bulletin.toml", "content", "data", "templates"):
        src = root / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.exists():
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def charts_by_edition(site: object) -> dict[str, dict[str, object]]:
    """Every edition's charts, {edition id: {name: Chart}}, as the compute stage makes them."""
    from bulletin.compute import compute

    done = compute(site, {e.id for e in site.editions}, strict=False)  # type: ignore[attr-defined]
    return {eid: dict(tables.charts) for eid, tables in done.items()}
