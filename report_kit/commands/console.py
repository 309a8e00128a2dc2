"""Writing results to stdout without losing the exit status.

A full disk behind a redirection (``> 结果.txt``) or a closed pipe (``| head``) must not turn
a finished check or batch into a traceback: the user is told in Chinese on stderr and the
command still exits with the status of what it found.
"""

from __future__ import annotations

import contextlib
import os
import sys

import click

from report_kit.os_errors import os_reason


def say(text: str, *, nl: bool = True, lost: str = "结果未能完整输出") -> bool:
    """Echo ``text`` to stdout; on an OS error, explain on stderr and return False."""
    try:
        click.echo(text, nl=nl)
        sys.stdout.flush()
        return True
    except OSError as exc:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - nothing more reaches the broken stream
        with contextlib.suppress(OSError):
            click.echo(f"无法输出到屏幕或重定向的文件：{os_reason(exc)}。{lost}。", err=True)
        return False
