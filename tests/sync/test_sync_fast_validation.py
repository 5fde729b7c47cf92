"""The fast validation path accepts only what the full (pydantic) validation accepts, and builds
the very same writes; anything else falls back to the full validation and its precise reason."""

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sync.batch import _BATCH, BATCH_FORMAT, BadFile, _plain_batch, decode_batch
from sync.wire import _WRITES, _raise_from, validate_writes, wire_to_writes, writes_from_json
from sync.writes import InvalidWrite, Write, make_dot

DEV = "dev-a"


def good(n: int, **change: Any) -> dict[str, Any]:
    w = Write(
        make_dot(DEV, n),
        f"rec-{n % 2}",
        "visit",
        "answers.m1-x.status",
        "conforme",
        (1_700_000_000_000 + n, 0, DEV),
        (),
        "Claire D.",
    )
    return {**w.to_dict(), **change}


def full(items: Any, device: str | None) -> list[Write] | str:
    """The full validation alone: pydantic, then wire_to_writes."""
    try:
        return wire_to_writes(_WRITES.validate_python(items), device)
    except ValidationError as err:
        return str(_raise_from(err))
    except InvalidWrite as err:
        return str(err)


ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            "",
            "x",
            "dev-a:1",
            "dev-a:01",
            "dev-a:1\n",
            "dev-a:1\ndev-a:2",
            "dev-b:1",
            "dev-a",
            "Visit",
            "a b",
            "ok\x00",
            "é" * 300,
            "dev-a:-1",
            "dev-a:٣",
            "dev-a:+1",
            "dev-a:1234567890123456789",
        ]
    ),
    st.lists(st.sampled_from(["dev-a:1", "dev-b:2", "dev-b:2", 3, "nope"]), max_size=3),
    st.lists(st.integers(min_value=-2, max_value=2**64), min_size=2, max_size=4),
    st.tuples(st.integers(0, 5), st.integers(0, 5), st.just(DEV)),
    st.dictionaries(st.sampled_from(["a", "b"]), st.floats() | st.integers() | st.text(max_size=3)),
    st.recursive(st.integers(0, 3), lambda inner: st.lists(inner, max_size=1), max_leaves=40),
)
KEYS = ["dot", "record", "kind", "field", "value", "hlc", "supersedes", "author"]
KEYS_DRAWN = KEYS + ["value"] * 4 + ["supersedes"] * 2  # the keys many values are valid for


@st.composite
def write_lists(draw: st.DrawFn) -> list[Any]:
    items: list[Any] = [good(n) for n in range(1, draw(st.integers(1, 4)) + 1)]
    for _ in range(draw(st.integers(0, 2))):
        i = draw(st.integers(0, len(items) - 1))
        what = draw(st.sampled_from(["set", "set", "set", "drop", "extra", "replace"]))
        if what == "replace":
            items[i] = draw(ODD)
        elif isinstance(items[i], dict):
            item = dict(items[i])
            key = draw(st.sampled_from(KEYS_DRAWN))
            if what == "set":
                item[key] = draw(ODD)
            elif what == "drop":
                item.pop(key, None)
            else:
                item["extra"] = 1
            items[i] = item
    return items


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(items=write_lists(), device=st.sampled_from([DEV, None]))
def test_fast_path_accepts_a_subset_of_the_full_validation_with_identical_writes(items, device):
    fast = writes_from_json(items, device)
    expected = full(items, device)
    if fast is None:
        return  # the caller falls back to the full validation
    assert not isinstance(expected, str), f"fast path accepted what is refused: {expected}"
    assert fast == expected
    for a, b in zip(fast, expected, strict=True):
        assert a.same_content(b) and type(a) is Write
        assert type(a.hlc) is tuple and type(a.supersedes) is tuple


@settings(max_examples=200, deadline=None)
@given(items=write_lists())
def test_validate_writes_gives_the_full_validation_answer(items):
    expected = full(items, None)
    if isinstance(expected, str):
        with pytest.raises(InvalidWrite) as err:
            validate_writes(items)
        assert str(err.value) == expected
    else:
        assert validate_writes(items) == expected


