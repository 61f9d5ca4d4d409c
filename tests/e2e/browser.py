"""Headless Chromium from Debian (/usr/bin/chromium) under Playwright; never Playwright's own
browser download."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("BULLETIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        raise RuntimeError(f"{CHROMIUM} is missing: run scripts/ensure-system.sh test")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


class Tab:
    """One page that records every request, failed response, console error and page error."""

    def __init__(self, browser: Any, width: int = 1280, height: int = 900) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        self.page.on(
            "response",
            lambda r: self.failed.append(f"{r.url} {r.status}") if r.status >= 400 else None,
        )
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            # Chromium asks the server root for /favicon.ico; the site has none (not an error
            # of the site, which lives under a sub-path).
            if not where.endswith("/favicon.ico"):
                self.errors.append(f"console: {message.text} ({where})")

    def screenshot(self, name: str, *, full_page: bool = False) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def close(self) -> None:
        self.page.close()
