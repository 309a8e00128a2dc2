"""Builds the JSON Schema (draft 2020-12) of the canonical submission from the layout file.

The schema is committed to ``schemas/`` so that other tools can use it, but it is *derived*:
run ``python -m report_kit.schema_build`` after editing a layout file, and the test-suite
fails while the committed copy is stale.

Without arguments every revision of the registry (``schemas/formats.json``) is built.
A layout that names a ``catalogue`` source (a superseded format) also gets its rule catalogue
derived: the source catalogue's rules matching the listed id patterns, so rule ids and Chinese
messages stay word for word the same across format revisions.
"""

from __future__ import annotations

import fnmatch
import json
import sys
from pathlib import Path

from report_kit.layout import Layout, load_layout
from report_kit.pointer import parts as pointer_parts
from report_kit.settings import SCHEMA_DIR, YEAR_RANGE

DRAFT = "https://json-schema.org/draft/2020-12/schema"


# An imported submission (report-kit import, docs/import.md) says where it came from. Its
# presence is what marks a submission as imported: only then may table cells be null (not
# read), which the validator reports as reading findings instead of shape errors. A typed
# JSON/YAML or workbook has no ``source`` and a null cell there stays an S.type error.
SOURCE_SCHEMA = {
    "type": "object",
    "title": "导入来源",
    "description": "Set by report-kit import: file, sha256, kind, title, format_evidence, cells (pointer → "
    "where in the document), inferred (pointer → how it was inferred). Its presence allows null cells.",
}


def _object(title: str, properties: dict, required: list[str] | None = None) -> dict:
    return {
        "type": "object",
        "title": title,
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


def _number_schema(column_type: str, title: str) -> dict:
    if column_type == "amount":
        return {"type": "number", "minimum": 0, "title": title}
    if column_type == "signed":  # 2019 表二 本年增/减 may be negative
        return {"type": "integer", "title": title}
    return {"type": "integer", "minimum": 0, "title": title}


def _meta_schema(meta: dict, layout: Layout) -> dict:
    kind = meta["type"]
    title = meta["label"]
    if kind == "enum":
        values = layout.enums[meta["enum"]]
        return {"enum": list(values), "title": title, "x-labels": values}
    if kind == "year":
        return {"type": "integer", "minimum": YEAR_RANGE[0], "maximum": YEAR_RANGE[1], "title": title}
    if kind == "date":
        return {"type": "string", "format": "date", "title": title}
    if kind == "name":
        return {"type": "string", "minLength": 1, "pattern": "\\S", "title": title}
    return {"type": "string", "title": title}


def _insert(tree: dict, pointer: str, schema: dict, required: bool, labels: dict[str, str]) -> None:
    parts = pointer_parts(pointer)
    node = tree
    prefix = ""
    for part in parts[:-1]:
        prefix += "/" + part
        child = node["properties"].get(part)
        if child is None:
            child = _object(labels.get(prefix, part), {}, [])
            node["properties"][part] = child
            if not prefix.startswith("/text"):
                node["required"].append(part)
        node = child
    node["properties"][parts[-1]] = schema
    if required:
        node["required"].append(parts[-1])


def build_schema(layout: Layout) -> dict:
    root = {
        "$schema": DRAFT,
        "$id": f"https://report-kit.example/schemas/submission-{layout.format}.schema.json",
        "title": f"政府信息公开工作年度报告（{layout.raw['notice']}）",
        "type": "object",
        "properties": {},
        "required": [],
        "additionalProperties": False,
    }
    labels = layout.labels
    for meta in layout.meta:
        _insert(root, meta["pointer"], _meta_schema(meta, layout), meta["required"], labels)
    for section in layout.sections:
        if "pointer" not in section:
            continue
        heading = labels[section["pointer"]]
        items = section.get("items")
        if not items:
            _insert(root, section["pointer"], {"type": "string", "title": heading}, False, labels)
            continue
        for item in items:
            _insert(
                root,
                item["pointer"],
                {"type": "string", "title": item["label"]},
                False,  # missing prose is a document finding (D.*), not a shape error
                labels,
            )
    root["properties"]["source"] = SOURCE_SCHEMA
    for table in layout.tables.values():
        for row in table.rows:
            for column in row.columns:
                pointer = table.cell_pointer(row, column).replace("//", "/")
                title = labels[pointer.rstrip("/")]
                _insert(root, pointer, _number_schema(column.type, title), True, labels)
    return root


def schema_path(format_revision: str) -> Path:
    return Path(SCHEMA_DIR) / f"submission-{format_revision}.schema.json"


def rules_path(format_revision: str) -> Path:
    return Path(SCHEMA_DIR) / f"rules-{format_revision}.json"


def derive_rules(layout: Layout) -> dict | None:
    """The rule catalogue of a format derived from another's, or None when it has its own."""
    source = layout.raw.get("catalogue")
    if not source:
        return None
    with open(rules_path(source["from"]), encoding="utf-8") as handle:
        base = json.load(handle)
    patterns = source["include"]
    return {
        "format": layout.format,
        "about": f"Derived from rules-{source['from']}.json by report_kit.schema_build; do not edit. "
        + source.get("why", ""),
        "rules": [
            rule for rule in base["rules"] if any(fnmatch.fnmatchcase(rule["id"], p) for p in patterns)
        ],
    }


def _derived_last(revision: str) -> bool:
    return bool(load_layout(revision).raw.get("catalogue"))


def render(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    from report_kit.formats import revisions as registry

    # Derived catalogues read their source file: revisions with their own catalogue go first.
    revisions = argv if argv else sorted((r.id for r in registry()), key=_derived_last)
    for revision in revisions:
        path = schema_path(revision)
        layout = load_layout(revision)
        path.write_text(render(build_schema(layout)), encoding="utf-8")
        print(f"wrote {path}")
        rules = derive_rules(layout)
        if rules is not None:
            rules_path(revision).write_text(render(rules), encoding="utf-8")
            print(f"wrote {rules_path(revision)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
