"""The message catalogues (bulletin/diagnostics/messages/*.toml): every message bulletin shows
has an id, and each id one text per language, with the same placeholders; the code names
only ids that exist, and every id is used."""

from __future__ import annotations

import ast
import pickle
import string

import pytest

from bulletin.diagnostics import i18n
from bulletin.diagnostics.errors import BulletinError, DataError, Diagnostic, Message, msg

from .conftest import ROOT
from .test_i18n import leftover_english


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _msg_calls() -> list[tuple[str, int, ast.Call]]:
    found = []
    for path in sorted((ROOT / "bulletin").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "msg":
                found.append((rel, node.lineno, node))
    return found


def test_every_entry_has_both_languages_with_the_same_placeholders() -> None:
    catalogue = i18n.catalogue()
    assert len(catalogue) >= 7
    for mid, entry in catalogue.items():
        assert set(entry) == {"en", "zh"}, mid
        assert entry["en"].strip() and entry["zh"].strip(), mid
        assert _fields(entry["en"]) == _fields(entry["zh"]), mid
        assert leftover_english(entry["zh"]) is None, (mid, entry["zh"])


def test_the_code_names_messages_by_literal_ids_that_exist() -> None:
    catalogue = i18n.catalogue()
    calls = _msg_calls()
    assert calls
    for file, line, call in calls:
        first = call.args[0] if call.args else None
        assert isinstance(first, ast.Constant) and isinstance(first.value, str), (file, line)
        mid = first.value
        assert mid in catalogue, f"{file}:{line}: no message {mid!r} in the catalogues"
        given = {k.arg for k in call.keywords}
        if None not in given:  # (no **params)
            assert given == _fields(catalogue[mid]["en"]), f"{file}:{line}: {mid}"


def test_every_message_in_the_catalogues_is_used() -> None:
    used = {call.args[0].value for _, _, call in _msg_calls()}  # type: ignore[attr-defined]
    unused = sorted(set(i18n.catalogue()) - used)
    assert not unused, f"messages no code uses: {unused}"


def test_a_message_renders_in_both_languages_with_nested_messages_and_lists() -> None:
    changes = [msg("lock.file_added", path="a.md"), msg("lock.file_removed", path="b.md")]
    message = msg("lock.changed", id="2021-12", files=changes)
    assert str(message) == (
        "edition 2021-12 is published and locked, but its inputs changed: a.md (added), "
        "b.md (removed)"
    )
    assert message.show("zh") == (
        "2021-12 这一期已经发布并锁定，但它的文件有改动：a.md（新增）、b.md（已删除）"
    )


def test_an_error_carries_its_diagnostic_through_pickle_and_prints_in_each_language() -> None:
    error = DataError(
        msg("lock.unreadable", why="bad"), file="bulletin.lock", line=3,
        hint=msg("lock.unreadable_hint"),
    )  # fmt: skip
    assert isinstance(error.diagnostic, Diagnostic)
    assert error.diagnostic.severity == "error"
    assert error.diagnostic.message == Message("lock.unreadable", (("why", "bad"),))
    again = pickle.loads(pickle.dumps(error))
    assert isinstance(again, DataError) and again.diagnostic == error.diagnostic
    assert str(again) == (
        "bulletin.lock:3: error: cannot read the lock: bad\n"
        "  → fix: restore it from version control"
    )
    with i18n.using("zh"):
        assert again.format_message() == (
            "bulletin.lock:3: 错误：读不了锁定文件：bad\n  → 修改建议：从版本库中恢复它"
        )


def test_an_unknown_id_is_a_programming_error_not_english_shown_to_editors() -> None:
    with pytest.raises(LookupError, match="no zh text"):
        msg("lock.no_such_message").show("zh")


def test_errors_know_nothing_of_the_command_line() -> None:
    source = (ROOT / "bulletin" / "diagnostics" / "errors.py").read_text(encoding="utf-8")
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom)
    }
    assert "click" not in imported
    assert BulletinError.__mro__[1] is Exception  # (not click's ClickException)
