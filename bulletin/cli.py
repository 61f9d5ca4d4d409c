"""The command line: a thin click layer over the stages. Heavy libraries load only on use."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from bulletin import __version__
from bulletin.diagnostics import i18n
from bulletin.diagnostics.errors import Message, msg

LANGUAGES = click.Choice(i18n.LANGUAGES)
F = TypeVar("F", bound=Callable[..., Any])


def _set_language(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        i18n.set_language(value)


def _project_language(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    i18n.from_project(value)  # bulletin.toml's `messages`, unless --lang/BULLETIN_LANG chose
    return value


def ROOT(command: F) -> F:
    """--root (the project folder), and --lang, which may also follow the command's name."""
    command = click.option(
        "--root",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        callback=_project_language,
        help="The project folder (holds bulletin.toml).",
    )(command)
    return click.option(
        "--lang",
        type=LANGUAGES,
        expose_value=False,
        is_eager=True,
        callback=_set_language,
        help="Language of the messages: zh (default) or en.",
    )(command)


class Stopped(click.ClickException):
    """A BulletinError as click shows it: "Error: …" ("错误：…"), exit code 1."""

    def __init__(self, error: Any) -> None:
        self.error = error
        super().__init__(str(error))

    def show(self, file: Any = None) -> None:
        click.echo(self.error.format_message(), file=file, err=file is None)


