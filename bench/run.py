"""Benchmarks: bulletin against Hugo and MkDocs on the corpus of bench/generate.py.

    .venv/bin/python bench/run.py 10 100            # N = 10 and 100, five runs each
    .venv/bin/python bench/run.py 500 --runs 5      # adds (or replaces) the N = 500 column

Writes bench/results.md (or --out): machine, versions, the median of --runs runs of every
measurement, ratios against Hugo and MkDocs where they are installed, and each target met or
not met. Columns already in the results file (its embedded data) are kept, so N = 500 can be
run on its own later; the file is rewritten after each measurement. Text below the
`<!-- notes -->` line is kept as written. Builds run on a copy of bulletin/ taken at the start.

Every build runs as a subprocess of this script through the real `bulletin` command, its
stderr on a pseudo-terminal so that the build prints its timed progress lines (the stage
breakdown). Peak memory is measured twice: the largest single process (wait4's ru_maxrss,
which covers the build's children such as Pagefind) and the whole process tree (RSS and PSS,
summed from /proc every 100 ms).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html.parser
import importlib.metadata
import json
import os
import platform
import pty
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from generate import editions, generate  # noqa: E402

BIN = Path(sys.executable).parent
NOTES = "<!-- notes -->"
DATA = re.compile(r"<!-- data: (.*?) -->", re.S)
LIBRARIES = ("bulletin", "click", "Jinja2", "markdown-it-py", "pandas", "matplotlib", "typst",
             "pagefind", "pagefind-bin-extended", "pydantic", "Pillow")  # fmt: skip
HEAVY = ("pandas", "matplotlib", "typst", "numpy", "PIL")
BUILDS = ("pages", "nopdf", "full", "nochange", "one")  # the bulletin measurements


# -- running one command -------------------------------------------------------------------


def _tree_memory(root: int) -> tuple[int, int]:
    """(summed RSS, summed PSS) in bytes of `root` and all its descendants, from /proc.

    RSS counts the pages a process shares with another (the CJK fonts that Typst maps, in
    every PDF worker) once per process; PSS divides them among the processes sharing them.
    """
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                parents[int(entry)] = int(f.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        kids = [p for p, pp in parents.items() if pp == pid and p not in tree]
        tree.update(kids)
        frontier += kids
    rss = pss = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith(b"Pss:"):
                        pss += int(line.split()[1]) * 1024
        except OSError:
            continue
    return rss, pss


def run(cmd: list[str], *, cwd: Path | None = None, progress: bool = False) -> dict[str, Any]:
    """Run `cmd`; its wall time, peak RSS (largest process, whole tree) and progress lines."""
    lines: list[str] = []
    master = slave = None
    if progress:
        master, slave = pty.openpty()
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave if progress else subprocess.PIPE,
    )
    peak_tree = peak_pss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree, peak_pss
        while not done.is_set():
            rss, pss = _tree_memory(proc.pid)
            peak_tree, peak_pss = max(peak_tree, rss), max(peak_pss, pss)
            done.wait(0.1)

    def drain(stream: Any, sink: list[bytes]) -> None:
        sink.append(stream.read())

    out: list[bytes] = []
    err: list[bytes] = []
    threads = [
        threading.Thread(target=sample),
        threading.Thread(target=drain, args=(proc.stdout, out)),
    ]
    if progress:
        os.close(slave)  # type: ignore[arg-type]

        def read_pty() -> None:
            chunks = []
            while True:
                try:
                    chunk = os.read(master, 65536)  # type: ignore[arg-type]
                except OSError:  # EIO: the build closed the terminal
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            err.append(b"".join(chunks))

        threads.append(threading.Thread(target=read_pty))
    else:
        threads.append(threading.Thread(target=drain, args=(proc.stderr, err)))
    for t in threads:
        t.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    for t in threads:
        t.join()
    if master is not None:
        os.close(master)
    stderr = b"".join(err).decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{stderr}")
    for line in stderr.replace("\r", "").splitlines():
        m = re.match(r"\[\s*([\d.]+)s\] (.*)", line)
        if m:
            lines.append(f"{float(m.group(1)):.2f} {m.group(2)}")
    return {
        "seconds": seconds,
        "rss": usage.ru_maxrss * 1024,
        "tree": peak_tree,
        "pss": peak_pss,
        "stages": lines,
        "stdout": b"".join(out).decode("utf-8", "replace"),
    }


def repeat(runs: int, before: Callable[[int], None], cmd: list[str], **kw: Any) -> dict[str, Any]:
    """`runs` runs of `cmd`, `before(i)` ahead of each: median seconds, peak memory, stages."""
    results = []
    for i in range(runs):
        before(i)
        results.append(run(cmd, **kw))
    middle = sorted(results, key=lambda r: r["seconds"])[len(results) // 2]
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
        "all": [round(r["seconds"], 3) for r in results],
        "rss": max(r["rss"] for r in results),
        "tree": max(r["tree"] for r in results),
        "pss": max(r["pss"] for r in results),
        "stages": middle["stages"],
    }


# -- the tools compared --------------------------------------------------------------------


def find_mkdocs(given: str | None) -> str | None:
    candidates = [given] if given else []
    candidates += [
        str(BIN / "mkdocs"),
        shutil.which("mkdocs"),
        "/tmp/bulletin-bench-mkdocs/bin/mkdocs",
    ]
    for c in candidates:
        if c and Path(c).is_file():
            return c
    return None


def find_pagefind() -> str | None:
    """The pinned Pagefind extended binary bulletin itself runs (pagefind-bin-extended)."""
    done = subprocess.run(
        [str(BIN / "python"), "-c",
         "from pagefind.service import get_executable; print(get_executable())"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    path = done.stdout.strip()
    return path if done.returncode == 0 and path and Path(path).is_file() else None


def version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return "not installed"
    return (out.stdout or out.stderr).strip().splitlines()[0] if out.returncode == 0 else "?"


# -- page weight ---------------------------------------------------------------------------


class _Assets(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "link" and "stylesheet" in (a.get("rel") or "") and a.get("href"):
            self.found.append(a["href"] or "")
        elif tag in ("img", "script") and a.get("src"):
            self.found.append(a["src"] or "")


def page_weight(site: Path, page: str) -> dict[str, int]:
    """Bytes of a page and everything it loads from the site (the PDF is only a link)."""
    path = site / page
    parser = _Assets()
    parser.feed(path.read_text(encoding="utf-8"))
    weights = {page: path.stat().st_size}
    for ref in parser.found:
        if "://" in ref or ref.startswith("data:"):
            continue
        target = (path.parent / ref.split("#")[0].split("?")[0]).resolve()
        if target.is_file():
            weights[target.relative_to(site.resolve()).as_posix()] = target.stat().st_size
    return weights


# -- micro-benchmarks (run in a subprocess: `run.py --micro`) ------------------------------


def micro(edition_id: str) -> dict[str, Any]:
    """In a fresh process: the sample's chart, and the PDF of sample edition `edition_id`.

    Typst memoizes: compiling the same document again takes a fraction of the first time,
    so the PDF is timed once per process, after a warm-up PDF of another edition (the fonts
    loaded, the compiler made), as in a build, where each edition is a new document.
    """
    from bulletin.charts import make_charts
    from bulletin.compute import compute
    from bulletin.load.content import load_site
    from bulletin.printing.pdf import build_pdf, thumbnail_png

    site = load_site(ROOT)
    computed = compute(site, {e.id for e in site.editions}, strict=False)
    tables = {eid: done.tables for eid, done in computed.items()}
    with_chart = next(e for e in site.editions if tables.get(e.id))
    result: dict[str, Any] = {"chart_edition": with_chart.id}
    times = []
    for _ in range(6):
        charts = make_charts(tables[with_chart.id], (), site.config.fonts.sans)
        chart = next(iter(charts.values()))
        t = time.perf_counter()
        chart.svg()
        times.append(time.perf_counter() - t)
    result["chart_first"] = times[0]  # loads matplotlib and the fonts
    result["chart"] = statistics.median(times[1:])
    drawn = {eid: done.charts for eid, done in computed.items()}
    for charts in drawn.values():
        for chart in charts.values():
            chart.svg()  # drawn by the render stage in a build

    def pdf(e: Any) -> bytes:
        return build_pdf(site, e, tables.get(e.id, {}), root=site.root, charts=drawn.get(e.id, {}))

    edition = next(e for e in site.editions if e.id == edition_id)
    other = next(e for e in site.editions if e.id != edition_id)
    t = time.perf_counter()
    pdf(other)
    result["pdf_first"] = time.perf_counter() - t
    t = time.perf_counter()
    data = pdf(edition)
    result["pdf"] = time.perf_counter() - t
    t = time.perf_counter()
    thumbnail_png(data)
    result["thumbnail"] = time.perf_counter() - t
    result["chars"] = sum(len(a.body) for a in edition.articles)
    return result


def micros(runs: int) -> dict[str, Any]:
    """`runs` fresh processes per sample edition: medians of chart and PDF times."""
    from bulletin.load.content import load_site

    ids = [e.id for e in load_site(ROOT).editions]
    found: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for _ in range(runs):
        for i in ids:
            out = run([sys.executable, str(Path(__file__).resolve()), "--micro", i])
            found[i].append(json.loads(out["stdout"]))
    every = [r for rs in found.values() for r in rs]
    result: dict[str, Any] = {
        "chart_edition": every[0]["chart_edition"],
        "chart": statistics.median(r["chart"] for r in every),
        "chart_first": statistics.median(r["chart_first"] for r in every),
    }
    for i, rs in found.items():
        result[f"pdf {i}"] = {
            "first": statistics.median(r["pdf_first"] for r in rs),
            "pdf": statistics.median(r["pdf"] for r in rs),
            "thumbnail": statistics.median(r["thumbnail"] for r in rs),
            "chars": rs[0]["chars"],
        }
    return result


def startup(runs: int) -> dict[str, Any]:
    cmd = [str(BIN / "bulletin"), "--help"]
    times = [run(cmd)["seconds"] for _ in range(runs)]
    probe = (
        "import sys\nfrom bulletin.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return {"seconds": statistics.median(times), "heavy": out.stderr.strip()}


# -- one corpus size -----------------------------------------------------------------------


def bench_size(
    n: int,
    runs: int,
    work: Path,
    *,
    hugo: str | None,
    mkdocs: str | None,
    log: Callable[[str], None],
    pagefind: str | None = None,
    mkdocs_runs: int | None = None,
    save: Callable[[dict[str, Any]], None] = lambda res: None,
) -> dict[str, Any]:
    bulletin = str(BIN / "bulletin")
    corpus = generate(n, work / f"n{n}")
    pages = generate(n, work / f"n{n}-pages", charts=False)
    site_root = corpus / "bulletin"
    out = work / f"n{n}-site"
    res: dict[str, Any] = {"runs": runs}

    def clear(*folders: Path) -> Callable[[int], None]:
        def before(i: int) -> None:
            for folder in folders:
                shutil.rmtree(folder, ignore_errors=True)

        return before

    # A full build, like Hugo's into an empty folder: no site, no spare site beside it
    # (bulletin.build.output), no object store or other cache (.cache/) left by the run before.
    spare = out.parent / f".{out.name}.spare.tmp"

    def build(root: Path, *flags: str) -> list[str]:
        return [bulletin, "build", "--root", str(root), "--out", str(out), *flags]

    log(f"N={n}: pages only (no charts, no PDFs)")
    res["pages"] = repeat(runs, clear(out, spare, pages / "bulletin" / ".cache"),
                          build(pages / "bulletin", "--no-pdf", "--no-cache"),
                          progress=True)  # fmt: skip
    save(res)
    log(f"N={n}: full build without PDFs")
    res["nopdf"] = repeat(runs, clear(out, spare, site_root / ".cache"),
                          build(site_root, "--no-pdf", "--no-cache"),
                          progress=True)  # fmt: skip
    save(res)
    log(f"N={n}: cold full build with charts and PDFs")
    res["full"] = repeat(runs, clear(out, spare, site_root / ".cache"), build(site_root),
                         progress=True)
    res["weight"] = page_weight(out, f"editions/{editions(n)[-1][0]}/index.html")
    save(res)
    log(f"N={n}: no-change rebuild")
    res["nochange"] = repeat(runs, lambda i: None, build(site_root), progress=True)
    save(res)
    last, _, day = editions(n)[-1]

    def change(i: int) -> None:
        article = site_root / "content" / last / "caizheng.md"
        with article.open("a", encoding="utf-8") as f:
            f.write(f"\n本文第{i + 1}次修改，补充说明。\n")
        with (site_root / "content" / last / "edition.toml").open("a", encoding="utf-8") as f:
            f.write(f'\n[[corrections]]\ndate = {day.isoformat()}\ntext = "第{i + 1}处更正。"\n')

    log(f"N={n}: one article changed")
    res["one"] = repeat(runs, change, build(site_root), progress=True)
    save(res)
    if hugo:
        log(f"N={n}: Hugo")
        hugo_out = work / f"n{n}-hugo"
        res["hugo"] = repeat(
            runs,
            clear(hugo_out),
            [hugo, "--quiet", "-s", str(corpus / "hugo"), "-d", str(hugo_out)],
        )
        res["hugo_pages"] = sum(1 for _ in hugo_out.rglob("*.html"))
        save(res)
    if hugo and pagefind:
        # Hugo makes no search index; sites built with it get one from Pagefind, run over
        # its output: the same pinned extended build bulletin uses, with its defaults.
        log(f"N={n}: Hugo + Pagefind")
        hugo_out = work / f"n{n}-hugo-pagefind"
        q = shlex.quote
        script = (
            f"{q(hugo)} --quiet -s {q(str(corpus / 'hugo'))} -d {q(str(hugo_out))} && "
            f"{q(pagefind)} --site {q(str(hugo_out))} --silent"
        )
        res["hugo_pagefind"] = repeat(runs, clear(hugo_out), ["sh", "-c", script])
        save(res)
    if mkdocs:
        log(f"N={n}: MkDocs")
        mk_out = work / f"n{n}-mkdocs"
        cmd = [
            mkdocs,
            "build",
            "-q",
            "-f",
            str(corpus / "mkdocs" / "mkdocs.yml"),
            "-d",
            str(mk_out),
        ]
        res["mkdocs"] = repeat(mkdocs_runs or runs, clear(mk_out), cmd)
        res["mkdocs_pages"] = sum(1 for _ in mk_out.rglob("*.html"))
    res["bulletin_pages"] = sum(1 for _ in out.rglob("*.html"))
    return res


def freeze_code(work: Path) -> str:
    """Run every build on a copy of the package taken now (PYTHONPATH comes before the
    editable install): edits made in the tree while the benchmark runs change nothing, and
    do not invalidate the render cache (its key covers bulletin's code) between runs."""
    code = work / "code"
    shutil.rmtree(code, ignore_errors=True)
    shutil.copytree(
        ROOT / "bulletin", code / "bulletin", ignore=shutil.ignore_patterns("__pycache__")
    )
    os.environ.setdefault("BULLETIN_LANG", "en")  # progress lines in English
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(code), os.environ.get("PYTHONPATH", "")) if p
    )

    def git(*a: str) -> str:
        out = subprocess.run(["git", "-C", str(ROOT), *a], capture_output=True, text=True)
        return out.stdout.strip() if out.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (
        " with uncommitted changes" if git("status", "--porcelain", "bulletin") else ""
    )


