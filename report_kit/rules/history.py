"""Cross-year checks (rules.md §6): this year's report against the same unit's report of last year.

They need two submissions, so they are not compiled into the per-file validator; the caller
(``report_kit.previous``) finds last year's report and calls :func:`cross_year_findings`.
Both formats are supported as last year's baseline: the 表三 carry-over rows exist in the
2019 and the 2021 layout alike. The 表二 stock check needs 现行有效件数 on both sides; the
2019 format's 对外公开总数量 counts everything ever published (repealed documents included),
so it is not the same stock and a 2019 baseline skips that check.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from report_kit.catalogue import load_catalogue
from report_kit.findings import Finding
from report_kit.layout import Layout, load_layout
from report_kit.rules.base import format_number, location
from report_kit.rules.context import resolve, usable_number
from report_kit.years import as_year

SIMILARITY_THRESHOLD = 0.90
CARRIED_OVER = "/applications/carried_over/{col}"
CARRIED_FORWARD = "/applications/carried_forward/{col}"
DOCUMENTS = "/active_disclosure/{row}/{col}"
SECTIONS = (
    # (pointer located, pointers joined): section 一 is compared as its five topics together
    ("/text/overview", "overview"),
    ("/text/problems", "problems"),
)


def _number(document: dict, pointer: str, cell_type: str = "count") -> int | float | None:
    return usable_number(resolve(document, pointer), cell_type)


def _year(document: dict) -> int | None:
    year = document.get("year")
    return as_year(year)


def normalise_text(text: str) -> str:
    """Prose reduced to what makes it the same text: no whitespace, punctuation, symbols or digits.

    Digits go because a copied section with this year's figures put in is still a copy.
    """
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "ZPSNC")


def similarity(current: str, previous: str) -> float:
    """SequenceMatcher ratio of two normalised texts; the quick upper bounds skip the costly
    comparison for the usual, clearly different pair."""
    if not current or not previous:
        return 0.0
    matcher = difflib.SequenceMatcher(None, current, previous, autojunk=False)
    if matcher.real_quick_ratio() < SIMILARITY_THRESHOLD or matcher.quick_ratio() < SIMILARITY_THRESHOLD:
        return matcher.quick_ratio()
    return matcher.ratio()


# Beyond this many characters a side, the character-level comparison (worst case roughly cubic:
# 8,000 characters ≈ 0.8 s, 16,000 ≈ 18 s) is replaced by a sentence-anchored one.
EXACT_LIMIT = 5000
CHUNK = 2000
SENTENCE_END = re.compile(r"[。！？；!?;\n]+")


def text_similarity(current: str, previous: str) -> float:
    """Similarity of two prose sections (raw text), as :func:`similarity` of the normalised
    texts; long texts are first aligned sentence by sentence, so the cost stays near linear."""
    a, b = normalise_text(current), normalise_text(previous)
    if len(a) <= EXACT_LIMIT and len(b) <= EXACT_LIMIT:
        return similarity(a, b)
    if not a or not b:
        return 0.0
    upper = difflib.SequenceMatcher(None, a, b, autojunk=False).real_quick_ratio()
    if upper < SIMILARITY_THRESHOLD:
        return upper
    sentences_a = [t for t in map(normalise_text, SENTENCE_END.split(current)) if t]
    sentences_b = [t for t in map(normalise_text, SENTENCE_END.split(previous)) if t]
    matcher = difflib.SequenceMatcher(None, sentences_a, sentences_b, autojunk=False)
    matched = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            matched += sum(len(t) for t in sentences_a[i1:i2])
        elif tag == "replace":
            matched += _matched_chars("".join(sentences_a[i1:i2]), "".join(sentences_b[j1:j2]))
    return 2.0 * matched / (len(a) + len(b))


def _matched_chars(a: str, b: str) -> int:
    """Characters of ``a`` matched in ``b``: exact for short stretches; for long ones, chunks of
    ``a`` against the proportionally placed window of ``b`` (with a margin for drift)."""
    if len(a) <= EXACT_LIMIT and len(b) <= EXACT_LIMIT:
        return sum(
            block.size for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
        )
    scale = len(b) / len(a)
    margin = CHUNK // 8
    total = 0
    for start in range(0, len(a), CHUNK):
        chunk = a[start : start + CHUNK]
        low = max(0, int(start * scale) - margin)
        high = min(len(b), int((start + len(chunk)) * scale) + margin)
        blocks = difflib.SequenceMatcher(None, chunk, b[low:high], autojunk=False).get_matching_blocks()
        total += sum(block.size for block in blocks)
    return min(total, len(a), len(b))


def _section_text(document: dict, key: str) -> str:
    value = (document.get("text") or {}).get(key) if isinstance(document.get("text"), dict) else None
    if isinstance(value, dict):
        return "".join(v for v in value.values() if isinstance(v, str))
    return value if isinstance(value, str) else ""


def _carry_over(current: dict, previous: dict, layout: Layout, years: dict) -> list[Finding]:
    """One finding per applicant column whose carry-over breaks; the 总计 column only when no
    applicant column explains its difference (one wrong cell is one finding, not two)."""
    rule = load_catalogue()["H.carry_over"]
    findings = []
    for column in layout.tables["T3"].columns:
        pointer = CARRIED_OVER.format(col=column.key)
        actual = _number(current, pointer)
        expected = _number(previous, CARRIED_FORWARD.format(col=column.key))
        if actual is None or expected is None or actual == expected:
            continue
        if "total" in column.tags and findings:
            continue
        diff = actual - expected
        findings.append(
            rule.finding(
                {**years, "column": column.label, "actual": actual, "expected": expected, "diff": abs(diff)},
                (location(layout, pointer),),
                expected=expected,
                actual=actual,
                difference=diff,
                involved=(pointer,),
            )
        )
    return findings


def _in_force(current: dict, previous: dict, layout: Layout, years: dict) -> list[Finding]:
    if current.get("format") != "2021" or previous.get("format") != "2021":
        return []  # the 2019 表二 has no 现行有效件数 (see the module docstring)
    rule = load_catalogue()["H.in_force"]
    findings = []
    for row in layout.collections.get("T2.rows.documents", ()):
        pointer = DOCUMENTS.format(row=row, col="in_force")
        actual = _number(current, pointer)
        issued = _number(current, DOCUMENTS.format(row=row, col="issued"))
        repealed = _number(current, DOCUMENTS.format(row=row, col="repealed"))
        before = _number(previous, pointer)
        if None in (actual, issued, repealed, before):
            continue
        expected = before + issued - repealed
        if actual == expected:
            continue
        findings.append(
            rule.finding(
                {
                    **years,
                    "row": layout.label(f"/active_disclosure/{row}"),
                    "actual": actual,
                    "expected": expected,
                    "previous_in_force": before,
                    "issued": issued,
                    "repealed": repealed,
                    "diff": abs(actual - expected),
                },
                (location(layout, pointer),),
                expected=expected,
                actual=actual,
                difference=actual - expected,
                involved=(pointer,),
            )
        )
    return findings


def _similar_text(current: dict, previous: dict, layout: Layout, years: dict) -> list[Finding]:
    rule = load_catalogue()["H.similar_text"]
    findings = []
    for pointer, key in SECTIONS:
        ratio = text_similarity(_section_text(current, key), _section_text(previous, key))
        if ratio < SIMILARITY_THRESHOLD:
            continue
        percent = format_number(round(ratio * 100, 1))
        findings.append(
            rule.finding(
                {**years, "section": layout.label(pointer), "percent": percent},
                (location(layout, pointer),),
                expected=f"<{int(SIMILARITY_THRESHOLD * 100)}%",
                actual=f"{percent}%",
                involved=(pointer,),
            )
        )
    return findings


def cross_year_findings(current: dict, previous: dict, layout: Layout | None = None) -> list[Finding]:
    """Findings of this year's submission against last year's (unsorted; the caller sorts).

    Returns nothing unless ``previous`` is the report of exactly the year before: comparing
    with an older report would call every normal change an error.
    """
    if not isinstance(current, dict) or not isinstance(previous, dict):
        return []
    year, previous_year = _year(current), _year(previous)
    if year is None or previous_year != year - 1:
        return []
    layout = layout or load_layout(current.get("format") if current.get("format") == "2019" else "2021")
    years = {"year": year, "previous_year": previous_year}
    return [
        *_carry_over(current, previous, layout, years),
        *_in_force(current, previous, layout, years),
        *_similar_text(current, previous, layout, years),
    ]
