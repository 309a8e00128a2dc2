"""Prose totals against their own parts: 「共受理X件，其中网上申请a件、信函b件、当面c件」.

Real reports often state a total and then list parts that do not add up to it. The
patterns that find a total and its 「其中」 live in the rule catalogue (``patterns`` with
``{NUM}`` and a named group ``unit``; ``part`` with ``{NUM}`` and ``{UNIT}``). The parts
are read clause by clause after 「其中」 up to the end of the sentence; a clause with a
number in another unit, or with a word of the rule's ``stop`` list (「办结」), ends the list. A report that lists the parts and then goes on
(「…，办结28件」) is not flagged as long as some leading run of the parts adds up to the
total; only a list that never reaches the total exactly is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from report_kit.catalogue import Rule
from report_kit.chinese_numbers import is_estimate, parse_number
from report_kit.findings import Finding
from report_kit.layout import Layout
from report_kit.rules.base import Check, format_number, location
from report_kit.rules.context import Context
from report_kit.rules.text import CLAIM_NUMBER, _quote

_SENTENCE = re.compile(r"[^。！？；;!?\n]+[。！？；;!?]?")
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
_CLAUSE = re.compile(r"[，,、]")


def _value(numeral: str):
    if is_estimate(numeral):
        return None
    value = parse_number(numeral)
    return None if value is None else Decimal(value)


class PartsFinder:
    def __init__(self, spec: dict) -> None:
        self.patterns = [re.compile(p.replace("{NUM}", CLAIM_NUMBER)) for p in spec["patterns"]]
        self.part = spec["part"]
        self.stop = tuple(spec.get("stop", ()))

    def mismatches(self, text: str) -> Iterator[tuple[str, Decimal, str, list[Decimal]]]:
        """(sentence, total, unit, parts) for every total whose listed parts never reach it."""
        for sentence in _SENTENCE.findall(text):
            for match in (m for p in self.patterns for m in p.finditer(sentence)):
                total = _value(match.group("num"))
                unit = match.group("unit")
                if total is None:
                    continue
                parts = self._parts(sentence[match.end() :], unit)
                if len(parts) < 2:
                    continue
                running = Decimal(0)
                reached = False
                for part in parts:
                    running += part
                    if running == total:
                        reached = True
                        break
                if not reached:
                    yield sentence.strip(), total, unit, parts

    def _parts(self, rest: str, unit: str) -> list[Decimal]:
        part = re.compile(self.part.replace("{NUM}", CLAIM_NUMBER).replace("{UNIT}", re.escape(unit)))
        any_number = re.compile(CLAIM_NUMBER + r"\s*(?P<u>[^\s0-9０-９]?)")
        values: list[Decimal] = []
        rest = _BRACKETS.sub("", rest)
        first, _, _ = rest.partition("，")
        if "、" in first:  # 「其中a件、b件、c件，…」: the list is the first clause
            rest = first
        for clause in _CLAUSE.split(rest):
            if any(word in clause for word in self.stop):
                break
            found = part.search(clause)
            if found:
                value = _value(found.group("num"))
                if value is None:
                    break
                values.append(value)
            elif any(m.group("u") not in ("", unit) for m in any_number.finditer(clause)):
                break  # a number in another unit: the list of parts is over
        return values


def compile_prose_parts(rule: Rule, layout: Layout) -> list[Check]:
    finder = PartsFinder(rule.raw)
    texts = tuple(item["pointer"] for item in layout.text_items)

    def run(ctx: Context) -> Iterator[Finding]:
        for pointer in texts:
            text = ctx.text(pointer)
            if not text:
                continue
            for sentence, total, unit, parts in finder.mismatches(text):
                summed = sum(parts)
                quote = _quote(sentence)
                shown = "＋".join(format_number(_plain(p)) for p in parts)
                yield rule.finding(
                    {
                        "total": format_number(_plain(total)),
                        "sum": format_number(_plain(summed)),
                        "parts": f"{shown}＝{format_number(_plain(summed))}",
                        "diff": format_number(_plain(abs(total - summed))),
                        "unit": unit,
                        "quote": quote,
                    },
                    (location(layout, pointer),),
                    expected=_plain(total),
                    actual=_plain(summed),
                    difference=_plain(abs(total - summed)),
                    quote=quote,
                    involved=(pointer,),
                )

    return [Check(rule, rule.id, texts, run)]


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)
