"""One build: load → compute → render → write, in that order (see DESIGN.md).

All data work is finished before anything is written; a failed build leaves the previous
output exactly as it was.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .content import Site, load_site
from .errors import BulletinError, ConfigError, Finding


@dataclass
class BuildResult:
    out: Path
    editions: int
    files: int
    seconds: float
    findings: list[Finding] = field(default_factory=list)


def compute_tables(site: Site, *, strict: bool = False) -> dict[str, Mapping[str, Any]]:
    """Every edition's tables, computed in edition order (rank change needs the previous)."""
    result: dict[str, Mapping[str, Any]] = {}
    previous: Mapping[str, Any] | None = None
    for edition in site.editions:
        folder = site.data_dir / edition.id
        tables: Mapping[str, Any] = {}
        if folder.is_dir():
            from .tables import load_tables  # pandas loads only for sites with tables

            tables = load_tables(folder, previous=previous, strict=strict, root=site.root)
        result[edition.id] = tables
        previous = tables
    return result


def build(
    root: Path,
    *,
    out: Path | None = None,
    drafts: bool = False,
    strict: bool = False,
) -> BuildResult:
    from .output import write_site
    from .render import render_site

    started = time.perf_counter()
    site = load_site(root, drafts=drafts)
    if not site.editions:
        raise ConfigError(
            "no published edition to build",
            file="content",
            hint='set status = "published" in an edition.toml, or build with --drafts',
        )
    tables = compute_tables(site, strict=strict)
    output = render_site(site, tables)
    findings = [f for t in tables.values() for table in t.values() for f in table.findings]
    findings += output.findings
    if strict and findings:
        raise BulletinError(
            f"{len(findings)} warning(s), and --strict makes them errors:\n"
            + "\n".join(str(f) for f in findings)
        )
    target = out if out is not None else site.root / site.config.output
    write_site(output.files, target)
    return BuildResult(
        out=target,
        editions=len(site.editions),
        files=len(output.files),
        seconds=time.perf_counter() - started,
        findings=findings,
    )
