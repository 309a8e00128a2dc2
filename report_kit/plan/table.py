"""Plans written as a table (分工方案, 任务分解表, 分工台账): real tables and flattened ones.

A Word or HTML table arrives as rows of cells (``extract.Table``), a vertically merged 牵头单位
or 完成时限 cell marked as merged. The same table copied from a web page into a .txt arrives in
one of two shapes: one row per line with tab-separated cells (a merged cell only on its first
row, so later rows are short), or one cell per line (「工 作 任 务」 header, blank lines between
rows or between every line, cells wrapped over several lines). Both are read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from report_kit.plan import numbering
from report_kit.plan.extract import Cell, Table
from report_kit.plan.ledger import Task
from report_kit.plan.prose import STOP, assign_units, unique_names
from report_kit.plan.units import UnitPhrase, looks_like_unit, merge, parse_units, split_outside_brackets

ROLES = {
    "number": ("序号", "编号"),
    "group": ("任务名称", "任务类别", "工作类别", "类别", "项目"),
    "task": (
        "工作任务",
        "重点任务",
        "主要任务",
        "任务内容",
        "工作内容",
        "重点工作",
        "任务",
        "工作任务及要求",
        "具体任务",
    ),
    "detail": ("工作要求", "任务要求", "具体措施", "工作措施", "主要内容", "具体要求"),
    "lead": ("牵头单位", "牵头部门", "主办单位"),
    "units": ("责任单位", "配合单位", "责任部门", "配合部门", "协办单位", "参与单位"),
    "deadline": ("完成时限", "完成时间", "时间要求", "时限要求", "时限", "完成期限"),
}


def _role(text: str) -> str | None:
    key = re.sub(r"[\s\u3000]+", "", text or "")
    for role, names in ROLES.items():
        if key in names:
            return role
    return None


def header_roles(cells: list[str]) -> list[str | None] | None:
    """The column roles of a header row, or None when the row is not a task table's header."""
    roles = [_role(c) for c in cells]
    found = {r for r in roles if r}
    if len(found) < 3 or not ({"task", "detail"} & found) or not ({"lead", "units"} & found):
        return None
    if "group" in found and "task" not in found:  # 任务名称 / 具体任务: the detail column holds the task
        roles = ["task" if r == "detail" else r for r in roles]
    return roles


# --- rows of cells (Word, HTML, tab-separated text) ----------------------------------------


@dataclass
class _Rows:
    roles: list[str | None]
    path: list[str] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    previous: dict[str, str] = field(default_factory=dict)


def parse_table(table: Table) -> list[Task] | None:
    """Tasks of a Word/HTML table whose header names its columns; None when it has no header."""
    for at, row in enumerate(table.rows[:5]):
        roles = header_roles([c.text for c in row])
        if roles:
            state = _Rows(roles)
            for cells in table.rows[at + 1 :]:
                _row(state, cells)
            return state.tasks
    return None


def _heading(state: _Rows, text: str) -> None:
    text = re.sub(r"\s+", "", text)
    if numbering.section(text):
        state.path = [text]
    elif numbering.sub_section(text):
        state.path = state.path[:1] + [text]
    else:
        state.path = [text]


def _row(state: _Rows, cells: list[Cell]) -> None:
    texts = [c.text.strip() for c in cells]
    filled = [t for t in texts if t]
    if not filled:
        return
    if len(set(filled)) == 1 and (len(filled) > 1 or not _task_like(filled[0], state)):
        _heading(state, filled[0])  # a merged row across the table: a section heading
        return
    if header_roles(texts):  # the header repeated on a new page
        return
    values: dict[str, str] = {}
    merged: set[str] = set()
    for role, cell in zip(state.roles, cells):
        if role is None:
            continue
        text = cell.text.strip()
        if role in values and text and text != values[role]:
            values[role] = values[role] + "；" + text
        else:
            values.setdefault(role, text)
        if cell.merged:
            merged.add(role)
    group = values.get("group")
    if group and group not in "".join(state.path) and "group" not in merged:
        _heading(state, group)
    _task(state, values, merged)


def _task_like(text: str, state: _Rows) -> bool:
    return bool(numbering.task_number(text)) and not numbering.sub_section(text)


