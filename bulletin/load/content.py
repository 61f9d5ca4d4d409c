"""The load stage: bulletin.toml, editions (content/<id>/edition.toml) and their articles."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import os
import pickle
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bulletin.diagnostics.errors import (
    BulletinError,
    ConfigError,
    Diagnostic,
    Finding,
    Message,
    msg,
    suggest,
)
from bulletin.diagnostics.reasons import os_reason
from bulletin.load.config import (
    ArticleMeta,
    EditionConfig,
    PageConfig,
    SiteConfig,
    check_slug,
    load_edition_config,
    load_site_config,
    split_front_matter,
    toml_line,
)


@dataclass
class Article:
    slug: str
    path: Path
    shown: str  # the path as messages print it (relative to the project)
    meta: ArticleMeta
    body_line: int  # line number of the body's first line in the file
    digest: str = ""  # SHA-256 of the file
    body_start: int = 0  # where the body starts in the file's text
    _body: str | None = field(default=None, repr=False, compare=False)

    @property
    def body(self) -> str:
        """The Markdown, front matter removed. Of an article taken from the InputCache (only
        its front matter is kept there), read when first asked for: only the editions being
        rendered need their bodies. The file must still be the one whose front matter was
        used; a file changed since is an error, never a page made of two versions."""
        if self._body is None:
            try:
                raw = self.path.read_bytes()
            except OSError as e:
                raise ConfigError(
                    msg("content.unreadable", why=os_reason(e)), file=self.shown
                ) from None
            if hashlib.sha256(raw).hexdigest() != self.digest:
                raise ConfigError(
                    msg("content.changed"), file=self.shown, hint=msg("content.changed_hint")
                )
            self._body = _text(raw, self.shown)[self.body_start :]
        return self._body


@dataclass
class Page:
    number: int
    config: PageConfig
    articles: list[Article] = field(default_factory=list)


@dataclass
class Edition:
    id: str
    path: Path
    shown: str
    config: EditionConfig
    pages: list[Page]
    hashes: dict[str, str] | None = field(default=None, repr=False, compare=False)  # lock.py

    @property
    def articles(self) -> list[Article]:
        return [a for p in self.pages for a in p.articles]

    @property
    def year(self) -> int:
        return self.config.date.year

    @property
    def published(self) -> bool:
        return self.config.status == "published"


@dataclass
class Site:
    root: Path
    config: SiteConfig
    editions: list[Edition]  # oldest first
    inputs: InputCache = field(default_factory=lambda: InputCache(None), repr=False)
    # collecting (bulletin check): the articles that loaded, of edition folders that did not
    loose: list[tuple[str, Article]] = field(default_factory=list, repr=False)
    # the load stage's warnings: numbers and dates out of step (edition_order)
    findings: list[Diagnostic] = field(default_factory=list, repr=False)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"


class InputCache:
    """What the load stage found in each input file last time, trusted while the file's
    stat signature (modification time in ns, size, inode, change time) is the same — as git's
    index does. A file changed less than RACY seconds before it was recorded is not recorded
    (its time stamp could hide a second change). Kept in .cache/bulletin/inputs.pickle."""

    RACY = 2.0
    VERSION = 2

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.old: dict[str, tuple[tuple[int, ...], str, Any]] = {}
        self.new: dict[str, tuple[tuple[int, ...], str, Any]] = {}
        self.started = time.time_ns()
        if path is not None:
            try:
                with open(path, "rb") as f:
                    version, code, entries = pickle.load(f)
                if version == self.VERSION and code == _code_stamp():
                    self.old = entries
            except Exception:  # missing, damaged or from another version: read everything
                self.old = {}

    def __reduce__(self) -> tuple[Any, ...]:
        """Sent to a worker process empty: only this process reads and saves it."""
        return (InputCache, (None,))

    @staticmethod
    def signature(st: os.stat_result) -> tuple[int, ...]:
        return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)

    def get(self, path: Path) -> tuple[os.stat_result | None, tuple[str, Any] | None]:
        """(the file's stat, (its SHA-256, what was parsed from it) if unchanged); a file
        that cannot be read is never found (its reader says what is wrong)."""
        try:
            st = os.stat(path)
        except OSError:
            return None, None
        seen = self.new.get(str(path)) or self.old.get(str(path))
        if seen is not None and seen[0] == self.signature(st):
            self.new[str(path)] = seen
            return st, (seen[1], seen[2])
        return st, None

    def put(self, path: Path, st: os.stat_result | None, digest: str, parsed: Any) -> None:
        if st is not None and self.started - max(st.st_mtime_ns, st.st_ctime_ns) > self.RACY * 1e9:
            self.new[str(path)] = (self.signature(st), digest, parsed)

    def record(self, path: Path, digest: str, parsed: Any) -> None:
        """Remember a file this build has just written itself (no racy window: what it holds
        is known, not read)."""
        with contextlib.suppress(OSError):
            self.new[str(path)] = (self.signature(os.stat(path)), digest, parsed)

    def save(self) -> None:
        if self.path is None or self.new == self.old:
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            with open(tmp, "wb") as f:
                pickle.dump((self.VERSION, _code_stamp(), self.new), f, protocol=5)
            os.replace(tmp, self.path)


@functools.cache
def _code_stamp() -> str:
    """The models' source: parsed front matter of another bulletin version is not reused."""
    from bulletin.load import config

    return hashlib.sha256(Path(config.__file__).read_bytes()).hexdigest()


Collect = Callable[[BulletinError], None]
T = TypeVar("T")


def report(collect: Collect | None, error: BulletinError) -> None:
    """Hand `error` to `collect`, or (not collecting) raise it."""
    if collect is None:
        raise error
    collect(error)


def attempt(collect: Collect | None, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """`fn(*args, **kwargs)`; collecting, None after handing its error to `collect`."""
    if collect is None:
        return fn(*args, **kwargs)
    try:
        return fn(*args, **kwargs)
    except BulletinError as error:
        collect(error)
        return None


def load_site(
    root: Path, *, drafts: bool = False, cache: bool = True, collect: Collect | None = None
) -> Site:
    """Read and validate the whole site. Drafts are left out unless `drafts`. With `cache`,
    files unchanged since the last build are not parsed again (InputCache).

    With `collect` (bulletin check), an error does not stop the load: it goes to `collect`,
    and what it concerns is left out (an edition, an article), the rest loaded."""
    resolved.cache_clear()  # (folders may have become links since the last build)
    root = root.resolve()
    inputs = InputCache(root / ".cache" / "bulletin" / "inputs.pickle" if cache else None)
    config = attempt(collect, load_site_config, root)
    if config is None:  # (collecting: the checks that need settings use the defaults)
        config = SiteConfig.model_construct(name="?", publisher="?")
    site = Site(root=root, config=config, editions=[], inputs=inputs)
    content = root / "content"
    if not content.is_dir():
        report(collect, ConfigError(
            msg("content.no_content"), file="content", hint=msg("content.no_content_hint")
        ))  # fmt: skip
        return site
    loaded = []
    for folder in sorted(p for p in content.iterdir() if p.is_dir() and not p.name.startswith(".")):
        edition = (
            load_edition(root, folder, inputs)
            if collect is None
            else _load_collecting(site, folder, collect)
        )
        if edition is not None:
            loaded.append(edition)
            if edition.published or drafts:
                site.editions.append(edition)
    site.editions.sort(key=lambda e: (e.config.date, e.config.number, e.id))
    attempt(collect, check_numbers, site.editions)
    site.findings = edition_order(loaded)  # (drafts too: build and check see the same)
    return site


def _load_collecting(site: Site, folder: Path, collect: Collect) -> Edition | None:
    """One edition folder, every problem in it collected: the Edition when it loads whole;
    when only its articles do not, the Edition with no articles placed (its tables are
    computed still); None when its edition.toml does not load. The articles that loaded
    of an edition not loaded whole go to site.loose, to be checked still."""
    root, shown_dir = site.root, folder.relative_to(site.root).as_posix()
    found: list[BulletinError] = []

    def keep(error: BulletinError) -> None:
        found.append(error)
        collect(error)

    attempt(keep, check_slug, folder.name, shown_dir, "edition folder")
    config = None
    if not (folder / "edition.toml").exists():
        report(keep, _no_edition_toml(folder))
    else:
        config = attempt(keep, edition_config, root, folder, site.inputs)
    paths = sorted(folder.glob("*.md"))
    articles = [attempt(keep, load_article, root, p, site.inputs) for p in paths]
    good = [a for a in articles if a is not None]
    if config is None:
        site.loose += [(folder.name, a) for a in good]
        return None
    edition = None
    if not found:  # (else load_edition would meet the same errors again)
        edition = attempt(collect, load_edition, root, folder, site.inputs)  # pages, placement
    if edition is None:  # its pages without their articles: its tables are still computed
        site.loose += [(folder.name, a) for a in good]
        pages = [Page(number=i + 1, config=pc) for i, pc in enumerate(config.pages)]
        edition = Edition(id=folder.name, path=folder, shown=shown_dir, config=config, pages=pages)
    return edition


def _no_edition_toml(folder: Path) -> ConfigError:
    return ConfigError(
        msg("content.no_edition_toml"),
        file=f"content/{folder.name}/edition.toml",
        hint=msg("content.no_edition_toml_hint"),
    )


def edition_config(root: Path, folder: Path, inputs: InputCache) -> EditionConfig:
    """The folder's edition.toml, validated (or from the input cache, when unchanged)."""
    toml_path = folder / "edition.toml"
    shown = f"{folder.relative_to(root).as_posix()}/edition.toml"
    inside_project(root, toml_path, shown)
    st, seen = inputs.get(toml_path)
    if seen is not None:
        return seen[1]
    config = load_edition_config(toml_path, shown)  # (says what is wrong with the file)
    inputs.put(toml_path, st, hashlib.sha256(toml_path.read_bytes()).hexdigest(), config)
    return config


def load_edition(root: Path, folder: Path, inputs: InputCache | None = None) -> Edition:
    if not (folder / "edition.toml").exists():
        raise _no_edition_toml(folder)
    inputs = inputs or InputCache(None)
    shown_dir = folder.relative_to(root).as_posix()
    check_slug(folder.name, shown_dir, "edition folder")
    toml_path = folder / "edition.toml"
    shown = f"{shown_dir}/edition.toml"
    config = edition_config(root, folder, inputs)
    articles = {
        a.slug: a
        for a in (
            load_article(root, folder / name, inputs)
            for name in sorted(n for n in os.listdir(folder) if n.endswith(".md"))
        )
    }
    pages = [Page(number=i + 1, config=pc) for i, pc in enumerate(config.pages)]
    placed: set[str] = set()

    def toml_text() -> str:  # (read only when an error message needs a line number)
        return toml_path.read_text(encoding="utf-8-sig")

    for page in pages:
        for slug in page.config.articles or []:
            if slug not in articles or slug in placed:
                line = toml_line(toml_text(), ("pages", page.number - 1, "articles"))
            if slug not in articles:
                near = suggest(slug, list(articles))
                raise ConfigError(
                    msg("content.no_article", page=page.number, slug=slug),
                    file=shown,
                    line=line,
                    field=f"pages.{page.number - 1}.articles",
                    hint=msg("common.did_you_mean", name=near)
                    if near
                    else msg("content.no_article_hint"),
                )
            if slug in placed:
                raise ConfigError(
                    msg("content.listed_twice", slug=slug), file=shown, line=line, field="articles"
                )
            article = articles[slug]
            if "page" in article.meta.model_fields_set and article.meta.page != page.number:
                raise ConfigError(
                    msg("content.page_mismatch", said=article.meta.page, page=page.number),
                    file=article.shown,
                    line=2,
                    field="page",
                )
            page.articles.append(article)
            placed.add(slug)
    rest = sorted(
        (a for a in articles.values() if a.slug not in placed),
        key=lambda a: (a.meta.order if a.meta.order is not None else 10**9, a.slug),
    )
    for article in rest:
        if article.meta.page > len(pages):
            raise ConfigError(
                msg("content.no_page", page=article.meta.page, pages=len(pages)),
                file=article.shown,
                field="page",
            )
        page = pages[article.meta.page - 1]
        if page.config.articles is not None:
            raise ConfigError(
                msg("content.not_listed", slug=article.slug, page=page.number),
                file=shown,
                line=toml_line(toml_text(), ("pages", page.number - 1, "articles")),
                field=f"pages.{page.number - 1}.articles",
                hint=msg("content.not_listed_hint", slug=article.slug, file=article.shown),
            )
        page.articles.append(article)
    for page in pages:
        on_page = {a.slug for a in page.articles}
        for slug in page.config.spans:
            if slug not in on_page:
                near = suggest(slug, list(on_page))
                raise ConfigError(
                    msg("content.span_not_on_page", page=page.number, slug=slug),
                    file=shown,
                    line=toml_line(toml_text(), ("pages", page.number - 1, "spans")),
                    field=f"pages.{page.number - 1}.spans",
                    hint=msg("common.did_you_mean", name=near) if near else None,
                )
    return Edition(id=folder.name, path=folder, shown=shown_dir, config=config, pages=pages)


def load_article(root: Path, path: Path, inputs: InputCache | None = None) -> Article:
    shown = path.relative_to(root).as_posix()
    check_slug(path.stem, shown, "article file")
    inside_project(root, path, shown)
    inputs = inputs or InputCache(None)
    st, seen = inputs.get(path)
    if seen is not None:
        meta, start, body_line = seen[1]
        return Article(path.stem, path, shown, meta, body_line, seen[0], start)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ConfigError(msg("content.unreadable", why=os_reason(e)), file=shown) from None
    text = _text(raw, shown)
    meta, body, body_line = split_front_matter(text, shown)
    digest, start = hashlib.sha256(raw).hexdigest(), len(text) - len(body)
    inputs.put(path, st, digest, (meta, start, body_line))
    return Article(path.stem, path, shown, meta, body_line, digest, start, body)


def _text(raw: bytes, shown: str) -> str:
    """A Markdown file's text, its line ends made \\n."""
    try:
        return raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as e:
        raise ConfigError(
            msg("content.not_utf8", byte=e.start), file=shown, hint=msg("content.not_utf8_hint")
        ) from None


def inside_project(root: Path, path: Path, shown: str) -> None:
    """A file read from the project must be in it: never a link that leads out of it."""
    if not inside(resolved(root), path):
        raise ConfigError(msg("content.outside"), file=shown, hint=msg("content.outside_hint"))


@functools.lru_cache(maxsize=4096)
def resolved(folder: Path | str) -> str:
    return os.path.realpath(folder)


def inside(root: str | Path, path: Path | str) -> bool:
    """Whether `path` is inside `root` once links are followed. A file that is not itself a
    link is inside when its folder is (folders resolved once per build, not once per file)."""
    root = os.fspath(root)
    try:
        link = stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        link = True  # let realpath decide
    folder, name = os.path.split(os.fspath(path))
    where = os.path.realpath(path) if link else os.path.join(resolved(folder), name)
    return where == root or where.startswith(root.rstrip(os.sep) + os.sep)


def check_numbers(editions: list[Edition]) -> None:
    seen: dict[tuple[int, int], Edition] = {}
    for e in editions:
        key = (e.year, e.config.number)
        if key in seen:
            raise ConfigError(
                msg(
                    "content.number_twice",
                    number=e.config.number,
                    year=e.year,
                    other=seen[key].shown,
                ),
                file=f"{e.shown}/edition.toml",
                field="number",
            )
        seen[key] = e


def edition_order(editions: list[Edition]) -> list[Diagnostic]:
    """Warnings where the numbers and the dates do not go up together, year by year: an
    edition dated on or before the one numbered before it; a 第N期 that skips numbers after
    the one before it; a year (not the archive's first) that does not start at 第1期; a
    总第N期 (total) not one more than the edition before's. The same number twice in a year
    is an error (check_numbers)."""
    found = []
    years = sorted({e.year for e in editions})
    for year in years:
        numbered = sorted((e for e in editions if e.year == year),
                          key=lambda e: (e.config.number, e.id))
        first = numbered[0].config.number
        if year != years[0] and first > 1:
            found.append(_out_of_step(numbered[0], "number", msg(
                "content.year_starts_late", year=year, number=first,
                missing=_numbers(1, first - 1)), msg("content.number_gap_hint")))
        for before, edition in itertools.pairwise(numbered):
            was, now = before.config.number, edition.config.number
            if now == was:
                continue  # (check_numbers)
            if now > was + 1:
                found.append(_out_of_step(edition, "number", msg(
                    "content.number_skips", year=year, number=now, previous=was,
                    shown=before.shown, missing=_numbers(was + 1, now - 1)),
                    msg("content.number_gap_hint")))
            if edition.config.date <= before.config.date:
                found.append(_out_of_step(edition, "date", msg(
                    "content.date_not_after", year=year, number=now,
                    date=edition.config.date.isoformat(), previous=was, shown=before.shown,
                    previous_date=before.config.date.isoformat()), msg("content.date_hint")))
    # 总第N期 counts every edition: one more than the edition before it, when both give it
    ordered = sorted(editions, key=lambda e: (e.year, e.config.number, e.id))
    for before, edition in itertools.pairwise(ordered):
        was, now = before.config.total, edition.config.total
        if was is not None and now is not None and now != was + 1:
            found.append(_out_of_step(edition, "total", msg(
                "content.total_out_of_step", total=now, previous=was, shown=before.shown,
                expected=was + 1), msg("content.total_hint")))
    return found


def _numbers(first: int, last: int) -> str:
    """第13期, or 第13–14期."""
    return f"第{first}期" if first == last else f"第{first}–{last}期"


def _out_of_step(edition: Edition, key: str, message: Message, hint: Message) -> Diagnostic:
    path = edition.path / "edition.toml"
    try:
        line = toml_line(path.read_text(encoding="utf-8-sig"), (key,))
    except (OSError, UnicodeDecodeError):
        line = None
    return Finding(message, file=f"{edition.shown}/edition.toml", line=line, field=key,
                   hint=hint)
