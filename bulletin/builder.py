"""One build: load → compute → render → write, in that order (see DESIGN.md).

All data work is finished before anything is written; a failed build leaves the previous
output exactly as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
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
    reused: int = 0  # editions taken from the cache


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


def print_editions(
    site: Site,
    tables: Mapping[str, Mapping[str, Any]],
    charts: Mapping[str, Any],
    keys: Mapping[str, str],
) -> dict[str, bytes]:
    """Each edition's PDF and its page-1 thumbnail; unchanged ones come from the cache."""
    from .cache import RenderCache
    from .pdf import build_pdf, check_fonts, thumbnail_png

    check_fonts(site.config)
    cache = RenderCache(site.root / ".cache" / "bulletin" / "pdf") if keys else None
    files: dict[str, bytes] = {}
    for edition in site.editions:
        key = keys.get(edition.id)
        hit = cache.load(edition.id, key) if cache and key else None
        if hit is None:
            data = build_pdf(
                site,
                edition,
                tables.get(edition.id, {}),
                root=site.root,
                charts=charts.get(edition.id, {}),
            )
            base = f"editions/{edition.id}"
            hit = (
                {f"{base}/{edition.id}.pdf": data, f"{base}/page-1.png": thumbnail_png(data)},
                [],
            )
            if cache and key:
                cache.store(edition.id, key, *hit)
        files.update(hit[0])
    return files


def build(
    root: Path,
    *,
    out: Path | None = None,
    drafts: bool = False,
    strict: bool = False,
    cache: bool = True,
    pdf: bool = True,
    report: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the site. `report` receives a line per stage (the CLI's progress display)."""
    from . import lock
    from .cache import RenderCache
    from .output import write_site
    from .render import render_site

    say = report or (lambda message: None)
    started = time.perf_counter()
    site = load_site(root, drafts=drafts)
    if not site.editions:
        raise ConfigError(
            "no published edition to build",
            file="content",
            hint='set status = "published" in an edition.toml, or build with --drafts',
        )
    new_lock = lock.check(site)
    say(f"computing tables of {len(site.editions)} edition(s)")
    tables = compute_tables(site, strict=strict)
    from .charts import compute_charts  # matplotlib loads when the first chart is drawn

    charts = compute_charts(site, tables)
    say("rendering pages")
    render_cache = RenderCache(site.root / ".cache" / "bulletin" / "pages") if cache else None
    output = render_site(site, tables, cache=render_cache, charts=charts, pdf=pdf)
    if output.reused:
        say(f"{len(output.reused)} unchanged edition(s) taken from the cache")
    if pdf:
        say(f"typesetting {len(site.editions)} PDF(s)")
        output.files.update(print_editions(site, tables, charts, output.keys))
    findings = [f for t in tables.values() for table in t.values() for f in table.findings]
    findings += output.findings
    say("indexing for search")
    from .search import index_site

    index_files, index_findings = index_site(site, output.files)
    output.files.update(index_files)
    findings += index_findings
    if strict and findings:
        raise BulletinError(
            f"{len(findings)} warning(s), and --strict makes them errors:\n"
            + "\n".join(str(f) for f in findings)
        )
    target = out if out is not None else site.root / site.config.output
    say(f"writing {len(output.files)} files")
    write_site(output.files, target)
    if new_lock is not None:
        lock.write_lock(site.root, new_lock)
        say(f"updated {lock.LOCK}")
    return BuildResult(
        out=target,
        editions=len(site.editions),
        files=len(output.files),
        seconds=time.perf_counter() - started,
        findings=findings,
        reused=len(output.reused),
    )
