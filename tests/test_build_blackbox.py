"""Acceptance tests for issue #4 (``report-kit build``), written from the issue text and the
spec only: black-box through the CLI, the produced files opened with python-docx, an HTML
parser and openpyxl."""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from docx.shared import Pt

from report_kit.cli import main

from helpers import write_json

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXAMPLE_JSON = EXAMPLES / "轮台县市场监督管理局-2024.json"
EXAMPLE_YAML = EXAMPLES / "轮台县市场监督管理局-2024.yaml"
INVALID = EXAMPLES / "invalid"
TITLE = "轮台县市场监督管理局2024年政府信息公开工作年度报告"
DRAFT = "草稿 · 未通过校验"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

ROW_KEYS = ["natural_person", "commercial", "research", "social_welfare", "legal_service", "other", "total"]
GROUP_KEYS = ["upheld", "corrected", "other", "pending", "total"]
T3_ROWS = (
    [("received",), ("carried_over",), ("results", "disclosed"), ("results", "partially_disclosed")]
    + [
        ("results", "withheld", k)
        for k in (
            "state_secret",
            "prohibited_by_law",
            "three_safeties",
            "third_party",
            "internal_affairs",
            "process_info",
            "enforcement_files",
            "inquiry_matters",
        )
    ]
    + [("results", "unavailable", k) for k in ("not_held", "needs_creation", "still_unclear")]
    + [
        ("results", "not_processed", k)
        for k in ("petition_complaint", "duplicate", "publication", "excessive", "confirmation")
    ]
    + [("results", "other_handling", k) for k in ("no_correction", "fee_unpaid", "other")]
    + [("results", "total"), ("carried_forward",)]
)
T3_LABELS = [
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "（一）予以公开",
    "（二）部分公开",
    "1.属于国家秘密",
    "2.其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”",
    "4.保护第三方合法权益",
    "5.属于三类内部事务信息",
    "6.属于四类过程性信息",
    "7.属于行政执法案卷",
    "8.属于行政查询事项",
    "1.本机关不掌握相关政府信息",
    "2.没有现成信息需要另行制作",
    "3.补正后申请内容仍不明确",
    "1.信访举报投诉类申请",
    "2.重复申请",
    "3.要求提供公开出版物",
    "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息",
    "1.申请人无正当理由逾期不补正",
    "2.申请人逾期未按收费通知要求缴纳费用",
    "3.其他",
    "（七）总计",
    "四、结转下年度继续办理",
]
SECTIONS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]

runner = CliRunner()


