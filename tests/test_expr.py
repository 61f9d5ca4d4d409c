"""The safe expression evaluator: what it accepts, what it rejects, and exact arithmetic."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin.compute import expr
from bulletin.diagnostics.errors import DataError

COLUMNS = ["当年新增户数", "已脱贫户数", "监测户数", "县(市、区)", "a", "b"]
KEYS = ["永城市", "梁园区"]  # the rows


def series(*values: int) -> list[Fraction]:
    return [Fraction(v) for v in values]


def env() -> dict[str, list[Fraction]]:
    return {
        "当年新增户数": series(824, 7),
        "已脱贫户数": series(4941, 2811),
        "监测户数": series(8, 71),
        "县(市、区)": series(1, 2),
        "a": series(3, -5),
        "b": series(2, 2),
    }


def run(text: str) -> list[Fraction]:
    return expr.parse(text, columns=COLUMNS).evaluate(env(), KEYS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("当年新增户数 / (已脱贫户数 + 监测户数)", [Fraction(824, 4949), Fraction(7, 2882)]),
        ("a + b * 2 - 1", [Fraction(6), Fraction(-2)]),
        ("-a", [Fraction(-3), Fraction(5)]),
        ("+a", [Fraction(3), Fraction(-5)]),
        ("a / b", [Fraction(3, 2), Fraction(-5, 2)]),
        ("abs(a)", [Fraction(3), Fraction(5)]),
        ("min(a, b, 0)", [Fraction(0), Fraction(-5)]),
        ("max(a, b)", [Fraction(3), Fraction(2)]),
        ("round(a / b)", [Fraction(2), Fraction(-3)]),  # half away from zero, not to even
        ("round(当年新增户数 / 8, 2)", [Fraction(103), Fraction(88, 100)]),  # 0.875 → 0.88
        ("0.1 + 0.2", [Fraction(3, 10)] * 2),  # exact, not 0.30000000000000004
        ("`县(市、区)` * 10", [Fraction(10), Fraction(20)]),
        ("  a + 1  ", [Fraction(4), Fraction(-4)]),
        ("(a +\n b)", [Fraction(5), Fraction(-3)]),
        ("42", [Fraction(42)] * 2),
    ],
)
def test_whitelist_is_accepted_and_exact(text: str, expected: list[Fraction]) -> None:
    assert run(text) == expected


def test_names_are_the_columns_read() -> None:
    parsed = expr.parse("round(`县(市、区)` / a, 2) + max(1, b) - abs(当年新增户数)",
                        columns=COLUMNS)
    assert parsed.names == {"县(市、区)", "a", "b", "当年新增户数"}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("__import__('os')", "calling '__import__' is not allowed"),
        ("__import__", "double underscore"),
        ("`__class__`", "double underscore"),
        ("＿＿import＿＿('os')", "not a valid expression"),  # full-width: not an identifier
        ("`round`(a)", "calling '`round`' is not allowed"),
        ("`a`.real", "attribute access"),
        ("ａ.ｂ", "attribute access"),  # NFKC makes it a.b
        ("a.__class__", "attribute access"),
        ("a.b", "attribute access"),
        ("a[0]", "subscripts"),
        ("[x for x in y]", "comprehensions"),
        ("{x: 1 for x in a}", "comprehensions"),
        ("(x for x in a)", "comprehensions"),
        ("lambda: 1", "lambda"),
        ("open('x')", "calling 'open' is not allowed"),
        ("eval('1')", "calling 'eval' is not allowed"),
        ("a.sum()", "calling 'a.sum' is not allowed"),
        ("'text'", "str constants are not allowed"),
        ("b'x'", "bytes constants are not allowed"),
        ("f'{a}'", "strings"),
        ("None", "NoneType constants are not allowed"),
        ("True + 1", "bool constants are not allowed"),
        ("1j", "complex constants are not allowed"),
        ("9 ** 9 ** 9", "the operator ** is not allowed"),
        ("2 ** 100000", "the operator ** is not allowed"),
        ("a // b", "the operator // is not allowed"),
        ("a % b", "the operator % is not allowed"),
        ("~a", "the operator ~ is not allowed"),
        ("not a", "the operator not is not allowed"),
        ("a < b", "comparisons"),
        ("a and b", "and/or"),
        ("a if b else 1", "if/else"),
        ("(a := 1)", ":="),
        ("(a, b)", "tuples"),
        ("1e999", "too large"),
        ("round(a, b)", "round(x, n) needs n to be a whole number"),
        ("round(a, ndigits=2)", "plain arguments only"),
        ("min(a)", "min() takes 2–50 arguments"),
        ("abs(*a)", "abs() takes plain arguments only"),
        ("round + 1", "unknown column 'round'"),
        ("a +", "not a valid expression"),
        ("a; import os", "not a valid expression"),
        ("`unclosed", "unclosed backtick"),
        ("`` + 1", "empty column name"),
        ("", "the expression is empty"),
        ("a + " * 200 + "a", "longer than 500 characters"),
        ("(" * 300 + "a" + ")" * 300, "longer than 500"),
        ("(" * 240 + "a" + ")" * 240, "not a valid expression"),  # too many nested parentheses
    ],
)
def test_everything_else_is_rejected(text: str, says: str) -> None:
    with pytest.raises(DataError) as caught:
        expr.parse(text, columns=COLUMNS, file="data/x.toml", line=7, field="rate")
    error = caught.value
    assert says in error.bare_message
    assert (error.file, error.line, error.field) == ("data/x.toml", 7, "rate")
    assert "data/x.toml:7" in str(error)


def test_unknown_column_suggests_the_nearest_name_and_points_at_it() -> None:
    with pytest.raises(DataError) as caught:
        expr.parse("已脱贫户数 + 当年新增户", columns=COLUMNS, file="t.toml", line=3)
    assert "unknown column '当年新增户'" in caught.value.bare_message
    assert "character 9" in caught.value.bare_message  # 1-based, in characters, not bytes
    assert caught.value.hint == "did you mean '当年新增户数'?"


def test_positions_count_from_what_the_editor_wrote_even_after_backticks() -> None:
    with pytest.raises(DataError) as caught:
        expr.parse("`县(市、区)` + 当年新增户数 + foo", columns=COLUMNS)
    assert "character 21" in caught.value.bare_message
    assert "unknown column 'foo'" in caught.value.bare_message


def test_backticks_cannot_smuggle_dunder_names() -> None:
    with pytest.raises(DataError, match="double underscore"):
        expr.parse("`__class__` + 1")


def test_division_by_zero_names_the_row_and_the_denominator() -> None:
    values = env()
    values["已脱贫户数"] = series(4941, 0)
    values["监测户数"] = series(8, 0)
    parsed = expr.parse("当年新增户数 / (已脱贫户数 + 监测户数)", columns=COLUMNS)
    with pytest.raises(expr.ZeroDenominator) as caught:
        parsed.evaluate(values, KEYS)
    assert caught.value.key == "梁园区"
    assert caught.value.denominator == "已脱贫户数 + 监测户数"


def test_division_by_a_zero_constant_is_caught_too() -> None:
    with pytest.raises(expr.ZeroDenominator) as caught:
        expr.parse("`县(市、区)` / 0").evaluate(env(), KEYS)
    assert caught.value.key == "永城市"


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (Fraction(5, 1000), 2, Fraction(1, 100)),  # 0.005 → 0.01 (Python's round gives 0.0)
        (Fraction(125, 1000), 2, Fraction(13, 100)),
        (Fraction(-125, 1000), 2, Fraction(-13, 100)),
        (Fraction(5, 2), 0, Fraction(3)),
        (Fraction(-5, 2), 0, Fraction(-3)),
        (Fraction(1249, 10000), 2, Fraction(12, 100)),
    ],
)
def test_round_half_up_is_excel_round(value: Fraction, digits: int, expected: Fraction) -> None:
    assert expr.round_half_up(value, digits) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_either_parses_or_is_a_data_error(text: str) -> None:
    try:
        parsed = expr.parse(text, columns=COLUMNS)
    except DataError as error:
        assert error.bare_message.startswith("expression `")
    else:
        assert parsed.names <= set(COLUMNS)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "1", "2.5", "+", "-", "*", "/", "(", ")", ",",
                                 "min(", "round(", "abs(", "`a`", " ", "**", "."]),
                max_size=20))
def test_token_soup_either_parses_or_is_a_data_error(tokens: list[str]) -> None:
    text = "".join(tokens)
    try:
        parsed = expr.parse(text, columns=COLUMNS)
    except DataError:
        return
    try:
        result = parsed.evaluate(env(), KEYS)
    except expr.ZeroDenominator:
        return
    assert all(isinstance(v, Fraction) for v in result)


ROW_BY_ROW = [  # (expression, the same for one row, in Python)
    ("a / b", lambda a, b: a / b),
    ("-a + 2 * b - 0.5", lambda a, b: -a + 2 * b - Fraction(1, 2)),
    ("round(a / b * 100, 2)", lambda a, b: expr.round_half_up(a / b * 100, 2)),
    ("max(a, b, 3) - min(abs(a), b)", lambda a, b: max(a, b, 3) - min(abs(a), b)),
    ("7", lambda a, b: Fraction(7)),
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.fractions(max_denominator=1000), st.fractions(max_denominator=1000)),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(range(len(ROW_BY_ROW))),
)
def test_a_column_is_computed_row_by_row_exactly(rows: list[tuple[Fraction, Fraction]],
                                                  which: int) -> None:
    """Columns are lists, one exact value per row: the result is each row's own arithmetic
    (constants apply to every row), and a zero denominator names its first row."""
    text, one_row = ROW_BY_ROW[which]
    keys = [f"县{i}" for i in range(len(rows))]
    columns = {"a": [a for a, _ in rows], "b": [b for _, b in rows]}
    parsed = expr.parse(text, columns=["a", "b"])
    if "/ b" in text and any(b == 0 for _, b in rows):
        with pytest.raises(expr.ZeroDenominator) as caught:
            parsed.evaluate(columns, keys)
        assert caught.value.key == keys[[b for _, b in rows].index(0)]
        return
    assert parsed.evaluate(columns, keys) == [one_row(a, b) for a, b in rows]
