"""The Word report: structure, every table cell against the submission, typography of 公文.

The produced .docx is reopened with python-docx and read back at the XML level, so the test
sees what Word sees: merged cells as gridSpan / vMerge, repeated header rows as w:tblHeader,
fonts as w:rFonts/@w:eastAsia.
"""

from __future__ import annotations

import copy
import io
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from report_kit.grid import table_grid
from report_kit.layout import load_layout
from report_kit.readers import read_submission
from report_kit.report_content import ANNEX_HEADING, BLANK_DATE, DRAFT_MARK, build_content
from report_kit.rules.context import resolve
from report_kit.writers.report_docx import REQUIRED_STYLES, build_document, builtin_template

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "轮台县市场监督管理局-2024.yaml"
LAYOUT = load_layout("2021")
TABLES = ("T2", "T3", "T4")
MM_IN_TWIPS = 1440 / 25.4


def shown(value) -> str:
    """What a table cell must show for a submission value (numbers exactly as entered)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def example() -> dict:
    return read_submission(EXAMPLE).submission


def reopen(content, template=None):
    buffer = io.BytesIO()
    build_document(content, template).save(buffer)
    buffer.seek(0)
    return docx.Document(buffer)


def cell_text(tc) -> str:
    return "".join(t.text or "" for t in tc.iter(qn("w:t")))


def docx_table(tbl) -> dict[tuple[int, int], dict]:
    """(row, col) of every cell's top-left slot → text, rowspan, colspan, as Word reads them."""
    starts: dict[tuple[int, int], dict] = {}
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    for r, tr in enumerate(tbl.findall(qn("w:tr"))):
        c = 0
        for tc in tr.findall(qn("w:tc")):
            tc_pr = tc.find(qn("w:tcPr"))
            span_el = tc_pr.find(qn("w:gridSpan")) if tc_pr is not None else None
            span = int(span_el.get(qn("w:val"))) if span_el is not None else 1
            vmerge = tc_pr.find(qn("w:vMerge")) if tc_pr is not None else None
            if vmerge is not None and vmerge.get(qn("w:val"), "continue") == "continue":
                key = owner[(r - 1, c)]
                starts[key]["rowspan"] += 1
                assert starts[key]["colspan"] == span, "a continued merge must keep its width"
            else:
                key = (r, c)
                starts[key] = {"text": cell_text(tc), "rowspan": 1, "colspan": span, "tc": tc}
            owner[(r, c)] = key
            c += span
    return starts


def captioned_tables(document) -> dict[str, object]:
    """Caption text → the w:tbl element that follows it."""
    found = {}
    previous = None
    for child in document.element.body:
        if child.tag == qn("w:tbl") and previous is not None:
            found[previous] = child
        if child.tag == qn("w:p"):
            previous = "".join(t.text or "" for t in child.iter(qn("w:t")))
    return found


def assert_tables_match(document, submission: dict, fmt: str = "2021") -> None:
    tables = captioned_tables(document)
    for table_id in TABLES:
        grid = table_grid(table_id, fmt)
        drawn = docx_table(tables[grid.title])
        assert len(drawn) == len(grid.cells), table_id
        for cell in grid.cells:
            got = drawn[(cell.row, cell.col)]
            assert (got["rowspan"], got["colspan"]) == (cell.rowspan, cell.colspan), (table_id, cell)
            if cell.kind == "data":
                assert got["text"] == shown(resolve(submission, cell.pointer)), (table_id, cell.pointer)
            else:
                assert got["text"] == cell.text, (table_id, cell)


def paragraphs_in(document, style_name: str) -> list[str]:
    # the signature lines start with a tab (both sit on one centre tab stop)
    return [p.text.removeprefix("\t") for p in document.paragraphs if p.style.name == style_name]


@pytest.fixture(scope="module")
def built():
    submission = example()
    return submission, reopen(build_content(submission))


def test_sections_in_the_order_of_the_national_format(built):
    _, document = built
    expected = [f"{s['number']}、{s['title']}" for s in LAYOUT.sections]
    assert paragraphs_in(document, "Heading 1") == expected
    assert paragraphs_in(document, "Heading 2")[:2] == ["（一）主动公开", "（二）依申请公开"]
    assert "（一）信息处理费收取情况" in paragraphs_in(document, "Heading 2")


