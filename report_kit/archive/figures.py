"""The handful of figures a reviewer compares across years, read from any format's submission."""

from __future__ import annotations

from report_kit.rules.context import resolve

# (Chinese label, pointers summed); a figure whose cells a format lacks shows as missing.
KEY_FIGURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("本年新收", ("/applications/received/total",)),
    ("上年结转", ("/applications/carried_over/total",)),
    ("办理结果总计", ("/applications/results/total/total",)),
    ("结转下年度", ("/applications/carried_forward/total",)),
    ("行政复议", ("/reviews/reconsideration/total",)),
    ("行政诉讼", ("/reviews/litigation_direct/total", "/reviews/litigation_after_reconsideration/total")),
    ("行政规范性文件现行有效", ("/active_disclosure/normative_documents/in_force",)),
)
MISSING = "—"


def key_figures(submission: dict) -> dict[str, int | float | None]:
    """Label → value (None where the submission's format has no such cell or it is not a number)."""
    figures: dict[str, int | float | None] = {}
    for label, pointers in KEY_FIGURES:
        values = [resolve(submission, p) for p in pointers]
        ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        figures[label] = sum(values) if ok else None
    return figures
