"""The format data: schema derived from the layout, official tables tile exactly."""

from __future__ import annotations

import json

from jsonschema import Draft202012Validator

from report_kit.grid import all_grids
from report_kit.layout import load_layout
from report_kit.schema_build import build_schema, render, schema_path

LAYOUT = load_layout("2021")


def test_committed_schema_is_derived_from_layout():
    committed = schema_path("2021").read_text(encoding="utf-8")
    assert committed == render(build_schema(LAYOUT)), "run: python -m report_kit.schema_build"


def test_schema_is_valid_draft_2020_12_and_titled():
    schema = json.loads(schema_path("2021").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)

    def walk(node, path):
        assert node.get("title"), f"untitled key {path}"
        for key, child in node.get("properties", {}).items():
            walk(child, f"{path}/{key}")

    walk(schema, "")


def test_cell_counts_match_the_national_format():
    tables = {}
    for cell in LAYOUT.cells.values():
        tables[cell.table] = tables.get(cell.table, 0) + 1
    # 25 rows: the official table (and the row list of format-2021.md); see docs/decisions.md
    assert tables == {"T2": 10, "T3": 25 * 7, "T4": 15, "fees": 3}
    assert len(LAYOUT.collections["T3.rows.outcome"]) == 21


def test_grids_tile_without_gaps_or_overlaps():
    for grid in all_grids():
        covered = {}
        for cell in grid.cells:
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    assert (r, c) not in covered, (grid.table, r, c)
                    covered[(r, c)] = cell
        assert len(covered) == grid.width * grid.height, grid.table


def test_every_numeric_cell_appears_once_in_the_grids():
    pointers = [c.pointer for grid in all_grids() for c in grid.data_cells()]
    assert len(pointers) == len(set(pointers))
    assert set(pointers) == {p for p, cell in LAYOUT.cells.items() if cell.table != "fees"}
