"""Text as published, made comparable: simplified characters, no injected pinyin, plain spaces.

Mirror sites convert reports to traditional characters (sometimes half-way: 規范, 屬于) and
some inject the pinyin of a character after it (``數(shù)量``); editors leave non-breaking and
ideographic spaces and zero-width characters. Every reader passes its text through
:func:`clean` once, and the counts it returns become the ``R.traditional`` / ``R.pinyin``
findings, so the user learns that the document was altered before it was read.

Traditional → simplified uses OpenCC (the ``opencc`` package, phrase-aware ``t2s``), not a
hand-made table: a character such as 乾 or 著 depends on the word around it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

# A tone-marked syllable, or a plain one when the page is full of them (mirrors inject every
# character, so one plain ``(de)`` next to ordinary text is left alone).
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])\(([a-z" + _TONED + r"]{1,6})\)")
_TONE = re.compile("[" + _TONED + "]")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u3000\u2002\u2003\u2009\u202f\t\r\x0b\x0c"), " ")


@cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified (OpenCC t2s); simplified text comes back unchanged."""
    return _converter().convert(text) if text else text


@dataclass
class Cleaned:
    text: str
    traditional: list[str] = field(default_factory=list)  # characters that were converted
    pinyin: list[str] = field(default_factory=list)  # injected syllables removed


def clean(text: str) -> Cleaned:
    """Simplify, drop injected pinyin and invisible characters, turn odd spaces into spaces."""
    text = text.translate(_INVISIBLE).translate(_SPACES)
    removed: list[str] = []
    matches = _PINYIN.findall(text)
    if matches and (any(_TONE.search(m) for m in matches) or len(matches) >= 5):
        removed = matches
        text = _PINYIN.sub("", text)
    simplified = to_simplified(text)
    changed = []
    if simplified != text and len(simplified) == len(text):
        changed = sorted({a for a, b in zip(text, simplified) if a != b})
    elif simplified != text:
        changed = ["…"]
    return Cleaned(simplified, changed, removed)


def fold(text: str) -> str:
    """NFKC (full-width digits and brackets to half width) without touching CJK punctuation
    that NFKC leaves alone anyway."""
    return unicodedata.normalize("NFKC", text)
