"""Render .docx files through LibreOffice and read back where the text landed, in mm.

Used by the tests that check the printed page (signature position, page fill) rather than
the XML: ``templates/preview.sh`` converts every file with one LibreOffice start (with the
fontconfig aliases of the 公文 fonts, as a reviewer previews), ``pdftotext -bbox`` gives every
word's box. Tests using it are marked :data:`needs_renderer` and skip with the reason when
LibreOffice or poppler is not installed.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PREVIEW = ROOT / "templates" / "preview.sh"
PT = 25.4 / 72  # mm per PostScript point

# the GB/T 9704 text block on A4, in mm from the top-left corner of the page
TEXT_TOP, TEXT_BOTTOM, TEXT_LEFT, TEXT_RIGHT = 37.0, 297.0 - 35.0, 28.0, 210.0 - 26.0
TEXT_HEIGHT = TEXT_BOTTOM - TEXT_TOP

_MISSING = [tool for tool in ("soffice", "pdftoppm", "pdftotext") if shutil.which(tool) is None]
needs_renderer = pytest.mark.skipif(
    bool(_MISSING),
    reason=f"rendering the Word report needs LibreOffice and poppler-utils; missing: {', '.join(_MISSING)}",
)


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class Page:
    number: int
    words: tuple[Word, ...]

    @property
    def body(self) -> list[Word]:
        """Words inside the text block (not the running header, not the page number)."""
        return [w for w in self.words if w.y0 >= TEXT_TOP - 1 and w.y1 <= TEXT_BOTTOM + 1]

    @property
    def fill(self) -> float:
        """How much of the text block's height the page uses: the lowest word's bottom."""
        body = self.body
        return (max(w.y1 for w in body) - TEXT_TOP) / TEXT_HEIGHT if body else 0.0

    def text(self) -> str:
        return "".join(w.text for w in self.body)

    def lines(self, tolerance: float = 1.0) -> list[list[Word]]:
        """Body words grouped into lines by their baseline (bottom), top to bottom."""
        lines: list[list[Word]] = []
        for word in sorted(self.body, key=lambda w: (w.y1, w.x0)):
            if lines and abs(lines[-1][0].y1 - word.y1) <= tolerance:
                lines[-1].append(word)
            else:
                lines.append([word])
        return lines


_PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', re.S
)


def pages_of(pdf: Path) -> list[Page]:
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode("utf-8")
    pages = []
    for number, body in enumerate(_PAGE.findall(out), start=1):
        words = tuple(
            Word(html.unescape(text), float(x0) * PT, float(y0) * PT, float(x1) * PT, float(y1) * PT)
            for x0, y0, x1, y1, text in _WORD.findall(body)
        )
        pages.append(Page(number, words))
    return pages


def render(documents: list[Path], outdir: Path) -> dict[str, list[Page]]:
    """Every document rendered to PDF (and PNG pages at 60 dpi, for a reviewer to look at),
    by stem: ``{"例": [Page, …]}``."""
    try:
        proc = subprocess.run(
            [str(PREVIEW), *map(str, documents), str(outdir)], capture_output=True, text=True, timeout=300
        )
    except subprocess.TimeoutExpired:
        pytest.skip("LibreOffice did not finish converting within 5 minutes")
    if proc.returncode:  # a LibreOffice that cannot start here (no profile, sandbox) is no finding
        pytest.skip(f"LibreOffice could not convert: {proc.stderr.strip()[-300:]}")
    return {doc.stem: pages_of(outdir / f"{doc.stem}.pdf") for doc in documents}