# -- the results file ----------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    libs = []
    for name in LIBRARIES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            libs.append(f"{name} {importlib.metadata.version(name)}")
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "libraries": ", ".join(libs),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _s(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f} s" if x >= 0.1 else f"{x * 1000:.0f} ms"


def _ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def _mb(x: float | None) -> str:
    return "—" if x is None else f"{x / 1e6:.0f} MB"


SEARCH_STAGE = ("indexing for search", "建立搜索索引")  # the progress line, English or Chinese


def _without_search(column: dict[str, Any], key: str) -> float | None:
    """The median run's wall time less its search-index stage (from its progress lines)."""
    if key not in column:
        return None
    stages = [line.split(" ", 1) for line in column[key]["stages"]]
    for i, (at, message) in enumerate(stages[:-1]):
        if message.startswith(SEARCH_STAGE):
            return float(column[key]["seconds"]) - (float(stages[i + 1][0]) - float(at))
    return None


def _peak(column: dict[str, Any], kind: str) -> float | None:
    found = [column[k].get(kind, 0) for k in BUILDS if k in column]
    return max(found) if found else None


def _met(ok: bool | None) -> str:
    return "—" if ok is None else "met" if ok else "**not met**"


def render(data: dict[str, Any], notes: str) -> str:
    sizes = sorted(data["sizes"], key=int)
    cols = [data["sizes"][k] for k in sizes]
    m = data["machine"]

    def sec(key: str) -> list[float | None]:
        return [c[key]["seconds"] if key in c else None for c in cols]

    def row(label: str, values: list[str]) -> str:
        return f"| {label} | " + " | ".join(values) + " |"

    head = row("measurement", [f"N = {k}" for k in sizes])
    rule = "|---|" + "---:|" * len(sizes)
    pages, nopdf, full = sec("pages"), sec("nopdf"), sec("full")
    nochange, one = sec("nochange"), sec("one")
    hugo, mkdocs, hugo_pf = sec("hugo"), sec("mkdocs"), sec("hugo_pagefind")
    quiet = [_without_search(c, "pages") for c in cols]
    lines = [
        "# Benchmarks",
        "",
        "Written by `bench/run.py` (see bench/README.md); do not edit above the notes line.",
        "",
        f"- Date: {data['date']}",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['ram']} RAM; {m['os']}",
        f"- Load average when the run started: {m['load']} (other work on the machine "
        "inflates wall times)",
        f"- Python {m['python']}; {m['libraries']}",
        f"- Code: bulletin at commit {data.get('code', '?')} (a copy taken when the run began)",
        f"- Hugo: {data['hugo']}; MkDocs: {data['mkdocs']}",
        "- Corpus: `bench/generate.py`, N weekly editions of 7 articles (~1,500 characters "
        "each) and one 通报表 with its chart",
        "",
        "## Results",
        "",
        "Median wall time of the runs shown (each build a fresh `bulletin` process).",
        "",
        head,
        rule,
        row("runs", [str(c["runs"]) for c in cols]),
        row("pages only: `--no-pdf --no-cache`, no charts", [_s(x) for x in pages]),
        row("full build without PDFs: `--no-pdf --no-cache`", [_s(x) for x in nopdf]),
        row("Hugo full build (same articles)", [_s(x) for x in hugo]),
        row("MkDocs full build (same articles)", [_s(x) for x in mkdocs]),
        row(
            "Hugo + Pagefind (the pinned extended build over Hugo's output)",
            [_s(x) for x in hugo_pf],
        ),
        row(
            "**ratio pages with search / Hugo + Pagefind**",
            [_ratio(a, b) for a, b in zip(pages, hugo_pf, strict=True)],
        ),
        row(
            "**ratio pages only / Hugo**", [_ratio(a, b) for a, b in zip(pages, hugo, strict=True)]
        ),
        row(
            "ratio pages only / MkDocs", [_ratio(a, b) for a, b in zip(pages, mkdocs, strict=True)]
        ),
        row("pages only, less its search-index stage", [_s(x) for x in quiet]),
        row(
            "ratio pages less search / Hugo",
            [_ratio(a, b) for a, b in zip(quiet, hugo, strict=True)],
        ),
        row("ratio without PDFs / Hugo", [_ratio(a, b) for a, b in zip(nopdf, hugo, strict=True)]),
        row("cold full build, charts and PDFs", [_s(x) for x in full]),
        row("no-change rebuild", [_s(x) for x in nochange]),
        row(
            "**ratio no-change / Hugo**",
            [_ratio(a, b) for a, b in zip(nochange, hugo, strict=True)],
        ),
        row("one article changed (with its PDF)", [_s(x) for x in one]),
        row(
            "peak RSS, largest process",
            [_mb(_peak(c, "rss")) for c in cols],
        ),
        row(
            "peak RSS, build + children summed",
            [_mb(_peak(c, "tree")) for c in cols],
        ),
        row(
            "peak PSS, build + children summed (shared pages split)",
            [_mb(_peak(c, "pss")) for c in cols],
        ),
        *(
            row(
                f"peak RSS summed, {label}",
                [_mb(c[key].get("tree")) if key in c else "—" for c in cols],
            )
            for key, label in (
                ("pages", "pages only"),
                ("nopdf", "without PDFs"),
                ("full", "cold full build"),
                ("nochange", "no-change rebuild"),
                ("one", "one article changed"),
            )
        ),
        row(
            "edition page weight (HTML+CSS+images+charts)",
            [f"{sum(c['weight'].values()) / 1000:.0f} KB" if "weight" in c else "—" for c in cols],
        ),
        row(
            "HTML pages: bulletin / Hugo / MkDocs",
            [
                f"{c.get('bulletin_pages', '?')} / {c.get('hugo_pages', '—')} / "
                f"{c.get('mkdocs_pages', '—')}"
                for c in cols
            ],
        ),
        "",
        "Single runs, in seconds:",
        "",
    ]
    for k, c in zip(sizes, cols, strict=True):
        for key in ("pages", "nopdf", "full", "nochange", "one", "hugo", "hugo_pagefind",
                    "mkdocs"):  # fmt: skip
            if key in c:
                lines.append(f"- N = {k}, {key}: {c[key]['all']}")
    s, mic = data["startup"], data["micro"]
    pdf_keys = [k for k in mic if k.startswith("pdf ")]
    lines += [
        "",
        "## Start-up and single items",
        "",
        f"- `bulletin --help`: {_s(s['seconds'])} (median of {data['startup_runs']}); heavy "
        f"modules imported for it: {s['heavy'] or 'none'}",
        f"- one chart (`Chart.svg()`, {mic['chart_edition']}'s rank bar chart): "
        f"{_s(mic['chart'])} warm, {_s(mic['chart_first'])} for the first in a process",
    ]
    for k in pdf_keys:
        p = mic[k]
        lines.append(
            f"- PDF of sample edition {k[4:]} ({p['chars']} characters of Markdown): "
            f"{_s(p['pdf'])} (a new document in a process that has made one PDF already; "
            f"the first PDF of a process took {_s(p['first'])}, loading Typst and the fonts); "
            f"its page-1 thumbnail {_s(p['thumbnail'])}; median of {data['micro_runs']} "
            "processes"
        )
    big = sizes[-1]
    last = data["sizes"][big]
    weight = sum(last["weight"].values()) if "weight" in last else None
    sample_pdf = max((mic[k]["pdf"] for k in pdf_keys), default=None)

    def at500(key: str) -> float | None:
        c = data["sizes"].get("500")
        return c[key]["seconds"] if c and key in c else None

    def le(a: float | None, b: float | None, f: float = 1.0) -> bool | None:
        return None if a is None or b is None else a <= b * f

    peak = _peak(last, "tree") if big == "500" and all(k in last for k in BUILDS) else None
    column = data["sizes"].get("500")
    less_search = _without_search(column, "pages") if column and "pages" in column else None
    one = last["one"]["seconds"] if "one" in last else None
    lines += [
        "",
        "## Targets (two cores)",
        "",
        "| target | measured | |",
        "|---|---|---|",
        f"| pages at N = 500 no slower than Hugo (ratio ≤ 1.0) | "
        f"{_ratio(at500('pages'), at500('hugo'))} | {_met(le(at500('pages'), at500('hugo')))} |",
        f"| (the same, less the search-index stage, which Hugo does not have) | "
        f"{_ratio(less_search, at500('hugo'))} | {_met(le(less_search, at500('hugo')))} |",
        f"| pages with search at N = 500 ≤ 0.8 × Hugo + Pagefind | "
        f"{_ratio(at500('pages'), at500('hugo_pagefind'))} | "
        f"{_met(le(at500('pages'), at500('hugo_pagefind'), 0.8))} |",
        f"| no-change rebuild at N = 500 ≤ ½ Hugo's build | "
        f"{_ratio(at500('nochange'), at500('hugo'))} | "
        f"{_met(le(at500('nochange'), at500('hugo'), 0.5))} |",
        f"| one article changed ≤ 1.0 s, with its PDF (N = {big}) | {_s(one)}"
        f" | {_met(le(one, 1.0))} |",
        f"| PDF ≤ 0.5 s per sample edition | {_s(sample_pdf)} | {_met(le(sample_pdf, 0.5))} |",
        f"| one chart ≤ 40 ms | {_s(mic['chart'])} | {_met(mic['chart'] <= 0.04)} |",
        f"| cold full build, charts and PDFs, N = 500 ≤ 90 s | {_s(at500('full'))} | "
        f"{_met(le(at500('full'), 90))} |",
        f"| `bulletin --help` ≤ 0.15 s, no pandas/matplotlib/typst | {_s(s['seconds'])} | "
        f"{_met(s['seconds'] <= 0.15 and not s['heavy'])} |",
        f"| peak memory ≤ 300 MB at N = 500 (RSS, build + children summed) | {_mb(peak)} | "
        f"{_met(None if peak is None else peak <= 300e6)} |",
        f"| edition page ≤ 150 KB (N = {big}) | "
        f"{'—' if weight is None else f'{weight / 1000:.0f} KB'} | "
        f"{_met(None if weight is None else weight <= 150_000)} |",
        "",
        *(
            []
            if "500" in data["sizes"]
            else ["Targets at N = 500 show — until that column has been run.", ""]
        ),
        "## Stage breakdown",
        "",
        "The build's own progress lines (seconds since start, then the stage that begins) of "
        f"the median run at N = {big}:",
        "",
    ]
    for key, label in (("nopdf", "without PDFs"), ("full", "cold, with PDFs"),
                       ("nochange", "no change"), ("one", "one article changed")):  # fmt: skip
        if key in last:
            lines.append(f"- {label}: " + "; ".join(last[key]["stages"]))
    lines += [
        "",
        f"Edition page weight at N = {big}: "
        + ", ".join(f"{k} {v / 1000:.1f} KB" for k, v in last.get("weight", {}).items()),
        "",
        f"<!-- data: {json.dumps(data, ensure_ascii=False)} -->",
        "",
        NOTES,
        notes.rstrip() + "\n" if notes.strip() else "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", type=int, nargs="*", default=[10, 100])
    parser.add_argument("--runs", type=int, default=5, help="runs of each measurement")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: /tmp)")
    parser.add_argument("--mkdocs", default=None, help="the mkdocs command (mkdocs<2)")
    parser.add_argument("--no-compare", action="store_true", help="skip Hugo and MkDocs")
    parser.add_argument(
        "--mkdocs-runs", type=int, default=None, help="runs of MkDocs (default: --runs)"
    )
    parser.add_argument("--fresh", action="store_true", help="drop columns already recorded")
    parser.add_argument("--micro", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.micro is not None:
        print(json.dumps(micro(args.micro)))
        return
    hugo = None if args.no_compare else shutil.which("hugo")
    mkdocs = None if args.no_compare else find_mkdocs(args.mkdocs)
    text = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    notes = text.split(NOTES, 1)[1].lstrip("\n") if NOTES in text else ""
    found = DATA.search(text)
    data: dict[str, Any] = json.loads(found.group(1)) if found and not args.fresh else {}
    data.setdefault("sizes", {})

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    data["machine"] = machine()
    data["date"] = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    if hugo or "hugo" not in data:
        data["hugo"] = version([hugo, "version"]) if hugo else "not installed"
    if mkdocs or "mkdocs" not in data:
        data["mkdocs"] = version([mkdocs, "--version"]) if mkdocs else "not installed"
    work = args.work or Path(tempfile.mkdtemp(prefix="bulletin-bench-"))
    data["code"] = freeze_code(work)
    try:
        log("start-up and single items")
        data["startup_runs"] = max(10, args.runs)
        data["startup"] = startup(data["startup_runs"])
        data["micro"] = micros(args.runs)
        data["micro_runs"] = args.runs
        for n in args.sizes:

            def save(res: dict[str, Any], n: int = n) -> None:
                data["sizes"][str(n)] = res
                args.out.write_text(render(data, notes), encoding="utf-8")

            data["sizes"][str(n)] = bench_size(
                n,
                args.runs,
                work,
                hugo=hugo,
                mkdocs=mkdocs,
                log=log,
                pagefind=None if args.no_compare else find_pagefind(),
                mkdocs_runs=args.mkdocs_runs,
                save=save,
            )
            args.out.write_text(render(data, notes), encoding="utf-8")
            log(f"N={n} written to {args.out}")
        args.out.write_text(render(data, notes), encoding="utf-8")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
