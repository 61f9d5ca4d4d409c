"""The golden outputs: what the build makes today, kept so that a change of the code that
should change nothing (a refactoring) is seen to change nothing.

`tests/golden/` holds, as committed JSON:

- `sites.json`: {project: {site path: sha256}} of every file the build writes, for the
  sample project and a small generated corpus (10 editions of `bench/generate.generate`,
  which takes the worker-pool path, and two of `bench/generate.varied`);
- `messages.json`: {case: {"build en", "build zh", "check en", "check zh": output}} for
  every case of the bad-input corpus (tests/bad_inputs/) and the sample's `check`, each
  the exit code and what the command printed, with the temporary folder written `<tmp>`.

`tests/test_golden.py` builds them again and compares. An intended change of output is
refreshed with

    .venv/bin/python -m tests.golden --refresh

and named in the commit message (which files, and why). The digests hold for the
machine image CI uses (the fonts, Typst and Pagefind pinned there); `environment` in
`sites.json` records what they were made with, and a difference there is reported first.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = Path(__file__).parent / "golden"
SITES = FOLDER / "sites.json"
MESSAGES = FOLDER / "messages.json"
RUNS = (("build", "en"), ("build", "zh"), ("check", "en"), ("check", "zh"))


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _bulletin(args: list[str], project: Path, lang: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bulletin", *args, "--root", str(project)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "BULLETIN_LANG": lang, "PYTHONHASHSEED": "0"},
    )


def environment() -> dict[str, str]:
    """What the digests depend on besides the code: the Typst compiler, Pagefind, the
    fonts (by file digest)."""
    from importlib.metadata import version

    fonts = hashlib.sha256()
    for path in sorted(Path("/usr/share/fonts/opentype/noto").glob("NotoSerifCJK-*.ttc")) + sorted(
        Path("/usr/share/fonts/opentype/noto").glob("NotoSansCJK-*.ttc")
    ):
        fonts.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
    return {
        "typst": version("typst"),
        "pagefind": version("pagefind_bin_extended"),
        "matplotlib": version("matplotlib"),
        "noto-cjk": fonts.hexdigest(),
    }


def sites(work: Path) -> dict[str, dict[str, str]]:
    """{project: {path: sha256}} for the sample and the generated corpus, built each in
    its own process as an editor would (`bulletin build`)."""
    sys.path.insert(0, str(ROOT))
    from bench.generate import generate, varied

    from .conftest import copy_project

    projects = {"sample": copy_project(work / "sample")}
    projects["generated-10"] = generate(10, work / "generated") / "bulletin"
    for index, path in enumerate(varied(work / "varied", 2)):
        projects[f"varied-{index}"] = path
    result: dict[str, dict[str, str]] = {}
    for name, project in projects.items():
        done = _bulletin(["build", "--quiet"], project, "en")
        if done.returncode != 0:
            raise RuntimeError(f"{name}: the build failed\n{done.stderr}")
        result[name] = _digests(project / "site")
    return result


def _outputs(project: Path, tmp: Path) -> dict[str, str]:
    shown: dict[str, str] = {}
    for command, lang in RUNS:
        done = _bulletin([command, "--quiet"] if command == "build" else [command], project, lang)
        text = (done.stdout + done.stderr).replace(str(tmp), "<tmp>")
        shown[f"{command} {lang}"] = f"exit {done.returncode}\n{text}"
    return shown


def messages(work: Path) -> dict[str, dict[str, str]]:
    """What `build` and `check` print for every bad-input case and for the sample, in both
    languages. Each case starts from the built base project, as in test_bad_inputs."""
    from .conftest import copy_project
    from .test_bad_inputs import BASE, CASES, apply_case

    base = work / "base" / "project"
    shutil.copytree(BASE, base)
    done = _bulletin(["build", "--quiet"], base, "en")
    if done.returncode != 0:
        raise RuntimeError(f"the bad-input base does not build\n{done.stderr}")
    (base / "bulletin.lock").unlink()

    def one(case: str) -> dict[str, str]:
        folder = work / "cases" / case
        project = folder / "project"
        shutil.copytree(base, project, symlinks=True)
        apply_case(case, project, folder / "outside")
        return _outputs(project, folder)

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        found = dict(zip(CASES, pool.map(one, CASES), strict=True))
    sample = copy_project(work / "sample-check")
    found["(sample)"] = _outputs(sample, work)
    return found


def make(work: Path) -> dict[str, object]:
    return {
        "environment": environment(),
        "sites": sites(work / "sites"),
        "messages": messages(work / "messages"),
    }


def save(made: dict[str, object]) -> None:
    FOLDER.mkdir(exist_ok=True)
    sites_part = {"environment": made["environment"], "sites": made["sites"]}
    SITES.write_text(json.dumps(sites_part, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    MESSAGES.write_text(
        json.dumps(made["messages"], ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--refresh", action="store_true", help="write tests/golden/ anew")
    args = parser.parse_args(argv)
    if not args.refresh:
        parser.error("nothing to do: --refresh writes tests/golden/ (for tests/test_golden.py)")
    with tempfile.TemporaryDirectory(prefix="bulletin-golden-") as tmp:
        save(make(Path(tmp)))
    print(f"wrote {SITES.relative_to(ROOT)} and {MESSAGES.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
