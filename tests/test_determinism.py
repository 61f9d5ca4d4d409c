"""The same inputs give the same site, byte for byte, wherever and whenever they are built.

The sample project is copied to two folders at different absolute paths (one deeper, with
spaces and Chinese in it) and built there at the same time, in subprocesses, under different
time zones, locales, hash seeds, working folders and SOURCE_DATE_EPOCH. Every file of the two
sites — HTML, CSS, SVG, PDF, PNG, CSV, the Pagefind index — must be identical, and none may
mention the folder it was built in.

Dates on the pages, in the feed and in the PDFs are the editions' own dates; nothing the build
writes uses the clock (SOURCE_DATE_EPOCH therefore changes nothing either).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import copy_project as copy_inputs
from .conftest import tree_digest

ENVIRONMENTS = [
    {
        "TZ": "UTC",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONHASHSEED": "1",
    },
    {
        "TZ": "Asia/Shanghai",
        "LANG": "zh_CN.UTF-8",
        "LC_ALL": "zh_CN.UTF-8",  # may not be installed: the C library then falls back
        "PYTHONHASHSEED": "4242",
        "SOURCE_DATE_EPOCH": "1700000000",
    },
]


def test_two_builds_in_two_places_are_identical(tmp_path: Path) -> None:
    roots = [
        copy_inputs(tmp_path / "a"),
        copy_inputs(tmp_path / "第二份 copy" / "deeper path" / "b"),
    ]
    runs = []
    for root, env, cwd in zip(roots, ENVIRONMENTS, (roots[0], tmp_path), strict=True):
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "SOURCE_DATE"))}
        runs.append(
            subprocess.Popen(
                [sys.executable, "-m", "bulletin", "build", "--root", str(root), "--quiet"],
                cwd=cwd,
                env={**clean, **env},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    for run in runs:
        _, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
    first, second = (tree_digest(root / "site") for root in roots)
    assert len(first) > 30
    kinds = {Path(p).suffix for p in first}
    assert {".html", ".css", ".svg", ".pdf", ".png", ".csv", ".js", ".pf_meta"} <= kinds
    assert any(re.match(r"pagefind/[^/]+/fragment/", p) for p in first)
    assert any(re.match(r"pagefind/[^/]+/index/", p) for p in first)
    differ = sorted(p for p in first.keys() | second.keys() if first.get(p) != second.get(p))
    assert not differ, f"differ between the two builds: {differ}"

    # No file says where it was built.
    for root in roots:
        needles = {str(root).encode(), str(root.resolve()).encode(), str(tmp_path).encode()}
        for path in sorted((root / "site").rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                assert not any(n in data for n in needles), path
