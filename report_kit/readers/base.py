"""What every reader returns, and the normalisation every reader applies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from report_kit.findings import Finding
from report_kit.formats import revision
from report_kit.pointer import resolve

SourceMap = dict[str, tuple[str, str]]


@dataclass
class ReadResult:
    """A canonical submission (or None when nothing could be read) plus reading findings.

    ``source_map`` maps pointers to (sheet, A1 cell) for workbooks so that findings can
    name the cell the user typed into.
    """

    submission: dict | None
    findings: list[Finding] = field(default_factory=list)
    source_map: SourceMap = field(default_factory=dict)
    kind: str = "json"

    @property
    def readable(self) -> bool:
        return self.submission is not None


_META_STRINGS = ("/format", "/scope", "/unit/kind", "/unit/level")


def normalise(document: Any) -> Any:
    """Forgive what YAML and hand-editing do to harmless values, without guessing numbers.

    - dates parsed by YAML become ISO strings; a revision id written without quotes
      (``format: 2021`` in YAML) becomes text; enum strings lose surrounding spaces.
    Anything else is left for the schema layer to report.
    """
    if not isinstance(document, dict):
        return document
    document = _dates_to_strings(document)
    fmt = document.get("format")
    if isinstance(fmt, int) and not isinstance(fmt, bool) and revision(fmt) is not None:
        document["format"] = str(fmt)
    for pointer in _META_STRINGS:
        parent, _, key = pointer.rpartition("/")
        node = resolve(document, parent)
        if isinstance(node, dict) and isinstance(node.get(key), str):
            node[key] = node[key].strip()
    return document


def _dates_to_strings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _dates_to_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_to_strings(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