def _task(state: _Rows, values: dict[str, str], merged: set[str]) -> None:
    text = values.get("task", "")
    number = values.get("number", "").strip().rstrip(".．、") or None
    found = numbering.task_number(text)
    if found:
        number = number or found[0]
        text = found[1]
    detail = values.get("detail", "")
    if detail and detail != text:
        text = (text + ("" if re.search(r"[。；：:！？]$", text) or not text else "。") + detail).strip()
    if not text:
        return
    inherited = False
    phrases = []
    for role in ("lead", "units"):
        if role not in values:
            continue
        cell = values[role]
        if role in merged:
            inherited = inherited or bool(cell)
        phrases.append(parse_units(cell, column=role if "lead" in values else None))
    phrase = phrases[0] if phrases else UnitPhrase()
    for other in phrases[1:]:
        phrase = merge(phrase, other)
    deadline = numbering.clean_deadline(values.get("deadline", "")) or numbering.deadline_in_text(text)
    if "deadline" in merged and values.get("deadline"):
        inherited = True
    task = Task(number=number, path=list(state.path), text=text, deadline=deadline, inherited=inherited)
    assign_units(task, phrase)
    state.tasks.append(task)


# --- flattened tables in text -------------------------------------------------------------


def find_flat_header(lines: list[str]) -> tuple[int, list[str | None], str] | None:
    """(line after the header, column roles, "tabs" | "lines") of a table copied into text."""
    for at, raw in enumerate(lines):
        if "\t" in raw.strip("\t \u3000"):
            roles = header_roles([c for c in raw.strip().split("\t") if c.strip()])
            if roles:
                return at + 1, roles, "tabs"
        if _role(raw) is None:
            continue
        cells, end = [], at
        for look in range(at, min(len(lines), at + 24)):
            text = lines[look].strip()
            if not text:
                continue
            if _role(text) is None:
                break
            cells.append(text)
            end = look
        roles = header_roles(cells)
        if roles:
            return end + 1, roles, "lines"
    return None


def parse_flat(lines: list[str], start: int, roles: list[str | None], style: str) -> list[Task]:
    if style == "tabs":
        return _parse_tab_rows(lines[start:], roles)
    records = _records(lines[start:])
    width = len(roles)
    numbered = [r for r in records if numbering.task_number(r[0].strip())]
    if numbered and sum(len(r) == width for r in numbered) >= 0.8 * len(numbered):
        return _parse_positional(records, roles)
    return _parse_stream(lines[start:], roles)


def _records(lines: list[str]) -> list[list[str]]:
    records, current = [], []
    for raw in lines:
        if raw.strip("\r") == "":
            if current:
                records.append(current)
                current = []
            continue
        current.append(raw)
    if current:
        records.append(current)
    return records


def _parse_positional(records: list[list[str]], roles: list[str | None]) -> list[Task]:
    """One record per row, one line per cell (an empty cell is a line of spaces)."""
    state = _Rows(roles)
    for record in records:
        first = record[0].strip()
        if STOP.match(first):
            break
        if len(record) == len(roles):
            _row(state, [Cell(line.strip(" \t\u3000\xa0")) for line in record])
        elif len(record) == 1 and (numbering.section(first) or numbering.sub_section(first)):
            _heading(state, first)
    return state.tasks


def _parse_tab_rows(lines: list[str], roles: list[str | None]) -> list[Task]:
    """Rows copied from a web page: tab-separated, a vertically merged cell only on its first row."""
    state = _Rows(roles)
    above: dict[int, str] = {}
    for raw in lines:
        line = raw.strip("\r\n")
        if STOP.match(line.strip()):
            break
        cells = [c.strip(" \u3000\xa0") for c in line.split("\t")]
        while cells and not cells[0]:
            cells.pop(0)
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if len(cells) == 1:
            text = cells[0]
            if (numbering.section(text) or numbering.sub_section(text)) and not numbering.task_number(text):
                _heading(state, text)
            elif state.tasks:
                state.tasks[-1].text += text
            continue
        row = _align(cells, roles, above)
        for col, cell in enumerate(row):
            above[col] = cell.text
        _row(state, row)
    return state.tasks


