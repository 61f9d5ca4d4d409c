"""The command line: a thin click layer over the stages. Heavy libraries load only on use."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from . import __version__

ROOT = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The project folder (holds bulletin.toml).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bulletin")
def main() -> None:
    """bulletin: build a bulletin (简报) site and its print edition from Markdown and tables."""


@main.command()
@ROOT
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: 'output' in bulletin.toml, usually site/).",
)
@click.option("--drafts", is_flag=True, help='Include editions with status = "draft".')
@click.option(
    "--strict",
    is_flag=True,
    help="Treat warnings (cross-check findings, unsafe Markdown) as errors.",
)
@click.option("--no-pdf", is_flag=True, help="Skip the print PDFs (a quick preview).")
@click.option("--no-cache", is_flag=True, help="Render every edition again (ignore .cache/).")
@click.option("-q", "--quiet", is_flag=True, help="Print only warnings and errors (for CI).")
def build(
    root: Path,
    out: Path | None,
    drafts: bool,
    strict: bool,
    no_pdf: bool,
    no_cache: bool,
    quiet: bool,
) -> None:
    """Build the site into site/ (replaced in one step, only when everything succeeded)."""
    from .builder import build as run_build

    started = time.perf_counter()

    def progress(message: str) -> None:
        click.echo(f"[{time.perf_counter() - started:5.1f}s] {message}", err=True)

    result = run_build(
        root,
        out=out,
        drafts=drafts,
        strict=strict,
        cache=not no_cache,
        pdf=not no_pdf,
        report=None if quiet or not sys.stderr.isatty() else progress,
    )
    for finding in result.findings:
        click.echo(str(finding), err=True)
    if not quiet:
        click.echo(
            f"Built {result.editions} edition(s), {result.files} files into {result.out} "
            f"in {result.seconds:.2f} s"
            + (f" ({result.reused} unchanged)" if result.reused else "")
            + (f", {len(result.findings)} warning(s)" if result.findings else "")
        )
