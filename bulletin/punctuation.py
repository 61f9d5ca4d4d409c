"""Chinese punctuation: half-width marks in Chinese text, found and made full-width.

Text arrives from Word, WPS and copy-paste with half-width punctuation — `,` `;` `:` `?` `!`
`(` `)` and straight quotes — where the printed page has full-width ，；：？！（）“”‘’. This
module is the one place that decides which marks are "in Chinese context": the lint of
`bulletin check` and `bulletin build` reports what `bulletin fix` changes, from the same
function (`marks`), so the two never disagree.

The rules, for one line of text (a mark never pairs across lines):

- `,` `;` `:` `?` `!` become full-width when the character before or after it is Chinese
  (a Han character, CJK or full-width punctuation), when both are quotes, dashes or
  ellipses ("“军令状”,“责任书”"), or when a number stands between it and Chinese and no
  digit on its other side ("增长6.5%,CPI"). So "1,234", "3.5", "10:30" and "Hello, world"
  stay.
- a pair `(…)` becomes （…） when it holds Chinese, or when a Chinese character stands
  beside it and no Latin letter or digit does: 县(市、区), 世界贸易组织(WTO), (1)加强; not f(x).
- straight quotes pair in order along the line; a pair `"…"` becomes “…” (`'…'` becomes
  ‘…’) under the same rule as parentheses. An apostrophe between letters (don't) is never
  a quote.
- each change is one character for one character, so lines and columns stay; the rules
  are applied until nothing changes, so running the fix again changes nothing.

Never changed: code (inline and fenced), URLs and e-mail addresses, link targets, HTML,
Markdown's own syntax (an image's `!`, a footnote's `[^1]:`, backslash escapes), front-matter
keys, TOML and YAML quoting, a table spec's names, data headers and formulas (only the texts
it prints are text: `SPEC_FIELDS`), and anything that is not an article, an edition.toml or
a table spec (the tables' data is the data as reported).
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bulletin.diagnostics.errors import Diagnostic, Finding, Message, msg

if TYPE_CHECKING:
    from bulletin.load.content import Article, Edition

# -- what is Chinese ---------------------------------------------------------------------------

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Chinese for certain: Han, CJK symbols and punctuation (、。《》【】…), kana, full-width forms
STRONG = re.compile(f"[{HAN}\u3000-\u303f\u3040-\u30ff\uff00-\uffef]")
# used in Chinese and English alike: curly quotes, the dash, the ellipsis
WEAK = re.compile("[\u2014\u2018-\u201f\u2026]")
ALNUM = re.compile("[A-Za-z0-9]")

FULL = {
    ",": "，", ";": "；", ":": "：", "?": "？", "!": "！",
    "(": "（", ")": "）", '"': "“”", "'": "‘’",
}  # fmt: skip
SINGLE = ",;:?!"
MARKS = re.compile(r"[,;:?!()\"']")  # a line without one of these has nothing to change
NUMBER = "0123456789.%‰"  # what a number is written with, looked through to its side
EMPHASIS = "*_~"  # Markdown's emphasis: looked through for the character beside a mark


def strong(c: str) -> bool:
    return bool(c) and STRONG.match(c) is not None


def chinese(c: str) -> bool:
    """Chinese, or a quote, dash or ellipsis (which stand in Chinese and English text)."""
    return bool(c) and (STRONG.match(c) is not None or WEAK.match(c) is not None)


def latin(c: str) -> bool:
    return bool(c) and ALNUM.match(c) is not None


@dataclass(frozen=True)
class Mark:
    """One half-width mark in Chinese text: where (1-based line and column, in characters),
    what it is and what it becomes; `field` names the front-matter or TOML key."""

    line: int
    column: int
    old: str
    new: str
    field: str | None = None


# -- one line ----------------------------------------------------------------------------------


def _beside(chars: list[str], free: Sequence[bool], i: int, step: int) -> str:
    j = i + step
    while 0 <= j < len(chars) and chars[j] in EMPHASIS and free[j]:
        j += step
    return chars[j] if 0 <= j < len(chars) else ""


def _beside_number(chars: list[str], free: Sequence[bool], i: int, step: int) -> str:
    """The character beside a number beside character i ("增长6.5%,CPI": 长)."""
    j = i + step
    while 0 <= j < len(chars) and (chars[j] in NUMBER or (chars[j] in EMPHASIS and free[j])):
        j += step
    return chars[j] if 0 <= j < len(chars) and j != i + step else ""


def _pair_is_chinese(chars: list[str], free: Sequence[bool], start: int, end: int) -> bool:
    """Whether the pair at start…end (parentheses or quotes) is in Chinese context."""
    if any(STRONG.match(c) for c in chars[start + 1 : end]):
        return True
    before, after = _beside(chars, free, start, -1), _beside(chars, free, end, 1)
    return (strong(before) or strong(after)) and not (latin(before) or latin(after))


def _step(chars: list[str], free: Sequence[bool]) -> dict[int, str]:
    """One pass of the rules over a line: {index: full-width character}."""
    found: dict[int, str] = {}
    opened: list[int] = []
    quotes: dict[str, list[int]] = {'"': [], "'": []}
    for i, c in enumerate(chars):
        if not free[i]:
            continue
        if c in SINGLE:
            before, after = _beside(chars, free, i, -1), _beside(chars, free, i, 1)
            if (
                strong(before)
                or strong(after)
                or (chinese(before) and chinese(after))
                or (strong(_beside_number(chars, free, i, -1)) and not after.isdigit())
                or (strong(_beside_number(chars, free, i, 1)) and not before.isdigit())
            ):
                found[i] = FULL[c]
        elif c in "(（":
            opened.append(i)
        elif c in ")）" and opened:
            start = opened.pop()
            if chars[start] == "(" and c == ")":
                if _pair_is_chinese(chars, free, start, i):
                    found[start], found[i] = "（", "）"
            elif chars[start] == "(":  # (…） : the open one, as its partner
                found[start] = "（"
            elif c == ")":  # （…)
                found[i] = "）"
        elif c == '"' or (c == "'" and not _apostrophe(chars, i)):
            quotes[c].append(i)
    for c, places in quotes.items():
        for start, end in zip(places[::2], places[1::2], strict=False):
            if _pair_is_chinese(chars, free, start, end):
                found[start], found[end] = FULL[c][0], FULL[c][1]
    return found


def _apostrophe(chars: list[str], i: int) -> bool:
    """`'` between two letters or digits (don't, it's, 90's) is an apostrophe, never a quote."""
    before = chars[i - 1] if i > 0 else ""
    after = chars[i + 1] if i + 1 < len(chars) else ""
    return latin(before) and latin(after)


def line_marks(line: str, free: Sequence[bool] | None = None) -> dict[int, str]:
    """{index: full-width character} for the half-width marks of one line in Chinese context;
    `free[i]` False keeps character i as it is (code, a URL, syntax) and out of any pair."""
    if not MARKS.search(line) or not STRONG.search(line):
        return {}
    chars = list(line)
    mask: Sequence[bool] = free if free is not None else [True] * len(chars)
    changed: dict[int, str] = {}
    for _ in range(len(chars) + 1):  # until nothing changes: each pass changes some mark
        step = {i: c for i, c in _step(chars, mask).items() if chars[i] != c}
        if not step:
            break
        for i, c in step.items():
            chars[i] = changed[i] = c
    return changed


# -- what is not text: URLs, and in Markdown code and syntax -----------------------------------

URL = re.compile(
    r"(?:(?:https?|ftp)://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+"
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",
)
URL_TRAILING = ".,:;!?'\""
INLINE = re.compile(
    r"\\[!-/:-@\[-`{-~]"  # a backslash escape
    r"|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);"  # an entity
    r"|<[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>]*>"  # an autolink
    r"|<!--.*?-->|</?[A-Za-z][^<>]*>"  # HTML
    r"|!(?=\[)"  # an image's !
    r"|\[\^[^\]]*\]:?"  # a footnote: [^1] and [^1]:
    r"|\{[A-Za-z][\w-]*\}(?=`)",  # a role's name: {value}`…`
)
REFERENCE = re.compile(r"^ {0,3}\[(?!\^)[^\]]+\]:\s*\S")  # [label]: url "title"
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
HTML_BLOCK = re.compile(r"^ {0,3}<(?:[A-Za-z/!?])")


def _url_spans(line: str) -> Iterator[tuple[int, int]]:
    for m in URL.finditer(line):
        start, end = m.span()
        while end > start:  # trailing punctuation ends the sentence, not the URL
            last = line[end - 1]
            if last in URL_TRAILING or (
                last == ")" and line.count("(", start, end) < line.count(")", start, end)
            ):
                end -= 1
            else:
                break
        yield start, end


def _code_spans(line: str) -> Iterator[tuple[int, int]]:
    """`code` and ``code``: a run of backticks closed by a run of the same length."""
    runs = [(m.start(), m.end() - m.start()) for m in re.finditer(r"`+", line)]
    i = 0
    while i < len(runs):
        start, length = runs[i]
        close = next((j for j in range(i + 1, len(runs)) if runs[j][1] == length), None)
        if close is None:
            i += 1
            continue
        yield start, runs[close][0] + length
        i = close + 1


def _destinations(line: str) -> Iterator[tuple[int, int]]:
    """A link's or image's target: `(url "title")` after `]`, to its matching parenthesis."""
    for m in re.finditer(r"\]\(", line):
        depth, j = 0, m.start() + 1
        while j < len(line):
            if line[j] == "\\":
                j += 2
                continue
            depth += {"(": 1, ")": -1}.get(line[j], 0)
            if depth == 0:
                break
            j += 1
        yield m.start() + 1, min(j + 1, len(line))


def plain_free(line: str) -> list[bool]:
    """Which characters of plain text (a title, a banner) may change: all but URLs."""
    free = [True] * len(line)
    for start, end in _url_spans(line):
        free[start:end] = [False] * (end - start)
    return free


def markdown_free(line: str) -> list[bool]:
    """Which characters of a line of Markdown text may change: not code, URLs, link targets,
    HTML, entities, escapes or the syntax of images, footnotes and roles."""
    if REFERENCE.match(line):
        return [False] * len(line)
    free = plain_free(line)
    spans = [*_code_spans(line), *_destinations(line)]
    spans += [m.span() for m in INLINE.finditer(line)]
    for start, end in spans:
        free[start:end] = [False] * (end - start)
    return free


def _markdown_text_lines(lines: Sequence[str]) -> Iterator[int]:
    """The indexes of the lines that hold text: not fenced or indented code, not HTML."""
    fence: str | None = None  # the open fence's backticks or tildes
    html = indented = False
    blank = True  # the line before was blank (or there was none)
    for i, line in enumerate(lines):
        after_blank, blank = blank, not line.strip()
        fenced = FENCE.match(line)
        if fence is not None:
            closing = fenced and fenced.group(1)[0] == fence[0]
            if closing and len(fenced.group(1)) >= len(fence) and not line.strip().strip(fence[0]):
                fence = None
        elif fenced:
            fence = fenced.group(1)
        elif html:
            html = not blank
        elif after_blank and HTML_BLOCK.match(line):
            html = True
        elif line.startswith(("    ", "\t")) and not blank and (after_blank or indented):
            indented = True
        elif not blank:
            indented = False
            yield i


# -- whole files -------------------------------------------------------------------------------

LINE_END = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The lines as the loader counts them (\\r\\n, \\r or \\n ends one)."""
    return LINE_END.split(text)


def _marks_of(
    lines: Sequence[str], numbers: Iterable[int], free_of: Any, first: int = 1,
    field: str | None = None,
) -> list[Mark]:  # fmt: skip
    found = []
    for i in numbers:
        line = lines[i]
        if not MARKS.search(line) or not STRONG.search(line):
            continue  # (nothing to change: the common case, quickly)
        for col, new in sorted(line_marks(line, free_of(line)).items()):
            found.append(Mark(first + i, col + 1, line[col], new, field))
    return found


def markdown_marks(body: str, first_line: int = 1) -> list[Mark]:
    """The marks to change in a Markdown body whose first line is line `first_line`."""
    lines = split_lines(body)
    return _marks_of(lines, _markdown_text_lines(lines), markdown_free, first_line)


TEXT_FIELDS = ("title", "kicker", "subtitle", "byline")  # an article's front matter


def front_matter_marks(raw: str, first_line: int = 2) -> list[Mark]:
    """The marks to change in the values of an article's text fields (title, kicker,
    subtitle, byline): never a key, and never YAML's own quotes or escapes."""
    import yaml

    if not any(_may_mark(line) for line in split_lines(raw)):
        return []  # (the common case, without composing the YAML)
    try:
        node = yaml.compose(raw, Loader=yaml.SafeLoader)  # (pure Python: marks in characters)
    except yaml.YAMLError:
        return []  # (the loader reports it)
    if not isinstance(node, yaml.MappingNode):
        return []
    lines = split_lines(raw)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    found: list[Mark] = []
    for key, value in node.value:
        if key.value not in TEXT_FIELDS or not isinstance(value, yaml.ScalarNode):
            continue
        start, end = value.start_mark.index, value.end_mark.index
        if value.style in ('"', "'"):
            start, end = start + 1, end - 1
        elif value.style in ("|", ">"):
            start = raw.find("\n", start) + 1
        for i in range(value.start_mark.line, value.end_mark.line + 1):
            line = lines[i]
            lo, hi = max(start - starts[i], 0), min(end - starts[i], len(line))
            free = [lo <= j < hi for j in range(len(line))]
            for m in re.finditer(r"\\." if value.style == '"' else "''", line):
                free[m.start() : m.end()] = [False] * (m.end() - m.start())
            for j, ok in enumerate(plain_free(line)):
                free[j] = free[j] and ok
            for col, new in sorted(line_marks(line, free).items()):
                found.append(Mark(first_line + i, col + 1, line[col], new, str(key.value)))
    return found


