"""Acceptance tests of the validator core and `report-kit check` (issue #2), written black-box.

Only the contracts of the issue and of `submission.md` are used: the CLI names and options,
the findings JSON, the exit codes, the public library (`check_file`, `validate`,
`read_submission`) and the shipped examples. Expected rule ids of a mutation are derived from
`rules.md`, not from the project's rule file.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from report_kit import check_file, read_submission, validate
from report_kit.cli import main

from helpers import EXAMPLE_JSON, EXAMPLE_YAML, EXAMPLES, delete, get, leaves, load_example, put, run

EXAMPLE = EXAMPLE_JSON
INVALID = EXAMPLES / "invalid"

FINDING_KEYS = {"rule", "severity", "message", "locations", "expected", "actual", "suggestion"}
ROW_COLUMNS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other")
GROUP_COLUMNS = ("upheld", "corrected", "other", "pending")


def as_dicts(result) -> list[dict]:
    return [json.loads(json.dumps(f.to_dict(), ensure_ascii=False, default=str)) for f in result.findings]


def rules(result) -> list[str]:
    return sorted(f.rule for f in result.findings)


def check_json(*paths) -> tuple[int, object]:
    result = run("check", *paths, "--format", "json")
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.output)


def assert_finding_shape(finding: dict, workbook: bool = False) -> None:
    assert set(finding) >= FINDING_KEYS, finding
    assert finding["severity"] in ("error", "warning", "info")
    assert isinstance(finding["message"], str) and finding["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in finding["message"]), finding["message"]
    assert isinstance(finding["locations"], list)
    for loc in finding["locations"]:
        assert {"pointer", "label"} <= set(loc)
        assert loc["pointer"] == "" or loc["pointer"].startswith("/")
        if workbook:
            assert "sheet" in loc and "cell" in loc


# --- the shipped example and the CLI contract --------------------------------------------


def test_example_passes_json_and_yaml():
    for path in (EXAMPLE, EXAMPLE_YAML):
        code, data = check_json(path)
        assert code == 0
        assert data["valid"] is True
        assert data["findings"] == []
        assert data["unit"] == "轮台县市场监督管理局"
        assert data["year"] == 2024
        assert data["counts"] == {"error": 0, "warning": 0, "info": 0}
    assert read_submission(EXAMPLE).submission == read_submission(EXAMPLE_YAML).submission


def test_library_entry_points():
    report = check_file(EXAMPLE)
    assert report.valid and report.findings == []
    result = validate(load_example())
    assert result.findings == [] or not [f for f in result.findings if f.severity == "error"]
    assert read_submission(EXAMPLE).submission == load_example()


def test_example_is_realistic():
    sub = load_example()
    assert sub["unit"]["kind"] == "department" and sub["unit"]["level"] == "county"
    results = sub["applications"]["results"]
    nonzero_rows = [p for p, v in leaves(results) if p.endswith("/total") and v and p != "/total/total"]
    assert len(nonzero_rows) >= 4
    assert any(v for p, v in leaves(sub["reviews"]) if p.endswith("/total"))
    for pointer, value in leaves(sub["text"]):
        assert isinstance(value, str) and len(value) > 40, pointer


def test_text_output_is_chinese_grouped_with_summary():
    result = run("check", INVALID / "01-balance.yaml")
    assert result.exit_code == 1
    assert "表三" in result.output
    assert "T3.balance" in result.output
    last = result.output.strip().splitlines()[-1]
    assert "共" in last and "错误" in last


def test_output_file_json_and_csv(tmp_path):
    out = tmp_path / "结果.json"
    result = run("check", INVALID / "01-balance.yaml", "--format", "json", "-o", out)
    assert result.exit_code == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["valid"] is False
    assert [f["rule"] for f in data["findings"]] == ["T3.balance", "T3.balance"]
    out = tmp_path / "结果.csv"
    result = run("check", INVALID / "01-balance.yaml", "--format", "csv", "--output", out)
    assert result.exit_code == 1
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 3  # header + two findings
    assert any("T3.balance" in cell for cell in rows[1])
    assert any("/applications/received/natural_person" in cell for cell in rows[1])


def test_several_files_one_object_each():
    code, data = check_json(EXAMPLE, INVALID / "01-balance.yaml", INVALID / "08-not-json.json")
    assert code == 1
    assert isinstance(data, list) and len(data) == 3
    assert [d["valid"] for d in data] == [True, False, False]
    code, data = check_json(EXAMPLE, EXAMPLE_YAML)
    assert code == 0


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["check", "--format", "xml", "x.json"],
        ["check", "--bogus", "x.json"],
        ["nosuchcommand"],
    ],
)
def test_usage_errors_exit_2(args):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_rules_command_lists_every_rule_id():
    result = run("rules")
    assert result.exit_code == 0
    for rule_id in (
        "T3.balance", "T3.outcome_total", "T3.applicant_total", "T4.total", "X.received",
        "X.reconsideration", "X.litigation", "X.fees", "D.credit_code", "D.format_year",
        "S.required", "S.unknown_key", "F.syntax",
    ):  # fmt: skip
        assert rule_id in result.output
    assert "错误" in result.output and "警告" in result.output
    # every rule a finding can carry is listed
    for path in sorted(INVALID.glob("*.*")):
        if path.suffix in (".yaml", ".json"):
            for finding in check_file(path).findings:
                assert finding.rule in result.output


def test_python_dash_m():
    proc = subprocess.run(
        [sys.executable, "-m", "report_kit", "check", str(INVALID / "06-text-mismatch.yaml"), "--format", "json"],
        capture_output=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0
    data = json.loads(proc.stdout.decode("utf-8"))
    assert sorted(f["rule"] for f in data["findings"]) == ["X.prose_parts", "X.received", "X.reconsideration"]
    proc = subprocess.run([sys.executable, "-m", "report_kit", "rules"], capture_output=True, timeout=60)
    assert proc.returncode == 0 and "T3.balance" in proc.stdout.decode("utf-8")


# --- the invalid examples, as documented -------------------------------------------------

DOCUMENTED = {
    "01-balance.yaml": (["T3.balance"] * 2, 1),
    "02-outcome-total.yaml": (["T3.outcome_total"] * 2, 1),
    "03-applicant-total.yaml": (["T3.applicant_total"] * 2, 1),
    "04-shape.yaml": (
        sorted(["S.type", "S.negative", "S.required", "S.required", "S.unknown_key", "S.enum"]),
        1,
    ),
    "05-old-format.yaml": (["D.format_year"], 1),
    "06-text-mismatch.yaml": (["X.prose_parts", "X.received", "X.reconsideration"], 0),
    "07-fees.yaml": (
        sorted(
            [
                "T3.fee_unpaid_without_notice",
                "FEE.amount_multiple_of_ten",
                "FEE.amount_multiple_of_ten",
                "D.section_missing",
            ]
        ),
        1,
    ),
    "08-not-json.json": (["F.syntax"], 1),
    "09-late-and-code.yaml": (["D.credit_code", "D.late"], 1),
}


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_invalid_examples_give_the_documented_findings(name):
    expected, exit_code = DOCUMENTED[name]
    code, data = check_json(INVALID / name)
    assert code == exit_code
    assert sorted(f["rule"] for f in data["findings"]) == expected
    has_error = any(f["severity"] == "error" for f in data["findings"])
    assert data["valid"] is (not has_error)
    assert data["counts"]["error"] == sum(f["severity"] == "error" for f in data["findings"])
    for finding in data["findings"]:
        assert_finding_shape(finding)
    # deterministic order
    assert check_json(INVALID / name)[1] == data


def test_text_mismatch_quotes_the_sentence():
    _, data = check_json(INVALID / "06-text-mismatch.yaml")
    for finding in data["findings"]:
        assert "“" in finding["message"]
        assert any(loc["pointer"].startswith("/text/") for loc in finding["locations"])


def test_balance_finding_has_the_submission_md_shape():
    _, data = check_json(INVALID / "01-balance.yaml")
    finding = data["findings"][0]
    assert finding["rule"] == "T3.balance" and finding["severity"] == "error"
    assert "自然人" in finding["message"] and "相差1" in finding["message"]
    loc = finding["locations"][0]
    assert loc["pointer"] == "/applications/received/natural_person"
    assert loc["label"] == "一、本年新收政府信息公开申请数量 · 自然人"
    assert abs(finding["expected"] - finding["actual"]) == 1
    assert finding["suggestion"]


# --- single-cell mutations: exactly the rules that involve the cell -----------------------


def arithmetic_rules(pointer: str) -> set[str]:
    """The rules of rules.md §2 that involve a cell, from the spec's wording alone."""
    parts = pointer.strip("/").split("/")
    found = set()
    if parts[0] == "applications":
        column = parts[-1]
        row = parts[1:-1]
        found.add("T3.applicant_total")  # every row has a 总计 column
        if row in (["received"], ["carried_over"], ["results", "total"], ["carried_forward"]):
            found.add("T3.balance")
        if row[0] == "results":
            found.add("T3.outcome_total")
        assert column in (*ROW_COLUMNS, "total")
    elif parts[0] == "reviews":
        found.add("T4.total")
    return found


