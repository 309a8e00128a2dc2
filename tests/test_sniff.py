"""sniff(): every broken or hostile file is refused with a Chinese finding, before parsing."""

from __future__ import annotations

import json
import os
import re
import time
import zipfile

import pytest

import report_kit.readers.sniff as sniff_module
import report_kit.readers.zip_guard as zip_guard
from report_kit import settings
from report_kit.readers.sniff import Sniffed, sniff
from report_kit.readers.zip_guard import (
    MemberTooLarge,
    check_xlsx_container,
    ensure_defused,
    open_member_limited,
)

import hostile

CJK = re.compile(r"[\u4e00-\u9fff]")
REPORT = {"format": "2021", "year": 2023, "unit": {"name": "某某市人民政府办公室"}}


def assert_user_facing(finding) -> None:
    """Chinese, fully rendered, and nothing a developer would recognise as a crash."""
    text = finding.message + finding.suggestion
    assert CJK.search(finding.message), finding.message
    assert CJK.search(finding.suggestion), finding.suggestion
    assert "Traceback" not in text and 'File "' not in text
    assert "{" not in text and "}" not in text, text  # an unfilled template placeholder
    assert finding.severity == "error"


def refused(result: Sniffed, rule: str, *fragments: str) -> None:
    assert result.kind is None and result.data is None
    assert [f.rule for f in result.findings] == [rule], result.findings
    finding = result.findings[0]
    assert_user_facing(finding)
    for fragment in fragments:
        assert fragment in finding.message + finding.suggestion, (fragment, finding.message)


# --- accepted files -----------------------------------------------------------------------


def test_genuine_xlsx_is_accepted(tmp_path):
    path = hostile.write_xlsx(tmp_path / "报告.xlsx")
    assert sniff(path) == Sniffed("xlsx", ())
    assert check_xlsx_container(path) == []


def test_xlsx_is_recognised_by_content_whatever_its_name(tmp_path):
    path = hostile.write_xlsx(tmp_path / "报告.xlsx")
    renamed = tmp_path / "报告.dat"
    path.rename(renamed)
    assert sniff(renamed).kind == "xlsx"


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("r.json", '{"a": 1}', "json"),
        ("r.yaml", "a: 1\n", "yaml"),
        ("r.yml", "a: 1\n", "yaml"),
        ("r.json", "a: 1\n", "json"),  # the extension decides; the parser reports the syntax error
        ("r", '\n  [{"a": 1}]', "json"),
        ("r.txt", '{"a": 1}', "json"),
        ("r", "format: '2021'\nyear: 2023\n", "yaml"),
        ("r.txt", "unit:\n  name: 某某局, 某某处\n", "yaml"),
    ],
)
def test_text_kind_by_extension_then_content(tmp_path, name, content, kind):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = sniff(path)
    assert (result.kind, result.findings, result.data) == (kind, (), content.encode("utf-8"))


def test_utf8_bom_is_stripped_from_data(tmp_path):
    body = json.dumps(REPORT, ensure_ascii=False).encode("utf-8")
    path = tmp_path / "r.json"
    path.write_bytes(b"\xef\xbb\xbf" + body)
    result = sniff(path)
    assert result.kind == "json" and not result.findings
    assert result.data == body
    assert json.loads(result.data.decode("utf-8")) == REPORT


def test_sniff_does_not_modify_the_input(tmp_path):
    paths = [hostile.write_xlsx(tmp_path / "a.xlsx"), tmp_path / "b.json"]
    paths[1].write_text(json.dumps(REPORT), encoding="utf-8")
    paths.append(hostile.inject_doctype(paths[0], tmp_path / "c.xlsx"))
    for path in paths:
        os.utime(path, (1_000_000_000, 1_000_000_000))
        before = (path.read_bytes(), path.stat().st_mtime_ns)
        sniff(path)
        check_xlsx_container(path)
        assert (path.read_bytes(), path.stat().st_mtime_ns) == before


# --- unreadable / empty / too large ---------------------------------------------------------


def test_missing_file(tmp_path):
    refused(sniff(tmp_path / "nope.json"), "F.unreadable", "文件不存在")


