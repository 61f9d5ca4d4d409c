"""The archive's order: editions by year, each edition's neighbours, dates for the feed and
the sitemap (render.write_archive renders the pages).

Only published editions appear here, whatever `--drafts` says. Dates in the feed and the
sitemap are the editions' own dates (China Standard Time), never the build time.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from itertools import groupby

from bulletin.load.content import Edition

CST = dt.timezone(dt.timedelta(hours=8))


def timestamp(day: dt.date) -> str:
    """RFC 3339 time of an edition: its date at midnight, China Standard Time."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=CST).isoformat()


def by_year(editions: Iterable[Edition]) -> list[tuple[int, list[Edition]]]:
    """Newest year first, newest edition first within it."""
    ordered = sorted(editions, key=lambda e: (e.config.date, e.config.number), reverse=True)
    return [(year, list(group)) for year, group in groupby(ordered, key=lambda e: e.year)]


def neighbours(
    published: list[Edition], editions: Iterable[Edition]
) -> dict[str, dict[str, Edition | None]]:
    """{edition id: its previous and next published edition} (a draft has neighbours too).

    `published` is in date order, as Site.editions is."""
    keys = [_key(e) for e in published]
    around: dict[str, dict[str, Edition | None]] = {}
    for edition in editions:
        before = bisect.bisect_left(keys, _key(edition))
        after = bisect.bisect_right(keys, _key(edition))
        around[edition.id] = {
            "previous_edition": published[before - 1] if before else None,
            "next_edition": published[after] if after < len(published) else None,
        }
    return around


def newest(published: list[Edition]) -> Edition:
    """The newest edition by date, then number."""
    return max(published, key=_key)


def _key(edition: Edition) -> tuple[dt.date, int]:
    return (edition.config.date, edition.config.number)
