"""How a plan numbers its headings and tasks, and how it writes a deadline.

Levels: 「一、」 (section), 「（一）」/「(一)」 (sub-section, or a task in paragraph plans),
「1.」「1．」「1、」 (task). Deadlines: a 完成时限 cell (「2021年12月底」「全年持续推进」), or a date in
the task ending in 前 (「2021年11月底前」). Damage from web pages (「202110月底」) is repaired.
"""

from __future__ import annotations

import re

CN = "一二三四五六七八九十百零〇"
SECTION = re.compile(rf"^\s*([{CN}]+)\s*[、.．]\s*(.*)$")
SUB = re.compile(rf"^\s*([（(]\s*[{CN}]+\s*[）)])\s*[、.．]?\s*(.*)$")
ARABIC = re.compile(r"^\s*(\d{1,3})\s*(?:[.．、]|\s)\s*(.*)$")
ARABIC_PAREN = re.compile(r"^\s*([（(]\d{1,3}[）)])\s*(.*)$")

DEADLINE_CELL = re.compile(
    r"^(?:(?:\d{4}\s*年?)?\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?(?:底|末|上旬|中旬|下旬|前|以前|之前)*"
    r"|\d{4}\s*年(?:底|年底|内|上半年|下半年)?(?:前)?"
    r"|(?:全年|长期|持续|适时|常态化|按要求|按时|按期|及时)[^，。；]{0,8}"
    r"|年底前?|年内|每(?:月|季度|年|半年)[^，。；]{0,8})"
    r"(?:[，、,及和至—-]\s*(?:\d{4}\s*年?)?\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?(?:底|末|前)*)*$"
)

DEADLINE_IN_TEXT = re.compile(
    r"((?:\d{4}\s*年)?\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日|底|末|上旬|中旬|下旬)?\s*(?:前|以前|之前)"
    r"|\d{4}\s*年\s*(?:底|年底)\s*(?:前|以前|之前)"
    r"|年底(?:前|以前|之前))"
)

_DAMAGED_MONTH = re.compile(r"(20\d\d)(?=(?:1[0-2]|0?[1-9])月)")


def repair_dates(text: str) -> str:
    """「202110月底」 → 「2021年10月底」 (a web page dropped the 年)."""
    return _DAMAGED_MONTH.sub(r"\1年", text)


def is_deadline(text: str) -> bool:
    text = repair_dates(re.sub(r"\s+", "", text))
    return bool(text) and len(text) <= 30 and bool(DEADLINE_CELL.match(text))


def deadline_in_text(text: str) -> str | None:
    """The first date of the task ending in 前, as printed (damage repaired)."""
    match = DEADLINE_IN_TEXT.search(repair_dates(text))
    return re.sub(r"\s+", "", match.group(1)) if match else None


def clean_deadline(text: str) -> str | None:
    text = repair_dates(re.sub(r"\s+", "", text or ""))
    return text or None


def task_number(line: str) -> tuple[str, str] | None:
    """(number as printed, rest) of an Arabic-numbered item 「3.」「14、」「(3)」."""
    match = ARABIC.match(line)
    if match and not re.match(r"^\s*\d{1,3}[.．]\d{1,2}(?!\d)", line):  # 「1.5万元」, not 「1.2021年」
        return match.group(1), match.group(2)
    match = ARABIC_PAREN.match(line)
    if match:
        return match.group(1), match.group(2)
    return None


def section(line: str) -> tuple[str, str] | None:
    match = SECTION.match(line)
    return (match.group(1), match.group(2)) if match else None


def sub_section(line: str) -> tuple[str, str] | None:
    match = SUB.match(line)
    return (match.group(1).replace(" ", ""), match.group(2)) if match else None


def first_sentence(text: str) -> str:
    """The title sentence of a paragraph task: 「做好各类规划主动公开」 of 「做好各类规划主动公开。…」."""
    match = re.match(r"^([^。；！？]{1,40})[。；！？]", text)
    return match.group(1) if match else text[:40]
