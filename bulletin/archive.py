"""The archive: the list of past editions, the Atom feed, the sitemap and the 404 page.

Only published editions appear here, whatever `--drafts` says. Dates in the feed and the
sitemap are the editions' own dates (China Standard Time), never the build time.
"""

from __future__ import annotations

import bisect
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


def neighbours(published: list[Edition], editions: Iterable[Edition]) -> dict[str, dict[str, Any]]:
    """{edition id: its previous and next published edition} (a draft has neighbours too).

    `published` is in date order, as Site.editions is."""
    keys = [_key(e) for e in published]
    around: dict[str, dict[str, Any]] = {}
    for edition in editions:
        before = bisect.bisect_left(keys, _key(edition))
        after = bisect.bisect_right(keys, _key(edition))
        around[edition.id] = {
            "previous_edition": published[before - 1] if before else None,
            "next_edition": published[after] if after < len(published) else None,
        }
    return around


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
