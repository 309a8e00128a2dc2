"""Broken and hostile workbooks through ``report-kit check``: findings and exit 1, never a traceback."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from report_kit.cli import main
from report_kit.writers.template_xlsx import write_workbook

from hostile import inject_doctype, rewrite_zip, truncate, write_ole2, write_zero_bomb

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "轮台县市场监督管理局-2024.json"
runner = CliRunner()


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "填报.xlsx"
    write_workbook(path, json.loads(EXAMPLE.read_text(encoding="utf-8")))
    return path


def _check(path: Path) -> dict:
    before = path.read_bytes()
    result = runner.invoke(main, ["check", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert path.read_bytes() == before
    data = json.loads(result.output)
    assert data["valid"] is False
    return data


def _lying_sizes(src: Path, dst: Path, member: str = "xl/worksheets/sheet4.xml") -> Path:
    """A member that inflates past the size the zip directory declares for it."""
    with zipfile.ZipFile(src) as old:
        original = old.read(member)
    rewrite_zip(src, dst, {member: original + b"<!-- padding -->" * 20_000})
    raw = bytearray(dst.read_bytes())
    with zipfile.ZipFile(dst) as zf:
        info = zf.getinfo(member)
    fake = len(original)
    crc = zlib.crc32((original + b"<!-- padding -->" * 20_000)[:fake])
    struct.pack_into("<III", raw, info.header_offset + 14, crc, info.compress_size, fake)
    at = 0
    while (at := raw.find(b"PK\x01\x02", at)) >= 0:
        length = struct.unpack_from("<H", raw, at + 28)[0]
        if bytes(raw[at + 46 : at + 46 + length]) == member.encode():
            struct.pack_into("<III", raw, at + 16, crc, info.compress_size, fake)
        at += 4
    dst.write_bytes(bytes(raw))
    return dst


def test_zip_bomb(tmp_path):
    data = _check(write_zero_bomb(tmp_path / "bomb.xlsx", 300 * 1024 * 1024))
    assert data["findings"][0]["rule"] == "F.too_large"


def test_xml_entity_bomb(tmp_path, filled):
    data = _check(inject_doctype(filled, tmp_path / "laughs.xlsx"))
    assert data["findings"][0]["rule"] == "F.hostile"


def test_entity_bomb_in_a_worksheet(tmp_path, filled):
    data = _check(inject_doctype(filled, tmp_path / "sheet.xlsx", member="xl/worksheets/sheet4.xml"))
    assert data["findings"][0]["rule"] == "F.hostile"


def test_truncated_workbook(tmp_path, filled):
    data = _check(truncate(filled, tmp_path / "half.xlsx"))
    assert data["findings"][0]["rule"] == "F.corrupt"


def test_member_larger_than_declared(tmp_path, filled):
    data = _check(_lying_sizes(filled, tmp_path / "liar.xlsx"))
    assert data["findings"][0]["rule"] == "F.corrupt"


def test_empty_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert _check(path)["findings"][0]["rule"] == "F.empty"


def test_renamed_non_zip(tmp_path):
    path = tmp_path / "renamed.xlsx"
    path.write_bytes("这不是工作簿，只是改了扩展名的文本。\n".encode())
    data = _check(path)
    assert data["findings"][0]["rule"] == "F.corrupt"
    assert "扩展名" in data["findings"][0]["message"]


@pytest.mark.parametrize(
    ("name", "streams", "fragment"),
    [
        ("old.xls", ["Workbook"], ".xls"),
        ("locked.xlsx", ["EncryptionInfo", "EncryptedPackage"], "密码"),
    ],
)
def test_legacy_and_password_protected(tmp_path, name, streams, fragment):
    data = _check(write_ole2(tmp_path / name, streams))
    finding = data["findings"][0]
    assert finding["rule"] == "F.unsupported" and fragment in finding["message"]


def test_macro_workbook(tmp_path, filled):
    path = rewrite_zip(filled, tmp_path / "macro.xlsm", add={"xl/vbaProject.bin": b"\x00" * 64})
    finding = _check(path)["findings"][0]
    assert finding["rule"] == "F.unsupported" and ".xlsm" in finding["message"]


def test_csv(tmp_path):
    path = tmp_path / "表三.csv"
    path.write_text("项目,自然人,总计\n本年新收,3,3\n", encoding="utf-8")
    finding = _check(path)["findings"][0]
    assert finding["rule"] == "F.unsupported" and "CSV" in finding["message"]


def test_text_output_for_a_hostile_file_is_a_sentence(tmp_path, filled):
    path = inject_doctype(filled, tmp_path / "laughs.xlsx")
    result = runner.invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert "F.hostile" in result.output and "未通过" in result.output


def test_damaged_part_that_only_openpyxl_reads(tmp_path, filled):
    """A broken docProps/core.xml: calamine reads the cells, openpyxl (for blanks) cannot."""
    import openpyxl

    from report_kit.workbook_map import workbook_map

    slot = workbook_map().slots["/applications/received/natural_person"]
    blank = tmp_path / "blank.xlsx"
    book = openpyxl.load_workbook(filled)
    book[slot.sheet][slot.address] = None
    book.save(blank)
    path = rewrite_zip(blank, tmp_path / "core.xlsx", {"docProps/core.xml": b"<broken"})
    data = _check(path)
    rules = {f["rule"] for f in data["findings"]}
    assert "F.internal" not in rules and "S.blank_cell" in rules
    (warning,) = [f for f in data["findings"] if f["rule"] == "S.blank_cell"]
    assert warning["locations"][0]["cell"] == slot.address
    annotated = runner.invoke(main, ["check", str(path), "--annotate", str(tmp_path / "批注.xlsx")])
    assert "Traceback" not in annotated.output and "未生成标注副本" in annotated.output


def test_openpyxl_remarks_do_not_reach_the_clerk(tmp_path, filled, recwarn):
    """openpyxl warns in English about other writers' oddities; the reader and annotator hush it."""
    import openpyxl

    from report_kit.check import check_file
    from report_kit.workbook_map import workbook_map
    from report_kit.writers.annotate import annotate_workbook

    slot = workbook_map().slots["/applications/received/natural_person"]
    blank = tmp_path / "blank.xlsx"
    book = openpyxl.load_workbook(filled)
    book[slot.sheet][slot.address] = None
    book.save(blank)
    rels = b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship/></Relationships>'
    path = rewrite_zip(blank, tmp_path / "rels.xlsx", {"xl/worksheets/_rels/sheet4.xml.rels": rels})
    report = check_file(path)
    assert "S.blank_cell" in {f.rule for f in report.findings}
    annotate_workbook(path, report, tmp_path / "批注.xlsx")
    assert [str(w.message) for w in recwarn] == []
