"""How each paragraph of a Word document looks: its style, alignment, size and boldness.

mammoth (which turns the document into HTML) keeps a paragraph's style but drops its direct
formatting, and county offices often mark the headline only that way: bold, centred, in a
larger size, with no style. This reads ``word/document.xml`` and ``word/styles.xml`` itself
(zipfile and ElementTree: Word and WPS write the same OOXML) and says, for every paragraph of
the body outside tables, in order, what the headline rules need. Formatting is resolved as
Word does: the run's own properties, then its character style, then the paragraph's style
and the styles it is based on, then the document defaults.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from xml.etree import ElementTree as ET

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DEFAULT_SIZE = 20  # half-points: Word's 10 pt when neither style nor defaults say
OFF = {"0", "false", "off", "none"}
_T = TypeVar("_T")

# A style's name as Word and WPS write it → what it means for the headline. WPS often names
# styles in Chinese and gives them numeric ids ("2" for heading 1); the names are compared
# lower-cased without spaces.
KINDS = {
    "title": "title",
    "标题": "title",
    "subtitle": "subtitle",
    "副标题": "subtitle",
    "heading1": "heading",
    "标题1": "heading",
}


@dataclass(frozen=True)
class Paragraph:
    text: str  # the visible text, white space removed (for matching mammoth's paragraphs)
    style: str | None  # "title", "subtitle", "heading" (Heading 1), or None
    size: int  # half-points of most of its text
    bold: bool  # all of its text is bold
    centred: bool
    red: bool = False  # most of its text is red (a 红头 letterhead's colour)


@dataclass(frozen=True)
class Layout:
    paragraphs: list[Paragraph]  # the body's paragraphs with text, outside tables, in order
    body_size: int  # the size of most of the document's text


@dataclass
class _Style:
    kind: str | None
    based_on: str | None
    ppr: ET.Element | None
    rpr: ET.Element | None


def _on(element: ET.Element | None) -> bool | None:
    """A toggle property (w:b): None when absent."""
    if element is None:
        return None
    return element.get(f"{W}val", "1").lower() not in OFF


def _size(rpr: ET.Element | None) -> int | None:
    sz = rpr.find(f"{W}sz") if rpr is not None else None
    value = sz.get(f"{W}val", "") if sz is not None else ""
    return int(value) if value.isdigit() and int(value) > 0 else None


class _Styles:
    def __init__(self, root: ET.Element | None) -> None:
        self.styles: dict[str, _Style] = {}
        self.default_para: str | None = None
        self.default_size: int | None = None
        self.default_bold: bool | None = None
        if root is None:
            return
        defaults = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        self.default_size = _size(defaults)
        self.default_bold = _on(defaults.find(f"{W}b")) if defaults is not None else None
        for style in root.iter(f"{W}style"):
            sid = style.get(f"{W}styleId")
            if not sid:
                continue
            name = style.find(f"{W}name")
            key = re.sub(r"\s+", "", (name.get(f"{W}val", "") if name is not None else sid))
            based = style.find(f"{W}basedOn")
            self.styles[sid] = _Style(
                KINDS.get(key.lower()),
                based.get(f"{W}val") if based is not None else None,
                style.find(f"{W}pPr"),
                style.find(f"{W}rPr"),
            )
            if style.get(f"{W}type") == "paragraph" and style.get(f"{W}default") in ("1", "true"):
                self.default_para = sid

    def chain(self, sid: str | None) -> list[_Style]:
        """The style and the styles it is based on, nearest first."""
        found: list[_Style] = []
        seen: set[str] = set()
        while sid and sid in self.styles and sid not in seen and len(found) < 20:
            seen.add(sid)
            found.append(self.styles[sid])
            sid = self.styles[sid].based_on
        return found

    @staticmethod
    def first(chain: list[_Style], get: Callable[[_Style], _T | None]) -> _T | None:
        """The first value a style of `chain` sets, nearest first."""
        for style in chain:
            value = get(style)
            if value is not None:
                return value
        return None


def _part(archive: zipfile.ZipFile, name: str) -> ET.Element | None:
    try:
        return ET.fromstring(archive.read(name))
    except (KeyError, ET.ParseError):
        return None


def _document_name(archive: zipfile.ZipFile) -> str:
    rels = _part(archive, "_rels/.rels")
    for rel in rels.iter(f"{REL}Relationship") if rels is not None else ():
        if rel.get("Type", "").endswith("/officeDocument"):
            return rel.get("Target", "").lstrip("/") or "word/document.xml"
    return "word/document.xml"


def _body_paragraphs(element: ET.Element) -> list[ET.Element]:
    """The paragraphs of the body in order, through content controls, not into tables."""
    found: list[ET.Element] = []
    for child in element:
        if child.tag == f"{W}p":
            found.append(child)
        elif child.tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}smartTag"):
            found += _body_paragraphs(child)
    return found


def _runs(element: ET.Element) -> list[ET.Element]:
    """The runs of a paragraph that show text (not deleted ones, not text boxes)."""
    found: list[ET.Element] = []
    for child in element:
        if child.tag == f"{W}r":
            found.append(child)
        elif child.tag not in (f"{W}del", f"{W}moveFrom", f"{W}pPr"):
            found += _runs(child)
    return found


def _run_text(run: ET.Element) -> str:
    return "".join(t.text or "" for t in run if t.tag == f"{W}t")


def read(data: bytes) -> Layout | None:
    """The layout of the .docx in `data`, or None when it cannot be read (the import then
    goes on with what mammoth tells: styles, no direct formatting)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            name = _document_name(archive)
            document = _part(archive, name)
            styles = _Styles(_part(archive, posixpath.join(posixpath.dirname(name), "styles.xml")))
    except Exception:  # the layout only helps find the headline: never a reason to fail
        return None
    body = document.find(f"{W}body") if document is not None else None
    if body is None:
        return None
    sizes: Counter[int] = Counter()
    paragraphs = []
    top = {id(p) for p in _body_paragraphs(body)}
    for p in body.iter(f"{W}p"):
        found = _paragraph(p, styles, sizes)
        if found is not None and id(p) in top:
            paragraphs.append(found)
    body_size = sizes.most_common(1)[0][0] if sizes else DEFAULT_SIZE
    return Layout(paragraphs, body_size)