def batch_bytes(writes: Any, **change: Any) -> bytes:
    doc = {
        "format": BATCH_FORMAT,
        "device": DEV,
        "scope": "87",
        "created_ms": 1_700_000_000_000,
        "writes": writes,
        **change,
    }
    return orjson.dumps(doc)


def slow_decode(data: bytes) -> Any:
    try:
        doc = _BATCH.validate_json(data)
    except ValidationError:
        return "refused"
    if doc["device"] != DEV:
        return "refused"
    try:
        return doc["scope"], doc["created_ms"], wire_to_writes(doc["writes"])
    except InvalidWrite:
        return "refused"


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    items=write_lists(),
    change=st.dictionaries(
        st.sampled_from(["format", "device", "scope", "created_ms", "extra"]),
        ODD,
        max_size=2,
    ),
)
def test_batch_fast_path_accepts_a_subset_of_the_schema(items, change):
    try:
        data = batch_bytes(items, **change)
    except TypeError:
        return  # not representable as JSON (int beyond 64 bits...)
    fast = _plain_batch(Path("x.json"), data, DEV)
    if fast is None:
        return
    expected = slow_decode(data)
    assert expected != "refused"
    assert (fast.scope, fast.created_ms, fast.writes) == expected


@pytest.mark.parametrize(
    "raw",
    [
        b'"value":18446744073709551616,',  # beyond 64 bits: orjson would make it a float
        b'"value":-9223372036854775809,',
        b'"value":1e19,',
        b'"value":"\\ud800",',  # lone surrogate: orjson refuses, pydantic decides
        b'"value":1,"value":2,',  # duplicate key
    ],
)
def test_json_that_orjson_reads_differently_takes_the_full_path(raw):
    body = orjson.dumps(good(1)).replace(b'"value":"conforme",', raw)
    data = batch_bytes([]).replace(b'"writes":[]', b'"writes":[' + body + b"]")
    expected = slow_decode(data)
    if expected == "refused":
        with pytest.raises(BadFile):
            decode_batch(Path("x.json"), data, DEV)
        return
    got = decode_batch(Path("x.json"), data, DEV)
    assert got.writes == expected[2]
    assert [type(w.value) for w in got.writes] == [type(w.value) for w in expected[2]]
    assert got.writes[0].same_content(expected[2][0])


def test_an_integer_beyond_64_bits_is_refused_as_no_store_could_write_it_back():
    body = orjson.dumps(good(1)).replace(b'"conforme"', b"18446744073709551616")
    data = batch_bytes([]).replace(b'"writes":[]', b'"writes":[' + body + b"]")
    assert _plain_batch(Path("x.json"), data, DEV) is None
    with pytest.raises(BadFile) as err:
        decode_batch(Path("x.json"), data, DEV)
    assert (err.value.code, err.value.params) == ("bad_batch", {"write": 1, "field": "value"})
    with pytest.raises(InvalidWrite, match="write #0: value"):
        validate_writes([good(1, value=-(2**63) - 1)])
    assert validate_writes([good(1, value=2**64 - 1)])[0].value == 2**64 - 1


def test_fast_path_shares_repeated_strings_and_takes_every_plain_batch():
    writes = [good(n, supersedes=[make_dot(DEV, n - 1)] if n > 1 else []) for n in range(1, 50)]
    batch = _plain_batch(Path("x.json"), batch_bytes(writes), DEV)
    assert batch is not None and len(batch.writes) == 49
    assert batch.writes[5].supersedes == (make_dot(DEV, 5),)
    # One string object per distinct device, kind, field, author and record, across batches too:
    # the replica's indexes hash each once, and memory holds each once.
    again = _plain_batch(Path("x.json"), batch_bytes(writes[:3]), DEV)
    assert again is not None
    for attr in ("kind", "field", "author"):
        assert len({id(getattr(w, attr)) for w in batch.writes + again.writes}) == 1
    assert len({id(w.record) for w in batch.writes + again.writes}) == 2
    assert len({id(w.hlc[2]) for w in batch.writes}) == 1