def _load():
    return json.loads(EXAMPLE_JSON.read_text(encoding="utf-8"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(*args, cwd=None):
    if cwd is not None:
        old = os.getcwd()
        os.chdir(cwd)
    try:
        result = runner.invoke(main, [str(a) for a in args])
    finally:
        if cwd is not None:
            os.chdir(old)
    assert "Traceback" not in result.output, result.output
    if result.exception and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"crash: {result.exception!r}\n{result.output}")
    return result


def _get(data, path):
    for key in path:
        data = data[key]
    return data


def _fmt(value) -> str:
    return str(value)


def _t3_expected(sub):
    return [[_fmt(_get(sub["applications"], row)[c]) for c in ROW_KEYS] for row in T3_ROWS]


def _t4_expected(sub):
    r = sub["reviews"]
    return [
        _fmt(r[g][c])
        for g in ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
        for c in GROUP_KEYS
    ]


def _t2_expected(sub):
    a = sub["active_disclosure"]
    return {
        "规章": [_fmt(a["regulations"][k]) for k in ("issued", "repealed", "in_force")],
        "行政规范性文件": [_fmt(a["normative_documents"][k]) for k in ("issued", "repealed", "in_force")],
        "行政许可": [_fmt(a["licensing"]["decisions"])],
        "行政处罚": [_fmt(a["penalties"]["decisions"])],
        "行政强制": [_fmt(a["enforcement"]["decisions"])],
        "行政事业性收费": [_fmt(a["fees"]["amount"])],
    }


def _dedup(cells):
    out = []
    for c in cells:
        if not out or out[-1] is not c:
            out.append(c)
    return out


def _docx_tables(document):
    """表二, 表三, 表四 as grids of texts (merged cells repeated)."""
    grids = []
    for table in document.tables:
        grids.append([[cell.text.strip() for cell in row.cells] for row in table.rows])
    return grids


def _check_t2(grid, sub):
    expected = _t2_expected(sub)
    found = {}
    for row in grid:
        label = row[0]
        if label in expected:
            values = []
            for cell in row[1:]:
                if not values or values[-1] != cell or len(expected[label]) == 3:
                    values.append(cell)
            if len(expected[label]) == 1:
                values = sorted(set(row[1:]))
            found[label] = values
    assert found == expected


def _check_t3(grid, sub):
    data_rows = [row for row in grid if row[-7:] and all(_is_number(c) for c in row[-7:])]
    assert len(data_rows) == len(T3_LABELS)
    assert [row[-7:] for row in data_rows] == _t3_expected(sub)
    for row, label in zip(data_rows, T3_LABELS, strict=True):
        assert any(cell.startswith(label) for cell in row[:-7]), (label, row)


def _check_t4(grid, sub):
    data_rows = [row for row in grid if row and all(_is_number(c) for c in row)]
    assert data_rows == [_t4_expected(sub)]
    flat = [c for row in grid for c in row]
    for label in ("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉", "结果维持", "尚未审结"):
        assert label in flat


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- HTML --------------------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables = []  # each: {"caption":str, "rows":[[(text, rowspan, colspan, tag, in_thead)]]}
        self.text = []
        self.tags = []
        self._cell = None
        self._in_thead = False
        self._caption = None
        self._stack = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "table":
            self.tables.append({"caption": "", "rows": [], "thead_rows": 0})
        elif tag == "thead":
            self._in_thead = True
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
            if self._in_thead:
                self.tables[-1]["thead_rows"] += 1
        elif tag in ("td", "th") and self.tables:
            self._cell = [tag, int(a.get("rowspan", 1)), int(a.get("colspan", 1)), []]
        elif tag == "caption":
            self._caption = []

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_thead = False
        elif tag in ("td", "th") and self._cell is not None:
            kind, rs, cs, parts = self._cell
            self.tables[-1]["rows"][-1].append(("".join(parts).strip(), rs, cs, kind))
            self._cell = None
        elif tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = "".join(self._caption).strip()
            self._caption = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell[3].append(data)
        if self._caption is not None:
            self._caption.append(data)


def _grid(rows):
    """Expand rowspan/colspan into a rectangular grid of texts."""
    grid: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs, _ in row:
            while (r, c) in grid:
                c += 1
            for dr in range(rs):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = text
            c += cs
    height = max(r for r, _ in grid) + 1
    width = max(c for _, c in grid) + 1
    return [[grid.get((r, c)) for c in range(width)] for r in range(height)]


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("built")
    result = _run(
        "build",
        EXAMPLE_JSON,
        "-o",
        out / "报告.docx",
        "--html",
        out / "报告.html",
        "--errors",
        out / "错误清单.xlsx",
    )
    assert result.exit_code == 0, result.output
    return out, docx.Document(str(out / "报告.docx")), _parse(out / "报告.html")


# --- 1. the command ------------------------------------------------------------------------


def test_build_from_json_yaml_and_workbook_gives_the_same_tables(tmp_path):
    sub = _load()
    workbook = tmp_path / "填报.xlsx"
    result = _run("template", "-o", workbook, "--fill", EXAMPLE_JSON)
    assert result.exit_code == 0, result.output
    for source in (EXAMPLE_JSON, EXAMPLE_YAML, workbook):
        out = tmp_path / f"{source.suffix[1:]}.docx"
        result = _run("build", source, "-o", out)
        assert result.exit_code == 0, result.output
        grids = _docx_tables(docx.Document(str(out)))
        assert len(grids) == 3
        _check_t2(grids[0], sub)
        _check_t3(grids[1], sub)
        _check_t4(grids[2], sub)


def test_default_output_name_is_the_title_and_nothing_else_is_left(tmp_path):
    result = _run("build", EXAMPLE_JSON, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert os.listdir(tmp_path) == [f"{TITLE}.docx"]


def test_errors_block_the_build_but_the_errors_file_is_written(tmp_path):
    for suffix in ("xlsx", "csv", "json"):
        out = tmp_path / f"报告{suffix}.docx"
        errors = tmp_path / f"错误清单.{suffix}"
        result = _run("build", INVALID / "01-balance.yaml", "-o", out, "--errors", errors)
        assert result.exit_code == 1
        assert not out.exists()
        assert errors.is_file()
        assert "T3.balance" in result.output or "勾稽" in result.output or "不等于" in result.output
    data = json.loads((tmp_path / "错误清单.json").read_text(encoding="utf-8"))
    rules = [f["rule"] for f in data["findings"]]
    assert rules.count("T3.balance") == 2 and data["valid"] is False
    with open(tmp_path / "错误清单.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert sum("T3.balance" in row for row in rows) == 2
    book = openpyxl.load_workbook(tmp_path / "错误清单.xlsx")
    texts = [str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value]
    assert sum(t == "T3.balance" for t in texts) == 2


def test_force_builds_a_draft_marked_in_title_area_and_header_with_the_annex(tmp_path):
    out, page = tmp_path / "草稿.docx", tmp_path / "草稿.html"
    result = _run("build", INVALID / "01-balance.yaml", "--force", "-o", out, "--html", page)
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))
    head = [p.text for p in document.paragraphs[:4]]
    assert any(DRAFT in t for t in head), head
    headers = [
        p.text
        for s in document.sections
        for h in (s.header, s.first_page_header, s.even_page_header)
        for p in h.paragraphs
    ]
    assert any(DRAFT in t for t in headers), headers
    body = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        c.text for t in document.tables for row in t.rows for c in row.cells
    )
    assert "不等于" in body  # the messages of the findings are in the annex
    assert "附" in body
    html = page.read_text(encoding="utf-8")
    assert DRAFT in html and "不等于" in html


