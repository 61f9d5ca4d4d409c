"""A crawler over HTTP for the tests, independent of bulletin.crawl: lxml finds the links."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

import lxml.html

CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")
SKIP = ("mailto:", "tel:", "data:", "javascript:")


@dataclass
class Crawl:
    status: dict[str, int] = field(default_factory=dict)  # every URL fetched → its status
    types: dict[str, str] = field(default_factory=dict)
    outside: list[tuple[str, str]] = field(default_factory=list)  # (link, page)

    @property
    def broken(self) -> dict[str, int]:
        return {url: code for url, code in self.status.items() if code != 200}


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.headers.get_content_type(), r.read()
    except urllib.error.HTTPError as e:
        return e.code, "", b""


def links(url: str, ctype: str, body: bytes) -> list[str]:
    if ctype == "text/html":
        doc = lxml.html.fromstring(body, base_url=url)
        doc.make_links_absolute(url, resolve_base_href=True)
        found = [link for _, _, link, _ in doc.iterlinks()]
        for el in doc.xpath("//*[@srcset]"):
            found += [urllib.parse.urljoin(url, c.split()[0]) for c in el.get("srcset").split(",")]
        return found
    if ctype == "text/css":
        return [urllib.parse.urljoin(url, m) for m in CSS_URL.findall(body.decode())]
    return []


def crawl(start: str) -> Crawl:
    """Fetch `start` and everything it links or loads, transitively, inside its folder."""
    result = Crawl()
    queue = [start]
    while queue:
        url = queue.pop(0)
        if url in result.status:
            continue
        code, ctype, body = fetch(url)
        result.status[url], result.types[url] = code, ctype
        for link in links(url, ctype, body):
            if link.startswith(SKIP):
                continue
            target = urllib.parse.urldefrag(link)[0]
            if not target.startswith(start):
                result.outside.append((link, url))
            elif target not in result.status:
                queue.append(target)
    return result
