"""The plan reader on the layouts a county really uses (built by tests/plan_documents.py)."""

from __future__ import annotations

import shutil
import subprocess

import plan_documents as docs
import pytest

from report_kit.plan import PlanError, read_plan


def numbers(ledger):
    return [t.number for t in ledger.tasks]


def check_table_plan(ledger):
    assert numbers(ledger) == ["1", "2", "3", "4"]
    one, two, three, four = ledger.tasks
    assert one.path == ["一、推进重点领域信息公开"]
    assert three.path == ["二、加强政策解读"]
    assert one.text.startswith("主动公开《沙雅县国民经济")
    assert one.lead_units == ["县发改委"] and one.units == ["县统计局"]
    assert one.deadline == "2022年6月底前"
    assert two.units == ["县直各有关部门"] and two.unit_scope == "县直各有关部门"
    assert three.units == ["各乡镇人民政府", "县直各部门"]
    assert three.unit_scope == "各乡镇人民政府、县直各部门"
    assert four.units == [] and four.lead_units == ["县教科局"]
    assert four.resolved == ["沙雅县教育和科学技术局"]
    assert not any(t.inherited for t in ledger.tasks)


def test_word_table(tmp_path):
    ledger = read_plan(docs.word_table_plan(tmp_path / "要点.docx"))
    check_table_plan(ledger)
    assert ledger.document["doc_no"] == "沙政办发〔2022〕5号"
    assert ledger.document["date"] == "2022-03-01"


def test_word_table_copied_from_a_web_page(tmp_path):
    check_table_plan(read_plan(docs.web_copy_of_table(tmp_path / "要点.txt")))


def check_paragraph_plan(ledger):
    assert numbers(ledger) == ["1", "2", "3", "4", "5"]
    one, two, three, four, five = ledger.tasks
    # 1 and 2 have no units of their own: the subheading's 「责任单位：」 line gives them
    assert one.units == ["县财政局"] and one.inherited
    assert two.units == ["县财政局"] and two.inherited and two.deadline == "2022年9月底前"
    assert one.deadline is None
    assert three.units == ["县卫健委"] and not three.inherited and three.deadline == "全年持续推进"
    assert four.lead_units == ["县卫健委"] and four.units == ["各乡镇人民政府"]
    assert five.units == ["各乡镇人民政府", "县直各部门"] and five.inherited  # from the section's line
    assert five.deadline == "2023年1月31日前"
    assert one.path == ["一、深化主动公开", "（一）做好财政信息公开"]


def test_paragraphs_with_unit_lines(tmp_path):
    check_paragraph_plan(read_plan(docs.paragraph_plan(tmp_path / "要点.docx")))


def test_paragraphs_copied_from_a_web_page(tmp_path):
    check_paragraph_plan(read_plan(docs.web_copy_of_paragraphs(tmp_path / "要点.txt")))


def check_breakdown(ledger):
    assert numbers(ledger) == ["1", "2", "3", "4", "5"]
    lead = [t.lead_units for t in ledger.tasks]
    assert lead == [["县政府办"]] * 3 + [["县委网信办"]] * 2
    assert [t.units for t in ledger.tasks] == [
        ["县直各部门"],
        ["县直各部门"],
        ["各乡镇人民政府"],
        ["县直各部门"],
        ["各乡镇人民政府"],
    ]
    assert [t.deadline for t in ledger.tasks] == ["2022年10月底"] * 3 + ["2022年12月底"] * 2
    assert [t.inherited for t in ledger.tasks] == [False, True, True, False, True]


def test_breakdown_with_vertically_merged_cells(tmp_path):
    check_breakdown(read_plan(docs.breakdown_plan(tmp_path / "分解表.docx")))


def test_breakdown_copied_from_a_web_page(tmp_path):
    check_breakdown(read_plan(docs.web_copy_of_breakdown(tmp_path / "分解表.txt")))


def test_breakdown_as_html(tmp_path):
    check_breakdown(read_plan(docs.html_breakdown(tmp_path / "分解表.html")))


@pytest.mark.skipif(not shutil.which("soffice"), reason="needs LibreOffice to print the plan to PDF")
def test_pdf_with_text_layer(tmp_path):
    source = docs.paragraph_plan(tmp_path / "要点.docx")
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    check_paragraph_plan(read_plan(tmp_path / "要点.pdf"))


def test_image_only_pdf(tmp_path):
    pdf = tmp_path / "扫描件.pdf"
    pdf.write_bytes(blank_pdf())
    with pytest.raises(PlanError, match="没有文字层"):
        read_plan(pdf)


def test_damaged_pdf_is_a_chinese_error(tmp_path):
    pdf = tmp_path / "损坏.pdf"
    pdf.write_bytes(blank_pdf()[:60])  # a download cut off after the header
    with pytest.raises(PlanError, match="无法读取：文件已损坏"):
        read_plan(pdf)


def test_pdf_plan_is_read_by_the_report_importer(tmp_path, monkeypatch):
    """One PDF text extractor: the plan reader takes ingest.pdf's lines (no pdftotext subprocess)."""
    import report_kit.ingest.pdf as ingest_pdf

    seen = []

    def fake_lines(data, clean):
        seen.append(data)
        return 1, [(clean(line), "第1页") for line in docs.NOTICE + docs.PARAGRAPHS]

    monkeypatch.setattr(ingest_pdf, "page_lines", fake_lines)
    pdf = tmp_path / "要点.pdf"
    pdf.write_bytes(blank_pdf())
    check_paragraph_plan(read_plan(pdf))
    assert seen == [blank_pdf()]


def blank_pdf() -> bytes:
    """A one-page PDF with nothing on it, as a scanner without OCR leaves a page of text."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_broken_docx(tmp_path):
    bad = tmp_path / "坏.docx"
    bad.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(PlanError, match="无法打开"):
        read_plan(bad)


def test_web_damage_does_not_break_a_task(tmp_path):
    from report_kit.plan import numbering

    assert numbering.deadline_in_text("202110月底前将现行有效的规章集中公开") == "2021年10月底前"
    assert numbering.is_deadline("202110月底")
    plan = tmp_path / "要点.txt"
    plan.write_text(
        "某县2021年政务公开工作要点\n一、深化公开\n1.202110月底前完成规章清理，(财预〔2018209号)要求落实到位。（县财政局）\n"
        "2.做好政府网站集约化建设工\n作，按期完成迁移。（县政府办）\n",
        encoding="utf-8",
    )
    ledger = read_plan(plan)
    assert [t.number for t in ledger.tasks] == ["1", "2"]
    assert ledger.tasks[0].deadline == "2021年10月底前"
    assert ledger.tasks[0].units == ["县财政局"]
    assert ledger.tasks[1].text == "做好政府网站集约化建设工作，按期完成迁移。"  # a cut line joined
    assert ledger.tasks[1].units == ["县政府办"]
