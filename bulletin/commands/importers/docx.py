"""A Word document → a Markdown article, with its images saved beside it.

mammoth reads the .docx into simple HTML (its Markdown output is deprecated and writes
``__bold__``, which Chinese text defeats); that HTML is walked here to emit Markdown:
``**bold**`` and ``*italic*`` (bulletin's parser reads them next to Chinese characters),
lists, tables as pipe tables, footnotes, images as ``![图注](file)``.

The headline (主题) is, in this order: the paragraph styled Title (标题); a Heading 1 (标题 1)
among the first paragraphs; the first paragraph set apart by direct formatting (larger than
the text and bold or centred, or bold and centred: mammoth drops that formatting, so
:mod:`bulletin.commands.importers.wordxml` reads it from the document's XML); the first short
lines (one is the title, two are kicker and title). A short line above the headline is the
kicker (引题); a line below it starting with ``——`` or styled Subtitle is the subtitle (副题);
a line such as ``通讯员 张三`` or ``（作者：李四）`` below it or at the end is the byline. Each
is taken out of the body, and no text fills two fields. Without a headline, the file name is
the title. Whenever the headline was not styled Title, the import says which paragraph it
took and why.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from bulletin.commands.importers import wordxml
from bulletin.commands.new import (
    Created,
    article_text,
    check_page,
    choose_slug,
    find_edition,
    place_article,
    published_note,
)
from bulletin.diagnostics.errors import BulletinError, Message, msg
from bulletin.load.config import SLUG, split_front_matter

SHORT = 50  # characters: a paragraph this short, without a full stop, may be a headline
STYLE_MAP = """
p[style-name='Title'] => p.doc-title:fresh
p[style-name='title'] => p.doc-title:fresh
p[style-name='标题'] => p.doc-title:fresh
p[style-name='Subtitle'] => p.doc-subtitle:fresh
p[style-name='subtitle'] => p.doc-subtitle:fresh
p[style-name='副标题'] => p.doc-subtitle:fresh
p[style-name='Caption'] => p.caption:fresh
p[style-name='caption'] => p.caption:fresh
p[style-name='题注'] => p.caption:fresh
p[style-name='标题 1'] => h1:fresh
p[style-name='标题 2'] => h2:fresh
p[style-name='标题 3'] => h3:fresh
"""
IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/jpg": "jpg", "image/gif": "gif"}
CONVERTIBLE = {"image/bmp", "image/x-bmp", "image/tiff", "image/x-tiff", "image/webp"}
SPACE = " \t\r\n\u3000\xa0"
SENTENCE_END = "。！？；：.!?;:"


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Any] = field(default_factory=list)  # Node or str


class _Tree(HTMLParser):
    VOID = frozenset({"img", "br", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Node:
    tree = _Tree()
    tree.feed(text)
    tree.close()
    return tree.root


def plain(node: Any) -> str:
    if isinstance(node, str):
        return node
    if node.tag == "br":
        return " "
    return "".join(plain(c) for c in node.children)


# -- Markdown ---------------------------------------------------------------------------------

_ESCAPE = re.compile(r"([\\`*_\[\]<>|])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(r"^([ \t]*)([#=+-]|\d+(?=[.)]))")


def escape(text: str) -> str:
    text = re.sub(r"[ \t\r\n]+", " ", text)
    return _ENTITY.sub(r"\\&", _ESCAPE.sub(r"\\\1", text))


def escape_line_starts(md: str) -> str:
    """Text that would start a heading, list or rule at the start of a line is escaped."""

    def fix(line: str) -> str:
        line = line.lstrip(" \t")  # four spaces would make code
        m = _LINE_START.match(line)
        if not m:
            return line
        if m.group(2)[0].isdigit():
            end = m.end()
            return line[:end] + "\\" + line[end:]
        return "\\" + line

    return "\n".join(fix(line) for line in md.split("\n"))


def wrap(inner: str, marker: str) -> str:
    """`inner` emphasised; white space at its edges stays outside the markers."""
    core = inner.strip(SPACE)
    if not core:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip(SPACE))]
    trail = inner[len(inner.rstrip(SPACE)) :]
    return f"{lead}{marker}{core}{marker}{trail}"


def _merged(children: list[Any]) -> list[Any]:
    """Adjacent <strong>/<em> siblings joined (Word splits runs for reasons of its own)."""
    out: list[Any] = []
    for child in children:
        if (
            isinstance(child, Node)
            and child.tag in ("strong", "b", "em", "i")
            and out
            and isinstance(out[-1], Node)
            and out[-1].tag == child.tag
        ):
            out[-1] = Node(child.tag, {}, out[-1].children + child.children)
        else:
            out.append(child)
    return out


@dataclass
class Block:
    kind: str  # p, h, list, table, figure, footnotes
    md: str
    text: str = ""  # plain text, for the headline
    cls: str = ""
    image: tuple[str, str] | None = None  # (src, alt) of a figure
    shape: wordxml.Paragraph | None = None  # how Word shows it (p and h), when known


class Converter:
    def __init__(self) -> None:
        self.notes: dict[str, str] = {}

    def inline(self, children: list[Any], cell: bool = False) -> str:
        out = []
        for node in _merged(children):
            if isinstance(node, str):
                out.append(escape(node))
            elif node.tag in ("strong", "b"):
                out.append(wrap(self.inline(node.children, cell), "**"))
            elif node.tag in ("em", "i"):
                out.append(wrap(self.inline(node.children, cell), "*"))
            elif node.tag == "br":
                out.append(" " if cell else "\\\n")
            elif node.tag == "img":
                out.append(f"![{escape(_alt(node.attrs.get('alt', '')))}]({node.attrs['src']})")
            elif node.tag == "a":
                out.append(self.link(node, cell))
            elif node.tag == "p" and cell:
                out.append(self.inline(node.children, cell).strip(SPACE) + " ")
            else:
                out.append(self.inline(node.children, cell))
        return "".join(out)

    def link(self, node: Node, cell: bool) -> str:
        href = node.attrs.get("href", "")
        note = re.match(r"^#(footnote|endnote)-(\d+)$", href)
        if note:
            return f"[^{note.group(1)[0]}{note.group(2)}]"
        if re.match(r"^#(footnote|endnote)-ref-\d+$", href):
            return ""  # the ↑ back-link of a footnote: the renderer makes its own
        text = self.inline(node.children, cell)
        if href.startswith(("http://", "https://", "mailto:")):
            return f"[{text}]({href.replace(' ', '%20').replace(')', '%29')})"
        return text

    def blocks(self, root: Node) -> list[Block]:
        result: list[Block] = []
        for node in root.children:
            if isinstance(node, str):
                if node.strip(SPACE):
                    result.append(Block("p", escape_line_starts(escape(node.strip(SPACE)))))
                continue
            result += self.block(node)
        return result

    def block(self, node: Node) -> list[Block]:
        tag = node.tag
        if tag == "p":
            kids = [c for c in node.children if not (isinstance(c, str) and not c.strip(SPACE))]
            if len(kids) == 1 and isinstance(kids[0], Node) and kids[0].tag == "img":
                img = kids[0]
                return [
                    Block("figure", "", image=(img.attrs["src"], _alt(img.attrs.get("alt", ""))))
                ]
            md = escape_line_starts(self.inline(node.children).strip(SPACE))
            text = plain(node).strip(SPACE)
            return [Block("p", md, text, node.attrs.get("class", ""))] if md else []
        if re.fullmatch(r"h[1-6]", tag):
            md = self.inline(node.children).strip(SPACE).replace("\\\n", " ")
            return [Block("h", f"{'#' * int(tag[1])} {md}", plain(node).strip(SPACE))] if md else []
        if tag in ("ul", "ol"):
            items = [c for c in node.children if isinstance(c, Node) and c.tag == "li"]
            if items and all(
                re.match(r"^(foot|end)note-\d+$", i.attrs.get("id", "")) for i in items
            ):
                return [self.footnotes(items)]
            return [Block("list", "\n".join(self.list_lines(node)))]
        if tag == "table":
            return [Block("table", self.table(node))]
        if tag == "hr":
            return [Block("p", "---")]
        return [b for child in node.children if isinstance(child, Node) for b in self.block(child)]

    def list_lines(self, node: Node) -> list[str]:
        lines, n = [], 0
        for item in node.children:
            if not isinstance(item, Node) or item.tag != "li":
                continue
            n += 1
            marker = f"{n}." if node.tag == "ol" else "-"
            nested = [c for c in item.children if isinstance(c, Node) and c.tag in ("ul", "ol")]
            rest = [c for c in item.children if c not in nested]
            text = self.inline(rest, cell=True).strip(SPACE)
            lines.append(f"{marker} {escape_line_starts(text) if text else ''}".rstrip())
            for sub in nested:
                lines += [" " * (len(marker) + 1) + line for line in self.list_lines(sub)]
        return lines

    def table(self, node: Node) -> str:
        rows: list[list[str]] = []
        for tr in _find(node, "tr"):
            row: list[str] = []
            for cell in tr.children:
                if isinstance(cell, Node) and cell.tag in ("td", "th"):
                    text = self.inline(cell.children, cell=True).strip(SPACE) or " "
                    row.append(text)
                    row += [" "] * (int(cell.attrs.get("colspan", "1") or 1) - 1)
            if row:
                rows.append(row)
        if not rows:
            return ""
        width = max(len(r) for r in rows)
        rows = [r + [" "] * (width - len(r)) for r in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
        lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(lines)

    def footnotes(self, items: list[Node]) -> Block:
        lines = []
        for item in items:
            kind, number = re.match(r"^(foot|end)note-(\d+)$", item.attrs["id"]).groups()  # type: ignore[union-attr]
            text = self.inline(item.children, cell=True).strip(SPACE)
            lines.append(f"[^{kind[0]}{number}]: {text}")
        return Block("footnotes", "\n".join(lines))


def _find(node: Node, tag: str) -> list[Node]:
    found = []
    for child in node.children:
        if isinstance(child, Node):
            if child.tag == tag:
                found.append(child)
            elif child.tag != "table":  # not into nested tables
                found += _find(child, tag)
    return found


def _alt(alt: str) -> str:
    """Word's alt text, unless it is a file name or an automatic 'Picture 3'."""
    alt = " ".join(alt.split())
    if re.search(r"\.(jpe?g|png|gif|bmp|tiff?|emf|wmf)$", alt, re.I) or "\\" in alt or "/" in alt:
        return ""
    if re.fullmatch(r"(图片|图像|Picture|Image|图)\s*\d*", alt, re.I):
        return ""
    return alt


