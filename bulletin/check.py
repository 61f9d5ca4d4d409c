"""`bulletin check`: find every problem the build would meet, without building or writing.

It runs the build's own loaders and rules one file at a time, so one broken file does not
hide the problems of the others: bulletin.toml, each edition.toml, each article's front
matter, the table specs and their data (with cross-checks), the Markdown of every article
(parsed with the real parser and Context: directives, raw HTML, unsafe links, images, cited
values), links between pages, the lock of published editions, fonts, and headline lengths.

Each problem is a Diagnostic (its hint: the fix) and prints as ``file:line: level: message``
followed by a one-line fix (`shown`). The texts are in bulletin/messages/check.toml.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote

from . import i18n
from .config import SiteConfig, check_slug, load_edition_config, load_site_config, toml_line
from .errors import (
    BulletinError,
    ConfigError,
    ContentError,
    DataError,
    Diagnostic,
    Message,
    Severity,
    msg,
    suggest,
)

TITLE_MAX = 24  # characters of a headline (主题) before it is too long for a column
KICKER_MAX = 40  # characters of a kicker (引题)
SUBTITLE_MAX = 40  # characters of a subtitle (副题)

_WHAT = {
    "title": msg("check.what_title"),
    "kicker": msg("check.what_kicker"),
    "subtitle": msg("check.what_subtitle"),
}
_LIMITS = {"title": TITLE_MAX, "kicker": KICKER_MAX, "subtitle": SUBTITLE_MAX}
_T = TypeVar("_T")


def issue(
    severity: Severity,
    message: Message,
    file: str | None,
    line: int | None,
    fix: Message,
    field: str | None = None,
) -> Diagnostic:
    """A problem check found: a Diagnostic whose hint is the fix."""
    return Diagnostic(message, file, line, field, severity, fix)


def shown(found: Diagnostic, lang: str | None = None) -> str:
    """A problem as `bulletin check` prints it, in `lang` (default: the current language):
    "file:line: level: message" and "  → fix: …" below it."""
    lang = lang or i18n.language()
    with i18n.using(lang):
        where = f"{found.file}:{found.line}" if found.file and found.line else (found.file or "")
        head = (f"{where}: " if where else "") + i18n.level(found.severity)
        text = head + found.message.show(lang)
        if found.hint is not None:
            text += "\n" + msg("check.fix_line", fix=found.hint).show(lang)
        return text


def _key(found: Diagnostic) -> tuple[Any, ...]:
    """What makes two problems the same one (the same text at the same place)."""
    hint = str(found.hint) if found.hint is not None else None
    return (found.severity, str(found.message), found.file, found.line, hint)


@dataclass
class Report:
    issues: list[Diagnostic]

    @property
    def errors(self) -> list[Diagnostic]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [i for i in self.issues if i.severity == "warning"]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))

    def summary(self, strict: bool = False) -> Message:
        if not self.issues:
            return msg("check.summary_clean")
        errors, warnings = len(self.errors), len(self.warnings)
        if strict and self.warnings:
            return msg("check.summary_strict", errors=errors, warnings=warnings)
        return msg("check.summary", errors=errors, warnings=warnings)


def headline_notes(**fields: str | None) -> list[Message]:
    """Warnings for over-long headline fields (used by `new article` and the importers)."""
    notes = []
    for key, value in fields.items():
        if value and len(value) > _LIMITS[key]:
            notes.append(msg("check.long", what=_WHAT[key], n=len(value), limit=_LIMITS[key]))
    return notes


def _default_fix(exc: BulletinError) -> Message:
    if isinstance(exc, ConfigError):
        return msg("check.fix_config")
    if isinstance(exc, ContentError):
        return msg("check.fix_content")
    if isinstance(exc, DataError):
        return msg("check.fix_data")
    return msg("check.fix_other")


def _named(message: Message, field: str | None) -> Message:
    """pydantic's own text does not name the field (it starts with a capital): name it."""
    if field and str(message)[:1].isupper():
        return msg("check.field", field=field, message=message)
    return message


def issues_from(exc: BulletinError) -> list[Diagnostic]:
    """An error as problems: the error itself, and each further problem found with it
    (`exc.more`), with the error's hint (or a fix by its kind) as the fix."""
    d = exc.diagnostic
    fix = d.hint or _default_fix(exc)
    result = [issue("error", _named(d.message, d.field), d.file, d.line, fix, d.field)]
    for more in exc.more:
        result.append(_further(more, _default_fix(exc)))
    return result


