"""Plans in the layouts counties really use, built with python-docx (and as the .txt/.html a web
page gives), for the plan reader's tests: a Word table with merged heading rows, paragraphs with
「责任单位：」「完成时限：」 lines, and a 任务分解表 whose 牵头单位/完成时限 cells are merged down."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

NOTICE = ["沙雅县人民政府办公室关于印发沙雅县2022年政务公开工作要点的通知", "沙政办发〔2022〕5号"]

# (序号, 重点任务, 牵头单位, 配合单位, 完成时限); a str row is a section heading
TABLE_ROWS = [
    "一、推进重点领域信息公开",
    (
        "1",
        "主动公开《沙雅县国民经济和社会发展第十四个五年规划纲要》及年度计划执行情况。",
        "县发改委",
        "县统计局",
        "2022年6月底前",
    ),
    (
        "2",
        "做好“双随机、一公开”监管信息公开，及时公布抽查结果。",
        "县市监局",
        "县直各有关部门",
        "全年持续推进",
    ),
    "二、加强政策解读",
    (
        "3",
        "落实“谁起草、谁解读”原则，政策文件与解读材料同步公开。",
        "县政府办",
        "各乡镇人民政府、县直各部门",
        "全年持续推进",
    ),
    ("4", "做好义务教育招生入学政策解读，公开招生计划和划片范围。", "县教科局", "", "2022年8月底前"),
]

PARAGRAPHS = [
    "沙雅县2022年政务公开工作要点",
    "一、深化主动公开",
    "（一）做好财政信息公开",
    "责任单位：县财政局",
    "1. 推进部门预决算公开，细化到项级科目。",
    "2. 公开地方政府债务限额、余额信息。",
    "完成时限：2022年9月底前",
    "（二）做好疫情防控信息公开",
    "3. 及时发布疫苗接种安排和核酸检测点信息。",
    "责任单位：县卫健委",
    "完成时限：全年持续推进",
    "4. 规范发布疫情防控政策措施，做好解读回应。",
    "牵头单位：县卫健委",
    "责任单位：各乡镇人民政府",
    "二、提升公开质量",
    "责任单位：各乡镇人民政府、县直各部门",
    "5. 按时编制并公开政府信息公开工作年度报告。",
    "完成时限：2023年1月31日前",
]

# (序号, 工作任务, 牵头单位, 责任单位, 完成时限); None in 牵头单位/完成时限 = merged with the row above
BREAKDOWN_ROWS = [
    ("1", "梳理本单位政务公开事项标准目录并在政府网站公开。", "县政府办", "县直各部门", "2022年10月底"),
    ("2", "对照标准目录及时更新公开内容，建立动态调整机制。", None, "县直各部门", None),
    ("3", "推进村（居）务公开与政务公开有效衔接。", None, "各乡镇人民政府", None),
    ("4", "开展政务新媒体清理整合，实行备案管理。", "县委网信办", "县直各部门", "2022年12月底"),
    ("5", "规范政务新媒体信息发布审核流程。", None, "各乡镇人民政府", None),
]


def _merge_across(row) -> None:
    first = row.cells[0]
    for other in row.cells[1:]:
        first = first.merge(other)


def word_table_plan(path: Path) -> Path:
    document = docx.Document()
    for line in NOTICE:
        document.add_paragraph(line)
    document.add_paragraph("沙雅县2022年政务公开重点任务分工")
    table = document.add_table(rows=1, cols=5)
    for cell, label in zip(table.rows[0].cells, ("序号", "重点任务", "牵头单位", "配合单位", "完成时限")):
        cell.text = label
    for row in TABLE_ROWS:
        cells = table.add_row().cells
        if isinstance(row, str):
            cells[0].text = row
            _merge_across(table.rows[-1])
        else:
            for cell, value in zip(cells, row):
                cell.text = value
    document.add_paragraph("沙雅县人民政府办公室")
    document.add_paragraph("2022年3月1日")
    document.save(str(path))
    return path


def paragraph_plan(path: Path) -> Path:
    document = docx.Document()
    for line in NOTICE + PARAGRAPHS:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def breakdown_plan(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("沙雅县2022年政务公开任务分解表")
    table = document.add_table(rows=1, cols=5)
    for cell, label in zip(table.rows[0].cells, ("序号", "工作任务", "牵头单位", "责任单位", "完成时限")):
        cell.text = label
    start: dict[int, object] = {}
    for row in BREAKDOWN_ROWS:
        cells = table.add_row().cells
        for col, value in enumerate(row):
            if value is None:
                _vmerge(cells[col], "continue")
                _vmerge(start[col], "restart")
            else:
                cells[col].text = value
                start[col] = cells[col]
    document.save(str(path))
    return path


def _vmerge(cell, value: str) -> None:
    props = cell._tc.get_or_add_tcPr()
    found = props.find(qn("w:vMerge"))
    if found is None:
        found = OxmlElement("w:vMerge")
        props.append(found)
    if value == "restart":
        found.set(qn("w:val"), "restart")


def web_copy_of_table(path: Path) -> Path:
    """The Word table as a browser copies it: tab-separated rows, headings alone on a line."""
    lines = NOTICE + ["沙雅县2022年政务公开重点任务分工", "序号\t重点任务\t牵头单位\t配合单位\t完成时限"]
    for row in TABLE_ROWS:
        lines.append(row if isinstance(row, str) else "\t".join(row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def web_copy_of_breakdown(path: Path) -> Path:
    """The 任务分解表 copied from a web page: a merged cell only on its first row (short rows)."""
    lines = ["沙雅县2022年政务公开任务分解表", "序号\t工作任务\t牵头单位\t责任单位\t完成时限"]
    for row in BREAKDOWN_ROWS:
        lines.append("\t".join(v for v in row if v is not None))
    path.write_text("\n".join(lines) + "\n", encoding="gb18030")
    return path


def web_copy_of_paragraphs(path: Path) -> Path:
    path.write_text("\n\n".join(NOTICE + PARAGRAPHS) + "\n", encoding="utf-8")
    return path


def html_breakdown(path: Path) -> Path:
    """The 任务分解表 as a web page: rowspan on the merged cells."""
    spans = {0: 3, 3: 2}  # row index → rowspan of its 牵头单位 and 完成时限
    rows = []
    for at, row in enumerate(BREAKDOWN_ROWS):
        cells = []
        for col, value in enumerate(row):
            if value is None:
                continue
            span = f' rowspan="{spans[at]}"' if col in (2, 4) and at in spans else ""
            cells.append(f"<td{span}>{value}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "<tr><th>序号</th><th>工作任务</th><th>牵头单位</th><th>责任单位</th><th>完成时限</th></tr>"
    html = (
        "<html><head><meta charset='utf-8'><title>任务分解表</title><script>var x=1;</script></head><body>"
        "<h1>沙雅县2022年政务公开任务分解表</h1><table>" + head + "".join(rows) + "</table></body></html>"
    )
    path.write_text(html, encoding="utf-8")
    return path
