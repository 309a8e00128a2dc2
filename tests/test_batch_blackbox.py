"""Acceptance tests of `report-kit batch` (issue #5), written black-box.

Only the contracts of the issue and of the spec are used: the CLI name and options, the
output file names (审核结果.xlsx, 审核结果.json, index.html), the findings JSON and the rule
ids of rules.md §7. Every produced file is opened with an ordinary library (openpyxl,
python-docx, html.parser), never through the project's own readers.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest

from helpers import leaves

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "轮台县市场监督管理局-2024.json"
INVALID = ROOT / "examples" / "invalid"
TODAY = "2025-02-10"
TABLE_SECTIONS = ("active_disclosure", "applications", "reviews")


def base() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def unit_report(name: str, factor: int = 1, code: str | None = None, **changes) -> dict:
    """The example for another unit; every table figure multiplied by ``factor`` (the
    identities of 表三/表四 are linear, so the report stays valid)."""
    data = base()
    data["unit"]["name"] = name
    if code is None:
        data["unit"].pop("code", None)
    else:
        data["unit"]["code"] = code

    def scale(node):
        for key, value in node.items():
            if isinstance(value, dict):
                scale(value)
            elif isinstance(value, bool):
                continue
            elif isinstance(value, int):
                node[key] = value * factor
            elif isinstance(value, float):
                node[key] = round(value * factor, 4)

    for section in TABLE_SECTIONS:
        scale(data[section])
    data.update(changes)
    return data


def write(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def batch(*args, env=None, cwd=None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "report_kit", "batch", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def quick(*args) -> subprocess.CompletedProcess:
    """``batch`` in this process, for runs that stop at the options (no subprocess start-up)."""
    from click.testing import CliRunner

    from report_kit.cli import main

    outcome = CliRunner().invoke(main, ["batch", *map(str, args)])
    stderr = outcome.stderr + (
        "Traceback" if outcome.exception and not isinstance(outcome.exception, SystemExit) else ""
    )
    return subprocess.CompletedProcess(args, outcome.exit_code, outcome.stdout, stderr)


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def sheet_dicts(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row)) for row in rows[1:] if any(v is not None for v in row)]


def load_json(review: Path) -> dict:
    return json.loads((review / "审核结果.json").read_text(encoding="utf-8"))


def zip_bomb(path: Path) -> Path:
    """A workbook-looking zip whose sheet inflates to 2 GB of zeros (a few MB on disk)."""
    info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        with zf.open(info, "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(64):  # 64 MB is enough to exceed any sane per-member ratio
                member.write(chunk)
    return path


def xml_bomb(source_xlsx: Path, path: Path) -> Path:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY a "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    with zipfile.ZipFile(source_xlsx) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "xl/workbook.xml":
                body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
                data = laughs + body.replace(b"<workbook", b"<workbook x='&c;'", 1)
            new.writestr(item.filename, data)
    return path


@pytest.fixture(scope="module")
def filled_xlsx(tmp_path_factory) -> Path:
    """A genuine filled workbook, made the way a unit makes one (template --fill)."""
    folder = tmp_path_factory.mktemp("xlsx")
    target = folder / "filled.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "report_kit", "template", "--fill", str(EXAMPLE), "-o", str(target)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return target


ROSTER = [
    ("单位名称", "统一社会信用代码", "单位类型"),
    ("轮台县市场监督管理局", "11652822010293476R", "政府部门"),
    ("轮台县审计局", "", "政府部门"),
    ("轮台县统计局", "", "政府部门"),
    ("轮台县财政局", "", "政府部门"),  # sends nothing
    ("轮台县医疗保障局", "", "政府部门"),  # sends an unreadable file named after it
]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, filled_xlsx):
    """The folder of issue #5 §5 and one review of it (shared by many read-only checks)."""
    top = tmp_path_factory.mktemp("mixed")
    inbox = top / "报送"
    (inbox / "乡镇").mkdir(parents=True)
    shutil.copy(EXAMPLE, inbox / "01-市场监管.json")  # valid, matched by code
    write(inbox / "02-审计.json", unit_report("轮台县审计局", 2))  # valid
    # valid, matched by normalised name: full-width space + traditional characters
    write(inbox / "乡镇" / "03-统计.json", unit_report("輪臺縣\u3000統計局", 3))
    bad = unit_report("轮台县统计局", 1)
    bad["applications"]["received"]["total"] += 5  # T3 arithmetic error; also a duplicate
    write(inbox / "04-统计-重报.json", bad)
    write(inbox / "05-外县.json", unit_report("尉犁县审计局"))  # off roster
    (inbox / "06-轮台县医疗保障局.json").write_text("{不是JSON", encoding="utf-8")
    zip_bomb(inbox / "07-炸弹.xlsx")
    xml_bomb(filled_xlsx, inbox / "08-实体炸弹.xlsx")
    (inbox / "说明.png").write_bytes(b"\x89PNG")  # not a submission
    roster = top / "名单.csv"
    roster.write_text("\n".join(",".join(r) for r in ROSTER) + "\n", encoding="utf-8")
    before = tree_digest(inbox)
    review = top / "审核"
    done = batch(inbox, "-o", review, "--roster", roster, "--today", TODAY, "--jobs", "2")
    return {
        "inbox": inbox,
        "roster": roster,
        "review": review,
        "done": done,
        "before": before,
        "top": top,
    }


