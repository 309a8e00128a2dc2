"""The annotated copy of a workbook: every finding shown on the cell the clerk typed into.

Clerks fix a workbook in Excel, not in a console listing, so ``check --annotate`` writes a
copy with error cells filled red, warning cells yellow, and each message as a cell comment;
findings that have no cell (a missing sheet, the file as a whole) go to a 「校验结果」 sheet
placed first, which lists every finding anyway. The input file is only ever read, and the
copy appears atomically.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from report_kit.atomic import atomic_path
from report_kit.findings import FileReport, Finding
from report_kit.os_errors import os_reason
from report_kit.repairs import suspects
from report_kit.settings import SEVERITY_LABELS

RESULT_SHEET = "校验结果"
FILLS = {"error": "FFC7CE", "warning": "FFEB9C"}  # Excel's own 「差」 and 「中性」 colours
# The cell a repair names (repairs.py) is the one to fix, not merely one taking part in a
# broken identity: a strong red fill, white bold digits and a thick frame, and its comment
# opens with the repair.
SUSPECT_FILL, SUSPECT_FONT, SUSPECT_BORDER = "C00000", "FFFFFF", "7F0000"
AUTHOR = "report_kit"
MAX_COMMENT = 30_000
RESULT_COLUMNS = (
    ("级别", 6),
    ("规则", 20),
    ("位置", 20),
    ("问题", 60),
    ("修改建议", 44),
)  # Excel refuses comments beyond 32 767 characters


DONE = "已生成标注副本"  # the start of the message when the copy was written
NOT_WRITTEN = "未生成标注副本：无法写入"  # … when the target could not be written


def annotate_workbook(
    input_path: str | os.PathLike, report: FileReport, output_path: str | os.PathLike
) -> str:
    """Write the annotated copy; return one Chinese line saying what happened."""
    source, target = Path(input_path), Path(output_path)
    refusal = _refusal(source, target, report)
    if refusal:
        return refusal
    try:
        annotated = _annotate(source, report, target)
    except OSError as exc:
        return f"{NOT_WRITTEN}“{target}”（{os_reason(exc)}），请检查文件夹和写入权限，或先在Excel/WPS中关闭该文件。"
    except Exception:  # openpyxl on a damaged workbook that calamine still read
        return "未生成标注副本：该工作簿的内部结构有损坏，无法另存标注副本；问题清单见上方。"
    counts = report.counts
    marked = len(suspects(report.repairs))
    suspect_note = f"，最可能出错的 {marked} 格深红粗框" if marked else ""
    return (
        f"{DONE} {target}：{annotated} 个单元格已标注"
        f"（错误 {counts['error']} 项标红，警告 {counts['warning']} 项标黄{suspect_note}），原文件未改动。"
    )


def _annotate(source: Path, report: FileReport, target: Path) -> int:
    """Write the copy; return the number of cells marked."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    from report_kit.readers.zip_guard import ensure_defused

    ensure_defused()
    with warnings.catch_warnings():  # openpyxl's English remarks on other writers' files are not for clerks
        warnings.simplefilter("ignore")
        book = load_workbook(source)  # sniffed above, and parsed through defusedxml
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for finding in report.findings:
        for place in dict.fromkeys(
            (loc.sheet, loc.cell) for loc in finding.locations if loc.sheet and loc.cell
        ):
            if place[0] in book.sheetnames:
                by_cell.setdefault(place, []).append(finding)
    suspected = {
        (r.sheet, r.cell): r for r in suspects(report.repairs) if r.sheet in book.sheetnames and r.cell
    }
    for place in suspected:
        by_cell.setdefault(place, [])
    for (sheet, address), findings in by_cell.items():
        cell = book[sheet][address]
        if not hasattr(cell, "column_letter"):  # inside a merged range: only its first cell takes styles
            continue
        repair = suspected.get((sheet, address))
        worst = (
            min(findings, key=lambda f: ("error", "warning", "info").index(f.severity)).severity
            if findings
            else ""
        )
        if repair is not None:
            _mark_suspect(cell)
        elif worst in FILLS:
            cell.fill = PatternFill("solid", fgColor=FILLS[worst])
        notes = [_note(f) for f in findings]
        if repair is not None:
            notes.insert(0, _suspect_note(repair))
        text = "\n\n".join(notes)
        if cell.comment is not None and cell.comment.text:
            text += "\n\n（模板原注）" + cell.comment.text
        cell.comment = Comment(text[:MAX_COMMENT], AUTHOR, height=160, width=320)
    _result_sheet(book, report)
    from report_kit.writers.safe_cells import sanitise_workbook

    sanitise_workbook(book)
    with atomic_path(target) as temp:
        book.save(temp)
    return len(by_cell)


def _refusal(source: Path, target: Path, report: FileReport) -> str | None:
    from report_kit.readers.sniff import sniff

    if target.exists() and source.exists() and os.path.samefile(source, target):
        return "未生成标注副本：--annotate 的输出文件不能与被检查的文件相同，请另取一个文件名。"
    if target.suffix.lower() != ".xlsx":
        return f"未生成标注副本：--annotate 的输出文件应以 .xlsx 结尾（实际为“{target.name}”）。"
    sniffed = sniff(source)
    if sniffed.findings:
        return "未生成标注副本：该文件无法作为Excel工作簿打开（原因见上方的校验结果）。"
    if sniffed.kind != "xlsx":
        kind = {"json": "JSON", "yaml": "YAML"}.get(sniffed.kind or "", "非Excel")
        return f"未生成标注副本：--annotate 只适用于Excel工作簿（.xlsx），“{source.name}”是{kind}文件；问题清单见上方。"
    if any(finding.rule.startswith("F.") for finding in report.findings):
        return "未生成标注副本：该文件无法作为Excel工作簿打开（原因见上方的校验结果）。"
    huge = _huge_merge(source)
    if huge:
        return (
            f"未生成标注副本：工作表中有超大的合并单元格区域（{huge}），另存标注副本需要的内存超出正常范围；"
            "请取消表格以外的合并单元格后再试。问题清单见上方。"
        )
    return None


