"""The edits the workbench makes to the text of a project's files, in place: an article's
front matter, a correction appended to edition.toml, a table spec's common settings. Each
keeps every other byte (comments, layout) and is read back by the caller before writing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from bulletin.diagnostics.errors import ConfigError, msg
from bulletin.studio.files import Refused

FIELDS = ("kicker", "title", "subtitle", "byline")


def is_text(data: bytes) -> bool:
    """Whether an upload is text a CSV can be (UTF-8 or GB18030, no NUL bytes)."""
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


# -- edits in place ------------------------------------------------------------------------


def set_text(table: Any, key: str, value: Any) -> None:
    value = " ".join(str(value or "").split())
    if value:
        if table.get(key) != value:
            table[key] = value
    elif key in table:
        del table[key]


def with_correction(info: Any, data: bytes, body: Mapping[str, Any], required: bool) -> bytes:
    """edition.toml's bytes with the request's 勘误 ({"correction": {"date", "text"}}) as
    `bulletin new correction` appends it; a change to a published edition must have one."""
    from bulletin.commands.new import corrected

    given = body.get("correction") or {}
    text = " ".join(str(given.get("text") or "").split())
    if not text:
        if required:
            raise ConfigError(msg("studio.needs_correction", edition=info.id),
                              file=f"content/{info.id}/edition.toml", field="corrections",
                              hint=msg("studio.needs_correction_hint"))
        return data
    try:
        day = dt.date.fromisoformat(str(given.get("date") or ""))
    except ValueError:
        raise Refused(msg("studio.bad_date", date=str(given.get("date"))[:20]),
                      field="corrections") from None
    return corrected(info, data, text, day, date_field="corrections")


_KEY = re.compile(r"^(?P<key>[A-Za-z_]+)[ \t]*:")
_HINT = re.compile(r"^#[ \t]*(?P<key>kicker|subtitle|byline):")


def with_front_matter(text: str, meta: Mapping[str, Any], body: str) -> str:
    """The article `text` with its front matter's headline fields set to `meta` (other lines,
    comments included, kept as they are) and its body replaced by `body`."""
    from bulletin.commands.new import yaml_scalar
    from bulletin.load.config import FRONT_MATTER

    if text.startswith("\ufeff"):
        text = text[1:]
    m = FRONT_MATTER.match(text)
    if not m:
        raise ConfigError(msg("config.no_front_matter"), line=1)
    lines = m.group(1).splitlines()
    head, tail = text[: m.start(1)], text[m.end(1) : m.end()]
    values = {k: " ".join(str(meta.get(k) or "").split()) for k in FIELDS}
    if "page" in meta:
        values["page"] = str(int(meta["page"]))

    def place(key: str) -> int | None:
        for i, line in enumerate(lines):
            km = _KEY.match(line)
            if km and km["key"] == key:
                return i
        return None

    for key, value in values.items():
        at = place(key)
        line = f"{key}: {yaml_scalar(value) if key != 'page' else value}"
        if at is not None:
            end = at + 1
            while end < len(lines) and lines[end][:1] in (" ", "\t"):
                end += 1  # a value continued on indented lines
            if not value or (key == "page" and value == "1" and "page" not in meta):
                del lines[at:end]
            else:
                lines[at:end] = [line]
            continue
        if not value or (key == "page" and value == "1"):
            continue
        hint = next((i for i, x in enumerate(lines)
                     if (hm := _HINT.match(x)) and hm["key"] == key), None)
        if hint is not None:
            lines[hint] = line
        elif key == "kicker":
            title = place("title")
            lines.insert(title if title is not None else 0, line)
        else:
            title = place("title")
            after = place("subtitle") if key == "byline" else None
            at_ = after if after is not None else title
            lines.insert(at_ + 1 if at_ is not None else len(lines), line)
    return head + "\n".join(lines) + ("\n" if lines else "") + tail + body


# -- a table spec's common settings as a form ----------------------------------------------

ROLES = ("count", "value", "reported", "hidden")


def spec_form(text: str) -> dict[str, Any] | None:
    """The settings an editor changes most (what each column is, each rate's formula, the
    ranking), or None when the spec does not read as TOML."""
    import tomlkit

    try:
        doc = tomlkit.parse(text).unwrap()
    except Exception:  # (tomlkit's errors have no common base) the text editor still works
        return None
    columns = []
    for i, c in enumerate(doc.get("columns") or []):
        if not isinstance(c, dict):
            return None
        columns.append({"index": i, "name": c.get("name") or c.get("source") or "",
                        "source": c.get("source"), "role": c.get("role"),
                        "expr": c.get("expr"), "label": c.get("label")})
    rank = doc.get("rank") if isinstance(doc.get("rank"), dict) else None
    return {"columns": columns, "roles": list(ROLES),
            "rank": None if rank is None else {"by": rank.get("by"), "order": rank.get("order"),
                                               "ties": rank.get("ties")}}


def with_spec_form(text: str, form: Mapping[str, Any]) -> str:
    """The spec `text` with the form's settings, its comments and layout kept."""
    import tomlkit

    doc = tomlkit.parse(text)
    columns = doc.get("columns") or []
    for change in form.get("columns") or []:
        i = change.get("index")
        if not isinstance(i, int) or not 0 <= i < len(columns):
            continue
        column = columns[i]
        if "role" in change and column.get("source") is not None:
            role = change["role"] or None
            if role is not None and role not in ROLES:
                raise Refused(msg("studio.bad_request"))
            if role != column.get("role"):
                if role is None:
                    del column["role"]
                else:
                    column["role"] = role
        if "expr" in change and column.get("expr") is not None:
            expr = " ".join(str(change["expr"] or "").split())
            if expr and expr != column.get("expr"):
                column["expr"] = expr
    rank = doc.get("rank")
    for key in ("by", "order", "ties"):
        value = (form.get("rank") or {}).get(key)
        if rank is not None and value and value != rank.get(key):
            rank[key] = value
    return tomlkit.dumps(doc)