# -- the headline -----------------------------------------------------------------------------

LEAD = 4  # the headline is one of the document's first paragraphs, with short lines above it
BYLINE_MAX = 40  # characters
MATCH_AHEAD = 60  # Word paragraphs a block's match is looked for in (a list is one per item)
_ROLES = r"(?:本报|本刊|特约)*(?:通讯员|记者|作者|撰稿人?|供稿人?|摄影)"
_BYLINE = re.compile(rf"^{_ROLES}(?:\s*[:：]\s*|\s+)\S")  # 通讯员 张三, 作者：李四
_INITIAL = re.compile(r"^[文图摄]\s*[/／:：]\s*\S")  # 文/张三 图/李四
# 县扶贫办供稿 (but 本版由…供稿 is the 版's credit, edition.toml's, not the article's byline)
_SUPPLIED = re.compile(r"^(?!本版)\S.*(?:供稿|撰稿)$")
_NOTE = re.compile(r"\s+|\[\d+\]")  # white space, footnote marks: not in Word's own text


# a letterhead (红头) at the top of an office's document: the bureau's or the bulletin's name,
# often red, then the lines of its issue (第N期, who made it, the date)
_MASTHEAD = re.compile(r"(?:文件|简报|快报|专报|动态|通讯|信息|周报|月报)$")
_ISSUE = r"第\s*[\d一二三四五六七八九十〇零百]+\s*期|编印|编$|主办|印发"
_ISSUE_LINE = re.compile(rf"{_ISSUE}|\d{{4}}\s*年\s*\d{{1,2}}\s*月")
_ISSUE_STRONG = re.compile(_ISSUE)  # (a date alone may be an article's dateline)
LETTERHEAD_MAX = 30  # characters in a letterhead's line