TEXT_STATED = {  # totals the example's prose states (rules.md §5)
    "/applications/received/total": "X.received",
    "/applications/carried_over/total": "X.carried_over",
    "/applications/carried_forward/total": "X.carried_forward",
    "/applications/results/disclosed/total": "X.disclosed",
    "/reviews/reconsideration/total": "X.reconsideration",
    "/reviews/litigation_direct/total": "X.litigation",
    "/reviews/litigation_after_reconsideration/total": "X.litigation",
    "/fees/notices": "X.fee_notices",
    "/fees/amount_collected": "X.fees",
}


def table_pointers() -> list[str]:
    sub = load_example()
    return [p for p, _ in leaves(sub) if p.startswith(("/applications/", "/reviews/"))]


def test_every_single_cell_mutation_fails_exactly_its_rules():
    base = load_example()
    assert validate(base).findings == []
    pointers = table_pointers()
    assert len(pointers) == 25 * 7 + 3 * 5
    for pointer in pointers:
        for delta in (1, 3, -1) if get(base, pointer) >= 1 else (1, 3):
            sub = copy.deepcopy(base)
            put(sub, pointer, get(sub, pointer) + delta)
            result = validate(sub)
            expected = arithmetic_rules(pointer)
            if pointer in TEXT_STATED:
                expected.add(TEXT_STATED[pointer])
            assert set(rules(result)) == expected, (pointer, delta, rules(result))
            for finding in result.findings:
                if finding.rule.startswith(("T3.", "T4.")):
                    assert finding.severity == "error"
                    pointers_named = {loc.pointer for loc in finding.locations} | set(finding.involved)
                    assert pointer in pointers_named, (pointer, finding)
                    assert abs(finding.expected - finding.actual) == abs(delta)