def _may_mark(line: str) -> bool:
    """Whether a line of front matter may hold a mark to change: its value (after `key:`,
    without quotes around it) has a half-width mark and a Chinese character."""
    value = line.split(":", 1)[1].strip() if ":" in line else line
    if len(value) > 1 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return MARKS.search(value) is not None and STRONG.search(value) is not None


def article_marks(text: str) -> list[Mark]:
    """The marks to change in an article file (front matter and body)."""
    from bulletin.load.config import FRONT_MATTER

    text = text.removeprefix("\ufeff")
    m = FRONT_MATTER.match(text.replace("\r\n", "\n").replace("\r", "\n"))
    if m is None:
        return markdown_marks(text)
    normal = text.replace("\r\n", "\n").replace("\r", "\n")
    body_line = normal[: m.end()].count("\n") + 1
    return front_matter_marks(m.group(1)) + markdown_marks(normal[m.end() :], body_line)


# edition.toml's text: the banner, the credit, a correction, the distribution's names
EDITION_FIELDS = ("banner", "credit", "text", "report_to", "copy_to", "issue_to")
# a table spec's text, printed on the page and in the PDF: the table's and a chart's title, a
# column's header and its group's, the key column's header, the source note, the totals row's
# name, the rank's headers, a chart's reference line. Never a name (expressions and cite()
# use it), a data file's header (`source`, `key`: they must match the file), a formula or a
# setting.
SPEC_FIELDS = (
    "title", "label", "group", "key_label", "source_note", "total_label", "change_label",
    "reference_label",
)  # fmt: skip
TOML_SKIPPED = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'|#.*")  # a string, or the comment


