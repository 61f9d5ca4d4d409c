"""Photos in articles: checked, confined to the edition folder, resized for screens.

The web edition gets resized, optimised copies with a `srcset`; the print edition uses the
original file. Output is deterministic: no metadata is copied, encoder settings are fixed.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulletin.diagnostics.errors import ContentError, msg

WIDTHS = (480, 960, 1440)
MAX_PIXELS = 60_000_000
# Raster formats only, read by Pillow and by Typst alike. Never SVG (it can carry scripts and
# links to other files), nor EPS/PDF (Pillow would hand them to Ghostscript).
FORMATS = ("JPEG", "PNG", "GIF", "WEBP")


@dataclass
class ImageStore:
    """Resized copies for one edition, keyed by output path (relative to the edition folder)."""

    edition_dir: Path
    root: Path
    files: dict[str, bytes] = field(default_factory=dict)
    _done: dict[Path, dict[str, Any]] = field(default_factory=dict)

    def locate(self, src: str, article: Path, shown: str, line: int) -> Path:
        """The image file for `src` as written in `article`; an error unless inside the edition."""
        path = (article.parent / src).resolve()
        if not path.is_relative_to(self.edition_dir.resolve()) or not path.is_relative_to(
            self.root.resolve()
        ):
            raise ContentError(
                msg("images.outside_edition", src=src),
                file=shown,
                line=line,
                hint=msg("images.outside_edition_hint"),
            )
        if not path.is_file():
            raise ContentError(
                msg("images.not_found", src=src),
                file=shown,
                line=line,
                hint=msg(
                    "images.not_found_hint",
                    path=path.relative_to(self.root.resolve()).as_posix(),
                ),
            )
        if path.suffix.lower() in (".svg", ".svgz"):
            raise ContentError(
                msg("images.svg", src=src),
                file=shown,
                line=line,
                hint=msg("images.svg_hint"),
            )
        return path

    def web(self, src: str, alt: str, article: Path, shown: str, line: int) -> dict[str, Any]:
        """<img> attributes (src, srcset, sizes, width, height) relative to the edition folder."""
        path = self.locate(src, article, shown, line)
        if path not in self._done:
            self._done[path] = self._resize(path, shown, line, src)
        return self._done[path]

    def _resize(self, path: Path, shown: str, line: int, src: str) -> dict[str, Any]:
        from PIL import Image, ImageOps, UnidentifiedImageError

        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        data = path.read_bytes()
        try:
            with warnings.catch_warnings():
                # Pillow only warns between MAX_PIXELS and twice that: an error here
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data), formats=FORMATS) as probe:
                    probe.verify()
                img = Image.open(io.BytesIO(data), formats=FORMATS)
                img.load()
        except UnidentifiedImageError:
            raise ContentError(
                msg("images.not_an_image", src=src, formats=", ".join(FORMATS)),
                file=shown,
                line=line,
                hint=msg("images.not_an_image_hint"),
            ) from None
        except (
            OSError,
            SyntaxError,
            ValueError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ) as e:
            raise ContentError(
                msg("images.unreadable", src=src, why=str(e)), file=shown, line=line
            ) from None
        img = ImageOps.exif_transpose(img)
        alpha = (
            (img.mode in ("RGBA", "LA", "P")
            and "transparency" in img.info)
            or img.mode in ("RGBA", "LA")
        )
        img = img.convert("RGBA" if alpha else "RGB")
        ext = "png" if alpha else "jpg"
        digest = hashlib.sha256(data).hexdigest()[:10]
        stem = f"img/{path.stem}-{digest}"
        widths = [w for w in WIDTHS if w < img.width] + [min(img.width, WIDTHS[-1])]
        srcset = []
        for w in sorted(set(widths)):
            h = round(img.height * w / img.width)
            copy = img if w == img.width else img.resize((w, h), Image.Resampling.LANCZOS)
            buf = io.BytesIO()
            if alpha:
                copy.save(buf, "PNG", optimize=True)
            else:
                copy.save(buf, "JPEG", quality=82, optimize=True, progressive=True)
            name = f"{stem}-{w}.{ext}"
            self.files[name] = buf.getvalue()
            srcset.append(f"{name} {w}w")
        largest = max(widths)
        return {
            "src": f"{stem}-{largest}.{ext}",
            "srcset": ", ".join(srcset),
            "sizes": "(max-width: 40em) 100vw, 40em",
            "width": largest,
            "height": round(img.height * largest / img.width),
            "loading": "lazy",
        }