EXPECTED_STATUS = {
    "01-市场监管.json": "通过",
    "02-审计.json": "通过",
    "乡镇/03-统计.json": "有错误",  # duplicate of 04
    "04-统计-重报.json": "有错误",
    "05-外县.json": "有错误",  # B.not_on_roster is an error (rules.md §7)
    "06-轮台县医疗保障局.json": "无法读取",
    "07-炸弹.xlsx": "无法读取",
    "08-实体炸弹.xlsx": "无法读取",
}


def test_exit_status_streams_and_no_traceback(mixed):
    done = mixed["done"]
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "审核进度" not in done.stdout  # the progress bar goes to stderr only
    assert done.stderr.strip(), "a progress bar is expected on stderr"
    assert "%" in done.stderr or "/" in done.stderr


def test_outputs_exist_and_inputs_unchanged(mixed):
    review = mixed["review"]
    for name in ("审核结果.xlsx", "审核结果.json", "index.html"):
        assert (review / name).is_file(), name
    assert tree_digest(mixed["inbox"]) == mixed["before"]
    # no temporary names left beside or inside the review folder
    leftovers = [p.name for p in mixed["top"].iterdir() if p.name.startswith((".", "~"))]
    assert not leftovers
    assert not [p for p in review.rglob("*") if p.name.startswith((".", "~")) or p.suffix == ".tmp"]


def test_summary_sheet_exactly_as_expected(mixed):
    wb = openpyxl.load_workbook(mixed["review"] / "审核结果.xlsx")
    summary = wb.worksheets[0]
    rows = sheet_dicts(summary)
    header = [c.value for c in summary[1]]
    for column in ("单位", "文件", "审核结果", "错误", "警告", "发布日期", "逾期", "本年新收", "结转下年度"):
        assert any(column in str(h) for h in header), (column, header)
    file_col = next(h for h in header if "文件" in str(h) and "类型" not in str(h))
    status_col = next(h for h in header if "审核结果" in str(h) or "状态" in str(h))
    got = {row[file_col]: row[status_col] for row in rows}
    assert got == EXPECTED_STATUS
    received = next(h for h in header if "本年新收" in str(h))
    by_file = {row[file_col]: row for row in rows}
    assert by_file["01-市场监管.json"][received] == 26
    assert by_file["02-审计.json"][received] == 52
    assert by_file["01-市场监管.json"][next(h for h in header if "发布日期" in str(h))] in (
        "2025-01-20",
        __import__("datetime").date(2025, 1, 20),
        __import__("datetime").datetime(2025, 1, 20),
    )
    errors = next(h for h in header if h and "错误" in str(h) and "审核" not in str(h))
    assert by_file["01-市场监管.json"][errors] == 0
    assert by_file["04-统计-重报.json"][errors] >= 2  # arithmetic + duplicate
    kind = next(h for h in header if "类型" in str(h) and "文件" not in str(h))
    assert by_file["01-市场监管.json"][kind] == "政府部门"


def test_findings_sheet_filterable_frozen_and_complete(mixed):
    wb = openpyxl.load_workbook(mixed["review"] / "审核结果.xlsx")
    sheet = next(ws for ws in wb.worksheets if "问题" in ws.title)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1")
    rows = sheet_dicts(sheet)
    header = [c.value for c in sheet[1]]
    for column in ("单位", "规则", "级别", "位置", "问题"):
        assert any(column in str(h) for h in header), (column, header)
    rules_by_file = {}
    for row in rows:
        rules_by_file.setdefault(row["文件"], set()).add(row["规则"])
    assert "B.duplicate" in rules_by_file["04-统计-重报.json"]
    assert "B.duplicate" in rules_by_file["乡镇/03-统计.json"]
    assert any(r.startswith("T3") for r in rules_by_file["04-统计-重报.json"])
    assert "B.not_on_roster" in rules_by_file["05-外县.json"]
    for unreadable in ("06-轮台县医疗保障局.json", "07-炸弹.xlsx", "08-实体炸弹.xlsx"):
        assert any(r.startswith("F.") for r in rules_by_file[unreadable]), unreadable
    missing = [row for row in rows if row["规则"] == "B.missing"]
    assert [row["单位名称"] for row in missing] == ["轮台县财政局"]
    assert "01-市场监管.json" not in rules_by_file
    assert {row["级别"] for row in rows} <= {"错误", "警告", "提示"}


def test_roster_sheet(mixed):
    wb = openpyxl.load_workbook(mixed["review"] / "审核结果.xlsx")
    sheet = next(ws for ws in wb.worksheets if "名单" in ws.title)
    rows = sheet_dicts(sheet)
    state = {}
    for row in rows:
        values = [str(v) for v in row.values() if v is not None]
        name = next(v for v in values if "局" in v)
        state[name] = values
    joined = {name: " ".join(v) for name, v in state.items()}
    assert "已提交" in joined["轮台县市场监督管理局"]
    assert "已提交" in joined["轮台县审计局"]
    assert "重复" in joined["轮台县统计局"]
    assert "未提交" in joined["轮台县财政局"]
    assert "不在名单" in joined["尉犁县审计局"]


