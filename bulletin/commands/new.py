"""`bulletin new edition`, `bulletin new article` and `bulletin new correction`: start the next
edition, add an article, record a correction (勘误) of a published edition.

Numbers come from the archive (drafts included): 第N期 restarts at 1 each year, 总第N期
follows the newest total when the archive keeps totals. New files never overwrite old ones.
edition.toml is edited as text, so its comments stay; the result is read back with the real
loader before it is written, and when the edit cannot be made safely the user is told exactly
what to add instead.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bulletin.commands import atomic_write
from bulletin.diagnostics.errors import BulletinError, ConfigError, Message, msg
from bulletin.load.config import SLUG, EditionConfig, load_edition_config, split_front_matter

# The texts written into new files (comments, the example article) are Chinese content, not
# messages: they are Chinese whatever the messages' language. (The messages an editor reads
# are in bulletin/diagnostics/messages/new.toml.)
MSG = {
    "edition_comment": "# {year}年第{number}期{total}：草稿。全部写好、检查无误后，"
    '把 status 改为 "published"。',
    "tables_comment": '# tables = ["表名"]   # 放在本版文章之后的统计表；'
    "先用 bulletin import 表格.xlsx 导入到 data/{id}/",
    "example_title": "（示例）在这里写文章标题",
    "example_body": (
        "这是一篇示例文章：把这几段换成正文。段与段之间空一行；"
        "一段之内换行不影响排版。\n\n"
        "要强调的文字前后各加两个星号，例如**加大资金投入**。\n\n"
        "插入照片：把照片放在本期文件夹里，单独一行写 `![图注](照片文件名.jpg)`。\n\n"
        "写好后运行 `bulletin check` 检查，用 `bulletin serve` 预览。"
        "不需要这篇示例时，删除本文件，并从 edition.toml 的 articles 列表中删去它的名字。\n"
    ),
    "article_body": "在这里写正文。段与段之间空一行。\n",
    "kicker_line": "# kicker: 引题（写在主题上方的一行；需要时删去行首的“# ”）",
    "subtitle_line": "# subtitle: 副题（写在主题下方的一行；需要时删去行首的“# ”）",
}


@dataclass
class EditionInfo:
    """An edition folder as `new` sees it: only its edition.toml is read."""

    id: str
    path: Path
    config: EditionConfig


@dataclass
class Created:
    """What a `new` command made, for the CLI to report."""

    path: Path
    shown: str
    files: list[str] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)  # what the CLI prints as "note: …"


# -- the archive ------------------------------------------------------------------------------


def read_editions(root: Path) -> list[EditionInfo]:
    """Every edition (drafts included), oldest first, as the build orders them."""
    root = root.resolve()
    if not (root / "bulletin.toml").is_file():
        raise ConfigError(
            msg("new.no_bulletin"), file="bulletin.toml", hint=msg("new.no_content_hint")
        )
    content = root / "content"
    if not content.is_dir():
        raise ConfigError(msg("new.no_content"), file="content", hint=msg("new.no_content_hint"))
    found = []
    for folder in sorted(p for p in content.iterdir() if p.is_dir() and not p.name.startswith(".")):
        toml = folder / "edition.toml"
        if toml.is_file():
            shown = toml.relative_to(root).as_posix()
            found.append(EditionInfo(folder.name, folder, load_edition_config(toml, shown)))
    found.sort(key=lambda e: (e.config.date, e.config.number, e.id))
    return found


def next_numbers(editions: list[EditionInfo], day: dt.date) -> tuple[int, int | None]:
    """(第N期, 总第N期 or None) of an edition dated `day` after `editions`."""
    same_year = [e.config.number for e in editions if e.config.date.year == day.year]
    number = max(same_year) + 1 if same_year else 1
    totals = [e.config.total for e in editions if e.config.total is not None]
    total = max(totals) + 1 if totals else None
    return number, total


def find_edition(root: Path, edition: str | None) -> EditionInfo:
    """The edition named `edition`, or the newest one."""
    editions = read_editions(root)
    if not editions:
        raise ConfigError(msg("new.no_edition"), file="content", hint=msg("new.no_edition_hint"))
    if edition is None:
        return editions[-1]
    for e in editions:
        if e.id == edition:
            return e
    from bulletin.diagnostics.errors import suggest

    near = suggest(edition, [e.id for e in editions])
    raise ConfigError(
        msg("new.unknown_edition", edition=edition),
        file="content",
        hint=msg("common.did_you_mean", name=near)
        if near
        else msg("new.unknown_edition_hint", editions=", ".join(e.id for e in editions)),
    )


def choose_slug(folder: Path, slug: str | None, shown: str) -> str:
    """`slug` checked, or the first free article-N (pinyin needs a dictionary we lack)."""
    if slug is not None:
        if not SLUG.match(slug):
            raise ConfigError(
                msg("new.bad_slug", slug=slug), field="--slug", hint=msg("new.bad_slug_hint")
            )
        if (folder / f"{slug}.md").exists():
            raise BulletinError(
                msg("new.article_exists", file=f"{shown}/{slug}.md"),
                hint=msg("new.article_exists_hint"),
            )
        return slug
    n = 1
    while (folder / f"article-{n}.md").exists():
        n += 1
    return f"article-{n}"


# -- text helpers -----------------------------------------------------------------------------


def yaml_scalar(text: str) -> str:
    """`text` as a YAML value: bare when that reads back the same, else double-quoted."""
    try:
        if yaml.safe_load(f"k: {text}") == {"k": text} and "#" not in text:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def toml_string(text: str) -> str:
    # A JSON string is a TOML basic string, but for DEL, which TOML wants escaped.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


_HEADER = re.compile(r"^[ \t]*\[", re.M)
_PAGES = re.compile(r"^[ \t]*\[\[[ \t]*pages[ \t]*\]\][ \t]*(#.*)?$", re.M)
_ARTICLES = re.compile(r"^[ \t]*articles[ \t]*=[ \t]*\[", re.M)


def _closing_bracket(text: str, start: int) -> tuple[int, int] | None:
    """(index of the `]` matching the `[` at `start`, index of the last item character)."""
    depth, i, last = 0, start, start
    while i < len(text):
        ch = text[i]
        if ch == "#":
            i = text.find("\n", i)
            if i < 0:
                return None
            continue
        if ch in "\"'":
            triple = text.startswith(ch * 3, i)
            quote = ch * 3 if triple else ch
            j = i + len(quote)
            while j < len(text) and not text.startswith(quote, j):
                j += 2 if ch == '"' and text[j] == "\\" else 1
            if j >= len(text):
                return None
            i = last = j + len(quote) - 1
            i += 1
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i, last
        if not ch.isspace():
            last = i
        i += 1
    return None


def add_to_articles(text: str, page_index: int, slug: str) -> str | None:
    """edition.toml text with `slug` appended to page `page_index`'s articles list.

    None when that page has no articles list written as `articles = [...]` in a
    [[pages]] table, or when the result does not read back as intended.
    """
    try:
        before = tomllib.loads(text)
        pages = before["pages"]
        old = list(pages[page_index]["articles"])
    except (tomllib.TOMLDecodeError, KeyError, IndexError, TypeError):
        return None
    headers = list(_PAGES.finditer(text))
    if page_index >= len(headers):
        return None
    begin = headers[page_index].end()
    nxt = _HEADER.search(text, begin)
    end = nxt.start() if nxt else len(text)
    found = _ARTICLES.search(text, begin, end)
    if not found:
        return None
    span = _closing_bracket(text, found.end() - 1)
    if span is None:
        return None
    close, last = span
    item = toml_string(slug)
    line_start = text.rfind("\n", 0, close) + 1
    if "\n" in text[found.end() : close] and not text[line_start:close].strip():
        # a list written one item per line: add a line of our own before the `]` line
        indent = re.match(r"[ \t]*", text[text.rfind("\n", 0, last) + 1 :]).group(0)  # type: ignore[union-attr]
        comma = "" if text[last] in "[," else ","
        new = text[: last + 1] + comma + text[last + 1 : line_start]
        new += f"{indent or '  '}{item},\n" + text[line_start:]
    elif text[last] == "[":
        new = text[:close] + item + text[close:]
    else:
        sep = " " if text[last] == "," else ", "
        new = text[: last + 1] + sep + item + text[last + 1 :]
    try:
        after = tomllib.loads(new)
    except tomllib.TOMLDecodeError:
        return None
    expected = dict(before)
    expected["pages"] = [dict(p) for p in pages]
    expected["pages"][page_index]["articles"] = [*old, slug]
    return new if after == expected else None


# -- new edition ------------------------------------------------------------------------------


def edition_toml(
    number: int, total: int | None, day: dt.date, newest: EditionConfig | None, eid: str
) -> str:
    total_text = f"（总第{total}期）" if total else ""
    lines = [
        MSG["edition_comment"].format(year=day.year, number=number, total=total_text),
        f"number = {number}",
    ]
    if total is not None:
        lines.append(f"total = {total}")
    lines += [f"date = {day.isoformat()}", 'status = "draft"', ""]
    templates = newest.pages if newest is not None else []
    uses_lists = not templates or templates[0].articles is not None
    for i, page in enumerate(templates or [None]):
        lines.append("[[pages]]")
        if page is not None and page.columns is not None:
            lines.append(f"columns = {page.columns}")
        if page is not None and page.banner:
            lines.append(f"banner = {toml_string(page.banner)}")
        if page is not None and page.credit:
            lines.append(f"credit = {toml_string(page.credit)}")
        if uses_lists:
            lines.append('articles = ["article-1"]' if i == 0 else "articles = []")
        lines.append(MSG["tables_comment"].format(id=eid))
        lines.append("")
    return "\n".join(lines)


def article_text(title: str, *, body: str, page: int | None = None, **meta: str | None) -> str:
    """An article file: front matter (title, optional fields, kicker/subtitle hints), body."""
    lines = ["---"]
    if meta.get("kicker"):
        lines.append(f"kicker: {yaml_scalar(meta['kicker'] or '')}")
    else:
        lines.append(MSG["kicker_line"])
    lines.append(f"title: {yaml_scalar(title)}")
    if meta.get("subtitle"):
        lines.append(f"subtitle: {yaml_scalar(meta['subtitle'] or '')}")
    else:
        lines.append(MSG["subtitle_line"])
    if meta.get("byline"):
        lines.append(f"byline: {yaml_scalar(meta['byline'] or '')}")
    if page is not None:
        lines.append(f"page: {page}")
    lines += ["---", "", body.rstrip("\n") + "\n"]
    return "\n".join(lines)


def new_edition(root: Path, day: dt.date | None = None) -> Created:
    """Create content/YYYY-NN/ with edition.toml and an example article."""
    root = root.resolve()
    day = day or dt.date.today()
    editions = read_editions(root)
    number, total = next_numbers(editions, day)
    eid = f"{day.year}-{number:02d}"
    folder = root / "content" / eid
    shown = f"content/{eid}"
    if folder.exists():
        raise BulletinError(msg("new.exists", folder=shown), hint=msg("new.exists_hint"))
    newest = editions[-1].config if editions else None
    toml = edition_toml(number, total, day, newest, eid)
    example = article_text(MSG["example_title"], body=MSG["example_body"])
    # read back with the real loaders before anything is written
    EditionConfig.model_validate(tomllib.loads(toml))
    split_front_matter(example, f"{shown}/article-1.md")
    folder.mkdir(parents=True)
    (folder / "edition.toml").write_text(toml, encoding="utf-8")
    (folder / "article-1.md").write_text(example, encoding="utf-8")
    return Created(folder, shown, files=[f"{shown}/edition.toml", f"{shown}/article-1.md"])


# -- new article ------------------------------------------------------------------------------


def check_page(info: EditionInfo, page: int) -> None:
    if not 1 <= page <= len(info.config.pages):
        raise ConfigError(
            msg("new.no_page", edition=info.id, pages=len(info.config.pages), page=page),
            file=f"content/{info.id}/edition.toml",
            field="--page",
        )


def published_note(info: EditionInfo) -> list[Message]:
    """The warning for a change to a published edition (new article, import): it is locked,
    so the change must be recorded as a correction, or the build stops."""
    if info.config.status != "published":
        return []
    return [msg("new.published_note", edition=info.id)]


def place_article(
    root: Path, info: EditionInfo, slug: str, page: int
) -> tuple[bool, Message | None]:
    """Add `slug` to the page's articles list when it has one: (listed or not needed, note)."""
    toml = info.path / "edition.toml"
    shown = toml.relative_to(root.resolve()).as_posix()
    if info.config.pages[page - 1].articles is None:
        return True, None
    text = toml.read_bytes().decode("utf-8-sig")  # (a BOM, as Notepad writes, is dropped)
    new = add_to_articles(text, page - 1, slug)
    if new is None:
        return False, msg("new.not_listed", file=shown, slug=slug, page=page)
    toml.write_text(new, encoding="utf-8")
    return True, msg("new.listed", slug=slug, page=page, file=shown)


