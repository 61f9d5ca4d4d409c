"""What the workbench's requests take and give: a request, a JSON answer, a diagnostic as
the page shows it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bulletin.diagnostics import i18n
from bulletin.diagnostics.errors import BulletinError, Diagnostic, msg
from bulletin.studio.files import Refused, Stale


@dataclass
class Request:
    method: str
    path: str  # below /_studio/api/
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        try:
            data = json.loads(self.body or b"{}")
        except ValueError:
            raise Refused(msg("studio.bad_request")) from None
        if not isinstance(data, dict):
            raise Refused(msg("studio.bad_request"))
        return data


@dataclass
class Answer:
    status: int
    data: Any

    def body(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False).encode("utf-8")


def shown(d: Diagnostic) -> dict[str, Any]:
    """A diagnostic for the page: its words in the current language, and where it is."""
    return {
        "level": d.severity,
        "file": d.file,
        "line": d.line,
        "column": d.column,
        "field": d.field,
        "message": i18n.render(d.message),
        "hint": i18n.render(d.hint) if d.hint is not None else None,
        "text": d.show(),
    }


def failure(exc: BulletinError) -> Answer:
    status = 409 if isinstance(exc, Stale) else 403 if isinstance(exc, Refused) else 400
    return Answer(status, {"error": [shown(d) for d in exc.diagnostics]})


Route = tuple[str, re.Pattern[str], Callable[..., Answer]]


def number(value: Any, field: str) -> int:
    """A whole number the page sent (a 版), or the request is refused."""
    try:
        return int(str(value))
    except ValueError:
        raise Refused(msg("studio.bad_request"), field=field) from None


