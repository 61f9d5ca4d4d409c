"""The fonts charts are drawn in: found by family name among the installed fonts
(``fonts.sans`` of bulletin.toml); a missing font, or a character the fonts lack, stops the
build — never tofu. matplotlib's font manager loads on the first use."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from bulletin.diagnostics.errors import ConfigError, DataError, msg

DEFAULT_FONTS = ("Noto Sans CJK SC",)


@functools.cache
def _installed(families: tuple[str, ...]) -> tuple[tuple[str, Any], ...]:
    """(family, font path) of each named family that is installed, in the given order."""
    from matplotlib import font_manager

    found: dict[str, Any] = {}
    for entry in font_manager.fontManager.ttflist:
        name = entry.name.casefold()
        if name not in found and entry.style == "normal" and entry.weight in (400, "normal"):
            found[name] = (entry.name, _font_path(entry))
    return tuple(found[f.casefold()] for f in families if f.casefold() in found)


def _font_path(entry: Any) -> Any:
    from matplotlib import font_manager

    index = getattr(entry, "index", 0)
    if index and hasattr(font_manager, "FontPath"):  # a face inside a .ttc (matplotlib ≥ 3.11)
        return font_manager.FontPath(entry.fname, index)
    return entry.fname


def installed_families(families: Sequence[str]) -> tuple[str, ...]:
    """The installed families among ``families`` (all of them, for per-glyph fallback)."""
    installed = _installed(tuple(families))
    if not installed:
        named = ", ".join(f"'{f}'" for f in families) or "(none)"
        raise ConfigError(
            msg("charts.no_font", fonts=named),
            file="bulletin.toml",
            field="fonts.sans",
            hint=msg("charts.no_font_hint"),
        )
    return tuple(name for name, _ in installed)


def find_font(families: Sequence[str]) -> str:
    """The file of the first installed family (a ``FontPath`` with the face index for a .ttc).

    Raises :class:`ConfigError` naming the families when none is installed.
    """
    installed_families(families)
    return _installed(tuple(families))[0][1]


def check_glyphs(texts: Sequence[str], families: tuple[str, ...], where: dict[str, Any]) -> None:
    """Every character has a glyph in one of the fonts: a missing one is an error, not tofu."""
    from matplotlib import font_manager

    fonts = [font_manager.get_font(path) for _, path in _installed(families)]
    for text in texts:
        for ch in set(text) - {"\n"}:
            if not any(font.get_char_index(ord(ch)) for font in fonts):
                raise DataError(
                    msg(
                        "charts.no_glyph",
                        fonts=", ".join(families),
                        char=ch,
                        code=f"{ord(ch):04X}",
                        text=text,
                    ),
                    **where,
                    hint=msg("charts.no_glyph_hint"),
                )
