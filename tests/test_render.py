"""Render helpers: relative URLs and headline typography."""

from __future__ import annotations

import pytest

from bulletin.render import headline, relative_url


@pytest.mark.parametrize(
    ("target", "page", "expected"),
    [
        ("static/bulletin.css", "index.html", "static/bulletin.css"),
        ("static/bulletin.css", "editions/2021-12/index.html", "../../static/bulletin.css"),
        ("editions/2021-12/ningling.html", "editions/2021-12/index.html", "ningling.html"),
        ("archive/", "editions/2021-13/a.html", "../../archive/index.html"),
    ],
)
def test_relative_url(target: str, page: str, expected: str) -> None:
    assert relative_url(target, page) == expected


def test_headline_keeps_short_quotes_together_and_escapes() -> None:
    assert str(headline("民权县亮出责任“利剑”力保脱贫成果")) == (
        '民权县亮出责任<span class="nobr">“利剑”</span>力保脱贫成果'
    )
    assert str(headline("<b>“x&y”</b>")) == '&lt;b&gt;<span class="nobr">“x&amp;y”</span>&lt;/b&gt;'
    long_quote = "“" + "很长" * 8 + "”"
    assert "nobr" not in str(headline(long_quote))  # a long quotation may still wrap


def test_relative_urls_agree_with_posixpath() -> None:
    """The fast relative URL is posixpath.relpath's answer for every pair of site paths."""
    import itertools
    import posixpath

    from bulletin.render import relative_url

    paths = ["index.html", "404.html", "archive/index.html", "archive/", "static/a.css",
             "editions/2021-12/index.html", "editions/2021-12/x.html", "editions/2021-13/",
             "editions/2021-12/img/p.jpg", "pagefind/2021-1/", "a", "a/b", "a/b/c", "./x",
             "x/../y", "editions"]  # fmt: skip
    for target, page in itertools.product(paths, paths):
        full = target + "index.html" if target.endswith("/") else target
        assert relative_url(target, page) == posixpath.relpath(
            full, posixpath.dirname(page) or "."
        ), (target, page)
