"""Old Word (.doc), WPS (.wps, .et), OpenDocument (.odt) and RTF files, converted by LibreOffice.

No well-kept Python library reads the binary .doc/.wps/.et formats, and LibreOffice does it
faithfully, so the file is converted (to .docx, or .xlsx for a WPS workbook) in a private
temporary folder — the input is copied there, never touched — with a private LibreOffice
profile (a desktop LibreOffice already running would otherwise take the job), and then read
like any Word report or workbook. Without LibreOffice the finding names the install step.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from report_kit.catalogue import emit
from report_kit.readers.base import ReadResult

TIMEOUT = 120  # seconds: a huge or hostile file must not hang a batch
WHAT = {
    ".doc": "Word 97-2003 文档（.doc）",
    ".wps": "WPS文字文档（.wps）",
    ".et": "WPS表格文件（.et）",
    ".odt": "OpenDocument文档（.odt）",
    ".rtf": "RTF文档",
}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAGIC = {".doc": (_OLE2,), ".wps": (_OLE2,), ".et": (_OLE2,), ".odt": (b"PK\x03\x04",), ".rtf": (b"{\\rtf",)}
FILTERS = {"docx": "docx:MS Word 2007 XML", "xlsx": "xlsx:Calc MS Excel 2007 XML"}


class ConversionRefused(Exception):
    def __init__(self, findings) -> None:
        super().__init__("refused")
        self.findings = list(findings)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, suffix: str, target: str) -> bytes:
    """``data`` (a file named ``*suffix``) converted by LibreOffice to ``target`` (docx/xlsx)."""
    what = WHAT.get(suffix, f"{suffix}文件")
    if not data.startswith(_MAGIC.get(suffix, (b"",))):  # not worth starting LibreOffice for
        reason = f"扩展名是{suffix}，但文件内容不是{what}（可能改了扩展名，或文件不完整）"
        raise ConversionRefused([emit("F.corrupt", {"reason": reason})])
    if _encrypted(data):
        fix = "请在Word/WPS中取消文件密码，另存为.docx/.xlsx后再读取。"
        raise ConversionRefused(
            [emit("F.unsupported", {"reason": f"{what}设置了打开密码", "how_to_fix": fix})]
        )
    program = soffice()
    if program is None:
        raise ConversionRefused([emit("R.needs_office", {"what": what})])
    with tempfile.TemporaryDirectory(prefix="report-kit-office-") as folder:
        work = Path(folder)
        source = work / f"report{suffix or '.doc'}"
        source.write_bytes(data)
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            FILTERS[target],
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        try:
            subprocess.run(
                command, capture_output=True, timeout=TIMEOUT, check=False, env={**os.environ, "HOME": folder}
            )
        except subprocess.TimeoutExpired:
            reason = f"超过{TIMEOUT}秒仍未完成"
            raise ConversionRefused([emit("R.office_failed", {"what": what, "reason": reason})]) from None
        converted = work / "out" / f"report.{target}"
        if not converted.is_file() or converted.stat().st_size == 0:
            reason = "没有得到转换结果（文件可能已损坏）"
            raise ConversionRefused([emit("R.office_failed", {"what": what, "reason": reason})])
        return converted.read_bytes()


def read_office(data: bytes, suffix: str, clean):
    """A .doc/.wps/.odt/.rtf report: converted to .docx, then read as a Word report."""
    from report_kit.ingest import _Refused
    from report_kit.ingest.docx import read_docx

    try:
        converted = convert(data, suffix, "docx")
    except ConversionRefused as refused:
        raise _Refused(refused.findings) from None
    return read_docx(converted, clean)


def read_spreadsheet(path: str | os.PathLike) -> ReadResult:
    """A WPS workbook (.et): converted to .xlsx, then read as the fill-in workbook."""
    from report_kit.readers.xlsx import read_workbook

    try:
        converted = convert(Path(path).read_bytes(), ".et", "xlsx")
    except ConversionRefused as refused:
        return ReadResult(None, refused.findings, kind="xlsx")
    except OSError as exc:
        from report_kit.os_errors import os_reason

        return ReadResult(None, [emit("F.unreadable", {"reason": os_reason(exc)})], kind="xlsx")
    with tempfile.TemporaryDirectory(prefix="report-kit-et-") as folder:
        workbook = Path(folder) / (Path(path).stem + ".xlsx")
        workbook.write_bytes(converted)
        return read_workbook(workbook)


def _encrypted(data: bytes) -> bool:
    return data.startswith(b"\xd0\xcf\x11\xe0") and any(
        name.encode("utf-16-le") in data for name in ("EncryptionInfo", "EncryptedPackage")
    )
