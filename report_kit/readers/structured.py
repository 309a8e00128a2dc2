"""JSON and YAML submissions: parsed safely, every problem a finding with line and column."""

from __future__ import annotations

import json
import re
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


def _duplicate_reason(key: Any) -> str:
    return f"键“{key}”在同一层出现了两次，后一个会覆盖前一个"


def _not_a_json_number(name: str) -> Any:
    raise _BadConstant(name)


class _BadConstant(Exception):
    pass


def parse_json(text: str) -> ReadResult:
    try:
        document = json.loads(text, object_pairs_hook=_reject_duplicates, parse_constant=_not_a_json_number)
    except _Duplicate as exc:
        line, column = _duplicate_position(text, exc.key)
        return _syntax("JSON", line, column, _duplicate_reason(exc.key))
    except _BadConstant as exc:
        line, column = _position_of(text, str(exc))
        return _syntax("JSON", line, column, f"“{exc}”不是JSON中合法的数值，请填写数字")
    except json.JSONDecodeError as exc:
        return _syntax("JSON", exc.lineno, exc.colno, _json_reason(exc.msg))
    except RecursionError:
        return ReadResult(None, [emit("F.hostile", {"reason": "JSON嵌套层数过深"})], kind="json")
    except ValueError:  # an integer of thousands of digits (int max_str_digits)
        return ReadResult(None, [emit("F.hostile", {"reason": "文件中的数字位数过多"})], kind="json")
    return _finish(document, "json")


def _position_of(text: str, needle: str) -> tuple[int | str, int | str]:
    at = text.find(needle)
    if at < 0:
        return "?", "?"
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def _duplicate_position(text: str, key: str) -> tuple[int | str, int | str]:
    """Line and column of the repeated key: PyYAML reads JSON and knows where nodes are."""
    try:
        parse_yaml_document(text)
    except _DuplicateAt as exc:
        return exc.line, exc.column
    except Exception:  # noqa: S110 - the position is a courtesy; the finding stands without it
        pass
    return "?", "?"


class _DuplicateAt(Exception):
    def __init__(self, key: Any, mark) -> None:
        super().__init__(key)
        self.key = key
        self.line = mark.line + 1 if mark else "?"
        self.column = mark.column + 1 if mark else "?"


_LOADER = None


def _loader():
    """The safe YAML loader (C-accelerated when available) that refuses duplicate keys.

    PyYAML silently keeps the last of two equal keys; in a report that hides a typo (two
    ``received`` blocks, the second one wins), so a repeated key is a syntax error here too.
    """
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class Loader(base):  # type: ignore[misc, valid-type]
            pass

        def construct_mapping(loader, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = loader.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:  # unhashable: the constructor reports it
                    continue
                if duplicate:
                    raise _DuplicateAt(key, key_node.start_mark)
                seen.add(key)
            return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)

        Loader.add_constructor("tag:yaml.org,2002:map", construct_mapping)
        _LOADER = Loader
    return _LOADER


def parse_yaml_document(text: str) -> Any:
    import yaml

    return yaml.load(text, Loader=_loader())  # noqa: S506 - a safe loader


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
    if "escape" in message:
        return "反斜杠“\\”用法不对（文字中的反斜杠请写成“\\\\”）"
    return "写法不符合JSON语法"


def parse_yaml(text: str) -> ReadResult:
    import yaml

    try:
        document = parse_yaml_document(text)
    except _DuplicateAt as exc:
        return _syntax("YAML", exc.line, exc.column, _duplicate_reason(exc.key))
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in (exc.problem or ""):
            return ReadResult(None, [emit("F.hostile", {"reason": "YAML嵌套层数过深"})], kind="yaml")
        mark = exc.problem_mark or exc.context_mark
        clerk = _chinese_punctuation(text, mark.line if mark else len(text.splitlines()))
        if clerk:
            return _syntax("YAML", *clerk)
        line = mark.line + 1 if mark else "?"
        column = mark.column + 1 if mark else "?"
        return _syntax("YAML", line, column, _yaml_reason(exc, text))
    except yaml.YAMLError:
        return _syntax("YAML", "?", "?", "写法不符合YAML语法（请检查缩进、冒号和引号）")
    except RecursionError:
        return ReadResult(None, [emit("F.hostile", {"reason": "YAML嵌套层数过深"})], kind="yaml")
    except ValueError:  # an integer of thousands of digits (int max_str_digits)
        return ReadResult(None, [emit("F.hostile", {"reason": "文件中的数字位数过多"})], kind="yaml")
    return _finish(document, "yaml")


