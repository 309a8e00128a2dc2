"""JSON pointers (RFC 6901) over the canonical submission: one implementation for every module.

Every place in report_kit names a value by its pointer (``/applications/received/total``):
findings, the layout, the workbook map, the schema. Walking, writing and escaping them was
written seven times; these functions are the one copy. Reading never raises: a missing key
or a non-object on the way is :data:`MISSING` (falsy, distinct from a JSON ``null``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING = _Missing()


def escape(token: Any) -> str:
    """One reference token: ``~`` → ``~0``, ``/`` → ``~1``."""
    return str(token).replace("~", "~0").replace("/", "~1")


def join(tokens: Iterable[Any]) -> str:
    """The pointer of a path of keys (``["unit", "name"]`` → ``/unit/name``)."""
    return "".join("/" + escape(token) for token in tokens)


def parts(pointer: str) -> list[str]:
    """The unescaped keys of ``pointer``; ``""`` and ``"/"`` are the whole document."""
    stripped = pointer.strip("/")
    if not stripped:
        return []
    tokens = stripped.split("/")
    if "~" in stripped:
        tokens = [token.replace("~1", "/").replace("~0", "~") for token in tokens]
    return tokens


@functools.lru_cache(maxsize=4096)
def _tokens(pointer: str) -> tuple[str, ...]:
    """:func:`parts` as a tuple, kept: validation resolves the same few hundred pointers for
    every report (Context.build, every rule), and splitting them again was ~10 % of a check."""
    return tuple(parts(pointer))


def resolve(document: Any, pointer: str) -> Any:
    """Value at ``pointer``, or :data:`MISSING`; never raises.

    On the hot path (every layout cell of every file, every rule), hence plain ``dict``
    checks and the pointer's keys split once per process (:func:`_tokens`).
    """
    node = document
    for part in _tokens(pointer):
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return MISSING
    return node


def get(document: Any, pointer: str, default: Any = None) -> Any:
    """Value at ``pointer``, or ``default`` when it is missing."""
    value = resolve(document, pointer)
    return default if value is MISSING else value


def assign(document: dict, pointer: str, value: Any) -> None:
    """Set the value at ``pointer``, creating the objects on the way."""
    *parents, last = parts(pointer)
    node = document
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def flatten(document: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """The nested document as ``{pointer: value}`` of its leaves (the inverse of :func:`nest`)."""
    out: dict[str, Any] = {}
    for key, value in document.items():
        pointer = f"{prefix}/{escape(key)}"
        if isinstance(value, Mapping):
            out.update(flatten(value, pointer))
        else:
            out[pointer] = value
    return out


def nest(flat: Mapping[str, Any]) -> dict:
    """``{pointer: value}`` → the nested document, in the order of ``flat``."""
    document: dict = {}
    for pointer, value in flat.items():
        assign(document, pointer, value)
    return document
