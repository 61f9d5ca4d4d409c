"""The bad-input corpus: every case fails cleanly, names the file and line, keeps the old site.

`tests/bad_inputs/_base/` is a small valid project (one edition, an article citing a table, a
table spec over a CSV, a chart). Every other folder there is one case:

- `files/…` is laid over a fresh copy of the base (replacing or adding files);
- `expect.toml` says what the build must report: `file` (the file the message names), `line`
  (when there is one: the message then reads `file:line`), `messages` (substrings), and
  optionally `max_length` (the error output stays short). It may also hold recipes for files
  better made than committed (binary, huge, re-encoded, links):

  `delete = [path, …]`, `mkdir = [path, …]`,
  `[[write]] path, text | hex | source (a base file), encoding` — in `text`, `{{x*N}}` is `x`
  repeated N times;
  `[[png]] path, width, height, truncate`; `[[xlsx]] path, rows, truncate`;
  `[[symlink]] path, target`.
  In paths and targets `{outside}` is a folder beside the project, outside it.

The base is built once, for real (`python -m bulletin build` in a subprocess), and every case
starts from a copy of that built project, so a previous `site/` exists. (The copy has no
`bulletin.lock`: the lock would report the changed edition before the error under test.) Each
bad build runs as a subprocess too; it must exit 1 with one clean message — never a
traceback — and leave `site/` byte for byte as it was, with no staging folder behind.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .conftest import tree_digest

CORPUS = Path(__file__).parent / "bad_inputs"
BASE = CORPUS / "_base"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_"))
REPEAT = re.compile(r"\{\{(.+?)\*(\d+)\}\}", re.S)


def run_build(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bulletin", "build", "--root", str(project)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        # messages in English, their identity (editors see them in Chinese by default)
        env={**os.environ, "PYTHONWARNINGS": "default", "BULLETIN_LANG": "en"},
    )


def load_expect(case: str) -> dict[str, Any]:
    return tomllib.loads((CORPUS / case / "expect.toml").read_text(encoding="utf-8"))


def _png(width: int, height: int) -> bytes:
    """A PNG of that size: drawn when small, else only its header (enough to claim the size)."""
    if width * height <= 1_000_000:
        from PIL import Image

        buf = io.BytesIO()
        Image.new("RGB", (width, height), (200, 30, 30)).save(buf, "PNG")
        return buf.getvalue()
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def _xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    # fixed zip dates, so the same recipe always gives the same bytes
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            info.date_time = (2024, 1, 1, 0, 0, 0)
            dst.writestr(info, src.read(info.filename))
    return out.getvalue()


def apply_case(case: str, project: Path, outside: Path) -> None:
    """Lay case `case` over `project` (see the module docstring)."""
    expect = load_expect(case)

    def where(path: str) -> Path:
        return (
            Path(path.replace("{outside}", str(outside)))
            if "{outside}" in path
            else (project / path)
        )

    def remove(path: Path) -> None:
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)

    def put(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove(path)
        path.write_bytes(data)

    for rel in expect.get("delete", []):
        remove(where(rel))
    for rel in expect.get("mkdir", []):
        where(rel).mkdir(parents=True)
    files = CORPUS / case / "files"
    if files.is_dir():
        for src in sorted(files.rglob("*")):
            if src.is_file():
                put(project / src.relative_to(files), src.read_bytes())
    for item in expect.get("write", []):
        encoding = item.get("encoding", "utf-8")
        if "hex" in item:
            data = bytes.fromhex(item["hex"])
        elif "source" in item:
            data = (BASE / item["source"]).read_text(encoding="utf-8").encode(encoding)
        else:
            text = REPEAT.sub(lambda m: m.group(1) * int(m.group(2)), item["text"])
            data = text.encode(encoding)
        put(where(item["path"]), data)
    for item in expect.get("png", []):
        data = _png(item["width"], item["height"])
        put(where(item["path"]), data[: item.get("truncate", len(data))])
    for item in expect.get("xlsx", []):
        data = _xlsx(item["rows"])
        put(where(item["path"]), data[: item.get("truncate", len(data))])
    for item in expect.get("symlink", []):
        path = where(item["path"])
        remove(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(where(item["target"]))


@dataclass
class Outcome:
    code: int
    stderr: str
    before: dict[str, str]
    after: dict[str, str]
    leftovers: list[str]


@pytest.fixture(scope="module")
def built_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base project, built once for real; its `site/` is the 'previous site'."""
    project = tmp_path_factory.mktemp("base") / "project"
    shutil.copytree(BASE, project)
    done = run_build(project)
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr, done.stderr
    (project / "bulletin.lock").unlink()
    site = tree_digest(project / "site")
    assert {"editions/2024-01/first.html", "editions/2024-01/rate.svg"} <= set(site)
    assert "editions/2024-01/2024-01.pdf" in site and "pagefind/2024-1/pagefind-entry.json" in site
    return project


def _run_case(case: str, base: Path, folder: Path) -> Outcome:
    project = folder / "project"
    shutil.copytree(base, project, symlinks=True)
    before = tree_digest(project / "site")
    apply_case(case, project, folder / "outside")
    done = run_build(project)
    return Outcome(
        done.returncode,
        done.stderr,
        before,
        tree_digest(project / "site"),
        sorted(p.name for p in project.glob(".site.*")),
    )


@pytest.fixture(scope="module")
def outcomes(
    request: pytest.FixtureRequest, built_base: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Outcome]:
    """Every selected case, built two at a time (each build is its own process)."""
    wanted = sorted(
        {
            item.callspec.params["case"]
            for item in request.session.items
            if getattr(item, "callspec", None)
            and item.module is request.module
            and "case" in item.callspec.params
        }
    )
    folders = {case: tmp_path_factory.mktemp(case) for case in wanted}
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {c: pool.submit(_run_case, c, built_base, folders[c]) for c in wanted}
        return {c: f.result() for c, f in futures.items()}


def test_corpus_is_large_and_well_formed() -> None:
    assert len(CASES) >= 40
    for case in CASES:
        expect = load_expect(case)
        assert expect.get("about") and expect.get("file") and expect.get("messages"), case
        known = {
            "about",
            "file",
            "line",
            "messages",
            "max_length",
            "delete",
            "mkdir",
            "write",
            "png",
            "xlsx",
            "symlink",
        }
        assert set(expect) <= known, (case, set(expect) - known)
    kinds = {case.split("-")[0] for case in CASES}
    assert {"config", "edition", "fm", "md", "spec", "csv", "xlsx"} <= kinds


@pytest.mark.parametrize("case", CASES)
def test_bad_input_fails_cleanly(case: str, outcomes: dict[str, Outcome]) -> None:
    expect = load_expect(case)
    got = outcomes[case]
    assert got.code == 1, f"exit {got.code}\n{got.stderr}"
    assert "Traceback" not in got.stderr, got.stderr
    where = re.escape(expect["file"]) + (f":{expect['line']}" if "line" in expect else r"(:\d+)?")
    assert re.match(rf"{where}: error: ", got.stderr), got.stderr
    for part in expect["messages"]:
        assert part in got.stderr, (part, got.stderr)
    assert len(got.stderr) <= expect.get("max_length", 5000), got.stderr[:3000]
    assert got.after == got.before, "the previous site/ changed"
    assert not got.leftovers, got.leftovers
