"""Plans written as paragraphs: numbered items under 一、/（一） headings, units in brackets.

Three ways of naming units are read: a trailing bracket 「（县发改委、自然资源局）」; brackets
after each sentence group 「…。（州工商局牵头落实）…。（州发改委牵头落实）」, each closing a task
of its own; and lines 「责任单位：…」「完成时限：…」 after a task, or after a heading (then every
task under it that names no units of its own inherits them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from report_kit.plan import numbering
from report_kit.plan.ledger import Task
from report_kit.plan.units import (
    CLOSE,
    OPEN,
    UnitPhrase,
    bracket_depths,
    looks_like_unit,
    merge,
    parse_units,
    split_outside_brackets,
    subject_units,
    unit_data,
)

STOP = re.compile(r"^(抄送|附件[：:]|信息来源|（此件|\(此件|主题词|首页|打印本页|关闭窗口)")


@dataclass
class _Pending:
    task: Task
    own: UnitPhrase | None = None  # units printed with the task (bracket or labelled lines)
    deadline: str | None = None
    heading_key: tuple = ()
    open_text: bool = False  # the paragraph was cut (no end punctuation): the next line continues it


@dataclass
class _Defaults:
    units: UnitPhrase | None = None
    deadline: str | None = None


@dataclass
class _State:
    path: list[str] = field(default_factory=list)
    defaults: dict[tuple, _Defaults] = field(default_factory=dict)
    pending: list[_Pending] = field(default_factory=list)
    since_heading: bool = False  # a task was seen since the last heading


def label_line(line: str) -> tuple[str, str] | None:
    """(role, value) of 「责任单位：…」「完成时限：…」 lines."""
    labels = unit_data()["role_words"]["labels"]
    for role, words in labels.items():
        for word in words:
            match = re.match(rf"^[〔\[【（(]?\s*{re.escape(word)}\s*[：:]\s*(.*?)[〕\]】）)]?$", line)
            if match:
                return role, match.group(1).strip()
    return None


def parse_prose(lines: list[str], start: int = 0) -> list[Task]:
    region = []
    for raw in lines[start:]:
        line = re.sub(r"^[\s\u3000\xa0]+|[\s\u3000\xa0]+$", "", raw)
        if STOP.match(line) and region:
            break
        region.append(line)
    arabic_tasks = any(numbering.task_number(line) for line in region if line)
    state = _State()
    for line in region:
        if not line:
            continue
        _line(state, line, arabic_tasks)
    return _finish(state)


def _heading_key(state: _State) -> tuple:
    return tuple(state.path)


def _line(state: _State, line: str, arabic_tasks: bool) -> None:
    found = numbering.section(line)
    if found and len(found[1]) <= 40 and "。" not in found[1].rstrip("。"):
        state.path = [line]
        state.since_heading = False
        return
    labelled = label_line(line)
    if labelled:
        _label(state, *labelled)
        return
    sub = numbering.sub_section(line)
    if sub and arabic_tasks:
        state.path = state.path[:1] + [line]
        state.since_heading = False
        return
    if sub:
        _paragraph(state, sub[0], sub[1])
        return
    number = numbering.task_number(line)
    if number:
        _paragraph(state, number[0], number[1])
        return
    last = state.pending[-1] if state.pending else None
    if last is not None and last.open_text:
        last.task.text += line
        _reparse_tail(state, last)
        return
    segments = _segments(line)
    if any(units is not None for _, units in segments):
        _add_segments(state, None, line, segments)


def _label(state: _State, role: str, value: str) -> None:
    target = state.pending[-1] if state.pending and state.since_heading else None
    if target is None:  # after a heading: the default of every task under it
        defaults = state.defaults.setdefault(_heading_key(state), _Defaults())
        if role == "deadline":
            defaults.deadline = numbering.clean_deadline(value)
        else:
            phrase = parse_units(value, column=role)
            defaults.units = merge(defaults.units, phrase) if defaults.units else phrase
        return
    target.open_text = False
    if role == "deadline":
        target.deadline = numbering.clean_deadline(value)
    else:
        phrase = parse_units(value, column=role)
        target.own = merge(target.own, phrase) if target.own else phrase


def _paragraph(state: _State, number: str, rest: str) -> None:
    _add_segments(state, number, rest, _segments(rest))


def _add_segments(state: _State, number: str | None, text: str, segments) -> None:
    parent = list(state.path)
    if number is None and state.pending and state.pending[-1].task.number is not None:
        head = state.pending[-1]
        if head.task.path == parent:  # an unnumbered paragraph after a numbered task: under it
            parent = parent + [head.task.number + numbering.first_sentence(head.task.text)]
    elif number is None and state.pending:
        parent = list(state.pending[-1].task.path)
    for index, (segment, units) in enumerate(segments):
        if index == 0:
            task = Task(number=number, path=list(state.path) if number else parent, text=segment)
        else:
            title = (number or "") + numbering.first_sentence(segments[0][0]) if number else None
            task = Task(number=None, path=list(state.path) + [title] if title else parent, text=segment)
        open_text = units is None and not re.search(r"[。；！？）)〕]$", segment)
        state.pending.append(_Pending(task, units, heading_key=_heading_key(state), open_text=open_text))
    state.since_heading = True


def _reparse_tail(state: _State, pending: _Pending) -> None:
    """A cut line was joined to its task: brackets in the joined text may now close it."""
    segments = _segments(pending.task.text)
    if len(segments) == 1:
        pending.task.text, pending.own = segments[0]
        pending.open_text = pending.own is None and not re.search(r"[。；！？）)〕]$", pending.task.text)
        return
    pending.task.text, pending.own = segments[0]
    pending.open_text = False
    number = pending.task.number
    title = (number or "") + numbering.first_sentence(segments[0][0]) if number else None
    for segment, units in segments[1:]:
        task = Task(
            number=None,
            path=list(pending.task.path) + [title] if title else list(pending.task.path),
            text=segment,
        )
        state.pending.append(_Pending(task, units, heading_key=pending.heading_key))


def _brackets(text: str):
    """(start, end) of every outermost bracket group."""
    depths = bracket_depths(text)
    start = -1
    for at, ch in enumerate(text):
        if ch in OPEN and depths[at] == 0:
            start = at
        elif ch in CLOSE and depths[at] > 0 and depths[at + 1] == 0 and start >= 0:
            yield start, at + 1
            start = -1


def _is_unit_bracket(content: str, at_end: bool) -> bool:
    if label_line(content) or any(
        f"{w}：" in content or f"{w}:" in content for w in ("牵头单位", "责任单位", "配合单位")
    ):
        return True
    parts = [p for p in split_outside_brackets(content, "、，,；;") if p]
    if not parts or not all(looks_like_unit(p) for p in parts):
        return False
    roles = unit_data()["role_words"]
    marked = any(content.endswith(w) for w in roles["lead"] + roles["strip_suffix"])
    return marked or at_end


def _segments(text: str) -> list[tuple[str, UnitPhrase | None]]:
    """The paragraph cut after each unit bracket: [(task text, units or None)]."""
    segments: list[tuple[str, UnitPhrase | None]] = []
    cursor = 0
    for start, end in _brackets(text):
        content = text[start + 1 : end - 1].strip()
        after = text[end:].strip(" 。.；;\u3000")
        at_end = not after or text[start - 1 : start] in "。；;" or (start > 0 and text[start - 1] == "。")
        if not _is_unit_bracket(content, at_end):
            continue
        piece = text[cursor:start].strip().lstrip("。；; ")
        if piece:
            segments.append((piece, parse_units(content)))
        elif segments:  # two brackets in a row: both name units of the same text
            previous_text, previous_units = segments[-1]
            segments[-1] = (previous_text, merge(previous_units, parse_units(content)))
        cursor = end
    rest = text[cursor:].strip().lstrip("。；; ")
    if rest and re.search(r"[\u4e00-\u9fff]{4,}", rest) and not (segments and len(rest) < 6):
        segments.append((rest, None))  # a sentence group after the last bracket: a task of its own
    if not segments:
        segments.append((text.strip(), None))
    return segments


def _finish(state: _State) -> list[Task]:
    tasks = []
    for pending in state.pending:
        task = pending.task
        if not task.text.strip():
            continue
        defaults = state.defaults.get(pending.heading_key) or _nearest_default(state, pending.heading_key)
        phrase = pending.own
        if phrase is None or not (phrase.units or phrase.lead_units):
            if defaults and defaults.units:
                phrase = defaults.units
                task.inherited = True
            else:
                phrase = subject_units(task.text)
        if phrase is not None:
            assign_units(task, phrase)
        deadline = pending.deadline or numbering.deadline_in_text(task.text)
        if deadline is None and defaults and defaults.deadline:
            deadline = defaults.deadline
            task.inherited = True
        task.deadline = deadline
        task.text = task.text.strip()
        tasks.append(task)
    return tasks


def _nearest_default(state: _State, key: tuple) -> _Defaults | None:
    """A section-level 「责任单位：」 line reaches the tasks of its sub-sections too."""
    for cut in range(len(key) - 1, 0, -1):
        found = state.defaults.get(key[:cut])
        if found and found.units:
            return found
    return None


def unique_names(names) -> list[str]:
    """The non-empty names in first-seen order (a unit named twice is listed once)."""
    return list(dict.fromkeys(name for name in names if name))


def assign_units(task: Task, phrase: UnitPhrase) -> None:
    """Give a task the units of its phrase; a lead unit is not listed again among the others."""
    task.lead_units = unique_names(phrase.lead_units)
    task.units = unique_names(u for u in phrase.units if u not in task.lead_units)
    task.unit_scope = phrase.unit_scope