def test_directory(tmp_path):
    refused(sniff(tmp_path), "F.folder", "文件夹")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    refused(sniff(fifo), "F.unreadable", "不是普通文件")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read anything")
def test_permission_denied(tmp_path):
    path = tmp_path / "r.json"
    path.write_text("{}", encoding="utf-8")
    path.chmod(0)
    try:
        refused(sniff(path), "F.unreadable", "权限")
    finally:
        path.chmod(0o600)


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n", b"\xef\xbb\xbf", "\u3000\n".encode()])
def test_empty_or_whitespace(tmp_path, content):
    path = tmp_path / "r.yaml"
    path.write_bytes(content)
    refused(sniff(path), "F.empty")


def test_larger_than_input_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "MAX_INPUT_BYTES", 1024)
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"x": "a" * 2000}), encoding="utf-8")
    refused(sniff(path), "F.too_large", "超过上限")


def test_unexpected_error_becomes_a_finding(tmp_path, monkeypatch):
    def boom(data, suffix):
        raise KeyError("internal detail")

    monkeypatch.setattr(sniff_module, "_sniff_text", boom)
    path = tmp_path / "r.json"
    path.write_text("{}", encoding="utf-8")
    result = sniff(path)
    refused(result, "F.unreadable", "KeyError")
    assert "internal detail" not in result.findings[0].message


# --- zip bombs and hostile containers -------------------------------------------------------


def test_zip_bomb_one_huge_member(tmp_path):
    path = hostile.write_zero_bomb(tmp_path / "bomb.xlsx", 300 * 1024 * 1024)
    assert path.stat().st_size < 2 * 1024 * 1024
    started = time.perf_counter()
    result = sniff(path)
    assert time.perf_counter() - started < 1.0  # decided from the directory, nothing inflated
    refused(result, "F.too_large", "压缩炸弹")
    assert check_xlsx_container(path)[0].rule == "F.too_large"


def test_zip_bomb_high_ratio_member(tmp_path):
    path = hostile.write_zero_bomb(tmp_path / "bomb.xlsx", 11 * 1024 * 1024)
    refused(sniff(path), "F.too_large", "压缩比", "sheet1.xml")


def test_total_declared_size(tmp_path, monkeypatch):
    monkeypatch.setattr(zip_guard, "MAX_TOTAL_UNCOMPRESSED", 10_000)
    members = {"xl/workbook.xml": b"<workbook/>", "a.bin": os.urandom(6000), "b.bin": os.urandom(6000)}
    path = hostile.write_zip(tmp_path / "big.xlsx", members, zipfile.ZIP_STORED)
    refused(sniff(path), "F.too_large", "解压后")


def test_too_many_members(tmp_path):
    path = hostile.write_many_members(tmp_path / "many.xlsx", 3_000)
    refused(sniff(path), "F.too_large", "压缩炸弹")


def test_member_count_checked_even_when_end_record_lies(tmp_path, monkeypatch):
    # The end record says 1 entry; zipfile walks the directory by size and finds 3,001.
    path = hostile.write_many_members(tmp_path / "many.xlsx", 3_000)
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = (1).to_bytes(2, "little") * 2
    path.write_bytes(bytes(data))
    refused(sniff(path), "F.too_large", "3001")


def test_oversized_central_directory_refused_before_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr(zip_guard, "MAX_CENTRAL_DIRECTORY", 1_000)
    path = hostile.write_many_members(tmp_path / "many.xlsx", 100)
    calls = []
    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", lambda self: calls.append(1))
    refused(sniff(path), "F.too_large", "目录过大")
    assert calls == []


@pytest.mark.parametrize("name", ["../../evil.xml", "/etc/cron.d/x", "xl\\..\\..\\evil.xml", "C:/evil.xml"])
def test_member_path_escaping_the_archive(tmp_path, name):
    src = hostile.write_xlsx(tmp_path / "a.xlsx")
    path = hostile.rewrite_zip(src, tmp_path / "b.xlsx", add={name: b"x"})
    refused(sniff(path), "F.hostile", "指向压缩包之外")
    assert [f.rule for f in check_xlsx_container(path)] == ["F.hostile"]


