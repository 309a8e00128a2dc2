"""The Chinese user guide works as written: the install steps a clerk on Windows needs are
there, and every command it shows exists."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from report_kit.cli import main

GUIDE = (Path(__file__).resolve().parent.parent / "docs" / "user-guide.zh.md").read_text(encoding="utf-8")


def test_windows_install_is_spelled_out():
    install = GUIDE[GUIDE.index("## 安装") : GUIDE.index("## 校验填报数据")]
    for needed in (
        "python.org",
        "Add python.exe to PATH",  # the installer's check box, in its English wording
        "地址栏",  # open a command prompt in the folder: type cmd into the address bar
        "cmd",
        "py -m pip install report_kit-0.1.0-py3-none-any.whl",
        "py -m pip install .",
        "--no-index --find-links dist",  # offline PCs
        "py -m report_kit",  # when report-kit.exe is not on PATH
        "不在 PyPI",
        "py -m pip wheel . -w dist",  # how the office builds the wheel
        "py -m build",
    ):
        assert needed in install, needed
    version = re.search(
        r'^version = "([^"]+)"', (Path(__file__).parent.parent / "pyproject.toml").read_text(), re.M
    )
    assert f"report_kit-{version.group(1)}-py3-none-any.whl" in install


def test_every_command_in_the_guide_exists():
    shown = set(re.findall(r"^(?:report-kit|py -m report_kit) ([a-z]+)", GUIDE, re.M))
    assert {"check", "template", "build"} <= shown
    assert shown <= set(main.commands), shown - set(main.commands)


def test_python_m_report_kit_is_the_same_command():
    result = subprocess.run(
        [sys.executable, "-m", "report_kit", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "check" in result.stdout
