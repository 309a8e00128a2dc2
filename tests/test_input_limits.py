"""Memory: a hostile --template or merged range is refused before it is unpacked."""

from __future__ import annotations

import io
import json
import re
import zipfile

from report_kit.writers.template_xlsx import write_workbook

from helpers import ROOT, run

EXAMPLE = ROOT / "examples" / "轮台县市场监督管理局-2024.json"


def test_a_zip_bomb_template_is_refused_before_unpacking(tmp_path):
    bomb = tmp_path / "模板.docx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document>" + b" " * (30 * 1024 * 1024))
    bomb.write_bytes(buffer.getvalue())
    assert bomb.stat().st_size < 200_000
    result = run("build", EXAMPLE, "-o", tmp_path / "报告.docx", "--template", bomb)
    assert result.exit_code == 2 and "模板" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "报告.docx").exists()


def test_annotate_refuses_a_sheet_wide_merged_range(tmp_path):
    filled = tmp_path / "填报.xlsx"
    write_workbook(filled, json.loads(EXAMPLE.read_text(encoding="utf-8")))
    hostile = tmp_path / "合并.xlsx"
    with zipfile.ZipFile(filled) as source, zipfile.ZipFile(hostile, "w", zipfile.ZIP_DEFLATED) as target:
        done = False
        for info in source.infolist():
            data = source.read(info)
            if not done and info.filename.startswith("xl/worksheets/") and b"<mergeCells" in data:
                data = re.sub(rb"(<mergeCells[^>]*>)", rb'\1<mergeCell ref="K1:XFD1048576"/>', data, count=1)
                done = True
            target.writestr(info, data)
    assert done
    out = tmp_path / "标注.xlsx"
    result = run("check", hostile, "--annotate", out)
    assert "K1:XFD1048576" in result.output and not out.exists()


def test_millions_of_tiny_items_are_refused_before_parsing(tmp_path, monkeypatch):
    from report_kit.readers import read_submission, structured

    def parsed(*args, **kwargs):
        raise AssertionError("the document was parsed (49 s / 2.5 GB for JSON, 227 s / 3.7 GB for YAML)")

    monkeypatch.setattr(structured, "parse_json", parsed)
    monkeypatch.setattr(structured, "parse_yaml", parsed)
    for name, text in (("a.json", "[" + "0," * 3_000_000 + "0]"), ("b.yaml", "- 0\n" * 1_500_000)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = read_submission(path)
        assert result.submission is None and [f.rule for f in result.findings] == ["F.hostile"]