def new_article(
    root: Path,
    title: str,
    *,
    edition: str | None = None,
    slug: str | None = None,
    page: int = 1,
) -> Created:
    """Add an article to an edition (the newest by default) and list it on its page."""
    root = root.resolve()
    title = " ".join(title.split())
    if not title:
        raise ConfigError(msg("new.empty_title"), field="title")
    info = find_edition(root, edition)
    folder_shown = f"content/{info.id}"
    check_page(info, page)
    slug = choose_slug(info.path, slug, folder_shown)
    listed = info.config.pages[page - 1].articles is not None
    text = article_text(
        title, body=MSG["article_body"], page=page if page != 1 and not listed else None
    )
    shown = f"{folder_shown}/{slug}.md"
    split_front_matter(text, shown)  # the title must read back as it was given
    path = info.path / f"{slug}.md"
    path.write_text(text, encoding="utf-8")
    created = Created(path, shown, files=[shown])
    _, note = place_article(root, info, slug, page)
    if note is not None:
        created.notes.append(note)
    created.notes += published_note(info)
    from bulletin.commands.check import headline_notes

    created.notes += headline_notes(title=title)
    return created


# -- new correction ---------------------------------------------------------------------------


def correction_entry(day: dt.date, text: str, newline: str = "\n") -> str:
    """A [[corrections]] table as `bulletin new correction` writes it."""
    lines = ["[[corrections]]", f"date = {day.isoformat()}", f"text = {toml_string(text)}", ""]
    return newline.join(lines)


