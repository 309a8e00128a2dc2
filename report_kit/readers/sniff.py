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

import os
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from report_kit import settings
from report_kit.catalogue import emit
from report_kit.findings import Finding

# Zip-bomb limits. A real report workbook has ~30 members and is well under 1 MB unpacked.
MAX_MEMBERS = 2_000
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
RATIO_APPLIES_ABOVE = 10 * 1024 * 1024
MAX_CENTRAL_DIRECTORY = 1024 * 1024  # bounds the ZipInfo objects zipfile builds at open time
XML_HEAD_BYTES = 4096  # where a DOCTYPE would have to be
MAX_MANIFEST_BYTES = 1024 * 1024  # [Content_Types].xml / mimetype, read only to name the kind

UTF8_BOM = b"\xef\xbb\xbf"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

SAVE_AS_XLSX = "请在Excel/WPS中打开该文件，“另存为”Excel工作簿(*.xlsx)后重新提交。"
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
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_YAML_KEY_LINE = re.compile(r"^\s*[^\s#,][^,]*?:(?:\s|$)")


@dataclass(frozen=True)
class Sniffed:
    """What :func:`sniff` decided. ``findings`` non-empty means: do not parse this file."""

    kind: str | None  # "json", "yaml", "xlsx" or None when refused
    findings: tuple[Finding, ...]
    data: bytes | None = None  # json/yaml only: the bytes already read, UTF-8 BOM removed


class MemberTooLarge(ValueError):
    """A zip member decompressed to more bytes than the caller allowed."""


