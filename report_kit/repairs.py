"""Which cell is wrong: Fellegi–Holt error localisation over the layout's linear identities.

When 表三 does not balance, the failed identities almost always point at one cell: a
mistyped part cell breaks exactly its row total and its column's outcome total, and only
that cell repairs both. The statistical offices' method (Fellegi & Holt 1976) is to find
the *smallest* set of cells whose change satisfies every violated edit without breaking
one that held; with a handful of linear identities this is an exact, small search:

* the identities are the catalogue's unconditional ``arithmetic`` rules of kind ``linear``,
  expanded to concrete cells by :func:`report_kit.rules.linear.expand` (no sum is written
  here);
* they split into independent components (表二's rows, 表三, each 表四 group share no
  cell), each localised on its own;
* a change set is built cell by cell, always from an identity that still *needs* a change
  (violated and untouched, or an equality that held and is touched by only one changed
  cell, which a lone change would break); only cells of violated identities are candidates;
  sizes 1, 2, 3 are tried in turn and every set of the smallest size is kept;
* the implied values come from solving the touched equalities exactly (fractions); a set
  counts only when its solution is unique, integer for counts, ≥ 0, and every touched
  inequality still holds.

Exactly one smallest set is ``certain``. Several are ranked by evidence outside the
equalities — a typing slip that turns the suggested value into the typed one, last year's
report, the report's own prose — and the best is ``likely`` only when it alone has the most
evidence; otherwise every candidate is ``ambiguous``. Evidence never makes a guess
``certain``; evidence *against* a unique repair lowers it to ``likely`` and says why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from report_kit.catalogue import Catalogue
from report_kit.findings import Finding, place_dict
from report_kit.layout import Layout
from report_kit.rules.linear import TOLERANCE, expand

MAX_CHANGES = 3  # beyond three wrong cells the tables no longer say which ones
MAX_CANDIDATES = 10  # candidate sets listed when the tables cannot tell
CONFIDENCES = ("certain", "likely", "ambiguous")

# Strength of each kind of evidence (higher decides); only differences matter.
SLIP_SWAPPED = 3
SLIP_DOUBLED = 3
SLIP_DROPPED = 3
SLIP_EXTRA = 2
SLIP_TOTAL_IN_PART = 2
SLIP_NEIGHBOUR = 2
SLIP_DIGIT = 1
PREVIOUS_SAME_CELL = 2
CROSS_YEAR = 4
PROSE = 4

_COUNT_WORDS = {1: "一", 2: "两", 3: "三"}


@dataclass(frozen=True)
class Identity:
    """One concrete linear relation ``Σ coef·cell + const  op  0``."""

    rule: str
    name: str  # Chinese, for reasons: “自然人”：本年新收＋上年结转＝办理结果总计＋结转下年度
    coefs: tuple[tuple[str, int], ...]
    const: Fraction
    op: str  # "==", ">=", "<="
    pointers: tuple[str, ...] = field(default=(), compare=False)
    coef: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pointers", tuple(p for p, _ in self.coefs))
        object.__setattr__(self, "coef", dict(self.coefs))

    def holds(self, residual: float) -> bool:
        if self.op == "==":
            return abs(residual) <= TOLERANCE
        if self.op == ">=":
            return residual >= -TOLERANCE
        return residual <= TOLERANCE


@dataclass(frozen=True)
class Repair:
    """One cell of one candidate repair (the ``repairs`` entry of ``submission.md``)."""

    pointer: str
    label: str
    current: int | float
    suggested: int | float
    confidence: str
    reason: str
    # Entries of one alternative share it; numbers are unique in the file, and the
    # alternatives of one problem are consecutive, best first.
    candidate: int = 1
    where: str = ""  # 「表三 D30（结转下年度·自然人）」 for the one-line hint
    sheet: str | None = None
    cell: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = place_dict(self.pointer, self.sheet, self.cell)
        data.update(
            label=self.label,
            current=self.current,
            suggested=self.suggested,
            confidence=self.confidence,
            reason=self.reason,
            candidate=self.candidate,
        )
        return data

    def with_cell(self, sheet: str, cell: str, table: str, short: str) -> Repair:
        return replace(self, sheet=sheet, cell=cell, where=f"{table} {cell}（{short}）")


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


class Localiser:
    """The identities of one format revision, indexed once; :meth:`localise` per submission."""

    def __init__(self, layout: Layout, catalogue: Catalogue) -> None:
        self.layout = layout
        self.catalogue = catalogue
        self.identities: list[Identity] = []
        for rule in catalogue.of_kind("linear"):
            if rule.category != "arithmetic" or rule.raw.get("when"):
                continue
            for relation in expand(rule, layout):
                coefs: dict[str, int] = {}
                const = Fraction(0)
                for sign, side in ((1, relation.left), (-1, relation.right)):
                    for term in side:
                        if term.pointer is None:
                            const += sign * term.coef * Fraction(str(term.const))
                        else:
                            coefs[term.pointer] = coefs.get(term.pointer, 0) + sign * term.coef
                coefs = {p: c for p, c in coefs.items() if c}
                self.identities.append(
                    Identity(
                        rule.id, self._name(rule, tuple(coefs)), tuple(coefs.items()), const, relation.op
                    )
                )
        self.rules = frozenset(identity.rule for identity in self.identities)
        # Findings a repair may resolve besides the identities': prose and last year's report
        # disagreeing with the same cell.
        self.linked_rules = self.rules | {r.id for r in catalogue if r.category in ("text", "history")}
        from report_kit.rules.text import ClaimFinder, default_text_pointers

        self._prose = [
            (
                tuple(rule.raw["cells"]),
                ClaimFinder(rule.raw),
                tuple(rule.raw.get("texts") or default_text_pointers(layout)),
            )
            for rule in catalogue.of_kind("text_claim")
        ]
        self.by_cell: dict[str, list[int]] = {}
        for index, identity in enumerate(self.identities):
            for pointer in identity.pointers:
                self.by_cell.setdefault(pointer, []).append(index)
        self.components = self._connect()

    def _name(self, rule, pointers: tuple[str, ...]) -> str:
        """「“自然人”：本年新收＋上年结转＝…」: what the cells share, then what the rule says."""
        cells = [self.layout.cells[p] for p in pointers if p in self.layout.cells]
        statement = rule.title.partition("：")[2] or rule.title
        if cells and len({c.column.key for c in cells}) == 1:
            return f"“{cells[0].column.short_label}”列：{statement}"
        if cells and len({(c.table, c.row.path) for c in cells}) == 1:
            return f"“{cells[0].row.short_label}”：{statement}"
        return statement

    # -- the search ------------------------------------------------------------------------

    def localise(
        self,
        numbers: dict[str, int | float],
        *,
        previous: dict | None = None,
        prose=None,
    ) -> list[Repair]:
        """Repairs of one submission's usable ``numbers`` (``Context.numbers``), best first.

        ``previous`` is last year's submission of the same unit (already checked to be the
        year before); ``prose`` is the submission's :class:`~report_kit.rules.context.Context`,
        whose text is read (only when a candidate touches a cell the prose speaks of).
        """
        residuals: dict[int, Fraction] = {}
        unknown: set[int] = set()
        for index, identity in enumerate(self.identities):
            total = int(identity.const) if identity.const.denominator == 1 else float(identity.const)
            for pointer, coef in identity.coefs:
                value = numbers.get(pointer)
                if value is None:
                    unknown.add(index)
                    break
                total += coef * value  # counts: exact ints; fractions only where solving
            else:
                residuals[index] = Fraction(total)
        violated = {i for i, r in residuals.items() if not self.identities[i].holds(float(r))}
        if not violated:
            return []
        repairs: list[Repair] = []
        for component in self._components(violated):
            if component & unknown:
                # A cell the schema rejected may be the wrong one, and the identities that
                # read it cannot say: nothing is suggested until it is fixed.
                continue
            solutions = _Search(self, residuals, numbers, component & violated).run()
            if solutions:
                touched = {p for changes in solutions for p in changes}
                claims = self._claims(prose, touched) if prose is not None else []
                ranked = self._rank(solutions, numbers, previous, claims, component & violated)
                offset = repairs[-1].candidate if repairs else 0
                repairs.extend(replace(r, candidate=r.candidate + offset) for r in ranked)
        return repairs

    def _claims(self, ctx, touched: set[str]) -> list[tuple[tuple[str, ...], set[float]]]:
        """(cells, numbers the prose states for their sum) of the ``text_claim`` rules about
        the ``touched`` cells; the finders are compiled once, in :meth:`__init__`."""
        year = ctx.value("/year")
        year = year if isinstance(year, int) and not isinstance(year, bool) else None
        found = []
        for cells, finder, texts in self._prose:
            if touched.isdisjoint(cells):
                continue
            stated: set[float] = set()
            for pointer in texts:
                text = ctx.text(pointer)
                if text:
                    stated.update(float(claim.value) for claim in finder.claims(text, year))
            if stated:
                found.append((cells, stated))
        return found

    def _connect(self) -> list[frozenset[int]]:
        """Identities connected through shared cells (表三; each 表四 group; each 表二 row)."""
        seen: set[int] = set()
        components = []
        for start in range(len(self.identities)):
            if start in seen:
                continue
            component, stack = set(), [start]
            while stack:
                index = stack.pop()
                if index in component:
                    continue
                component.add(index)
                for pointer in self.identities[index].pointers:
                    stack.extend(self.by_cell[pointer])
            seen |= component
            components.append(frozenset(component))
        return components

    def _components(self, violated: set[int]) -> list[frozenset[int]]:
        """The components holding a violated identity, in catalogue order."""
        return [c for c in self.components if not c.isdisjoint(violated)]

    # -- ranking ---------------------------------------------------------------------------

    def _rank(self, solutions, numbers, previous, claims, violated) -> list[Repair]:
        scored = []
        for changes in solutions:
            points, reasons = 0, []
            for pointer, value in changes.items():
                for strength, reason in self._evidence(
                    pointer, numbers[pointer], value, numbers, previous, claims
                ):
                    points += strength
                    reasons.append(reason)
            order = min(self.layout.sort_key(p) for p in changes)
            scored.append((points, reasons, order, changes))
        scored.sort(key=lambda item: (-item[0], item[2], sorted(item[3])))
        size = len(scored[0][3])
        count = _COUNT_WORDS.get(size, str(size))
        names = "、".join(dict.fromkeys(self.identities[i].name for i in sorted(violated)))
        result: list[Repair] = []
        if len(scored) == 1:
            points, reasons, _, changes = scored[0]
            against = [r for r in reasons if r.startswith("但")]
            confidence = "likely" if against else "certain"
            reason = (
                f"按建议值改正后，原不成立的勾稽关系（{names}）全部成立，其他勾稽关系不受影响；"
                f"只改{count}格能做到这一点的只有这一种改法"
            )
            if against:
                reason += "，" + "；".join(against)
            return self._entries(changes, numbers, confidence, reason + "。", 1)
        best, second = scored[0][0], scored[1][0]
        decided = best > second and best > 0
        for rank, (_points, reasons, _, changes) in enumerate(scored[:MAX_CANDIDATES], start=1):
            if rank == 1 and decided:
                confidence = "likely"
                reason = (
                    f"有{len(scored)}种只改{count}格的改法都能让勾稽关系（{names}）成立，"
                    f"这一种最可能：{'；'.join(r for r in reasons if not r.startswith('但'))}。"
                )
            else:
                confidence = "ambiguous"
                why = f"（{'；'.join(reasons)}）" if reasons else ""
                reason = (
                    f"有{len(scored)}种只改{count}格的改法都能让勾稽关系（{names}）成立，"
                    f"这是其中之一{why}；仅凭表格数据无法确定是哪一格，请对照原始台账核实。"
                )
            result.extend(self._entries(changes, numbers, confidence, reason, rank))
        return result

    def _entries(self, changes, numbers, confidence, reason, rank) -> list[Repair]:
        entries = []
        for pointer in sorted(changes, key=self.layout.sort_key):
            cell = self.layout.cells.get(pointer)
            table = self.layout.tables[cell.table].name if cell else ""
            short = f"{cell.row.short_label}·{cell.column.short_label}" if cell else pointer
            entries.append(
                Repair(
                    pointer=pointer,
                    label=self.layout.label(pointer),
                    current=numbers[pointer],
                    suggested=_number(changes[pointer]),
                    confidence=confidence,
                    reason=reason,
                    candidate=rank,
                    where=f"{table}“{short}”",
                )
            )
        return entries

    def _evidence(self, pointer, current, suggested, numbers, previous, claims) -> list[tuple[int, str]]:
        """(strength, Chinese reason) of everything besides the equalities that speaks for
        (positive) or against (negative, reason starting 「但」) changing this cell."""
        found = []
        slip = typing_slip(current, _number(suggested))
        if slip:
            found.append(slip)
        context = self._context_slip(pointer, current, numbers)
        if context:
            found.append(context)
        if previous is not None:
            found.extend(self._previous_evidence(pointer, current, _number(suggested), previous))
        for cells, stated in claims:
            if pointer not in cells or any(numbers.get(p) is None for p in cells):
                continue
            before = sum(numbers[p] for p in cells)
            after = before - current + _number(suggested)
            if after in stated and before not in stated:
                found.append((PROSE, f"改后与报告正文所述的{_show(after)}一致"))
            elif before in stated and after not in stated:
                found.append((-PROSE, f"但报告正文所述的{_show(before)}与现填数字一致"))
        return found

    def _context_slip(self, pointer, current, numbers) -> tuple[int, str] | None:
        """The typed value is another cell's: a total typed into its part, or a neighbour's."""
        if not isinstance(current, int) or current < 2:
            return None
        for index in self.by_cell.get(pointer, ()):
            identity = self.identities[index]
            own = identity.coef[pointer]
            opposite = [p for p, c in identity.coefs if (c > 0) != (own > 0)]
            if len(opposite) == 1 and numbers.get(opposite[0]) == current:
                return (
                    SLIP_TOTAL_IN_PART,
                    f"填的{current}恰是{self.layout.label(opposite[0])}的数字，疑为把合计数填进了分项",
                )
        cell = self.layout.cells.get(pointer)
        if cell is None:
            return None
        table = self.layout.tables[cell.table]
        rows = [row.path for row in table.rows]
        columns = [column.key for column in cell.row.columns]
        r, c = rows.index(cell.row.path), columns.index(cell.column.key)
        for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            if 0 <= r + dr < len(rows) and 0 <= c + dc < len(columns):
                other = f"{table.pointer}/{rows[r + dr]}/{columns[c + dc]}"
                if numbers.get(other) == current:
                    return (
                        SLIP_NEIGHBOUR,
                        f"填的{current}与相邻的{self.layout.label(other)}相同，疑为错行或错列填写",
                    )
        return None

    def _previous_evidence(self, pointer, current, suggested, previous) -> list[tuple[int, str]]:
        from report_kit.rules.context import resolve

        found = []
        before = resolve(previous, pointer)
        stale = isinstance(before, int) and not isinstance(before, bool) and before >= 1
        if stale and current == before and suggested != before:
            found.append(
                (PREVIOUS_SAME_CELL, f"现填的{_show(current)}与上年报告同一格相同，疑为照抄了上年数字")
            )
        source = _carried_from(pointer)
        if source:
            expected = resolve(previous, source)
            if isinstance(expected, int) and not isinstance(expected, bool):
                if suggested == expected and current != expected:
                    found.append((CROSS_YEAR, f"改后与上年报告的结转下年度（{expected}）一致"))
                elif current == expected and suggested != expected:
                    found.append((-CROSS_YEAR, f"但现填的{_show(current)}与上年报告的结转下年度一致"))
        return found


def _carried_from(pointer: str) -> str | None:
    """Last year's cell that this year's cell must repeat (上年结转 = 上年的结转下年度)."""
    from report_kit.rules.history import carried_from

    return carried_from(pointer)


def _show(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def typing_slip(typed, intended) -> tuple[int, str] | None:
    """How ``intended`` could have become ``typed`` at the keyboard, or None.

    Swapped neighbouring digits (23→32), a digit doubled (12→122) or another one added, a
    digit dropped (120→12), one digit mistyped (15→16). Only whole non-negative numbers.
    """
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (typed, intended)):
        return None
    t, v = str(typed), str(intended)
    if t == v:
        return None
    if len(t) == len(v):
        diff = [i for i in range(len(t)) if t[i] != v[i]]
        if (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and t[diff[0]] == v[diff[1]]
            and t[diff[1]] == v[diff[0]]
        ):
            return SLIP_SWAPPED, f"应为{v}却填成{t}，疑为相邻两位数字颠倒"
        if len(diff) == 1:
            return SLIP_DIGIT, f"应为{v}却填成{t}，疑为敲错了一位数字"
        return None
    if len(t) == len(v) + 1:
        for i in range(len(t)):
            if t[:i] + t[i + 1 :] == v:
                if (i > 0 and t[i - 1] == t[i]) or (i + 1 < len(t) and t[i + 1] == t[i]):
                    return SLIP_DOUBLED, f"应为{v}却填成{t}，疑为一位数字多敲了一次"
                return SLIP_EXTRA, f"应为{v}却填成{t}，疑为多敲了一位数字"
    if len(t) + 1 == len(v):
        for i in range(len(v)):
            if v[:i] + v[i + 1 :] == t:
                return SLIP_DROPPED, f"应为{v}却填成{t}，疑为漏敲了一位数字"
    return None


class _Search:
    """Every smallest change set of one component (see the module docstring)."""

    def __init__(self, localiser: Localiser, residuals, numbers, violated: set[int]):
        self.identities = localiser.identities
        self.by_cell = localiser.by_cell
        self.layout = localiser.layout
        self.residuals = residuals
        self.numbers = numbers
        self.violated = violated
        self.pool = {p for i in violated for p in self.identities[i].pointers}
        self.solutions: dict[frozenset[str], dict[str, Fraction]] = {}

    def run(self) -> list[dict[str, Fraction]]:
        for size in range(1, MAX_CHANGES + 1):
            self.visited: set[frozenset[str]] = set()
            self._grow(frozenset(), size)
            if self.solutions:
                return list(self.solutions.values())
        return []

    def _needy(self, changed: frozenset[str]) -> int | None:
        """The identity that still needs a change, with the fewest cells to choose from."""
        hits: dict[int, int] = {}
        for pointer in changed:
            for index in self.by_cell[pointer]:
                hits[index] = hits.get(index, 0) + 1
        best, best_size = None, 0
        for index in self.violated | set(hits):
            count = hits.get(index, 0)
            identity = self.identities[index]
            if count == 0 or (count == 1 and identity.op == "==" and index not in self.violated):
                size = sum(1 for p in identity.pointers if p in self.pool and p not in changed)
                if best is None or size < best_size:
                    best, best_size = index, size
        return best

    def _grow(self, changed: frozenset[str], size: int) -> None:
        if changed in self.visited:
            return
        self.visited.add(changed)
        needy = self._needy(changed)
        if needy is None and changed:
            solved = self._solve(changed)
            if solved is not None:
                self.solutions[changed] = solved
                return
            options: Iterable[str] = sorted(self.pool - changed)
        elif needy is None:
            return
        else:
            options = [p for p in self.identities[needy].pointers if p in self.pool and p not in changed]
        if len(changed) == size:
            return
        for pointer in options:
            self._grow(changed | {pointer}, size)

    def _solve(self, changed: frozenset[str]) -> dict[str, Fraction] | None:
        cells = sorted(changed)
        touched = sorted({i for p in cells for i in self.by_cell[p]})
        rows = []
        for index in touched:
            identity = self.identities[index]
            if identity.op != "==":
                continue
            coefs = identity.coef
            rows.append([Fraction(coefs.get(p, 0)) for p in cells] + [-self.residuals[index]])
        deltas = _unique_solution(rows, len(cells))
        if deltas is None or any(d == 0 for d in deltas):
            return None
        values = {}
        for pointer, delta in zip(cells, deltas):
            value = Fraction(self.numbers[pointer]) + delta
            if value < 0 or (self.layout.cells[pointer].type == "count" and value.denominator != 1):
                return None
            values[pointer] = value
        for index in touched:
            identity = self.identities[index]
            if identity.op == "==":
                continue
            coefs = identity.coef
            after = self.residuals[index] + sum(coefs.get(p, 0) * d for p, d in zip(cells, deltas))
            if not identity.holds(float(after)):
                return None
        return values


def _unique_solution(rows: list[list[Fraction]], unknowns: int) -> list[Fraction] | None:
    """Gaussian elimination over fractions: the one solution, or None (none, or many)."""
    rows = [row[:] for row in rows]
    pivots = []
    rank = 0
    for column in range(unknowns):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            return None  # a free unknown: no single value to suggest
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        lead = rows[rank][column]
        rows[rank] = [x / lead for x in rows[rank]]
        for r in range(len(rows)):
            if r != rank and rows[r][column] != 0:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank])]
        pivots.append(column)
        rank += 1
    if any(row[unknowns] != 0 for row in rows[rank:]):
        return None  # inconsistent
    return [rows[i][unknowns] for i in range(unknowns)]


# -- linking repairs to findings and to the workbook -------------------------------------------


def hint(entries: list[dict]) -> str:
    """The one line every writer shows next to a finding, from ``repairs`` entries (dicts).

    「最可能出错：表三 D30（结转下年度·自然人）填了2，按其他数据应为1」; when the tables cannot
    tell, every candidate: 「无法确定哪一格出错，可能是：…；或…」.
    """
    if not entries:
        return ""
    best = [e for e in entries if e.get("candidate", 1) == entries[0].get("candidate", 1)]

    def one(entry: dict) -> str:
        return f"{entry['where']}填了{_show(entry['current'])}，按其他数据应为{_show(entry['suggested'])}"

    if best[0]["confidence"] == "ambiguous":
        return "无法确定哪一格出错，可能是：" + "；或".join(one(e) for e in entries)
    text = "最可能出错：" + "；".join(one(e) for e in best)
    if best[0]["confidence"] == "likely":
        others = len({e.get("candidate") for e in entries}) - 1
        text += "（可能性较大，未能完全确定" + (f"，另有{others}种可能" if others else "") + "）"
    return text


def link(findings: list[Finding], repairs: list[Repair], rules: frozenset[str]) -> list[Finding]:
    """Each arithmetic finding names the repairs of cells it involves (indices and hint)."""
    if not repairs:
        return findings
    linked = []
    for finding in findings:
        if finding.rule in rules:
            indices = tuple(i for i, r in enumerate(repairs) if r.pointer in finding.involved)
            if indices:
                entries = [_hint_entry(repairs[i]) for i in indices]
                finding = replace(finding, repairs=indices, repair_hint=hint(entries))
        linked.append(finding)
    return linked


def _hint_entry(repair: Repair) -> dict:
    return {**repair.to_dict(), "where": repair.where}


def suspects(repairs: Iterable[Repair]) -> list[Repair]:
    """The repairs a writer marks as the probably wrong cell: ``certain`` or ``likely`` ones
    (``ambiguous`` candidates are only named, since any of them may be right)."""
    return [r for r in repairs if r.confidence in ("certain", "likely")]


def attach_repair_cells(repairs: list[Repair], source_map, layout: Layout) -> list[Repair]:
    """Sheet and A1 cell of each repaired cell, when the input was a workbook."""
    attached = []
    for repair in repairs:
        if repair.pointer in source_map:
            sheet, address = source_map[repair.pointer]
            cell = layout.cells.get(repair.pointer)
            short = f"{cell.row.short_label}·{cell.column.short_label}" if cell else repair.label
            table = layout.tables[cell.table].name if cell else sheet
            repair = repair.with_cell(sheet, address, table, short)
        attached.append(repair)
    return attached
