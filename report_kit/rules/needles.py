"""The words a regular expression's match must contain, so that text without them is skipped.

The text rules run some forty catalogue patterns over every sentence of a report. A pattern
that begins with a number or a look-behind (「{NUM}件…行政复议」, 「(?<!复议)申请为零」) gives the
regex engine no literal to scan for, so it tries the whole pattern at every character: five
such patterns cost ≈ 1 ms a report, more than reading the workbook. Each of them still needs
a word (「行政复议」, 「结转」) that a plain ``in`` test finds in a fraction of a microsecond.

:func:`needles` reads the pattern's parse tree (the ``re`` module's own parser) and returns
a set of strings of which every match contains at least one, or None when it cannot tell.
Only text the match itself consumes counts (never look-arounds), so skipping text without
a needle never loses a match; a pattern with flags that change matching (IGNORECASE) gets
None. tests/test_text_needles.py compares filtered and unfiltered matching on fuzzed text.
"""

from __future__ import annotations

import functools
import re

try:  # Python 3.11+
    from re import _constants as _c
    from re import _parser
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

Needles = frozenset[str]

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT} | (
    {_c.POSSESSIVE_REPEAT} if hasattr(_c, "POSSESSIVE_REPEAT") else set()
)
_MAX_CLASS = 16  # a character class of more literals than this is no useful filter


class _Unknown(Exception):
    """A construct whose effect on the needles is not worked out here: no filtering."""


@functools.lru_cache(maxsize=512)
def needles(pattern: str) -> Needles | None:
    """Strings of which every match of ``pattern`` contains one; None when unknown."""
    try:
        tree = _parser.parse(pattern)
        if tree.state.flags & (re.IGNORECASE | re.LOCALE):
            return None
        return _sequence(list(tree))
    except (_Unknown, re.error, RecursionError):
        return None


def _better(a: Needles | None, b: Needles | None) -> Needles | None:
    """The more selective requirement: longer shortest needle, then fewer needles."""
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b, key=lambda s: (min(map(len, s)), -len(s)))


def _sequence(items: list) -> Needles | None:
    best: Needles | None = None
    run: list[str] = []
    for op, arg in items:
        if op is _c.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            best = _better(best, frozenset({"".join(run)}))
            run = []
        best = _better(best, _item(op, arg))
    if run:
        best = _better(best, frozenset({"".join(run)}))
    return best


def _item(op, arg) -> Needles | None:
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, body = arg
        if add_flags or del_flags:
            raise _Unknown("inline flags")
        return _sequence(list(body))
    if op is _c.BRANCH:
        alternatives = [_sequence(list(body)) for body in arg[1]]
        if any(alt is None for alt in alternatives):
            return None
        return frozenset().union(*alternatives)
    if op is _c.IN:
        if len(arg) <= _MAX_CLASS and all(kind is _c.LITERAL for kind, _ in arg):
            return frozenset(chr(code) for _, code in arg)
        return None
    if op in _REPEATS:
        low, _high, body = arg
        return _sequence(list(body)) if low >= 1 else None
    if getattr(_c, "ATOMIC_GROUP", None) is op:
        return _sequence(list(arg))
    return None  # look-arounds, anchors, any character, categories, negated classes: no needle


def may_match(found: Needles | None, text: str) -> bool:
    """False only when ``text`` holds none of the needles (so the pattern cannot match)."""
    return found is None or any(needle in text for needle in found)


__all__ = ["Needles", "may_match", "needles"]