def test_aggregate_equals_sum_of_passed(mixed):
    data = load_json(mixed["review"])
    agg = data["aggregate"]
    # passed: 01 (×1) and 02 (×2); 03 is a duplicate, so not summed
    assert agg["applications"]["received"]["total"] == 26 * 3
    assert agg["reviews"]["reconsideration"]["total"] == 2 * 3
    assert abs(agg["active_disclosure"]["fees"]["amount"] - 12.35 * 3) < 1e-6
    wb = openpyxl.load_workbook(mixed["review"] / "审核结果.xlsx")
    sheet = next(ws for ws in wb.worksheets if "汇总数据" in ws.title or "汇总表" in ws.title)
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    for title in ("表二", "表三", "表四", "本年新收", "行政复议", "行政诉讼", "结转下年度"):
        assert any(title in t for t in texts), title
    received = next(row for row in sheet.iter_rows(values_only=True) if row[0] and "本年新收" in str(row[0]))
    assert 78 in received


def test_native_charts(mixed):
    with zipfile.ZipFile(mixed["review"] / "审核结果.xlsx") as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 2


def test_json_same_content(mixed):
    data = load_json(mixed["review"])
    statuses = {row["file"]: row["status"] for row in data["summary"]}
    assert statuses == EXPECTED_STATUS
    assert data["counts"]["passed"] == 2
    assert data["counts"]["unreadable"] == 3
    assert data["counts"]["missing"] == 1
    assert data["skipped"] == ["说明.png"]
    wb = openpyxl.load_workbook(mixed["review"] / "审核结果.xlsx")
    sheet = next(ws for ws in wb.worksheets if "问题" in ws.title)
    assert len(sheet_dicts(sheet)) == len(data["findings"])
    for report in data["files"]:
        for finding in report["findings"]:
            assert {"rule", "severity", "message", "locations"} <= set(finding)


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.text, self.scripts = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("script", "link", "img") and (attrs.get("src") or attrs.get("href") or "").startswith(
            "http"
        ):
            self.scripts.append(attrs)

    def handle_data(self, data):
        self.text.append(data)


def test_index_html_offline_with_unit_pages(mixed):
    review = mixed["review"]
    parser = Links()
    parser.feed((review / "index.html").read_text(encoding="utf-8"))
    text = "".join(parser.text)
    assert not parser.scripts, "no resource from a server"
    for word in ("通过", "有错误", "无法读取", "轮台县审计局", "B.duplicate"):
        assert word in text, word
    local = [link for link in parser.links if not link.startswith(("#", "http", "mailto"))]
    assert len(local) >= len(EXPECTED_STATUS)
    for link in local:
        target = (review / unquote(link.split("#")[0])).resolve()
        assert target.is_file(), link
        assert review.resolve() in target.parents
    page = (review / unquote(local[0].split("#")[0])).read_text(encoding="utf-8")
    assert "<html" in page.lower()


def test_rerun_is_identical(mixed, tmp_path):
    again = tmp_path / "again"
    done = batch(mixed["inbox"], "-o", again, "--roster", mixed["roster"], "--today", TODAY, "--jobs", "1")
    assert done.returncode == 1
    assert tree_digest(again) == tree_digest(mixed["review"])


def test_rerun_replaces_previous_results(mixed, tmp_path):
    review = tmp_path / "r"
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("甲单位"))
    write(inbox / "b.json", unit_report("乙单位"))
    assert batch(inbox, "-o", review, "--today", TODAY).returncode == 0
    (inbox / "b.json").unlink()
    assert batch(inbox, "-o", review, "--today", TODAY).returncode == 0
    data = load_json(review)
    assert [row["file"] for row in data["summary"]] == ["a.json"]
    assert len(list((review / "units").iterdir())) == 1


def test_exit_zero_when_all_pass_and_year_option(tmp_path):
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("甲单位"))
    done = batch(inbox, "-o", tmp_path / "r", "--today", TODAY, "--year", "2024")
    assert done.returncode == 0, done.stdout + done.stderr
    done = batch(inbox, "-o", tmp_path / "r2", "--today", TODAY, "--year", "2023")
    assert done.returncode == 1
    rules = {f["rule"] for f in load_json(tmp_path / "r2")["findings"]}
    assert "B.year_mismatch" in rules


def test_deadline_override(tmp_path):
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("甲单位"))  # published 2025-01-20, a department
    batch(inbox, "-o", tmp_path / "r1", "--today", TODAY)
    assert load_json(tmp_path / "r1")["summary"][0]["late"] is False
    batch(inbox, "-o", tmp_path / "r2", "--today", TODAY, "--deadline", "2025-01-10")
    data = load_json(tmp_path / "r2")
    assert data["summary"][0]["late"] is True
    assert data["counts"]["late"] == 1
    wb = openpyxl.load_workbook(tmp_path / "r2" / "审核结果.xlsx")
    row = sheet_dicts(wb.worksheets[0])[0]
    late = next(k for k in row if k and "逾期" in k)
    assert row[late] in ("是", "逾期", True)
    wb = openpyxl.load_workbook(tmp_path / "r1" / "审核结果.xlsx")
    row = sheet_dicts(wb.worksheets[0])[0]
    assert row[late] in ("否", "", None, False)


def test_bad_deadline_is_chinese_usage_error(tmp_path):
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("甲单位"))
    done = quick(inbox, "-o", tmp_path / "r", "--deadline", "31.01.2025")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert any("\u4e00" <= ch <= "\u9fff" for ch in done.stderr)
    assert not (tmp_path / "r").exists()


