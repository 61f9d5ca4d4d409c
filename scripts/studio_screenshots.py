"""The handbook's pictures of the workbench (docs/studio.md): each screen of 编辑台 over a copy
of the sample project, in headless Chromium, at 1440 px (and the article screen at 390 px).

    .venv/bin/python scripts/studio_screenshots.py      # writes docs/images/studio-*.png
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import copy_project  # noqa: E402
from tests.e2e.browser import chromium  # noqa: E402
from tests.e2e.servers import free_port  # noqa: E402

OUT = ROOT / "docs" / "images"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "sample")
        with (project / "bulletin.toml").open("a", encoding="utf-8") as f:
            f.write(f'\n[publish]\ndest = "{Path(tmp) / "bulletin"}"\n')  # (a folder beside it)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "bulletin", "serve", "--port", str(port)],
            cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}/_studio/"
        try:
            for _ in range(200):
                try:
                    urllib.request.urlopen(base, timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            shoot(base)
        finally:
            server.terminate()
            server.wait(10)


def shoot(base: str) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(base + "#/problems")
        page.wait_for_selector(".problems, .ok", timeout=120_000)
        page.screenshot(path=OUT / "studio-problems.png")
        page.goto(base + "#/")
        page.wait_for_selector("table.list")
        page.screenshot(path=OUT / "studio-editions.png")
        page.set_viewport_size({"width": 1440, "height": 1560})  # (the save bar is sticky)
        page.goto(base + "#/e/2021-13")
        page.wait_for_selector("#save-edition")
        page.screenshot(path=OUT / "studio-edition.png")
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(base + "#/a/2021-13/xindai")
        page.wait_for_selector(".preview-article .body p")
        page.screenshot(path=OUT / "studio-article.png")
        page.goto(base + "#/t/2021-12/microcredit")
        page.wait_for_selector(".computed table")
        page.screenshot(path=OUT / "studio-table.png", full_page=True)
        page.goto(base + "#/publish")
        page.on("dialog", lambda dialog: dialog.accept())
        page.locator("#publish").click()
        page.locator("#publish-result .ok").wait_for(timeout=300_000)
        page.screenshot(path=OUT / "studio-publish.png")
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
        phone.goto(base + "#/a/2021-13/xindai")
        phone.wait_for_selector(".preview-article .body p")
        phone.screenshot(path=OUT / "studio-article-390.png")
    if shutil.which("optipng"):
        subprocess.run(["optipng", "-quiet", *map(str, OUT.glob("studio-*.png"))], check=False)


if __name__ == "__main__":
    main()
