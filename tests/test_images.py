"""Photos: resized web copies with srcset, errors with file and line, confined to the edition."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from bulletin.cli import main

ARTICLE = "content/2024-01/first.md"


def photo(path: Path, size: tuple[int, int] = (2000, 1000), mode: str = "RGB") -> None:
    img = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128))
    img.save(path)


def build(project: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", "--root", str(project), "--quiet"])
    return result.exit_code, result.output


def with_image(project: Path, markdown: str) -> None:
    (project / ARTICLE).write_text(
        f"---\ntitle: 主题\n---\n\n正文。\n\n{markdown}\n", encoding="utf-8"
    )


def test_photo_gets_resized_copies_and_srcset(project: Path) -> None:
    photo(project / "content/2024-01/field.jpg")
    with_image(project, "![胡国旗在大蒜田里](field.jpg)")
    code, output = build(project)
    assert code == 0, output
    page = (project / "site/editions/2024-01/first.html").read_text(encoding="utf-8")
    assert "<figcaption>胡国旗在大蒜田里</figcaption>" in page
    imgs = sorted((project / "site/editions/2024-01/img").iterdir())
    widths = sorted(Image.open(p).width for p in imgs)
    assert widths == [480, 960, 1440]
    for p in imgs:
        assert p.name in page  # every copy is in the srcset
        assert not Image.open(p).info.get("exif")
    assert 'width="1440" height="720"' in page
    # the home page shows the same figure, resolved through <base>
    assert "img/field-" in (project / "site/index.html").read_text(encoding="utf-8")


def test_small_transparent_png_stays_png(project: Path) -> None:
    photo(project / "content/2024-01/logo.png", (300, 100), "RGBA")
    with_image(project, "![标志](logo.png)")
    assert build(project)[0] == 0
    [copy] = (project / "site/editions/2024-01/img").iterdir()
    assert copy.suffix == ".png" and Image.open(copy).size == (300, 100)


@pytest.mark.parametrize(
    ("markdown", "setup", "message"),
    [
        ("![图](missing.jpg)", None, "image 'missing.jpg' not found"),
        ("![图](broken.jpg)", "broken", "cannot be read"),
        ("![图](../../secret.jpg)", "outside", "outside the edition folder"),
        ("![图](link.jpg)", "symlink", "outside the edition folder"),
        ("![图](https://example.com/a.jpg)", None, "not a file in the edition folder"),
    ],
)
def test_image_errors_name_file_and_line(
    project: Path, markdown: str, setup: str | None, message: str
) -> None:
    folder = project / "content/2024-01"
    if setup == "broken":
        (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    elif setup == "outside":
        photo(project / "secret.jpg", (10, 10))
    elif setup == "symlink":
        photo(project / "elsewhere.jpg", (10, 10))
        (folder / "link.jpg").symlink_to(project / "elsewhere.jpg")
    with_image(project, markdown)
    code, output = build(project)
    assert code == 1
    assert f"{ARTICLE}:7" in output and message in output, output


def test_every_bad_image_and_cited_value_of_an_article_is_reported(project: Path) -> None:
    """Not only the first: an editor fixes them all in one go."""
    data = project / "data/2024-01"
    data.mkdir(parents=True)
    (data / "t.csv").write_text("县,户数\n睢县,10\n", encoding="utf-8")
    (data / "t.toml").write_text('title = "表"\nsource = "t.csv"\nkey = "县"\n\n'
                                 '[[columns]]\nsource = "户数"\nrole = "count"\n', encoding="utf-8")
    with_image(project, "![一](a.jpg)\n\n![二](b.jpg)\n\n引用{value}`t/宁陵县/户数`。")
    code, output = build(project)
    assert code == 1
    lines = [line for line in output.splitlines() if line.startswith(ARTICLE)]
    assert [line.split(": ", 1)[0] for line in lines] == [f"{ARTICLE}:{n}" for n in (7, 9, 11)]
    assert "'a.jpg' not found" in lines[0] and "'b.jpg' not found" in lines[1], output
    assert "t/宁陵县/户数" in lines[2] and "宁陵县" in lines[2], output


def test_deterministic_bytes(project: Path, tmp_path: Path) -> None:
    photo(project / "content/2024-01/field.jpg")
    with_image(project, "![田](field.jpg)")
    runs = []
    for out in ("a", "b"):
        result = CliRunner().invoke(
            main, ["build", "--root", str(project), "--out", str(tmp_path / out)]
        )
        assert result.exit_code == 0
        folder = tmp_path / out / "editions/2024-01/img"
        runs.append({p.name: p.read_bytes() for p in folder.iterdir()})
    assert runs[0] == runs[1]
    assert all(io.BytesIO(b).read(2) in (b"\xff\xd8", b"\x89P") for b in runs[0].values())
