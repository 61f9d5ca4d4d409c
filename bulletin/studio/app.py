"""The workbench as `bulletin serve` holds it: its guard, its requests, its page."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from bulletin.studio.api import MAX_UPLOAD, Studio
from bulletin.studio.guard import Guard

ASSETS = resources.files("bulletin") / "theme" / "studio"


def strings(lang: str) -> dict[str, str]:
    """The page's words in `lang` (theme/studio/strings.toml: each key with zh and en)."""
    table = tomllib.loads(ASSETS.joinpath("strings.toml").read_text(encoding="utf-8"))
    return {key: texts.get(lang, texts["zh"]) for key, texts in table.items()}


@dataclass
class Workbench:
    guard: Guard
    api: Studio
    lang: str = "zh"
    max_body: int = MAX_UPLOAD + 1024 * 1024

    @classmethod
    def open(cls, root: Path, host: str, port: int, lang: str, **api: object) -> Workbench:
        return cls(Guard(host, port), Studio(root, lang=lang, **api), lang)  # type: ignore[arg-type]

    def too_large(self) -> dict[str, object]:
        from bulletin.diagnostics import i18n
        from bulletin.diagnostics.errors import Diagnostic, msg
        from bulletin.studio.api import shown

        with i18n.using(self.lang):
            big = msg("studio.body_too_large", mb=MAX_UPLOAD // (1024 * 1024))
            return {"error": [shown(Diagnostic(big, severity="error"))]}

    def page(self) -> bytes:
        import jinja2

        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(ASSETS)), autoescape=True, keep_trailing_newline=True
        )
        words = strings(self.lang)
        return env.get_template("index.html").render(
            lang="en" if self.lang == "en" else "zh-CN",
            csrf=self.guard.csrf,
            words=words,
            words_json=json.dumps(words, ensure_ascii=False).replace("<", "\\u003c"),
        ).encode("utf-8")
