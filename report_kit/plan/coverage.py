"""Does a report's 落实情况 address a task? Decided from the task's key terms.

A unit rarely repeats the plan's words; it says what it did. So the test is loose on purpose:
a task is addressed when the text names one of its documents (《市场准入负面清单》) or quoted
terms (“全国一张清单”), or contains at least half (or ``min_hits``) of the distinctive
two-character terms of the task's first clause, once words every task shares (做好, 公开, 信息,
工作 …, data in ``plan-units.json``) are removed. A task the text does not touch at all has
none of them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from report_kit.plan.ledger import Ledger, Task
from report_kit.plan.units import collective_kind, unit_data

DOCUMENT = re.compile(r"《([^《》]{2,60})》")
QUOTED = re.compile(r"[“\"「]([^”\"」]{2,30})[”\"」]")
CJK = re.compile(r"[\u4e00-\u9fff]+")


@dataclass(frozen=True)
class KeyTerms:
    strong: tuple[str, ...]  # named documents and quoted terms
    pairs: tuple[str, ...]  # distinctive two-character terms of the first clause

    def shown(self) -> str:
        words = list(self.strong[:3]) or [p for p in self.pairs[:4]]
        return "、".join(words)


def normalise(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", unicodedata.normalize("NFKC", text or ""))


@cache
def _generic() -> re.Pattern:
    words = sorted(unit_data()["coverage"]["generic_words"], key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


def first_clause(text: str) -> str:
    return re.split(r"[，。；：,;:！？]", text, maxsplit=1)[0]


def key_terms(task: Task) -> KeyTerms:
    text = normalise(task.text)
    strong = []
    for match in list(DOCUMENT.finditer(text)) + list(QUOTED.finditer(text)):
        term = match.group(1)
        if len(_generic().sub("", term)) >= 2 and term not in strong:
            strong.append(term)
    clause = first_clause(text)
    clause = DOCUMENT.sub(lambda m: "|" + m.group(1) + "|", clause)
    stripped = _generic().sub("|", clause)
    pairs: list[str] = []
    for run in CJK.findall(stripped):
        for at in range(len(run) - 1):
            pair = run[at : at + 2]
            if pair not in pairs:
                pairs.append(pair)
    if len(pairs) < 2:  # a short title: take the next clause too
        rest = _generic().sub("|", text[len(first_clause(text)) : len(first_clause(text)) + 60])
        for run in CJK.findall(rest):
            for at in range(len(run) - 1):
                if run[at : at + 2] not in pairs:
                    pairs.append(run[at : at + 2])
    return KeyTerms(tuple(strong), tuple(pairs))


def answer_text(answer: str) -> str:
    """The 落实情况 as compared: normalised, the template's quoted tasks (【…】) removed."""
    return normalise(re.sub(r"【[^】]*】", "", answer or ""))


def addresses(answer: str, terms: KeyTerms) -> bool:
    return covers(answer_text(answer), terms)


def covers(text: str, terms: KeyTerms) -> bool:
    """``addresses`` on a text already passed through ``answer_text``."""
    if not text:
        return False
    if any(term in text for term in terms.strong):
        return True
    if not terms.pairs:
        return True  # nothing to look for: never a false alarm
    min_hits, min_share = _thresholds()
    hits = sum(1 for pair in terms.pairs if pair in text)
    return hits >= min_hits or hits >= min_share * len(terms.pairs)


@cache
def _thresholds() -> tuple[int, float]:
    settings = unit_data()["coverage"]
    return settings["min_hits"], settings["min_share"]


@dataclass
class LedgerIndex:
    """Which tasks fall to a unit, found fast (the --plan check must cost ≤ 1 ms a report)."""

    ledger: Ledger
    by_name: dict[str, list[int]]
    by_kind: dict[str, list[int]]
    terms: list[KeyTerms]

    @classmethod
    def build(cls, ledger: Ledger) -> LedgerIndex:
        from report_kit.batch.roster import normalise_name

        by_name: dict[str, list[int]] = {}
        by_kind: dict[str, list[int]] = {}
        for index, task in enumerate(ledger.tasks):
            for name in set(task.resolved) | set(task.all_units):
                key = normalise_name(name)
                if key and index not in by_name.setdefault(key, []):
                    by_name[key].append(index)
            for name in task.all_units:
                kind = collective_kind(name)
                if kind and index not in by_kind.setdefault(kind, []):
                    by_kind[kind].append(index)
        return cls(ledger, by_name, by_kind, [key_terms(t) for t in ledger.tasks])

    def tasks_for(self, name: str | None, kind: str | None = None) -> list[int]:
        from report_kit.batch.roster import normalise_name

        found = set(self.by_name.get(normalise_name(name or ""), []))
        if kind:
            found |= set(self.by_kind.get(kind, []))
        return sorted(found)


_INDEXES: dict[int, LedgerIndex] = {}


def index_of(ledger: Ledger) -> LedgerIndex:
    cached = _INDEXES.get(id(ledger))
    if cached is None or cached.ledger is not ledger:
        cached = _INDEXES[id(ledger)] = LedgerIndex.build(ledger)
    return cached


def unit_status(ledger: Ledger, submission: dict) -> list[tuple[int, bool]]:
    """(task index, addressed) for every task of the ledger that falls to the submission's unit."""
    unit = submission.get("unit") if isinstance(submission.get("unit"), dict) else {}
    text = submission.get("text") if isinstance(submission.get("text"), dict) else {}
    other = text.get("other") if isinstance(text.get("other"), dict) else {}
    answer = other.get("work_plan") if isinstance(other.get("work_plan"), str) else ""
    index = index_of(ledger)
    name = unit.get("name") if isinstance(unit.get("name"), str) else None
    kind = unit.get("kind") if isinstance(unit.get("kind"), str) else None
    text = answer_text(answer)
    return [(i, covers(text, index.terms[i])) for i in index.tasks_for(name, kind)]


def coverage_findings(ledger: Ledger, submission) -> list:
    """P.task_not_addressed (warning, at /text/other/work_plan) for each task left unanswered."""
    if not isinstance(submission, dict):
        return []
    from report_kit.catalogue import emit
    from report_kit.findings import Location
    from report_kit.layout import load_layout

    pointer = "/text/other/work_plan"
    label = load_layout().label(pointer)
    index = index_of(ledger)
    findings = []
    for at, covered in unit_status(ledger, submission):
        if covered:
            continue
        task, terms = ledger.tasks[at], index.terms[at]
        findings.append(
            emit(
                "P.task_not_addressed",
                {
                    "task": task.label(),
                    "opening": task.opening(),
                    "terms": terms.shown(),
                    "plan": ledger.document.get("title") or "年度工作要点",
                    "label": label,
                },
                (Location(pointer=pointer, label=label),),
                quote=task.opening(40),
            )
        )
    return findings
