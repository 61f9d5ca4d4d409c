"""A smoke run of the benchmarks (N = 2, one run), so that bench/ cannot rot unnoticed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

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
        "| one article changed ≤ 1.0 s",
        "| pages with search at N = 500 ≤ 0.8 × Hugo + Pagefind",
        "| Hugo + Pagefind (the pinned extended build over Hugo's output)",
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
    if "hugo_pagefind" in compared:  # (Hugo's output indexed by the pinned Pagefind)
        pattern = r"\| \*\*ratio pages with search / Hugo \+ Pagefind\*\* \| [\d.]+ \|"
        assert re.search(pattern, text)

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


POOL_CHECK = """
import os, sys, threading
from pathlib import Path
import bulletin.build.executor as executor
from bulletin.build import print_edition, render_pages
from bulletin.build.cache import ObjectStore
from bulletin.load.content import load_site

site = load_site(Path(sys.argv[1]))
ids = [e.id for e in site.editions]
store = ObjectStore(Path(sys.argv[2]))
executor.POOL_MIN = 2
os.sched_getaffinity = lambda pid: {0, 1}
ran_here = []
make = executor.make_editions
executor.make_editions = lambda job, work, *a: ran_here.append(work) or make(job, work, *a)
job = executor.Job(site, executor.Options(), render_pages, print_edition, store, None, None)


def merge(done):
    merged = executor.Done({}, {})
    for d in done:
        merged.pages.update(d.pages)
        merged.drawn.update(d.drawn)
    return merged


def run(method):
    stage = executor.EditionRun(job, ids, ids)
    assert stage.pool._mp_context.get_start_method() == method, method
    done = list(stage.results())
    assert len(done) == 2, "one run of editions per worker"
    return merge(done)


forked = run("fork")  # nothing has loaded Typst in this process yet: fork is safe
threading.active_count = lambda: 2  # as under `bulletin serve`, whose watcher is a thread
served = run("forkserver")
assert ran_here == [], "every edition was built by a worker process"
del threading.active_count
executor.POOL_MIN = 100
serial = list(executor.EditionRun(job, ids, ids).results())
assert len(ran_here) == 2 and len(serial) == 2  # the pages, then the drawings
assert not serial[0].drawn and not serial[1].pages
assert forked == served == merge(serial)
names = sorted(p.rsplit("/", 1)[1] for made in forked.drawn.values() for p in made.files)
assert names == ["2021-12.pdf", "2021-13.pdf"] + ["microcredit-rate.svg"] * 2 + ["page-1.png"] * 2
assert all(store.has(d) for made in forked.pages.values() for d in made.files.values())
print("same files", len(names) + sum(len(m.files) for m in forked.pages.values()))
"""


def test_edition_pool_gives_the_same_files(tmp_path: Path) -> None:
    """The worker pool of the edition stage (from bulletin.build.executor.POOL_MIN editions on),
    forked or started by a fork server, makes exactly the files the build makes in its own
    process. (In a fresh interpreter: fork is only used where Typst has not been loaded.)"""
    done = subprocess.run(
        [sys.executable, "-c", POOL_CHECK, str(ROOT), str(tmp_path / "objects")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("same files ")