def _further(d: Diagnostic, fix: Message) -> Diagnostic:
    """A further problem found with an error (config's validation errors), with its hint
    or `fix` as the fix. A wrong value's "(got …)" is its fix when the value has no
    parentheses, as when these problems were lines of the error's text (kept so that
    check prints what it printed)."""
    if d.hint is None and d.message.id == "config.bad_value":
        params = dict(d.message.params)
        got = str(params["value"])
        if "(" not in got and ")" not in got:
            fix = msg("config.got", value=got)
            return issue("error", params["why"], d.file, d.line or None, fix, d.field)
    return issue("error", d.message, d.file, d.line or None, d.hint or fix, d.field)


class Checker:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.issues: list[Diagnostic] = []
        self.drawn: Mapping[str, Any] = {}  # the charts, by edition

    # -- collecting ---------------------------------------------------------------------------

    def guard(self, fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T | None:
        """Run one stage function; a BulletinError becomes issues instead of stopping."""
        try:
            return fn(*args, **kwargs)
        except BulletinError as exc:
            self.issues.extend(issues_from(exc))
            return None

    def warn(self, finding: Diagnostic, fix: Message) -> None:
        self.issues.append(replace(finding, severity="warning", hint=fix))

    def error(self, message: Message, file: str | None, line: int | None, fix: Message) -> None:
        self.issues.append(issue("error", message, file, line, fix))

    def report(self) -> Report:
        first: dict[tuple[Any, ...], Diagnostic] = {}
        for found in self.issues:
            first.setdefault(_key(found), found)
        unique = list(first.values())
        unique.sort(key=lambda i: i.file or "")  # by file; in the order found within one
        return Report(unique)

    # -- the run ------------------------------------------------------------------------------

    def run(self) -> Report:
        from .content import Edition, Site, check_numbers

        config = self.guard(load_site_config, self.root)
        content = self.root / "content"
        if not content.is_dir():
            self.error(msg("check.no_content"), "content", None, msg("check.no_content_fix"))
            return self.report()
        folders = sorted(p for p in content.iterdir() if p.is_dir() and not p.name.startswith("."))
        loaded = [self.edition(folder) for folder in folders]
        editions: list[Edition] = [e for e in loaded if isinstance(e, Edition)]
        editions.sort(key=lambda e: (e.config.date, e.config.number, e.id))
        self.guard(check_numbers, editions)
        site = Site(self.root, config or _stand_in_config(), editions)
        # editions whose edition.toml failed still have articles and tables to check
        order = [e.id for e in editions] + [
            f.name for f in folders if f.name not in {e.id for e in editions}
        ]
        self.orphan_data({f.name for f in folders})
        tables = self.tables(order)
        charts = self.charts(site, tables)
        for folder, item in zip(folders, loaded, strict=True):
            articles = item.articles if isinstance(item, Edition) else item
            for article in articles:
                self.article(
                    article,
                    folder.name,
                    tables.get(folder.name, {}),
                    charts.get(folder.name, ()),
                    editions,
                )
        for edition in editions:
            self.page_tables(edition, tables.get(edition.id, {}))
        from . import lock

        self.guard(lock.check, site)
        if config is not None:
            self.fonts(config, any(charts.values()))
            self.print_fit(site, tables)
        return self.report()

    def edition(self, folder: Path) -> Any:
        """The loaded Edition, or else the list of its articles that did load."""
        from .content import load_article, load_edition

        shown_dir = folder.relative_to(self.root).as_posix()
        self.guard(check_slug, folder.name, shown_dir, "edition folder")
        toml = folder / "edition.toml"
        config = None
        if not toml.exists():
            self.error(
                msg("check.no_edition_toml"),
                f"{shown_dir}/edition.toml",
                None,
                msg("check.no_edition_toml_fix"),
            )
        else:
            config = self.guard(load_edition_config, toml, f"{shown_dir}/edition.toml")
        articles = [self.guard(load_article, self.root, p) for p in sorted(folder.glob("*.md"))]
        good = [a for a in articles if a is not None]
        if config is None or len(good) < len(articles):
            return good
        edition = self.guard(load_edition, self.root, folder)  # pages, articles lists, placement
        return edition if edition is not None else good

    def orphan_data(self, editions: set[str]) -> None:
        data = self.root / "data"
        if not data.is_dir():
            return
        for folder in sorted(data.iterdir()):
            if folder.is_dir() and not folder.name.startswith(".") and folder.name not in editions:
                self.issues.append(
                    issue(
                        "warning",
                        msg("check.orphan_data", id=folder.name),
                        f"data/{folder.name}",
                        None,
                        msg("check.orphan_data_fix"),
                    )
                )

    def tables(self, order: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Each edition's specs: computed tables, or None for a spec that failed."""
        result: dict[str, dict[str, Any]] = {}
        previous: Mapping[str, Any] = {}
        for eid in order:
            folder = self.root / "data" / eid
            specs = sorted(folder.glob("*.toml")) if folder.is_dir() else []
            own: dict[str, Any] = {}
            if specs:
                from .tables import load_table

                for spec in specs:
                    table = self.guard(
                        load_table, spec, previous=previous.get(spec.stem), root=self.root
                    )
                    own[spec.stem] = table
                    for finding in table.findings if table is not None else ():
                        self.warn(finding, msg("check.fix_crosscheck"))
            result[eid] = own
            previous = {k: v for k, v in own.items() if v is not None}
        return result

    def charts(self, site: Any, tables: Mapping[str, Mapping[str, Any]]) -> dict[str, list[str]]:
        """Chart names per edition (from the specs), after drawing-free checks of them all."""
        from .tablespec import load_spec

        names: dict[str, list[str]] = {}
        for eid, own in tables.items():
            names[eid] = []
            for stem, table in own.items():
                spec = table.spec if table is not None else None
                if spec is None:
                    path = self.root / "data" / eid / f"{stem}.toml"
                    try:
                        spec = load_spec(path, f"data/{eid}/{stem}.toml")
                    except BulletinError:
                        continue  # already reported by load_table
                names[eid] += [c.name for c in spec.spec.charts]
        computed = {
            e.id: {k: v for k, v in tables.get(e.id, {}).items() if v is not None}
            for e in site.editions
        }
        if any(names.values()):
            from .charts import compute_charts

            self.drawn = self.guard(compute_charts, site, computed) or {}
        return names

    def page_tables(self, edition: Any, tables: Mapping[str, Any]) -> None:
        text = (edition.path / "edition.toml").read_text(encoding="utf-8")
        for page in edition.pages:
            for name in page.config.tables:
                if name not in tables:
                    line = toml_line(text, ("pages", page.number - 1, "tables"))
                    near = suggest(name, list(tables))
                    fix = (
                        msg("check.link_fix_near", good=near)
                        if near
                        else msg("check.no_table_fix", names=", ".join(tables))
                        if tables
                        else msg("check.no_table_none")
                    )
                    self.error(
                        msg("check.no_table", page=page.number, name=name, id=edition.id),
                        f"{edition.shown}/edition.toml",
                        line,
                        fix,
                    )

    def print_fit(self, site: Any, tables: Mapping[str, Mapping[str, Any]]) -> None:
        """Whether every 版 fits its sheet in the print edition (laid out as the build lays it
        out, not typeset). Only for a project without errors: the makeup needs all of it."""
        if any(i.severity == "error" for i in self.issues):
            return
        from .pdf import print_findings

        for edition in site.editions:
            own = {k: v for k, v in tables.get(edition.id, {}).items() if v is not None}
            found = self.guard(print_findings, site, edition, own, self.drawn.get(edition.id))
            for finding in found or ():
                self.warn(finding, msg("check.fix_print"))

    def fonts(self, config: SiteConfig, charts: bool) -> None:
        from .pdf import check_fonts

        self.guard(check_fonts, config)
        if charts:
            from .charts import find_font

            self.guard(find_font, config.fonts.sans)

    # -- one article ----------------------------------------------------------------------------

    def article(
        self,
        article: Any,
        eid: str,
        tables: Mapping[str, Any],
        charts: Sequence[str],
        editions: Sequence[Any],
    ) -> None:
        from .markdown import Context, make_parser

        self.headlines(article)
        ctx = Context(
            file=article.shown,
            first_line=article.body_line,
            tables=sorted(tables),
            charts=sorted(charts),
        )
        tokens = self.guard(make_parser().parse, article.body, {"ctx": ctx})
        for finding in ctx.findings:
            html = "HTML" in str(finding.message)
            fix = msg("check.fix_raw_html") if html else msg("check.fix_link")
            self.warn(finding, fix)
        if tokens is None:
            return
        self.images(article, ctx.images)
        source = article.body.splitlines()
        inline = [(b, t) for b in tokens if b.type == "inline" for t in b.children or []]
        for block, tok in inline:
            if tok.type == "myst_role" and "cite" in tok.meta:
                line = _line_of(source, block, f"`{tok.content}`", article.body_line)
                self.cite(article, tok, tables, line)
            elif tok.type == "link_open" and not tok.meta.get("dropped"):
                href = str(tok.attrGet("href") or "")
                line = _line_of(source, block, f"]({href}", article.body_line)
                self.link(article, href, line, eid, editions)

    def headlines(self, article: Any) -> None:
        meta = article.meta
        for key, limit in _LIMITS.items():
            value = getattr(meta, key)
            if value and len(value) > limit:
                what = _WHAT[key]
                self.issues.append(
                    issue(
                        "warning",
                        msg("check.long", what=what, n=len(value), limit=limit),
                        article.shown,
                        _front_matter_line(article.path, key),
                        msg("check.long_fix", what=what, limit=limit),
                    )
                )

    def images(self, article: Any, images: Sequence[tuple[str, int]]) -> None:
        from .images import ImageStore

        store = ImageStore(article.path.parent, self.root)
        for src, line in images:
            path = self.guard(store.locate, src, article.path, article.shown, line)
            if path is None:
                continue
            from PIL import Image, UnidentifiedImageError

            try:
                with Image.open(path) as probe:
                    probe.verify()
            except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
                self.error(
                    msg("check.image_unreadable", src=src, reason=str(exc)),
                    article.shown,
                    line,
                    msg("check.image_fix"),
                )

    def cite(self, article: Any, tok: Any, tables: Mapping[str, Any], line: int | None) -> None:
        table_name, row, column = tok.meta["cite"]
        table = tables.get(table_name)
        if table is None:
            return  # the table itself failed, and that is reported
        try:
            table.cite(row, column)
        except KeyError as exc:
            reason = exc.args[0] if exc.args else str(exc)  # (tableview's NotInTable: a Message)
            self.error(
                msg("check.cite", content=tok.content, reason=reason),
                article.shown,
                line,
                msg("check.fix_content"),
            )

    def link(
        self, article: Any, href: str, line: int | None, eid: str, editions: Sequence[Any]
    ) -> None:
        from .markdown import SCHEME

        if not href or href.startswith("#") or SCHEME.match(href) or href.startswith("//"):
            return
        path = unquote(re.split(r"[#?]", href, maxsplit=1)[0])
        if not path:
            return
        here = f"editions/{eid}"
        if path.startswith("/"):
            self.error(
                msg("check.link_absolute", href=href),
                article.shown,
                line,
                msg("check.link_fix_relative", example=f"{eid}/"),
            )
            return
        target = posixpath.normpath(posixpath.join(here, path))
        if target.startswith(".."):
            self.error(
                msg("check.link_outside", href=href),
                article.shown,
                line,
                msg("check.link_fix_other"),
            )
            return
        published = next((e.published for e in editions if e.id == eid), False)
        every = _site_paths(self.root, editions, drafts=True)
        pages = _site_paths(self.root, editions, drafts=not published)
        if target in every and target not in pages:
            self.error(
                msg("check.link_draft", href=href, id=target.split("/")[1]),
                article.shown,
                line,
                msg("check.fix_link"),
            )
            return
        if target in pages or f"{target}/index.html" in pages:
            return
        if target.endswith(".md") and target[:-3] + ".html" in pages:
            good = posixpath.relpath(target[:-3] + ".html", here)
            fix = msg("check.link_fix_html", good=good)
        else:
            folder, name = posixpath.split(target)
            stems = {
                posixpath.splitext(posixpath.basename(p))[0]: p
                for p in pages
                if posixpath.dirname(p) == folder
            }
            near = suggest(posixpath.splitext(name)[0], list(stems))
            fix = (
                msg("check.link_fix_near", good=posixpath.relpath(stems[near], here))
                if near
                else msg("check.link_fix_other")
            )
        self.error(msg("check.link_missing", href=href, target=target), article.shown, line, fix)


def _stand_in_config() -> SiteConfig:
    """Defaults (fonts) for the checks that need a config when bulletin.toml is broken."""
    return SiteConfig.model_construct(name="?", publisher="?")


def _site_paths(root: Path, editions: Sequence[Any], *, drafts: bool) -> set[str]:
    """The pages and files a build will have, as far as links between pages are concerned."""
    paths = {
        "index.html",
        "archive/index.html",
        "search/index.html",
        "404.html",
        "feed.xml",
        "sitemap.xml",
        "static/bulletin.css",
    }
    for edition in editions:
        if not (edition.published or drafts):
            continue
        base = f"editions/{edition.id}"
        paths |= {f"{base}/index.html", f"{base}/{edition.id}.pdf", f"{base}/page-1.png"}
        paths |= {f"{base}/{a.slug}.html" for a in edition.articles}
        data = root / "data" / edition.id
        paths |= {f"{base}/{p.stem}.csv" for p in data.glob("*.toml")} if data.is_dir() else set()
    return paths


def _line_of(source: list[str], block: Any, needle: str, first_line: int) -> int | None:
    """The file line of `needle` inside a paragraph (tokens know only the paragraph's start)."""
    if not block.map:
        return None
    start, end = block.map
    for i in range(start, min(end, len(source))):
        if needle in source[i]:
            return first_line + i
    return first_line + start


def _front_matter_line(path: Path, key: str) -> int | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, text in enumerate(lines[1:], start=2):
        if text.strip() in ("---", "..."):
            break
        if re.match(rf"^{key}\s*:", text):
            return number
    return None


def check(root: Path) -> Report:
    """Every problem found in the project at `root`; nothing is built or written."""
    return Checker(root).run()