def test_a_negative_cell_is_one_schema_error_no_arithmetic_noise():
    for pointer in table_pointers()[::7]:
        sub = load_example()
        put(sub, pointer, -5)
        result = validate(sub)
        assert rules(result) == ["S.negative"], (pointer, rules(result))
        assert result.findings[0].pointer == pointer


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("12件", "S.type"),
        ("12", "S.type"),
        (2.5, "S.integer"),
        (None, "S.type"),
        (True, "S.type"),
        ([], "S.type"),
    ],
)
def test_a_bad_value_is_one_schema_error(value, rule):
    sub = load_example()
    put(sub, "/applications/received/natural_person", value)
    result = validate(sub)
    assert rules(result) == [rule], rules(result)
    assert result.findings[0].pointer == "/applications/received/natural_person"
    assert not result.valid


def test_schema_layer_reports_all_errors_not_the_first():
    sub = load_example()
    delete(sub, "/applications/received/natural_person")
    delete(sub, "/reviews/reconsideration/pending")
    delete(sub, "/unit/name")
    put(sub, "/applications/carried_over/commerical", 0)
    put(sub, "/unit/kind", "bureau")
    put(sub, "/year", "二〇二四")
    put(sub, "/active_disclosure/fees/amount", -1.5)
    result = validate(sub)
    got = rules(result)
    assert got.count("S.required") == 3, got
    assert "S.unknown_key" in got and "S.enum" in got and "S.negative" in got
    assert "S.type" in got or "S.year" in got
    pointers = {f.pointer for f in result.findings}
    assert "/applications/received/natural_person" in pointers
    assert "/applications/carried_over/commerical" in pointers
    assert not [r for r in got if r.startswith(("T3.", "T4."))]