def test_roster_xlsx_matching_by_code_name_variants_and_ambiguity(tmp_path):
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("改了名字的市场监管局", code="11652822010293476R"))
    write(inbox / "b.json", unit_report("ＡＢＣ 县 审计局"))  # full width and spaces
    write(inbox / "c.json", unit_report("輪臺縣衛生健康委員會"))
    write(inbox / "d.json", unit_report("轮台县教育局"))  # two roster rows normalise to this
    roster = tmp_path / "名单.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2024年度政府信息公开工作年度报告报送名单"])
    ws.append(["单位名称", "统一社会信用代码", "单位类型"])
    ws.append(["轮台县市场监督管理局", "11652822010293476R", "政府部门"])
    ws.append(["ABC县审计局", None, "政府部门"])
    ws.append(["轮台县卫生健康委员会", None, "政府部门"])
    ws.append(["轮台县教育局", None, "政府部门"])
    ws.append(["轮台县 教育局", None, "政府部门"])
    wb.save(roster)
    done = batch(inbox, "-o", tmp_path / "r", "--roster", roster, "--today", TODAY)
    assert "Traceback" not in done.stderr
    data = load_json(tmp_path / "r")
    by_file = {f["file"]: {x["rule"] for x in f["findings"]} for f in data["files"]}
    assert by_file["a.json"] == set()
    assert by_file["b.json"] == set()
    assert by_file["c.json"] == set()
    assert "B.ambiguous_match" in by_file["d.json"]
    assert {row["file"]: row["status"] for row in data["summary"]}["a.json"] == "通过"


def test_formula_neutralised_and_names_sanitised(tmp_path):
    inbox = tmp_path / "in"
    hostile_names = ['=HYPERLINK("http://x","点我")', "+1+1", "-2+3", "@SUM(A1)", "../../逃逸/..\\单位:*?<>|"]
    for i, name in enumerate(hostile_names):
        data = unit_report(name)
        write(inbox / f"{i}.json", data)
    write(inbox / "=cmd.json", unit_report("CON"))
    review = tmp_path / "r"
    done = batch(inbox, "-o", review, "--today", TODAY)
    assert "Traceback" not in done.stderr
    wb = openpyxl.load_workbook(review / "审核结果.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                    assert not cell.value.startswith(("=", "+", "-", "@")), (
                        ws.title,
                        cell.coordinate,
                        cell.value,
                    )
    with zipfile.ZipFile(review / "审核结果.xlsx") as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in zf.read(name) and b"<f " not in zf.read(name)
    # every file stays inside the review folder, with no reserved characters in its name
    outside = [
        p for p in tmp_path.rglob("*") if p.is_file() and review not in p.parents and inbox not in p.parents
    ]
    assert not outside, outside
    for page in (review / "units").iterdir():
        assert not set(page.name) & set('\\/:*?"<>|'), page.name
        assert page.stem.upper() != "CON"


def test_build_writes_docx_and_html_of_passing_submissions(tmp_path, filled_xlsx):
    docx = pytest.importorskip("docx")
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(filled_xlsx, inbox / "市场监管.xlsx")
    write(inbox / "b.json", unit_report("轮台县审计局", 2))
    bad = unit_report("轮台县统计局")
    bad["reviews"]["reconsideration"]["total"] += 1
    write(inbox / "bad.json", bad)
    review = tmp_path / "r"
    done = batch(inbox, "-o", review, "--today", TODAY, "--build")
    assert "Traceback" not in done.stderr
    docs = sorted(review.rglob("*.docx"))
    htmls = sorted(p for p in review.rglob("*.html") if "units" not in p.parts and p.name != "index.html")
    assert len(docs) == 2, docs
    assert len(htmls) == 2, htmls
    names = " ".join(p.name for p in docs)
    assert "轮台县审计局" in names and "轮台县市场监督管理局" in names
    text = "\n".join(p.text for p in docx.Document(str(docs[0])).paragraphs)
    assert "政府信息公开" in text


def test_unwritable_review_folder(tmp_path):
    if os.geteuid() == 0:
        target_parent = Path("/proc/self")  # not writable even for root
    else:
        target_parent = tmp_path / "ro"
        target_parent.mkdir()
        target_parent.chmod(0o500)
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("甲单位"))
    done = batch(inbox, "-o", target_parent / "审核")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "无法" in done.stderr or "不能" in done.stderr


def test_review_folder_is_a_file(tmp_path):
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("甲单位"))
    (tmp_path / "r").write_text("x")
    done = batch(inbox, "-o", tmp_path / "r")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert any("\u4e00" <= ch <= "\u9fff" for ch in done.stderr)
    assert (tmp_path / "r").read_text() == "x"


@pytest.mark.parametrize(
    "args",
    [
        ["{inbox}"],  # -o missing
        ["{tmp}/nope", "-o", "{tmp}/r"],
        ["{inbox}", "-o", "{tmp}/r", "--roster", "{tmp}/nope.csv"],
        ["{inbox}", "-o", "{tmp}/r", "--jobs", "0"],
        ["{inbox}", "-o", "{tmp}/r", "--year", "二〇二四"],
        ["{inbox}", "-o", "{inbox}"],
    ],
)
def test_usage_errors_are_chinese(tmp_path, args):
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("甲单位"))
    done = quick(*[a.format(inbox=inbox, tmp=tmp_path) for a in args])
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert any("\u4e00" <= ch <= "\u9fff" for ch in done.stderr), done.stderr
    for english in ("Missing option", "does not exist", "is not a valid", "Invalid value"):
        assert english not in done.stderr, done.stderr


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00garbage", b"PK\x03\x04broken"])
def test_broken_roster_is_a_message(tmp_path, content):
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("甲单位"))
    roster = tmp_path / "名单.xlsx"
    roster.write_bytes(content)
    done = quick(inbox, "-o", tmp_path / "r", "--roster", roster)
    assert done.returncode in (1, 2)
    assert "Traceback" not in done.stderr
    assert "名单" in done.stderr