def test_valid_report_is_not_a_draft(built):
    _, document, page = built
    assert DRAFT not in "".join(p.text for p in document.paragraphs)
    assert DRAFT not in "".join(p.text for s in document.sections for p in s.header.paragraphs)
    assert DRAFT not in "".join(page.text)


def test_warnings_are_printed_and_do_not_block(tmp_path):
    out = tmp_path / "r.docx"
    result = _run("build", INVALID / "06-text-mismatch.yaml", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert "30" in result.output and "26" in result.output
    assert DRAFT not in "".join(p.text for p in docx.Document(str(out)).paragraphs)


def test_real_entry_point_without_traceback(tmp_path):
    exe = Path(sys.executable).with_name("report-kit")
    if not exe.exists():
        pytest.skip("console script not installed")
    proc = subprocess.run(
        [str(exe), "build", str(INVALID / "08-not-json.json"), "-o", str(tmp_path / "r.docx")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "r.docx").exists()


# --- hostile inputs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01garbage" * 100, b"PK\x03\x04broken zip", b'{"format": "2021"'],
    ids=["empty", "binary", "fake-zip", "truncated"],
)
@pytest.mark.parametrize("suffix", [".json", ".yaml", ".xlsx"])
def test_broken_submissions_are_a_chinese_message(tmp_path, content, suffix):
    source = tmp_path / f"坏文件{suffix}"
    source.write_bytes(content)
    before = _sha(source)
    out = tmp_path / "r.docx"
    result = _run("build", source, "-o", out, "--force")
    assert result.exit_code in (1, 2)
    assert not out.exists()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.output)
    assert _sha(source) == before


def test_missing_submission_and_directory(tmp_path):
    for source in (tmp_path / "没有.json", tmp_path):
        result = _run("build", source, "-o", tmp_path / "r.docx")
        assert result.exit_code in (1, 2)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in result.output)
        assert not (tmp_path / "r.docx").exists()


def test_missing_option_values_and_unknown_options_are_usage_errors(tmp_path):
    for args in (
        ["build"],
        ["build", EXAMPLE_JSON, "-o"],
        ["build", EXAMPLE_JSON, "--html"],
        ["build", EXAMPLE_JSON, "--bogus"],
    ):
        result = _run(*args, cwd=tmp_path)
        assert result.exit_code == 2
        assert any("\u4e00" <= ch <= "\u9fff" for ch in result.output)
    assert os.listdir(tmp_path) == []


def test_unwritable_output_keeps_the_old_file_and_says_why(tmp_path):
    out = tmp_path / "missing-dir" / "r.docx"
    result = _run("build", EXAMPLE_JSON, "-o", out)
    # a missing folder is either created or named in the message
    assert out.is_file() if result.exit_code == 0 else "无法" in result.output
    if os.geteuid() == 0:
        return
    folder = tmp_path / "ro"
    folder.mkdir()
    old = folder / "r.docx"
    old.write_bytes(b"old")
    folder.chmod(0o555)
    try:
        result = _run("build", EXAMPLE_JSON, "-o", old)
        assert result.exit_code != 0 and "无法" in result.output
        assert old.read_bytes() == b"old"
    finally:
        folder.chmod(0o755)


