"""Builders for broken and hostile input files, written into a test's tmp dir at run time.

Nothing hostile is committed to the repository: every bomb here is generated in a second
or two from a few lines of code.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
"""


def write_xlsx(path: Path) -> Path:
    """A small genuine workbook, as openpyxl writes it."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "表一"
    sheet["A1"] = "单位名称"
    sheet["B1"] = "某某市人民政府办公室"
    sheet["B2"] = 12
    workbook.save(path)
    return path


def write_zip(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return path


def rewrite_zip(src: Path, dst: Path, replace: dict[str, bytes] | None = None, add=None) -> Path:
    """Copy a zip member by member, replacing some members' bytes and appending others."""
    replace = replace or {}
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, replace.get(info.filename, old.read(info)))
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return dst


def inject_doctype(src: Path, dst: Path, member: str = "xl/workbook.xml", payload=BILLION_LAUGHS) -> Path:
    """Put a DTD (billion laughs by default) in front of a member's root element."""
    with zipfile.ZipFile(src) as zf:
        original = zf.read(member)
    body = original.split(b"?>", 1)[1] if original.startswith(b"<?xml") else original
    return rewrite_zip(src, dst, {member: payload + body.lstrip()})


def write_zero_bomb(path: Path, size: int, name: str = "xl/worksheets/sheet1.xml") -> Path:
    """One member of ``size`` zero bytes, streamed: 300 MB compress to ~300 KB."""
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", b"<workbook/>")
        with zf.open(name, "w", force_zip64=size > 0x7FFFFFFF) as member:
            left = size
            while left:
                member.write(chunk[: min(left, len(chunk))])
                left -= min(left, len(chunk))
    return path


def write_many_members(path: Path, count: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/workbook.xml", b"<workbook/>")
        for index in range(count):
            zf.writestr(f"xl/media/{index}.xml", b"")
    return path


def truncate(src: Path, dst: Path, fraction: float = 0.5) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * fraction)])
    return dst


def write_ole2(path: Path, streams: list[str]) -> Path:
    """A minimal Compound File (OLE2): header, one FAT sector, one directory sector.

    Enough for anything that reads the directory; the streams themselves are empty.
    """
    free, end, fat_sector, nostream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack(
        "<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, bytes(6), 0, 1, 1, 0, 4096, end, 0, end, 0
    )
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108
    assert len(header) == 512
    fat = struct.pack("<II", fat_sector, end) + struct.pack("<I", free) * 126

    def entry(name: str, kind: int, child: int = nostream, right: int = nostream) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(encoded), kind, 1, nostream, right, child)
            + bytes(16 + 4 + 8 + 8)
            + struct.pack("<IQ", end, 0)
        )

    entries = [entry("Root Entry", 5, child=1 if streams else nostream)]
    for index, name in enumerate(streams, start=1):
        entries.append(entry(name, 2, right=index + 1 if index < len(streams) else nostream))
    directory = b"".join(entries).ljust(512, b"\0")
    path.write_bytes(header + fat + directory)
    return path
