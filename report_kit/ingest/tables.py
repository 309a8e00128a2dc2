"""Table rows of a published report → the cells of the canonical submission.

Every reader gives rows of cell texts in reading order (:mod:`model`). This module walks
them once with a cursor over the layout's rows: a cell whose text matches an upcoming row
label (on meaning, :mod:`labels`) opens that row, and the cells after it are its values.
Because the cursor only moves forward, short labels such as 「其他」 or 「总计」 are matched
only where the table has them, and a header cell is never taken for a row.

Positions are never guessed: in a grid a blank cell is that column's blank; in a stream of
one cell per line a row with fewer numbers than columns is ambiguous and every one of its
cells is left ``null`` (unless the digits ran together and the table's identities allow
exactly one way to split them, see :mod:`split`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from report_kit.catalogue import emit
from report_kit.findings import Finding, Location
from report_kit.ingest import cells as C
from report_kit.ingest.labels import SHORT, RowLabels, ingest_data, norm, row_labels
from report_kit.ingest.model import TableRow
from report_kit.layout import Layout

WINDOW = 8  # rows of the current table a label may skip ahead to (omitted rows)
NEXT_TABLE_ROWS = 3  # rows at the start of a later table that may open it
GROUP_BLANK_ROWS = 3  # more rows with blank cells than this: one finding for the table


@dataclass
class Entry:
    """One printed row: its cells (pointers, in column order) and how to recognise it."""

    table: str
    pointers: list[str]
    types: list[str]
    columns: list[str]  # column labels, for messages
    label: str
    labels: RowLabels | None  # None: a row without a printed label (表四), opened by anchors
    anchors: tuple[str, ...] = ()
    groups: list[tuple[list[int], int]] = field(default_factory=list)  # (parts, total) identities


@dataclass
class Seen:
    token: C.Token
    where: str


@dataclass
class Reading:
    values: dict[str, int | float | None] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    tables_seen: set[str] = field(default_factory=set)


def entries(layout: Layout) -> list[Entry]:
    """The printed rows of the statistical tables (表二, 表三, 表四) in layout order (a table the
    ingest data reads as ``one_run``, 表四's three groups, as one label-less run)."""
    fmt = layout.format
    one_run = ingest_data(fmt).get("one_run", {})
    out: list[Entry] = []
    for table_id in layout.statistical_tables:
        table = layout.tables[table_id]
        if table_id in one_run:
            pointers, types, columns, groups = [], [], [], []
            for row in table.rows:
                start = len(pointers)
                for column in row.columns:
                    pointers.append(table.cell_pointer(row, column))
                    types.append(column.type)
                    columns.append(f"{row.short_label}·{column.label}")
                groups.extend(_groups(row.columns, start))
            out.append(
                Entry(
                    table_id,
                    pointers,
                    types,
                    columns,
                    table.name,
                    None,
                    tuple(norm(a) for a in one_run[table_id]["anchors"]),
                    groups,
                )
            )
            continue
        for row in table.rows:
            row_pointer = f"{table.pointer}/{row.path}"
            out.append(
                Entry(
                    table_id,
                    [table.cell_pointer(row, c) for c in row.columns],
                    [c.type for c in row.columns],
                    [c.label for c in row.columns],
                    row.short_label,
                    row_labels(fmt, row_pointer, (row.label, row.short_label)),
                    groups=_groups(row.columns, 0),
                )
            )
    return out


def _groups(columns, start: int) -> list[tuple[list[int], int]]:
    parts = [start + i for i, c in enumerate(columns) if "part" in c.tags]
    totals = [start + i for i, c in enumerate(columns) if "total" in c.tags]
    return [(parts, totals[0])] if parts and len(totals) == 1 else []


class Walker:
    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.entries = entries(layout)
        self.cursor = 0
        self.open: Entry | None = None
        self.collected: list[Seen] = []
        self.positional = True
        self.reading = Reading()
        self.done: set[int] = set()
        self.pending_splits: list = []  # rows whose glued digits fit several cuts (split.settle)
        self.blanks: dict[str, list] = {}  # table → (entry, blank column indexes, cells) to report

    # -- matching ---------------------------------------------------------------------
    def _candidates(self) -> list[int]:
        if self.cursor >= len(self.entries):
            return []
        table = self.entries[self.cursor].table
        same = [i for i in range(self.cursor, min(self.cursor + WINDOW, len(self.entries)))]
        same = [i for i in same if self.entries[i].table == table]
        later: list[int] = []
        counts: dict[str, int] = {}
        for i in range(self.cursor, len(self.entries)):
            t = self.entries[i].table
            if t != table and counts.get(t, 0) < NEXT_TABLE_ROWS:
                counts[t] = counts.get(t, 0) + 1
                later.append(i)
        return same + later

    def _match(self, text: str, least: int = 1) -> int | None:
        candidate = norm(text)
        if not candidate:
            return None
        best, best_score = None, least - 1
        for i in self._candidates():
            entry = self.entries[i]
            if i != self.cursor and len(candidate) < SHORT and self.cursor < len(self.entries):
                continue  # 「其他」「总计」 (a header repeated after a page break) never skip rows
            if entry.labels is None:
                score = 3 if candidate in entry.anchors else 0
            else:
                score = entry.labels.score(candidate)
            if score > best_score:
                best, best_score = i, score
        return best

    # -- walking ----------------------------------------------------------------------
    def feed(self, row: TableRow) -> None:
        tokens = [
            Seen(C.read_cell(text), where) for text, where in zip(row.cells, row.where) if text is not None
        ]
        if not row.positional:
            tokens = [s for s in tokens if s.token.kind != C.BLANK]
        matched_at, matched = None, None
        # in a stream, a label still waiting for its numbers is more likely wrapped than done
        least = 2 if self.open is not None and not row.positional and not self._has_values() else 1
        for index, seen in enumerate(tokens):
            if seen.token.kind == C.LABEL:
                found = self._match(seen.token.text, least)
                if found is not None:
                    matched_at, matched = index, found
        if matched is not None:
            self._close()
            self.open = self.entries[matched]
            self.cursor = matched + 1
            self.positional = row.positional
            self.reading.tables_seen.add(self.open.table)
            self.collected = tokens[matched_at + 1 :] if self.open.labels is not None else []
            if (
                self.open.labels is not None
                and row.positional
                and any(s.token.kind != C.BLANK for s in self.collected)
            ):
                self._close()
            return
        if self.open is None:
            return
        if not row.positional and self.collected and _opens(self.collected[-1].token.text) and _closes(row):
            return  # the rest of a note wrapped over lines: 「3（其中」 「修订1件）」
        has_label = any(s.token.kind == C.LABEL for s in tokens)
        if has_label and self._has_values():
            self._close()
            return
        if has_label and self.open.labels is not None and not row.positional:
            # the rest of a label wrapped over lines (PDF, text): its numbers follow it
            last = max(i for i, s in enumerate(tokens) if s.token.kind == C.LABEL)
            tokens, has_label = tokens[last + 1 :], False
        if not has_label:
            self.collected.extend(tokens)
            self.positional = self.positional and row.positional
            if len([s for s in self.collected if s.token.kind != C.BLANK]) >= len(self.open.pointers):
                self._close()

    def finish(self) -> Reading:
        from report_kit.ingest.split import settle

        self._close()
        settle(self)
        self._report_blanks()
        self._report_missing()
        return self.reading

    def _report_blanks(self) -> None:
        """One finding per row, or one per table when many rows leave cells blank (a unit
        that fills only 总计 leaves six blanks in every row of 表三)."""
        for table_id, rows in self.blanks.items():
            if len(rows) <= GROUP_BLANK_ROWS:
                for entry, indexes, seen in rows:
                    self._nulls(entry, "R.cell_blank", indexes, seen, "")
                continue
            table = self.layout.tables[table_id]
            count = sum(len(indexes) for _, indexes, _ in rows)
            first_entry, first_indexes, first_seen = rows[0]
            columns = [first_entry.columns[i] for i in sorted({i for _, indexes, _ in rows for i in indexes})]
            label = f"{table.name}共{len(rows)}行{count}个单元格（{'、'.join(columns[:7])}等列）"
            locations = tuple(loc for entry, indexes, _ in rows for loc in self._locations(entry, indexes))
            for entry, indexes, seen in rows:
                self._set_null(entry, indexes, seen[indexes[0]].where)
            where = first_seen[first_indexes[0]].where
            self.reading.findings.append(
                emit(
                    "R.cell_blank",
                    {"where": f"{where}起", "label": label, "seen": "", "detail": ""},
                    locations,
                )
            )

    def _has_values(self) -> bool:
        return any(s.token.kind != C.BLANK for s in self.collected)

    # -- resolving one row --------------------------------------------------------------
    def _close(self) -> None:
        entry, seen = self.open, self.collected
        self.open, self.collected = None, []
        if entry is None:
            return
        self.done.add(self.entries.index(entry))
        expanded: list[Seen] = []
        for s in seen:
            if s.token.split:
                expanded.extend(Seen(C.read_cell(part), s.where) for part in s.token.split)
            else:
                expanded.append(s)
        n = len(entry.pointers)
        if self.positional:
            while len(expanded) > n and expanded[-1].token.kind == C.BLANK:
                expanded.pop()
            if len(expanded) < n and expanded:
                last = expanded[-1].where
                expanded += [Seen(C.Token(C.BLANK, ""), last)] * (n - len(expanded))
        else:
            expanded = [s for s in expanded if s.token.kind != C.BLANK]
        if len(expanded) == n:
            self._assign(entry, expanded)
            return
        if not expanded:
            self._nulls(entry, "R.cell_blank", list(range(n)), None, "")
            return
        from report_kit.ingest.split import resolve_run

        if resolve_run(self, entry, expanded):
            return
        seen_text = " ".join(s.token.text for s in expanded)
        self._set_null(entry, range(n), expanded[0].where)
        self.reading.findings.append(
            emit(
                "R.ambiguous",
                {
                    "where": expanded[0].where,
                    "label": entry.label,
                    "expected": n,
                    "found": len(expanded),
                    "seen": _short(seen_text),
                },
                self._locations(entry, range(n)),
                quote=_short(seen_text),
            )
        )

    def _assign(self, entry: Entry, seen: list[Seen], values: list | None = None) -> None:
        blanks: list[int] = []
        dashes: list[int] = []
        for i, (pointer, cell_type, s) in enumerate(zip(entry.pointers, entry.types, seen)):
            token = s.token
            self.reading.sources[pointer] = s.where
            value = values[i] if values is not None else C.as_type(token, cell_type)
            if token.kind == C.NUMBER and value is not None:
                self.reading.values[pointer] = value
                if token.note and token.note not in ingest_data()["unit_suffixes"]:
                    self.reading.findings.append(
                        emit(
                            "R.cell_note",
                            {
                                "where": s.where,
                                "label": self._cell_label(entry, i),
                                "seen": token.text,
                                "value": value,
                                "note": token.note,
                            },
                            self._locations(entry, [i]),
                        )
                    )
                continue
            self.reading.values[pointer] = None
            if token.kind == C.BLANK:
                blanks.append(i)
            elif token.kind == C.DASH:
                dashes.append(i)
            else:
                expected = (
                    "数字" if cell_type == "amount" else ("整数" if cell_type == "signed" else "非负整数")
                )
                self.reading.findings.append(
                    emit(
                        "R.cell_unreadable",
                        {
                            "where": s.where,
                            "label": self._cell_label(entry, i),
                            "seen": token.text,
                            "expected": expected,
                        },
                        self._locations(entry, [i]),
                        quote=token.text,
                    )
                )
        if blanks:
            self.blanks.setdefault(entry.table, []).append((entry, blanks, seen))
        if dashes:
            self._nulls(entry, "R.cell_dash", dashes, seen, seen[dashes[0]].token.text)

    def _nulls(
        self, entry: Entry, rule: str, indexes: list[int], seen: list[Seen] | None, shown: str
    ) -> None:
        where = seen[indexes[0]].where if seen else "表格"
        self._set_null(entry, indexes, where)
        label = (
            f"{entry.label}（整行）"
            if len(indexes) == len(entry.pointers) and len(indexes) > 1
            else "、".join(self._cell_label(entry, i) for i in indexes)
        )
        detail = ""
        if seen and len(indexes) > 1:
            where = f"{where}等{len(indexes)}处"
        self.reading.findings.append(
            emit(
                rule,
                {"where": where, "label": label, "seen": shown, "detail": detail},
                self._locations(entry, indexes),
            )
        )

    def _set_null(self, entry: Entry, indexes, where: str) -> None:
        for i in indexes:
            self.reading.values[entry.pointers[i]] = None
            self.reading.sources.setdefault(entry.pointers[i], where)

    def _cell_label(self, entry: Entry, i: int) -> str:
        return f"{entry.label}·{entry.columns[i]}" if entry.labels is not None else entry.columns[i]

    def _locations(self, entry: Entry, indexes) -> tuple[Location, ...]:
        return tuple(Location(entry.pointers[i], self.layout.label(entry.pointers[i])) for i in indexes)

    def _report_missing(self) -> None:
        by_table: dict[str, list[int]] = {}
        for i, entry in enumerate(self.entries):
            if i not in self.done:
                by_table.setdefault(entry.table, []).append(i)
        for table_id, missing in by_table.items():
            table = self.layout.tables[table_id]
            if table_id not in self.reading.tables_seen:
                for i in missing:
                    self._set_null(self.entries[i], range(len(self.entries[i].pointers)), "")
                self.reading.findings.append(
                    emit(
                        "R.table_missing",
                        {"table": table.name, "title": table.title, "reason": "（可能以图片发布或被省略）"},
                        (Location(table.pointer, f"{table.name} {table.title}"),),
                    )
                )
                continue
            for i in missing:
                entry = self.entries[i]
                self._set_null(entry, range(len(entry.pointers)), "")
                self.reading.findings.append(
                    emit(
                        "R.row_missing",
                        {"table": table.name, "label": entry.label},
                        self._locations(entry, range(len(entry.pointers))),
                    )
                )


def _opens(text: str) -> bool:
    return text.count("（") + text.count("(") > text.count("）") + text.count(")")


def _closes(row: TableRow) -> bool:
    text = "".join(c for c in row.cells if c)
    return text.count("）") + text.count(")") > text.count("（") + text.count("(")


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_tables(rows: list[TableRow], layout: Layout) -> Reading:
    walker = Walker(layout)
    for row in rows:
        walker.feed(row)
    return walker.finish()