def test_output_over_an_existing_report_is_replaced_atomically(tmp_path):
    out = tmp_path / "r.docx"
    out.write_bytes(b"old")
    assert _run("build", EXAMPLE_JSON, "-o", out, "--html", tmp_path / "r.html").exit_code == 0
    assert docx.Document(str(out)).paragraphs[0].text.replace("\n", "") == TITLE
    assert sorted(os.listdir(tmp_path)) == ["r.docx", "r.html"]


def test_inputs_are_never_modified(tmp_path):
    source = tmp_path / "s.yaml"
    shutil.copy(INVALID / "01-balance.yaml", source)
    before = _sha(source)
    _run(
        "build",
        source,
        "--force",
        "-o",
        tmp_path / "a.docx",
        "--html",
        tmp_path / "a.html",
        "--errors",
        tmp_path / "e.xlsx",
    )
    assert _sha(source) == before
    result = _run("build", source, "--force", "-o", source)
    assert result.exit_code == 2 and _sha(source) == before


def test_weird_characters_and_a_huge_unit_name(tmp_path):
    sub = _load()
    sub["unit"]["name"] = '轮台县/市场\\监督:管理*局?<>|"' + "很长" * 200
    sub["text"]["problems"] = "<script>alert(1)</script> & \x0b\u200b\U0001f600 ]]> {{x}}\n第二段"
    source = write_json(tmp_path / "s.json", sub)
    result = _run("build", source, "--force", "--html", tmp_path / "p.html", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    produced = [n for n in os.listdir(tmp_path) if n.endswith(".docx")]
    assert len(produced) == 1
    assert len(produced[0].encode()) <= 255
    document = docx.Document(str(tmp_path / produced[0]))
    assert "<script>alert(1)</script>" in "".join(p.text for p in document.paragraphs)
    html = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


# --- 2. content ----------------------------------------------------------------------------


def test_title_preamble_sections_signature_in_order(built):
    _, document, _ = built
    # the title breaks after the unit name (a line break in one paragraph); signature lines
    # start with a tab (they sit on one centre tab stop)
    texts = [p.text.replace("\n", "").strip() for p in document.paragraphs if p.text.strip()]
    assert texts[0] == TITLE
    preamble = next(t for t in texts[1:4] if "条例" in t)
    assert "《中华人民共和国政府信息公开条例》" in preamble
    assert "国办公开办函〔2021〕30号" in preamble
    assert "2024年1月1日" in preamble and "12月31日" in preamble
    positions = [texts.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    assert texts.index(next(t for t in texts if t.startswith("表二"))) > positions[1]
    assert texts[-2:] == ["轮台县市场监督管理局", "2025年1月20日"]
    signature = [p for p in document.paragraphs if p.text.strip()][-2:]
    # GB/T 9704 §7.3.5.1: name and date both on one centre tab stop in the right half of the
    # line (the name centred over the date); tests/test_build_rendered.py measures the page
    stops = []
    for p in signature:
        (tab,) = p._p.findall(f"{W}pPr/{W}tabs/{W}tab")
        assert tab.get(f"{W}val") == "center"
        stops.append(int(tab.get(f"{W}pos")))
        assert p.text.startswith("\t")
    assert stops[0] == stops[1] and stops[0] > 8844 / 2


def test_section_headings_are_heading_styles(built):
    _, document, _ = built
    level1 = [p.text for p in document.paragraphs if _style_chain_has(p, "Heading 1")]
    assert level1 == SECTIONS
    level2 = [p.text for p in document.paragraphs if _style_chain_has(p, "Heading 2")]
    for label in (
        "主动公开",
        "依申请公开",
        "政府信息管理",
        "政府信息公开平台建设",
        "监督保障",
        "信息处理费收取情况",
    ):
        assert any(t.endswith(label) for t in level2), label


def _style_chain_has(paragraph, name):
    style = paragraph.style
    while style is not None:
        if style.name == name:
            return True
        style = style.base_style
    return False


def test_level_two_headings_only_where_written(tmp_path):
    sub = _load()
    sub["text"]["overview"]["platforms"] = ""
    sub["text"]["other"]["innovation"] = ""
    out = tmp_path / "r.docx"
    result = _run("build", write_json(tmp_path / "s.json", sub), "-o", out, "--force")
    assert result.exit_code == 0, result.output
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert not any("政府信息公开平台建设" in t for t in texts)
    assert not any("年度政务公开工作创新情况" in t for t in texts)
    assert any(t.endswith("监督保障") for t in texts)


def test_tables_equal_the_submission_in_docx_and_html(built):
    _, document, page = built
    sub = _load()
    grids = _docx_tables(document)
    _check_t2(grids[0], sub)
    _check_t3(grids[1], sub)
    _check_t4(grids[2], sub)
    assert len(page.tables) >= 3
    html_grids = [_grid(t["rows"]) for t in page.tables[:3]]
    _check_t2(html_grids[0], sub)
    _check_t3(html_grids[1], sub)
    _check_t4(html_grids[2], sub)


def test_numbers_as_entered_with_odd_values(tmp_path):
    sub = _load()
    sub["active_disclosure"]["fees"]["amount"] = 1234567.5
    sub["active_disclosure"]["licensing"]["decisions"] = 1000000
    sub["reviews"]["reconsideration"] = {"upheld": 7, "corrected": 11, "other": 0, "pending": 3, "total": 21}
    out, page = tmp_path / "r.docx", tmp_path / "r.html"
    result = _run("build", write_json(tmp_path / "s.json", sub), "-o", out, "--html", page, "--force")
    assert result.exit_code == 0, result.output
    grids = _docx_tables(docx.Document(str(out)))
    _check_t2(grids[0], sub)
    _check_t4(grids[2], sub)
    html_grids = [_grid(t["rows"]) for t in _parse(page).tables[:3]]
    _check_t2(html_grids[0], sub)
    _check_t4(html_grids[2], sub)


def test_table_three_header_is_the_official_merged_header(built):
    _, document, page = built
    table = document.tables[1]
    note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    top = [[c for c in row.cells] for row in table.rows[:3]]
    assert top[0][0].text.strip() == note
    assert top[0][0] is top[2][2] or top[0][0]._tc is top[2][2]._tc  # 3x3 merged
    assert len({c._tc for c in top[0][3:10]}) == 1 and top[0][3].text == "申请人情况"
    assert len({c._tc for c in top[1][4:9]}) == 1 and top[1][4].text == "法人或其他组织"
    assert [c.text for c in top[2][3:10]] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    for c in top[2][4:9]:
        assert c.text.strip()
    html = _grid(page.tables[1]["rows"])
    assert html[0][0] == note and html[2][2] == note
    assert html[0][3:10] == ["申请人情况"] * 7
    assert html[1][4:9] == ["法人或其他组织"] * 5
    assert html[1][3] == "自然人" and html[1][9] == "总计"


def test_table_four_header_is_merged(built):
    _, document, _ = built
    table = document.tables[2]
    first = table.rows[0].cells
    assert len({c._tc for c in first[0:5]}) == 1 and first[0].text == "行政复议"
    assert len({c._tc for c in first[5:15]}) == 1 and first[5].text == "行政诉讼"
    second = table.rows[1].cells
    assert len({c._tc for c in second[5:10]}) == 1 and second[5].text == "未经复议直接起诉"


def test_2019_format_report_is_built(tmp_path):
    source = EXAMPLES / "history" / "轮台县市场监督管理局-2020.yaml"
    out, page = tmp_path / "r.docx", tmp_path / "r.html"
    result = _run("build", source, "-o", out, "--html", page)
    assert result.exit_code == 0, result.output
    text = "".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "2020年政府信息公开工作年度报告" in text
    assert "国办公开办函〔2021〕30号" not in text


# --- 3. typography -------------------------------------------------------------------------


def _rfonts(style):
    rpr = style.element.find(f"{W}rPr")
    fonts = rpr.find(f"{W}rFonts") if rpr is not None else None
    return {} if fonts is None else {k.replace(W, ""): v for k, v in fonts.attrib.items()}


def _style_value(document, name, getter):
    style = document.styles[name]
    while style is not None:
        value = getter(style)
        if value is not None:
            return value
        style = style.base_style
    return None


def test_page_setup_and_margins(built):
    _, document, _ = built
    for s in document.sections:
        assert round(s.page_width.mm) == 210 and round(s.page_height.mm) == 297
        assert round(s.top_margin.mm) == 37 and round(s.bottom_margin.mm) == 35
        assert round(s.left_margin.mm) == 28 and round(s.right_margin.mm) == 26


def test_fonts_with_east_asian_names(built):
    _, document, _ = built
    body = [p for p in document.paragraphs if p.style.name == "Normal" and p.text.strip()]
    assert body
    expected = {"Normal": "仿宋_GB2312", "Heading 1": "黑体", "Heading 2": "楷体_GB2312"}
    for name, font in expected.items():
        fonts = _style_value(document, name, lambda s: _rfonts(s) or None)
        assert fonts.get("eastAsia") == font, (name, fonts)
    title = document.paragraphs[0]
    fonts = _style_value(document, title.style.name, lambda s: _rfonts(s) or None)
    assert fonts.get("eastAsia") == "方正小标宋简体"
    assert _style_value(document, title.style.name, lambda s: s.font.size) == Pt(22)
    for name in ("Normal", "Heading 1", "Heading 2"):
        assert _style_value(document, name, lambda s: s.font.size) == Pt(16), name
    # runs never override the East-Asian font with something else
    for p in document.paragraphs:
        for run in p.runs:
            rpr = run._r.find(f"{W}rPr")
            fonts = rpr.find(f"{W}rFonts") if rpr is not None else None
            if fonts is not None and fonts.get(f"{W}eastAsia"):
                assert fonts.get(f"{W}eastAsia") in {
                    "仿宋_GB2312",
                    "黑体",
                    "楷体_GB2312",
                    "方正小标宋简体",
                    "宋体",
                }


def test_fixed_line_spacing_and_first_line_indent(built):
    _, document, _ = built
    fmt = lambda s: s.paragraph_format  # noqa: E731
    spacing = _style_value(document, "Normal", lambda s: fmt(s).line_spacing)
    rule = _style_value(document, "Normal", lambda s: fmt(s).line_spacing_rule)
    assert abs(spacing.pt - 28.95) < 0.3
    assert int(rule) == 4  # EXACTLY
    ppr = document.styles["Normal"].element.find(f"{W}pPr")
    ind = ppr.find(f"{W}ind")
    assert ind is not None
    chars = ind.get(f"{W}firstLineChars")
    assert chars == "200" or abs(int(ind.get(f"{W}firstLine")) - 640) <= 20


def test_tables_use_fangsong_and_repeat_their_header_rows(built):
    _, document, _ = built
    for number, table in enumerate(document.tables):
        header = table.rows[0]._tr
        trpr = header.find(f"{W}trPr")
        # 表二 repeats no header: every 第二十条 block brings its own band and column headers
        # (the first block's columns would mislabel a later block); it breaks between blocks
        if number != 0:
            assert trpr is not None and trpr.find(f"{W}tblHeader") is not None
        for row in table.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    fonts = _style_value(document, p.style.name, lambda s: _rfonts(s) or None)
                    east = fonts.get("eastAsia", "")
                    for run in p.runs:
                        rpr = run._r.find(f"{W}rPr")
                        rf = rpr.find(f"{W}rFonts") if rpr is not None else None
                        if rf is not None and rf.get(f"{W}eastAsia"):
                            east = rf.get(f"{W}eastAsia")
                    assert east.startswith("仿宋"), (p.text, east)
    t3 = document.tables[1]
    for row in t3.rows[:3]:
        trpr = row._tr.find(f"{W}trPr")
        assert trpr is not None and trpr.find(f"{W}tblHeader") is not None


def test_page_number_field_in_the_footer(built):
    _, document, _ = built
    xml = "".join(f._element.xml for s in document.sections for f in (s.footer, s.even_page_footer))
    assert "PAGE" in xml and "fldChar" in xml or "fldSimple" in xml
    assert "—" in xml
    assert 'w:eastAsia="宋体"' in xml
    assert 'w:val="28"' in xml
    for section in document.sections:
        for footer in (section.footer, section.even_page_footer):
            assert any(p.text.strip() == "— 1 —" for p in footer.paragraphs)


def test_template_docx_and_its_build_script_are_in_the_repo():
    templates = ROOT / "templates"
    assert list(templates.glob("*.docx"))
    assert list(templates.glob("*.py"))
    confs = [p for p in templates.rglob("*.conf")]
    assert confs
    conf = confs[0].read_text(encoding="utf-8")
    for name in ("仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "宋体"):
        assert name in conf


def test_house_template_option(tmp_path):
    house = tmp_path / "house.docx"
    d = docx.Document()
    d.styles["Normal"].font.name = "Times New Roman"
    d.save(str(house))
    before = _sha(house)
    out = tmp_path / "r.docx"
    result = _run("build", EXAMPLE_JSON, "--template", house, "-o", out)
    assert result.exit_code == 0, result.output
    assert docx.Document(str(out)).paragraphs[0].text.replace("\n", "").strip() == TITLE
    assert _sha(house) == before
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a docx")
    result = _run("build", EXAMPLE_JSON, "--template", bad, "-o", tmp_path / "x.docx")
    assert result.exit_code == 2 and not (tmp_path / "x.docx").exists()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.output)
    result = _run("build", EXAMPLE_JSON, "--template", tmp_path / "none.docx", "-o", tmp_path / "x.docx")
    assert result.exit_code == 2 and "不存在" in result.output


# --- 4. HTML -------------------------------------------------------------------------------


def test_html_is_self_contained_accessible_and_printable(built):
    out, _, page = built
    html = (out / "报告.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")
    tags = page.tags
    for tag, attrs in tags:
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            assert not value.startswith(("http:", "https:", "//", "file:")), (tag, attrs)
        assert tag not in ("link", "img", "iframe", "object", "embed") or not attrs.get("src", "").strip()
        if tag == "link":
            assert attrs.get("rel") not in ("stylesheet",)
    assert "@import" not in html and "url(" not in html
    html_tag = next(a for t, a in tags if t == "html")
    assert html_tag.get("lang", "").startswith("zh")
    assert any(t == "meta" and a.get("name") == "viewport" for t, a in tags)
    assert any(
        t == "meta" and (a.get("charset", "").lower() == "utf-8" or "utf-8" in a.get("content", "").lower())
        for t, a in tags
    )
    assert "@media print" in html
    assert any(t == "title" for t, _ in tags)
    captions = [t["caption"] for t in page.tables[:3]]
    assert [c[:2] for c in captions] == ["表二", "表三", "表四"]
    for table in page.tables[:3]:
        assert table["thead_rows"] >= 1
    assert any(rs > 1 for row in page.tables[1]["rows"] for _, rs, _, _ in row)
    assert any(cs > 1 for row in page.tables[2]["rows"] for _, _, cs, _ in row)
    heads = [t for t, _ in tags if t in ("h1", "h2", "h3")]
    assert heads.count("h1") == 1


def test_html_has_the_same_content_as_the_word_document(built):
    _, document, page = built
    text = "".join(page.text)
    squeeze = lambda s: "".join(s.split())  # noqa: E731
    text = squeeze(text)
    for p in document.paragraphs:
        if p.text.strip():
            assert squeeze(p.text) in text, p.text
    for section in SECTIONS:
        assert section in text


# --- 6. speed --------------------------------------------------------------------------------


def test_speed_docx_and_html(tmp_path):
    import statistics
    import time

    from report_kit.check import check_file
    from report_kit.report_content import build_content
    from report_kit.writers.report_docx import fill_document, open_template, save_docx
    from report_kit.writers.report_html import write_html

    report = check_file(str(EXAMPLE_JSON))
    docx_times, html_times = [], []
    for i in range(7):
        t0 = time.perf_counter()
        content = build_content(report.submission, findings=report.findings, draft=False)
        document, _ = open_template(None)
        fill_document(document, content)
        save_docx(document, tmp_path / f"{i}.docx")
        docx_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        content = build_content(report.submission, findings=report.findings, draft=False)
        write_html(content, tmp_path / f"{i}.html")
        html_times.append(time.perf_counter() - t0)
    assert statistics.median(docx_times) <= 0.150 * 2  # generous margin on shared CI machines
    assert statistics.median(html_times) <= 0.020 * 2


def test_copy_of_submission_is_not_mutated_by_build(tmp_path):
    sub = _load()
    original = copy.deepcopy(sub)
    source = write_json(tmp_path / "s.json", sub)
    _run("build", source, "-o", tmp_path / "r.docx")
    assert json.loads(source.read_text(encoding="utf-8")) == original


def test_an_output_named_as_another_kind_of_file_is_refused(tmp_path):
    for args in (["-o", tmp_path / "报告.pdf"], ["-o", tmp_path / "r.docx", "--html", tmp_path / "r.txt"]):
        result = _run("build", EXAMPLE_JSON, *args)
        assert result.exit_code == 2
        assert "结尾" in result.output
    assert os.listdir(tmp_path) == []
    assert _run("build", EXAMPLE_JSON, "-o", tmp_path / "R.DOCX", "--html", tmp_path / "R.HTM").exit_code == 0


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_a_workbook_resaved_by_libreoffice_builds_the_same_tables(tmp_path):
    workbook = tmp_path / "填报.xlsx"
    assert _run("template", "-o", workbook, "--fill", EXAMPLE_JSON).exit_code == 0
    resaved = tmp_path / "lo"
    proc = subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(resaved),
            str(workbook),
        ],
        capture_output=True,
        timeout=120,
    )
    if proc.returncode or not (resaved / "填报.xlsx").exists():
        pytest.skip("LibreOffice could not convert")
    out, page = tmp_path / "r.docx", tmp_path / "r.html"
    result = _run("build", resaved / "填报.xlsx", "-o", out, "--html", page)
    assert result.exit_code == 0, result.output
    sub = _load()
    grids = _docx_tables(docx.Document(str(out)))
    _check_t2(grids[0], sub)
    _check_t3(grids[1], sub)
    _check_t4(grids[2], sub)
    html_grids = [_grid(t["rows"]) for t in _parse(page).tables[:3]]
    _check_t3(html_grids[1], sub)


