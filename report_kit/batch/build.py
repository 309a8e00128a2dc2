"""``--build``: compile the .docx and .html report of every submission without errors.

Uses the same pieces as ``report-kit build`` (``report_content.build_content``,
``writers.report_docx.write_docx``, ``writers.report_html.write_html``), looked up when the
option is used: if they are missing from an installation, building is reported as unavailable
in Chinese and the rest of the batch is unaffected. Submissions are re-read here, one at a
time, because the batch itself keeps no submissions in memory.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TextIO

from report_kit.batch.names import UniqueNames, sanitise
from report_kit.batch.outputs import REPORTS_DIR, staging_folder
from report_kit.batch.progress import Progress
from report_kit.batch.run import STATUS_PASSED, BatchResult
from report_kit.os_errors import os_reason

UNAVAILABLE = "生成报告功能暂不可用（报告生成模块未安装），已跳过 --build；审核结果不受影响。"


def _writers():
    try:
        from report_kit.report_content import build_content
        from report_kit.writers.report_docx import write_docx
        from report_kit.writers.report_html import write_html
    except ImportError:
        return None
    return build_content, write_docx, write_html


def build_reports(
    result: BatchResult,
    directory: str | os.PathLike,
    review_dir: str | os.PathLike,
    progress: TextIO | None = None,
) -> list[str]:
    """Build reports into review_dir/reports; returns Chinese messages for the user.

    Each writer writes atomically; one report failing is reported and the others go on.
    ``batch --build`` uses :func:`build_into` on the staged review instead, so that the
    reports are published together with the review they belong to.
    The names of the reports built are left in ``result.reports``, for the unit pages to link.
    """
    writers = _writers()
    if writers is None:
        return [UNAVAILABLE]
    target = Path(review_dir) / REPORTS_DIR
    staging = staging_folder(Path(review_dir), "reports")
    try:
        messages, built = _build_all(result, directory, staging, writers, progress)
        # swap the whole folder: reports of units that no longer pass must not linger
        if target.exists():
            os.replace(target, staging / "old")
        os.replace(staging / REPORTS_DIR, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    messages.insert(0, f"已为 {built} 份通过审核的报告生成Word和网页版，保存在 {target}。")
    return messages


def build_into(
    result: BatchResult,
    directory: str | os.PathLike,
    folder: Path,
    shown: str | os.PathLike,
    progress: TextIO | None = None,
) -> list[str]:
    """Build the reports into ``folder/reports`` (a staged review); ``shown`` is the review
    folder named in the message."""
    writers = _writers()
    if writers is None:
        return [UNAVAILABLE]
    messages, built = _build_all(result, directory, folder, writers, progress)
    shown_dir = Path(shown) / REPORTS_DIR
    messages.insert(0, f"已为 {built} 份通过审核的报告生成Word和网页版，保存在 {shown_dir}。")
    return messages


def _build_all(
    result: BatchResult, directory, staging: Path, writers, progress=None
) -> tuple[list[str], int]:
    build_content, write_docx, write_html = writers
    from report_kit.readers import read_submission

    target = staging / REPORTS_DIR
    target.mkdir()
    # the unit's part is cut to sanitise's limits, so that 「…年政府信息公开工作年度报告」 survives
    # and the name, with 「-2.docx」 and the atomic writer's temporary affixes, fits in 255 bytes
    names = UniqueNames(max_length=100, max_bytes=225)
    messages, built = [], 0
    passing = [entry for entry in result.entries if entry["status"] == STATUS_PASSED]
    bar = Progress(len(passing), progress, label="生成报告") if progress is not None else None
    for entry in passing:
        try:
            source = result.sources.get(entry["file"]) or Path(directory) / entry["file"]
            submission = read_submission(source).submission
            if submission is None:
                raise ValueError("文件已无法读取")
            content = build_content(submission)
            stem = names.take(f"{sanitise(entry['unit'])}{entry['year']}年政府信息公开工作年度报告")
            write_docx(content, target / f"{stem}.docx")
            write_html(content, target / f"{stem}.html")
            result.reports[entry["file"]] = [f"{stem}.docx", f"{stem}.html"]  # linked from its unit page
            built += 1
        except Exception as exc:  # one report failing must not stop the others
            reason = os_reason(exc) if isinstance(exc, OSError) else f"{type(exc).__name__}: {exc}"
            reason = reason if len(reason) <= 200 else reason[:200] + "…"
            messages.append(f"“{entry['file']}”生成报告失败：{reason}")
        if bar is not None:
            bar.advance()
    if bar is not None:
        bar.close()
    return messages, built