def test_title_preamble_and_signature(built):
    submission, document = built
    # the title breaks after the unit name (GB/T 9704 §7.3.1), a line break inside one paragraph
    assert paragraphs_in(document, "Title") == ["轮台县市场监督管理局\n2024年政府信息公开工作年度报告"]
    (preamble,) = paragraphs_in(document, "Preamble")
    assert "《中华人民共和国政府信息公开条例》" in preamble
    assert LAYOUT.raw["notice"] in preamble and LAYOUT.raw["law"] in preamble
    assert "统计期限为2024年1月1日至12月31日" in preamble
    assert "政府信息公开专栏查阅" in preamble
    assert paragraphs_in(document, "Signature") == ["轮台县市场监督管理局", "2025年1月20日"]
    body = [p.text for p in document.paragraphs]
    assert body.index("六、其他需要报告的事项") < body.index("\t轮台县市场监督管理局")
    assert DRAFT_MARK not in "".join(body)


def test_prose_split_into_paragraphs(built):
    submission, document = built
    body = [p.text for p in document.paragraphs]
    for line in submission["text"]["problems"].strip().splitlines():
        assert line.strip() in body


def test_every_table_cell_equals_the_submission(built):
    submission, document = built
    assert_tables_match(document, submission)
    t2 = docx_table(captioned_tables(document)[table_grid("T2").title])
    assert "12.35" in {c["text"] for c in t2.values()}


def test_header_rows_repeat_and_rows_do_not_split(built):
    _, document = built
    tables = captioned_tables(document)
    for table_id in TABLES:
        grid = table_grid(table_id)
        rows = tables[grid.title].findall(qn("w:tr"))
        marked = [tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None for tr in rows]
        # 表二 repeats nothing: each 第二十条 block brings its own band and column headers, and
        # the first block's (「本年制发件数 …」) would mislabel the columns of a later block
        assert marked == [i < grid.header_rows for i in range(len(rows))], table_id
        assert grid.header_rows >= 1 or table_id == "T2", table_id
        assert all(tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for tr in rows)


def test_tables_fit_the_text_block_with_borders_and_centred_data(built):
    _, document = built
    text_width = round(156 * MM_IN_TWIPS)
    for tbl in document.element.body.iter(qn("w:tbl")):
        widths = [int(g.get(qn("w:w"))) for g in tbl.iter(qn("w:gridCol"))]
        assert abs(sum(widths) - text_width) <= 2
        borders = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}")
        sides = {child.tag.split("}")[1]: child.get(qn("w:val")) for child in borders}
        assert sides == dict.fromkeys(("top", "left", "bottom", "right", "insideH", "insideV"), "single")
    tables = captioned_tables(document)
    styles = {s.style_id: s.name for s in document.styles}
    for table_id in TABLES:
        grid = table_grid(table_id)
        drawn = docx_table(tables[grid.title])
        for cell in grid.data_cells():
            p_style = drawn[(cell.row, cell.col)]["tc"].find(f"{qn('w:p')}/{qn('w:pPr')}/{qn('w:pStyle')}")
            assert styles[p_style.get(qn("w:val"))] == "Table Text"


def test_fonts_on_styles_include_east_asian(built):
    _, document = built
    expected = {
        "Normal": "仿宋_GB2312",
        "Title": "方正小标宋简体",
        "Heading 1": "黑体",
        "Heading 2": "楷体_GB2312",
        "Preamble": "仿宋_GB2312",
        "Signature": "仿宋_GB2312",
        "Table Text": "仿宋_GB2312",
        "Table Caption": "黑体",
    }
    for name, font in expected.items():
        fonts = document.styles[name].element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        assert fonts is not None and fonts.get(qn("w:eastAsia")) == font, name
        assert fonts.get(qn("w:ascii")) == font, name
    # every run this writer formats directly names its East-Asian font as well
    for fonts in document.element.body.iter(qn("w:rFonts")):
        assert fonts.get(qn("w:eastAsia")), "direct rFonts without w:eastAsia"