def test_amount_accepts_decimals_counts_do_not():
    sub = load_example()
    put(sub, "/active_disclosure/fees/amount", 0.05)
    put(sub, "/fees/amount_notified", 300.0)
    put(sub, "/fees/amount_collected", 300.0)
    assert validate(sub).findings == []


# --- file-level problems: findings, never a traceback ------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("empty.json", b"", "F.empty"),
        ("spaces.yaml", b"  \n\n ", "F.empty"),
        ("gbk.json", '{"unit": {"name": "轮台县"}}'.encode("gbk"), "F.encoding"),
        ("broken.json", b'{"format": "2021", ', "F.syntax"),
        ("broken.yaml", b"format: '2021\nyear: [", "F.syntax"),
        ("list.json", b"[1, 2, 3]", "F.not_object"),
        ("number.json", b"42", "F.not_object"),
        ("string.yaml", "只有一句话".encode(), "F.not_object"),
        ("binary.json", bytes(range(256)) * 4, None),
        ("notes.txt", "这是一份年度报告的草稿".encode(), None),
        ("report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "F.corrupt"),  # a truncated PDF (ingest.md)
    ],
)
def test_unreadable_files_are_findings(tmp_path, name, content, rule):
    path = tmp_path / name
    path.write_bytes(content)
    code, data = check_json(path)
    assert code == 1
    assert data["valid"] is False
    assert data["findings"], data
    if rule:
        assert [f["rule"] for f in data["findings"]] == [rule]
    for finding in data["findings"]:
        assert_finding_shape(finding)
        assert finding["severity"] == "error"
    text = run("check", path)
    assert text.exit_code == 1 and "Traceback" not in text.output


def test_utf8_bom_json_is_read(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + EXAMPLE.read_bytes())
    code, data = check_json(path)
    assert code == 0, data


def test_missing_file_and_directory(tmp_path):
    code, data = check_json(tmp_path / "没有这个文件.json")
    assert code == 1 and data["findings"][0]["rule"].startswith("F.")
    code, data = check_json(tmp_path)
    assert code == 1 and data["findings"][0]["rule"].startswith("F.")


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"format": "2021"},
        {"applications": []},
        {"applications": {"received": "x", "results": 5}},
        {"reviews": {"reconsideration": [1, 2]}},
        {"text": {"overview": 3, "other": None}},
        {"unit": "x", "year": None, "fees": {"notices": {}}},
        {"format": "1999"},
        {"format": 2021, "year": 10**30},
        {"year": float("nan")},
        {"published_on": "2025-02-30"},
    ],
)
def test_wrong_shapes_never_raise(document):
    result = validate(document)
    assert result.findings
    assert any(f.severity == "error" for f in result.findings)
    for finding in result.findings:
        assert finding.message