@functools.cache
def _toml_value(fields: tuple[str, ...]) -> re.Pattern[str]:
    """`key = "value"` for one of `fields`, matched as the whole key: at the line's start or
    after a space, `{`, `,` or a dotted key's `.` (so `label` is never the end of
    `key_label`), and then `=` (so never `labels`)."""
    return re.compile(
        rf"(?:^|(?<=[\s{{,.]))({'|'.join(fields)})\s*=\s*"
        r"(\"(?:[^\"\\]|\\.)*\"|'[^']*')"
    )


def toml_marks(text: str, fields: tuple[str, ...]) -> list[Mark]:
    """The marks to change in a TOML file's values of `fields` (one-line strings; never a
    key, a comment, another key's value, or TOML's quotes and escapes)."""
    pattern = _toml_value(fields)
    found: list[Mark] = []
    for i, line in enumerate(split_lines(text.removeprefix("\ufeff"))):
        if line.lstrip().startswith("#"):
            continue
        skipped: list[tuple[int, int]] | None = None
        for m in pattern.finditer(line):
            if skipped is None:
                skipped = [s.span() for s in TOML_SKIPPED.finditer(line)]
            if any(a <= m.start() < b for a, b in skipped):
                continue  # (`key = "…"` inside another value or a comment is not a key)
            start, end = m.start(2) + 1, m.end(2) - 1
            free = [start <= j < end for j in range(len(line))]
            if m.group(2).startswith('"'):
                for e in re.finditer(r"\\.", line[start:end]):
                    free[start + e.start() : start + e.end()] = [False, False]
            for j, ok in enumerate(plain_free(line)):
                free[j] = free[j] and ok
            for col, new in sorted(line_marks(line, free).items()):
                found.append(Mark(i + 1, col + 1, line[col], new, m.group(1)))
    return found


