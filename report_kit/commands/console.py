"""Writing results to stdout without losing the exit status.

A full disk behind a redirection (``> 结果.txt``) or a closed pipe (``| head``) must not turn
a finished check or batch into a traceback: the user is told in Chinese on stderr and the
command still exits with the status of what it found.
"""

from __future__ import annotations

import contextlib
import os
import re
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


def write_result(path, content: str | bytes, *, what: str = "") -> None:
    """Write a command's result file atomically and say so on stderr (stdout stays the result).

    ``what`` names the file for the user (「分工台账」); an OS error (full disk, missing folder,
    no permission) becomes a Chinese ``ClickException`` instead of a traceback.
    """
    from report_kit.atomic import write_bytes, write_text

    try:
        if isinstance(content, bytes):
            write_bytes(path, content)
        else:
            write_text(path, content)
    except OSError as exc:
        raise click.ClickException(f"无法写入{what}“{path}”（{os_reason(exc)}）。") from None
    click.echo(f"已写入{what} {path}", err=True)


# Every C0 control but tab and newline, DEL, every C1 control (CSI U+009B, OSC U+009D …), the
# bidi embeddings, overrides and isolates (U+202E turns 「exe.txt」 into 「txt.exe」) and marks.
# ESC goes, so no escape sequence (CSI colours, OSC 52 clipboard writes, OSC 8 links) survives.
TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    """``text`` without what a terminal would execute or reorder (see ``TERMINAL_UNSAFE``)."""
    return TERMINAL_UNSAFE.sub("", text)


class SafeStream:
    """A text stream that drops ``TERMINAL_UNSAFE`` characters from everything written to it.

    A carriage return is kept only where a write begins with it: that is the progress line
    redrawing itself (``batch.progress``); inside text (a unit name) it would hide what came
    before it on the line.
    """

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        if isinstance(text, str):
            head = "\r" if text.startswith("\r") else ""
            self._stream.write(head + terminal_text(text[len(head) :]))
        else:
            self._stream.write(text)
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def protect_terminal() -> None:
    """Route stdout and stderr through :class:`SafeStream` (once per process or CliRunner run)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, SafeStream):
            setattr(sys, name, SafeStream(stream))