MAX_MERGED_CELLS = 1_000_000  # the template merges a few hundred cells


def _huge_merge(source: Path) -> str:
    """The first merged range too large for openpyxl, which makes an object for every cell of
    it (K1:XFD1048576 took 83 s and 3.5 GB), or ''. Read from the sheet XML, bounded by the
    same limits as the sniffer's."""
    import re
    import zipfile

    from report_kit.readers.zip_guard import MAX_SHEET_BYTES, MemberTooLarge, open_member_limited

    merge = re.compile(
        rb"""<(?:\w+:)?mergeCell\b[^>]*\bref\s*=\s*["']([A-Za-z]+)([0-9]+):([A-Za-z]+)([0-9]+)"""
    )

    def column(letters: bytes) -> int:
        number = 0
        for letter in letters.upper():
            number = number * 26 + letter - 64
        return number

    try:
        with zipfile.ZipFile(source) as zf:
            for name in zf.namelist():
                if not name.startswith("xl/worksheets/"):
                    continue
                data = open_member_limited(zf, name, MAX_SHEET_BYTES)
                for m in merge.finditer(data):
                    rows = abs(int(m.group(4)) - int(m.group(2))) + 1
                    cols = abs(column(m.group(3)) - column(m.group(1))) + 1
                    if rows * cols > MAX_MERGED_CELLS:
                        first, last = m.group(1) + m.group(2), m.group(3) + m.group(4)
                        return f"{first.decode()}:{last.decode()}"
    except (OSError, zipfile.BadZipFile, MemberTooLarge, ValueError):
        return ""
    return ""


def _note(finding: Finding) -> str:
    head = f"【{SEVERITY_LABELS[finding.severity]}】{finding.rule}：{finding.message}"
    if finding.repair_hint:
        head += f"\n{finding.repair_hint}"
    return head + (f"\n修改建议：{finding.suggestion}" if finding.suggestion else "")


def _suspect_note(repair) -> str:
    sure = "按其他数据可以确定" if repair.confidence == "certain" else "最可能"
    return f"【最可能出错】本格填了{repair.current}，{sure}应为{repair.suggested}。{repair.reason}"


def _mark_suspect(cell) -> None:
    from openpyxl.styles import Border, Font, PatternFill, Side

    cell.fill = PatternFill("solid", fgColor=SUSPECT_FILL)
    cell.font = Font(bold=True, color=SUSPECT_FONT)
    side = Side(style="thick", color=SUSPECT_BORDER)
    cell.border = Border(left=side, right=side, top=side, bottom=side)


def _result_sheet(book, report: FileReport) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from report_kit.writers.safe_cells import neutralise
    from report_kit.writers.sheet_print import break_pages, row_height, setup_print

    name = RESULT_SHEET
    while name in book.sheetnames:
        name += "_"
    ws = book.create_sheet(name, 0)
    ws.sheet_properties.tabColor = "C00000" if not report.valid else "00B050"
    counts = report.counts
    status = "通过" if report.valid else "未通过"
    ws["A1"] = (
        f"校验结果：{status}（错误 {counts['error']} 项，警告 {counts['warning']} 项，提示 {counts['info']} 项）"
    )
    ws["A1"].font = Font(bold=True, size=13)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for col, (text, width) in enumerate(RESULT_COLUMNS, start=1):
        cell = ws.cell(2, col, text)
        cell.font, cell.fill = Font(bold=True), header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    one_line = Alignment(vertical="top", shrink_to_fit=True)  # a rule id never breaks mid-word
    heights = {1: 22.0, 2: 18.0}
    for row, finding in enumerate(report.findings, start=3):
        where = "、".join(dict.fromkeys(loc.address or loc.label or loc.pointer for loc in finding.locations))
        message = "\n".join(filter(None, (finding.message, finding.repair_hint)))
        values = (SEVERITY_LABELS[finding.severity], finding.rule, where, message, finding.suggestion)
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col, neutralise(value))
            cell.alignment = one_line if col == 2 else wrap
        if finding.severity in FILLS:
            ws.cell(row, 1).fill = PatternFill("solid", fgColor=FILLS[finding.severity])
        # no suite re-fits the rows of a file it did not write: each row gets its text's height
        heights[row] = ws.row_dimensions[row].height = row_height(
            (value, width) for value, (_, width) in zip(values, RESULT_COLUMNS) if value != finding.rule
        )
    ws.freeze_panes = "A3"
    width = sum(width for _, width in RESULT_COLUMNS)
    setup_print(ws, landscape=True, header_rows=(2, 2))
    last = 2 + len(report.findings)
    break_pages(
        ws, heights, total_width=width, landscape=True, keep_together=[(last - 1, last)], repeated=(2, 2)
    )
    book.active = 0
    for sheet in book.worksheets[1:]:
        sheet.sheet_view.tabSelected = False