def test_a_page_that_cannot_be_written_leaves_no_new_word_document(tmp_path):
    blocker = tmp_path / "这是文件"
    blocker.write_text("x", encoding="utf-8")
    out = tmp_path / "r.docx"
    result = _run("build", EXAMPLE_JSON, "-o", out, "--html", blocker / "r.html")
    assert result.exit_code == 1 and "无法写入" in result.output
    assert sorted(os.listdir(tmp_path)) == ["这是文件"]
    out.write_bytes(b"old")
    result = _run("build", EXAMPLE_JSON, "-o", out, "--html", blocker / "r.html")
    assert result.exit_code == 1 and out.read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["r.docx", "这是文件"]


def test_line_breaks_pasted_from_word_separate_paragraphs(tmp_path):
    sub = _load()
    sub["text"]["problems"] = "　　一是问题甲。\x0b二是问题乙。\x0c三是问题丙。\r\n\r\n下一步改进。"
    out, page = tmp_path / "r.docx", tmp_path / "r.html"
    result = _run("build", write_json(tmp_path / "s.json", sub), "-o", out, "--html", page, "--force")
    assert result.exit_code == 0, result.output
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    start = texts.index(SECTIONS[4]) + 1
    assert texts[start : start + 4] == ["一是问题甲。", "二是问题乙。", "三是问题丙。", "下一步改进。"]
    html = page.read_text(encoding="utf-8")
    assert "<p>二是问题乙。</p>" in html or ">二是问题乙。</p>" in html