def test_margins_page_size_and_page_number_field(built):
    _, document = built
    section = document.sections[0]
    for value, mm in (
        (section.top_margin, 37),
        (section.bottom_margin, 35),
        (section.left_margin, 28),
        (section.right_margin, 26),
        (section.page_width, 210),
        (section.page_height, 297),
    ):
        assert abs(value - mm * 36000) <= 635, mm  # within one twip
    instructions = [
        t.text
        for footer in (section.footer, section.even_page_footer)
        for t in footer._element.iter(qn("w:instrText"))
    ]
    assert any("PAGE" in text for text in instructions)
    assert "—" in section.footer.paragraphs[0].text


def test_page_numbers_are_dashed_4hao_songti_right_on_odd_left_on_even_pages(built):
    _, document = built
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        (paragraph,) = footer.paragraphs
        assert paragraph.text == "— 1 —"  # 「— N —」 with the PAGE field's placeholder
        assert paragraph.alignment == {"right": 2, "left": 0}[align]
        assert paragraph.style.font.size.pt == 14
        fonts = paragraph.style.element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        assert fonts.get(qn("w:eastAsia")) == "宋体"
        for run in paragraph.runs:
            assert run.font.name == "宋体" and run.font.size.pt == 14
            assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"


def test_level_two_headings_only_where_written_and_numbered_without_gaps():
    submission = example()
    del submission["text"]["overview"]["requests"]
    submission["text"]["other"]["work_plan"] = "  \n"
    document = reopen(build_content(submission))
    headings = paragraphs_in(document, "Heading 2")
    assert headings[:4] == [
        "（一）主动公开",
        "（二）政府信息管理",
        "（三）政府信息公开平台建设",
        "（四）监督保障",
    ]
    assert "（二）人大代表建议和政协提案办理结果公开情况" in headings
    assert not any("依申请公开" in h or "工作要点" in h for h in headings)


def test_missing_publication_date_leaves_a_blank_date_line():
    submission = example()
    del submission["published_on"]
    document = reopen(build_content(submission))
    assert paragraphs_in(document, "Signature") == ["轮台县市场监督管理局", BLANK_DATE]