def test_empty_folder(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    done = batch(inbox, "-o", tmp_path / "r", "--today", TODAY)
    assert done.returncode == 0
    assert "Traceback" not in done.stderr
    data = load_json(tmp_path / "r")
    assert data["counts"]["files"] == 0
    openpyxl.load_workbook(tmp_path / "r" / "审核结果.xlsx")


def test_odd_files_never_stop_the_batch(tmp_path):
    inbox = tmp_path / "in"
    write(inbox / "ok.json", unit_report("甲单位"))
    (inbox / "empty.xlsx").write_bytes(b"")
    (inbox / ("huge-name-" + "名" * 60 + ".json")).write_text("[]", encoding="utf-8")
    (inbox / "null.yaml").write_text("~\n", encoding="utf-8")
    (inbox / "list.yml").write_text("- 1\n- 2\n", encoding="utf-8")
    (inbox / "deep.json").write_text("[" * 100000 + "]" * 100000, encoding="utf-8")
    (inbox / "yaml-bomb.yaml").write_text(
        'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
        + "".join(
            f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
            for p, c in zip("abcdefgh", "bcdefghi")
        ),
        encoding="utf-8",
    )
    (inbox / "text.xlsx").write_text("not a workbook", encoding="utf-8")
    data = unit_report("甲单位")
    data["unit"]["name"] = "乙单位"
    data["year"] = "二〇二四"
    write(inbox / "wrong-type.json", data)
    weird = unit_report("丙\u202e单位\u0000\ud800")
    (inbox / "weird.json").write_text(json.dumps(weird, ensure_ascii=True), encoding="utf-8")
    done = batch(inbox, "-o", tmp_path / "r", "--today", TODAY)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1
    data = load_json(tmp_path / "r")
    statuses = {row["file"]: row["status"] for row in data["summary"]}
    assert statuses["ok.json"] == "通过"
    assert len(statuses) == 10
    for name, status in statuses.items():
        if name not in ("ok.json", "weird.json"):
            assert status in ("无法读取", "有错误"), (name, status)
    openpyxl.load_workbook(tmp_path / "r" / "审核结果.xlsx")


def chromium(url: str) -> tuple[str, str]:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.skip("chromium 未安装（.ci/run 会安装），跳过浏览器检查")
    import tempfile

    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                f"--user-data-dir={profile}",
                "--enable-logging=stderr",
                "--v=0",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    return done.stdout, done.stderr


def test_index_html_in_headless_chromium(mixed, tmp_path):
    control = tmp_path / "control.html"
    control.write_text('<html><body><script>console.error("对照")</script></body></html>', encoding="utf-8")
    _, log = chromium(control.as_uri())
    assert "CONSOLE" in log, "the console must be observable for the real check to mean anything"
    dom, log = chromium((mixed["review"] / "index.html").as_uri())
    assert "CONSOLE" not in log, log
    parser = Links()
    parser.feed(dom)
    text = " ".join(" ".join(parser.text).split())
    counts = load_json(mixed["review"])["counts"]
    for label, key in (("通过", "passed"), ("有错误", "errors"), ("无法读取", "unreadable")):
        assert f"{counts[key]} {label}" in text or f"{counts[key]}{label}" in text.replace(" ", ""), label


def test_html_escapes_hostile_names(tmp_path):
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("<script>alert(1)</script>"))
    write(inbox / "b.json", unit_report('"><img src=x onerror=alert(1)>'))
    review = tmp_path / "r"
    batch(inbox, "-o", review, "--today", TODAY)
    for page in [review / "index.html", *(review / "units").iterdir()]:
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img" not in html, page.name


def test_review_folder_inside_input_is_not_reviewed(tmp_path):
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("甲单位"))
    review = inbox / "审核"
    assert batch(inbox, "-o", review, "--today", TODAY).returncode == 0
    assert batch(inbox, "-o", review, "--today", TODAY).returncode == 0
    data = load_json(review)
    assert [row["file"] for row in data["summary"]] == ["a.json"]
    assert data["skipped"] == []


def test_late_and_region_aggregate(tmp_path):
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("甲单位", 1))
    write(inbox / "b.json", unit_report("乙单位", 2, published_on="2025-02-05"))  # after 1月31日
    region = unit_report("某县人民政府", 3, scope="region")
    region["unit"]["kind"] = "government"
    region["reviews"]["reconsideration"]["upheld"] += 1
    region["reviews"]["reconsideration"]["total"] += 1
    write(inbox / "c.json", region)
    review = tmp_path / "r"
    batch(inbox, "-o", review, "--today", TODAY)
    data = load_json(review)
    late = {row["file"]: row["late"] for row in data["summary"]}
    assert late == {"a.json": False, "b.json": True, "c.json": False}
    # the region report is compared with the sum, not added to it
    assert data["aggregate"]["applications"]["received"]["total"] == 26 * 3
    region_rules = [f["rule"] for f in data["files"][2]["findings"]]
    assert region_rules.count("B.region_mismatch") == 2, region_rules


