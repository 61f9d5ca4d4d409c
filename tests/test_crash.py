"""Crash safety: a build killed at any moment leaves `site/` complete — the old one or the new.

A small project (the bad-input base: an article, a table, a chart, the PDF and the search
index) is built in two versions, A and B, whose sites differ; their tree digests are known.
Then the content is switched between the versions and the build is killed with SIGKILL (the
whole process group, Pagefind too) again and again:

- at delays spread over a normal build's measured duration, from start-up to the end;
- with the write stage slowed down (each file written, linked or removed in the staging
  folder, and each file of an old site removed, takes a few milliseconds more: a
  sitecustomize.py on PYTHONPATH), killed at random moments after the staging folder
  appears — so kills land while the staging folder fills (from empty, or from the spare
  site of the build before), at the swap, and while the replaced site becomes the spare.

After every kill `site/` must be exactly site A or site B. Some kills must have landed in the
write stage (a staging folder was left behind). The next normal build must succeed, remove
every leftover and give the expected site.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from .conftest import tree_digest

BASE = Path(__file__).parent / "bad_inputs" / "_base"
ARTICLE = "content/2024-01/first.md"
KILLS_SPREAD = 16  # kills at delays spread over a normal build
KILLS_IN_WRITE = 14  # kills inside the (slowed) write stage
SLOW = 0.01  # seconds added to each file written or removed in the write stage

SITECUSTOMIZE = """
import os, pathlib, shutil, time

_delay = float(os.environ.get("BULLETIN_TEST_SLOW_WRITE", "0"))
if _delay:
    _write_bytes, _write_text = pathlib.Path.write_bytes, pathlib.Path.write_text
    _rmtree, _unlink, _link = shutil.rmtree, os.unlink, os.link
    _removing = []

    def _staging(path):
        return "/.site." in os.fspath(path)

    def write_bytes(self, *args, **kwargs):
        if _staging(self):
            time.sleep(_delay)
        return _write_bytes(self, *args, **kwargs)

    def write_text(self, *args, **kwargs):
        if _staging(self):
            time.sleep(_delay)
        return _write_text(self, *args, **kwargs)

    def link(source, target, *args, **kwargs):
        if _staging(target):
            time.sleep(_delay)
        return _link(source, target, *args, **kwargs)

    def unlink(path, *args, **kwargs):
        if _removing or _staging(path):
            time.sleep(_delay)
        return _unlink(path, *args, **kwargs)

    def rmtree(path, *args, **kwargs):
        slow = _staging(path)
        if slow:
            _removing.append(path)
        try:
            return _rmtree(path, *args, **kwargs)
        finally:
            if slow:
                _removing.pop()

    pathlib.Path.write_bytes, pathlib.Path.write_text = write_bytes, write_text
    os.unlink, os.link, shutil.rmtree = unlink, link, rmtree
"""


def set_version(project: Path, version: str) -> None:
    text = (BASE / ARTICLE).read_text(encoding="utf-8")
    (project / ARTICLE).write_text(text + f"\n版本{version}：本段只在{version}版中。\n", "utf-8")
    (project / "bulletin.lock").unlink(missing_ok=True)  # the edition changes on purpose


def start(project: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bulletin", "build", "--root", str(project), "--quiet"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the kill takes Pagefind along
    )


def kill(run: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # it may have finished already
        os.killpg(run.pid, signal.SIGKILL)
    run.communicate(timeout=60)


def build_ok(project: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    run = start(project, env)
    _, err = run.communicate(timeout=300)
    assert run.returncode == 0, err.decode()
    return time.perf_counter() - started


def test_killed_builds_leave_the_old_or_the_new_site(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(BASE, project)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "BULLETIN_TEST_SLOW_WRITE"}
    slow_env = {
        **env,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(hooks), env.get("PYTHONPATH")])),
        "BULLETIN_TEST_SLOW_WRITE": str(SLOW),
    }

    digests = {}
    durations = []
    for version in ("A", "B"):
        set_version(project, version)
        durations.append(build_ok(project, env))
        digests[version] = tree_digest(project / "site")
    assert digests["A"] != digests["B"]
    assert {p for p in digests["A"] if digests["A"][p] != digests["B"].get(p)} >= {
        "editions/2024-01/first.html",
        "editions/2024-01/2024-01.pdf",
    }
    duration = max(durations)
    files = len(digests["A"])

    rng = random.Random(20240105)
    current = "B"
    outcomes: list[tuple[str, str, bool]] = []  # (how, "old" or "new" site, leftovers)
    plan = [("spread", 0.05 + 1.1 * duration * i / (KILLS_SPREAD - 1)) for i in range(KILLS_SPREAD)]
    # the slowed write stage: every file written, then every old file removed
    window = 2 * files * SLOW
    plan += [("write", rng.uniform(0, 1.2 * window)) for _ in range(KILLS_IN_WRITE)]
    for how, delay in plan:
        target = "A" if current == "B" else "B"
        set_version(project, target)
        if how == "spread":
            run = start(project, env)
            time.sleep(delay)
        else:
            run = start(project, slow_env)
            staging = project / f".site.{run.pid}.tmp"
            deadline = time.monotonic() + 120
            while not staging.exists() and run.poll() is None and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(delay)
        kill(run)
        after = tree_digest(project / "site")
        state = next((v for v, d in digests.items() if d == after), None)
        assert state in (current, target), (
            f"after a kill ({how}, {delay:.3f} s) site/ is neither the old nor the new site: "
            f"{sorted(set(after) ^ set(digests[current]))[:10]}"
        )
        leftovers = bool(leftovers_of(project))
        outcomes.append((how, "new" if state == target else "old", leftovers))
        current = state

    # The kills really hit every part of the build, the write stage included.
    assert {"old", "new"} <= {s for _, s, _ in outcomes}, outcomes
    assert {"old", "new"} <= {s for how, s, _ in outcomes if how == "write"}, outcomes
    assert sum(left for _, _, left in outcomes) >= 3, (
        f"too few kills in the write stage: {outcomes}"
    )

    # The next build succeeds and cleans up after the killed ones.
    target = "A" if current == "B" else "B"
    set_version(project, target)
    build_ok(project, env)
    assert tree_digest(project / "site") == digests[target]
    assert not leftovers_of(project), "leftovers of killed builds remain"
    assert (project / ".site.spare.tmp").is_dir()  # the site before, for the next build


def leftovers_of(project: Path) -> list[Path]:
    """Staging folders of killed builds (the spare site is no leftover)."""
    return [p for p in project.glob(".site.*") if p.name != ".site.spare.tmp"]


def test_a_build_never_removes_the_staging_folder_of_one_still_running(tmp_path: Path) -> None:
    """`bulletin serve` rebuilding while `bulletin build` runs: each cleans up only after
    builds that are gone (a staging folder's name holds its process id)."""
    from bulletin.build.output import clean_leftovers

    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    try:
        out = tmp_path / "site"
        alive = tmp_path / f".site.{running.pid}.tmp"
        dead = tmp_path / f".site.{finished.pid}.tmp"
        dead_old = tmp_path / f".site.{finished.pid}.old.tmp"
        for folder in (alive, dead, dead_old):
            (folder / "editions").mkdir(parents=True)
        clean_leftovers(out)
        assert alive.is_dir() and not dead.exists() and not dead_old.exists()
    finally:
        running.kill()
        running.wait()
    clean_leftovers(out)
    assert not alive.exists()
