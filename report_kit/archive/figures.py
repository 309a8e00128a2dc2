"""The handful of figures a reviewer compares across years, read from any format's submission.

Which figures, their labels and cells are the layout's ``key_figures`` (of the current
revision, so that every year of a unit's history is shown in the same columns).
"""

from __future__ import annotations

from report_kit.layout import KeyFigure, load_layout
from report_kit.rules.context import resolve

MISSING = "—"


def figure_list() -> list[KeyFigure]:
    return load_layout().key_figures


def figure_value(submission: dict, figure: KeyFigure) -> int | float | None:
    """The figure's value, or None where the submission's format has no such cell or it is not a number."""
    values = [resolve(submission, p) for p in figure.cells]
    ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    return sum(values) if ok else None


def key_figures(submission: dict) -> dict[str, int | float | None]:
    """Label → value of every key figure."""
    return {figure.label: figure_value(submission, figure) for figure in figure_list()}