SABOTAGE = """
import os, signal
import report_kit.check as _check

_original = _check.check_file


def check_file(path, *args, **kwargs):
    name = os.path.basename(str(path))
    if name.startswith("die"):
        os._exit(3)
    if name.startswith("segv"):
        os.kill(os.getpid(), signal.SIGSEGV)
    if name.startswith("crash"):
        raise RuntimeError("boom")
    if name.startswith("exit"):
        raise SystemExit(0)
    return _original(path, *args, **kwargs)


_check.check_file = check_file
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_crashing_and_dying_files_become_findings(tmp_path, jobs):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SABOTAGE, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", "")]))
    inbox = tmp_path / "in"
    names = ["a.json", "crash.json", "die.json", "exit.json", "m.json", "segv.json", "z.json"]
    for i, name in enumerate(names):
        write(inbox / name, unit_report(f"单位{i}"))
    review = tmp_path / "r"
    done = batch(inbox, "-o", review, "--today", TODAY, "--jobs", jobs, env=env)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stderr
    data = load_json(review)
    statuses = {row["file"]: row["status"] for row in data["summary"]}
    assert list(statuses) == names
    for name in ("a.json", "m.json", "z.json"):
        assert statuses[name] == "通过", statuses
    for name in ("crash.json", "die.json", "exit.json", "segv.json"):
        assert statuses[name] != "通过", (name, statuses)
        findings = next(f["findings"] for f in data["files"] if f["file"] == name)
        assert findings and all(f["severity"] == "error" for f in findings)
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in f["message"]) for f in findings)


def test_roster_csv_gb18030_and_formula_cells(tmp_path):
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("=1+2单位"))
    write(inbox / "b.json", unit_report("轮台县审计局"))
    roster = tmp_path / "名单.csv"
    roster.write_bytes(
        "单位名称,单位类型\r\n=1+2单位,@政府部门\r\n轮台县审计局,-部门\r\n+缺报单位,政府部门\r\n".encode(
            "gb18030"
        )
    )
    review = tmp_path / "r"
    done = batch(inbox, "-o", review, "--roster", roster, "--today", TODAY)
    assert "Traceback" not in done.stderr
    assert done.returncode == 1  # +缺报单位 is missing
    data = load_json(review)
    assert {row["file"]: row["status"] for row in data["summary"]} == {"a.json": "通过", "b.json": "通过"}
    assert [f["unit"] for f in data["findings"] if f["rule"] == "B.missing"] == ["+缺报单位"]
    wb = openpyxl.load_workbook(review / "审核结果.xlsx")
    seen = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type != "f" and not cell.value.startswith(("=", "+", "-", "@")), (
                        cell.value
                    )
                    seen.append(cell.value)
    assert any("1+2单位" in v for v in seen) and any("缺报单位" in v for v in seen)


@pytest.mark.parametrize("name", ["名单.txt", "名单.xls", "名单"])
def test_roster_of_unknown_format(tmp_path, name):
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("甲单位"))
    roster = tmp_path / name
    roster.write_text("单位名称\n甲单位\n", encoding="utf-8")
    done = quick(inbox, "-o", tmp_path / "r", "--roster", roster)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "名单" in done.stderr


def test_roster_without_name_column(tmp_path):
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("甲单位"))
    roster = tmp_path / "名单.csv"
    roster.write_text("序号,备注\n1,甲单位\n", encoding="utf-8")
    done = quick(inbox, "-o", tmp_path / "r", "--roster", roster)
    assert done.returncode == 2
    assert "单位名称" in done.stderr


def test_progress_has_counts_and_eta(tmp_path):
    inbox = tmp_path / "in"
    for i in range(40):
        write(inbox / f"{i:02}.json", unit_report(f"单位{i}"))
    done = batch(inbox, "-o", tmp_path / "r", "--today", TODAY, "--jobs", "2")
    assert done.returncode == 0
    assert "40/40" in done.stderr
    assert "预计" in done.stderr or "剩余" in done.stderr
    assert "40/40" not in done.stdout
    assert "40" in done.stdout  # the final summary names the count


INTERRUPT = """
import os
import report_kit.batch.outputs_xlsx as _xlsx

_original = _xlsx.write_review_workbook


def write_review_workbook(result, target, *args, **kwargs):
    with open(target, "wb") as handle:
        handle.write(b"PK\\x03\\x04 half a workbook")
    os._exit(9)  # killed in the middle of writing the review