def edition_marks(text: str) -> list[Mark]:
    """The marks to change in an edition.toml's text values."""
    return toml_marks(text, EDITION_FIELDS)


def spec_marks(text: str) -> list[Mark]:
    """The marks to change in a table spec's printed texts (never its names or formulas)."""
    return toml_marks(text, SPEC_FIELDS)


def is_spec(path: Path) -> bool:
    """Whether a file is a table spec: data/<edition id>/<table>.toml."""
    return path.suffix == ".toml" and path.parent.parent.name == "data"


def table_specs(root: Path, edition: str) -> list[Path]:
    """An edition's table specs in the project at `root`: not hidden (as the lock's inputs),
    and never one that links out of the project (the compute stage refuses it unread)."""
    from bulletin.load.content import inside, resolved

    return sorted(
        p
        for p in (root / "data" / edition).glob("*.toml")
        if not p.name.startswith(".") and p.is_file() and inside(resolved(root), p)
    )


def file_marks(path: Path, text: str) -> list[Mark]:
    """The marks of an article (.md), an edition.toml or a table spec (data/<id>/*.toml);
    other files have none."""
    if is_spec(path):
        return spec_marks(text)
    if path.name == "edition.toml":
        return edition_marks(text)
    if path.suffix == ".md":
        return article_marks(text)
    return []


