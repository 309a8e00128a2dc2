"""A compiled yes/no check for the small JSON Schema subset our schemas use.

python-jsonschema gives the best error reports but costs ~1.7 ms for one valid submission.
Almost every submission of a batch is structurally valid, so the validator first asks this
compiled predicate; only when it says "invalid" does jsonschema run to report every error.
The predicate must never call an invalid document valid: a property test compares it with
jsonschema on fuzzed documents, and any keyword it does not know makes it decline to compile.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

Predicate = Callable[[Any], bool]

IGNORED = {"$schema", "$id", "title", "description", "x-labels", "$comment"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


class Unsupported(Exception):
    """The schema uses a keyword this module does not implement."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TYPES: dict[str, Predicate] = {
    "object": lambda v: isinstance(v, dict),
    "string": lambda v: isinstance(v, str),
    "number": _is_number,
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())
    ),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


def _valid_date(value: Any) -> bool:
    if not isinstance(value, str) or not _DATE.match(value):
        return not isinstance(value, str)  # format applies to strings only
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def compile_predicate(schema: dict) -> Predicate:
    unknown = (
        set(schema)
        - IGNORED
        - {
            "type",
            "properties",
            "required",
            "additionalProperties",
            "minimum",
            "maximum",
            "enum",
            "minLength",
            "pattern",
            "format",
        }
    )
    if unknown:
        raise Unsupported(", ".join(sorted(unknown)))
    checks: list[Predicate] = []
    if "type" in schema:
        checks.append(_TYPES[schema["type"]])
    if "enum" in schema:
        allowed = schema["enum"]
        checks.append(lambda v: any(v == a and type(v) is type(a) for a in allowed))
    if "minimum" in schema:
        low = schema["minimum"]
        checks.append(lambda v: not _is_number(v) or v >= low)
    if "maximum" in schema:
        high = schema["maximum"]
        checks.append(lambda v: not _is_number(v) or v <= high)
    if "minLength" in schema:
        length = schema["minLength"]
        checks.append(lambda v: not isinstance(v, str) or len(v) >= length)
    if "pattern" in schema:
        pattern = re.compile(schema["pattern"])
        checks.append(lambda v: not isinstance(v, str) or pattern.search(v) is not None)
    if "format" in schema:
        if schema["format"] != "date":
            raise Unsupported("format " + schema["format"])
        checks.append(_valid_date)
    if "properties" in schema or "required" in schema or "additionalProperties" in schema:
        checks.append(_object_check(schema))
    if len(checks) == 1:
        return checks[0]
    return lambda v: all(check(v) for check in checks)


def _object_check(schema: dict) -> Predicate:
    properties = {key: compile_predicate(sub) for key, sub in schema.get("properties", {}).items()}
    required = tuple(schema.get("required", ()))
    extra = schema.get("additionalProperties", True)
    if extra not in (True, False):
        raise Unsupported("additionalProperties schema")
    closed = extra is False
    names = frozenset(properties)

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key in required:
            if key not in value:
                return False
        if closed and not names.issuperset(value):
            return False
        for key, item in value.items():
            predicate = properties.get(key)
            if predicate is not None and not predicate(item):
                return False
        return True

    return check
