"""Decide what an input file is, and whether it is safe to parse, before any parser runs.

Submissions come from hundreds of offices and are produced by Excel, WPS, LibreOffice,
business systems and text editors; a few are broken, a few are hostile. Parsers are the
wrong place to find that out: a zip bomb or an XML entity bomb has already done its damage
by the time a parser notices. So :func:`sniff` looks at the bytes first — by content,
extension second — and either names the kind (``json``, ``yaml``, ``xlsx``) or refuses the
file with ``F.*`` findings whose Chinese text tells the user what to do instead.

Only the zip central directory and the first few KB of each member are ever read; nothing
is extracted to disk and the input is opened read-only.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from report_kit import settings
from report_kit.catalogue import emit
from report_kit.findings import Finding
from report_kit.readers.zip_guard import (
    SAVE_AS_XLSX,
    UTF8_BOM,
    Members,
    MemberTooLarge,
    check_members,
    check_xml_heads,
    open_member_limited,
    open_zip,
)
from report_kit.readers.zip_guard import Refused as _Refused
from report_kit.readers.zip_guard import refuse as _refuse

MAX_MANIFEST_BYTES = 1024 * 1024  # [Content_Types].xml / mimetype, read only to name the kind

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

USE_TEMPLATE = "请使用report_kit生成的.xlsx模板填写，或按示例提交JSON/YAML文件。"
CSV_WAY_OUT = (
    "CSV文件只保存一张表的文字，没有模板的结构，无法校验。请在report_kit生成的.xlsx模板中填写，"
    "按Excel工作簿(*.xlsx)保存后提交（不要“另存为”CSV）；也可以按示例提交JSON/YAML文件。"
)
REMOVE_PASSWORD = (
    "请在Excel/WPS中取消文件密码（文件→信息→保护工作簿→用密码进行加密，清空密码），"
    "再“另存为”Excel工作簿(*.xlsx)后重新提交。"
)

# Extensions whose content must be a zip or OLE2 container; text under these names is a mistake.
_CONTAINER_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xlsb", ".xls", ".et", ".ods", ".docx", ".doc", ".wps"}

# Macro-enabled workbook names: refused whatever the content (the clerk must re-save as .xlsx).
_MACRO_SUFFIXES = {".xlsm", ".xltm"}

# (magic, what it is, how to fix) for binary formats that are never a submission.
_OTHER_SIGNATURES = (
    (b"%PDF", "PDF文件", "PDF无法校验。" + USE_TEMPLATE),
    (b"{\\rtf", "RTF文档", USE_TEMPLATE),
    (b"\x89PNG", "PNG图片", "图片无法校验。" + USE_TEMPLATE),
    (b"\xff\xd8\xff", "JPEG图片", "图片无法校验。" + USE_TEMPLATE),
    (b"GIF8", "GIF图片", "图片无法校验。" + USE_TEMPLATE),
    (b"Rar!", "RAR压缩包", "请解压后提交其中的.xlsx、.json或.yaml文件。"),
    (b"7z\xbc\xaf\x27\x1c", "7z压缩包", "请解压后提交其中的.xlsx、.json或.yaml文件。"),
    (b"\x1f\x8b", "gzip压缩包", "请解压后提交其中的.xlsx、.json或.yaml文件。"),
)

_CJK = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")
_YAML_KEY_LINE = re.compile(r"^\s*[^\s#,][^,]*?:(?:\s|$)")


@dataclass(frozen=True)
class Sniffed:
    """What :func:`sniff` decided. ``findings`` non-empty means: do not parse this file."""

    kind: str | None  # "json", "yaml", "xlsx" or None when refused
    findings: tuple[Finding, ...]
    data: bytes | None = None  # json/yaml only: the bytes already read, UTF-8 BOM removed
    # xlsx only: the bytes checked and the members read in full, for the reader (not part
    # of the verdict, so not compared)
    workbook: Members | None = field(default=None, compare=False, repr=False)


def sniff(path: str | os.PathLike) -> Sniffed:
    """Name the kind of ``path`` or refuse it. Never raises, never writes."""
    try:
        return _sniff(Path(path))
    except _Refused as refused:
        return Sniffed(None, (refused.finding,))
    except Exception as exc:  # a bug here must still give the user a sentence, not a traceback
        reason = f"检查文件时发生意外错误（{type(exc).__name__}）"
        return Sniffed(None, (emit("F.unreadable", {"reason": reason}),))


def _sniff(path: Path) -> Sniffed:
    suffix = path.suffix.lower()
    try:
        # O_NONBLOCK: a FIFO must not hang us between "is it a regular file?" and open().
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise _refuse("F.unreadable", reason="文件不存在") from None
    except (PermissionError, IsADirectoryError):
        if path.is_dir():
            raise _refuse("F.folder") from None
        raise _refuse("F.unreadable", reason="没有读取该文件的权限") from None
    except OSError as exc:
        raise _refuse("F.unreadable", reason=f"操作系统拒绝打开该文件（{type(exc).__name__}）") from None
    try:
        mode = os.fstat(fd)  # of what was opened, not of whatever the path names by now
        if stat.S_ISDIR(mode.st_mode):
            raise _refuse("F.folder")
        if not stat.S_ISREG(mode.st_mode):
            raise _refuse("F.unreadable", reason="这不是普通文件（可能是设备或管道）")
        _check_size(mode.st_size)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        # Read once: the zip guard and the reader then work on these bytes, so what is parsed
        # is what was checked, and the file is not opened again (a workbook is ~30 KB).
        data = handle.read(settings.MAX_INPUT_BYTES + 1)
    _check_size(len(data))  # the file may have grown since fstat
    if data.startswith(ZIP_MAGICS):
        sniffed = _sniff_zip(data)
        if suffix in _MACRO_SUFFIXES:
            # Named as a macro workbook: Excel and WPS open it as one, so it is refused
            # like one even when this copy happens to hold no macros.
            reason = f"启用宏的工作簿（{suffix}）"
            raise _refuse("F.unsupported", reason=reason, how_to_fix=SAVE_AS_XLSX)
        return sniffed
    if data.startswith(OLE2_MAGIC):
        raise _ole2_refusal(data, suffix)
    return _sniff_text(data, suffix)


def _check_size(size: int) -> None:
    if size > settings.MAX_INPUT_BYTES:
        reason = f"文件大小为{_size(size)}，超过上限{_size(settings.MAX_INPUT_BYTES)}"
        raise _refuse("F.too_large", reason=reason)
    if size == 0:
        raise _refuse("F.empty")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}MB" if n >= 1024 * 1024 else f"{max(n // 1024, 1)}KB"


# --- zip containers -------------------------------------------------------------------


def _sniff_zip(data: bytes) -> Sniffed:
    with open_zip(io.BytesIO(data)) as zf:
        check_members(zf)
        _identify_zip(zf)
        complete = check_xml_heads(zf)
    return Sniffed("xlsx", (), workbook=Members(data, complete))


def _identify_zip(zf: zipfile.ZipFile) -> None:
    """Raise unless the zip is an xlsx workbook without macros; name what it is otherwise."""
    names = set(zf.namelist())
    types = _manifest(zf, "[Content_Types].xml")
    mimetype = _manifest(zf, "mimetype")
    # Main-part content types only: a .docx with an embedded chart lists spreadsheetml too.
    if "xl/workbook.bin" in names or "sheet.binary.macroEnabled.main" in types:
        raise _refuse("F.unsupported", reason="Excel二进制工作簿（.xlsb）", how_to_fix=SAVE_AS_XLSX)
    if "xl/workbook.xml" in names or re.search(
        r"(spreadsheetml|ms-excel)\.\w+(\.macroEnabled)?\.main\+xml", types
    ):
        if "macroEnabled.main+xml" in types or any(n.lower().endswith("vbaproject.bin") for n in names):
            raise _refuse("F.unsupported", reason="启用宏的工作簿（.xlsm）", how_to_fix=SAVE_AS_XLSX)
        return
    if "opendocument.spreadsheet" in mimetype:
        raise _refuse("F.unsupported", reason="OpenDocument电子表格（.ods）", how_to_fix=SAVE_AS_XLSX)
    if (
        "word/document.xml" in names
        or "wordprocessingml.document.main+xml" in types
        or "opendocument.text" in mimetype
    ):
        reason = "Word文档（.docx/.odt），不是Excel工作簿"
        fix = "Word文档中的表格无法直接校验。" + USE_TEMPLATE
        raise _refuse("F.unsupported", reason=reason, how_to_fix=fix)
    if "ppt/presentation.xml" in names or "presentationml.presentation.main+xml" in types:
        raise _refuse("F.unsupported", reason="PowerPoint演示文稿", how_to_fix=USE_TEMPLATE)
    raise _refuse(
        "F.unsupported",
        reason="ZIP压缩包（其中没有Excel工作簿）",
        how_to_fix="请解压后提交其中的.xlsx、.json或.yaml文件。",
    )


def _manifest(zf: zipfile.ZipFile, name: str) -> str:
    try:
        raw = open_member_limited(zf, name, MAX_MANIFEST_BYTES)
    except KeyError:
        return ""
    except MemberTooLarge:
        raise _refuse("F.too_large", reason=f"压缩包成员“{name}”异常庞大（疑似压缩炸弹）") from None
    return raw.replace(b"\x00", b"").decode("utf-8", "replace")


# --- OLE2 (legacy Office, encrypted OOXML) --------------------------------------------------


def _ole2_refusal(data: bytes, suffix: str) -> _Refused:
    """OLE2 directory entries hold stream names in UTF-16LE; finding them needs no parser."""

    def has(stream: str) -> bool:
        return stream.encode("utf-16-le") in data

    if has("EncryptionInfo") or has("EncryptedPackage"):
        return _refuse("F.unsupported", reason="工作簿设置了打开密码", how_to_fix=REMOVE_PASSWORD)
    if has("WordDocument"):
        return _refuse("F.unsupported", reason="Word 97-2003 文档（.doc）", how_to_fix=USE_TEMPLATE)
    if suffix == ".et":
        return _refuse("F.unsupported", reason="WPS表格文件（.et）", how_to_fix=SAVE_AS_XLSX)
    if has("Workbook") or has("Book") or suffix == ".xls":
        return _refuse("F.unsupported", reason="Excel 97-2003 工作簿（.xls）", how_to_fix=SAVE_AS_XLSX)
    return _refuse("F.unsupported", reason="旧版Office格式文件（OLE2）", how_to_fix=SAVE_AS_XLSX)


# --- text: JSON / YAML ----------------------------------------------------------------------


def _sniff_text(data: bytes, suffix: str) -> Sniffed:
    for magic, what, fix in _OTHER_SIGNATURES:
        if data.startswith(magic):
            raise _refuse("F.unsupported", reason=what, how_to_fix=fix)
    if suffix in _CONTAINER_SUFFIXES:
        if data.replace(b"\x00", b"").lstrip(UTF8_BOM + b"\xff\xfe \t\r\n").startswith(b"<"):
            raise _markup_refusal(data)
        reason = f"扩展名是{suffix}，但文件内容不是该格式（可能是改了扩展名的其他文件）"
        raise _refuse("F.corrupt", reason=reason)
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise _refuse("F.encoding", reason="检测到UTF-32编码")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _refuse("F.encoding", reason="检测到UTF-16编码")
    data = data.removeprefix(UTF8_BOM)
    if not data.strip():
        raise _refuse("F.empty")
    if suffix in (".csv", ".tsv"):
        # Named CSV: refused as CSV whatever its encoding (Excel and WPS write GBK CSV files).
        raise _refuse("F.unsupported", reason="CSV文本文件", how_to_fix=CSV_WAY_OUT)
    sample = data[:4096]
    if b"\x00" in sample:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        # UTF-16 text has a NUL in (nearly) every other byte, not one stray NUL.
        if max(even, odd) >= len(sample) // 8 and max(even, odd) >= 4 * min(even, odd):
            raise _refuse("F.encoding", reason="检测到UTF-16编码（无BOM）")
        raise _refuse("F.unsupported", reason="无法识别的二进制文件", how_to_fix=USE_TEMPLATE)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse("F.encoding", reason=_not_utf8(data, exc)) from None
    stripped = text.strip()
    if not stripped:
        raise _refuse("F.empty")
    if stripped.startswith("<"):
        raise _markup_refusal(data)
    if suffix not in (".json", ".yaml", ".yml") and _looks_like_csv(stripped):
        raise _refuse("F.unsupported", reason="CSV文本文件", how_to_fix=CSV_WAY_OUT)
    if suffix == ".json":
        return Sniffed("json", (), data)
    if suffix in (".yaml", ".yml"):
        return Sniffed("yaml", (), data)
    return Sniffed("json" if stripped[0] in "{[" else "yaml", (), data)


def _not_utf8(data: bytes, exc: UnicodeDecodeError) -> str:
    try:
        if _CJK.search(data.decode("gb18030")):
            return "检测到GBK/GB18030编码"
    except UnicodeDecodeError:
        pass
    line = data.count(b"\n", 0, exc.start) + 1
    return f"第{line}行含有不是UTF-8的字节"


def _markup_refusal(data: bytes) -> _Refused:
    if b"urn:schemas-microsoft-com:office:spreadsheet" in data.replace(b"\x00", b""):
        return _refuse("F.unsupported", reason="Excel 2003 XML表格", how_to_fix=SAVE_AS_XLSX)
    # Business systems often "export to Excel" as an HTML page named .xls.
    return _refuse("F.unsupported", reason="网页（HTML）或XML文件，不是Excel工作簿", how_to_fix=SAVE_AS_XLSX)


def _looks_like_csv(text: str) -> bool:
    """Two or more lines with the same number of commas (or tabs) and no ``key:`` lines."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if len(lines) < 2 or lines[0].lstrip().startswith(("{", "[", "#", "---", "%")):
        return False
    if any(_YAML_KEY_LINE.match(line) for line in lines):
        return False
    return any(
        lines[0].count(sep) >= 1 and all(line.count(sep) == lines[0].count(sep) for line in lines)
        for sep in (",", "\t")
    )