_FULL_WIDTH_COLON = re.compile(r"^[ ]*-?[ ]*[A-Za-z_][A-Za-z0-9_]*[ \u3000]*(：)")
_FULL_WIDTH_INDENT = re.compile(r"^[ ]*(\u3000)")


def _chinese_punctuation(text: str, last_line: int) -> tuple[int, int, str] | None:
    """The mistakes of a Chinese keyboard, found where they are (PyYAML notices them later):
    a key followed by 「：」, an indentation typed with full-width spaces."""
    lines = text.splitlines()[: last_line + 1]
    for number in range(len(lines) - 1, -1, -1):
        line = lines[number]
        if match := _FULL_WIDTH_COLON.match(line):
            reason = "键名后用了中文冒号“：”，应为英文冒号“:”后加一个空格"
            return number + 1, match.start(1) + 1, reason
        if match := _FULL_WIDTH_INDENT.match(line):
            return number + 1, match.start(1) + 1, "缩进用了全角空格，YAML只允许半角空格缩进"
    return None


def _yaml_reason(exc, text: str = "") -> str:
    """A Chinese sentence for PyYAML's problem (pure-Python and C loaders word them differently)."""
    problem = exc.problem or ""
    context = exc.context or ""
    mark = exc.problem_mark
    here = text[mark.index] if mark is not None and 0 <= mark.index < len(text) else ""
    if here == "\t" or "'\\t'" in problem:
        return "使用了制表符（Tab）缩进，YAML只允许空格缩进"
    known = (
        ("mapping values are not allowed", "冒号位置不对（冒号后要有空格，含冒号的文字要加引号）"),
        ("could not find expected ':'", "缺少冒号（或缩进不一致）"),
        ("duplicate anchor", "别名/锚点使用错误"),
        ("undefined alias", "别名/锚点使用错误"),
        ("could not determine a constructor", "使用了不允许的YAML标签（以!!开头的类型标记）"),
        ("unhashable key", "键名不能是列表或映射"),
        ("expected ',' or ']'", "方括号[ ]没有成对，或缺少逗号"),
        ("expected ',' or '}'", "花括号{ }没有成对，或缺少逗号"),
        ("expected '-' indicator", "列表项或缩进不一致（同一层的内容应对齐）"),
        ("expected <block end>", "缩进不一致（同一层的内容应对齐）"),
        ("unexpected end of stream", "文件意外结束（可能缺少结尾的引号或括号）"),
        ("cannot start any token", "此处的字符不能作为YAML内容的开头（如@、`、%，含这些字符的文字请加引号）"),
    )
    for english, chinese in known:
        if english in problem or english in context:
            return chinese
    if "quoted scalar" in context:
        return "引号没有成对"
    return "写法不符合YAML语法（请检查缩进、冒号和引号）"


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


# Every item of a JSON or YAML document costs at least one of these marks; counted before
# parsing (str.count runs at memory speed), a file of millions of tiny items is refused in
# milliseconds instead of after 49 s and 2.5 GB (JSON) or 227 s and 3.7 GB (YAML).
ITEM_MARKS = (",", "[", "{", "- ", ": ")


def _too_many_items(text: str) -> bool:
    budget = 2 * MAX_NODES  # generous: prose may hold ASCII commas and colons too
    for mark in ITEM_MARKS:
        budget -= text.count(mark)
        if budget < 0:
            return True
    return False


def read_structured(data: bytes, kind: str) -> ReadResult:
    """Parse already-sniffed UTF-8 bytes (BOM removed) as JSON or YAML."""
    text = data.decode("utf-8")
    if _too_many_items(text):
        reason = f"数据项超过{MAX_NODES}个，不像是一份年度报告"
        return ReadResult(None, [emit("F.hostile", {"reason": reason})], kind=kind)
    return parse_json(text) if kind == "json" else parse_yaml(text)
