"""JSON and YAML submissions: parsed safely, every problem a finding with line and column."""

from __future__ import annotations

import json
from typing import Any

from report_kit.catalogue import emit
from report_kit.findings import Location
from report_kit.readers.base import ReadResult, normalise

MAX_NODES = 200_000  # a real report has ~500; YAML aliases can make a small file explode
MAX_DEPTH = 64


class _Hostile(Exception):
    pass


def _check_size(value: Any) -> None:
    """Walk the parsed document with a budget: YAML alias bombs and absurd nesting stop here."""
    budget = MAX_NODES
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        budget -= 1
        if budget < 0:
            raise _Hostile(f"数据项超过{MAX_NODES}个（可能是YAML别名炸弹）")
        if depth > MAX_DEPTH:
            raise _Hostile(f"嵌套层数超过{MAX_DEPTH}层")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise _Duplicate(key)
        result[key] = value
    return result


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _syntax(kind: str, line: int, column: int, reason: str) -> ReadResult:
    return ReadResult(
        None,
        [
            emit(
                "F.syntax",
                {"kind": kind, "line": line, "column": column, "reason": reason},
                (Location("", f"第{line}行第{column}列"),),
            )
        ],
        kind=kind.lower(),
    )


def parse_json(text: str) -> ReadResult:
    try:
        document = json.loads(text, object_pairs_hook=_reject_duplicates)
    except _Duplicate as exc:
        return ReadResult(
            None,
            [
                emit(
                    "F.syntax",
                    {
                        "kind": "JSON",
                        "line": "?",
                        "column": "?",
                        "reason": f"键“{exc.key}”在同一层出现了两次，后一个会覆盖前一个",
                    },
                )
            ],
            kind="json",
        )
    except json.JSONDecodeError as exc:
        return _syntax("JSON", exc.lineno, exc.colno, _json_reason(exc.msg))
    except RecursionError:
        return ReadResult(None, [emit("F.hostile", {"reason": "JSON嵌套层数过深"})], kind="json")
    return _finish(document, "json")


def _json_reason(message: str) -> str:
    known = {
        "Expecting ',' delimiter": "缺少逗号“,”",
        "Expecting ':' delimiter": "缺少冒号“:”",
        "Expecting value": "此处应有一个值（可能多了逗号，或用了中文引号）",
        "Expecting property name enclosed in double quotes": "键名应使用英文双引号（可能多了逗号）",
        "Unterminated string starting at": "字符串缺少结尾的双引号",
        "Extra data": "文件结尾有多余内容",
        "Invalid control character at": "字符串中有换行或控制字符（换行请写成\\n）",
    }
    for english, chinese in known.items():
        if message.startswith(english):
            return chinese
    return message


def parse_yaml(text: str) -> ReadResult:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        document = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else "?"
        column = mark.column + 1 if mark else "?"
        return _syntax("YAML", line, column, _yaml_reason(exc))
    except yaml.YAMLError as exc:
        return _syntax("YAML", "?", "?", str(exc))
    except RecursionError:
        return ReadResult(None, [emit("F.hostile", {"reason": "YAML嵌套层数过深"})], kind="yaml")
    return _finish(document, "yaml")


def _yaml_reason(exc) -> str:
    problem = exc.problem or ""
    if "found character '\\t'" in problem:
        return "使用了制表符（Tab）缩进，YAML只允许空格缩进"
    if "mapping values are not allowed" in problem:
        return "冒号位置不对（冒号后要有空格，含冒号的文字要加引号）"
    if "could not find expected ':'" in problem:
        return "缺少冒号（或缩进不一致）"
    if "found duplicate anchor" in problem or "found undefined alias" in problem:
        return "别名/锚点使用错误"
    return problem or str(exc)


def _finish(document: Any, kind: str) -> ReadResult:
    try:
        _check_size(document)
    except _Hostile as exc:
        return ReadResult(None, [emit("F.hostile", {"reason": str(exc)})], kind=kind)
    if document is None:
        return ReadResult(None, [emit("F.empty")], kind=kind)
    if not isinstance(document, dict):
        from report_kit.rules.shape import describe

        return ReadResult(None, [emit("F.not_object", {"actual": describe(document)})], kind=kind)
    if any(not isinstance(key, str) for key in document):
        document = {str(key): value for key, value in document.items()}
    return ReadResult(normalise(document), kind=kind)


def read_structured(data: bytes, kind: str) -> ReadResult:
    """Parse already-sniffed UTF-8 bytes (BOM removed) as JSON or YAML."""
    text = data.decode("utf-8")
    return parse_json(text) if kind == "json" else parse_yaml(text)
