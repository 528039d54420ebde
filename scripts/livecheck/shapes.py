"""Response shapes: a tiny schema language and a comparison that lists every difference.

A spec is a type name (``"str"``, ``"int"``, ``"number"``, ``"bool"``, ``"null"``, ``"any"``),
a tuple of alternatives (``("null", {...})``: both shapes are documented), a dict (an object;
a key ending in ``?`` is optional) or a one-item list (an array of that). Fields the spec does
not name are reported as new fields: that is how a changed API shows up.
"""

from __future__ import annotations

from typing import Any

Spec = Any
_TYPES = {"str": str, "bool": bool, "null": type(None)}


# JSON's names for Python's types; bool before int (a bool is an int in Python).
_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (type(None), "null"), (bool, "bool"), (int, "int"), (float, "number"), (str, "str"),
    (list, "array"), (dict, "object"))


def type_name(value: Any) -> str:
    return next((name for kind, name in _TYPE_NAMES if isinstance(value, kind)),
                type(value).__name__)


def _matches(spec: Spec, value: Any) -> bool:
    """Whether ``value`` fits ``spec`` at the top level (nested fields are compared later)."""
    if isinstance(spec, tuple):
        return any(_matches(s, value) for s in spec)
    if isinstance(spec, dict):
        return isinstance(value, dict)
    if isinstance(spec, list):
        return isinstance(value, list)
    if spec == "any":
        return True
    if spec == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if spec == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, _TYPES[spec])


def describe(spec: Spec) -> str:
    if isinstance(spec, tuple):
        return " or ".join(describe(s) for s in spec)
    if isinstance(spec, dict):
        return "object"
    if isinstance(spec, list):
        return f"array of {describe(spec[0])}"
    return str(spec)


def compare(spec: Spec, value: Any, path: str = "$") -> list[str]:
    """Every way ``value`` differs from ``spec``, one sentence each (empty: same shape)."""
    if not _matches(spec, value):
        return [f"{path}: expected {describe(spec)}, got {type_name(value)}"]
    if isinstance(spec, tuple):
        fitting = [s for s in spec if _matches(s, value)]
        return min((compare(s, value, path) for s in fitting), key=len)
    if isinstance(spec, list):
        return [d for i, item in enumerate(value) for d in compare(spec[0], item, f"{path}[{i}]")]
    if isinstance(spec, dict):
        return _compare_object(spec, value, path)
    return []


def _compare_object(spec: dict[str, Spec], value: dict[str, Any], path: str) -> list[str]:
    out: list[str] = []
    known = {k.rstrip("?") for k in spec}
    for key, sub in spec.items():
        name = key.rstrip("?")
        if name not in value:
            if not key.endswith("?"):
                out.append(f"{path}.{name}: missing")
            continue
        out.extend(compare(sub, value[name], f"{path}.{name}"))
    for name in sorted(set(value) - known):
        out.append(f"{path}.{name}: new field ({type_name(value[name])})")
    return out