def _align(cells: list[str], roles: list[str | None], above: dict[int, str]) -> list[Cell]:
    """Place a short row's cells: the missing columns are the merged ones (lead, deadline first)."""
    missing = len(roles) - len(cells)
    if missing <= 0:
        return [Cell(c) for c in cells[: len(roles)]]
    dropped: set[int] = set()
    order = []
    if "deadline" in roles and not numbering.is_deadline(cells[-1]):
        order.append(roles.index("deadline"))
    if "lead" in roles:
        order.append(roles.index("lead"))
    if "units" in roles:
        order.append(roles.index("units"))
    if "number" in roles and not re.fullmatch(r"\d{1,3}[.．、]?", cells[0]):
        order.insert(0, roles.index("number"))
    for col in order:
        if len(dropped) < missing:
            dropped.add(col)
    row, queue = [], list(cells)
    for col in range(len(roles)):
        if col in dropped:
            row.append(Cell(above.get(col, ""), merged=True))
        else:
            row.append(Cell(queue.pop(0) if queue else ""))
    return row


def _parse_stream(lines: list[str], roles: list[str | None]) -> list[Task]:
    """A badly flattened table: every line on its own, cells wrapped, merged cells repeated or
    left out. A task starts at its number; then text, unit lines (joined: wrapped cells) and
    the deadline follow; a task without units or deadline has them from the merged cell above."""
    path: list[str] = []
    tasks: list[Task] = []
    current: dict | None = None

    def finish() -> None:
        if current is None:
            return
        text = current["text"].strip()
        cells = unique_names("".join(cell) for cell in current["units"])
        unit_text = "；".join(cells)
        inherited = False
        previous = tasks[-1] if tasks else None
        if unit_text:
            phrase = parse_units(unit_text)
        elif previous is not None and previous.path[:1] == current["path"][:1]:
            phrase = UnitPhrase(list(previous.lead_units), list(previous.units), previous.unit_scope)
            inherited = bool(previous.lead_units or previous.units)
        else:
            phrase = UnitPhrase()
        deadline = current["deadline"] or numbering.deadline_in_text(text)
        if deadline is None and previous is not None and previous.deadline:
            deadline, inherited = previous.deadline, True
        task = Task(current["number"], current["path"], text, deadline=deadline, inherited=inherited)
        assign_units(task, phrase)
        tasks.append(task)

    boundary = False
    for raw in lines:
        line = raw.strip(" \t\r\n\u3000\xa0")
        if not line:
            if raw.strip("\r\n") != "":  # a line of spaces: an empty cell, so the next text is a new cell
                boundary = True
            continue
        if STOP.match(line):
            break
        if _role(line) or header_roles(line.split()):
            continue
        number = numbering.task_number(line)
        section, sub = numbering.section(line), numbering.sub_section(line)
        if (section or sub) and not number:
            finish()
            current = None
            compact = re.sub(r"\s+", "", line)
            if section:
                path = [compact] if not path or path[0] != compact else path[:1]
            else:
                path = path[:1] + [compact]
            continue
        if number:
            finish()
            current = {
                "number": number[0],
                "path": list(path),
                "text": number[1],
                "units": [],
                "deadline": None,
            }
            boundary = False
            continue
        if current is None:
            continue
        if numbering.is_deadline(line):
            current["deadline"] = current["deadline"] or numbering.clean_deadline(line)
            continue
        if current["deadline"]:
            continue  # a merged unit cell repeated after the deadline
        if not current["units"] and not _unit_line(line):
            current["text"] += line
            continue
        if not current["units"] or boundary:  # a new cell (a merged cell printed again is dropped later)
            current["units"].append([])
        current["units"][-1].append(line)
        boundary = False
    finish()
    return tasks


def _unit_line(line: str) -> bool:
    if "。" in line:
        return False
    parts = [p for p in split_outside_brackets(line, "、，,；;") if p]
    if parts and sum(looks_like_unit(p) for p in parts) * 2 >= len(parts):
        return True
    return bool(re.match(r"^(市|县|州|旗|区|各|乡|镇)", line)) and len(line) <= 60
