"""The print makeup over a corpus of editions of varied size: how full each sheet is, and how
long the fit takes.

    .venv/bin/python bench/makeup.py [COUNT] [--seed N]

For each edition of bench/generate.py's `varied` corpus (3–9 articles, 2,000–12,000
characters, A3 and A4, with and without the 通报表 and chart): whether it fit one sheet
(else how many sheets, with the jump), the base grid, body size and line pitch chosen, the
white space at the foot of its text columns (read back from the PDF: lines between a
column's last line and its frame), the lines its first sheet leaves empty (and whether the
build reports that sheet as not full), and the time to measure, lay out and typeset it. The
table goes to standard output in Markdown (bench/results.md keeps a run).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import varied  # noqa: E402

from bulletin.compute import compute  # noqa: E402
from bulletin.load.content import load_site  # noqa: E402
from bulletin.printing import pdf  # noqa: E402
from tests.test_pdf import column_feet  # noqa: E402


def run(count: int, seed: int) -> list[dict[str, object]]:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for root in varied(Path(folder), count, seed=seed):
            site = load_site(root)
            edition = site.editions[0]
            done = compute(site, {edition.id}, strict=False)[edition.id]
            started = time.perf_counter()
            printed = pdf.build_print(site, edition, done.tables, root=root,
                                      charts=done.charts)  # fmt: skip
            seconds = time.perf_counter() - started
            feet = [f[2] for f in column_feet(printed.pdf, printed.frames)]
            first = printed.sheets[0].layout
            chars = sum(len("".join(a.body.split())) for a in edition.articles)
            rows.append({
                "paper": site.config.paper, "articles": len(edition.articles), "chars": chars,
                "table": bool(edition.pages[0].config.tables), "sheets": len(printed.sheets),
                "n": first.n, "c": first.c, "size": first.size, "pitch": first.pitch,
                "foot_max": max(feet), "foot_mean": statistics.mean(feet),
                "spare": first.spare, "lines": first.lines, "under": pdf.under_full(first),
                "seconds": seconds,
            })  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, nargs="?", default=24)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    rows = run(args.count, args.seed)
    print("| # | paper | articles | characters | table | sheets | grid (n × c) | body | pitch "
          "| column foot, max / mean (lines) | sheet 1 empty (lines of) | seconds |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for i, r in enumerate(rows):
        empty = f"{r['spare']} of {r['lines']}" + (" (reported)" if r["under"] else "")
        print(f"| {i} | {r['paper']} | {r['articles']} | {r['chars']} | "
              f"{'yes' if r['table'] else 'no'} | {r['sheets']} | {r['n']} × {r['c']} | "
              f"{r['size']} pt | {r['pitch']:.2f} | {r['foot_max']:.1f} / {r['foot_mean']:.2f} | "
              f"{empty} | {r['seconds']:.2f} |")  # fmt: skip
    fits = [r for r in rows if r["sheets"] == 1]
    print(f"\n{len(fits)} of {len(rows)} on one sheet; column feet over all: max "
          f"{max(float(r['foot_max']) for r in rows):.1f} lines; median time "
          f"{statistics.median(float(r['seconds']) for r in rows):.2f} s; "
          f"{sum(bool(r['under']) for r in rows)} reported as not full")


if __name__ == "__main__":
    main()
