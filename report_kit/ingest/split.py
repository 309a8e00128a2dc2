"""Numbers that ran together (``本年新收…35200037``): split them by the table's identities.

Crawler dumps drop the separators between cells, so a row of seven counts arrives as one
string of digits. Every way of cutting the digits into the row's number of cells is tried
(no leading zeros); a cut is kept only when the row's identities hold (the parts add up to
the row's 总计; 表四's three groups each add up to their 总计). Exactly one surviving cut is
used and reported (``R.split``); several are reported as ambiguous (``R.split_ambiguous``)
and the row stays ``null`` — never a guess.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from report_kit.catalogue import emit
from report_kit.ingest import cells as C

if TYPE_CHECKING:
    from report_kit.ingest.tables import Entry, Seen, Walker

MAX_SOLUTIONS = 20
MAX_STEPS = 200_000


def _pieces(digits: str, count: int, groups, offset: int, budget: list[int]):
    """Every cut of ``digits`` into ``count`` numbers (no leading zeros) up to MAX_SOLUTIONS."""
    out: list[list[int]] = []

    def walk(pos: int, acc: list[int]) -> None:
        budget[0] -= 1
        if budget[0] <= 0 or len(out) >= MAX_SOLUTIONS:
            return
        left = count - len(acc)
        if left == 0:
            if pos == len(digits):
                out.append(acc.copy())
            return
        remaining = len(digits) - pos
        if remaining < left:
            return
        longest = remaining - (left - 1)
        for size in range(1, longest + 1):
            piece = digits[pos : pos + size]
            if size > 1 and piece[0] == "0":
                break
            acc.append(int(piece))
            if _consistent(acc, groups, offset):
                walk(pos + size, acc)
            acc.pop()

    walk(0, [])
    return out


def _consistent(acc: list[int], groups, offset: int) -> bool:
    """Check every identity whose cells are all known so far."""
    known = offset + len(acc)
    for parts, total in groups:
        cells = [*parts, total]
        complete = max(cells) < known and min(cells) >= offset
        if complete and sum(acc[p - offset] for p in parts) != acc[total - offset]:
            return False
    return True


def candidates(seen: list[Seen], entry: Entry) -> list[list[int]] | None:
    """All cuts of the row's digit runs that satisfy its identities; None when not digits."""
    runs = [s.token.text for s in seen]
    if not runs or any(s.token.kind != C.NUMBER or not s.token.text.isdigit() for s in seen):
        return None
    n = len(entry.pointers)
    digits = "".join(runs)
    if len(digits) < n:
        return None
    # A cut never joins two separate tokens: cut each token, then combine.
    budget = [MAX_STEPS]
    results: list[list[int]] = []

    def combine(index: int, offset: int, acc: list[int]) -> None:
        if len(results) >= MAX_SOLUTIONS or budget[0] <= 0:
            return
        if index == len(runs):
            if offset == n and _consistent(acc, entry.groups, 0):
                results.append(acc.copy())
            return
        left_tokens = len(runs) - index - 1
        for count in range(1, min(len(runs[index]), n - offset - left_tokens) + 1):
            for cut in _pieces(runs[index], count, [], 0, budget):
                if _consistent(acc + cut, entry.groups, 0):
                    combine(index + 1, offset + count, acc + cut)

    combine(0, 0, [])
    return results


def resolve_run(walker: Walker, entry: Entry, seen: list[Seen]) -> bool:
    """Split run-together digits when exactly one cut fits; report either way. False: not digits."""
    if len(seen) >= len(entry.pointers) or not entry.groups:
        return False
    found = candidates(seen, entry)
    if not found:
        return False
    shown = " ".join(s.token.text for s in seen)
    indexes = range(len(entry.pointers))
    if len(found) == 1:
        _use(walker, entry, seen, found[0], shown)
        return True
    walker._set_null(entry, indexes, seen[0].where)
    walker.pending_splits.append((entry, seen, found))  # the other rows may still decide
    return True


def settle(walker: Walker) -> None:
    """Cuts a row's own identities left open, chosen by the table's column identities
    (表三: 一+二 = 三（七）+四, and the outcome rows add up to （七）总计) once every other row
    is read; several left → ``R.split_ambiguous`` and the row stays ``null``."""
    for entry, seen, found in walker.pending_splits:
        fitting = [c for c in found if _columns_hold(walker, entry, c)]
        shown = " ".join(s.token.text for s in seen)
        indexes = range(len(entry.pointers))
        if len(fitting) == 1:
            _use(walker, entry, seen, fitting[0], shown)
            continue
        more = "" if len(found) < MAX_SOLUTIONS else "以上"
        examples = "；".join(" ".join(map(str, c)) for c in (fitting or found)[:3])
        walker.reading.findings.append(
            emit(
                "R.split_ambiguous",
                {
                    "where": seen[0].where,
                    "label": entry.label,
                    "seen": shown,
                    "count": f"{len(fitting) or len(found)}{more}",
                    "candidates": examples,
                },
                walker._locations(entry, indexes),
                quote=shown,
            )
        )


def _use(walker: Walker, entry: Entry, seen: list[Seen], values: list[int], shown: str) -> None:
    tokens = [type(seen[0])(C.Token(C.NUMBER, str(v), v), seen[0].where) for v in values]
    walker._assign(entry, tokens)
    split = "、".join(f"{entry.columns[i]}{v}" for i, v in enumerate(values))
    walker.reading.findings.append(
        emit(
            "R.split",
            {"where": seen[0].where, "label": entry.label, "seen": shown, "split": split},
            walker._locations(entry, range(len(entry.pointers))),
            quote=shown,
        )
    )


def _columns_hold(walker: Walker, entry: Entry, values: list[int]) -> bool:
    """Whether the layout's column identities of the entry's table hold with ``values`` in place
    (identities with a cell not read are skipped)."""
    layout = walker.layout
    table = layout.tables.get(entry.table)
    rows = layout.collections
    key = entry.table
    if f"{key}.rows.inflow" not in rows or f"{key}.rows.outcome_total" not in rows:
        return True
    known = dict(walker.reading.values)
    known.update(zip(entry.pointers, values))

    def cell(path: str, column: str):
        return known.get(f"{table.pointer}/{path}/{column}")

    for column in rows[f"{key}.columns"]:
        inflow = [cell(p, column) for p in rows[f"{key}.rows.inflow"]]
        total = [cell(p, column) for p in rows[f"{key}.rows.outcome_total"]]
        outflow = [cell(p, column) for p in rows.get(f"{key}.rows.outflow", [])]
        outcome = [cell(p, column) for p in rows.get(f"{key}.rows.outcome", [])]
        balance = inflow + total + outflow
        if None not in balance and sum(inflow) != sum(total) + sum(outflow):
            return False
        if outcome and None not in outcome + total and sum(outcome) != sum(total):
            return False
    return True
