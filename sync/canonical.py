"""RFC 8785 (JSON Canonicalization Scheme) form of the JSON values writes hold.

Two values are the same value when their canonical forms are equal: ``1`` and ``1.0`` are the
same, ``true`` and ``1``, ``0`` and ``false``, ``[1]`` and ``[true]`` are not (Python's ``==``
says otherwise). Our own short implementation rather than a dependency: the values are already
validated JSON (no NaN, no infinity), and the one delicate part, ES6 number formatting, is a few
lines over ``repr`` (which gives the shortest round-trip digits, as ES6 requires).
"""

from __future__ import annotations

import json
from typing import Any

_encode_str = json.JSONEncoder(ensure_ascii=False).encode


def _number(x: float) -> str:
    """ES6 ``Number.prototype.toString`` of a finite double (RFC 8785, section 3.2.2.3)."""
    if x != x or x in (float("inf"), float("-inf")):
        raise ValueError("NaN and infinities are not JSON")
    if x == 0:
        return "0"
    if x < 0:
        return "-" + _number(-x)
    mantissa, _, exp = repr(x).partition("e")
    e = int(exp) if exp else 0
    ip, _, fp = mantissa.partition(".")
    if fp == "0":
        fp = ""
    ip = ip.lstrip("0")
    # value = 0.<digits> x 10^n
    n = len(ip) + e if ip else e - (len(fp) - len(fp.lstrip("0")))
    digits = (ip + fp).lstrip("0").rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    sign = "+" if n - 1 >= 0 else "-"
    head = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{head}e{sign}{abs(n - 1)}"


def canonical(value: Any) -> str:
    """The RFC 8785 text of ``value`` (None, bool, int, float, str, list, dict with str keys).

    Numbers are IEEE doubles in RFC 8785: integers beyond 2**53 are compared as the double
    nearest to them, as every JSON reader that follows the RFC would.
    """
    t = type(value)
    if t is str:
        return _encode_str(value)
    if value is None:
        return "null"
    if t is bool:
        return "true" if value else "false"
    if t is int:
        return str(value) if -(2**53) <= value <= 2**53 else _number(float(value))
    if t is float:
        return _number(value)
    if t is list or t is tuple:
        return "[" + ",".join(map(canonical, value)) + "]"
    if t is dict:
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(_encode_str(k) + ":" + canonical(value[k]) for k in keys) + "}"
    raise TypeError(f"not a JSON value: {t.__name__}")


_SIMPLE = (str, type(None))


def same_value(a: Any, b: Any) -> bool:
    """True when ``a`` and ``b`` are the same JSON value (equal canonical forms)."""
    ta = type(a)
    if ta is type(b) and ta in _SIMPLE:  # the usual case: two strings
        return a == b
    return canonical(a) == canonical(b)