def test_lzma_member_refused(tmp_path):
    members = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
    path = hostile.write_zip(tmp_path / "a.xlsx", members, zipfile.ZIP_LZMA)
    refused(sniff(path), "F.unsupported", "压缩方式")


def test_billion_laughs_in_workbook_xml(tmp_path):
    src = hostile.write_xlsx(tmp_path / "a.xlsx")
    path = hostile.inject_doctype(src, tmp_path / "lol.xlsx")
    refused(sniff(path), "F.hostile", "DOCTYPE")
    assert [f.rule for f in check_xlsx_container(path)] == ["F.hostile"]


def test_external_entity_in_a_member_not_named_xml(tmp_path):
    src = hostile.write_xlsx(tmp_path / "a.xlsx")
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    path = hostile.rewrite_zip(src, tmp_path / "xxe.xlsx", add={"xl/worksheets/sheet9.dat": xxe})
    refused(sniff(path), "F.hostile", "ENTITY")


def test_doctype_in_utf16_member(tmp_path):
    src = hostile.write_xlsx(tmp_path / "a.xlsx")
    payload = ("\ufeff" + hostile.BILLION_LAUGHS.decode() + "<x/>").encode("utf-16-le")
    path = hostile.rewrite_zip(src, tmp_path / "u16.xlsx", {"xl/styles.xml": payload})
    refused(sniff(path), "F.hostile", "DOCTYPE")


def test_doctype_hidden_behind_a_long_prolog(tmp_path):
    src = hostile.write_xlsx(tmp_path / "a.xlsx")
    padding = b"<!--" + b" " * 8000 + b"-->"
    payload = b'<?xml version="1.0"?>' + padding + hostile.BILLION_LAUGHS.split(b"?>", 1)[1] + b"<x/>"
    path = hostile.rewrite_zip(src, tmp_path / "pad.xlsx", {"xl/workbook.xml": payload})
    refused(sniff(path), "F.hostile", "DOCTYPE")


def test_open_member_limited(tmp_path):
    path = hostile.write_zip(tmp_path / "a.zip", {"big.xml": b"x" * 100_000})
    with zipfile.ZipFile(path) as zf:
        assert open_member_limited(zf, "big.xml", 100_000) == b"x" * 100_000
        with pytest.raises(MemberTooLarge):
            open_member_limited(zf, "big.xml", 99_999, chunk=1024)


# --- corrupt, renamed and unsupported files ------------------------------------------------


def test_truncated_xlsx(tmp_path):
    src = hostile.write_xlsx(tmp_path / "a.xlsx")
    refused(sniff(hostile.truncate(src, tmp_path / "half.xlsx")), "F.corrupt", "ZIP")
    assert [f.rule for f in check_xlsx_container(tmp_path / "half.xlsx")] == ["F.corrupt"]


def test_corrupted_member_data(tmp_path):
    path = hostile.write_xlsx(tmp_path / "a.xlsx")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/workbook.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start : start + info.compress_size] = b"\xff" * info.compress_size
    path.write_bytes(bytes(data))
    refused(sniff(path), "F.corrupt")


def test_text_renamed_to_xlsx(tmp_path):
    path = tmp_path / "报告.xlsx"
    path.write_text("hello", encoding="utf-8")
    refused(sniff(path), "F.corrupt", "扩展名是.xlsx")


def test_html_saved_as_xls(tmp_path):
    path = tmp_path / "导出.xls"
    path.write_text("<html><body><table><tr><td>1</td></tr></table></body></html>", encoding="gbk")
    refused(sniff(path), "F.unsupported", "HTML", "另存为")


def test_password_protected_workbook(tmp_path):
    path = hostile.write_ole2(tmp_path / "a.xlsx", ["EncryptionInfo", "EncryptedPackage"])
    refused(sniff(path), "F.unsupported", "打开密码", "清空密码")