class Bulletin(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        from bulletin.diagnostics.errors import BulletinError

        try:
            return super().invoke(ctx)
        except BulletinError as error:
            raise Stopped(error) from None

    def main(self, *args: object, **kwargs: object) -> object:
        """Each run decides the messages' language afresh (CliRunner runs several in one)."""
        token = i18n.set_language(None)
        try:
            return super().main(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            i18n.reset(token)


@click.group(cls=Bulletin, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bulletin")
@click.option(
    "--lang",
    type=LANGUAGES,
    envvar="BULLETIN_LANG",
    expose_value=False,
    is_eager=True,
    callback=_set_language,
    help="Language of the messages editors read: zh (default) or en. Also the environment "
    'variable BULLETIN_LANG, or messages = "en" in bulletin.toml.',
)
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
    from bulletin.build import build as run_build
    from bulletin.diagnostics.report import Reporter

    started = time.perf_counter()

    def progress(message: Message) -> None:
        click.echo(f"[{time.perf_counter() - started:5.1f}s] {message.show()}", err=True)

    result = run_build(
        root,
        out=out,
        drafts=drafts,
        strict=strict,
        cache=not no_cache,
        pdf=not no_pdf,
        report=None if quiet or not sys.stderr.isatty() else progress,
    )
    said = [f for f in result.findings if not (quiet and f.severity == "info")]
    Reporter(show=lambda text: click.echo(text, err=True)).report_all(said)
    if not quiet:
        e, f, out, s = result.editions, result.files, str(result.out), result.seconds
        w, r = sum(f.severity == "warning" for f in result.findings), result.reused
        if r and w:
            built = msg(
                "cli.built_reused_warnings",
                editions=e, files=f, out=out, seconds=s, reused=r, warnings=w,
            )  # fmt: skip
        elif r:
            built = msg("cli.built_reused", editions=e, files=f, out=out, seconds=s, reused=r)
        elif w:
            built = msg("cli.built_warnings", editions=e, files=f, out=out, seconds=s, warnings=w)
        else:
            built = msg("cli.built", editions=e, files=f, out=out, seconds=s)
        click.echo(built.show())


# -- the editor's workflow: new, check, serve, import ------------------------------------------


def _report_created(created: object) -> None:
    for name in getattr(created, "files", []):
        click.echo(msg("cli.created", name=str(name)).show())
    for note in getattr(created, "notes", []):
        click.echo(msg("cli.note", note=note).show(), err=True)


@main.group()
def new() -> None:
    """Start the next edition, add an article to one, or record a correction (勘误)."""


def _date(what: str) -> Callable[[F], F]:
    """--date YYYY-MM-DD, given to the command as a date (None: not given)."""
    return click.option(
        "--date",
        "day",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        callback=lambda ctx, param, value: value.date() if value is not None else None,
        help=f"{what}, YYYY-MM-DD (default: today).",
    )


@new.command("edition")
@ROOT
@_date("The edition's date")
def new_edition(root: Path, day: dt.date | None) -> None:
    """Create content/YYYY-NN/: the next 第N期 (总第N期), a draft with an example article."""
    from bulletin.commands.new import new_edition as make

    created = make(root, day)
    _report_created(created)
    click.echo(msg("cli.next", shown=str(created.shown)).show())


@new.command("article")
@click.argument("title")
@ROOT
@click.option("--edition", default=None, help="Edition id such as 2021-14 (default: the newest).")
@click.option("--slug", default=None, help="File name without .md (letters, digits, - and _).")
@click.option("--page", default=1, show_default=True, type=click.IntRange(min=1), help="版 (page).")
def new_article(title: str, root: Path, edition: str | None, slug: str | None, page: int) -> None:
    """Add an article titled TITLE to the newest edition (or --edition)."""
    from bulletin.commands.new import new_article as make

    _report_created(make(root, title, edition=edition, slug=slug, page=page))


@new.command("correction")
@click.argument("text")
@ROOT
@click.option("--edition", required=True, help="The published edition's id, such as 2021-12.")
@_date("The correction's date")
def new_correction(text: str, root: Path, edition: str, day: dt.date | None) -> None:
    """Record a correction (勘误) TEXT of a published edition in its edition.toml."""
    from bulletin.commands.new import add_correction

    when = day or dt.date.today()
    made = add_correction(root, edition, text, when)
    done = msg("cli.correction_recorded", edition=edition, date=str(when), file=made.shown)
    click.echo(done.show())


@main.command()
@ROOT
@click.option("--strict", is_flag=True, help="Count warnings as errors (exit 1 on any).")
def check(root: Path, strict: bool) -> None:
    """Check everything (config, articles, tables, images, links, fonts); build nothing."""
    from bulletin.commands.check import check as run_check
    from bulletin.diagnostics.report import Reporter

    report = run_check(root)
    Reporter(show=click.echo).report_all(report.diagnostics)
    click.echo(report.summary(strict).show())
    if report.failed(strict):
        raise SystemExit(1)


@main.command()
@click.argument(
    "paths", nargs=-1, type=click.Path(exists=True, path_type=Path), metavar="[PATH]..."
)
@ROOT
@click.option("--write", is_flag=True, help="Change the files (default: only show the diff).")
@click.option(
    "--include-published",
    is_flag=True,
    help="Change published (locked) editions too: each then needs a correction (勘误).",
)
def fix(paths: tuple[Path, ...], root: Path, write: bool, include_published: bool) -> None:
    """Make half-width punctuation in Chinese text full-width (，；：（）？！“”).

    Shows the changes as a diff; --write makes them. PATH: articles, edition.toml files, table
    specs (data/<id>/*.toml: the texts they print) or edition folders (default: every edition
    under content/, with its specs). Code, URLs, numbers, Latin text, a spec's names and
    formulas and the tables' data are never changed.
    """
    from bulletin.commands.fix import plan
    from bulletin.commands.fix import write as write_files
    from bulletin.diagnostics.report import Reporter

    fixes = plan(root, paths, include_published=include_published)
    if write:
        write_files(fixes.files)
        for done in fixes.files:
            click.echo(msg("fix.fixed_file", file=done.shown, marks=len(done.marks)).show())
    else:
        for done in fixes.files:
            click.echo(done.diff(), nl=False)
    for note in fixes.notes:
        click.echo(msg("cli.note", note=note).show(), err=True)
    report = Reporter(show=lambda text: click.echo(text, err=True))
    report.report_all(fixes.problems)
    files, marks = len(fixes.files), fixes.marks
    if not files:
        summary = msg("fix.only_published") if fixes.skipped else msg("fix.clean")
    elif write:
        summary = msg("fix.changed", files=files, marks=marks)
    else:
        summary = msg("fix.would_change", files=files, marks=marks)
    click.echo(summary.show(), err=True)
    if report.failed():
        raise SystemExit(1)


@main.command()
@ROOT
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0: pick a free one).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to serve on; any other than 127.0.0.1 needs the access token printed.",
)
@click.option("--pdf", is_flag=True, help="Also typeset the PDFs (slower rebuilds).")
@click.option("--search", is_flag=True, help="Also build the search index (slower rebuilds).")
@click.option("--no-drafts", is_flag=True, help='Leave out editions with status = "draft".')
def serve(root: Path, port: int, host: str, pdf: bool, search: bool, no_drafts: bool) -> None:
    """Preview the site at http://127.0.0.1:8000/, rebuilt and reloaded on every change."""
    from bulletin.commands.serve import serve as run_serve

    run_serve(root, port=port, host=host, drafts=not no_drafts, pdf=pdf, search=search)


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@ROOT
@click.option("--edition", default=None, help="Edition id such as 2021-14 (default: the newest).")
@click.option("--slug", default=None, help="Name of the article or table (letters, digits, -, _).")
@click.option("--page", default=1, show_default=True, type=click.IntRange(min=1), help="版 (page).")
def import_(file: Path, root: Path, edition: str | None, slug: str | None, page: int) -> None:
    """Import a Word document (.docx → article) or a table (.xlsx or .csv → table spec)."""
    from bulletin.commands.importers import import_file

    _report_created(import_file(file, root, edition=edition, slug=slug, page=page))


SITE = click.option(
    "--site",
    "site_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The built site (default: the output folder of bulletin.toml, usually site/).",
)
EXTERNAL = click.option(
    "--allow-external-links",
    is_flag=True,
    help="Let article links (<a href>) point outside the site; assets never may.",
)


@main.command()
@click.argument("dest", required=False)
@ROOT
@SITE
@click.option("--keep", type=click.IntRange(min=1), help="Releases to keep.  [default: 5]")
@click.option("--rollback", is_flag=True, help="Go back to the release before the live one.")
@click.option(
    "-e",
    "--ssh",
    metavar="COMMAND",
    help='The ssh command for user@host:/path, e.g. "ssh -p 2222 -i ~/.ssh/bulletin".',
)
@click.option(
    "--ssh-option",
    multiple=True,
    metavar="OPTION",
    help="An ssh -o option, e.g. Port=2222 or IdentityFile=~/.ssh/bulletin (repeatable).",
)
@click.option(
    "--bwlimit", type=click.IntRange(min=1), metavar="KBPS", help="Upload speed cap (over SSH)."
)
@click.option(
    "--verify-url",
    metavar="URL",
    help="Where readers see the site, e.g. http://intranet/bulletin/: crawled after switching.",
)
@click.option(
    "--allow-external-links/--no-allow-external-links",
    default=None,
    help="Let article links (<a href>) point outside the site; assets never may.",
)
@click.option(
    "--wait",
    type=click.IntRange(min=0),
    metavar="SECONDS",
    help="How long to wait while another publish to DEST is under way (0: give up at once)."
    "  [default: 300]",
)
@click.option(
    "--unlock",
    is_flag=True,
    help="Remove the lock of a publish to DEST that ended without removing it, and stop.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
def publish(
    dest: str | None,
    root: Path,
    site_dir: Path | None,
    keep: int | None,
    rollback: bool,
    ssh: str | None,
    ssh_option: tuple[str, ...],
    bwlimit: int | None,
    verify_url: str | None,
    allow_external_links: bool | None,
    wait: int | None,
    unlock: bool,
    quiet: bool,
) -> None:
    """Put the built site on the web host: DEST is a folder or user@host:/path (over SSH);
    without DEST, `dest` of [publish] in bulletin.toml (which may hold the options too).

    The site goes into DEST/releases/<time>-<hash>/ and the symlink DEST/current is switched
    to it in one step: serve DEST/current/ (see docs/deploy/nginx.conf). One publish to DEST
    at a time: another one waits (--wait) or is refused.
    """
    from bulletin.commands import publish as pub
    from bulletin.diagnostics.errors import BulletinError

    def report(message: Message) -> None:
        if not quiet:
            click.echo(message.show(), err=True)

    settings = pub.publish_settings(
        root,
        dest=dest,
        ssh=ssh,
        ssh_options=ssh_option or None,
        keep=keep,
        bwlimit=bwlimit,
        verify_url=verify_url,
        allow_external_links=allow_external_links,
        wait=wait,
    )
    if unlock:
        if rollback:
            raise BulletinError(msg("cli.unlock_alone"))
        owner = pub.unlock(settings.host)
        where = str(settings.host)
        done = (
            msg("cli.unlocked", dest=where, holder=owner.describe())
            if owner is not None
            else msg("cli.not_locked", dest=where)
        )
        click.echo(done.show())
        return
    if rollback:
        back = settings.rollback(report=report)
        if not quiet:
            click.echo(msg("cli.rolled_back", release=back.release, old=back.left).show())
        return
    result = settings.publish(
        site_dir if site_dir is not None else pub.default_site(root), report=report
    )
    if not quiet:
        done = (
            msg("cli.already_live", release=result.release)
            if result.unchanged
            else msg(
                "cli.published", release=result.release, files=result.files, copied=result.copied
            )
        )
        click.echo(done.show())


@main.command()
@ROOT
@SITE
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The zip file (default: <site folder>.zip beside it).",
)
@EXTERNAL
def bundle(root: Path, site_dir: Path | None, out: Path | None, allow_external_links: bool) -> None:
    """Write the built site into one zip (same site, same bytes), for hosts that take uploads."""
    from bulletin.commands.publish import bundle as make_bundle
    from bulletin.commands.publish import default_site

    site = site_dir if site_dir is not None else default_site(root)
    target = out if out is not None else site.absolute().with_suffix(".zip")
    count = make_bundle(site, target, allow_external_links=allow_external_links)
    click.echo(msg("cli.wrote", target=str(target), files=count).show())


def run() -> None:
    """The console script: `main`, then exit at once. Tearing the interpreter down (freeing
    every object of a large site, and Typst's caches) took a third of a second."""
    try:
        main(prog_name="bulletin")
        code = 0
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            code = e.code or 0
        else:
            print(e.code, file=sys.stderr)
            code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