@pytest.mark.parametrize("document", [None, [], "x", 5, 2.5, True])
def test_not_an_object_never_raises(document):
    result = validate(document)
    assert result.findings and result.findings[0].severity == "error"


def test_wrong_shape_file_gives_schema_findings(tmp_path):
    path = tmp_path / "shape.json"
    sub = load_example()
    sub["applications"]["results"] = "见附件"
    path.write_text(json.dumps(sub, ensure_ascii=False), encoding="utf-8")
    code, data = check_json(path)
    assert code == 1
    assert {f["rule"] for f in data["findings"]} <= {"S.type", "S.required"}
    assert not [f for f in data["findings"] if f["rule"].startswith("T3.")]


# --- document rules --------------------------------------------------------------------


def test_document_rules():
    sub = load_example()
    sub["unit"]["code"] = "11652822010293476X"
    assert rules(validate(sub)) == ["D.credit_code"]
    sub = load_example()
    sub["published_on"] = "2025-02-15"
    assert rules(validate(sub)) == ["D.late"]
    sub = load_example()
    sub["published_on"] = "2024-12-01"
    assert rules(validate(sub)) == ["D.published_early"]
    sub = load_example()
    sub["text"]["problems"] = "   "
    result = validate(sub)
    assert "D.section_missing" in rules(result) or "S.empty" in rules(result)
    sub = load_example()
    del sub["text"]["other"]["innovation"]
    assert rules(validate(sub)) == ["D.topic_missing"]


# --- prose against tables ------------------------------------------------------------------


def with_requests(text: str) -> dict:
    sub = load_example()
    sub["text"]["overview"]["requests"] = text
    return sub


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本年度共收到政府信息公开申请26件。", []),
        ("本年度共收到政府信息公开申请二十六件。", []),
        ("本年度共收到政府信息公开申请十二件。", [("X.received", 26, 12)]),
        ("本年度共收到政府信息公开申请八件。", [("X.received", 26, 8)]),
        ("本年度新收政府信息公开申请２５件。", [("X.received", 26, 25)]),
        ("本年度未收到政府信息公开申请。", [("X.received", 26, 0)]),
        ("本年度没有收到政府信息公开申请。", [("X.received", 26, 0)]),
        ("本年度共收到25件政府信息公开申请。", [("X.received", 26, 25)]),
        ("收到申请26件，上年结转两件，结转下年度一件。", []),
        (
            "收到申请26件，上年结转3件，结转下年度两件。",
            [("X.carried_forward", 1, 2), ("X.carried_over", 2, 3)],
        ),
        ("收到申请26件，其中予以公开十一件。", [("X.disclosed", 12, 11)]),
        ("被申请行政复议两起，被提起行政诉讼一起。", []),
        ("被申请行政复议两起，被提起行政诉讼两起。", [("X.litigation", 1, 2)]),
        ("被申请行政复议三件，行政诉讼1件。", [("X.reconsideration", 2, 3)]),
        ("本年度未发生行政复议案件。", [("X.reconsideration", 2, 0)]),
        ("本年度无行政复议、行政诉讼案件。", [("X.litigation", 1, 0), ("X.reconsideration", 2, 0)]),
        (
            "本年度没有发生因政府信息公开引起的行政复议和行政诉讼。",
            [("X.litigation", 1, 0), ("X.reconsideration", 2, 0)],
        ),
        ("全年收到政府信息公开申请总数为25件。", [("X.received", 26, 25)]),
        ("全年收到申请26件，比上年增加5件。", []),
        ("本年度共收到政府信息公开申请数十件。", []),
        ("上年度共收到政府信息公开申请30件，本年度共收到政府信息公开申请26件。", []),
        ("2023年共收到政府信息公开申请30件，本年增加较少。", []),
        ("自2019年以来累计收到政府信息公开申请300件。", []),
        ("2024年共收到政府信息公开申请30件。", [("X.received", 26, 30)]),
        ("上年度收到申请30件，本年度未收到政府信息公开申请。", [("X.received", 26, 0)]),
        ("本年度共收到政府信息公开申请两三件。", []),
        ("本年度共收到政府信息公开申请二十余件。", []),
        ("本年度共收到政府信息公开申请二十件。", [("X.received", 26, 20)]),
        ("本年度受理政府信息公开申请共计25件。", [("X.received", 26, 25)]),
        ("收到申请26件，上年无结转申请。", [("X.carried_over", 2, 0)]),
        ("本年度未发生因政府信息公开被申请行政复议的情况。", [("X.reconsideration", 2, 0)]),
    ],
)
def test_prose_numbers_and_negations(text, expected):
    result = validate(with_requests(text))
    got = sorted((f.rule, f.expected, f.actual) for f in result.findings)
    assert got == sorted(expected), got
    for finding in result.findings:
        assert finding.severity == "warning"
        assert text.split("。")[0][:6] in finding.message  # quotes the sentence
        assert any(loc.pointer == "/text/overview/requests" for loc in finding.locations)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本年度发出收费通知1件，实际收取信息处理费300元。", []),
        ("本年度发出收费通知一件，通知金额三百元，实际收取三百元。", []),
        ("本年度未收取信息处理费。", [("X.fees", 300, 0)]),
        ("本年度未发出收费通知，未收取信息处理费。", [("X.fee_notices", 1, 0), ("X.fees", 300, 0)]),
        ("本年度实际收取信息处理费500元。", [("X.fees", 300, 500)]),
        ("本年度发出收费通知两件，实际收取300元。", [("X.fee_notices", 1, 2)]),
        ("本年度发出收费通知1件，通知金额500元，实际收取300元。", [("X.fee_notified", 300, 500)]),
        ("本年度发出收费通知1件，通知金额300元，实际收取三百元。", []),
    ],
)
def test_prose_fee_statements(text, expected):
    sub = load_example()
    sub["text"]["other"]["fees"] = text
    result = validate(sub)
    got = sorted((f.rule, f.expected, f.actual) for f in result.findings)
    assert got == sorted(expected), got