def apply(text: str, marks: Iterable[Mark]) -> str:
    """The text with the marks changed (its line ends and a BOM kept as they were)."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    parts = LINE_END.split(text.removeprefix("\ufeff"))
    ends = LINE_END.findall(text)
    lines = [list(p) for p in parts]
    for m in marks:
        line = lines[m.line - 1]
        assert line[m.column - 1] == m.old, m
        line[m.column - 1] = m.new
    out = [bom]
    for i, chars in enumerate(lines):
        out.append("".join(chars))
        if i < len(ends):
            out.append(ends[i])
    return "".join(out)


def convert(text: str) -> str:
    """Plain text (a paragraph, a title, a seed's words) with its half-width marks in Chinese
    context made full-width, line by line; URLs are kept."""
    lines = split_lines(text)
    marks = _marks_of(lines, range(len(lines)), plain_free)
    return apply(text, marks)


def only_punctuation_changed(old: str, new: str) -> bool:
    """Whether `new` is `old` with some half-width marks made full-width, and nothing else."""
    if len(old) != len(new):
        return False
    return all(a == b or b in FULL.get(a, "") for a, b in zip(old, new, strict=True))


# -- the lint: what check and build report -----------------------------------------------------

MAX_LINES = 5  # lines reported one by one in a file; the rest are counted in one more
MAX_MARKS = 12  # marks listed on one line; the rest are counted


def findings(shown: str, marks: Sequence[Mark]) -> list[Diagnostic]:
    """What check and build say about a file's marks: a warning per line (up to MAX_LINES,
    then one for the rest), at the line and column of its first mark and listing the
    columns; the file's first warning says how to fix them all."""
    lines: dict[int, list[Mark]] = {}
    for m in marks:
        lines.setdefault(m.line, []).append(m)
    found = []
    for n, here in enumerate(lines.values()):
        first = here[0]
        if n == MAX_LINES and len(lines) > MAX_LINES + 1:
            rest = list(lines.values())[MAX_LINES:]
            found.append(
                Finding(
                    msg("punctuation.more_lines", n=len(rest), marks=sum(map(len, rest))),
                    shown,
                    first.line,
                    column=first.column,
                )
            )
            break
        hint = msg("punctuation.fix") if n == 0 else None
        found.append(
            Finding(
                msg("punctuation.halfwidth", marks=_listed(here)),
                shown,
                first.line,
                first.field,
                hint=hint,
                column=first.column,
            )
        )
    return found


