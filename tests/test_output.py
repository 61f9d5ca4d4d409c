"""The write stage: staging folder, one-step swap, nothing else touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin.errors import BulletinError
from bulletin.output import MARKER, write_site


def test_first_write_and_replace(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site({"index.html": b"one", "a/b.css": b"x"}, out)
    assert (out / "index.html").read_bytes() == b"one" and (out / MARKER).exists()
    write_site({"index.html": b"two"}, out)
    assert (out / "index.html").read_bytes() == b"two"
    assert not (out / "a").exists(), "files of the old build do not linger"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"], "no staging folder left"


def test_refuses_to_replace_a_folder_it_did_not_make(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    with pytest.raises(BulletinError, match="not made by bulletin"):
        write_site({"index.html": b"x"}, out)
    assert (out / "precious.txt").read_text() == "keep me"


def test_leftovers_of_a_killed_build_are_removed(tmp_path: Path) -> None:
    stale = tmp_path / ".site.4242.tmp"
    stale.mkdir()
    (stale / "half.html").write_bytes(b"")
    write_site({"index.html": b"x"}, tmp_path / "site")
    assert not stale.exists()


def test_failed_write_keeps_old_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site({"index.html": b"old"}, out)

    class Boom(dict):  # a files mapping that fails half-way through writing
        def items(self):  # type: ignore[override]
            yield "a.html", b"a"
            raise OSError("disk full")

    with pytest.raises(OSError):
        write_site(Boom(), out)
    assert (out / "index.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