@pytest.mark.parametrize(
    ("name", "streams", "fragment"),
    [
        ("a.xls", ["Workbook"], "Excel 97-2003"),
        ("a.xlsx", ["Workbook", "SummaryInformation"], "Excel 97-2003"),
        ("a.et", ["Workbook"], "WPS表格"),
        ("a.doc", ["WordDocument"], "Word 97-2003"),
    ],
)
def test_legacy_office_files(tmp_path, name, streams, fragment):
    refused(sniff(hostile.write_ole2(tmp_path / name, streams)), "F.unsupported", fragment)


def test_xlsm(tmp_path):
    src = hostile.write_xlsx(tmp_path / "a.xlsx")
    path = hostile.rewrite_zip(src, tmp_path / "a.xlsm", add={"xl/vbaProject.bin": b"\0" * 100})
    refused(sniff(path), "F.unsupported", "启用宏", "*.xlsx")


def test_xlsm_by_content_type(tmp_path):
    src = hostile.write_xlsx(tmp_path / "a.xlsx")
    with zipfile.ZipFile(src) as zf:
        types = zf.read("[Content_Types].xml")
    types = types.replace(
        b"spreadsheetml.sheet.main+xml", b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    )
    path = hostile.rewrite_zip(src, tmp_path / "b.xlsx", {"[Content_Types].xml": types})
    refused(sniff(path), "F.unsupported", "启用宏")


DOCX_WITH_CHART_TYPES = (
    b'<Types><Default Extension="xlsx" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


@pytest.mark.parametrize(
    ("members", "fragment"),
    [
        ({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}, ".ods"),
        ({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}, "Word"),
        ({"[Content_Types].xml": DOCX_WITH_CHART_TYPES, "word/document.xml": b"<w:document/>"}, "Word"),
        ({"readme.txt": b"hello"}, "没有Excel工作簿"),
        ({"xl/workbook.bin": b"\0"}, ".xlsb"),
    ],
)
def test_other_zip_files(tmp_path, members, fragment):
    refused(sniff(hostile.write_zip(tmp_path / "a.xlsx", members)), "F.unsupported", fragment)


@pytest.mark.parametrize(
    ("name", "content"),
    [("r.csv", "单位,数量\n某某局,3\n"), ("r.csv", '{"a": 1}'), ("r.txt", "a,b,c\n1,2,3\n4,5,6\n")],
)
def test_csv(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    refused(sniff(path), "F.unsupported", "CSV", ".xlsx模板")


@pytest.mark.parametrize(
    ("magic", "fragment"), [(b"%PDF-1.7\n", "PDF"), (b"\x89PNG\r\n\x1a\n", "图片"), (b"Rar!\x1a\x07", "解压")]
)
def test_other_binary_formats(tmp_path, magic, fragment):
    path = tmp_path / "r.json"
    path.write_bytes(magic + b"\0" * 64)
    refused(sniff(path), "F.unsupported", fragment)


# --- encodings -------------------------------------------------------------------------------


def test_gbk_json(tmp_path):
    path = tmp_path / "r.json"
    path.write_bytes(json.dumps(REPORT, ensure_ascii=False).encode("gbk"))
    refused(sniff(path), "F.encoding", "GBK", "UTF-8")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_json(tmp_path, encoding):
    path = tmp_path / "r.json"
    path.write_bytes(json.dumps(REPORT, ensure_ascii=False).encode(encoding))
    refused(sniff(path), "F.encoding", "UTF-16")


def test_invalid_utf8_that_is_not_gbk_names_the_line(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_bytes(b"a: 1\nb: \xff\xfe\xff\n")
    refused(sniff(path), "F.encoding", "第2行")


# --- defusedxml -------------------------------------------------------------------------------


def test_ensure_defused_passes_with_defusedxml():
    ensure_defused()


def test_ensure_defused_detects_openpyxl_without_defusedxml(monkeypatch):
    import xml.etree.ElementTree as ElementTree

    import openpyxl.xml
    import openpyxl.xml.functions

    monkeypatch.setattr(openpyxl.xml.functions, "iterparse", ElementTree.iterparse)
    with pytest.raises(RuntimeError, match="defusedxml"):
        ensure_defused()
    monkeypatch.undo()
    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    with pytest.raises(RuntimeError, match="defusedxml"):
        ensure_defused()