def letterhead(blocks: list[Block]) -> int:
    """How many blocks at the start are a letterhead, not the article: a line naming a
    简报/文件 with an issue line (第N期, 编印, a date) or more red under it; or a red line with
    第N期 or 编印 under it (a red headline with only a date under it is an article's). 0: none."""
    if len(blocks) < 2 or blocks[0].kind not in ("p", "h"):
        return 0
    first = blocks[0]
    if len(first.text) > LETTERHEAD_MAX:
        return 0
    n = 1
    while n < min(len(blocks) - 1, LEAD + 1):
        b = blocks[n]
        if b.kind not in ("p", "h") or len(b.text) > LETTERHEAD_MAX:
            break
        if not ((b.shape is not None and b.shape.red) or _ISSUE_LINE.search(b.text)):
            break
        n += 1
    red = first.shape is not None and first.shape.red
    named = _MASTHEAD.search(first.text) is not None
    issue = any(_ISSUE_STRONG.search(b.text) for b in blocks[1:n])
    return n if (red and (named or issue)) or (named and n > 1) else 0


@dataclass
class Headline:
    title: str | None = None
    kicker: str | None = None
    subtitle: str | None = None
    byline: str | None = None
    at: int = 0  # the paragraph the title was taken from (1: the first)
    why: list[Message] | None = None  # why, when the title was a guess (no Title style)
    letterhead: list[str] | None = None  # the letterhead's lines, left out


