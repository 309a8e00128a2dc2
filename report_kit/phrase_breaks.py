"""Where a 公文 title or a unit name may wrap: between whole phrases, in a 梯形 or 菱形 shape.

GB/T 9704-2012 §7.3.1: a title that wraps must keep its words whole, be symmetrical and use a
trapezoid (short line above a longer one) or a diamond (the longest line in the middle). A
word processor wraps a centred title wherever the line is full — 「…政府信息公开 / 工作年度报告」
— so the Word writer breaks it itself, with line breaks at the places chosen here: after the
unit name, and inside a long unit name only after an administrative level (「新疆维吾尔自治区 /
巴音郭楞蒙古自治州…」) or between a government and its office (「…人民政府 / 办公室」).

Widths are counted in characters of the line's font: Han characters and full-width marks
are 1, digits and Latin letters ½ (仿宋_GB2312 and 小标宋 set them half-width).
"""

from __future__ import annotations

import itertools
import re

# A unit name may wrap after these (longest first): the administrative levels of a place
# name and the parts of a government's name — but not inside a word that merely contains a
# level's character: 市场, 市政, 城市, 贵州省, 杭州市, 城乡, 城镇, 社区, 区域, 县级.
_BREAK_AFTER = re.compile(
    "(特别行政区|自治区|自治州|自治县|自治旗|地区|林区|新区|开发区|省|"
    "(?<!城)市(?![场政容民委])|州(?![市省委])|盟|县(?![级域委])|旗|(?<!社)区(?![域级委])|"
    "(?<!城)镇|(?<!城)乡|街道|人民政府|委员会|党委|管委会)"
)
MAX_LINES = 4  # a unit name on more lines than this is filled line by line
EXHAUSTIVE_PHRASES = 12


def text_width(text: str, autospace: float = 0.0) -> float:
    """Width in characters of the line's font size: ASCII (digits, Latin) counts ½, and each
    change between Han and ASCII text adds ``autospace`` (Word and LibreOffice put about a
    quarter of a character between 「2025」 and 「年」)."""
    narrow = [ord(ch) < 0x2000 for ch in text]
    changes = sum(a != b for a, b in itertools.pairwise(narrow))
    return sum(0.5 if n else 1.0 for n in narrow) + changes * autospace


def unit_phrases(name: str) -> list[str]:
    """A unit name cut into the phrases it may wrap between (never inside one)."""
    cuts = {m.end() for m in _BREAK_AFTER.finditer(name) if 0 < m.end() < len(name)}
    # a phrase of one or two characters (「某县」 after 「XX自治州」 is fine, 「乡」 alone is not)
    # would leave a stub on a line: join it to the phrase after it
    bounds = [0, *sorted(cuts), len(name)]
    phrases = [name[a:b] for a, b in itertools.pairwise(bounds)]
    merged: list[str] = []
    for phrase in phrases:
        if merged and text_width(merged[-1]) < 2:
            merged[-1] += phrase
        else:
            merged.append(phrase)
    return merged


def _shape_penalty(widths: list[float]) -> float:
    """0 for a trapezoid (each line at least as long as the one above) or a diamond (lines
    grow to the longest, then shrink); otherwise how much longer a line is than it should be.
    A first line up to one character longer than the second still reads as a rectangle."""
    peak = widths.index(max(widths))
    rising, falling = widths[: peak + 1], widths[peak:]
    penalty = sum(max(0.0, a - b) for a, b in itertools.pairwise(rising))
    penalty += sum(max(0.0, b - a) for a, b in itertools.pairwise(falling))
    if peak == 0 and len(widths) > 1:  # a long line on top of shorter ones: an inverted trapezoid
        penalty += max(0.0, widths[0] - widths[1] - 1)
    return penalty


def _filled(phrases: list[str], limit: float) -> list[str]:
    """Phrases set line by line, each line as full as it goes."""
    lines: list[str] = []
    for phrase in phrases:
        if lines and text_width(lines[-1] + phrase) <= limit:
            lines[-1] += phrase
        else:
            lines.append(phrase)
    return lines


def _groupings(phrases: list[str], limit: float) -> list[list[str]]:
    """Every way to set consecutive phrases on lines no wider than ``limit`` (a phrase wider
    than the line is set alone: the word processor wraps it, there is nothing better).
    Exhaustive for the few phrases of a real unit name; a pasted-in name of many phrases is
    filled line by line."""
    n = len(phrases)
    if n > EXHAUSTIVE_PHRASES:
        return [_filled(phrases, limit)]
    found = []
    for k in range(min(n, MAX_LINES)):
        for cuts in itertools.combinations(range(1, n), k):
            bounds = list(itertools.pairwise([0, *cuts, n]))
            lines = ["".join(phrases[a:b]) for a, b in bounds]
            if all(text_width(line) <= limit or b - a == 1 for line, (a, b) in zip(lines, bounds)):
                found.append(lines)
    return found


def best_lines(phrases: list[str], limit: float, tail: str = "") -> list[str]:
    """The phrases set on lines of at most ``limit`` characters, ``tail`` (the rest of a
    title after the unit name) on its own last line: fewest lines, then the best 梯形/菱形
    shape, then the most even lengths."""
    candidates = _groupings(phrases, limit) or [_filled(phrases, limit)]

    def score(lines: list[str]) -> tuple:
        widths = [text_width(line) for line in (*lines, tail) if line]
        shape = _shape_penalty(widths)
        return (len(widths) + shape / 3, shape, max(widths) - min(widths))

    best = min(candidates, key=score)
    return [*best, tail] if tail else best


def title_lines(title: str, unit: str, limit: float) -> list[str]:
    """The title as centred lines: one line when it fits; otherwise it breaks after the unit
    name (「轮台县市场监督管理局 / 2024年政府信息公开工作年度报告」), and a unit name too long
    for a line wraps between its phrases."""
    if text_width(title) <= limit:
        return [title]
    if not unit or not title.startswith(unit) or text_width(title[len(unit) :]) > limit:
        return [title]  # a house title of another form: the word processor wraps it
    return best_lines(unit_phrases(unit), limit, tail=title[len(unit) :])


def name_lines(name: str, limit: float) -> list[str]:
    """A unit name as the signature sets it: one line when it fits, else whole phrases on
    lines of at most ``limit`` characters, evenly long."""
    if text_width(name) <= limit:
        return [name]
    return best_lines(unit_phrases(name), limit)
