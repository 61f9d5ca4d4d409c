"""A smoke run of the benchmarks (N = 2, one run), so that bench/ cannot rot unnoticed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, tree_digest

BENCH = ROOT / "bench"


def test_generator_is_deterministic(tmp_path: Path) -> None:
    run = [sys.executable, str(BENCH / "generate.py"), "2"]
    subprocess.run([*run, str(tmp_path / "a")], check=True, capture_output=True)
    subprocess.run([*run, str(tmp_path / "b")], check=True, capture_output=True)
    a = tree_digest(tmp_path / "a")
    assert a == tree_digest(tmp_path / "b")
    articles = sorted((tmp_path / "a" / "bulletin" / "content").glob("*/*.md"))
    assert len(articles) == 14  # two editions of seven articles
    assert {p.parent.name for p in articles} == {"2012-01", "2012-02"}
    body = articles[0].read_text(encoding="utf-8").split("---\n", 2)[2]
    assert 1300 <= len(body) <= 2200
    assert "hugo/content/editions/2012-02/suixian.md" in a
    assert "mkdocs/docs/2012-02/suixian.md" in a


def test_smoke_run(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    (tmp_path / "work").mkdir()
    subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "2", "--runs", "1", "--out", str(out),
         "--work", str(tmp_path / "work")],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    text = out.read_text(encoding="utf-8")
    for row in (
        "| runs | 1 |",
        "| pages only:",
        "| full build without PDFs:",
        "| Hugo full build",
        "| MkDocs full build",
        "| cold full build, charts and PDFs |",
        "| no-change rebuild |",
        "| one article changed (with its PDF) |",
        "| peak RSS, largest process |",
        "| peak RSS, build + children summed |",
        "| edition page weight",
        "- `bulletin --help`:",
        "- one chart",
        "- PDF of sample edition 2021-12",
        "| one article changed ≤ 1.5 s",
        "| `bulletin --help` ≤ 0.15 s",
        "<!-- notes -->",
    ):
        assert row in text, row
    assert re.search(r"\| cold full build, charts and PDFs \| [\d.]+ m?s \|", text)
    assert "Machine: " in text and "cores" in text and "RAM" in text
    data = json.loads(re.search(r"<!-- data: (.*?) -->", text, re.S).group(1))
    assert set(data["sizes"]) == {"2"}
    assert data["startup"]["heavy"] == ""
    compared = data["sizes"]["2"]
    assert ("hugo" in compared) == (shutil.which("hugo") is not None)
    if "hugo" in compared:
        assert re.search(r"\| \*\*ratio pages only / Hugo\*\* \| [\d.]+ \|", text)

    # Notes below the marker are kept; a second size is a second column.
    sys.path.insert(0, str(BENCH))
    try:
        import run as bench_run
    finally:
        sys.path.remove(str(BENCH))
    data["sizes"]["1"] = data["sizes"]["2"]
    again = bench_run.render(data, "hand-written note\n")
    assert again.rstrip().endswith("<!-- notes -->\nhand-written note")
    assert "| measurement | N = 1 | N = 2 |" in again


def test_pdf_pool_gives_the_same_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The process pool of the print stage (used from bulletin.builder.POOL_MIN editions on)
    is deterministic: the same files as drawing and typesetting every edition here."""
    import bulletin.builder as builder
    from bulletin.cache import ObjectStore
    from bulletin.charts import compute_charts
    from bulletin.content import load_site

    site = load_site(ROOT)
    tables = builder.compute_tables(site)
    charts = compute_charts(site, tables)
    store = ObjectStore(tmp_path / "objects")
    serial = builder.Drawing(site, store, tables, charts, site.editions, pdf=True).results()
    monkeypatch.setattr(builder, "POOL_MIN", 2)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    here: list[str] = []
    draw_one = builder.draw_one

    def counted(site, edition, *args, **kw):  # type: ignore[no-untyped-def]
        here.append(edition.id)
        return draw_one(site, edition, *args, **kw)

    monkeypatch.setattr(builder, "draw_one", counted)
    drawing = builder.Drawing(site, store, tables, charts, site.editions, pdf=True)
    assert drawing.pool is not None
    pooled = drawing.results()
    assert here == []  # every edition was drawn by a worker process: the pool ran
    assert pooled == serial
    names = sorted(p.rsplit("/", 1)[1] for files in pooled.values() for p in files)
    assert names == ["2021-12.pdf", "2021-13.pdf", "microcredit-rate.svg"] + ["page-1.png"] * 2
    for files in pooled.values():
        for digest in files.values():
            assert store.has(digest)
