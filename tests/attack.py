"""Black-box helpers of the ``test_attack_*`` files: ``report-kit`` run as a separate process,
the way a clerk (or an acceptance test) runs it, and file fingerprints to prove that an input
was left exactly as it was."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
UNIT = "轮台县市场监督管理局"
Y2024 = EXAMPLES / f"{UNIT}-2024.json"
Y2023 = EXAMPLES / "history" / f"{UNIT}-2023.yaml"
PLAN_TEXT = ROOT / "tests" / "fixtures" / "plans" / "000_e762bc6c38b9abe6.txt"

_SCRIPT = Path(sys.executable).with_name("report-kit")
COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "report_kit"]


def rk(*args, cwd=None, env=None, timeout=300, stdin=None) -> subprocess.CompletedProcess:
    """``report-kit ARGS`` in its own process; stdout/stderr decoded (never a crash on bytes)."""
    environment = dict(os.environ, **(env or {}))
    return subprocess.run(
        [*COMMAND, *map(str, args)],
        cwd=cwd,
        env=environment,
        capture_output=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL if stdin is None else stdin,
        text=True,
        encoding="utf-8",
        errors="replace",
    )


def said(result: subprocess.CompletedProcess) -> str:
    return result.stdout + result.stderr


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def example(**unit) -> dict:
    data = json.loads(Y2024.read_text(encoding="utf-8"))
    data["unit"].update(unit)
    return data


def write_report(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def no_traceback(result: subprocess.CompletedProcess) -> None:
    text = said(result)
    assert "Traceback" not in text and "Error:" not in text, text[-3000:]
