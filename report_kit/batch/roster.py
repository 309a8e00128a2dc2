"""The roster (报送名单) of units that must report, and matching submissions against it.

Names are typed by hand on both sides, so they are compared after normalising: NFKC (full
and half width), no whitespace or punctuation, and traditional characters common in unit
names folded to simplified. A credit code, when both sides have one, wins over the name.
"""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

NAME_HEADER = "单位名称"
CODE_HEADER = "统一社会信用代码"
KIND_HEADER = "单位类型"

# Traditional → simplified, for characters that occur in unit names (hand-written on purpose:
# a full conversion table would be a dependency for a handful of characters).
_TRADITIONAL = (
    "縣县區区鎮镇衛卫務务辦办處处財财稅税農农業业華华漢汉鄉乡東东廣广東东門门"
    "委委會会員员長长門门發发開开關关資资源源環环境境電电運运輸输監监督督導导"
    "國国黨党檔档圖图書书館馆醫医藥药療疗體体育育質质統统計计審审規规劃划號号"
    "協协聯联營营團团廳厅場场準准應应災灾緊紧急急護护軍军區区貿贸經经濟济"
    "禮礼學学職职業业機机構构實实驗验傳传訊讯網网絡络設设備备區区鐵铁線线"
    "龍龙灣湾島岛陽阳嶺岭寧宁遼辽吳吴蘇苏滬沪贛赣閩闽粵粤黔黔滇滇陝陕隴陇"
    "藝艺術术轉转讓让舊旧興兴莊庄屬属萊莱溝沟園园橋桥倉仓鄰邻輪轮級级"
)
TRADITIONAL_TO_SIMPLIFIED = {
    ord(_TRADITIONAL[i]): _TRADITIONAL[i + 1] for i in range(0, len(_TRADITIONAL) - 1, 2)
}


def normalise_name(name: str | None) -> str:
    """The comparison key of a unit name (empty when nothing meaningful is left)."""
    text = unicodedata.normalize("NFKC", name or "").translate(TRADITIONAL_TO_SIMPLIFIED)
    return "".join(
        ch.casefold() for ch in text if not unicodedata.category(ch).startswith(("Z", "P", "C", "S"))
    )


@dataclass(frozen=True)
class RosterUnit:
    index: int
    name: str
    code: str = ""
    kind: str = ""

    @property
    def key(self) -> str:
        return normalise_name(self.name)


class RosterError(ValueError):
    """The roster file cannot be used; the message is Chinese and shown to the user."""


def read_roster(path: str | os.PathLike) -> list[RosterUnit]:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(path)
    elif suffix == ".xlsx":
        rows = _xlsx_rows(path)
    else:
        raise RosterError(f"名单文件应为 .xlsx 或 .csv 格式：{path.name}")
    return parse_rows(rows, path.name)


def parse_rows(rows: list[list], source: str = "名单") -> list[RosterUnit]:
    """Units from table rows: the header row is the first one (of the first ten) naming 单位名称."""
    cleaned = [[("" if v is None else str(v)).strip() for v in row] for row in rows]
    at = next((i for i, row in enumerate(cleaned[:10]) if NAME_HEADER in row), None)
    if at is None:
        raise RosterError(f"名单“{source}”中找不到“{NAME_HEADER}”列。")
    header = cleaned[at]
    name_col = header.index(NAME_HEADER)
    code_col = header.index(CODE_HEADER) if CODE_HEADER in header else None
    kind_col = header.index(KIND_HEADER) if KIND_HEADER in header else None

    def cell(row: list[str], col: int | None) -> str:
        return row[col] if col is not None and col < len(row) else ""

    units = []
    for row in cleaned[at + 1 :]:
        name = cell(row, name_col)
        if not normalise_name(name):
            continue
        code = unicodedata.normalize("NFKC", cell(row, code_col)).replace(" ", "").upper()
        units.append(RosterUnit(len(units), name, code, cell(row, kind_col)))
    return units


def _csv_rows(path: Path) -> list[list]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise RosterError(f"名单“{path.name}”的编码无法识别，请另存为UTF-8编码的CSV。")
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(path: Path) -> list[list]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        return book.get_sheet_by_index(0).to_python()
    except Exception as exc:
        raise RosterError(f"名单“{path.name}”无法读取：{exc}") from None


@dataclass(frozen=True)
class Match:
    """How one submission relates to the roster: one unit, none, or several candidates."""

    units: tuple[RosterUnit, ...]

    @property
    def unit(self) -> RosterUnit | None:
        return self.units[0] if len(self.units) == 1 else None


class RosterIndex:
    def __init__(self, units: list[RosterUnit]) -> None:
        self.units = units
        self.by_code: dict[str, list[RosterUnit]] = {}
        self.by_name: dict[str, list[RosterUnit]] = {}
        for unit in units:
            if unit.code:
                self.by_code.setdefault(unit.code, []).append(unit)
            self.by_name.setdefault(unit.key, []).append(unit)

    def ambiguous_names(self) -> list[list[RosterUnit]]:
        """Groups of roster units whose names normalise equal (listed once each)."""
        return [group for group in self.by_name.values() if len(group) > 1]

    def match(self, name: str | None, code: str | None) -> Match:
        code = unicodedata.normalize("NFKC", code or "").replace(" ", "").upper()
        if code and code in self.by_code:
            return Match(tuple(self.by_code[code]))
        candidates = self.by_name.get(normalise_name(name), [])
        if code:
            # Both sides carry codes and they differ: a same-named unit is a different unit.
            candidates = [u for u in candidates if not u.code]
        return Match(tuple(candidates))
