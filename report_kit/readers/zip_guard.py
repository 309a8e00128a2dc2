"""Zip and XML guards: whether a workbook container is safe to hand to openpyxl or calamine.

Lifted out of :mod:`report_kit.readers.sniff` so that every place that opens an office file
uses the same checks: the sniffer (before any reader), the annotate writer (which reopens the
submitted workbook with openpyxl) and the roster reader (which opens a roster workbook that
never went through ``sniff``). A zip bomb or an XML entity bomb must be caught before a
parser sees it; only the central directory and the first few KB of each member are read.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from report_kit.catalogue import emit
from report_kit.findings import Finding

# Zip-bomb limits. A real report workbook has ~30 members and is well under 1 MB unpacked.
MAX_MEMBERS = 2_000
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
RATIO_APPLIES_ABOVE = 10 * 1024 * 1024
MAX_CENTRAL_DIRECTORY = 1024 * 1024  # bounds the ZipInfo objects zipfile builds at open time
XML_HEAD_BYTES = 4096  # where a DOCTYPE would have to be
UTF8_BOM = b"\xef\xbb\xbf"
SAVE_AS_XLSX = "请在Excel/WPS中打开该文件，“另存为”Excel工作簿(*.xlsx)后重新提交。"

_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


class MemberTooLarge(ValueError):
    """A zip member decompressed to more bytes than the caller allowed."""


class Refused(Exception):
    """Carries the finding out of nested checks; never leaves the readers."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.rule)
        self.finding = finding


def refuse(rule: str, **values: str) -> Refused:
    return Refused(emit(rule, values))


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
    except Refused as refused:
        return [refused.finding]


def _container_findings(handle: IO[bytes]) -> list[Finding]:
    with open_zip(handle) as zf:
        check_members(zf)
        check_xml_heads(zf)
    return []


@contextmanager
def open_zip(handle: IO[bytes]) -> Iterator[zipfile.ZipFile]:
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
            raise refuse("F.too_large", reason="压缩包的目录过大（成员数量异常，疑似压缩炸弹）")
        handle.seek(0)
        with zipfile.ZipFile(handle) as zf:
            yield zf
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, zlib.error):
        # also raised inside the with-body: bad CRC, bad deflate data, mismatched local header
        raise corrupt() from None


def corrupt() -> Refused:
    return refuse("F.corrupt", reason="ZIP结构不完整或数据校验失败（文件可能只下载或复制了一部分）")


