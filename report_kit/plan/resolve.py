"""Printed unit names → full names: abbreviations, county prefixes, collectives, the alias table.

A plan prints 「县市监局」, 「自然资源局」 (the 县 of the name before it implied), 「各乡镇人民政府」.
The office needs 「轮台县市场监督管理局」 and, for a collective, every unit of that kind on its
roster. The knowledge is data (``plan-units.json``); confirmations the office has made live in
the archive's alias table (``report-kit archive alias 县市监局 轮台县市场监督管理局``). What stays
unresolved is listed with its closest roster names, never dropped.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from report_kit.batch.roster import RosterUnit, normalise_name
from report_kit.plan.ledger import Ledger
from report_kit.plan.units import collective_kind, unit_data

REGION = re.compile(r"^(.{2,12}?(?:自治州|自治县|自治旗|地区|县|市|州|旗|区|盟))")


def region_of(document: dict) -> str | None:
    """The plan's own region (轮台县, 昌吉市, 昌吉回族自治州) from its issuer or title."""
    for text in (document.get("issuer"), document.get("title")):
        match = REGION.match(text or "")
        if match and not match.group(1).startswith("自治"):
            return match.group(1)
    return None


def _level(region: str | None) -> str | None:
    if not region:
        return None
    for level in ("自治州", "自治县", "自治旗", "地区", "县", "市", "州", "旗", "区", "盟"):
        if region.endswith(level):
            return {"自治州": "州", "自治县": "县", "自治旗": "旗", "地区": "地区"}.get(level, level)
    return None


def kind_of(unit: RosterUnit) -> str:
    """The roster unit's kind: its 单位类型 column (English or Chinese), else from its name."""
    data = unit_data()
    written = normalise_name(unit.kind)
    if written:
        for kind, words in data["kinds"].items():
            if written in {normalise_name(w) for w in words}:
                return kind
    for item in data["kind_by_name"]:
        if re.search(item["pattern"], unit.name):
            return item["kind"]
    return "department"


def split_level(name: str) -> tuple[str | None, str]:
    """(level word, stem): 「县市监局」 → (县, 市监局); 「市场监督管理局」 stays whole."""
    abbreviations = unit_data()["abbreviations"]
    if name in abbreviations or name.startswith("市场"):
        return None, name
    for level in sorted(unit_data()["levels"], key=len, reverse=True):
        rest = name[len(level) :]
        if (
            name.startswith(level)
            and len(rest) >= 2
            and not rest.startswith(("级", "直", "本级", "委", "两级", "旗两级", "县两级"))
        ):
            return level, rest
    return None, name


def expand(stem: str) -> str:
    abbreviations = unit_data()["abbreviations"]
    if stem in abbreviations:
        return abbreviations[stem]
    bracket = re.match(r"^(.+?)[（(](.+)[）)]$", stem)  # 「财政局（金融办）」: the first name
    if bracket:
        return expand(bracket.group(1))
    if not any(stem.endswith(s) for s in unit_data()["unit_suffixes"]):
        return stem + "局"  # 「应急管理」「行政审批和政务服务」: the bureau of that name
    return stem


@dataclass
class Resolver:
    region: str | None
    roster: list[RosterUnit] | None = None
    archive: object | None = None
    by_key: dict[str, str] = field(default_factory=dict)
    by_kind: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for unit in self.roster or []:
            self.by_key.setdefault(unit.key, unit.name)
            self.by_kind.setdefault(kind_of(unit), []).append(unit.name)

    def resolve(self, name: str, implied_level: str | None) -> tuple[list[str], str | None, str | None]:
        """(full names, the level this name sets for the next, reason when unresolved)."""
        kind = collective_kind(name)
        if kind:
            if self.roster is None:
                return [], implied_level, "collective"
            return (
                list(self.by_kind.get(kind, [])),
                implied_level,
                None if self.by_kind.get(kind) else "collective",
            )
        confirmed = self._alias(name)
        if confirmed:
            return [confirmed], implied_level, None
        level, stem = split_level(name)
        level = level or implied_level
        full_stem = expand(stem)
        region_level = _level(self.region)
        guesses = []
        if self.region and stem.startswith(self.region):
            guesses.append(stem)
        elif self.region and (level is None or level == region_level):
            guesses.append(self.region + full_stem)
        if self.roster is None:
            return guesses[:1], level, None if guesses else "unknown"
        for guess in guesses + [name, stem]:
            found = self.by_key.get(normalise_name(guess)) or self._alias(guess)
            if found:
                return [found], level, None
        ends = [n for key, n in self.by_key.items() if key.endswith(normalise_name(full_stem))]
        if len(ends) == 1:
            return ends, level, None
        return [], level, "ambiguous" if ends else "unknown"

    def _alias(self, name: str) -> str | None:
        if self.archive is None:
            return None
        try:
            unit_id = self.archive.find_unit(name)
            if unit_id is None:
                return None
            row = self.archive.connection.execute(
                "SELECT name FROM units WHERE id = ?", (unit_id,)
            ).fetchone()
        except Exception:  # a broken archive only means no confirmation
            return None
        return row["name"] if row else None

    def candidates(self, name: str, limit: int = 3) -> list[str]:
        if not self.roster:
            return []
        level, stem = split_level(name)
        query = normalise_name((self.region or "") + expand(stem))
        keys = list(self.by_key)
        close = difflib.get_close_matches(query, keys, n=limit, cutoff=0.3)
        contains = [k for k in keys if normalise_name(expand(stem)) in k and k not in close]
        return [self.by_key[k] for k in (contains + close)[:limit]]


def resolve_ledger(ledger: Ledger, *, roster: list[RosterUnit] | None = None, archive=None) -> None:
    """Fill every task's ``resolved`` and the ledger's ``unresolved`` list."""
    resolver = Resolver(region_of(ledger.document), roster, archive)
    unresolved: dict[str, dict] = {}
    for task in ledger.tasks:
        names: list[str] = []
        level = None  # the level the first name prints (「县发改委、自然资源局」) holds for the list
        for index, name in enumerate(task.all_units):
            found, named_level, reason = resolver.resolve(name, level)
            if index == 0:
                level = named_level
            names += [n for n in found if n not in names]
            if reason:
                entry = unresolved.setdefault(
                    name,
                    {
                        "name": name,
                        "reason": reason,
                        "kind": collective_kind(name),
                        "tasks": [],
                        "candidates": [],
                    },
                )
                entry["tasks"].append(task.id)
        task.resolved = names
    for entry in unresolved.values():
        if entry["reason"] != "collective":
            entry["candidates"] = resolver.candidates(entry["name"])
        if entry["kind"] is None:
            del entry["kind"]
    ledger.unresolved = list(unresolved.values())
