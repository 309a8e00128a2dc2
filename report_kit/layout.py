"""The national format as an object model, read from ``schemas/layout-<format>.json``.

Every other module — the schema builder, the rule compiler, the workbook and document
writers — asks this module for rows, columns, labels and cell order, so that nothing
about the format is written down twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from report_kit.settings import SCHEMA_DIR


class _Labelled:
    """A row or column: its official label, and the short one where the layout gives it."""

    label: str
    short: str | None

    @property
    def short_label(self) -> str:
        return self.short or self.label


@dataclass(frozen=True)
class Column(_Labelled):
    key: str
    label: str
    type: str = "count"
    tags: tuple[str, ...] = ()
    short: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Row(_Labelled):
    key: str
    path: str  # pointer relative to the table pointer, e.g. "results/withheld/state_secret"
    label: str
    columns: tuple[Column, ...]
    tags: tuple[str, ...] = ()
    short: str | None = None
    group: str | None = None
    block: int = 0


@dataclass(frozen=True)
class Cell:
    """One numeric cell of a statistical table (or of the structured fee figures)."""

    pointer: str
    table: str
    row: Row
    column: Column
    order: tuple[int, int, int]

    @property
    def label(self) -> str:
        return f"{self.row.label} · {self.column.label}"

    @property
    def type(self) -> str:
        return self.column.type


@dataclass
class Table:
    id: str
    name: str
    title: str
    pointer: str
    rows: list[Row]
    columns: list[Column]
    raw: dict

    def cell_pointer(self, row: Row, column: Column) -> str:
        return f"{self.pointer}/{row.path}/{column.key}"

    def group_chain(self, group: str | None) -> list[str]:
        """A row's nested groups, outermost first (表三: 三、本年度办理结果 → （三）不予公开)."""
        groups = self.raw.get("groups", {})
        chain: list[str] = []
        while group:
            chain.insert(0, group)
            group = groups[group].get("parent")
        return chain


@dataclass(frozen=True)
class KeyFigure:
    """A figure reviewers follow year to year: the sum of ``cells`` (a format that lacks one
    of them has no value for it)."""

    key: str
    label: str  # short, for table columns
    title: str  # in sentences
    cells: tuple[str, ...]
    compare: bool = False  # H.change: flagged when it changes by more than the batch's factor


@dataclass
class Layout:
    """Indexes over one format revision's layout file."""

    format: str
    raw: dict
    tables: dict[str, Table] = field(default_factory=dict)
    cells: dict[str, Cell] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    order: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    collections: dict[str, list[str]] = field(default_factory=dict)
    text_items: list[dict] = field(default_factory=list)

    @property
    def sections(self) -> list[dict]:
        return self.raw["sections"]

    @property
    def meta(self) -> list[dict]:
        return self.raw["meta"]

    @property
    def groups(self) -> tuple[str, ...]:
        """The parts of a report in the order findings are sorted and listed: metadata, the
        tables, the fee figures, the prose (the layout's ``groups``)."""
        return tuple(group["key"] for group in self.raw["groups"])

    def group_title(self, key: str | None) -> str | None:
        """A group's heading: its ``title``, or the table's 「表三 收到和处理…」."""
        for group in self.raw["groups"]:
            if group["key"] == key:
                if "title" in group:
                    return group["title"]
                table = self.tables[key]
                return f"{table.name} {table.title}"
        return None

    def drawn_as(self, drawing: str) -> Table:
        """The table of a kind (``applicants``: 表三), whatever its id."""
        return next(
            self.tables[t] for t in self.statistical_tables if self.tables[t].raw["drawing"] == drawing
        )

    @property
    def statistical_tables(self) -> tuple[str, ...]:
        """Ids of the printed statistical tables (表二, 表三, 表四), in the layout's order."""
        return tuple(self.raw["tables"])

    @property
    def enums(self) -> dict[str, dict[str, str]]:
        return self.raw["enums"]

    @property
    def key_figures(self) -> list[KeyFigure]:
        """The handful of figures compared across years (history, batch, archive export)."""
        return [
            KeyFigure(
                f["key"], f["label"], f.get("title") or f["label"], tuple(f["cells"]), f.get("compare", False)
            )
            for f in self.raw.get("key_figures", ())
        ]

    def key_figure(self, key: str) -> KeyFigure:
        return next(f for f in self.key_figures if f.key == key)

    def label(self, pointer: str) -> str:
        """The official Chinese label of a pointer, falling back to its nearest labelled parent."""
        probe = pointer
        while probe:
            if probe in self.labels:
                extra = pointer[len(probe) :].strip("/")
                return self.labels[probe] + (f" · {extra}" if extra else "")
            probe = probe.rsplit("/", 1)[0]
        return pointer or "（整个文件）"

    def sort_key(self, pointer: str) -> tuple[int, int, int]:
        probe = pointer
        while probe:
            if probe in self.order:
                return self.order[probe]
            probe = probe.rsplit("/", 1)[0]
        return (len(self.groups), 0, 0)


def _columns(raw: list[dict]) -> tuple[Column, ...]:
    return tuple(
        Column(
            key=c["key"],
            label=c["label"],
            type=c.get("type", "count"),
            tags=tuple(c.get("tags", ())),
            short=c.get("short"),
            unit=c.get("unit"),
        )
        for c in raw
    )