def check_members(zf: zipfile.ZipFile) -> None:
    """Central-directory checks only: nothing is decompressed here.

    zipfile stops decompressing a member at its declared size (and then fails the CRC), so
    the declared sizes bound what openpyxl can be made to read; other zip libraries (such as
    calamine's) may not, hence :func:`open_member_limited`.
    """
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise refuse(
            "F.too_large", reason=f"压缩包内有{len(infos)}个成员，超过上限{MAX_MEMBERS}个（疑似压缩炸弹）"
        )
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        reason = f"解压后共{_size(total)}，超过上限{_size(MAX_TOTAL_UNCOMPRESSED)}（疑似压缩炸弹）"
        raise refuse("F.too_large", reason=reason)
    seen: set[str] = set()
    for info in infos:
        if info.file_size > RATIO_APPLIES_ABOVE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            reason = f"成员“{_show(info.filename)}”的压缩比超过{MAX_RATIO}倍，解压后{_size(info.file_size)}（疑似压缩炸弹）"
            raise refuse("F.too_large", reason=reason)
        if _escapes(info.filename):
            raise refuse("F.hostile", reason=f"压缩包成员的路径“{_show(info.filename)}”指向压缩包之外")
        if info.filename in seen:
            raise refuse("F.hostile", reason=f"压缩包内有两个同名成员“{_show(info.filename)}”")
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise refuse(
                "F.unsupported", reason="ZIP压缩包设置了密码", how_to_fix="请提交未加密的.xlsx文件。"
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # bzip2/LZMA members decompress a whole chunk at once: a bomb inside one read.
            reason = "工作簿内部使用了Excel不会使用的压缩方式（bzip2/LZMA等）"
            raise refuse("F.unsupported", reason=reason, how_to_fix=SAVE_AS_XLSX)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}MB" if n >= 1024 * 1024 else f"{max(n // 1024, 1)}KB"


def _escapes(name: str) -> bool:
    parts = name.replace("\\", "/")
    return parts.startswith("/") or re.match(r"^[A-Za-z]:", parts) is not None or ".." in parts.split("/")


def _show(name: str, limit: int = 60) -> str:
    """A member name as it may appear in a message: printable and short."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in name)
    return clean if len(clean) <= limit else clean[:limit] + "…"


def open_member_limited(zf: zipfile.ZipFile, name: str, limit: int, chunk: int = 64 * 1024) -> bytes:
    """Read one member in chunks; raise :class:`MemberTooLarge` past ``limit`` bytes.

    Declared sizes are written by whoever made the file. This bounds memory by what was
    actually decompressed, whatever the central directory claims.
    """
    with zf.open(name) as member:
        return _read_limited(member, name, limit, chunk)


def _read_limited(
    member: IO[bytes], name: str, limit: int, chunk: int = 64 * 1024, head: bytes = b""
) -> bytes:
    parts: list[bytes] = [head]
    size = len(head)
    while block := member.read(chunk):
        size += len(block)
        if size > limit:
            raise MemberTooLarge(f"zip member {name!r} exceeds {limit} bytes")
        parts.append(block)
    return b"".join(parts)


class Members:
    """A checked workbook's bytes and the members the guard already decompressed to the end.

    The guard has to read every worksheet in full (its extent) and reads every small part
    whole with its head, so the reader takes them from here instead of opening the zip and
    decompressing them again; calamine reads the same bytes the guard checked, not whatever
    the path names by then. ``members`` of a workbook that did not pass the guard is empty
    and every member comes from the zip.
    """

    def __init__(self, data: bytes, complete: dict[str, bytes] | None = None) -> None:
        self.data = data
        self.complete = complete if complete is not None else {}

    @classmethod
    def of(cls, source: str | os.PathLike | Members) -> Members:
        if isinstance(source, Members):
            return source
        with open(source, "rb") as handle:
            return cls(handle.read())

    def read(self, name: str, limit: int) -> bytes:
        """One member's bytes; KeyError when absent, MemberTooLarge past ``limit``."""
        found = self.complete.get(name)
        if found is not None:
            if len(found) > limit:
                raise MemberTooLarge(f"zip member {name!r} exceeds {limit} bytes")
            return found
        with zipfile.ZipFile(io.BytesIO(self.data)) as zf:
            return open_member_limited(zf, name, limit)


def check_xml_heads(zf: zipfile.ZipFile) -> dict[str, bytes]:
    """Refuse any XML part that declares a DTD: no genuine Excel/WPS/LibreOffice file does.

    Every member is checked, not only ``*.xml``: openpyxl follows relationships, so a
    worksheet may be stored under any name. Only the first few KB are decompressed, except
    for worksheets, whose extent is checked. Returns the members read to their end (every
    worksheet, and every member no longer than a head), for :class:`Members`.
    """
    complete: dict[str, bytes] = {}
    for info in zf.infolist():
        if info.is_dir():
            continue
        with zf.open(info) as member:
            head = member.read(XML_HEAD_BYTES)
            if _declares_dtd(head):
                reason = "工作簿的XML中含有DOCTYPE/ENTITY声明（可能是XML实体炸弹）"
                raise refuse("F.hostile", reason=reason)
            if _WORKSHEET_ROOT.search(head):
                try:
                    data = _read_limited(member, info.filename, MAX_SHEET_BYTES, head=head)
                except MemberTooLarge:
                    raise refuse(
                        "F.too_large", reason=f"工作表“{_show(info.filename)}”异常庞大（疑似压缩炸弹）"
                    ) from None
                _check_extent(data)
                complete[info.filename] = data
                continue
        if (declared := _SST_COUNT.search(head)) and int(declared.group(1)) > info.file_size:
            # calamine reserves memory for the declared number of shared strings up front
            reason = f"共享字符串表声明有{int(declared.group(1))}项，与实际内容不符（可能是恶意构造的文件）"
            raise refuse("F.hostile", reason=reason)
        if len(head) < XML_HEAD_BYTES:  # read to its end (zipfile checked the CRC there)
            complete[info.filename] = head
    return complete


# A worksheet's cells: calamine builds a dense grid from the first to the last used cell, so
# one stray entry in XFD1048576 asks for hundreds of gigabytes and aborts the process.
_SST_COUNT = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?sst\s[^>]*?\buniqueCount\s*=\s*["']\s*([0-9]+)""")
_WORKSHEET_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?worksheet[\s>]")
_ROW_OR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
# every <c> and <row> tag; the groups hold the position when it is the first attribute
_FIRST_REF = re.compile(rb'<(?:c|row)(?: r="([A-Za-z]*)([0-9]+)"|[\s/>])')
_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")
# a row or cell whose position is not its first attribute, or lies at row 1000 or column AAA
# and beyond: only such a sheet needs every position counted (one C-level search otherwise)
_UNUSUAL_OR_FAR = re.compile(rb"""<(?:c|row)(?=[\s/>])(?! r="[A-Za-z]{0,2}[0-9]{1,3}")""")
MAX_SHEET_CELLS = 1_000_000  # the template's largest sheet spans 360 cells
MAX_SHEET_BYTES = 64 * 1024 * 1024


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _check_extent(data: bytes) -> None:
    if b":row" not in data and b":c" not in data and not _UNUSUAL_OR_FAR.search(data):
        return  # every position written first, all above row 1000 and left of column AAA: ≤ 999 × 702 cells
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
        raise refuse("F.too_large", reason=reason)


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
