"""The editors' handbook (docs/, mkdocs.yml): it builds with `mkdocs build --strict`, its
example files really come from the sample site, it loads nothing from other hosts, and
docs/errors.md documents every error message bulletin can print.

The last test reads bulletin's source with `ast`: the literal text of every message given to
BulletinError / ConfigError / ContentError / DataError / Finding (and the few other ways a
message reaches an editor, listed in `message_arguments`) must appear in errors.md. An
f-string is compared by its literal runs (the text between the placeholders) of 6 or more
characters, so `f"image '{src}' not found"` needs `' not found` in errors.md, written there
as `image '‹图片›' not found`.
"""

from __future__ import annotations

import ast
import html
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import mkdocs  # noqa: F401  (the 'test' extra installs mkdocs and pymdown-extensions)
import pymdownx  # noqa: F401
import pytest

from .messages import fragments, message_parts, source_messages

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ERRORS = DOCS / "errors.md"
INCLUDE = re.compile(r'^\s*--8<--\s+"([^"]+)"\s*$', re.M)
BASE_PATH = "!relative $config_dir"  # mkdocs.yml's snippets base_path: the repository root


def mkdocs_build(config: Path, out: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(out)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def handbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The handbook built by the real command, from another working directory."""
    scratch = tmp_path_factory.mktemp("handbook")
    out = scratch / "site"
    done = mkdocs_build(ROOT / "mkdocs.yml", out, cwd=scratch)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}"
    return out


def test_handbook_builds_strict(handbook: Path) -> None:
    pages = {p.relative_to(handbook).as_posix() for p in handbook.rglob("*.html")}
    assert {"index.html", "tables.html", "errors.html"} <= pages
    assert (handbook / "images" / "edition-1440.png").is_file()  # README's screenshot stays


def includes() -> Iterator[tuple[Path, str]]:
    for page in sorted(DOCS.glob("*.md")):
        for spec in INCLUDE.findall(page.read_text(encoding="utf-8")):
            yield page, spec


def included_lines(spec: str) -> list[str]:
    """The lines `--8<-- "path:start:end"` includes (pymdownx.snippets' line range)."""
    path, *span = spec.split(":")
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    if span:
        start, end = (int(s) if s else None for s in [*span, ""][:2])
        lines = lines[(start or 1) - 1 : end]
    return lines


def test_the_handbook_includes_sample_files() -> None:
    found = list(includes())
    specs = {spec.split(":")[0] for _, spec in found}
    ranges = {spec for _, spec in found if ":" in spec}
    # the sample site's own files, not copies of them
    assert {
        "bulletin.toml",
        "content/2021-12/edition.toml",
        "data/2021-12/microcredit.toml",
        "data/2021-12/microcredit.csv",
    } <= specs
    assert any(spec.startswith("content/2021-13/xindai.md:") for spec in ranges)  # lines
    for page, spec in found:
        assert (ROOT / spec.split(":")[0]).is_file(), f"{page.name}: {spec} does not exist"


def test_every_include_is_in_the_built_page(handbook: Path) -> None:
    for page, spec in includes():
        text = (handbook / page.with_suffix(".html").name).read_text("utf-8")
        built = html.unescape(re.sub(r"<[^>]+>", "", text))  # the text, as a reader sees it
        assert "--8<--" not in built, page.name
        lines = [line.strip() for line in included_lines(spec) if line.strip()]
        assert lines, f"{page.name}: {spec} includes nothing"
        longest = max(lines, key=len)
        assert longest in built, f"{page.name}: {spec}: {longest!r} is not in the built page"


def test_a_missing_include_fails_the_strict_build(tmp_path: Path) -> None:
    """check_paths: a sample file that moves makes the build fail instead of drifting."""
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    page = docs / "getting-started.md"
    page.write_text(
        page.read_text(encoding="utf-8")
        + '\n```toml\n--8<-- "content/no-such-edition/edition.toml"\n```\n',
        encoding="utf-8",
    )
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert BASE_PATH in text and "check_paths: true" in text
    text = text.replace(BASE_PATH, f'"{ROOT.as_posix()}"')
    text = re.sub(r"(?m)^docs_dir:.*$", f'docs_dir: "{docs.as_posix()}"', text)
    config = tmp_path / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")

    done = mkdocs_build(config, tmp_path / "site", cwd=tmp_path)
    assert done.returncode != 0
    assert "no-such-edition" in done.stdout + done.stderr

    page.write_text((DOCS / "getting-started.md").read_text(encoding="utf-8"), encoding="utf-8")
    assert mkdocs_build(config, tmp_path / "site", cwd=tmp_path).returncode == 0


# -- nothing loaded from other hosts -----------------------------------------------------------

EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)  # http://, https://, //host
CSS_URL = re.compile(r"""(?:@import\s+|url\(\s*)['"]?((?:[a-z][a-z0-9+.-]*:)?//[^'")\s]*)""", re.I)
LOADED = {  # tag: attributes whose URL the browser loads by itself
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "audio": ("src",),
    "video": ("src", "poster"),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
}


class Loads(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.css: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in LOADED.get(tag, ()):
            value = found.get(name) or ""
            self.urls += [part.split()[0] for part in value.split(",") if part.strip()]
        if found.get("style"):
            self.css.append(found["style"] or "")
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if self._style:
            self.css.append(data)


def test_the_handbook_loads_nothing_from_other_hosts(handbook: Path) -> None:
    problems = []
    for page in sorted(handbook.rglob("*.html")):
        parser = Loads()
        parser.feed(page.read_text(encoding="utf-8"))
        rel = page.relative_to(handbook)
        problems += [f"{rel}: {url}" for url in parser.urls if EXTERNAL.match(url)]
        problems += [f"{rel}: {m}" for css in parser.css for m in CSS_URL.findall(css)]
    for sheet in sorted(handbook.rglob("*.css")):
        text = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.S)
        problems += [f"{sheet.relative_to(handbook)}: {m}" for m in CSS_URL.findall(text)]
    assert not problems, "the handbook loads from other hosts:\n" + "\n".join(problems)


def test_the_external_reference_check_sees_a_cdn_script() -> None:
    parser = Loads()
    parser.feed(
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Lato">'
        '<script src="//cdnjs.cloudflare.com/highlight.min.js"></script>'
        '<img src="img/local.png"><a href="https://www.mkdocs.org/">MkDocs</a>'
    )
    assert [u for u in parser.urls if EXTERNAL.match(u)] == [
        "https://fonts.googleapis.com/css?family=Lato",
        "//cdnjs.cloudflare.com/highlight.min.js",
    ]
    assert CSS_URL.findall("@import url('https://fonts.googleapis.com/x.css'); a{b:url(x.png)}")


# -- every error message is documented ---------------------------------------------------------

# Messages with no literal text of their own, each with the reason it needs no entry.
PYDANTIC = "pydantic's own English description of a wrong value: errors.md explains the pattern"
EXEMPT = {  # (file, message source as ast.unparse gives it): why
    (
        "bulletin/load/config.py",
        "msg('config.bad_value', why=pydantic_reason(err), value=_short(err.get('input')))",
    ): PYDANTIC,
    ("bulletin/commands/publish.py", "msg('publish.host_said', host=str(self), what=said)"): (
        "the web host's own error output after its name: errors.md explains it"
    ),
    ("bulletin/commands/publish.py", "msg('publish.host_said', host=str(host), what=what)"): (
        "the system's reason (strerror) after the host's name"
    ),
    (
        "bulletin/commands/publish.py",
        "msg('publish.host_error', host=str(host), why=why, file=file)",
    ): (
        "the system's reason (strerror) and the file, after the host's name"
    ),
    ("bulletin/charts/spec.py", "'empty'"): (
        "raised and caught in the same validator, which then says what a reference may be"
    ),
}


def test_the_message_extraction_finds_known_messages() -> None:
    texts = {f"{src} {' '.join(parts)}" for _, _, src, parts in source_messages()}
    assert any("is published and locked, but its inputs changed" in s for s in texts)
    assert any("no table named" in s for s in texts)  # ctx.error in markdown.py
    assert any("unknown column" in s for s in texts)  # expr._check's (message, hint)
    assert any("the operator" in s for s in texts)  # …also as `(message, None) if op else None`
    assert any("leaves the site" in s for s in texts)  # crawl.Problem(url, reason)
    assert any("must start with http:// or https://" in s for s in texts)  # a validator
    assert fragments([None, ": ", None, " (", None, ")"]) == []  # too short to be stable
    assert fragments(["chart '", None, "': highlight  names no row '", None, "'"]) == [
        "chart '",
        "': highlight names no row '",
    ]
    # MSG["key"].format(…): the template's placeholders are the gaps
    tables = {"MSG": {"busy": "port {port} is in use", "cite": "{{value}}`{content}`: {why}"}}
    call = ast.parse('MSG["busy"].format(port=port)', mode="eval").body
    assert fragments(message_parts(call, tables) or []) == ["is in use"]
    cite = ast.parse('MSG["cite"]', mode="eval").body
    assert fragments(message_parts(cite, tables) or []) == ["{value}`"]


def test_every_error_message_is_documented() -> None:
    documented = " ".join(ERRORS.read_text(encoding="utf-8").split())
    missing, unstable = [], []
    for file, line, source, parts in source_messages():
        if (file, source) in EXEMPT:
            continue
        if not parts:
            unstable.append(f"{file}:{line}: {source}")
            continue
        for fragment in parts:
            if fragment not in documented:
                missing.append(f"{file}:{line}: {fragment!r}  (from {source})")
    assert not unstable, (
        "messages with no literal text of 6+ characters: add them to EXEMPT with a reason\n"
        + "\n".join(unstable)
    )
    assert not missing, "messages not documented in docs/errors.md:\n" + "\n".join(missing)


def test_exemptions_are_still_needed() -> None:
    sources = {(f, src) for f, _, src, _ in source_messages()}
    assert not [key for key in EXEMPT if key not in sources]
