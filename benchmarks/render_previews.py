"""Render what the tool writes the way a reviewer looks at it (issue 14).

    python benchmarks/render_previews.py [OUT_DIR]        # default: previews/ (git-ignored)

Writes, from scratch each time:

- ``OUT_DIR/work``: a 10-file batch (``generate_batch.py``, seed 0), its review folder
  (``batch --build``), the fill-in template filled with the shipped example, and the
  annotated copy of one batch file;
- ``OUT_DIR/pdf``: every workbook printed through LibreOffice (``soffice --convert-to pdf``),
  and the report's web page printed through Chromium;
- ``OUT_DIR/png``: each PDF page as a PNG (``pdftoppm``), and phone-width (390 px) screenshots of
  the report page, the batch index and a unit page (headless Chromium).

It prints one line per file: pages, and for web pages the width the page needs at 390 px.
Tools that are missing are named and their outputs skipped. ``tests/test_print_render.py``
asserts on the same renderings through the functions of this module.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "轮台县市场监督管理局-2024.json"
PHONE = 390  # px: the width of a common phone in portrait
# Chromium's headless window is at least 500 px wide: pages are laid out at phone width inside
# an iframe of a wrapper page, and report their measurements to it by postMessage.
MEASURE = """<script>
window.addEventListener("load", () => {
  const cells = [...document.querySelectorAll("td, th")];
  const clipped = cells.filter((c) => c.scrollWidth > c.clientWidth + 1).length;
  const lineWidths = (node) => {
    const range = document.createRange(); range.selectNodeContents(node);
    const lines = {};
    for (const r of range.getClientRects()) lines[Math.round(r.top)] = (lines[Math.round(r.top)] || 0) + r.width;
    return Object.values(lines).map(Math.round);
  };
  const lines = (node) => lineWidths(node).length;
  parent.postMessage(JSON.stringify({
    width: document.documentElement.scrollWidth,
    tallest_row: Math.max(0, ...[...document.querySelectorAll("tr")].map((r) => r.getBoundingClientRect().height)),
    clipped: clipped,
    broken_headers: [...document.querySelectorAll("th")].filter((th) => {
      const widths = lineWidths(th);
      return th.textContent.trim().length === 4 && widths.length > 1 && Math.abs(widths[0] - widths[1]) > 2;
    }).map((th) => th.textContent.trim()),
    broken_rules: [...document.querySelectorAll(".rule")].filter((c) => lines(c) > 1).map((c) => c.textContent),
    sticky: [...document.querySelectorAll(".stick")].slice(0, 3).map((c) => getComputedStyle(c).position),
    links: [...document.querySelectorAll("a")].map((a) => a.getAttribute("href")),
  }), "*");
});
</script>"""
WRAPPER = """<!DOCTYPE html><html><body style="margin:0">
<iframe src="{src}" style="width:{width}px;height:{height}px;border:0"></iframe>
<script>window.addEventListener("message", (e) => document.body.setAttribute("data-measure", e.data));</script>
</body></html>"""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def poppler() -> bool:
    return all(shutil.which(tool) for tool in ("pdftotext", "pdfinfo", "pdftoppm"))


def to_pdf(paths: list[Path], out_dir: Path) -> list[Path]:
    """Print workbooks through LibreOffice, in one call, with a profile of its own (a running
    LibreOffice of the user's, or another test's, must not share it)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(
            [
                soffice() or "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                *map(str, paths),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return [out_dir / (Path(p).stem + ".pdf") for p in paths]


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Page:
    width: float
    height: float
    words: list[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(word.text for word in self.words)


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def pdf_pages(pdf: Path) -> list[Page]:
    """Every page's size and words with their boxes (``pdftotext -bbox``), in points."""
    from html import unescape

    xml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, timeout=120
    ).stdout.decode("utf-8")
    pages = []
    for width, height, body in _PAGE.findall(xml):
        words = [
            Word(unescape(t), float(a), float(b), float(c), float(d)) for a, b, c, d, t in _WORD.findall(body)
        ]
        pages.append(Page(float(width), float(height), words))
    return pages


def to_png(pdf: Path, out_dir: Path, dpi: int = 60) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = out_dir / pdf.stem
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True, timeout=300)
    return sorted(out_dir.glob(f"{pdf.stem}-*.png"))


def _chromium(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        return subprocess.run(
            [
                chromium() or "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                *args,
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )


def measure(html: Path, width: int = PHONE) -> dict:
    """Layout facts of a page at ``width`` px: the width it needs, its tallest table row, cells
    whose text is cut off, four-character headers broken 3+1, rule ids broken over lines, the
    position of the cells meant to stay in view, the links. Measured on a copy beside the page
    (relative links keep working) with a small script; the page itself has none."""
    import json
    from html import unescape

    text = html.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>")
    copy = html.with_name(".measure-page.html")  # an ASCII name: the iframe src is not escaped
    wrapper = html.with_name(".measure-wrapper.html")
    try:
        copy.write_text(text, encoding="utf-8")
        wrapper.write_text(WRAPPER.format(src=copy.name, width=width, height=900), encoding="utf-8")
        dom = _chromium(
            "--allow-file-access-from-files", "--virtual-time-budget=5000", "--dump-dom", wrapper.as_uri()
        ).stdout.decode("utf-8")
    finally:
        copy.unlink(missing_ok=True)
        wrapper.unlink(missing_ok=True)
    found = re.search(r'data-measure="([^"]*)"', dom)
    if not found:
        raise RuntimeError(f"no measurement from {html}")
    return json.loads(unescape(found.group(1)))


def screenshot(html: Path, png: Path, width: int = PHONE, height: int = 2400, anchor: str = "") -> Path:
    """The page as a phone shows it (in a ``width`` px frame; the window itself is wider)."""
    png.parent.mkdir(parents=True, exist_ok=True)
    wrapper = html.with_name(".screenshot-wrapper.html")
    try:
        src = quote(html.name) + (f"#{anchor}" if anchor else "")
        wrapper.write_text(WRAPPER.format(src=src, width=width, height=height), encoding="utf-8")
        _chromium(f"--window-size={max(width, 500)},{height}", f"--screenshot={png}", wrapper.as_uri())
    finally:
        wrapper.unlink(missing_ok=True)
    return png


def print_html(html: Path, pdf: Path) -> Path:
    pdf.parent.mkdir(parents=True, exist_ok=True)
    _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri(), timeout=180)
    return pdf


def make_outputs(work: Path) -> dict[str, Path]:
    """The files a reviewer looks at, written by the tool itself (CLI entry points)."""
    from click.testing import CliRunner

    from report_kit.cli import main

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate_batch import generate

    shutil.rmtree(work, ignore_errors=True)
    inputs, review = work / "inputs", work / "review"
    generate(inputs, 10, "xlsx", seed=0)
    runner = CliRunner()

    def run(*args: object) -> None:
        result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
        if result.exit_code not in (0, 1):
            raise RuntimeError(result.output)

    run("batch", inputs, "-o", review, "--build", "--today", "2025-03-01", "--jobs", "1")
    template = work / "填报模板.xlsx"
    run("template", "-o", template, "--fill", EXAMPLE)
    first = sorted(inputs.rglob("*.xlsx"))[0]
    annotated = work / "标注副本.xlsx"
    run("check", first, "--annotate", annotated)
    reports = sorted((review / "reports").glob("*.html"))
    units = sorted((review / "units").glob("*.html"))
    return {
        "template": template,
        "annotated": annotated,
        "review": review / "审核结果.xlsx",
        "index": review / "index.html",
        "unit": next((u for u in units if "库尔勒" in u.name), units[0]),
        "report": reports[0],
    }


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "previews"
    files = make_outputs(out / "work")
    if soffice() and poppler():
        workbooks = [files["template"], files["annotated"], files["review"]]
        for pdf in to_pdf(workbooks, out / "pdf"):
            pages = pdf_pages(pdf)
            to_png(pdf, out / "png")
            print(f"{pdf.name}: {len(pages)} 页")
    else:
        print("LibreOffice or poppler missing: no workbook PDFs")
    if chromium():
        for key in ("report", "index", "unit"):
            png = screenshot(files[key], out / "png" / f"{key}-390px.png")
            facts = measure(files[key])
            print(
                f"{png.name}: 390 px 宽时页面需要 {facts['width']} px，最高的表格行 {facts['tallest_row']:.0f} px"
            )
        pdf = print_html(files["report"], out / "pdf" / "report-html.pdf")
        if poppler():
            to_png(pdf, out / "png")
            print(f"{pdf.name}: {len(pdf_pages(pdf))} 页")
    else:
        print("Chromium missing: no screenshots")
    print(f"预览已写入 {out}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main(sys.argv[1:]))