def _listed(marks: Sequence[Mark]) -> list[Message]:
    """A line's marks as the warning lists them: by kind, each kind's columns (the first
    MAX_MARKS of the line), then how many more."""
    kinds: dict[tuple[str, str], list[int]] = {}
    for m in marks[:MAX_MARKS]:
        kinds.setdefault((m.old, m.new), []).append(m.column)
    listed = [
        msg("punctuation.mark", old=old, new=new, columns=columns)
        for (old, new), columns in kinds.items()
    ]
    if len(marks) > MAX_MARKS:
        listed.append(msg("punctuation.more_marks", n=len(marks) - MAX_MARKS))
    return listed


def read_text(path: Path) -> str | None:
    """A file's text, or None when it cannot be read (the loader reports why)."""
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def article_findings(article: Article) -> list[Diagnostic]:
    """The lint of one article (front matter and body)."""
    text = read_text(article.path)
    return findings(article.shown, article_marks(text)) if text is not None else []


def edition_findings(edition: Edition, *, published: bool = False) -> list[Diagnostic]:
    """The lint of one edition: its edition.toml, its articles and its table specs
    (data/<id>/*.toml: the texts they print), a warning per line.

    A published edition is locked, and stays as it was published: the build says nothing of
    it (nothing there can change without a correction, and `--strict` must not fail on
    history); with `published` (bulletin check) one note, as information, for the edition."""
    if edition.published and not published:
        return []
    marked: list[tuple[str, list[Mark]]] = []
    text = read_text(edition.path / "edition.toml")
    if text is not None:
        marked.append((f"{edition.shown}/edition.toml", edition_marks(text)))
    for article in edition.articles:
        text = read_text(article.path)
        marked.append((article.shown, article_marks(text) if text is not None else []))
    for spec in table_specs(edition.path.parent.parent, edition.id):
        text = read_text(spec)
        marks = spec_marks(text) if text is not None else []
        marked.append((f"data/{edition.id}/{spec.name}", marks))
    marked = [(shown, marks) for shown, marks in marked if marks]
    if not edition.published:
        return [d for shown, marks in marked for d in findings(shown, marks)]
    if not marked:
        return []
    shown, marks = marked[0]
    return [
        Finding(
            msg(
                "punctuation.published",
                edition=edition.id,
                files=len(marked),
                marks=sum(len(m) for _, m in marked),
            ),
            shown,
            marks[0].line,
            level="info",
            hint=msg("punctuation.published_hint"),
            column=marks[0].column,
        )
    ]


def toml_unchanged(old: str, new: str, fields: Collection[str] | None = None) -> bool:
    """Whether a fixed TOML file (an edition.toml, a table spec) reads as the old one did,
    but for its text's marks; with `fields`, only the values of those keys may differ at all
    (a spec's names, data headers and formulas are read as they are, to the character)."""
    try:
        before = tomllib.loads(old.removeprefix("\ufeff"))
        after = tomllib.loads(new.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError:
        return False
    return same_values(before, after, fields)


def same_values(
    before: Any, after: Any, fields: Collection[str] | None = None, key: str | None = None
) -> bool:
    """Whether two values read from a file (TOML, front matter) are the same but for the
    full-width punctuation of their texts (with `fields`: only the texts under those keys)."""
    if isinstance(before, dict) and isinstance(after, dict):
        return before.keys() == after.keys() and all(
            same_values(before[k], after[k], fields, k) for k in before
        )
    if isinstance(before, list) and isinstance(after, list):
        return len(before) == len(after) and all(
            same_values(b, a, fields, key) for b, a in zip(before, after, strict=True)
        )
    if isinstance(before, str) and isinstance(after, str):
        if fields is not None and key not in fields:
            return before == after
        return only_punctuation_changed(before, after)
    return bool(before == after)
