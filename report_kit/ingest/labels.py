"""Row labels of the national tables, matched on meaning rather than on exact text.

Published tables vary the official wording freely (规范性文件 for 行政规范性文件, 「本年新收」 for
the full label, full- or half-width enumerators, split or truncated cells). The layout gives
each row's official label; ``schemas/ingest-<format>.json`` adds the variants seen in real
reports and the words that prove a format revision. Nothing here names a label itself.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from report_kit.settings import SCHEMA_DIR

# leading enumerators: 一、 （一） (一) 1. 1、 1． ①
_ENUMERATOR = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十0-9]+[)）]|[0-9]+[、.．]?(?=\D)|[①-⑳])+"
)
_SPACE = re.compile(r"\s+")
_YEAR_NOTE = re.compile(r"\((?:\d{4}年?(?:度)?)\)")  # 本年(2023)制发件数
_NOT_WORD = re.compile(r"[^\w]|_", re.UNICODE)
SHORT = 4  # variants shorter than this match a cell only exactly


def norm(text: str) -> str:
    """The comparison form of a label: NFKC, no enumerator, no spaces or punctuation."""
    text = _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))
    text = _YEAR_NOTE.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = _ENUMERATOR.sub("", text)
    return _NOT_WORD.sub("", text)


@cache
def ingest_data(format_revision: str | None = None) -> dict:
    """``schemas/ingest.json`` (None) or ``schemas/ingest-<format>.json``."""
    name = "ingest.json" if format_revision is None else f"ingest-{format_revision}.json"
    with open(Path(SCHEMA_DIR) / name, encoding="utf-8") as handle:
        return json.load(handle)


@dataclass(frozen=True)
class RowLabels:
    pointer: str
    variants: tuple[str, ...]  # normalised, longest first

    def score(self, candidate: str) -> int:
        """3 exact, 2 the cell holds a variant, 1 the cell is the start of a variant (truncated), 0 no match."""
        best = 0
        for variant in self.variants:
            if candidate == variant:
                return 3
            if len(variant) >= SHORT and variant in candidate:
                best = max(best, 2)
            elif len(candidate) >= SHORT and variant.startswith(candidate):
                best = max(best, 1)
        return best


def row_labels(format_revision: str, pointer: str, official: tuple[str, ...]) -> RowLabels:
    extra = ingest_data(format_revision)["rows"].get(pointer, [])
    variants = {norm(v) for v in (*official, *extra) if norm(v)}
    return RowLabels(pointer, tuple(sorted(variants, key=len, reverse=True)))


def evidence(format_revision: str) -> tuple[str, ...]:
    return tuple(norm(w) for w in ingest_data(format_revision)["evidence"])
