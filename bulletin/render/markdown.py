"""Markdown through markdown-it-py: CommonMark + tables + footnotes, made CJK-aware and safe.

New behaviour is added as core rules over the token stream and as render rules, never as
regexes over finished HTML:

- a soft line break between two CJK characters joins them with no space;
- raw HTML is never passed through: it is shown as text and reported as a warning;
- links may be http(s), mailto or relative; anything else is dropped with a warning;
- a paragraph holding only an image becomes a figure with its caption (图注);
- ```{table} name``` places a computed table; {value}`table/row/column` cites one of its cells;
  ```{chart} name``` places a chart drawn from a table.

The parse is renderer-agnostic: the same tokens feed the HTML renderer here and the Typst
renderer of the print edition.
"""

from __future__ import annotations

import posixpath
import re
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline.state_inline import Scanned, StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.myst_role import myst_role_plugin

from bulletin.diagnostics.errors import (
    BulletinError,
    ContentError,
    Finding,
    Message,
    Text,
    as_message,
    msg,
)

CJK = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3200-\u9fff\uf900-\ufaff"
    "\ufe30-\ufe4f\uff00-\uffef\u2018-\u201f\u2026\u2014"
)
CJK_CHAR = re.compile(f"[{CJK}]")
CJK_END = re.compile(f"[{CJK}]$")
CJK_START = re.compile(f"^[{CJK}]")
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.I)
SAFE_SCHEMES = {"http", "https", "mailto"}
DIRECTIVE = re.compile(r"^\{(\w+)\}\s*(.*)$")


@dataclass
class Context:
    """What one article's render needs from the build, and what it reports back."""

    file: str  # shown path of the article
    first_line: int  # line of the body's first line in the file
    table: Callable[[str], str] | None = None  # name -> rendered table
    tables: Sequence[str] = ()  # names of the tables this edition has
    chart: Callable[[str], str] | None = None  # name -> rendered chart
    charts: Sequence[str] = ()  # names of the charts this edition has
    cite: Callable[[str, str, str], str] | None = None  # (table, row, column) -> text
    image: Callable[[str, str, int], dict[str, Any]] | None = None  # (src, alt, line) -> attrs
    findings: list[Finding] = field(default_factory=list)
    images: list[tuple[str, int]] = field(default_factory=list)
    wide: bool = False  # set when the article places a table or chart
    errors: list[BulletinError] = field(default_factory=list)  # bad images and cited values

    def line(self, token: Token | None) -> int | None:
        if token is not None and token.map:
            return self.first_line + token.map[0]
        return None

    def line_in(self, block: Token, needle: str) -> int | None:
        """The file line of `needle` inside a block (tokens know only the block's start)."""
        line = self.line(block)
        at = block.content.find(needle)
        return line + block.content.count("\n", 0, at) if line is not None and at >= 0 else line

    def warn(self, message: Text, token: Token | None, hint: Text | None = None) -> None:
        self.findings.append(Finding(message, file=self.file, line=self.line(token), hint=hint))

    def error(self, message: Text, token: Token | None, hint: Text | None = None) -> ContentError:
        return ContentError(message, file=self.file, line=self.line(token), hint=hint)

    def cite_error(self, tok: Token, e: KeyError) -> ContentError:
        """A cited value ({value}`…`) the table does not have: the table's KeyError says why,
        as a Message (shown in the same language) or as a text."""
        why = e.args[0] if e.args else str(e)
        reason = why if isinstance(why, Message) else as_message(str(why))
        return ContentError(
            msg("markdown.value_failed", cite=tok.content, why=reason),
            file=self.file,
            line=tok.meta.get("line"),
        )


def context_of(state_or_env: Any) -> Context:
    env = state_or_env.env if isinstance(state_or_env, StateCore) else state_or_env
    return env["ctx"]


# -- CJK-friendly emphasis ------------------------------------------------------------------


