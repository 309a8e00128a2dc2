"""Prose against tables (rules.md §5): numbers the text states must match the cells.

Patterns live in the rule catalogue with a ``{NUM}`` placeholder; this module compiles
them, splits prose into sentences, and compares every claim it finds with the tables.
A sentence with an explicit number wins over a negation (「未收到」) in the same sentence.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from report_kit.catalogue import Rule
from report_kit.chinese_numbers import CHINESE_NUMERAL_CHARS, NUMBER_PATTERN, is_estimate, parse_number
from report_kit.findings import Finding
from report_kit.layout import Layout
from report_kit.rules.base import Check, NotEvaluated, format_number, location, plain
from report_kit.rules.context import Context
from report_kit.rules.needles import Needles, needles
from report_kit.settings import SCHEMA_DIR
from report_kit.years import as_year

SENTENCE_END = re.compile(r"(?<=[。！？；;!?\n])")
EXCLUDE_WINDOW = 8
CLAUSE_BREAK = re.compile(r"[，,；;：:]")
MAX_QUOTE = 160


@functools.cache
def text_words() -> dict:
    """``schemas/text-words.json``: the Chinese words these rules need besides each rule's own
    patterns (another period, an opening time clause, estimate marks). Read once per process."""
    with open(Path(SCHEMA_DIR) / "text-words.json", encoding="utf-8") as handle:
        return json.load(handle)


def _chars(key: str) -> str:
    return "".join(re.escape(ch) for ch in text_words()[key])


# A number the prose states, not an estimate: 「数十件」「几十件」「十余件」「二十多起」 are none.
# Digits after 数 are a count (「申请总数112件」); only a numeral word after 数/几 is an estimate.
CLAIM_NUMBER = (
    rf"(?:(?<![{_chars('estimate_before')}])|(?=[0-9０-９]))"
    + NUMBER_PATTERN
    + rf"(?![{_chars('estimate_after')}])"
)


@dataclass(frozen=True)
class Claim:
    value: int | float
    sentence: str


def sentences(text: str) -> Iterator[str]:
    yield from split_sentences(text)


@functools.lru_cache(maxsize=64)
def split_sentences(text: str) -> tuple[str, ...]:
    """The sentences of a section, split once: every text rule (and the repairs' reading of
    the prose) asks for the same few sections, ≈ 300 times a report before this cache."""
    return tuple(piece for piece in (p.strip() for p in SENTENCE_END.split(text)) if piece)


@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern:
    """Compiled once per process, when a rule first reads prose (≈ 1.5 ms a pattern: the
    Chinese character classes are costly to compile), and shared by every finder."""
    return re.compile(pattern.replace("{NUM}", CLAIM_NUMBER))


# A claim needs a number: sentences without a digit or Chinese numeral skip the claim patterns.
_HAS_NUMBER = re.compile(r"[0-9０-９" + CHINESE_NUMERAL_CHARS + r"]")


def default_text_pointers(layout: Layout) -> list[str]:
    """Prose where the year's figures are reported: the sections the layout marks
    ``states_figures`` (一 and 六; 五 talks about last year and plans)."""
    stating = {section["key"] for section in layout.sections if section.get("states_figures")}
    return [item["pointer"] for item in layout.text_items if item["section"] in stating]


class ClaimFinder:
    def __init__(self, spec: dict) -> None:
        self._sources = tuple(spec["patterns"])
        self._zero_sources = tuple(spec.get("zero_patterns", ()))
        self.exclude = tuple(spec.get("exclude", ()))

    @functools.cached_property
    def patterns(self) -> list[re.Pattern]:
        return [_compile(p) for p in self._sources]

    @functools.cached_property
    def zero_patterns(self) -> list[re.Pattern]:
        return [_compile(p) for p in self._zero_sources]

    @functools.cached_property
    def _guarded(self) -> tuple[tuple[tuple[re.Pattern, Needles | None], ...], ...]:
        """Each pattern with the words its match needs (rules/needles.py)."""
        return tuple(
            tuple((pattern, needles(pattern.pattern)) for pattern in group)
            for group in (self.patterns, self.zero_patterns)
        )

    def _excluded(self, sentence: str, match: re.Match) -> bool:
        # The words just before the match, but not across a clause: in 「未发出收费通知，未收取
        # 信息处理费」 the 「通知」 of the first clause says nothing about the second.
        start = max(0, match.start() - EXCLUDE_WINDOW)
        clause = CLAUSE_BREAK.search(sentence[start : match.start()][::-1])
        if clause:
            start = match.start() - clause.start()
        window = sentence[start : match.end()]
        return any(word in window for word in self.exclude)

    def claims(self, text: str, year: int | None = None) -> Iterator[Claim]:
        # Patterns whose words the section lacks are skipped for all its sentences, and the
        # others for each sentence that lacks them: most sentences name no figure of the rule.
        patterns, zero_patterns = (
            [(p, n) for p, n in group if n is None or any(map(text.__contains__, n))]
            for group in self._guarded
        )
        if not patterns and not zero_patterns:
            return
        for sentence in split_sentences(text):
            found = []
            has = sentence.__contains__
            for pattern, words in patterns if _HAS_NUMBER.search(sentence) else ():
                if words is not None and not any(map(has, words)):
                    continue
                for match in pattern.finditer(sentence):
                    if self._excluded(sentence, match) or _other_period(sentence, match, year):
                        continue
                    value = None if is_estimate(match.group("num")) else parse_number(match.group("num"))
                    if value is not None:
                        found.append(value)
            if found:
                for value in dict.fromkeys(found):
                    yield Claim(value, sentence)
                continue
            for pattern, words in zero_patterns:
                match = pattern.search(sentence) if words is None or any(map(has, words)) else None
                if match and not self._excluded(sentence, match) and not _other_period(sentence, match, year):
                    yield Claim(0, sentence)
                    break


# Words that move a clause to another period (``other_period`` of text-words.json): 「上年度共收到
# 申请30件」「自2019年以来累计」; a part of the year (「2022年上半年」「一季度」) is not the year's
# total either. A four-digit year (group 1) is another period unless it is the report's.
OTHER_PERIOD = re.compile("|".join(text_words()["other_period"]) + r"|(?<![0-9０-９])([12][0-9]{3})\s*年")
CLAUSE_START = re.compile(r"[，,；;。！？!?\n]")


# An opening clause that is only a time is the time of the whole sentence: 「2022年上半年，全区共受理
# 申请267件」. One that states something itself (「上年度收到申请30件，本年度未收到…」) is not.
LEADING_TIME = re.compile(r".{0,10}?(?:" + "|".join(text_words()["leading_time_ends"]) + ")")


def _other_period(sentence: str, match: re.Match, year: int | None) -> bool:
    """Whether the clause of ``match``, up to its end, speaks of another year than the report's."""
    start = 0
    for brk in CLAUSE_START.finditer(sentence, 0, match.start()):
        start = brk.end()
    spans = [(start, match.end())]
    lead = CLAUSE_START.search(sentence, 0, start)
    if lead and LEADING_TIME.fullmatch(sentence, 0, lead.start()):
        spans.append((0, lead.start()))
    for begin, end in spans:
        for word in OTHER_PERIOD.finditer(sentence, begin, end):
            if word.group(1) is None or (year is not None and int(word.group(1)) != year):
                return True
    return False


