"""Unit phrases as a plan prints them: split into names, told lead from responsible, collectives.

A plan writes its units in many ways — 「（县发改委、自然资源局、住建局）」,
「〔牵头单位：县司法局；责任单位：县政府直属各单位，各乡（镇）政府〕」,
「（州人民政府办公室牵头，政务服务和公共资源交易管理局、电子政务办负责落实）」 — and the
ledger keeps the names exactly as printed, only split and without role words. What the role
words and collectives are is data (``schemas/plan-units.json``), never written here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache

from report_kit.settings import SCHEMA_DIR

OPEN = "（(〔[【"
CLOSE = "）)〕]】"
PAIRS = {"）": "（(", ")": "（(", "〕": "〔", "]": "[", "】": "【"}  # a web page mixes widths: 「（…)」


def bracket_depths(text: str) -> list[int]:
    """The bracket depth before each character; a closer pops back to its opener, so a lost
    closer (「(财预〔2018209号)」) does not swallow the rest of the paragraph."""
    depths, stack = [], []
    for ch in text:
        depths.append(len(stack))
        if ch in OPEN:
            stack.append(ch)
        elif ch in CLOSE:
            openers = PAIRS[ch]
            for at in range(len(stack) - 1, -1, -1):
                if stack[at] in openers:
                    del stack[at:]
                    break
    depths.append(len(stack))
    return depths


SEPARATORS = "、，,；;"
CLAUSE_SEPARATORS = "，,；;"


@cache
def unit_data() -> dict:
    return json.loads((SCHEMA_DIR / "plan-units.json").read_text(encoding="utf-8"))


@cache
def _collectives() -> list[tuple[re.Pattern, str]]:
    return [(re.compile(item["pattern"]), item["kind"]) for item in unit_data()["collectives"]]


def split_outside_brackets(text: str, separators: str) -> list[str]:
    """Split on ``separators`` except inside brackets, so 「旗县(市、区)政府」 stays one name."""
    parts, start = [], 0
    depths = bracket_depths(text)
    for at, ch in enumerate(text):
        if ch in separators and depths[at] == 0:
            parts.append(text[start:at])
            start = at + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def collective_kind(name: str) -> str | None:
    """The roster kind a collective name stands for (``township``…), or None for one unit."""
    bare = strip_roles(name)[0]
    for pattern, kind in _collectives():
        if pattern.search(bare):
            return kind
    return None


def strip_roles(name: str) -> tuple[str, bool, bool]:
    """(name without role words, marked lead, marked support)."""
    roles = unit_data()["role_words"]
    lead = support = False
    text = name.strip()
    changed = True
    while changed:
        changed = False
        for word in roles["lead"]:
            if text.endswith(word) and len(text) > len(word):
                text, lead, changed = text[: -len(word)], True, True
                break
        for word in roles["strip_suffix"]:
            if text.endswith(word) and len(text) > len(word):
                text, changed = text[: -len(word)], True
                break
        for word in roles["support_prefix"]:
            if text.startswith(word) and len(text) > len(word):
                text, support, changed = text[len(word) :], True, True
                break
    text = re.sub(r"^(等|及|和)|等$", "", text.strip())
    return text.strip(), lead, support


def looks_like_unit(name: str) -> bool:
    """Whether a part of a phrase is a unit name (used to tell a unit bracket from 「（试行）」)."""
    bare = strip_roles(name)[0]
    if not bare or len(bare) > 40 or "。" in bare:
        return False
    if collective_kind(bare):
        return True
    data = unit_data()
    if any(bare.endswith(suffix) for suffix in data["unit_suffixes"]):
        return True
    stem = _strip_level(bare)
    return stem in data["abbreviations"] or bare in data["abbreviations"]


def _strip_level(name: str) -> str:
    for level in unit_data()["levels"]:
        if name.startswith(level) and len(name) > len(level) + 1:
            return name[len(level) :]
    return name


@dataclass
class UnitPhrase:
    lead_units: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    unit_scope: str | None = None


def _label_split(text: str) -> dict[str, str] | None:
    """「牵头单位：A；责任单位：B」 → {"lead": "A", "units": "B"}; None when unlabelled."""
    labels = unit_data()["role_words"]["labels"]
    found = []
    for role in ("lead", "units"):
        for label in labels[role]:
            for match in re.finditer(re.escape(label) + r"\s*[：:]", text):
                found.append((match.start(), match.end(), role))
    if not found:
        return None
    found.sort()
    out: dict[str, str] = {}
    for i, (_start, end, role) in enumerate(found):
        stop = found[i + 1][0] if i + 1 < len(found) else len(text)
        value = text[end:stop].strip().strip("；;，,。 ")
        out[role] = (out[role] + "、" + value) if out.get(role) else value
    return out


def parse_units(text: str, *, column: str | None = None) -> UnitPhrase:
    """Split a printed unit phrase. ``column`` is the table column it came from (lead/units)."""
    phrase = UnitPhrase()
    text = (text or "").strip().strip("。").strip()
    if not text:
        return phrase
    labelled = _label_split(text)
    if labelled is not None:
        for role, value in labelled.items():
            sub = parse_units(value, column=role)
            phrase.lead_units += sub.lead_units
            phrase.units += sub.units
        phrase.unit_scope = _scope(text, phrase.lead_units + phrase.units)
        return phrase
    for clause in split_outside_brackets(text, CLAUSE_SEPARATORS):
        if not clause:
            continue
        names = [n for n in split_outside_brackets(clause, "、") if n]
        if re.search(
            r"等[^、]*的(部门|单位)$", clause
        ):  # 「承担公共服务、行政许可等职责的部门」: one description
            names = [clause]
        if not names:
            continue
        _last, last_lead, _support = strip_roles(names[-1])
        clause_support = strip_roles(names[0])[2]
        for name in names:
            bare, own_lead, _own_support = strip_roles(name)
            if not bare:
                continue
            lead = own_lead or (last_lead and not clause_support)
            if column == "lead" or (lead and column != "units"):
                phrase.lead_units.append(bare)
            else:
                phrase.units.append(bare)
    phrase.unit_scope = _scope(text, phrase.lead_units + phrase.units)
    return phrase


def _scope(text: str, names: list[str]) -> str | None:
    """The verbatim stretches of ``text`` that name collectives (neighbours joined as printed)."""
    spans = []
    for name in names:
        if collective_kind(name):
            at = text.find(name)
            if at >= 0:
                spans.append((at, at + len(name)))
    if not spans:
        return None
    spans.sort()
    runs = [list(spans[0])]
    for start, end in spans[1:]:
        if start <= runs[-1][1] or not text[runs[-1][1] : start].strip(SEPARATORS + " "):
            runs[-1][1] = max(runs[-1][1], end)
        else:
            runs.append([start, end])
    return "；".join(text[s:e] for s, e in runs)


def merge(first: UnitPhrase, second: UnitPhrase) -> UnitPhrase:
    """Two unit cells of one task (牵头单位 and 责任单位 columns) as one phrase."""
    scopes = [s for s in (first.unit_scope, second.unit_scope) if s]
    return UnitPhrase(
        first.lead_units + second.lead_units,
        first.units + second.units,
        "；".join(scopes) if scopes else None,
    )


def subject_units(text: str) -> UnitPhrase | None:
    """Units named as the subject of a task without a unit bracket: 「各乡镇人民政府、县人民政府各部门要…」."""
    match = re.match(r"^([^。；，：]{2,60}?)\s*(要|应|须|应当|负责)", text)
    if not match and "。" in text[:41]:  # after the title sentence: 「加强组织领导。各县市、园区、各部门要…」
        match = re.match(r"^([^。；，：]{2,60}?)\s*(要|应|须|应当|负责)", text.split("。", 1)[1])
    if not match:
        return None
    names = [n for n in split_outside_brackets(match.group(1), "、，") if n]
    if not names or not all(looks_like_unit(n) for n in names):
        return None
    return parse_units(match.group(1), column="units")
