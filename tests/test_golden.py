"""The build's outputs and messages are those recorded in tests/golden/ (see tests/golden.py):
a change meant to change no output is seen to change none. Refresh an intended change with
`.venv/bin/python -m tests.golden --refresh` and name it in the commit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from . import golden


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return golden.make(Path(tmp_path_factory.mktemp("golden")))


def test_the_environment_is_the_recorded_one(made: dict[str, object]) -> None:
    recorded = json.loads(golden.SITES.read_text())["environment"]
    assert made["environment"] == recorded


def test_every_output_file_is_byte_identical(made: dict[str, object]) -> None:
    recorded = json.loads(golden.SITES.read_text())["sites"]
    got = made["sites"]
    assert isinstance(got, dict)
    assert set(got) == set(recorded)
    for project, files in recorded.items():
        assert len(files) > 20, project
        differ = sorted(
            p for p in set(files) | set(got[project]) if files.get(p) != got[project].get(p)
        )
        assert not differ, f"{project}: {len(differ)} file(s) differ: {differ[:20]}"


def test_every_message_is_unchanged_in_both_languages(made: dict[str, object]) -> None:
    recorded = json.loads(golden.MESSAGES.read_text())
    got = made["messages"]
    assert isinstance(got, dict)
    assert set(got) == set(recorded)
    assert len(recorded) >= 40
    for case, outputs in recorded.items():
        assert set(outputs) == {" ".join(run) for run in golden.RUNS}, case
        for run, text in outputs.items():
            assert got[case][run] == text, f"{case}, {run}"