class CJKStateInline(StateInline):
    """Emphasis that works in Chinese text.

    CommonMark decides whether `**` can open or close by the characters around it, with no
    notion of Chinese, so `**加大资金投入。**一是` stays literal: the closing run sits between
    punctuation and a letter. Here a CJK character on the *outer* side of a run counts like
    white space, which is how Chinese text, written without spaces, is read; and `_` may
    open or close beside a CJK character, since Chinese has no words for it to split.
    Latin text behaves exactly as in CommonMark.
    """

    def scanDelims(self, start: int, canSplitWord: bool) -> Scanned:
        pos, maximum, marker = start, self.posMax, self.src[start]
        last = self.src[start - 1] if start > 0 else " "
        while pos < maximum and self.src[pos] == marker:
            pos += 1
        nxt = self.src[pos] if pos < maximum else " "
        last_punct = isMdAsciiPunct(ord(last)) or isPunctChar(last)
        next_punct = isMdAsciiPunct(ord(nxt)) or isPunctChar(nxt)
        last_space, next_space = isWhiteSpace(ord(last)), isWhiteSpace(ord(nxt))
        last_cjk, next_cjk = bool(CJK_CHAR.match(last)), bool(CJK_CHAR.match(nxt))
        left = not (next_space or (next_punct and not (last_space or last_cjk or last_punct)))
        right = not (last_space or (last_punct and not (next_space or next_cjk or next_punct)))
        # Chinese has no words to split, so '_' may open or close next to a CJK character too.
        can_open = left and (canSplitWord or not right or last_punct or last_cjk)
        can_close = right and (canSplitWord or not left or next_punct or next_cjk)
        return Scanned(can_open, can_close, pos - start)


def _parse_inline(
    self: Any, src: str, md: MarkdownIt, env: Any, tokens: list[Token]
) -> list[Token]:
    state = CJKStateInline(src, md, env, tokens)
    self.tokenize(state)
    for rule in self.ruler2.getRules(""):
        rule(state)
    return state.tokens


# -- core rules ------------------------------------------------------------------------------


def cjk_soft_breaks(state: StateCore) -> None:
    """A line break inside a Chinese paragraph is not a space."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        kids = block.children
        for i, tok in enumerate(kids):
            if tok.type != "softbreak" or i == 0 or i + 1 == len(kids):
                continue
            before, after = kids[i - 1], kids[i + 1]
            if (
                before.type == "text"
                and after.type == "text"
                and CJK_END.search(before.content)
                and CJK_START.search(after.content)
            ):
                tok.type, tok.content = "text", ""


def safety(state: StateCore) -> None:
    """Raw HTML becomes text; unsafe links are dropped; images must be local files."""
    ctx = context_of(state)
    for block in state.tokens:
        if block.type == "html_block":
            ctx.warn(msg("markdown.raw_html_block"), block, msg("markdown.raw_html_fix"))
        if block.type != "inline" or not block.children:
            continue
        for tok in block.children:
            if tok.type == "html_inline":
                ctx.warn(
                    msg("markdown.raw_html", html=repr(tok.content[:40])),
                    block,
                    msg("markdown.raw_html_fix"),
                )
            elif tok.type == "link_open":
                href = str(tok.attrGet("href") or "")
                if not safe_href(href):
                    ctx.warn(
                        msg("markdown.link_removed", href=repr(href[:60])),
                        block,
                        msg("markdown.link_fix"),
                    )
                    tok.meta["dropped"] = True
                    _matching_close(block.children, tok).meta["dropped"] = True
                elif (leaves := leaves_site(href)) is not None:
                    line = ctx.line_in(block, f"]({href}")
                    ctx.findings.append(Finding(leaves[0], file=ctx.file, line=line,
                                                hint=leaves[1]))
            elif tok.type == "image":
                src = str(tok.attrGet("src") or "")
                if SCHEME.match(src) or src.startswith("//") or src.startswith("/"):
                    raise ctx.error(
                        msg("markdown.image_not_local", src=src[:60]),
                        block,
                        hint=msg("markdown.image_not_local_hint"),
                    )
                tok.meta["line"] = ctx.line(block)
                ctx.images.append((src, ctx.line(block) or ctx.first_line))


def leaves_site(href: str) -> tuple[Message, Message] | None:
    """(what is wrong, the fix) when a relative link from an article page (two folders down:
    editions/<id>/) leaves the site or starts at the web address's top, else None. Such a
    link works on the editor's machine and breaks on the intranet host or from disk."""
    if not href or href.startswith(("#", "//")) or SCHEME.match(href):
        return None
    path = unquote(re.split(r"[#?]", href, maxsplit=1)[0])
    if path.startswith("/"):
        return msg("markdown.link_absolute", href=href), msg("markdown.link_fix_relative")
    if path and posixpath.normpath(posixpath.join("editions/_", path)).startswith(".."):
        return msg("markdown.link_outside", href=href), msg("markdown.link_fix_outside")
    return None


