"""RFC 8785 canonical JSON: the number forms of the RFC's examples, key order, and "same value"
as the engine and the store use it (1 == 1.0, true != 1, [1] != [true])."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.canonical import canonical, same_value


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (1.0, "1"),
        (4.50, "4.5"),
        (2e-3, "0.002"),
        (0.000001, "0.000001"),
        (1e-7, "1e-7"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e30, "1e+30"),
        (333333333.33333329, "333333333.3333333"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (-1.5e-9, "-1.5e-9"),
        (9007199254740993, "9007199254740992"),  # beyond 2**53: the nearest double, per the RFC
    ],
)
def test_numbers_take_their_es6_form(number, text):
    assert canonical(number) == text


def test_keys_are_sorted_by_utf16_code_units_and_strings_kept_as_utf8():
    # RFC 8785, 3.2.3: U+FB33 sorts after U+1F600 in UTF-16 (D83D DE00), not in code points.
    value = {"\ufb33": 3, "\u20ac": 1, "\U0001f600": 2, "b": [None, True, "é\n"], "a": {}}
    assert canonical(value) == (
        '{"a":{},"b":[null,true,"é\\n"],"\u20ac":1,"\U0001f600":2,"\ufb33":3}'
    )


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (1, 1.0, True),
        (True, 1, False),
        (0, False, False),
        ([1], [True], False),
        ({"k": 0}, {"k": False}, False),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1.0}, True),
        ("x", "x", True),
        (None, "null", False),
    ],
)
def test_same_value_is_canonical_equality(a, b, same):
    assert same_value(a, b) is same


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False,
    allow_infinity=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                max_size=3),
    max_leaves=8,
)


@given(json_values)
def test_the_canonical_text_is_json_that_reads_back_to_the_same_value(value):
    text = canonical(value)
    assert same_value(json.loads(text), value)
    assert canonical(json.loads(text)) == text