def test_a_damaged_template_is_named_in_chinese_only(tmp_path):
    import zipfile

    damaged = tmp_path / "坏模板.docx"
    template = ROOT / "templates" / "report-template.docx"
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, b"<garbage" if item.filename == "word/document.xml" else data)
    result = _run("build", EXAMPLE_JSON, "--template", damaged, "-o", tmp_path / "r.docx")
    assert result.exit_code == 2 and "坏模板.docx" in result.output
    message = result.output.split("坏模板.docx", 1)[1]
    assert not any(word in message for word in ("Error", "line", "column", "Tag")), message
    assert not (tmp_path / "r.docx").exists()


def test_group_labels_of_table_three_are_the_official_texts(built):
    _, document, page = built
    texts = {cell.text for row in document.tables[1].rows for cell in row.cells}
    html = {cell for row in _grid(page.tables[1]["rows"]) for cell in row}
    for label in (
        "三、本年度办理结果",
        "（三）不予公开",
        "（四）无法提供",
        "（五）不予处理",
        "（六）其他处理",
        "（七）总计",
    ):
        assert label in texts, label
        assert label in html, label


def test_force_on_a_valid_report_builds_the_final_document(tmp_path):
    out = tmp_path / "r.docx"
    assert _run("build", EXAMPLE_JSON, "--force", "-o", out).exit_code == 0
    document = docx.Document(str(out))
    assert document.paragraphs[0].text.replace("\n", "") == TITLE
    assert DRAFT not in "".join(p.text for s in document.sections for p in s.header.paragraphs)