def test_text_warnings_keep_the_report_valid(tmp_path):
    path = tmp_path / "正文.json"
    path.write_text(
        json.dumps(with_requests("本年度共收到申请三十件。"), ensure_ascii=False), encoding="utf-8"
    )
    code, data = check_json(path)
    assert code == 0
    assert data["valid"] is True
    assert [f["rule"] for f in data["findings"]] == ["X.received"]
    assert data["counts"]["warning"] == 1


# --- hostile and odd structured files ------------------------------------------------------


def alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for i in range(1, 10):
        name = chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("name", "content", "rule", "fragment"),
    [
        ("bomb.yaml", alias_bomb(), "F.hostile", "别名"),
        ("deep.json", "[" * 100_000 + "]" * 100_000, "F.hostile", "嵌套"),
        ("deep.yaml", "[" * 100_000 + "]" * 100_000, "F.hostile", "嵌套"),
        ("big.json", '{"year": ' + "9" * 5000 + "}", "F.hostile", "位数"),
        ("big.yaml", "year: " + "9" * 5000 + "\n", "F.hostile", "位数"),
        ("nan.json", '{"format": "2021", "year": NaN}', "F.syntax", "NaN"),
        ("dup.json", '{"format": "2021",\n "format": "2019"}', "F.syntax", "第2行"),
        ("dup.yaml", 'format: "2021"\nyear: 2024\nformat: "2019"\n', "F.syntax", "第3行"),
        ("tab.yaml", "format: '2021'\n\tyear: 2024\n", "F.syntax", "第2行"),
        ("colon.yaml", "format: '2021'\nyear：2024\nscope: agency\n", "F.syntax", "中文冒号"),
        ("indent.yaml", "unit:\n\u3000\u3000name: 某局\n  kind: department\n", "F.syntax", "全角空格"),
        ("nul.json", '{"format": "2021\x00"}', None, ""),
    ],
)
def test_hostile_structured_files(tmp_path, name, content, rule, fragment):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, data = check_json(path)
    assert code == 1
    if rule:
        assert [f["rule"] for f in data["findings"]] == [rule], data["findings"]
    message = data["findings"][0]["message"]
    assert fragment in message
    assert "UTF-16" not in message
    # Chinese only: no English parser message leaks through
    assert not any(word in message for word in ("exceeded", "Exceeds", "Error", "found", "expected"))