def attach(blocks: list[Block], layout: wordxml.Layout | None) -> None:
    """Each paragraph and heading block gets its paragraph's shape, matched by text in order."""
    if layout is None:
        return
    paragraphs, at = layout.paragraphs, 0
    for block in blocks:
        if block.kind not in ("p", "h"):
            continue
        key = _NOTE.sub("", block.text)
        ahead = range(at, min(at + MATCH_AHEAD, len(paragraphs)))
        found = next((j for j in ahead if paragraphs[j].text == key), None)
        if found is not None:
            block.shape, at = paragraphs[found], found + 1


def _style(block: Block) -> str | None:
    """What the block's style says (title, subtitle, heading: Heading 1, or None), from Word's
    XML or else from mammoth's classes."""
    if block.shape is not None:
        return block.shape.style
    if block.kind == "h":
        return "heading" if block.md.startswith("# ") else None
    return {"doc-title": "title", "doc-subtitle": "subtitle"}.get(block.cls)


def _short(block: Block) -> bool:
    text = block.text
    return (
        block.kind == "p"
        and block.cls in ("", "doc-title", "doc-subtitle")
        and 0 < len(text) <= SHORT
        and text[-1] not in SENTENCE_END
    )


def _dashes(text: str) -> str | None:
    """The text after a leading dash (——副题), or None."""
    m = re.match(r"^(?:——|—|－－|--)\s*(.+)$", text)
    return m.group(1).strip(SPACE) if m else None


def byline(text: str) -> str | None:
    """The byline in a line such as 通讯员 张三, （作者：李四）, 文/张三 or 县扶贫办供稿."""
    inner = text.strip(SPACE)
    m = re.fullmatch(r"[（(]\s*(.+?)\s*[）)]", inner)
    inner = m.group(1) if m else inner
    if not inner or len(inner) > BYLINE_MAX or inner[-1] in SENTENCE_END:
        return None
    if _BYLINE.match(inner) or _INITIAL.match(inner) or _SUPPLIED.search(inner):
        return inner
    return None


def _marked(block: Block, body_size: int) -> list[Message]:
    """What sets a paragraph apart as a headline by its formatting (none: nothing does)."""
    shape = block.shape
    if shape is None or not _short(block):
        return []
    larger = shape.size > body_size
    if [larger, shape.bold, shape.centred].count(True) < 2:
        return []
    return [
        *([msg("docx.why_bold")] if shape.bold else []),
        *([msg("docx.why_centred")] if shape.centred else []),
        *([msg("docx.why_larger")] if larger else []),
    ]


