"""Reading published reports (ingest.md): the shipped example rendered as a web page and as
page text, damaged the ways quirks.md lists, must read back to what was published."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from report_kit.check import validate_read
from report_kit.cli import main
from report_kit.ingest import read_bytes, read_document
from tests.ingest_helpers import (
    EXAMPLE_2020,
    cell_lines,
    example,
    page,
    pipe_text,
    replace_row,
    tables_of,
    with_chrome,
)


def read_html(html: str):
    return read_bytes(html.encode("utf-8"), "report.html", ".html")


def read_txt(text: str, encoding: str = "utf-8"):
    return read_bytes(text.encode(encoding), "report.txt", ".txt")


def rules(result) -> list[str]:
    return [f.rule for f in result.findings]


@pytest.fixture(scope="module")
def submission():
    return example()


@pytest.fixture(scope="module")
def html(submission):
    return page(submission)


def test_html_reads_every_table_cell_and_the_metadata(submission, html):
    result = read_html(html)
    read = result.submission
    assert tables_of(read) == tables_of(submission)
    assert read["format"] == "2021" and read["year"] == submission["year"]
    assert read["unit"]["name"] == submission["unit"]["name"]
    assert read["published_on"] == submission["published_on"]
    assert read["fees"] == submission["fees"]
    for key, prose in submission["text"]["overview"].items():
        assert read["text"]["overview"][key].strip() == prose.strip(), key
    assert read["text"]["problems"].strip() == submission["text"]["problems"].strip()
    assert read["source"]["sha256"] and read["source"]["cells"]["/applications/received/total"]
    report = validate_read(result, "report.html")
    assert report.valid, [f.message for f in report.findings]


def test_page_chrome_and_a_gbk_page(submission, html):
    damaged = with_chrome(html).replace('<meta charset="utf-8">', '<meta charset="gbk">')
    result = read_bytes(damaged.encode("gbk"), "report.html", ".html")
    assert result.submission["unit"]["name"] == submission["unit"]["name"]
    assert result.submission["year"] == submission["year"]
    assert tables_of(result.submission) == tables_of(submission)


def test_label_variants_are_matched_on_meaning(submission, html):
    damaged = (
        html.replace('<th scope="row">行政规范性文件</th>', '<th scope="row">规范性文件</th>')
        .replace("本年制发件数", "本年（2024）制发件数")
        .replace("1.属于国家秘密", "（1）属于 国家秘密")
        .replace("一、本年新收政府信息公开申请数量", "一、本年新收")
    )
    result = read_html(damaged)
    assert tables_of(result.submission) == tables_of(submission)


def test_blank_and_slash_cells_are_null_with_a_finding(html):
    damaged = replace_row(html, "规章", ["", "/", "0"])
    result = read_html(damaged)
    regulations = result.submission["active_disclosure"]["regulations"]
    assert regulations == {"issued": None, "repealed": None, "in_force": 0}
    assert "R.cell_blank" in rules(result) and "R.cell_dash" in rules(result)
    report = validate_read(result, "report.html")
    assert not any(f.rule.startswith("S.") for f in report.findings)
    assert any("T2" in name for name in report.not_evaluated)


def test_traditional_characters_and_pinyin(submission, html):
    import opencc

    traditional = opencc.OpenCC("s2t").convert(html)
    traditional = traditional.replace("數", "數(shù)").replace("規", "規(guī)")
    result = read_html(traditional)
    assert tables_of(result.submission) == tables_of(submission)
    assert result.submission["unit"]["name"] == submission["unit"]["name"]
    assert {"R.traditional", "R.pinyin"} <= set(rules(result))


def test_cell_notes_and_units(html):
    damaged = replace_row(html, "行政规范性文件", ["3（其中修订1件）", "1件", "14"])
    result = read_html(damaged)
    assert result.submission["active_disclosure"]["normative_documents"] == {
        "issued": 3,
        "repealed": 1,
        "in_force": 14,
    }
    assert "R.cell_note" in rules(result)


def test_a_2019_table_in_a_2023_report_is_read_as_2019_and_flagged():
    old = example(EXAMPLE_2020)
    old["year"] = 2023
    old["published_on"] = "2024-01-20"
    html = page(old)
    result = read_html(html)
    assert result.submission["format"] == "2019"
    assert result.submission["active_disclosure"] == old["active_disclosure"]
    report = validate_read(result, "report.html")
    assert "D.format_year" in [f.rule for f in report.findings]


def test_a_missing_table_is_a_finding_and_its_checks_are_not_evaluated(html):
    start = html.index('<table id="T4"')
    end = html.index("</table>", start) + len("</table>")
    result = read_html(html[:start] + html[end:])
    assert "R.table_missing" in rules(result)
    assert result.submission["reviews"]["reconsideration"]["total"] is None
    report = validate_read(result, "report.html")
    assert not any(f.rule.startswith("S.") for f in report.findings)


def test_preamble_year_other_than_title(html):
    damaged = html.replace("统计期限为2024年1月1日至12月31日", "统计期限为2023年1月1日至12月31日")
    result = read_html(damaged)
    assert result.submission["year"] == 2024
    assert "R.year_mismatch" in rules(result)


def test_pipe_text(submission, html):
    result = read_txt(pipe_text(html))
    assert tables_of(result.submission) == tables_of(submission)
    assert result.submission["unit"]["name"] == submission["unit"]["name"]


def test_one_cell_per_line_with_blank_lines(submission, html):
    text = "\n\n".join(cell_lines(html))
    result = read_txt(text)
    assert tables_of(result.submission) == tables_of(submission)


def test_a_flattened_row_with_a_vanished_blank_is_ambiguous_not_shifted(html):
    damaged = replace_row(html, "（一）予以公开", ["7", "4", "", "0", "1", "0", "12"])
    result = read_txt("\n".join(cell_lines(damaged)))
    disclosed = result.submission["applications"]["results"]["disclosed"]
    assert set(disclosed.values()) == {None}
    assert "R.ambiguous" in rules(result)


def test_run_together_digits_split_by_the_row_total(html):
    lines = cell_lines(html)
    at = lines.index("（一）予以公开")
    # 7 4 0 0 1 0 12 → 7400101 2? no: joined without separators
    joined = lines[: at + 1] + ["".join(lines[at + 1 : at + 8])] + lines[at + 8 :]
    result = read_txt("\n".join(joined))
    disclosed = result.submission["applications"]["results"]["disclosed"]
    values = list(disclosed.values())
    assert values == [7, 4, 0, 0, 1, 0, 12] or set(values) == {None}
    assert {"R.split", "R.split_ambiguous"} & set(rules(result))


def test_unique_split_is_used():
    from report_kit.ingest.text import split_line

    assert split_line("本年新收政府信息公开申请数量35200037") == ["本年新收政府信息公开申请数量", "35200037"]
    text = "\n".join(["表三", "一、本年新收政府信息公开申请数量", "3100004"])
    result = read_txt(text)
    received = result.submission["applications"]["received"]
    assert list(received.values()) == [3, 1, 0, 0, 0, 0, 4]
    assert "R.split" in rules(result)


def test_garbage_and_empty_documents_are_findings_not_crashes(tmp_path):
    for name, data in (
        ("a.html", b"<html><body></body></html>"),
        ("b.txt", b"\x00\x01\x02"),
        ("c.htm", b"   "),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        result = read_document(path)
        assert result.findings
    assert read_document(tmp_path / "missing.html").submission is None


def test_prose_total_against_its_parts(submission):
    damaged = json.loads(json.dumps(submission))
    damaged["text"]["overview"]["requests"] += "全年共受理咨询35件，其中网上申请20件、信函10件、当面申请3件。"
    from report_kit.readers.base import ReadResult

    report = validate_read(ReadResult(damaged, []), "x.json")
    finding = next(f for f in report.findings if f.rule == "X.prose_parts")
    assert finding.severity == "warning" and "35" in finding.message and finding.quote
    assert not [
        f for f in validate_read(ReadResult(submission, []), "x.json").findings if f.rule == "X.prose_parts"
    ]


def test_typed_json_with_null_stays_a_shape_error(submission):
    from report_kit.readers.base import ReadResult

    damaged = json.loads(json.dumps(submission))
    damaged["applications"]["received"]["natural_person"] = None
    report = validate_read(ReadResult(damaged, []), "x.json")
    assert "S.type" in [f.rule for f in report.findings]
    damaged["source"] = {"file": "x.html"}
    report = validate_read(ReadResult(damaged, []), "x.json")
    assert "S.type" not in [f.rule for f in report.findings]
    assert "R.cell_null" in [f.rule for f in report.findings]


def test_import_command(tmp_path, html, submission):
    source = tmp_path / "报告.html"
    source.write_text(html, encoding="utf-8")
    before = source.read_bytes()
    runner = CliRunner()
    out = tmp_path / "out.json"
    result = runner.invoke(main, ["import", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text(encoding="utf-8"))
    assert tables_of(written) == tables_of(submission) and written["source"]["file"] == "报告.html"
    assert source.read_bytes() == before
    checked = runner.invoke(main, ["check", str(out)])
    assert checked.exit_code == 0, checked.output
    second = tmp_path / "second.txt"
    second.write_text(pipe_text(html), encoding="utf-8")
    result = runner.invoke(main, ["import", str(source), str(second), "--out-dir", str(tmp_path / "dir")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "dir").iterdir()) == ["second.json", "报告.json"]
    assert runner.invoke(main, ["import", str(source), str(second), "-o", str(out)]).exit_code == 2
    direct = runner.invoke(main, ["check", str(source)])
    assert direct.exit_code == 0, direct.output


def test_old_headers_in_a_2021_table_are_a_hybrid(submission, html):
    damaged = html.replace("本年制发件数", "本年新制作数量").replace("现行有效件数", "对外公开总数量")
    damaged = damaged.replace("本年废止件数", "本年新公开数量")
    result = read_html(damaged)
    assert "R.hybrid" in rules(result)
    assert result.submission["format"] in ("2019", "2021")


def test_pre2019_report_without_tables():
    text = "\n".join(
        [
            "示例县人民政府2018年政府信息公开工作年度报告",
            "一、概述",
            "本年度共主动公开政府信息120条。",
            "四、政府信息公开的收费及减免情况",
            "本年度未收取任何费用。",
        ]
    )
    result = read_txt(text)
    assert "R.pre2019" in rules(result) and "R.table_missing" in rules(result)


def test_batch_reviews_published_pages(tmp_path, html):
    pages = tmp_path / "reports"
    pages.mkdir()
    for name in ("甲局", "乙局"):
        (pages / f"{name}.html").write_text(
            html.replace("轮台县市场监督管理局", f"示例县{name}"), encoding="utf-8"
        )
    (pages / "审核说明.md").write_text("# 本批次说明", encoding="utf-8")
    (pages / "说明.txt").write_text("请查收", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", str(pages), "-o", str(tmp_path / "review")])
    review = json.loads((tmp_path / "review" / "审核结果.json").read_text(encoding="utf-8"))
    assert sorted(f["unit"] for f in review["files"]) == ["示例县乙局", "示例县甲局"], result.output
    assert sorted(review["skipped"]) == sorted(["说明.txt", "审核说明.md"])


def test_reading_findings_come_first(html):
    damaged = replace_row(html, "规章", ["", "/", "0"])
    damaged = replace_row(damaged, "一、本年新收政府信息公开申请数量", ["18", "5", "0", "0", "3", "0", "99"])
    report = validate_read(read_html(damaged), "report.html")
    order = [f.rule for f in report.findings]
    last_reading = max(i for i, rule in enumerate(order) if rule.startswith("R."))
    first_check = min(i for i, rule in enumerate(order) if not rule.startswith("R."))
    assert last_reading < first_check, order


def test_glued_digits_chosen_by_the_column_identities():
    """「101000011」 fits 本年新收's own total two ways (10 1 … 11, 1 0 10 … 11); only one keeps
    each column of 表三 balanced (一+二 = （七）+四)."""
    from report_kit.layout import load_layout

    table = load_layout("2021").tables["T3"]
    values = {"received": None, "disclosed": "10 1 0 0 0 0 11", "total": "10 1 0 0 0 0 11"}
    lines = ["三、收到和处理政府信息公开申请情况"]
    for row in table.rows:
        shown = values.get(row.key, "0 0 0 0 0 0 0") if row.key != "received" else "101000011"
        lines.append(f"{row.label} {shown}")
    lines.append("五、存在的主要问题及改进情况")
    result = read_txt("\n".join(lines))
    received = result.submission["applications"]["received"]
    assert list(received.values()) == [10, 1, 0, 0, 0, 0, 11]
    assert "R.split" in rules(result) and "R.split_ambiguous" not in rules(result)
    # without the other rows the cut cannot be told: ambiguous and null
    alone = read_txt("\n".join([lines[0], lines[1], lines[-1]]))
    assert set(alone.submission["applications"]["received"].values()) == {None}
    assert "R.split_ambiguous" in rules(alone)


def test_gbk_text_dump(submission, html):
    result = read_txt(pipe_text(html), encoding="gb18030")
    assert result.submission["unit"]["name"] == submission["unit"]["name"]
    assert tables_of(result.submission) == tables_of(submission)


@pytest.mark.parametrize(
    "title",
    [
        "轮台县市场监督管理局关于2024年政府信息公开工作年度报告",
        "名称：轮台县市场监督管理局2024年度政府信息公开工作年度报告",
        "《轮台县市场监督管理局2024年政府信息公开年度报告》",
    ],
)
def test_title_variants(html, title):
    damaged = html.replace("<h1>轮台县市场监督管理局2024年政府信息公开工作年度报告</h1>", f"<h1>{title}</h1>")
    read = read_html(damaged).submission
    assert (read["unit"]["name"], read["year"]) == ("轮台县市场监督管理局", 2024)


@pytest.mark.parametrize(
    ("name", "kind", "level"),
    [
        ("新疆维吾尔自治区人民政府", "government", "province"),
        ("广西壮族自治区南宁市财政局", "department", "city"),
        ("巴音郭楞蒙古自治州人民政府", "government", "city"),
        ("巴音郭楞蒙古自治州民政局", "department", "city"),
        ("锡林郭勒盟行政公署", "government", "city"),
        ("阿克苏地区行政公署", "government", "city"),
        ("阿克苏地区行署办公室", "government", "city"),
        ("新疆维吾尔自治区巴音郭楞蒙古自治州轮台县人民政府", "government", "county"),
        ("长白朝鲜族自治县人民政府", "government", "county"),
        ("鄂温克族自治旗人民政府", "government", "county"),
        ("贵州省人民政府", "government", "province"),  # 州 inside a place name
        ("杭州市西湖区人民政府", "government", "county"),
        ("荆州市沙市区人民政府", "government", "county"),
        ("北京市人民政府", "government", "province"),  # a 直辖市
        ("北京市朝阳区人民政府", "government", "county"),
        ("轮台县市场监督管理局", "department", "county"),
        ("轮台县城市管理局", "department", "county"),
        ("轮台县轮台镇人民政府", "township", "township"),
    ],
)
def test_unit_kind_and_level_are_guessed_from_the_name(name, kind, level):
    from report_kit.ingest.meta import unit_kind

    assert unit_kind(name)[:2] == (kind, level)


def test_a_prefecture_report_is_read_as_city_level(html):
    prefecture = html.replace("轮台县市场监督管理局", "阿克苏地区行政公署")
    unit = read_html(prefecture).submission["unit"]
    assert (unit["name"], unit["kind"], unit["level"]) == ("阿克苏地区行政公署", "government", "city")
