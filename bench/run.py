"""Benchmarks: bulletin against Hugo and MkDocs on the corpus of bench/generate.py.

    .venv/bin/python bench/run.py 10 100            # N = 10 and 100, five runs each
    .venv/bin/python bench/run.py 500 --runs 5      # adds (or replaces) the N = 500 column

Writes bench/results.md (or --out): machine, versions, the median of --runs runs of every
measurement, ratios against Hugo and MkDocs where they are installed, and each target met or
not met. Columns already in the results file (its embedded data) are kept, so N = 500 can be
run on its own later. Text below the `<!-- notes -->` line is kept as written.

Every build runs as a subprocess of this script through the real `bulletin` command, its
stderr on a pseudo-terminal so that the build prints its timed progress lines (the stage
breakdown). Peak memory is measured twice: the largest single process (wait4's ru_maxrss,
which covers the build's children such as Pagefind) and the whole process tree (RSS and PSS,
summed from /proc every 50 ms).
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
            done.wait(0.05)

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


def micro(runs: int) -> dict[str, Any]:
    """One chart and one sample edition's PDF, in process, on the repository's sample site."""
    from bulletin.builder import compute_tables
    from bulletin.charts import make_charts
    from bulletin.content import load_site
    from bulletin.pdf import build_pdf, thumbnail_png

    site = load_site(ROOT)
    tables = compute_tables(site)
    edition = next(e for e in site.editions if tables.get(e.id))
    result: dict[str, Any] = {}
    times = []
    for _ in range(runs + 1):
        charts = make_charts(tables[edition.id], (), site.config.fonts.sans)
        chart = next(iter(charts.values()))
        t = time.perf_counter()
        chart.svg()
        times.append(time.perf_counter() - t)
    result["chart_first"] = times[0]  # loads matplotlib and the fonts
    result["chart"] = statistics.median(times[1:])
    result["chart_edition"] = edition.id
    from bulletin.charts import compute_charts

    all_charts = compute_charts(site, tables)
    for e in site.editions:
        pdfs, thumbs = [], []
        for _ in range(runs + 1):
            t = time.perf_counter()
            data = build_pdf(
                site, e, tables.get(e.id, {}), root=site.root, charts=all_charts.get(e.id, {})
            )
            pdfs.append(time.perf_counter() - t)
            t = time.perf_counter()
            thumbnail_png(data)
            thumbs.append(time.perf_counter() - t)
        result[f"pdf {e.id}"] = {
            "first": pdfs[0],
            "pdf": statistics.median(pdfs[1:]),
            "thumbnail": statistics.median(thumbs[1:]),
            "chars": sum(len(a.body) for a in e.articles),
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
    n: int, runs: int, work: Path, *, hugo: str | None, mkdocs: str | None, log: Callable
) -> dict[str, Any]:
    bulletin = str(BIN / "bulletin")
    corpus = generate(n, work / f"n{n}")
    pages = generate(n, work / f"n{n}-pages", charts=False)
    site_root = corpus / "bulletin"
    out = work / f"n{n}-site"
    res: dict[str, Any] = {"runs": runs}

    def clear(folder: Path) -> Callable[[int], None]:
        return lambda i: shutil.rmtree(folder, ignore_errors=True)

    def build(root: Path, *flags: str) -> list[str]:
        return [bulletin, "build", "--root", str(root), "--out", str(out), *flags]

    log(f"N={n}: pages only (no charts, no PDFs)")
    res["pages"] = repeat(runs, clear(out), build(pages / "bulletin", "--no-pdf", "--no-cache"),
                          progress=True)  # fmt: skip
    log(f"N={n}: full build without PDFs")
    res["nopdf"] = repeat(runs, clear(out), build(site_root, "--no-pdf", "--no-cache"),
                          progress=True)  # fmt: skip
    log(f"N={n}: cold full build with charts and PDFs")
    res["full"] = repeat(runs, clear(site_root / ".cache"), build(site_root), progress=True)
    res["weight"] = page_weight(out, f"editions/{editions(n)[-1][0]}/index.html")
    log(f"N={n}: no-change rebuild")
    res["nochange"] = repeat(runs, lambda i: None, build(site_root), progress=True)
    last, _, day = editions(n)[-1]

    def change(i: int) -> None:
        article = site_root / "content" / last / "caizheng.md"
        with article.open("a", encoding="utf-8") as f:
            f.write(f"\n本文第{i + 1}次修改，补充说明。\n")
        with (site_root / "content" / last / "edition.toml").open("a", encoding="utf-8") as f:
            f.write(f'\n[[corrections]]\ndate = {day.isoformat()}\ntext = "第{i + 1}处更正。"\n')

    log(f"N={n}: one article changed")
    res["one"] = repeat(runs, change, build(site_root), progress=True)
    if hugo:
        log(f"N={n}: Hugo")
        hugo_out = work / f"n{n}-hugo"
        res["hugo"] = repeat(
            runs,
            clear(hugo_out),
            [hugo, "--quiet", "-s", str(corpus / "hugo"), "-d", str(hugo_out)],
        )
        res["hugo_pages"] = sum(1 for _ in hugo_out.rglob("*.html"))
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
        res["mkdocs"] = repeat(runs, clear(mk_out), cmd)
        res["mkdocs_pages"] = sum(1 for _ in mk_out.rglob("*.html"))
    res["bulletin_pages"] = sum(1 for _ in out.rglob("*.html"))
    return res


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
    hugo, mkdocs = sec("hugo"), sec("mkdocs")
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
            "**ratio pages only / Hugo**", [_ratio(a, b) for a, b in zip(pages, hugo, strict=True)]
        ),
        row(
            "ratio pages only / MkDocs", [_ratio(a, b) for a, b in zip(pages, mkdocs, strict=True)]
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
            [
                _mb(max(c[k]["rss"] for k in ("pages", "nopdf", "full", "nochange", "one")))
                for c in cols
            ],
        ),
        row(
            "peak RSS, build + children summed",
            [
                _mb(max(c[k]["tree"] for k in ("pages", "nopdf", "full", "nochange", "one")))
                for c in cols
            ],
        ),
        row(
            "peak PSS, build + children summed (shared pages split)",
            [
                _mb(max(c[k].get("pss", 0) for k in ("pages", "nopdf", "full", "nochange", "one")))
                for c in cols
            ],
        ),
        row(
            "edition page weight (HTML+CSS+images+charts)",
            [f"{sum(c['weight'].values()) / 1000:.0f} KB" for c in cols],
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
        for key in ("pages", "nopdf", "full", "nochange", "one", "hugo", "mkdocs"):
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
            f"{_s(p['pdf'])} warm, {_s(p['first'])} first in a process; its page-1 thumbnail "
            f"{_s(p['thumbnail'])}"
        )
    big = sizes[-1]
    last = data["sizes"][big]
    weight = sum(cols[-1]["weight"].values()) if cols else None
    sample_pdf = max((mic[k]["pdf"] for k in pdf_keys), default=None)

    def at500(key: str) -> float | None:
        c = data["sizes"].get("500")
        return c[key]["seconds"] if c and key in c else None

    def le(a: float | None, b: float | None, f: float = 1.0) -> bool | None:
        return None if a is None or b is None else a <= b * f

    peak = (
        max(last[k]["tree"] for k in ("pages", "nopdf", "full", "nochange", "one"))
        if big == "500"
        else None
    )
    lines += [
        "",
        "## Targets (two cores)",
        "",
        "| target | measured | |",
        "|---|---|---|",
        f"| pages at N = 500 no slower than Hugo (ratio ≤ 1.0) | "
        f"{_ratio(at500('pages'), at500('hugo'))} | {_met(le(at500('pages'), at500('hugo')))} |",
        f"| no-change rebuild at N = 500 ≤ ½ Hugo's build | "
        f"{_ratio(at500('nochange'), at500('hugo'))} | "
        f"{_met(le(at500('nochange'), at500('hugo'), 0.5))} |",
        f"| one article changed ≤ 1.5 s, with its PDF (N = {big}) | {_s(last['one']['seconds'])}"
        f" | {_met(last['one']['seconds'] <= 1.5)} |",
        f"| PDF ≤ 0.5 s per sample edition | {_s(sample_pdf)} | {_met(le(sample_pdf, 0.5))} |",
        f"| one chart ≤ 40 ms | {_s(mic['chart'])} | {_met(mic['chart'] <= 0.04)} |",
        f"| cold full build, charts and PDFs, N = 500 ≤ 120 s | {_s(at500('full'))} | "
        f"{_met(le(at500('full'), 120))} |",
        f"| `bulletin --help` ≤ 0.15 s, no pandas/matplotlib/typst | {_s(s['seconds'])} | "
        f"{_met(s['seconds'] <= 0.15 and not s['heavy'])} |",
        f"| peak memory ≤ 300 MB at N = 500 (RSS, build + children summed) | {_mb(peak)} | "
        f"{_met(None if peak is None else peak <= 300e6)} |",
        f"| edition page ≤ 150 KB (N = {big}) | "
        f"{'—' if weight is None else f'{weight / 1000:.0f} KB'} | "
        f"{_met(None if weight is None else weight <= 150_000)} |",
        "",
        "Targets at N = 500 show — until that column has been run.",
        "",
        "## Stage breakdown",
        "",
        "The build's own progress lines (seconds since start, then the stage that begins) of "
        f"the median run at N = {big}:",
        "",
    ]
    for key, label in (("nopdf", "without PDFs"), ("full", "cold, with PDFs"),
                       ("nochange", "no change"), ("one", "one article changed")):  # fmt: skip
        lines.append(f"- {label}: " + "; ".join(last[key]["stages"]))
    lines += [
        "",
        f"Edition page weight at N = {big}: "
        + ", ".join(f"{k} {v / 1000:.1f} KB" for k, v in cols[-1]["weight"].items()),
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
    parser.add_argument("--fresh", action="store_true", help="drop columns already recorded")
    parser.add_argument("--micro", type=int, default=None, help=argparse.SUPPRESS)
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
    try:
        log("start-up and single items")
        data["startup_runs"] = max(10, args.runs)
        data["startup"] = startup(data["startup_runs"])
        micro_out = run([sys.executable, str(Path(__file__).resolve()), "--micro", str(args.runs)])
        data["micro"] = json.loads(micro_out["stdout"])
        for n in args.sizes:
            data["sizes"][str(n)] = bench_size(
                n, args.runs, work, hugo=hugo, mkdocs=mkdocs, log=log
            )
            args.out.write_text(render(data, notes), encoding="utf-8")
            log(f"N={n} written to {args.out}")
        args.out.write_text(render(data, notes), encoding="utf-8")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