def _quote(sentence: str) -> str:
    return sentence if len(sentence) <= MAX_QUOTE else sentence[: MAX_QUOTE - 1] + "…"


def compile_text_claim(rule: Rule, layout: Layout) -> list[Check]:
    finder = ClaimFinder(rule.raw)
    cells = tuple(rule.raw["cells"])
    texts = tuple(rule.raw.get("texts") or default_text_pointers(layout))

    def run(ctx: Context) -> Iterator[Finding]:
        values = [ctx.numbers.get(p) for p in cells]
        if any(v is None for v in values):
            raise NotEvaluated(cells[0])
        actual = plain(sum(values))
        year = ctx.value("/year")
        year = as_year(year)
        seen = set()
        for text_pointer in texts:
            text = ctx.text(text_pointer)
            if not text:
                continue
            for claim in finder.claims(text, year):
                if abs(float(claim.value) - actual) <= 1e-6 or (claim.sentence, claim.value) in seen:
                    continue
                seen.add((claim.sentence, claim.value))
                quote = _quote(claim.sentence)
                claimed = plain(float(claim.value)) if not isinstance(claim.value, int) else claim.value
                yield rule.finding(
                    {"claimed": format_number(claimed), "actual": format_number(actual), "quote": quote},
                    (location(layout, text_pointer),) + tuple(location(layout, p) for p in cells),
                    expected=actual,
                    actual=claimed,
                    difference=plain(abs(claimed - actual)),
                    quote=quote,
                    involved=cells + (text_pointer,),
                )

    return [Check(rule, rule.id, cells + texts, run)]