def _jc(style: _Style) -> str | None:
    jc = style.ppr.find(f"{W}jc") if style.ppr is not None else None
    return jc.get(f"{W}val") if jc is not None else None


def _style_size(style: _Style) -> int | None:
    return _size(style.rpr)


def _style_bold(style: _Style) -> bool | None:
    return _on(style.rpr.find(f"{W}b")) if style.rpr is not None else None


def _red(rpr: ET.Element | None) -> bool:
    """Whether a run's own colour is a red (FF0000, C00000, E60012 …: red high, the others low)."""
    color = rpr.find(f"{W}color") if rpr is not None else None
    value = (color.get(f"{W}val") or "") if color is not None else ""
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", value):
        return False
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return r >= 0xB0 and g <= 0x60 and b <= 0x60


def _paragraph(p: ET.Element, styles: _Styles, sizes: Counter[int]) -> Paragraph | None:
    ppr = p.find(f"{W}pPr")
    pstyle = ppr.find(f"{W}pStyle") if ppr is not None else None
    chain = styles.chain(pstyle.get(f"{W}val") if pstyle is not None else styles.default_para)
    jc = ppr.find(f"{W}jc") if ppr is not None else None
    align = jc.get(f"{W}val") if jc is not None else styles.first(chain, _jc)
    para_size = styles.first(chain, _style_size)
    para_bold = styles.first(chain, _style_bold)
    shares: Counter[int] = Counter()
    text, bold, red = "", True, 0
    for run in _runs(p):
        shown = re.sub(r"\s+", "", _run_text(run))
        if not shown:
            continue
        rpr = run.find(f"{W}rPr")
        rstyle = rpr.find(f"{W}rStyle") if rpr is not None else None
        rchain = styles.chain(rstyle.get(f"{W}val") if rstyle is not None else None)
        size = _size(rpr) or styles.first(rchain, _style_size) or para_size
        own = _on(rpr.find(f"{W}b")) if rpr is not None else None
        for value in (own, styles.first(rchain, _style_bold), para_bold, styles.default_bold):
            if value is not None:
                bold = bold and value
                break
        else:
            bold = False
        shares[size or styles.default_size or DEFAULT_SIZE] += len(shown)
        red += len(shown) if _red(rpr) else 0
        text += shown
    if not text:
        return None
    sizes.update(shares)
    kind = chain[0].kind if chain else None
    return Paragraph(text, kind, shares.most_common(1)[0][0], bold, align == "center",
                     2 * red > len(text))
