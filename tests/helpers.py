"""Helpers shared by the test modules: the shipped examples, the CLI runner, pointer walks.

One place, so that a test file holds only what it tests. Hypothesis strategies live in
``strategies.py`` and hostile-file makers in ``hostile.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from report_kit.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXAMPLE_JSON = EXAMPLES / "轮台县市场监督管理局-2024.json"
EXAMPLE_YAML = EXAMPLES / "轮台县市场监督管理局-2024.yaml"


def load_example() -> dict:
    """A fresh copy of the shipped JSON example (the same report as the YAML one)."""
    return json.loads(EXAMPLE_JSON.read_text(encoding="utf-8"))


def run(*args, env=None, catch_exceptions: bool = False):
    """``report-kit ARGS`` through click's CliRunner; arguments may be paths."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=catch_exceptions, env=env)


def leaves(node, prefix=""):
    """(pointer, value) of every scalar of a nested dict."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, f"{prefix}/{key}")
    else:
        yield prefix, node


def get(node, pointer: str):
    for part in pointer.strip("/").split("/"):
        node = node[part]
    return node


def put(node, pointer: str, value) -> None:
    *parents, last = pointer.strip("/").split("/")
    for part in parents:
        node = node[part]
    node[last] = value


def delete(node, pointer: str) -> None:
    *parents, last = pointer.strip("/").split("/")
    for part in parents:
        node = node[part]
    del node[last]


def write_json(path: Path, document: dict, ascii_only: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=ascii_only), encoding="utf-8")
    return path
