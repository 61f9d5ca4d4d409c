"""The archive: the list of past editions, the Atom feed, the sitemap and the 404 page.

Only published editions appear here, whatever `--drafts` says. Dates in the feed and the
sitemap are the editions' own dates (China Standard Time), never the build time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from itertools import groupby
from typing import TYPE_CHECKING, Any

from .content import Edition

if TYPE_CHECKING:
    from .render import SiteRenderer

CST = dt.timezone(dt.timedelta(hours=8))


def timestamp(day: dt.date) -> str:
    """RFC 3339 time of an edition: its date at midnight, China Standard Time."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=CST).isoformat()


def by_year(editions: Iterable[Edition]) -> list[tuple[int, list[Edition]]]:
    """Newest year first, newest edition first within it."""
    ordered = sorted(editions, key=lambda e: (e.config.date, e.config.number), reverse=True)
    return [(year, list(group)) for year, group in groupby(ordered, key=lambda e: e.year)]


def neighbours(published: list[Edition], edition: Edition) -> dict[str, Any]:
    """The previous and next published edition around `edition` (a draft has neighbours too)."""
    older = [e for e in published if (e.config.date, e.config.number) < _key(edition)]
    newer = [e for e in published if (e.config.date, e.config.number) > _key(edition)]
    return {
        "previous_edition": older[-1] if older else None,
        "next_edition": newer[0] if newer else None,
    }


def _key(edition: Edition) -> tuple[dt.date, int]:
    return (edition.config.date, edition.config.number)


def write_archive(renderer: SiteRenderer, published: list[Edition], *, pdf: bool) -> None:
    renderer.page("archive.html", "archive/index.html", years=by_year(published), pdf=pdf)
    renderer.page("404.html", "404.html")
    base = renderer.site.config.base_url
    if base:
        newest = max(published, key=_key)
        renderer.page(
            "feed.xml",
            "feed.xml",
            editions=list(reversed(published)),
            updated=timestamp(newest.config.date),
            timestamp=timestamp,
            base=base,
        )
        renderer.page("sitemap.xml", "sitemap.xml", editions=published, base=base)