def safe_href(href: str) -> bool:
    """http(s), mailto or relative; judged after undoing percent-encoding and control characters."""
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", unquote(href))
    m = SCHEME.match(cleaned)
    return m is None or m.group(1).lower() in SAFE_SCHEMES


def _matching_close(children: list[Token], opening: Token) -> Token:
    depth = 0
    start = next(i for i, t in enumerate(children) if t is opening)
    for tok in children[start:]:
        depth += tok.nesting if tok.type in ("link_open", "link_close") else 0
        if tok.type == "link_close" and depth == 0:
            return tok
    return opening  # unbalanced: never happens with markdown-it's own tokens


def figures_and_headings(state: StateCore) -> None:
    """Figures for lone images, headings below the headline, table alignment as classes."""
    tokens = state.tokens
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" or tok.type == "heading_close":
            tok.tag = f"h{min(6, int(tok.tag[1]) + 2)}"
        elif tok.type in ("th_open", "td_open") and tok.attrGet("style"):
            # column alignment as a class: the pages' Content-Security-Policy allows no inline style
            align = str(tok.attrGet("style")).removeprefix("text-align:")
            tok.attrs.pop("style")
            tok.attrSet("class", f"align-{align}")
        elif (
            tok.type == "paragraph_open"
            and i + 2 < len(tokens)
            and tokens[i + 1].type == "inline"
            and [c.type for c in tokens[i + 1].children or []] == ["image"]
        ):
            tok.meta["figure"] = tokens[i + 2].meta["figure"] = True
            (tokens[i + 1].children or [])[0].meta["figure"] = True


def directives(state: StateCore) -> None:
    """Check ```{table} name```, ```{chart} name``` and {value}`…` against the edition."""
    ctx = context_of(state)
    for block in state.tokens:
        if block.type == "fence":
            m = DIRECTIVE.match(block.info.strip())
            if not m:
                continue
            kind, arg = m.group(1), m.group(2).strip()
            if kind not in ("table", "chart"):
                raise ctx.error(
                    msg("markdown.unknown_directive", kind=kind),
                    block,
                    hint=msg("markdown.unknown_directive_hint"),
                )
            block.meta["directive"] = (kind, arg)
            if kind == "table" and arg not in ctx.tables:
                raise ctx.error(
                    msg("markdown.no_table", name=arg), block, hint=_known_tables(ctx.tables)
                )
            if kind == "chart" and arg not in ctx.charts:
                raise ctx.error(
                    msg("markdown.no_chart", name=arg), block, hint=_known_charts(ctx.charts)
                )
        elif block.type == "inline":
            for tok in block.children or []:
                if tok.type != "myst_role":
                    continue
                if tok.meta.get("name") != "value":
                    raise ctx.error(
                        msg("markdown.unknown_role", name=tok.meta.get("name")),
                        block,
                        hint=msg("markdown.unknown_role_hint"),
                    )
                parts = [p.strip() for p in tok.content.split("/")]
                if len(parts) != 3 or not all(parts):
                    raise ctx.error(
                        msg("markdown.value_parts", cite=tok.content),
                        block,
                        hint=msg("markdown.value_parts_hint"),
                    )
                if parts[0] not in ctx.tables:
                    raise ctx.error(
                        msg("markdown.no_table", name=parts[0]),
                        block,
                        hint=_known_tables(ctx.tables),
                    )
                tok.meta["cite"] = tuple(parts)
                tok.meta["line"] = ctx.line(block)


def _known_tables(names: Sequence[str]) -> Message:
    # (the names as one text, "a, b": a name is shown as it is, in either language)
    return msg("markdown.tables", names=", ".join(names)) if names else msg("markdown.no_tables")