class _Refused(Exception):
    """Carries the finding out of nested checks; never leaves this module."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.rule)
        self.finding = finding


def _refuse(rule: str, **values: str) -> _Refused:
    return _Refused(emit(rule, values))


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
            raise _refuse("F.unreadable", reason="这是一个文件夹，不是文件") from None
        raise _refuse("F.unreadable", reason="没有读取该文件的权限") from None
    except OSError as exc:
        raise _refuse("F.unreadable", reason=f"操作系统拒绝打开该文件（{type(exc).__name__}）") from None
    try:
        mode = os.fstat(fd)  # of what was opened, not of whatever the path names by now
        if stat.S_ISDIR(mode.st_mode):
            raise _refuse("F.unreadable", reason="这是一个文件夹，不是文件")
        if not stat.S_ISREG(mode.st_mode):
            raise _refuse("F.unreadable", reason="这不是普通文件（可能是设备或管道）")
        _check_size(mode.st_size)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        head = handle.read(8)
        handle.seek(0)
        if head.startswith(ZIP_MAGICS):
            sniffed = _sniff_zip(handle)
            if suffix in _MACRO_SUFFIXES:
                # Named as a macro workbook: Excel and WPS open it as one, so it is refused
                # like one even when this copy happens to hold no macros.
                reason = f"启用宏的工作簿（{suffix}）"
                raise _refuse("F.unsupported", reason=reason, how_to_fix=SAVE_AS_XLSX)
            return sniffed
        data = handle.read(settings.MAX_INPUT_BYTES + 1)
    _check_size(len(data))  # the file may have grown since fstat
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


def check_xlsx_container(source: str | os.PathLike | IO[bytes]) -> list[Finding]:
    """Zip-level safety of a workbook: bombs, escaping paths, DOCTYPE/ENTITY in XML parts.

    Readers that open a workbook without going through :func:`sniff` call this first.
    Returns an empty list when the container is safe to hand to openpyxl/calamine.
    """
    try:
        if isinstance(source, (str, os.PathLike)):
            with open(source, "rb") as handle:
                return _container_findings(handle)
        return _container_findings(source)
    except _Refused as refused:
        return [refused.finding]


def _container_findings(handle: IO[bytes]) -> list[Finding]:
    with _open_zip(handle) as zf:
        _check_members(zf)
        _check_xml_heads(zf)
    return []


def _sniff_zip(handle: IO[bytes]) -> Sniffed:
    with _open_zip(handle) as zf:
        _check_members(zf)
        _identify_zip(zf)
        _check_xml_heads(zf)
    return Sniffed("xlsx", ())


@contextmanager
def _open_zip(handle: IO[bytes]) -> Iterator[zipfile.ZipFile]:
    """Open a zip for inspection; every way a zip can be broken becomes F.corrupt.

    ``zipfile`` builds one object per central-directory entry on open, so a 50 MB directory
    of empty entries costs seconds and a gigabyte before any count check could run; the end
    record's declared directory size is checked first, read exactly as zipfile reads it.
    """
    try:
        end = zipfile._EndRecData(handle)
        if end is None:
            raise zipfile.BadZipFile("no end of central directory record")
        if end[zipfile._ECD_SIZE] > MAX_CENTRAL_DIRECTORY or end[zipfile._ECD_ENTRIES_TOTAL] > MAX_MEMBERS:
            raise _refuse("F.too_large", reason="压缩包的目录过大（成员数量异常，疑似压缩炸弹）")
        handle.seek(0)
        with zipfile.ZipFile(handle) as zf:
            yield zf
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, zlib.error):
        # also raised inside the with-body: bad CRC, bad deflate data, mismatched local header
        raise _corrupt() from None


def _corrupt() -> _Refused:
    return _refuse("F.corrupt", reason="ZIP结构不完整或数据校验失败（文件可能只下载或复制了一部分）")


def _check_members(zf: zipfile.ZipFile) -> None:
    """Central-directory checks only: nothing is decompressed here.

    zipfile stops decompressing a member at its declared size (and then fails the CRC), so
    the declared sizes bound what openpyxl can be made to read; other zip libraries (such as
    calamine's) may not, hence :func:`open_member_limited`.
    """
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _refuse(
            "F.too_large", reason=f"压缩包内有{len(infos)}个成员，超过上限{MAX_MEMBERS}个（疑似压缩炸弹）"
        )
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        reason = f"解压后共{_size(total)}，超过上限{_size(MAX_TOTAL_UNCOMPRESSED)}（疑似压缩炸弹）"
        raise _refuse("F.too_large", reason=reason)
    seen: set[str] = set()
    for info in infos:
        name = _show(info.filename)
        if info.file_size > RATIO_APPLIES_ABOVE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            reason = f"成员“{name}”的压缩比超过{MAX_RATIO}倍，解压后{_size(info.file_size)}（疑似压缩炸弹）"
            raise _refuse("F.too_large", reason=reason)
        if _escapes(info.filename):
            raise _refuse("F.hostile", reason=f"压缩包成员的路径“{name}”指向压缩包之外")
        if info.filename in seen:
            raise _refuse("F.hostile", reason=f"压缩包内有两个同名成员“{name}”")
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise _refuse(
                "F.unsupported", reason="ZIP压缩包设置了密码", how_to_fix="请提交未加密的.xlsx文件。"
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # bzip2/LZMA members decompress a whole chunk at once: a bomb inside one read.
            reason = "工作簿内部使用了Excel不会使用的压缩方式（bzip2/LZMA等）"
            raise _refuse("F.unsupported", reason=reason, how_to_fix=SAVE_AS_XLSX)


def _escapes(name: str) -> bool:
    parts = name.replace("\\", "/")
    return parts.startswith("/") or re.match(r"^[A-Za-z]:", parts) is not None or ".." in parts.split("/")


def _show(name: str, limit: int = 60) -> str:
    """A member name as it may appear in a message: printable and short."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in name)
    return clean if len(clean) <= limit else clean[:limit] + "…"


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


def open_member_limited(zf: zipfile.ZipFile, name: str, limit: int, chunk: int = 64 * 1024) -> bytes:
    """Read one member in chunks; raise :class:`MemberTooLarge` past ``limit`` bytes.

    Declared sizes are written by whoever made the file. This bounds memory by what was
    actually decompressed, whatever the central directory claims.
    """
    parts: list[bytes] = []
    size = 0
    with zf.open(name) as member:
        while block := member.read(chunk):
            size += len(block)
            if size > limit:
                raise MemberTooLarge(f"zip member {name!r} exceeds {limit} bytes")
            parts.append(block)
    return b"".join(parts)


def _check_xml_heads(zf: zipfile.ZipFile) -> None:
    """Refuse any XML part that declares a DTD: no genuine Excel/WPS/LibreOffice file does.

    Every member is checked, not only ``*.xml``: openpyxl follows relationships, so a
    worksheet may be stored under any name. Only the first few KB are decompressed.
    """
    for info in zf.infolist():
        if info.is_dir():
            continue
        with zf.open(info) as member:
            head = member.read(XML_HEAD_BYTES)
        if _declares_dtd(head):
            reason = "工作簿的XML中含有DOCTYPE/ENTITY声明（可能是XML实体炸弹）"
            raise _refuse("F.hostile", reason=reason)
        if _WORKSHEET_ROOT.search(head):
            _check_extent(zf, info)
        elif (declared := _SST_COUNT.search(head)) and int(declared.group(1)) > info.file_size:
            # calamine reserves memory for the declared number of shared strings up front
            reason = f"共享字符串表声明有{int(declared.group(1))}项，与实际内容不符（可能是恶意构造的文件）"
            raise _refuse("F.hostile", reason=reason)


# A worksheet's cells: calamine builds a dense grid from the first to the last used cell, so
# one stray entry in XFD1048576 asks for hundreds of gigabytes and aborts the process.
_SST_COUNT = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?sst\s[^>]*?\buniqueCount\s*=\s*["']\s*([0-9]+)""")
_WORKSHEET_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?worksheet[\s>]")
_ROW_OR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
# every <c> and <row> tag; the groups hold the position when it is the first attribute
_FIRST_REF = re.compile(rb'<(?:c|row)(?: r="([A-Za-z]*)([0-9]+)"|[\s/>])')
_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")
MAX_SHEET_CELLS = 1_000_000  # the template's largest sheet spans 360 cells
MAX_SHEET_BYTES = 64 * 1024 * 1024


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _check_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    try:
        data = open_member_limited(zf, info.filename, MAX_SHEET_BYTES)
    except MemberTooLarge:
        raise _refuse(
            "F.too_large", reason=f"工作表“{_show(info.filename)}”异常庞大（疑似压缩炸弹）"
        ) from None
    refs = _FIRST_REF.findall(data)
    if b":row" not in data and b":c" not in data and all(number for _, number in refs):
        # the usual case (Excel, WPS, LibreOffice, openpyxl): every row and cell names its position
        last_row = max((int(number) for _, number in refs if number), default=0)
        last_col = max(
            (_column(letters) for letters in {letters for letters, _ in refs} if letters), default=0
        )
    else:  # positions implied by order: count as the spreadsheet does
        last_row = last_col = row = col = 0
        for match in _ROW_OR_CELL.finditer(data):
            ref = _REF.search(match.group(2))
            if match.group(1) == b"row":
                row = int(ref.group(2)) if ref and ref.group(2) else row + 1
                col = 0
            else:
                col = _column(ref.group(1)) if ref and ref.group(1) else col + 1
                if ref and ref.group(2):
                    row = int(ref.group(2))
                last_col = max(last_col, col)
            last_row = max(last_row, row)
    if last_row * max(last_col, 1) > MAX_SHEET_CELLS:
        reason = (
            f"工作表中有远离表格的单元格（已用到第{last_row}行、第{last_col}列），"
            "读取时需要的内存超出正常范围；请删除表格以外多余的内容（按Ctrl+End可找到最后一个单元格）后保存"
        )
        raise _refuse("F.too_large", reason=reason)


def _declares_dtd(head: bytes) -> bool:
    # Dropping NULs makes UTF-16/UTF-32 XML readable as ASCII without guessing its encoding.
    text = head.replace(b"\x00", b"")
    for bom in (UTF8_BOM, b"\xff\xfe", b"\xfe\xff"):
        text = text.removeprefix(bom)
    if _DTD.search(text):
        return True
    if not text.lstrip().startswith(b"<"):
        return False  # not XML: an image, a printer setting, ...
    # A DOCTYPE may only follow the prolog; a prolog padded past what we read could hide one.
    return len(head) == XML_HEAD_BYTES and not _skip_prolog(text)


def _skip_prolog(text: bytes) -> bytes:
    """Drop the XML declaration, processing instructions, comments and whitespace."""
    while True:
        text = text.lstrip()
        for start, end in ((b"<?", b"?>"), (b"<!--", b"-->")):
            if text.startswith(start):
                close = text.find(end, len(start))
                if close < 0:
                    return b""
                text = text[close + len(end) :]
                break
        else:
            return text


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


def ensure_defused() -> None:
    """Fail loudly unless openpyxl parses XML through defusedxml.

    openpyxl switches to defusedxml only if it was importable when openpyxl was first
    imported and ``OPENPYXL_DEFUSEDXML`` is not set to something other than ``True``; a
    broken install would otherwise silently fall back to the stdlib parser.
    """
    try:
        import defusedxml  # noqa: F401
    except ImportError as exc:
        raise RuntimeError("defusedxml is not installed; install it before reading workbooks") from exc
    import openpyxl.xml
    import openpyxl.xml.functions

    if not openpyxl.xml.DEFUSEDXML or not openpyxl.xml.functions.iterparse.__module__.startswith(
        "defusedxml"
    ):
        raise RuntimeError(
            "openpyxl is not using defusedxml (OPENPYXL_DEFUSEDXML set to something other than "
            "'True'?); refusing to parse untrusted workbooks"
        )