def _guess(blocks: list[Block], body_size: int | None) -> tuple[int | None, list[Message]]:
    """The title's block when no paragraph is styled Title, and why that one."""
    tops = []  # the blocks the title may be: the first few, with only short lines above
    for i, block in enumerate(blocks[:LEAD]):
        if block.kind not in ("p", "h"):
            break
        tops.append(i)
        if not _short(block):
            break
    for i in tops:
        if _style(blocks[i]) == "heading":
            return i, [msg("docx.why_heading")]
    if body_size is not None:
        marked = [(i, _marked(blocks[i], body_size)) for i in tops]
        marked = [(i, why) for i, why in marked if why]
        if marked:
            return max(marked, key=lambda m: (blocks[m[0]].shape.size, -m[0]))  # type: ignore[union-attr]
    lead = []
    for i, block in enumerate(blocks[:3]):
        if not _short(block) or i + 1 >= len(blocks):
            break
        lead.append(i)
    if lead:
        second = blocks[1].text if len(lead) >= 2 else ""
        two = bool(second) and _dashes(second) is None and byline(second) is None
        return (1 if two else 0), [msg("docx.why_short")]
    if blocks and blocks[0].kind == "h" and len(blocks) > 1:
        return 0, [msg("docx.why_heading")]
    return None, []


def headline(blocks: list[Block], body_size: int | None = None) -> tuple[Headline, list[Block]]:
    """The headline fields and the blocks left for the body. `body_size` (half-points, the
    size of most of the text) lets direct formatting mark the headline."""
    top = letterhead(blocks)
    if top:
        head, body = headline(blocks[top:], body_size)
        head.letterhead = [b.text for b in blocks[:top]]
        head.at += top if head.title is not None else 0
        return head, body
    head = Headline()
    title_at = next((i for i, b in enumerate(blocks) if _style(b) == "title"), None)
    if title_at is None:
        title_at, head.why = _guess(blocks, body_size)
        if title_at is None:
            return head, blocks
    title = blocks[title_at]
    head.title, head.at, used = title.text, title_at + 1, {title_at}
    above = blocks[title_at - 1] if 0 < title_at < LEAD else None
    if (
        above is not None
        and _short(above)
        and byline(above.text) is None
        and (above.shape is None or title.shape is None or above.shape.size <= title.shape.size)
    ):
        head.kicker = above.text
        used.add(title_at - 1)
    for i in range(title_at + 1, min(title_at + 3, len(blocks))):
        below = blocks[i]
        if not _short(below):
            break
        if head.subtitle is None and (_dashes(below.text) or _style(below) == "subtitle"):
            head.subtitle = _dashes(below.text) or below.text
        elif head.byline is None and byline(below.text):
            head.byline = byline(below.text)
        else:
            break
        used.add(i)
    last = next((i for i in range(len(blocks) - 1, -1, -1) if blocks[i].kind != "footnotes"), None)
    if head.byline is None and last is not None and last > max(used) and _short(blocks[last]):
        head.byline = byline(blocks[last].text)
        if head.byline is not None:
            used.add(last)
    # no text in two fields (a Subtitle-styled line may repeat the title, for one)
    if head.kicker == head.title:
        head.kicker = None
    if head.subtitle in (head.title, head.kicker):
        head.subtitle = None
    if head.byline in (head.title, head.kicker, head.subtitle):
        head.byline = None
    return head, [b for i, b in enumerate(blocks) if i not in used]


# -- the import -------------------------------------------------------------------------------


def convert(data: bytes, image_name: Any) -> tuple[list[Block], list[str], int | None]:
    """(blocks, Word's warnings, the size of most of the text in half-points, when known);
    `image_name(content_type, bytes)` names each image."""
    import mammoth

    def save(image: Any) -> dict[str, str]:
        with image.open() as stream:
            return {"src": image_name(image.content_type, stream.read())}

    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data), style_map=STYLE_MAP, convert_image=mammoth.images.img_element(save)
        )
    except Exception as exc:  # mammoth raises zip, XML and key errors for a broken file
        raise BulletinError(
            msg("docx.unreadable", why=f"{type(exc).__name__}: {exc}"[:200]),
            hint=msg("docx.unreadable_hint"),
        ) from None
    warnings = [
        m.message
        for m in result.messages
        if m.type == "warning" and "Unrecognised" not in m.message and "ignored" not in m.message
    ]
    blocks = Converter().blocks(parse_html(result.value))
    # a caption paragraph (Word's Caption style) right after a picture is its 图注
    merged: list[Block] = []
    for block in blocks:
        last = merged[-1] if merged else None
        if block.cls == "caption" and last is not None and last.kind == "figure" and last.image:
            last.image = (last.image[0], block.text)
            continue
        merged.append(block)
    for block in merged:
        if block.kind == "figure" and block.image:
            block.md = f"![{escape(block.image[1])}]({block.image[0]})"
    layout = wordxml.read(data)
    attach(merged, layout)
    return merged, warnings, layout.body_size if layout is not None else None


