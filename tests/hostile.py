"""Hostile strings, shared by the Typst, PDF, Markdown, fuzz and safety tests, and the check
that none of them became active content in a page (`active_in`).

Each string tries to run code, read files or change the markup where article text, titles,
table cells or settings are interpolated. All are printable, on one line and without control
characters (so they also fit in YAML, TOML and Markdown table cells, and can be found again in
a PDF's text); `HOSTILE` has an even length (tests pair them up).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

# Typst: code, file reads and markup.
TYPST = [
    '#read("/etc/passwd")',
    '#import "x.typ"',
    '#include "a.typ"',
    "$x^2$",
    "]#sys.exit()[",
    "<label>",
    "@ref",
    "// comment",
    "/* c */",
    "= heading",
    "- list",
    "+ list",
    "/ term: x",
    "1. enum",
    "back\\slash \\\\ and \\",
    "{}",
    "#let x = 1",
    "https://x.example/a_b",
    "\\u{41}",
    "`raw`",
    "*strong* _emph_",
    "a~b -- c --- d ... e",
    "'single' \"double\"",
    "#(1 + 1) #{1} #[x]",
    "\\#not \\$math",
    "``` fenced ```",
    "#set text(red)",
    "#show: x => none",
    "-? soft",
    "<<>>&&||!",
]

# HTML: scripts, event handlers, script and data URLs (also hidden behind entities), frames,
# plugins, styles, forms, and template syntax.
MARKUP = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<svg onload=alert(1)><use href="#x"/></svg>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    '<embed src="javascript:alert(1)">',
    '<a href="jav&#x61;script:alert(1)">点我</a>',
    "[点我](javascript:alert(1))",
    "[点我](jav&#x61;script:alert(1))",
    "[点我](JaVaScRiPt&colon;alert(1))",
    "[点我](java&Tab;script:alert(1))",
    "[点我](&#106;&#97;vascript:alert(1))",
    "[点我](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[点我](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{background:url(https://evil.example/x.png)}</style>",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<form action="https://evil.example/"><input name=q></form>',
    '"><script>alert(1)</script>',
    "' onmouseover='alert(1)",
    "{{ 7*7 }} {% raw %} ${7*7}",
    "<!-- --><script>alert(1)</script>",
    "<![CDATA[<script>alert(1)</script>]]>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]

HOSTILE = TYPST + MARKUP
assert len(HOSTILE) % 2 == 0


# -- what must never reach a page -------------------------------------------------------------

OUR_SCRIPTS = {"static/search.js", "pagefind/pagefind-ui.js"}  # site paths
OUR_STYLES = {"static/bulletin.css", "static/search.css", "pagefind/pagefind-ui.css"}
FORBIDDEN_TAGS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button",
    "textarea", "select", "style", "svg", "math", "template", "portal", "noembed", "xmp",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "srcset", "action", "formaction", "poster", "data", "background",
    "xlink:href", "ping", "cite", "longdesc", "manifest", "codebase", "archive",
}  # fmt: skip
BAD_SCHEME = re.compile(r"^(javascript|data|vbscript|file|blob):", re.I)


def active_in(doc: Any, rel: str) -> list[str]:
    """Everything in the lxml tree `doc` (the page at site path `rel`, or an HTML fragment) that
    could run code, load foreign things or style the page: scripts but our own external ones,
    on* attributes, style attributes and elements, frames, plugins, forms, foreign stylesheets,
    meta refreshes, a foreign <base>, and links or sources with a script or data URL."""
    problems: list[str] = []

    def site_path(url: str) -> str:
        return urljoin(f"https://site.invalid/{rel}", url).removeprefix("https://site.invalid/")

    base_seen = False
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue  # comments, processing instructions
        tag = el.tag.lower()
        where = f"{rel}: <{tag}>"
        if tag == "script":
            src = el.get("src")
            if not src or (el.text or "").strip():
                problems.append(f"{where} inline script {(el.text or '')[:60]!r}")
            elif site_path(src) not in OUR_SCRIPTS:
                problems.append(f"{where} script {src!r}")
        elif tag == "link" and el.get("rel") == "stylesheet":
            if site_path(el.get("href", "")) not in OUR_STYLES:
                problems.append(f"{where} stylesheet {el.get('href')!r}")
        elif tag == "link" and el.get("rel") not in ("alternate", "prev", "next"):
            problems.append(f"{where} rel={el.get('rel')!r}")
        elif tag == "meta" and el.get("http-equiv", "").lower() not in (
            "",
            "content-security-policy",
        ):
            problems.append(f"{where} http-equiv={el.get('http-equiv')!r}")
        elif tag == "base":
            # ours: the home page resolves its links from the latest edition's folder
            if base_seen or not re.fullmatch(r"editions/[\w-]+/", el.get("href", "")):
                problems.append(f"{where} href={el.get('href')!r}")
            base_seen = True
        elif tag in FORBIDDEN_TAGS:
            problems.append(where)
        for name, value in el.attrib.items():
            name = name.lower()
            if name.startswith("on"):
                problems.append(f"{where} {name}={value!r}")
            elif name == "style":
                problems.append(f"{where} style={value!r}")
            elif name in URL_ATTRIBUTES or name.endswith("href"):
                for url in value.split(",") if name == "srcset" else [value]:
                    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", url)
                    if BAD_SCHEME.match(cleaned):
                        problems.append(f"{where} {name}={value!r}")
    return problems
