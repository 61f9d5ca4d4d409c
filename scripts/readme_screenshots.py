"""The README's pictures of the sample, as it builds now: the web edition at 1440 px
(docs/images/edition-1440.png: the top of the page) and page 1 of the print edition
(docs/images/print-page-1.png, 700 px wide, by pdftoppm).

    .venv/bin/python scripts/readme_screenshots.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.browser import chromium  # noqa: E402

OUT = ROOT / "docs" / "images"


def main() -> None:
    from bulletin.build import build

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build(ROOT, out=site, update_lock=False)
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1440, "height": 975})
            page.goto((site / "editions" / "2021-12" / "index.html").as_uri())
            page.wait_for_load_state("networkidle")
            box = page.locator("body > *").first.bounding_box() or {"x": 180, "width": 1080}
            page.screenshot(path=OUT / "edition-1440.png",
                            clip={"x": box["x"], "y": 0, "width": box["width"], "height": 975})
        pdf = site / "editions" / "2021-12" / "2021-12.pdf"
        subprocess.run(["pdftoppm", "-png", "-singlefile", "-f", "1", "-l", "1",
                        "-scale-to-x", "700", "-scale-to-y", "-1", str(pdf),
                        str(OUT / "print-page-1")], check=True)


if __name__ == "__main__":
    main()