_IMAGE = re.compile(r"!\[((?:\\.|[^\]\\])*)\]\(([^)\s]+)\)")


def undescribed(blocks: list[Block]) -> list[str]:
    """The images written with no description (alt text, 图注), in order."""
    return [src for b in blocks for alt, src in _IMAGE.findall(b.md) if not alt.strip(SPACE)]


def markdown(blocks: list[Block]) -> str:
    return "\n\n".join(b.md for b in blocks if b.md) + "\n"


def import_docx(
    file: Path, root: Path, *, edition: str | None = None, slug: str | None = None, page: int = 1
) -> Created:
    root = root.resolve()
    info = find_edition(root, edition)
    folder_shown = f"content/{info.id}"
    if slug is None and SLUG.match(file.stem) and not (info.path / f"{file.stem}.md").exists():
        slug = file.stem
    slug = choose_slug(info.path, slug, folder_shown)
    images: dict[str, bytes] = {}  # by name, in the document's order
    notes: list[Message] = []

    def image_name(content_type: str, data: bytes) -> str:
        n = len(images) + 1
        if content_type in CONVERTIBLE:
            from PIL import Image

            buffer = io.BytesIO()
            with Image.open(io.BytesIO(data)) as img:
                img.save(buffer, "PNG")
            data, ext = buffer.getvalue(), "png"
        else:
            ext = IMAGE_TYPES.get(content_type) or content_type.rsplit("/", 1)[-1].split("-")[-1]
        name = f"{slug}-{n}.{re.sub(r'[^a-z0-9]', '', ext.lower()) or 'bin'}"
        if content_type not in IMAGE_TYPES and content_type not in CONVERTIBLE:
            notes.append(msg("docx.image_kind", name=name, kind=ext.upper()))
        images[name] = data
        return name

    blocks, warnings, body_size = convert(file.read_bytes(), image_name)
    if not blocks:
        raise BulletinError(msg("docx.empty"), file=str(file))
    head, body = headline(blocks, body_size)
    if head.letterhead:
        notes.append(msg("docx.letterhead", text="／".join(head.letterhead)))
    if head.title is None:
        head.title = " ".join(file.stem.split())
        notes.append(msg("docx.no_title", title=head.title))
    elif head.why:
        notes.append(msg("docx.headline_guess", n=head.at, title=head.title, why=head.why))
    numbers = {name: n for n, name in enumerate(images, start=1)}
    for name in undescribed(body):
        notes.append(msg("docx.no_caption", file=file.name, n=numbers.get(name, "?"), name=name))
    check_page(info, page)
    listed = info.config.pages[page - 1].articles is not None
    text = article_text(
        head.title,
        body=markdown(body),
        kicker=head.kicker,
        subtitle=head.subtitle,
        byline=head.byline,
        page=page if page != 1 and not listed else None,
    )
    shown = f"{folder_shown}/{slug}.md"
    split_front_matter(text, shown)  # reads back, or says why not
    for name in images:
        if (info.path / name).exists():
            raise BulletinError(
                msg("docx.image_exists", file=f"{folder_shown}/{name}"),
                hint=msg("docx.image_exists_hint"),
            )
    for name, data in images.items():
        (info.path / name).write_bytes(data)
    path = info.path / f"{slug}.md"
    path.write_text(text, encoding="utf-8")
    created = Created(path, shown, files=[shown, *(f"{folder_shown}/{n}" for n in images)])
    _, note = place_article(root, info, slug, page)
    if note is not None:
        created.notes.append(note)
    created.notes += published_note(info)
    from bulletin.commands.check import headline_notes

    created.notes += notes
    created.notes += [msg("docx.word", warning=w) for w in warnings]
    created.notes += headline_notes(title=head.title, kicker=head.kicker, subtitle=head.subtitle)
    return created
