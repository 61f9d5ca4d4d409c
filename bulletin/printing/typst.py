"""Typst output for the print edition: the escaper, a Jinja2 environment that escapes every
value by default, and a markdown-it renderer that turns the shared parse into Typst markup.

Text reaches Typst only through :func:`escape`: every ASCII punctuation character gets a
backslash (Typst's escape for "this character, literally"), line breaks become spaces and
other control characters are dropped. So no article can call a function (``#read``), open
math (``$``), make a label or reference (``<x>``, ``@x``), a comment (``//``), a heading,
list or term (``=``, ``-``, ``+``, ``/``), a smart quote or shorthand (``'``, ``...``,
``~``) or an automatic link (``https://``). Values used as code (paths, URLs) go through
:func:`string` instead, a Typst string literal.

Like markupsafe's ``Markup``, :class:`TypstMarkup` marks text that already is Typst markup
(rendered articles, tables): the escaper passes it through unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

from bulletin.render.markdown import Context, context_of, make_parser

_PUNCT = re.compile(r"""([!-/:-@\[-`{-~])""")  # every ASCII punctuation character
_NEWLINES = re.compile(r"\r\n|[\n\r\v\f\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_LABEL = re.compile(r"^[A-Za-z0-9_-]+$")


class TypstMarkup(str):
    """A string that is already Typst markup: the escaper leaves it alone. Like Markup, what
    str operations make of it (`+`, slicing) is plain str again, and escaped."""

    __slots__ = ()


def escape(value: Any) -> TypstMarkup:
    """Any value as Typst markup that prints exactly its text."""
    if isinstance(value, TypstMarkup):
        return value
    if value is None:
        return TypstMarkup("")
    text = _CONTROL.sub("", _NEWLINES.sub(" ", str(value))).replace("\t", " ")
    return TypstMarkup(_PUNCT.sub(r"\\\1", text))


def string(value: Any) -> TypstMarkup:
    """A Typst string literal (for code: paths, URLs, metadata) holding exactly `value`."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    text = re.sub(r"[\x00-\x1f\x7f\x85\u2028\u2029]", lambda m: f"\\u{{{ord(m[0]):x}}}", text)
    return TypstMarkup(f'"{text}"')


def array(values: Iterable[Any]) -> TypstMarkup:
    """A Typst array of string literals: ("a", "b",)."""
    items = [string(v) for v in values]
    return TypstMarkup("(" + ", ".join(items) + ",)" if items else "()")


def content(value: Any) -> TypstMarkup:
    """A Typst content block `[...]` holding the escaped value, or `none`."""
    if value is None or value == "":
        return TypstMarkup("none")
    return TypstMarkup(f"[{escape(value)}]")


# -- the Jinja2 environment -------------------------------------------------------------------


def _finalize(value: Any) -> Any:
    return escape(value)


def number(value: Any) -> TypstMarkup:
    """A number for Typst code (``|typst_num``): an int or a float, never text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"not a number: {value!r}")
    return TypstMarkup(repr(int(value) if isinstance(value, int) else round(float(value), 4)))


def make_environment(
    folders: Sequence[Path | Any], filters: dict[str, Callable[..., Any]] | None = None
) -> jinja2.Environment:
    """Jinja2 for templates that emit Typst: every ``{{ value }}`` passes :func:`escape`.

    Filters return :class:`TypstMarkup`: ``|typst_str`` (a string literal, for code),
    ``|typst_array``, ``|typst_content`` (``[...]`` or ``none``), ``|typst_num``.
    """
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(f)) for f in folders]),
        autoescape=False,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(typst_str=string, typst_array=array, typst_content=content, typst_num=number)
    env.filters.update(filters or {})
    return env


# -- Markdown → Typst --------------------------------------------------------------------------

Rule = Callable[[Any, Sequence[Token], int, Any, Any], str]


class TypstRenderer(RendererHTML):
    """Renders markdown-it tokens with the Typst rules registered on it; unknown tokens
    render as nothing (their text still renders), never as HTML."""

    __output__ = "typst"

    def __init__(self, parser: Any = None) -> None:
        self.rules: dict[str, Any] = {}

    def renderToken(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return ""

    def render(self, tokens: Sequence[Token], options: Any, env: Any) -> str:
        return "".join(markup for _, markup in self.render_parts(tokens, options, env, False))

    def render_parts(
        self,
        tokens: Sequence[Token],
        options: Any,
        env: Any,
        split: bool = True,
        chunks: bool = False,
    ) -> list[tuple[str, str]]:
        """("text", markup) and, with `split`, ("wide", markup) for each top-level
        directive (a table or chart: it spans the page). With `chunks`, every top-level
        block (a paragraph, a heading, a list) is a "text" part of its own: the print
        makeup measures and places them one by one. Footnote bodies are rendered first, to
        be placed at their references."""
        main: list[Token] = []
        notes: dict[int, list[Token]] = {}
        current: list[Token] | None = None
        for tok in tokens:
            if tok.type == "footnote_open":
                current = notes.setdefault(int(tok.meta["id"]), [])
            elif tok.type == "footnote_close":
                current = None
            elif tok.type in ("footnote_block_open", "footnote_block_close"):
                pass
            elif current is not None:
                current.append(tok)
            else:
                main.append(tok)
        env["typst_notes"], env["typst_notes_done"] = {}, set()
        for i, note in notes.items():
            env["typst_notes"][i] = super().render(note, options, env).strip()
        parts: list[tuple[str, str]] = []
        start = 0
        for i, tok in enumerate(main):
            if split and tok.level == 0 and tok.type == "fence" and tok.meta.get("directive"):
                parts.append(("text", super().render(main[start:i], options, env)))
                parts.append(("wide", super().render([tok], options, env)))
                start = i + 1
            elif chunks and tok.level == 0 and tok.nesting <= 0:
                parts.append(("text", super().render(main[start : i + 1], options, env)))
                start = i + 1
        parts.append(("text", super().render(main[start:], options, env)))
        return [(kind, markup) for kind, markup in parts if markup.strip()]


def _const(text: str) -> Rule:
    return lambda self, tokens, idx, options, env: text


KEEP_LAST = 3  # characters a paragraph's last line holds at least


def _text(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Text; at the end of a block's text, its last characters kept together in a box, so
    that a paragraph never ends on a line of one or two characters (孤字): the line before
    gives up a character instead (the line count is the same, and so the makeup's measure;
    the PDF's text is unchanged, unlike with a word joiner)."""
    text = tokens[idx].content
    if idx == len(tokens) - 1 and len(text) > KEEP_LAST and not text[-KEEP_LAST:].isascii():
        head, tail = text[:-KEEP_LAST], text[-KEEP_LAST:]
        if not any(c.isspace() for c in tail):
            return TypstMarkup(f"{escape(head)}#box[{escape(tail)}]")
    return escape(text)


def _paragraph_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return "\n" if tokens[idx].hidden else "\n\n"


def _heading_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    # h3 for '#' (markdown.py shifts headings below the headline): level 2 under the title
    level = max(2, int(tokens[idx].tag[1]) - 1)
    return f"#heading(level: {level})["


def _list_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    tok = tokens[idx]
    tight = idx + 2 < len(tokens) and tokens[idx + 2].hidden
    args = f"tight: {'true' if tight else 'false'}"
    if tok.type == "ordered_list_open":
        start = int(tok.attrGet("start") or 1)
        return f"#enum(start: {start}, {args},\n"
    return f"#list({args},\n"


def _link_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    tok = tokens[idx]
    href = str(tok.attrGet("href") or "")
    stack = env.setdefault("typst_links", [])
    # Only absolute links mean anything on paper; dropped and relative ones keep their text.
    external = not tok.meta.get("dropped") and re.match(r"^(https?:|mailto:)", href, re.I)
    stack.append("]" if external else "")
    return f"#link({string(href)})[" if external else ""


def _link_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    stack = env.get("typst_links") or [""]
    return stack.pop()


def _code_inline(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return f"#raw({string(tokens[idx].content)})"


def _code_block(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    tok = tokens[idx]
    directive = tok.meta.get("directive")
    if directive:  # ```{table} name```, and so on: the Context's callback of that name
        kind, arg = directive
        place = getattr(context_of(env), kind, None)
        return (str(place(arg)) if callable(place) else "") + "\n\n"
    return f"#raw(block: true, {string(tok.content.rstrip(chr(10)))})\n\n"


def _html_block(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return f"#raw(block: true, {string(tokens[idx].content.rstrip(chr(10)))})\n\n"


def _image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    tok = tokens[idx]
    ctx = context_of(env)
    alt = self.renderInlineAsText(tok.children or [], options, env)
    src = str(tok.attrGet("src") or "")
    attrs = ctx.image(src, alt, tok.meta.get("line") or 0) if ctx.image else {"src": src}
    path = string(attrs["src"])
    if tok.meta.get("figure"):
        caption = f", caption: [{escape(alt)}]" if alt else ""
        return f"#figure(image({path}, width: 100%, alt: {string(alt)}){caption})"
    return f"#box(image({path}, height: 1.2em, alt: {string(alt)}))"


def _role(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    tok = tokens[idx]
    ctx = context_of(env)
    if ctx.cite is None:
        return escape(tok.content)
    try:
        return escape(ctx.cite(*tok.meta["cite"]))
    except KeyError as e:
        raise ctx.cite_error(tok, e) from None


def _footnote_ref(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    note = int(tokens[idx].meta["id"])
    doc = env.get("docId") or "doc"
    label = f"<bl-fn-{doc}-{note}>"
    done: set[int] = env["typst_notes_done"]
    if note in done:
        return f"#footnote({label})"
    done.add(note)
    return f"#footnote[{env['typst_notes'].get(note, '')}]{label}"


def _table_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    aligns: list[str] = []
    for tok in tokens[idx:]:
        if tok.type in ("th_open", "td_open"):
            align = str(tok.attrGet("class") or "").removeprefix("align-")
            aligns.append(align if align in ("left", "center", "right") else "left")
        elif tok.type == "tr_close":
            break
    return f"#table(columns: {len(aligns)}, align: ({', '.join(aligns)},),\n"


def make_renderer() -> MarkdownIt:
    """The shared parser (markdown.make_parser) with Typst render rules."""
    md = make_parser()
    md.renderer = TypstRenderer()
    rules: dict[str, Rule] = {
        "text": _text,
        "softbreak": _const(" "),
        "hardbreak": _const("#linebreak()"),
        "paragraph_open": _const(""),
        "paragraph_close": _paragraph_close,
        "heading_open": _heading_open,
        "heading_close": _const("]\n\n"),
        "em_open": _const("#emph["),
        "em_close": _const("]"),
        "strong_open": _const("#strong["),
        "strong_close": _const("]"),
        "link_open": _link_open,
        "link_close": _link_close,
        "code_inline": _code_inline,
        "code_block": _code_block,
        "fence": _code_block,
        "html_block": _html_block,
        "html_inline": _text,
        "image": _image,
        "myst_role": _role,
        "footnote_ref": _footnote_ref,
        "bullet_list_open": _list_open,
        "ordered_list_open": _list_open,
        "bullet_list_close": _const(")\n\n"),
        "ordered_list_close": _const(")\n\n"),
        "list_item_open": _const("["),
        "list_item_close": _const("],\n"),
        "blockquote_open": _const("#quote(block: true)[\n"),
        "blockquote_close": _const("]\n\n"),
        "hr": _const("#line(length: 100%, stroke: 0.5pt + luma(140))\n\n"),
        "table_open": _table_open,
        "table_close": _const(")\n\n"),
        "thead_open": _const("table.header(\n"),
        "thead_close": _const("),\n"),
        "th_open": _const("[#strong["),
        "th_close": _const("]],\n"),
        "td_open": _const("["),
        "td_close": _const("],\n"),
    }
    for name, rule in rules.items():
        md.add_render_rule(name, rule, fmt="typst")
    return md


def render(md: MarkdownIt, text: str, ctx: Context, doc_id: str = "") -> TypstMarkup:
    """One article's Markdown as Typst markup (directives in place)."""
    return TypstMarkup(md.render(text, _env(ctx, doc_id)))


def render_parts(
    md: MarkdownIt, text: str, ctx: Context, doc_id: str = "", *, chunks: bool = False
) -> list[tuple[str, TypstMarkup]]:
    """One article as ("text", markup) runs and ("wide", markup) tables and charts; with
    `chunks`, one "text" part per top-level block (paragraph, heading, list …)."""
    env = _env(ctx, doc_id)
    tokens = md.parse(text, env)
    parts = md.renderer.render_parts(  # type: ignore[attr-defined]
        tokens, md.options, env, chunks=chunks
    )
    return [(kind, TypstMarkup(markup)) for kind, markup in parts]


def _env(ctx: Context, doc_id: str) -> dict[str, Any]:
    if doc_id and not _LABEL.match(doc_id):
        raise ValueError(f"doc_id {doc_id!r} is not a plain name")
    return {"ctx": ctx, "docId": doc_id}


# -- charts and computed statistics tables -----------------------------------------------------


def svg_figure(key: str, caption: str | None = None, width: float | None = None) -> TypstMarkup:
    """A vector chart. Its SVG text reaches Typst as ``sys.inputs[key]`` (pdf.compile_typst's
    `inputs`), so charts need no files. `width`: its natural width in points, never wider
    than the column or page."""
    svg = f"bytes(sys.inputs.at({string(key)}))"
    if width is None:
        body = f'image({svg}, format: "svg", width: 100%)'
    else:
        fit = f"calc.min({width:.2f}pt, size.width)"
        body = f'layout(size => align(center, image({svg}, format: "svg", width: {fit})))'
    return TypstMarkup(f"#figure({body}, caption: {content(caption)})\n")


def computed_table(table: Any, *, source: bool = True) -> TypstMarkup:
    """A ComputedTable as a call of the template's `bl-stat-table` (header repeated on
    every page the table runs onto; the totals row in a non-repeating footer). `source`:
    print the table's source note under it."""
    columns = list(table.columns)
    widths = ", ".join("auto" if i == 0 else "1fr" for i in range(len(columns)))
    aligns = ", ".join("right" if c.numeric else "center" for c in columns)
    head = []
    for row in table.header_rows:
        for cell in row:
            span = ""
            if cell.colspan > 1:
                span += f"colspan: {int(cell.colspan)}, "
            if cell.rowspan > 1:
                span += f"rowspan: {int(cell.rowspan)}, "
            head.append(f"table.cell({span}align: center + horizon)[#strong[{escape(cell.text)}]]")
    body, foot = [], []
    for row in table.body:
        wrap = "#strong[{}]" if row.is_total else "{}"
        cells = ["[" + wrap.format(escape(text)) + "]" for text in row.cells]
        (foot if row.is_total else body).append(", ".join(cells))
    parts = [
        f"columns: ({widths},)",
        f"align: ({aligns},)",
        "table.header(" + ", ".join(head) + ")",
        *body,
    ]
    if foot:
        parts.append("table.footer(repeat: false, " + ", ".join(foot) + ")")
    notes = "".join(f"[{escape(n)}], " for n in table.notes)
    note = content(table.source_note if source else None)
    return TypstMarkup(
        f"#bl-stat-table(title: {content(table.title)}, source: {note}, notes: ({notes}), "
        "table(\n  " + ",\n  ".join(parts) + ",\n))\n"
    )