def _build_blocks(table_id: str, raw: dict) -> Table:
    """A table printed as blocks of rows, each block with its own columns (表二)."""
    rows: list[Row] = []
    for index, block in enumerate(raw["blocks"]):
        columns = _columns(block["columns"])
        for r in block["rows"]:
            rows.append(
                Row(
                    key=r["key"],
                    path=r["key"],
                    label=r["label"],
                    columns=columns,
                    tags=tuple(r.get("tags", ())),
                    block=index,
                )
            )
    all_columns = {c.key: c for row in rows for c in row.columns}
    return Table(table_id, raw["name"], raw["title"], raw["pointer"], rows, list(all_columns.values()), raw)


def _build_grid(table_id: str, raw: dict) -> Table:
    columns = _columns(raw["columns"])
    rows = [
        Row(
            key=r["key"],
            path=r["path"],
            label=r["label"],
            columns=columns,
            tags=tuple(r.get("tags", ())),
            short=r.get("short"),
            group=r.get("group"),
        )
        for r in raw["rows"]
    ]
    return Table(table_id, raw["name"], raw["title"], raw["pointer"], rows, list(columns), raw)


def _build_fees(raw: dict) -> Table:
    columns = _columns(raw["cells"])
    row = Row(key="fees", path="", label=raw["label"], columns=columns)
    return Table("fees", raw["label"], raw["label"], raw["pointer"], [row], list(columns), raw)


def build_layout(raw: dict) -> Layout:
    """Indexes over a layout file; the revision's title, notice and the ``format`` enumeration
    (every known revision, newest first) come from the registry, :mod:`report_kit.formats`."""
    from report_kit import formats

    revision = formats.revision(raw["format"])
    raw = {
        **raw,
        "title": raw.get("title") or (revision.title if revision else ""),
        "notice": raw.get("notice") or (revision.notice if revision else ""),
        "enums": {"format": {r.id: r.label for r in reversed(formats.revisions())}, **raw["enums"]},
    }
    layout = Layout(format=raw["format"], raw=raw)
    for table_id, table_raw in raw["tables"].items():
        build = _build_blocks if "blocks" in table_raw else _build_grid
        layout.tables[table_id] = build(table_id, table_raw)
    layout.tables["fees"] = _build_fees(raw["fees"])
    groups = layout.groups

    for pointer, label in raw.get("objects", {}).items():
        layout.labels[pointer] = label
    for index, meta in enumerate(raw["meta"]):
        layout.labels[meta["pointer"]] = meta["label"]
        layout.order[meta["pointer"]] = (groups.index("meta"), index, 0)
    for table_id, table in layout.tables.items():
        t_index = groups.index(table_id)
        for r_index, row in enumerate(table.rows):
            row_pointer = f"{table.pointer}/{row.path}".rstrip("/")
            layout.labels.setdefault(row_pointer, row.label)
            layout.order.setdefault(row_pointer, (t_index, r_index, 0))
            for c_index, column in enumerate(row.columns):
                pointer = f"{row_pointer}/{column.key}"
                cell = Cell(pointer, table_id, row, column, (t_index, r_index, c_index + 1))
                layout.cells[pointer] = cell
                layout.order[pointer] = cell.order
                layout.labels[pointer] = (
                    column.label if table_id == "fees" else f"{row.label} · {column.label}"
                )
        layout.order.setdefault(table.pointer, (t_index, 0, 0))
        layout.labels.setdefault(table.pointer, f"{table.name} {table.title}")

    t_text = groups.index("text")
    position = 0
    for section in raw["sections"]:
        if "pointer" not in section:
            continue
        heading = f"{section['number']}、{section['title']}"
        layout.labels[section["pointer"]] = heading
        layout.order[section["pointer"]] = (t_text, position, 0)
        position += 1
        for item in section.get("items", ()):
            layout.labels[item["pointer"]] = f"{heading} · {item['label']}"
            layout.order[item["pointer"]] = (t_text, position, 0)
            layout.text_items.append({**item, "section": section["key"]})
            position += 1
        if not section.get("items"):
            layout.text_items.append(
                {
                    "key": section["key"],
                    "label": section["title"],
                    "pointer": section["pointer"],
                    "required": section.get("required", False),
                    "section": section["key"],
                }
            )

    # Named collections the rules iterate over (``T3.columns``, ``T4.parts``, ``T2.rows.documents``):
    # every table's rows by tag; a table with one set of columns also its columns and parts.
    c = layout.collections
    for table_id in layout.statistical_tables:
        table = layout.tables[table_id]
        if "blocks" not in table.raw:
            c[f"{table_id}.columns"] = [col.key for col in table.columns]
            c[f"{table_id}.parts"] = [col.key for col in table.columns if "part" in col.tags]
            c[f"{table_id}.rows"] = [row.path for row in table.rows]
        for tag in sorted({t for row in table.rows for t in row.tags}):
            c[f"{table_id}.rows.{tag}"] = [row.path for row in table.rows if tag in row.tags]
    return layout


def load_layout(format_revision: str | None = None) -> Layout:
    """The layout of a revision (default: the current one, see :mod:`report_kit.formats`)."""
    from report_kit.formats import current

    return _load_layout(format_revision or current().id)


@cache
def _load_layout(format_revision: str) -> Layout:
    path = Path(SCHEMA_DIR) / f"layout-{format_revision}.json"
    with open(path, encoding="utf-8") as handle:
        return build_layout(json.load(handle))
