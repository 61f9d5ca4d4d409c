"""The write stage: staging folder, one-step swap, nothing else touched."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bulletin.build.output import MARKER, write_site
from bulletin.diagnostics.errors import BulletinError


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


def _objects(folder: Path, **named: bytes) -> dict[str, str]:
    """Files to link, as bulletin.build.cache.ObjectStore would hold them."""
    folder.mkdir(exist_ok=True)
    for name, data in named.items():
        (folder / name).write_bytes(data)
    return {name: str(folder / name) for name in named}


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_a_linked_site_is_kept_as_the_next_builds_staging_folder(tmp_path: Path) -> None:
    """The replaced site is kept as `.site.spare.tmp`; the next build changes only what
    differs in it (unchanged files keep their inode), removes what is gone, and the result
    is exactly the new site."""
    out, spare = tmp_path / "site", tmp_path / ".site.spare.tmp"
    obj = _objects(tmp_path / "objects", a=b"A", b=b"B", c=b"C", d=b"D")
    first = {"index.html": obj["a"], "x/one.html": obj["b"], "x/y/two.html": obj["c"]}
    write_site(first, out, info={"n": 1})
    assert not spare.exists()  # nothing was replaced yet
    second = {"index.html": obj["a"], "x/one.html": obj["d"], "z/new.html": obj["b"]}
    write_site(second, out, info={"n": 2})
    assert _tree(spare) == {"index.html": b"A", "x/one.html": b"B", "x/y/two.html": b"C",
                            MARKER: b'{"n": 1}\n'}  # the old site, whole
    kept = (spare / "index.html").stat().st_ino
    third = {"index.html": obj["a"], "x/one.html": obj["c"], "x/y/two.html": obj["d"]}
    write_site(third, out, info={"n": 3})
    assert _tree(out) == {"index.html": b"A", "x/one.html": b"C", "x/y/two.html": b"D",
                          MARKER: b'{"n": 3}\n'}
    assert (out / "index.html").stat().st_ino == kept == os.stat(obj["a"]).st_ino
    assert _tree(spare)["z/new.html"] == b"B"  # the second site is the spare now
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.spare.tmp", "objects", "site"]


def test_whatever_the_spare_holds_the_new_site_is_exact(tmp_path: Path) -> None:
    """Someone's edits in the spare (an extra file, a folder where a file goes, a file where a
    folder goes, a symbolic link, a copy in place of a link) do not reach the site."""
    out, spare = tmp_path / "site", tmp_path / ".site.spare.tmp"
    obj = _objects(tmp_path / "objects", a=b"A", b=b"B", c=b"C")
    files = {"index.html": obj["a"], "p/page.html": obj["b"], "q/r.html": obj["c"],
             "t.html": obj["a"]}
    write_site(files, out, info={"n": 1})
    write_site({"index.html": obj["b"]}, out, info={"n": 2})  # the first site is the spare
    (spare / "extra.html").write_bytes(b"junk")
    (spare / "q" / "r.html").unlink()
    (spare / "q" / "r.html").mkdir()
    shutil.rmtree(spare / "p")
    (spare / "p").write_bytes(b"a file where a folder goes")
    (spare / "index.html").unlink()
    (spare / "index.html").symlink_to(obj["c"])
    (spare / "t.html").unlink()
    (spare / "t.html").write_bytes(b"a copy, edited")
    write_site(files, out, info={"n": 3})
    assert _tree(out) == {"index.html": b"A", "p/page.html": b"B", "q/r.html": b"C",
                          "t.html": b"A", MARKER: b'{"n": 3}\n'}
    assert not (out / "index.html").is_symlink()


def test_no_spare_where_files_cannot_be_linked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Copies (another file system) are not kept: a spare would double the site's size."""
    out = tmp_path / "site"
    obj = _objects(tmp_path / "objects", a=b"A", b=b"B")
    write_site({"index.html": obj["a"]}, out)

    def no_link(*args: object) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_link)
    write_site({"index.html": obj["b"]}, out)
    assert (out / "index.html").read_bytes() == b"B"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["objects", "site"]
