"""The build's outputs and messages are those recorded in tests/golden/ (see tests/golden.py):
a change meant to change no output is seen to change none. Refresh an intended change with
`.venv/bin/python -m tests.golden --refresh` and name it in the commit.

`pytest tests/test_golden.py -k messages` runs the messages alone (about a minute)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from . import golden


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    return golden.sites(Path(tmp_path_factory.mktemp("golden-sites")))


@pytest.fixture(scope="module")
def messages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    return golden.messages(Path(tmp_path_factory.mktemp("golden-messages")))


def test_sites_were_recorded_with_this_environment() -> None:
    recorded = json.loads(golden.SITES.read_text())["environment"]
    assert golden.environment() == recorded


def test_sites_every_output_file_is_byte_identical(sites: dict[str, dict[str, str]]) -> None:
    recorded = json.loads(golden.SITES.read_text())["sites"]
    assert set(sites) == set(recorded)
    for project, files in recorded.items():
        assert len(files) > 20, project
        got = sites[project]
        differ = sorted(p for p in set(files) | set(got) if files.get(p) != got.get(p))
        assert not differ, f"{project}: {len(differ)} file(s) differ: {differ[:20]}"


def test_messages_unchanged_in_both_languages(messages: dict[str, dict[str, str]]) -> None:
    recorded = json.loads(golden.MESSAGES.read_text())
    assert set(messages) == set(recorded)
    assert len(recorded) >= 40
    for case, outputs in recorded.items():
        assert set(outputs) == {" ".join(run) for run in golden.RUNS}, case
        for run, text in outputs.items():
            assert messages[case][run] == text, f"{case}, {run}"
