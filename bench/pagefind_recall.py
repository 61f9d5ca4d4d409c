"""Chinese search recall of each candidate Pagefind release and build, in a real browser.

For every candidate, the binary is installed from PyPI into a throwaway venv under /tmp
(never into the project's .venv), the sample site is built with it (PAGEFIND_BINARY_PATH makes
the pinned Python API drive that binary; the binary does all the indexing and ships the
search JavaScript and WebAssembly), served under /bulletin/, and every query of
tests/recall_queries.toml is typed into the search page in headless Chromium, exactly as
tests/test_search.py does. Prints one table row per candidate: recall overall and per kind
of query.

    .venv/bin/python bench/pagefind_recall.py              # all candidates
    .venv/bin/python bench/pagefind_recall.py 1.5.2-extended 1.4.0-extended
    .venv/bin/python bench/pagefind_recall.py --misses     # also list each missed query

Recorded (65 queries over editions 2021-12 and 2021-13, Chromium 156, Debian 12; "extra
results" counts results that do not contain the query; 2.5 minutes for all six):

| candidate      | recall        | name | place | word | phrase | number | words | extra |
|----------------|---------------|------|-------|------|--------|--------|-------|-------|
| 1.5.2-extended | 78.5% (51/65) | 5/5  | 10/14 | 7/8  | 20/22  | 7/14   | 2/2   | 5     |
| 1.5.2-plain    | 23.1% (15/65) | 1/5  | 4/14  | 2/8  | 7/22   | 0/14   | 1/2   | 24    |
| 1.5.0-extended | 78.5% (51/65) | 5/5  | 10/14 | 7/8  | 20/22  | 7/14   | 2/2   | 5     |
| 1.4.0-extended | 87.7% (57/65) | 5/5  | 14/14 | 8/8  | 22/22  | 6/14   | 2/2   | 28    |
| 1.3.0-extended | 100% (65/65)  | 5/5  | 14/14 | 8/8  | 22/22  | 14/14  | 2/2   | 10    |
| 1.2.0-extended | 100% (65/65)  | 5/5  | 14/14 | 8/8  | 22/22  | 14/14  | 2/2   | 10    |

Why: the extended build splits the indexed text into words (jieba). Up to 1.4, a query that is
not itself an indexed word is split by Pagefind into indexed words (胡国旗 → 胡 + 国旗), so the
query is cut the way the text was. 1.4.0's newer segmenter cuts numbers with units apart
differently (1627个, 402万元). From 1.5.0 the browser first splits the query with
Intl.Segmenter, whose words often disagree with the index's (台账 → 台 + 账, 梁园区 → 梁 + 园区,
亿元 → 亿 + 元), and a query word that is not the start of an indexed word finds nothing
(upstream issue Pagefind/pagefind#1237). The plain build indexes a run of Chinese characters as
one word, so only a query that starts a run is found. Pinned: 1.3.0, extended.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_search import (  # noqa: E402
    SearchPage,
    article_key,
    chromium,
    copy_project,
    load_queries,
    recall,
    run_queries,
    serve,
)

VENVS = Path(tempfile.gettempdir()) / "bulletin-pagefind-candidates"
KINDS = ["name", "place", "word", "phrase", "number", "words"]


@dataclass(frozen=True)
class Candidate:
    version: str
    extended: bool

    @property
    def label(self) -> str:
        return f"{self.version}-{'extended' if self.extended else 'plain'}"

    @property
    def package(self) -> str:
        return "pagefind_bin_extended" if self.extended else "pagefind_bin"

    def binary(self) -> Path:
        """The candidate's binary, installed into its own venv on first use."""
        venv = VENVS / self.label
        python = venv / "bin" / "python"
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "-q", f"{self.package}=={self.version}"],
                check=True,
            )
        code = f"import {self.package} as p; print(p.get_executable())"
        done = subprocess.run([str(python), "-c", code], check=True, capture_output=True)
        return Path(done.stdout.decode().strip())


CANDIDATES = [
    Candidate("1.5.2", extended=True),
    Candidate("1.5.2", extended=False),
    Candidate("1.5.0", extended=True),
    Candidate("1.4.0", extended=True),
    Candidate("1.3.0", extended=True),
    Candidate("1.2.0", extended=True),
]


def measure(candidate: Candidate, browser: object, work: Path, show_misses: bool) -> dict:
    from bulletin.build import build

    os.environ["PAGEFIND_BINARY_PATH"] = str(candidate.binary())
    try:
        out = work / candidate.label / "site"
        started = time.perf_counter()
        build(copy_project(work / candidate.label / "project"), out=out)
        seconds = time.perf_counter() - started
    finally:
        del os.environ["PAGEFIND_BINARY_PATH"]
    entry = json.loads((out / "pagefind" / "pagefind-entry.json").read_bytes())
    size = sum(p.stat().st_size for p in (out / "pagefind").rglob("*") if p.is_file())
    queries = load_queries()
    with serve(out) as url:
        page = SearchPage(browser, url)
        found = run_queries(page, queries)
        page.close()
    value, misses = recall(queries, found)
    # Results that do not contain the query: what the reader has to skip.
    extra = sum(len({article_key(h) for h in found[q.q]} - set(q.expect)) for q in queries)
    by_kind = defaultdict(lambda: [0, 0])
    for q in queries:
        by_kind[q.kind][1] += 1
        by_kind[q.kind][0] += q not in misses
    if show_misses:
        for m in misses:
            print(f"  {candidate.label} missed {m.q} ({m.kind}): {found[m.q]}", file=sys.stderr)
    return {
        "label": candidate.label,
        "version": entry["version"],
        "recall": value,
        "hits": len(queries) - len(misses),
        "queries": len(queries),
        "kinds": {k: by_kind[k] for k in KINDS},
        "extra": extra,
        "build_s": seconds,
        "bundle_kb": size / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels", nargs="*", help="candidates to measure (default: all)")
    parser.add_argument("--misses", action="store_true", help="list each missed query")
    args = parser.parse_args()
    chosen = [c for c in CANDIDATES if not args.labels or c.label in args.labels]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bulletin-recall-") as tmp, chromium() as browser:
        for candidate in chosen:
            rows.append(measure(candidate, browser, Path(tmp), args.misses))
    print(
        "| candidate | recall | " + " | ".join(KINDS) + " | extra results | build s | bundle KiB |"
    )
    print("|---|---|" + "---|" * len(KINDS) + "---|---|---|")
    for r in rows:
        kinds = " | ".join(f"{h}/{n}" for h, n in r["kinds"].values())
        print(
            f"| {r['label']} | {r['recall']:.1%} ({r['hits']}/{r['queries']}) | {kinds} "
            f"| {r['extra']} | {r['build_s']:.1f} | {r['bundle_kb']:.0f} |"
        )


if __name__ == "__main__":
    main()