def test_output_onto_an_input_is_refused(tmp_path):
    path = tmp_path / "报告.json"
    path.write_bytes(EXAMPLE.read_bytes())
    result = run("check", path, "-o", path)
    assert result.exit_code == 2
    assert path.read_bytes() == EXAMPLE.read_bytes()


def test_not_evaluated_rules_are_listed_not_passed():
    sub = load_example()
    put(sub, "/applications/received/natural_person", "十八")
    result = validate(sub)
    assert rules(result) == ["S.type"]
    report = json.loads(json.dumps(result.to_dict(), ensure_ascii=False, default=str))
    assert report["valid"] is False and report["counts"]["error"] == 1
    not_evaluated = report["not_evaluated"]
    assert any("T3.balance" in item for item in not_evaluated)
    assert any("T3.applicant_total" in item for item in not_evaluated)


@pytest.mark.parametrize(
    "args",
    [["check", "--bogus", "x.json"], ["check"], ["check", "--format", "xml", "x.json"], ["nosuchcommand"]],
)
def test_usage_errors_are_explained_in_chinese(args):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "错误：" in result.output and "用法" in result.output
    assert "Error:" not in result.output and "Usage:" not in result.output


def test_help_is_chinese():
    result = run("check", "--help")
    assert result.exit_code == 0
    assert "--format" in result.output and "--annotate" in result.output and "-o, --output" in result.output
    assert "Show this message" not in result.output


def test_unwritable_output_is_a_sentence_not_a_traceback(tmp_path):
    blocker = tmp_path / "不是文件夹"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(EXAMPLE), "-o", str(blocker / "结果.txt")])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "无法写入" in result.output


@pytest.mark.parametrize(
    ("pointer", "delta", "expected"),
    [
        ("/active_disclosure/regulations/issued", 1, ["T2.in_force_net", "T2.regulations_unit"]),
        ("/active_disclosure/regulations/in_force", 1, ["T2.regulations_unit"]),
        ("/active_disclosure/normative_documents/issued", 20, ["T2.in_force_net"]),
        ("/active_disclosure/normative_documents/in_force", -13, ["T2.in_force_net"]),
        ("/active_disclosure/licensing/decisions", 1, []),
        ("/active_disclosure/fees/amount", 0.01, []),
        ("/fees/notices", 1, ["X.fee_notices"]),
        ("/fees/notices", -1, ["T3.fee_unpaid_without_notice", "X.fee_notices"]),
        ("/fees/amount_notified", 5, ["FEE.amount_multiple_of_ten", "X.fee_notified"]),
        ("/fees/amount_collected", 10, ["FEE.collected_exceeds_notified", "X.fees"]),
        (
            "/fees/amount_collected",
            5,
            ["FEE.amount_multiple_of_ten", "FEE.collected_exceeds_notified", "X.fees"],
        ),
    ],
)
def test_table_two_and_fee_mutations(pointer, delta, expected):
    sub = load_example()
    put(sub, pointer, get(sub, pointer) + delta)
    if pointer == "/fees/notices" and delta < 0:
        # a lapsed fee notice needs a notice: move one 其他 case to 逾期未缴费
        for column in ("natural_person", "total"):
            put(sub, f"/applications/results/other_handling/fee_unpaid/{column}", 1)
            put(sub, f"/applications/results/other_handling/other/{column}", 0)
    result = validate(sub)
    assert sorted(set(rules(result))) == expected, rules(result)