def _known_charts(names: Sequence[str]) -> Message:
    return msg("markdown.charts", names=", ".join(names)) if names else msg("markdown.no_charts")


# -- HTML render rules -----------------------------------------------------------------------


def _html_block(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return f'<p class="raw-html">{escapeHtml(tokens[idx].content)}</p>\n'


def _html_inline(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return escapeHtml(tokens[idx].content)


def _link(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    tok = tokens[idx]
    if tok.meta.get("dropped"):
        return ""
    if tok.type == "link_open" and SCHEME.match(str(tok.attrGet("href") or "")):
        tok.attrSet("rel", "noopener")
    return self.renderToken(tokens, idx, options, env)


def _paragraph(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    tok = tokens[idx]
    if tok.meta.get("figure"):
        return '<figure class="photo">' if tok.nesting == 1 else "</figure>\n"
    return self.renderToken(tokens, idx, options, env)


def _image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    tok = tokens[idx]
    ctx = context_of(env)
    alt = self.renderInlineAsText(tok.children or [], options, env)
    src = str(tok.attrGet("src") or "")
    try:
        attrs = ctx.image(src, alt, tok.meta.get("line") or 0) if ctx.image else {"src": src}
    except BulletinError as e:  # reported with the article's other bad images (render_html)
        ctx.errors.append(e)
        return ""
    attrs = {"alt": alt, **attrs}
    html = "<img" + "".join(f' {k}="{escapeHtml(str(v))}"' for k, v in attrs.items()) + ">"
    if tok.meta.get("figure") and alt:
        html += f"<figcaption>{escapeHtml(alt)}</figcaption>"
    return html


def _fence_rule(default: Callable[..., str]) -> Callable[..., str]:
    def fence(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        directive = tokens[idx].meta.get("directive")
        if directive:
            ctx = context_of(env)
            ctx.wide = True  # a table or chart needs the full width of the page
            place = ctx.chart if directive[0] == "chart" else ctx.table
            return place(directive[1]) if place else ""
        return default(tokens, idx, options, env)

    return fence


def _role(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    tok = tokens[idx]
    ctx = context_of(env)
    table, row, column = tok.meta["cite"]
    if ctx.cite is None:
        return escapeHtml(tok.content)
    try:
        text = ctx.cite(table, row, column)
    except KeyError as e:  # reported with the article's other failures (render_html)
        ctx.errors.append(ctx.cite_error(tok, e))
        return ""
    return f'<span class="cited" data-cite="{escapeHtml(tok.content)}">{escapeHtml(text)}</span>'


def make_parser() -> MarkdownIt:
    """The parser shared by every renderer (html=True only so that raw HTML is *seen*)."""
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable("table")
    md.use(footnote_plugin)
    md.use(myst_role_plugin)
    md.inline.parse = types.MethodType(_parse_inline, md.inline)  # type: ignore[method-assign]
    md.validateLink = lambda url: True  # type: ignore[method-assign]  # the safety rule decides
    md.core.ruler.after("inline", "cjk_soft_breaks", cjk_soft_breaks)
    md.core.ruler.after("cjk_soft_breaks", "safety", safety)
    md.core.ruler.after("safety", "figures_and_headings", figures_and_headings)
    md.core.ruler.after("figures_and_headings", "directives", directives)
    return md


def make_html_renderer() -> MarkdownIt:
    md = make_parser()
    md.add_render_rule("html_block", _html_block)
    md.add_render_rule("html_inline", _html_inline)
    md.add_render_rule("link_open", _link)
    md.add_render_rule("link_close", _link)
    md.add_render_rule("paragraph_open", _paragraph)
    md.add_render_rule("paragraph_close", _paragraph)
    md.add_render_rule("image", _image)
    md.add_render_rule("fence", _fence_rule(md.renderer.rules["fence"]))
    md.add_render_rule("myst_role", _role)
    return md


def render_html(md: MarkdownIt, text: str, ctx: Context, doc_id: str = "") -> str:
    """The article's HTML; an article with bad images or cited values fails with all of them."""
    html = md.render(text, {"ctx": ctx, "docId": doc_id})
    if ctx.errors:
        first, *rest = ctx.errors
        raise first.with_more([d for e in rest for d in e.diagnostics])
    return html
