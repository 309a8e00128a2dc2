"""Realistic published reports made from the shipped examples, then damaged as quirks.md lists."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from report_kit.report_content import build_content
from report_kit.writers.report_html import render_html

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "轮台县市场监督管理局-2024.yaml"
EXAMPLE_2020 = ROOT / "examples" / "history" / "轮台县市场监督管理局-2020.yaml"
TABLE_POINTERS = ("/active_disclosure", "/applications", "/reviews")


def example(path: Path = EXAMPLE) -> dict:
    from report_kit.readers.base import normalise

    return normalise(yaml.safe_load(path.read_text(encoding="utf-8")))


def page(submission: dict) -> str:
    return render_html(build_content(submission))


def tables_of(submission: dict) -> dict:
    return {key: submission[key] for key in ("active_disclosure", "applications", "reviews")}


CHROME = (
    '<div class="crumbs">首页 &gt; 政务公开 &gt; 政府信息公开年报</div>'
    '<table class="meta"><tr><td>索引号：</td><td>11652822MB1234567X/2025-00012</td>'
    "<td>发布机构：</td><td>轮台县市场监督管理局</td></tr>"
    "<tr><td>发文日期：</td><td>2025-01-20</td><td>文号：</td><td></td></tr></table>"
    "<h2>轮台县市场监督管理局2024年政府信息公开工作年度报告</h2>"
)


def with_chrome(html: str) -> str:
    return html.replace("<main>", "<main>" + CHROME, 1)


def cell_lines(html: str) -> list[str]:
    """The page as a crawler's text: headings, paragraphs, and every table cell on its own line."""
    import lxml.html

    root = lxml.html.document_fromstring(html)
    lines: list[str] = []
    for element in root.iter("h1", "h2", "h3", "p", "th", "td"):
        text = " ".join(element.text_content().split())
        if element.tag in ("th", "td") or text:
            lines.append(text)
    return lines


def pipe_text(html: str) -> str:
    """Tables as ``a | b | c |`` rows (blank cells kept), prose as lines."""
    import lxml.html

    root = lxml.html.document_fromstring(html)
    out: list[str] = []
    for element in root.iter("h1", "h2", "h3", "p", "tr"):
        if element.tag == "tr":
            cells = [" ".join(c.text_content().split()) for c in element if c.tag in ("td", "th")]
            out.append(" | ".join(cells) + " |")
            out.append("|")
        else:
            out.append(" ".join(element.text_content().split()))
    return "\n".join(out)


def replace_row(html: str, label: str, cells: list[str]) -> str:
    """Rewrite the value cells of the table row whose header cell is ``label``."""
    pattern = re.compile(r"(<th[^>]*>" + re.escape(label) + r"</th>)((?:<td[^>]*>[^<]*</td>)+)")
    match = pattern.search(html)
    assert match, label
    new = "".join(f"<td>{c}</td>" for c in cells)
    return html[: match.start(2)] + new + html[match.end(2) :]


def word_file(submission: dict, path: Path) -> Path:
    from report_kit.writers.report_docx import write_docx

    write_docx(build_content(submission), path)
    return path


def set_word_cells(path: Path, label: str, values: list[str], rename: str | None = None) -> None:
    """In the Word report at ``path``, rewrite the cells after the row labelled ``label``."""
    import docx

    document = docx.Document(str(path))
    for table in document.tables:
        for row in table.rows:
            cells = row.cells
            texts = [c.text.strip() for c in cells]
            if label in texts:
                at = max(i for i, t in enumerate(texts) if t == label)
                if rename:
                    cells[at].text = rename
                for cell, value in zip(cells[at + 1 :], values):
                    cell.text = value
                document.save(str(path))
                return
    raise AssertionError(label)


def pdf_from_word(docx_path: Path, out_dir: Path) -> Path:
    """The Word report printed to PDF by LibreOffice (the caller skips when soffice is absent)."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    profile = out_dir / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out_dir), str(docx_path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return out_dir / (docx_path.stem + ".pdf")


def blank_pdf() -> bytes:
    """A one-page PDF with no text on it, as a scanner without OCR leaves it."""
    import io

    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()