def append_correction(raw: bytes, day: dt.date, text: str) -> bytes | None:
    """edition.toml's bytes with a [[corrections]] table at the end, after a blank line, and
    every byte before it kept (a BOM, CRLF line ends, comments); None when the result does not
    read back as the same file with one more correction (its corrections written otherwise,
    as `corrections = [...]`)."""
    bom = raw.startswith(codecs.BOM_UTF8)
    try:
        old = raw[len(codecs.BOM_UTF8) :].decode("utf-8") if bom else raw.decode("utf-8")
        before = tomllib.loads(old)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    newline = "\r\n" if "\r\n" in old else "\n"
    gap = "" if not old or old.endswith("\n") else newline
    if (old + gap).strip() and not (old + gap).endswith(newline * 2):
        gap += newline
    new = old + gap + correction_entry(day, text, newline)
    try:
        after = tomllib.loads(new)
    except tomllib.TOMLDecodeError:
        return None
    expected = dict(before)
    expected["corrections"] = [*before.get("corrections", []), {"date": day, "text": text}]
    if after != expected:
        return None
    return (codecs.BOM_UTF8 if bom else b"") + new.encode("utf-8")


def corrected(
    info: EditionInfo, raw: bytes, text: str, day: dt.date | None = None, *,
    date_field: str = "--date",
) -> bytes:
    """edition.toml's bytes `raw` with a correction (勘误) of `info` appended, checked as
    `bulletin new correction` checks it: a text, a published edition (a draft needs none:
    it is not locked), a day (default: today) not before the edition's. Also the workbench's."""
    text = " ".join(text.split())
    if not text:
        raise ConfigError(msg("new.empty_correction"), field="text")
    shown = f"content/{info.id}/edition.toml"
    if info.config.status != "published":
        raise ConfigError(
            msg("new.correction_draft", edition=info.id), file=shown, field="status",
            hint=msg("new.correction_draft_hint"),
        )  # fmt: skip
    day = day or dt.date.today()
    if day < info.config.date:
        raise ConfigError(
            msg("new.correction_too_early", date=day.isoformat(), edition=info.id,
                published=info.config.date.isoformat()),
            field=date_field,
        )  # fmt: skip
    new = append_correction(raw, day, text)
    if new is None:
        raise ConfigError(
            msg("new.correction_not_added", file=shown), file=shown, field="corrections",
            hint=msg("new.correction_not_added_hint", entry=correction_entry(day, text)),
        )  # fmt: skip
    EditionConfig.model_validate(tomllib.loads(new.decode("utf-8-sig")))  # (reads back)
    return new


def add_correction(root: Path, edition: str, text: str, day: dt.date | None = None) -> Created:
    """Record a correction (勘误) of the published edition `edition`, dated `day` (default:
    today): a [[corrections]] table appended to its edition.toml, the rest of the file kept
    byte for byte. The next build then accepts the edition's changes once (bulletin.lock)."""
    root = root.resolve()
    if not " ".join(text.split()):
        raise ConfigError(msg("new.empty_correction"), field="text")
    info = find_edition(root, edition)
    toml = info.path / "edition.toml"
    atomic_write(toml, corrected(info, toml.read_bytes(), text, day))
    return Created(toml, f"content/{info.id}/edition.toml")