def test_draft_is_marked_in_title_area_header_and_has_the_annex():
    from report_kit.check import check_file

    report = check_file(ROOT / "examples" / "invalid" / "01-balance.yaml")
    assert "T3.balance" in {f.rule for f in report.findings if f.severity == "error"}
    document = reopen(build_content(report.submission, findings=report.findings, draft=True))
    first = document.paragraphs[0]
    assert first.style.name == "Draft Mark" and first.text == DRAFT_MARK
    assert document.paragraphs[1].style.name == "Title"
    # the red draft mark is direct formatting, so it names its East-Asian font
    fonts = first.runs[0]._r.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    assert fonts.get(qn("w:eastAsia")) == "黑体"
    section = document.sections[0]
    for header in (section.header, section.even_page_header):
        assert header.paragraphs[0].text == DRAFT_MARK
        run_fonts = header.paragraphs[0].runs[0]._r.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        assert run_fonts.get(qn("w:eastAsia"))
    (annex,) = [p for p in document.paragraphs if p.style.name == "Annex Heading"]
    assert annex.text == ANNEX_HEADING
    assert annex._p.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None
    annex_table = document.tables[-1]
    assert [c.text for c in annex_table.rows[0].cells] == ["序号", "规则", "级别", "位置", "问题"]
    assert len(annex_table.rows) == len(report.findings) + 1
    first_row = [c.text for c in annex_table.rows[1].cells]
    assert first_row[:3] == ["1", report.findings[0].rule, "错误"]
    assert "表三" in first_row[3]
    assert first_row[4] == f"{report.findings[0].message} {report.findings[0].repair_hint}".strip()
    assert annex_table._tbl.findall(qn("w:tr"))[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None


def test_hostile_text_stays_text():
    submission = example()
    evil = '<script>alert("x")</script> & <w:p/> ]]> \x07'
    submission["unit"]["name"] = "某局<b>&amp;"
    submission["text"]["problems"] = evil
    submission["applications"]["received"]["natural_person"] = "<i>12件</i>"
    document = reopen(build_content(submission, draft=True))
    body = [p.text for p in document.paragraphs]
    assert '<script>alert("x")</script> & <w:p/> ]]>' in body  # control character dropped
    assert "某局<b>&amp;\n2024年政府信息公开工作年度报告" in body
    t3 = docx_table(captioned_tables(document)[table_grid("T3").title])
    assert "<i>12件</i>" in {c["text"] for c in t3.values()}


def test_2019_format_report_uses_its_own_tables():
    from test_history_helpers import to_2019

    from strategies import first_example, valid_submissions

    submission = to_2019(
        first_example(valid_submissions(), lambda s: s["applications"]["received"]["total"] > 0)
    )
    content = build_content(submission)
    assert content.format == "2019"
    assert "国办公开办函〔2019〕60号" in content.of_kind("preamble")[0].text
    assert_tables_match(reopen(content), submission, "2019")


def _template_without(tmp_path, *names: str) -> Path:
    """A copy of the built-in template with some styles deleted, as a careless house template."""
    document = docx.Document(str(builtin_template()))
    for style in list(document.styles.element.findall(qn("w:style"))):
        name = style.find(qn("w:name")).get(qn("w:val"))
        if name in names:
            document.styles.element.remove(style)
    path = tmp_path / "house.docx"
    document.save(str(path))
    return path


def test_house_template_missing_styles_are_completed(tmp_path):
    from report_kit.writers.report_docx import open_template

    house = _template_without(tmp_path, "Table Text Left", "Draft Mark", "Report Grid")
    _, copied = open_template(house)
    assert set(copied) == {"Table Text Left", "Draft Mark", "Report Grid"}
    submission = example()
    document = reopen(build_content(submission, draft=True), house)
    names = {s.name for s in document.styles}
    assert {n for n in REQUIRED_STYLES if n not in ("Header", "Footer")} <= names
    assert_tables_match(document, submission)


def test_house_template_with_clashing_style_id(tmp_path):
    """A house style that took our style id under another name must not be overwritten."""
    from report_kit.writers.report_docx import open_template

    house = _template_without(tmp_path, "Table Text Left")
    document = docx.Document(str(house))
    clash = copy.deepcopy(document.styles["Table Text"].element)
    clash.set(qn("w:styleId"), "TableTextLeft")
    clash.find(qn("w:name")).set(qn("w:val"), "本单位表格")
    document.styles.element.append(clash)
    document.save(str(house))
    document, copied = open_template(house)
    assert copied == ["Table Text Left"]
    ids = [s.get(qn("w:styleId")) for s in document.styles.element.findall(qn("w:style"))]
    assert len(ids) == len(set(ids))
    assert document.styles["Table Text Left"].style_id != "TableTextLeft"


def test_a_file_that_is_not_a_docx_is_a_template_error(tmp_path):
    from report_kit.writers.report_docx import TemplateError, open_template

    bad = tmp_path / "house.docx"
    bad.write_text("not a zip", encoding="utf-8")
    with pytest.raises(TemplateError, match="不是可用的Word文档"):
        open_template(bad)


def kept_rows(tbl) -> set[int]:
    """Rows whose every paragraph (covered merge slots included) is kept with the next."""

    def kept(tr) -> bool:
        paragraphs = tr.findall(f"{qn('w:tc')}/{qn('w:p')}")
        return all(p.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None for p in paragraphs)

    return {i for i, tr in enumerate(tbl.findall(qn("w:tr"))) if kept(tr)}


def test_tables_break_only_between_blocks_and_groups(built):
    _, document = built
    tables = captioned_tables(document)
    t4 = table_grid("T4")
    assert kept_rows(tables[t4.title]) == set(range(t4.height))  # 4 rows: moved whole
    # 表二 breaks between its 第二十条 blocks only: a block's band, headers and rows stay together
    t2 = table_grid("T2")
    bands = sorted(c.row for c in t2.cells if c.kind == "block")
    assert len(bands) == 4
    assert kept_rows(tables[t2.title]) == set(range(t2.height)) - {b - 1 for b in bands[1:]} - {t2.height - 1}
    grid = table_grid("T3")
    label = {cell.text: cell for cell in grid.cells if cell.kind == "label"}
    results, withheld = label["三、本年度办理结果"], label["（三）不予公开"]
    # 表三 keeps its header, 「一、」「二、」 and its first group (through 「（三）不予公开」) together:
    # it never starts at a page foot with its header and two rows …
    expected = set(range(withheld.row + withheld.rowspan - 1))
    # … never breaks inside a group of outcomes …
    for group in ("（四）无法提供", "（五）不予处理", "（六）其他处理"):
        expected |= set(range(label[group].row, label[group].row + label[group].rowspan - 1))
    # … nor before the vertical 「三、本年度办理结果」 has a row per character
    assert set(range(results.row, results.row + len(results.text) - 1)) <= expected
    assert kept_rows(tables[grid.title]) == expected


def test_one_blank_line_between_a_table_and_the_next_heading(built):
    _, document = built
    body = list(document.element.body)
    tables = [i for i, child in enumerate(body) if child.tag == qn("w:tbl")]
    assert len(tables) == 3
    for i in tables:
        blank, heading = body[i + 1], body[i + 2]
        assert "".join(t.text for t in blank.iter(qn("w:t"))) == ""
        assert blank.find(f"{qn('w:pPr')}/{qn('w:pStyle')}").get(qn("w:val")) == "Normal"
        assert heading.find(f"{qn('w:pPr')}/{qn('w:pStyle')}").get(qn("w:val")) == "Heading1"


def test_one_character_wide_group_label_is_vertical_text(built):
    _, document = built
    grid = table_grid("T3")
    drawn = docx_table(captioned_tables(document)[grid.title])
    vertical = {
        key: cell["text"]
        for key, cell in drawn.items()
        if cell["tc"].find(f"{qn('w:tcPr')}/{qn('w:textDirection')}") is not None
    }
    (results,) = (c for c in grid.cells if c.text == "三、本年度办理结果")
    assert vertical == {(results.row, results.col): "三、本年度办理结果"}
    direction = drawn[(results.row, results.col)]["tc"].find(f"{qn('w:tcPr')}/{qn('w:textDirection')}")
    assert direction.get(qn("w:val")) == "tbRl"  # upright characters, top to bottom


def test_draft_mark_joins_a_house_letterhead_in_the_header(tmp_path):
    from report_kit.check import check_file

    house = docx.Document(str(builtin_template()))
    house.sections[0].header.is_linked_to_previous = False
    house.sections[0].header.paragraphs[0].text = "轮台县人民政府办公室"
    template = tmp_path / "house.docx"
    house.save(str(template))
    report = check_file(ROOT / "examples" / "invalid" / "01-balance.yaml")
    content = build_content(report.submission, findings=report.findings, draft=True)
    header = reopen(content, template).sections[0].header
    assert [p.text for p in header.paragraphs] == [DRAFT_MARK, "轮台县人民政府办公室"]
    valid = reopen(build_content(example()), template).sections[0].header
    assert [p.text for p in valid.paragraphs] == ["轮台县人民政府办公室"]


@pytest.mark.parametrize("damage", ["no page setup", "no section"])
def test_house_template_without_page_setup_gets_the_gb_page(tmp_path, damage):
    house = docx.Document(str(builtin_template()))
    sect_pr = house.element.body.find(qn("w:sectPr"))
    if damage == "no section":
        house.element.body.remove(sect_pr)
    else:
        for tag in ("w:pgSz", "w:pgMar"):
            sect_pr.remove(sect_pr.find(qn(tag)))
    template = tmp_path / "house.docx"
    house.save(str(template))
    document = reopen(build_content(example()), template)
    section = document.sections[0]
    for value, mm in ((section.page_width, 210), (section.top_margin, 37), (section.left_margin, 28)):
        assert abs(value - mm * 36000) <= 635, mm
    assert any("PAGE" in (t.text or "") for t in section.footer._element.iter(qn("w:instrText")))
    assert_tables_match(document, example())


def test_word_opens_the_report_as_a_current_document_not_in_compatibility_mode(built):
    _, document = built
    modes = [
        s.get(qn("w:val"))
        for s in document.settings.element.iter(qn("w:compatSetting"))
        if s.get(qn("w:name")) == "compatibilityMode"
    ]
    assert modes == ["15"]


def test_draft_marks_the_cells_its_errors_name_and_the_suspect_stronger():
    """The --force draft flags cells in the tables themselves: every cell of an error's
    equation in a pale fill, the cell a repair suggests in a stronger fill with a frame; the
    legend under the annex heading says so. Warnings flag nothing."""
    from report_kit.check import check_file
    from report_kit.report_content import MARK_INVOLVED, MARK_SUSPECT, cell_marks
    from report_kit.writers.report_docx import MARK_CELL

    report = check_file(ROOT / "examples" / "invalid" / "01-balance.yaml")
    errors = [f for f in report.findings if f.severity == "error"]
    involved = {p for f in errors for p in (*(loc.pointer for loc in f.locations), *f.involved)}
    suspect = "/applications/carried_forward/natural_person"
    assert suspect in involved
    content = build_content(report.submission, findings=report.findings, draft=True, suspects=[suspect])
    t3 = next(t for t in content.tables() if t.id == "T3")
    by_pointer = {c.pointer: c.mark for c in t3.cells if c.pointer}
    assert {p for p, m in by_pointer.items() if m} == involved & set(by_pointer)
    assert by_pointer[suspect] == MARK_SUSPECT
    assert by_pointer["/applications/received/natural_person"] == MARK_INVOLVED
    assert cell_marks([f for f in report.findings if f.severity != "error"]) == {}

    document = reopen(content)
    drawn = docx_table(captioned_tables(document)[table_grid("T3").title])
    fills = {}
    for cell in table_grid("T3").data_cells():
        tc_pr = drawn[(cell.row, cell.col)]["tc"].find(qn("w:tcPr"))
        shd = tc_pr.find(qn("w:shd"))
        fills[cell.pointer] = (
            shd.get(qn("w:fill")) if shd is not None else None,
            tc_pr.find(qn("w:tcBorders")),
        )
    assert {p for p, (fill, _) in fills.items() if fill} == involved
    assert fills[suspect][1] is not None and fills[suspect][0] != fills["/applications/received/total"][0]
    assert all(borders is None for p, (_, borders) in fills.items() if p != suspect)
    assert MARK_CELL[MARK_INVOLVED] and MARK_CELL[MARK_SUSPECT]
    legend = [p.text for p in document.paragraphs if p.text.startswith("说明：")]
    assert len(legend) == 1 and "浅红底纹" in legend[0] and "红底粗框" in legend[0]

    plain = reopen(build_content(report.submission, findings=report.findings, draft=False))
    assert not plain.element.body.findall(f".//{qn('w:shd')}")
    assert not any(p.text.startswith("说明：") for p in plain.paragraphs)


def test_annex_rule_ids_break_between_words_and_minus_signs_stay_with_numbers():
    from report_kit.check import check_file

    fees = check_file(ROOT / "examples" / "invalid" / "07-fees.yaml")
    annex = reopen(build_content(fees.submission, findings=fees.findings, draft=True)).tables[-1]
    rules = [row.cells[1].text for row in annex.rows[1:]]
    assert rules[0] == "T3.fee_unpaid_\nwithout_notice"  # 28 characters: a line break after 「_」
    assert [r.replace("\n", "") for r in rules] == [f.rule for f in fees.findings]
    assert all(len(line) <= 19 for rule in rules for line in rule.split("\n"))
    shape = check_file(ROOT / "examples" / "invalid" / "04-shape.yaml")
    annex = reopen(build_content(shape.submission, findings=shape.findings, draft=True)).tables[-1]
    problems = [row.cells[4].text for row in annex.rows[1:]]
    assert any("数字\u22126" in p for p in problems)  # the minus sign, not a breakable hyphen
    assert any("/\u200bapplications/\u200breceived/\u200b" in p for p in problems)
    assert all(
        p.replace("\u200b", "").replace("\u2212", "-") == f.message for p, f in zip(problems, shape.findings)
    )


def test_the_committed_word_template_is_what_its_script_builds(tmp_path):
    """templates/report-template.docx is reproducible: the script rebuilds it byte for byte, so
    any change to it (or to what the script writes) is deliberate and reviewed."""
    import subprocess
    import sys

    out = tmp_path / "report-template.docx"
    script = ROOT / "templates" / "build_docx_template.py"
    done = subprocess.run(
        [sys.executable, str(script), str(out)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == (ROOT / "templates" / "report-template.docx").read_bytes()