_xlsx.write_review_workbook = write_review_workbook
"""


def test_interrupted_run_keeps_previous_review(tmp_path):
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("甲单位"))
    review = tmp_path / "r"
    assert batch(inbox, "-o", review, "--today", TODAY).returncode == 0
    before = tree_digest(review)
    write(inbox / "b.json", unit_report("乙单位"))
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(INTERRUPT, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", "")]))
    done = batch(inbox, "-o", review, "--today", TODAY, env=env)
    assert done.returncode == 9
    assert tree_digest(review) == before
    openpyxl.load_workbook(review / "审核结果.xlsx")
    # the next complete run replaces everything and leaves no temporary names behind
    assert batch(inbox, "-o", review, "--today", TODAY).returncode == 0
    assert len(load_json(review)["summary"]) == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], list(tmp_path.iterdir())


def test_build_with_very_long_and_hostile_unit_names(tmp_path):
    inbox = tmp_path / "in"
    names = ["名" * 300, "名" * 300 + "乙", "𠀀" * 100, "../../逃逸", "单位/子:*?"]
    for i, name in enumerate(names):
        write(inbox / f"{i}.json", unit_report(name))
    review = tmp_path / "r"
    done = batch(inbox, "-o", review, "--today", TODAY, "--build")
    assert "Traceback" not in done.stderr
    assert "失败" not in done.stderr, done.stderr
    docs = list((review / "reports").glob("*.docx"))
    assert len(docs) == len(names) == len(list((review / "reports").glob("*.html")))
    assert all("年政府信息公开工作年度报告" in p.name for p in docs), docs
    for path in review.rglob("*"):
        assert len(path.name.encode()) <= 255
        assert review in path.parents


def test_aggregate_is_the_sum_of_the_parts_leaf_by_leaf(tmp_path):
    import random

    rng = random.Random(5)
    inbox = tmp_path / "in"
    factors = [rng.randint(0, 9) for _ in range(12)]
    for i, factor in enumerate(factors):
        write(inbox / f"{i:02}.json", unit_report(f"第{i}单位", factor))
    broken = unit_report("出错单位", 100)
    broken["applications"]["carried_over"]["total"] += 1
    write(inbox / "zz-bad.json", broken)  # with errors: never summed
    review = tmp_path / "r"
    batch(inbox, "-o", review, "--today", TODAY, "--jobs", "2")
    data = load_json(review)
    passed = [row["file"] for row in data["summary"] if row["status"] == "通过"]
    assert len(passed) == len(factors)
    total = sum(factors)
    template = base()
    agg = data["aggregate"]
    checked = 0
    for section in TABLE_SECTIONS:
        expected = dict(leaves(template[section], f"/{section}"))
        got = dict(leaves(agg[section], f"/{section}"))
        for pointer, value in expected.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            assert abs(got[pointer] - value * total) < 1e-6, pointer
            checked += 1
    assert checked >= 150
    assert agg["submissions"] == len(factors)


def test_same_findings_as_check(mixed):
    inbox = mixed["inbox"]
    data = load_json(mixed["review"])
    for report in data["files"]:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "report_kit",
                "check",
                "--format",
                "json",
                "--today",
                TODAY,
                str(inbox / report["file"]),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        checked = json.loads(done.stdout)
        checked = checked[0] if isinstance(checked, list) else checked
        own = [f for f in report["findings"] if not f["rule"].startswith("B.")]
        assert [f["rule"] for f in own] == [f["rule"] for f in checked["findings"]], report["file"]
        assert [f["message"] for f in own] == [f["message"] for f in checked["findings"]], report["file"]


def test_statutory_deadlines_by_kind_and_override(tmp_path):
    inbox = tmp_path / "in"
    government = unit_report("某县人民政府", published_on="2025-03-01")
    government["unit"]["kind"] = "government"
    write(inbox / "gov.json", government)
    township = unit_report("某某镇人民政府", published_on="2025-06-01")
    township["unit"]["kind"] = "township"
    township["unit"]["level"] = "township"
    write(inbox / "town.json", township)
    write(inbox / "dept.json", unit_report("某县审计局", published_on="2025-02-01"))
    batch(inbox, "-o", tmp_path / "r1", "--today", "2025-07-01")
    late = {row["file"]: row["late"] for row in load_json(tmp_path / "r1")["summary"]}
    assert late == {"dept.json": True, "gov.json": False, "town.json": False}
    batch(inbox, "-o", tmp_path / "r2", "--today", "2025-07-01", "--deadline", "2025-02-15")
    late = {row["file"]: row["late"] for row in load_json(tmp_path / "r2")["summary"]}
    # issue 13: the batch deadline is local — it never excuses a department late by law
    # (1月31日), makes the government's 3月31日 earlier, and is the only one for a township
    assert late == {"dept.json": True, "gov.json": True, "town.json": True}


def test_roster_csv_with_bom_crlf_and_tabs(tmp_path):
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("轮台县审计局"))
    for i, (text, encoding) in enumerate(
        [
            ("单位名称,单位类型\r\n轮台县审计局,政府部门\r\n", "utf-8-sig"),
            ("单位名称\t单位类型\r\n轮台县审计局\t政府部门\r\n", "gb18030"),
        ]
    ):
        roster = tmp_path / f"名单{i}.csv"
        roster.write_bytes(text.encode(encoding))
        done = batch(inbox, "-o", tmp_path / f"r{i}", "--roster", roster, "--today", TODAY)
        assert done.returncode == 0, done.stdout + done.stderr
        assert load_json(tmp_path / f"r{i}")["roster"][0]["state"] == "已提交"


def test_roster_list_on_a_later_sheet(tmp_path):
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("轮台县审计局"))
    roster = tmp_path / "名单.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "填报说明"
    wb.active.append(["请按下表报送"])
    ws = wb.create_sheet("名单")
    ws.append(["序号", "单位名称", "单位类型"])
    ws.append([1, "轮台县审计局", "政府部门"])
    ws.append([2, "轮台县财政局", "政府部门"])
    wb.save(roster)
    done = batch(inbox, "-o", tmp_path / "r", "--roster", roster, "--today", TODAY)
    assert done.returncode == 1, done.stderr  # 财政局 is missing
    states = {row["unit"]: row["state"] for row in load_json(tmp_path / "r")["roster"]}
    assert states == {"轮台县审计局": "已提交", "轮台县财政局": "未提交"}


def test_roster_and_old_review_inside_the_folder_are_not_submissions(tmp_path):
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("轮台县审计局"))
    roster = inbox / "名单.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["单位名称"])
    wb.active.append(["轮台县审计局"])
    wb.save(roster)
    assert batch(inbox, "-o", inbox / "旧审核", "--today", TODAY, "--roster", roster).returncode == 0
    done = batch(inbox, "-o", tmp_path / "r", "--roster", roster, "--today", TODAY)
    assert done.returncode == 0, done.stdout
    data = load_json(tmp_path / "r")
    assert [row["file"] for row in data["summary"]] == ["a.json"]
    assert "名单.xlsx" in data["skipped"]


def test_absurd_magnitudes_never_crash_the_batch(tmp_path):
    inbox = tmp_path / "in"
    write(inbox / "ok.json", unit_report("甲单位"))
    text = json.dumps(unit_report("乙单位"), ensure_ascii=False)
    (inbox / "big-int.json").write_text(text.replace('"decisions": 468', '"decisions": 1' + "0" * 400))
    text = json.dumps(unit_report("丙单位"), ensure_ascii=False)
    (inbox / "big-float.json").write_text(text.replace('"amount": 12.35', '"amount": 1e308'))
    text = json.dumps(unit_report("丁单位"), ensure_ascii=False)
    (inbox / "big-float-2.json").write_text(text.replace('"amount": 12.35', '"amount": 1.5e308'))
    (inbox / "nan.json").write_text(text.replace('"amount": 12.35', '"amount": NaN'))
    review = tmp_path / "r"
    done = batch(inbox, "-o", review, "--today", TODAY)
    assert "Traceback" not in done.stderr, done.stderr
    raw = (review / "审核结果.json").read_text(encoding="utf-8")
    data = json.loads(raw, parse_constant=lambda name: pytest.fail(f"{name} in 审核结果.json"))
    # whatever the validator makes of them, the sum stays exact and finite
    assert data["aggregate"]["active_disclosure"]["licensing"]["decisions"] in (468, 468 + 10**400)
    summed = set(data["aggregate"]["files"])
    assert "ok.json" in summed
    for report in data["files"]:
        if report["status"] == "通过" and report["file"] not in summed:
            assert report["findings"], report["file"]  # left out of the sum, and told why
    openpyxl.load_workbook(review / "审核结果.xlsx")


def test_roster_code_damaged_by_excel_falls_back_to_the_name(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(EXAMPLE, inbox / "a.json")  # code 11652822010293476R
    roster = tmp_path / "名单.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["单位名称", "统一社会信用代码"])
    wb.active.append(["轮台县市场监督管理局", 9.16528220102934e17])  # what Excel makes of digits
    wb.save(roster)
    done = batch(inbox, "-o", tmp_path / "r", "--roster", roster, "--today", TODAY)
    assert done.returncode == 0, done.stdout
    assert load_json(tmp_path / "r")["roster"][0]["state"] == "已提交"


def test_same_name_with_another_valid_code_is_another_unit(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(EXAMPLE, inbox / "a.json")
    roster = tmp_path / "名单.csv"
    other = "91110000100000000" + __import__("report_kit.credit_code").credit_code.check_character(
        "91110000100000000"
    )
    roster.write_text(f"单位名称,统一社会信用代码\n轮台县市场监督管理局,{other}\n", encoding="utf-8")
    done = batch(inbox, "-o", tmp_path / "r", "--roster", roster, "--today", TODAY)
    assert done.returncode == 1
    rules = {f["rule"] for f in load_json(tmp_path / "r")["findings"]}
    assert {"B.not_on_roster", "B.missing"} <= rules


def test_many_copies_of_one_report(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(25):
        shutil.copy(EXAMPLE, inbox / f"{i:02}.json")
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称\n轮台县市场监督管理局\n", encoding="utf-8")
    review = tmp_path / "r"
    done = batch(inbox, "-o", review, "--roster", roster, "--today", TODAY)
    assert done.returncode == 1
    data = load_json(review)
    duplicates = [f for f in data["findings"] if f["rule"] == "B.duplicate"]
    assert len(duplicates) == 25
    assert all("25" in f["message"] and len(f["message"]) < 400 for f in duplicates)
    assert data["roster"][0]["state"] == "重复提交"
    assert len(data["roster"][0]["files"]) == 25


def test_review_folder_given_through_a_symlink(tmp_path):
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("甲单位"))
    real = tmp_path / "elsewhere" / "审核"
    real.mkdir(parents=True)
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    done = batch(inbox, "-o", tmp_path / "link", "--today", TODAY, "--build")
    assert done.returncode == 0, done.stderr
    assert (real / "审核结果.xlsx").is_file() and (real / "reports").is_dir()
    assert (tmp_path / "link").is_symlink()
    assert not [p for p in tmp_path.rglob(".*")], list(tmp_path.rglob(".*"))


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full 不存在")
def test_stdout_on_a_full_disk(tmp_path):
    inbox = tmp_path / "in"
    write(inbox / "a.json", unit_report("甲单位"))
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "report_kit",
                "batch",
                str(inbox),
                "-o",
                str(tmp_path / "r"),
                "--today",
                TODAY,
            ],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, 1)
    assert (tmp_path / "r" / "审核结果.xlsx").is_file()
