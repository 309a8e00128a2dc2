"""Cross-year checks (rules.md §6): this year's report against the same unit's report of last year.

They need two submissions, so they are not compiled into the per-file validator; the caller
(``report_kit.previous``) finds last year's report and calls :func:`cross_year_findings`.
Every revision is supported as last year's baseline. Which cells carry over is data: the
``relation`` of ``H.carry_over`` (上年结转 = last year's 结转下年度) and of ``H.in_force``
(现行有效 = last year's 现行有效 + 本年制发 − 本年废止) in the rule catalogue, bound with the
layout's collections. A relation is checked only where both years' layouts have its cells:
the superseded trial format's 表二 has no 现行有效件数 (its 对外公开总数量 counts everything
ever published, repealed documents included), so such a baseline skips the stock check.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from functools import cache

from report_kit.catalogue import load_catalogue
from report_kit.findings import Finding
from report_kit.formats import revision_of
from report_kit.layout import Layout, load_layout
from report_kit.rules.base import format_number, location
from report_kit.rules.context import resolve, usable_number
from report_kit.years import as_year

SIMILARITY_THRESHOLD = 0.90
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


def relation_cells(rule_id: str, layout: Layout) -> list[dict[str, str]]:
    """The cross-year relation of a rule bound to concrete cells: one dict per ``for_each``
    binding, mapping each role (``this_year``, ``last_year``, ``added`` …) to a pointer."""
    relation = load_catalogue(layout.format)[rule_id].raw["relation"]
    names = list(relation["for_each"])
    roles = {role: template for role, template in relation.items() if role != "for_each"}
    bound = []
    for values in itertools.product(*(layout.collections[relation["for_each"][n]] for n in names)):
        binding = dict(zip(names, values))
        bound.append({role: _substitute(template, binding) for role, template in roles.items()})
    return bound


def _substitute(template: str, binding: dict[str, str]) -> str:
    for name, value in binding.items():
        template = template.replace("{" + name + "}", value)
    return template


def carried_from(pointer: str, layout: Layout | None = None) -> str | None:
    """Last year's cell that this year's ``pointer`` must repeat (上年结转 → 上年的结转下年度)."""
    return _carry_over_map((layout or load_layout()).format).get(pointer)


@cache
def _carry_over_map(format_revision: str) -> dict[str, str]:
    cells = relation_cells("H.carry_over", load_layout(format_revision))
    return {pair["this_year"]: pair["last_year"] for pair in cells}


def _carry_over(current: dict, previous: dict, layout: Layout, years: dict) -> list[Finding]:
    """One finding per applicant column whose carry-over breaks; the 总计 column only when no
    applicant column explains its difference (one wrong cell is one finding, not two)."""
    rule = load_catalogue()["H.carry_over"]
    findings = []
    for cells in relation_cells("H.carry_over", layout):
        pointer = cells["this_year"]
        column = layout.cells[pointer].column
        actual = _number(current, pointer)
        expected = _number(previous, cells["last_year"])
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
    """Only where both years' layouts have the stock cells (see the module docstring)."""
    rule = load_catalogue()["H.in_force"]
    previous_layout = load_layout(revision_of(previous))
    findings = []
    for cells in relation_cells("H.in_force", layout):
        pointer = cells["this_year"]
        if not (
            all(p in layout.cells for p in cells.values()) and cells["last_year"] in previous_layout.cells
        ):
            continue
        actual = _number(current, pointer)
        issued = _number(current, cells["added"])
        repealed = _number(current, cells["removed"])
        before = _number(previous, cells["last_year"])
        if None in (actual, issued, repealed, before):
            continue
        expected = before + issued - repealed
        if actual == expected:
            continue
        findings.append(
            rule.finding(
                {
                    **years,
                    "row": layout.label(pointer.rpartition("/")[0]),
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
    layout = layout or load_layout(revision_of(current))
    years = {"year": year, "previous_year": previous_year}
    return [
        *_carry_over(current, previous, layout, years),
        *_in_force(current, previous, layout, years),
        *_similar_text(current, previous, layout, years),
    ]
