"""Defaults shared by the whole package, kept in one place."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _schema_dir() -> Path:
    # Installed wheels ship the data inside the package; a source checkout keeps it at the top.
    bundled = PACKAGE_DIR / "schemas"
    return bundled if bundled.is_dir() else PACKAGE_DIR.parent / "schemas"


SCHEMA_DIR = _schema_dir()
TEMPLATE_DIR = PACKAGE_DIR.parent / "templates"

YEAR_RANGE = (2008, 2100)  # 条例 took effect 2008-05-01

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}

# Hostile-input limits, shared by every reader.
MAX_INPUT_BYTES = 50 * 1024 * 1024
